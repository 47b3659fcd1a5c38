"""Honest precision, grammar that agrees with the count, neutral names."""

import pytest

from xray_core.evaluation.clinician import explain_operating_point
from xray_core.text import wording


@pytest.mark.parametrize(
    "p, text",
    [
        (1.0, "> 99%"),
        (0.9951, "> 99%"),
        (0.99, "99%"),
        (0.5, "50%"),
        (0.014, "1%"),
        (0.01, "1%"),
        (0.0099, "< 1%"),
        (0.0, "< 1%"),
    ],
)
def test_percent_has_honest_precision(p, text):
    assert wording.percent(p) == text


@pytest.mark.parametrize("p", [-0.01, 1.01, float("nan")])
def test_percent_refuses_non_probabilities(p):
    with pytest.raises(ValueError, match="must be in"):
        wording.percent(p)


@pytest.mark.parametrize(
    "n, text",
    [(0, "0 are missed"), (1, "1 is missed"), (2, "2 are missed"), (17, "17 are missed")],
)
def test_count_is_agrees_with_the_count(n, text):
    assert wording.count_is(n, "missed") == text


def test_counted_agrees_with_its_count():
    assert wording.counted(1, "false alarm") == "1 false alarm"
    assert wording.counted(0, "false alarm") == "0 false alarms"
    assert wording.counted(1200, "case", "cases") == "1,200 cases"


def test_count_is_with_a_plural_noun():
    assert wording.count_is(1, "a false alarm", "false alarms") == "1 is a false alarm"
    assert wording.count_is(3, "a false alarm", "false alarms") == "3 are false alarms"


@pytest.mark.parametrize("rate", [0.0, 0.004, 0.971, 0.985, 0.995, 1.0])
def test_per_hundred_adds_up(rate):
    hit, rest = wording.per_hundred(rate)
    assert hit + rest == 100 and hit == round(100 * rate)


def test_operating_point_sentences_are_grammatical():
    lines = explain_operating_point(
        {"sensitivity": 0.99, "specificity": 0.98, "ppv": 0.9, "npv": 0.95, "prevalence": 0.7}
    )
    assert "about 99 are flagged" in lines[0] and "1 is missed" in lines[0]
    assert "2 are false alarms" in lines[1]
    assert not any(" 1 are " in line for line in lines)


def test_a_rate_near_one_is_told_per_thousand_not_rounded_to_perfect():
    lines = explain_operating_point(
        {"sensitivity": 0.95, "specificity": 0.995, "ppv": 0.993, "npv": 0.87, "prevalence": 0.74}
    )
    assert "Of 1,000 children without pneumonia, about 995 are cleared" in lines[1]
    assert "5 are false alarms" in lines[1] and "specificity > 99%" in lines[1]
    assert "about 950 are flagged" in lines[0] and "50 are missed" in lines[0]
    assert "> 99% of the time" in lines[2] and "100%" not in " ".join(lines)
    perfect = explain_operating_point({"sensitivity": 0.95, "specificity": 1.0})
    assert "Of 100 children without pneumonia, about 100 are cleared" in perfect[1]
    assert wording.natural_frequency_base(0.9, 0.004) == 1000
    assert wording.natural_frequency_base(0.9, 0.0, 1.0) == 100


@pytest.mark.parametrize(
    "value, digits, text",
    [(201 / 202, 2, "0.995"), (0.9951, 2, "0.995"), (1.0, 2, "1.00"), (0.0, 2, "0.00"),
     (0.004, 2, "0.004"), (0.95, 2, "0.95"), (0.9996, 3, "0.9996"), (0.98, 3, "0.980")],
)  # fmt: skip
def test_rate_never_rounds_to_a_perfect_end(value, digits, text):
    assert wording.rate(value, digits) == text


def test_method_names_and_neutral_sample_names():
    assert wording.method_name("gradcam") == "Grad-CAM"
    assert wording.method_name("gradcam++") == "Grad-CAM++"
    with pytest.raises(ValueError, match="unknown method"):
        wording.method_name("cam")
    assert wording.sample_name(0) == "Training X-ray 01"
    for cls in ("normal", "pneumonia", "bacteria", "virus"):
        assert cls not in wording.sample_name(5).lower()
    assert "batched" in wording.speed_label(True)


def test_contract_in_words_names_size_channels_clahe_and_scaling():
    text = wording.contract_text(
        {"size": 224, "channels": 3, "scaling": "symmetric", "clahe": False}
    )
    assert text == "224 × 224 px, 3 channels, no CLAHE, scaled to [-1, 1]"
    assert "1 channel, CLAHE" in wording.contract_text({"size": 64, "channels": 1, "clahe": True})


def test_augmentation_in_words_keeps_every_recorded_setting():
    aug = {
        "rotation_deg": 10,
        "translate": 0.08,
        "acquisition": {"preset": "strong", "p": 0.6, "gamma": [0.5, 2.0], "crop": [0.75, 1.0]},
        "mixup": 0.2,  # a key this version does not know is still shown
    }
    text = wording.augmentation_text(aug)
    assert text.startswith("rotation ±10°, shift ±8%, mixup 0.2; acquisition preset 'strong'")
    assert "probability 0.6" in text and "gamma 0.5-2.0" in text
    assert "crop keeping 75%-100% of each side" in text
    assert aug["acquisition"]["p"] == 0.6  # the card's dict is not consumed
    assert wording.augmentation_text({}) == "none"
    assert wording.augmentation_text({"mixup_alpha": 0.2}) == "mixup (weight ~ Beta(0.2, 0.2))"


def test_the_shape_preset_names_its_aspect_change_and_strong_does_not():
    from xray_core.training.augment import preset

    shape = wording.augmentation_text(
        {"acquisition": {"preset": "shape", **preset("shape").to_dict()}}
    )
    assert "anatomy's width/height ratio ×0.67-1.5 on every image" in shape
    strong = wording.augmentation_text(
        {"acquisition": {"preset": "strong", **preset("strong").to_dict()}}
    )
    assert "width/height" not in strong and "aspect" not in strong
    padded = wording.augmentation_text(
        {"acquisition": {"preset": "shape_pad", **preset("shape_pad").to_dict()}}
    )
    assert "×0.67-1.5 on every image, 50% of those changes by padding" in padded
    assert "aspect_pad" not in padded and "aspect_balance" not in padded


def test_last_conv_layer_says_why_a_dense_model_has_none():
    assert wording.last_conv_text("conv_last") == "`conv_last`"
    assert wording.last_conv_text(None).startswith("none (no convolutional layers")
