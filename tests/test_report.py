"""The one-page PDF report: it opens, has one page, and its text (extracted with poppler's
pdftotext, as a reader's tools would) carries the model, its version and the intended use."""

import re
import subprocess

import pdf_helpers
import pytest
from pdf_helpers import page_count
from store_helpers import scored_model

from xray_core.cli.main import main
from xray_core.evaluation import external_test
from xray_core.evaluation.figure_sheet import figure_sheet
from xray_core.evaluation.validation_figures import validation_figures
from xray_core.predict.validation_scores import load_scores
from xray_core.report.pdf import render_pdf
from xray_core.report.story import build_story, prevalence_range
from xray_core.stats import prevalence
from xray_core.store.catalog import read_card


def pdf_text(path) -> str:
    """Text of every page, whitespace collapsed. Fails clearly without poppler-utils."""
    return re.sub(r"\s+", " ", pdf_helpers.pdf_text(path))


def assert_intervals_hold(text: str) -> None:
    """Every 'x (lo–hi)' in TEXT has lo <= x <= hi, as printed."""
    found = pdf_helpers.intervals(text)
    assert found, "no interval in the text"
    for x, lo, hi in found:
        assert lo <= x <= hi, f"{x} ({lo}–{hi})"


def assert_counts_agree(path) -> None:
    """The sentence above the icon array and the table row of the chosen prevalence give the
    same counts per 1,000."""
    flags = pdf_helpers.frequency_counts(path)
    assert flags["sentence"] == flags["row"], flags


@pytest.fixture(scope="module")
def story():
    card = read_card(scored_model())  # its headline: the withheld test split
    fig = validation_figures(card, load_scores(card["name"]), n_resamples=500)
    sheet = figure_sheet(card, None, card["threshold"], 0.1, validation=fig)
    return build_story(card, sheet, fig.roc)


def test_story_carries_version_figures_and_prevalence(story):
    card = read_card(scored_model())
    assert story["model"] == card["name"]
    assert card["model_sha256"][:12] in story["version"]
    assert story["prevalence"]["prevalence"] == 0.1
    f = story["prevalence"]["frequencies"]
    assert f["tp"] + f["fn"] + f["fp"] + f["tn"] == 1000
    assert story["limitations"][0] == card["population"]
    assert [r["prevalence"] for r in story["prevalence_table"]] == [0.05, 0.1, 0.2, 0.4]
    assert [r["chosen"] for r in story["prevalence_table"]] == [False, True, False, False]
    test = external_test.figures(card)  # the headline: the withheld test split's own figures
    assert story["figures"][1]["value"] == test["sensitivity"]
    assert story["headline_title"].startswith("How well: the withheld test split, n = 624")
    assert story["beside"][0].startswith("The training hospital")


@pytest.mark.parametrize("val,hi", [(0.742, 0.75), (0.3, 0.6), (0.6, 0.6), (0.605, 0.61)])
def test_prevalence_range_holds_the_validation_prevalence(val, hi):
    assert prevalence_range(val) == (prevalence.PREVALENCE_RANGE[0], pytest.approx(hi))


def test_pdf_without_gallery_has_the_story_as_text(story, tmp_path):
    out = tmp_path / "r.pdf"
    data = render_pdf(story, None, out)
    assert data[:5] == b"%PDF-" and out.read_bytes() == data
    assert page_count(out) == 1
    text = pdf_text(out)
    assert story["model"] in text and story["version"] in text
    assert re.sub(r"\s+", " ", story["intended_use"]) in text
    assert story["prevalence"]["sentences"][2] in text  # "N children with pneumonia are missed."
    assert story["figures"][1]["text"] in text  # sensitivity with its interval
    assert "Gallery not drawn" in text
    assert story["test_split"] == ""  # the headline is the test split: no second sentence
    assert_intervals_hold(text)


def test_cli_report_with_gallery(tmp_path, data_root):
    out = tmp_path / "report.pdf"
    name = scored_model()
    args = ["report", "--model", name, "--pdf", str(out), "--data", str(data_root)]
    code = main([*args, "--prevalence", "0.2"])
    assert code == 0 and page_count(out) == 1
    text = pdf_text(out)
    card = read_card(name)
    assert card["name"] in text and card["intended_use"] in text
    assert "assumed prevalence of 20%" in text and "False positive" in text
    assert "How well: the withheld test split" in text and "False negative" in text
    assert_intervals_hold(text)
    assert_counts_agree(out)
    assert re.search(r"case [0-9a-f]{6}", text)  # gallery cases by neutral id
    assert not re.search(r"person\d+_|IM-\d{4}", text), "a dataset file name (patient id) leaked"
    png = subprocess.run(
        ["pdftoppm", "-png", "-r", "40", str(out), str(tmp_path / "page")], check=True
    )
    assert png.returncode == 0 and (tmp_path / "page-1.png").stat().st_size > 10_000


def test_report_says_why_the_gallery_is_missing(tmp_path, small_eval_dir):
    from xray_core.report.make import make_report
    from xray_core.store.catalog import load_model

    out = tmp_path / "r.pdf"
    make_report(load_model(), small_eval_dir, prevalence=0.05, out=out)
    text = pdf_text(out)
    assert "Gallery not drawn:" in text and "rescore" in text
    assert "assumed prevalence of 5%" in text
    assert_intervals_hold(text)
    assert_counts_agree(out)


def test_report_of_a_model_scored_on_the_test_split_says_so_on_one_page(tmp_path, data_root):
    """cnn_scratch carries the withheld test split's figures: the PDF states them beside the
    validation's, and the page still holds everything with the gallery drawn."""
    out = tmp_path / "cnn.pdf"
    code = main(["report", "--model", "cnn_scratch", "--pdf", str(out), "--data", str(data_root)])
    assert code == 0 and page_count(out) == 1
    text = pdf_text(out)
    assert "How well: the withheld test split" in text and "0.974 (0.962–0.984)" in text
    assert "Beside it: The training hospital" in text
    assert external_test.NOT_MEASURED not in text
    assert_intervals_hold(text)
