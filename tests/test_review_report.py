"""PDF session report: text extractable, tables and charts present, no identifiers; without
the session's model the report still renders and says why Grad-CAM is missing."""

from __future__ import annotations

from pdf_helpers import pdf_text
from review_helpers import make_session

from xray_core.review import db, reads, report_charts
from xray_core.review.report import write_report
from xray_core.review.summary import summarize


def test_report_without_the_model(tmp_path):
    path = tmp_path / "r.sqlite"
    rows = make_session(path, [1, 0, 1, 0], ["PNEUMONIA", "NORMAL", "NORMAL", None])
    for reader, verdicts in (("Dr Ünal", "PNNN"), ("drB", "PNPP")):
        for row, v in zip(rows, verdicts):
            name, conf = ("PNEUMONIA", 4) if v == "P" else ("NORMAL", 2)
            reads.record_read(path, "s", reader, row["sha256"], "unaided", name, conf)
            reads.record_read(path, "s", reader, row["sha256"], "aided", name, conf)
    out = tmp_path / "report.pdf"
    pages = write_report(path, "s", out)
    assert pages >= 3
    text = pdf_text(out)
    for words in ("Review session: s", "Dr Ünal", "kappa vs AI", "Flips after the AI",
                  "Discordant cases (2)", "Maps unavailable", "no AI verdict"):  # fmt: skip
        assert words in text, words
    assert ".png" not in text and rows[0]["sha256"][:10] not in text
    assert "'fake' is not in this store" in text and "valid names" not in text  # one sentence
    with db.connect(path) as con:
        assert db.audit_log(con, 1)[-1]["detail"] == {"format": "pdf", "pages": pages}


def test_charts_are_png_and_skip_when_empty(tmp_path):
    path = tmp_path / "r.sqlite"
    rows = make_session(path, [1, 0], ["PNEUMONIA", "NORMAL"])
    assert report_charts.auc_chart(summarize(path, "s")) is None  # no readers yet
    for row, (v, c) in zip(rows, (("PNEUMONIA", 5), ("NORMAL", 1))):
        reads.record_read(path, "s", "drA", row["sha256"], "unaided", v, c)
    s = summarize(path, "s")
    for chart in (report_charts.auc_chart, report_charts.kappa_chart,
                  report_charts.operating_points_chart):  # fmt: skip
        assert chart(s)[:8] == b"\x89PNG\r\n\x1a\n"


def test_case_text_words_the_probability_as_the_app_does():
    from xray_core.review.report import _case_text

    case = {"case": "c1", "truth": None, "kinds": [], "readers": {}, "gate_reason": None}
    assert "P(pneumonia) > 99%" in _case_text(
        {**case, "ai_label": "PNEUMONIA", "probability": 0.997}
    )
    assert "P(pneumonia) 16%" in _case_text({**case, "ai_label": "NORMAL", "probability": 0.16})


HOSTILE = ('=HYPERLINK("http://e.vil","click")', "$\\frac{a$", "**bold** [x](http://e.vil)")


def test_hostile_reader_names_print_as_typed_in_charts_and_pdf(tmp_path):
    path = tmp_path / "r.sqlite"
    rows = make_session(path, [1, 0, 1, 0], ["PNEUMONIA", "NORMAL", "PNEUMONIA", "NORMAL"])
    for reader in HOSTILE:
        for row, (v, c) in zip(rows, (("NORMAL", 2), ("NORMAL", 1), ("PNEUMONIA", 4),
                                      ("PNEUMONIA", 5))):  # fmt: skip
            reads.record_read(path, "s", reader, row["sha256"], "unaided", v, c)
            reads.record_read(path, "s", reader, row["sha256"], "aided", v, c)
    s = summarize(path, "s")
    for chart in (report_charts.sens_spec_chart, report_charts.auc_chart,
                  report_charts.kappa_chart, report_charts.operating_points_chart):  # fmt: skip
        assert chart(s)[:8] == b"\x89PNG\r\n\x1a\n"  # '$\frac{a$' is no formula to parse
    out = tmp_path / "report.pdf"
    write_report(path, "s", out)
    text = " ".join(pdf_text(out).split())
    for reader in HOSTILE:
        assert reader in text, reader
