"""The shape warning: which uploads get it, for which models, and the constant it rests on."""

from xray_core.evaluation import shape_cue
from xray_core.store.catalog import read_card

VIEWS = {"plain": {"specificity": 0.995}, "narrow 0.8": {"specificity": 0.51}}


# A shipped model that reads the thorax's shape (its card's "narrow 0.8" view says so).
READS_SHAPE = "resnet_acq_scratch"


def card(views):
    return read_card(READS_SHAPE).updated(aspect_views=views)


def test_a_wide_image_is_flagged_for_a_model_that_reads_the_shape():
    note = shape_cue.shape_note((1600, 1000), card(VIEWS))
    assert note and "1.60 times as wide" in note and "0.995 to 0.510" in note
    assert "narrow anatomy as pneumonia" in note


def test_no_note_for_a_normal_shape_an_invariant_model_or_an_unmeasured_one():
    assert shape_cue.shape_note((1500, 1250), card(VIEWS)) is None  # 1.2: a typical normal
    invariant = {"plain": {"specificity": 0.96}, "narrow 0.8": {"specificity": 0.95}}
    assert shape_cue.shape_note((1600, 1000), card(invariant)) is None
    assert shape_cue.shape_note((1600, 1000), card(None)) is None
    assert shape_cue.narrow_specificity(card({"plain": {"specificity": 0.9}})) is None


def test_every_shipped_card_answers_the_question():
    """Each shipped card records its aspect views (so the Predict page can decide)."""
    from xray_core.store.catalog import list_models

    for name in list_models():
        assert shape_cue.narrow_specificity(read_card(name)) is not None, name


def test_the_widest_normal_sample_is_the_constant(fullres_dir, capsys):
    """NORMAL_MAX_ASPECT is measured on ../shared/data/fullres_samples (fails if missing)."""
    shape_cue.main([str(fullres_dir)])
    out = capsys.readouterr().out
    assert f"NORMAL: n 24, width/height 1.02-{shape_cue.NORMAL_MAX_ASPECT:.2f}" in out
    assert "PNEUMONIA: n 24, width/height 1.19-1.89" in out


def test_the_limitation_line_joins_the_cards_own_for_a_model_that_reads_the_shape():
    reads = card(VIEWS)
    lines = shape_cue.limitations(reads)
    assert lines[:-1] == reads["limitations"] and "0.995 to 0.510" in lines[-1]
    invariant = card({"plain": {"specificity": 0.96}, "narrow 0.8": {"specificity": 0.91}})
    assert shape_cue.limitations(invariant) == invariant["limitations"]
    assert shape_cue.limitations(card(None)) == card(None)["limitations"]


def test_the_report_story_carries_the_shape_limitation():
    """The Present page and its PDF list it for a model that reads the shape."""
    from xray_core.evaluation.figure_sheet import figure_sheet
    from xray_core.predict.validation_scores import load_scores
    from xray_core.report.story import build_story

    shipped = read_card(READS_SHAPE)
    sheet = figure_sheet(shipped, load_scores(READS_SHAPE), shipped["threshold"], 0.1)
    story = build_story(shipped, sheet)
    assert story["limitations"][-1].startswith("Reads the thorax's shape")
    assert story["limitations"][-1] == shape_cue.shape_limitation(shipped)
