"""Occlusion sensitivity on synthetic models whose evidence is known, and the opening method.

The model reads the texture inside one known square (hiding the square under its blurred copy
lowers its logit; nothing else matters): the map must put most of its mass there and pass the
deletion check well below the line. A model that ignores its input gives a blank map and
curves that cannot tell; a fixed map for every image scores 'alike' 1.0.
"""

from types import SimpleNamespace

import numpy as np
import pytest

from xray_core.explain import checks, occlusion, registry
from xray_core.explain import faithfulness as F
from xray_core.io.contract import ImageContract

SIZE = 224
SQUARE = (slice(64, 128), slice(32, 96))
OTHER = (slice(128, 192), slice(128, 192))


class FakeHandle:
    """What an explainer and the checks need of a `ModelHandle`, with a numpy 'model'."""

    name, last_conv = "synthetic", None
    contract = ImageContract(size=SIZE, channels=1, scaling="unit", clahe=False)
    model = SimpleNamespace(layers=[])  # no convolutional layer: no Grad-CAM, no feature maps

    def __init__(self, region=SQUARE, constant=None):
        self.region, self.constant = region, constant

    def logits(self, batch):
        if self.constant is not None:
            return np.full(len(batch), self.constant)
        r = self.region
        return 10.0 * batch[:, r[0], r[1], 0].std(axis=(1, 2))

    def predict(self, batch):
        return 1.0 / (1.0 + np.exp(-self.logits(batch)))

    def randomised(self):
        """The 'random network' reads another region."""
        return FakeHandle(OTHER)


@pytest.fixture(scope="module")
def image() -> np.ndarray:
    rng = np.random.default_rng(0)
    ramp = np.linspace(0.2, 0.8, SIZE)[None, :] * np.ones((SIZE, 1))
    return (ramp + rng.uniform(-0.15, 0.15, (SIZE, SIZE)))[..., None].astype(np.float32)


def test_window_starts_cover_the_image_to_its_edge():
    assert occlusion.window_starts(224, 32, 16) == list(range(0, 193, 16))
    assert occlusion.window_starts(100, 32, 16) == [0, 16, 32, 48, 64, 68]
    with pytest.raises(ValueError, match="window"):
        occlusion.window_starts(16, 32, 16)


def test_the_opening_method_finds_the_square_the_model_reads(image):
    handle = FakeHandle()
    method = registry.opening_method(handle, None)  # what every page opens with
    assert method == "occlusion"
    exp = registry.explain(handle, image, method)
    heat = exp.heatmap
    inside = heat[SQUARE].sum() / heat.sum()
    assert inside > 0.6  # the square is 8% of the image
    assert heat[SQUARE].mean() > 5 * heat[OTHER].mean()
    assert exp.resolution == SIZE // (occlusion.DEFAULT_WINDOW // 2) and not exp.blank


def test_its_deletion_ratio_is_well_below_1_and_every_check_passes(image):
    handle = FakeHandle()
    exp = registry.explain(handle, image, "occlusion")
    deletion, _ = F.curves(handle.logits, image, exp.heatmap, "PNEUMONIA", exp.resolution)
    assert deletion.ratio < 0.5
    faith = registry.check(exp, handle, image)
    assert faith.randomisation < checks.RANDOMISATION_PASS
    assert faith.verdicts()["deletion"] and faith.verdicts()["randomisation"]


def test_a_model_that_ignores_its_input_gives_a_blank_map_and_ratio_1(image):
    handle = FakeHandle(constant=2.0)
    exp = registry.explain(handle, image, "occlusion")
    assert exp.blank and "less than" in exp.extra["blank_reason"]
    deletion, _ = F.curves(handle.logits, image, exp.heatmap, "PNEUMONIA", exp.resolution)
    assert deletion.ratio == pytest.approx(1.0) and checks.flat(deletion)
    assert registry.check(exp, handle, image).blank


def test_evidence_for_normal_is_the_negated_drop(image):
    handle = FakeHandle()
    pneu, own = occlusion.occlusion_evidence(handle.logits, image, "PNEUMONIA", 32)
    norm, own_n = occlusion.occlusion_evidence(handle.logits, image, "NORMAL", 32)
    np.testing.assert_allclose(norm, -pneu, atol=1e-5)
    assert own_n == pytest.approx(-own)
    # hiding the square lowers the PNEUMONIA score: nothing in it argues for NORMAL
    assert registry.explain(handle, image, "occlusion", {"target": "NORMAL"}).heatmap[
        SQUARE
    ].max() == pytest.approx(0.0)


def test_a_method_that_returns_one_fixed_map_is_alike_1(image):
    fixed = registry.explain(FakeHandle(), image, "occlusion").heatmap
    assert F.maps_alike([fixed] * 4) == pytest.approx(1.0)
    other = registry.explain(FakeHandle(OTHER), image, "occlusion").heatmap
    assert F.maps_alike([fixed, other]) < 0.6


def test_the_opening_method_is_the_first_that_passed_the_benchmark():
    handle = FakeHandle()
    passed = {"methods": {"lime": {"randomisation": 0.1, "deletion": 0.4, "alike": 0.3}}}
    assert registry.opening_method(handle, passed) == "lime"
    assert registry.opening_method(handle, None) == "occlusion"  # first in the registry
    failed = {"methods": {"occlusion": {"deletion": 1.2}, "lime": {"deletion": 0.9}}}
    assert registry.opening_method(handle, failed) == "occlusion"


def test_settings_outside_the_choices_are_refused(image):
    with pytest.raises(ValueError, match="window must be one of"):
        registry.explain(FakeHandle(), image, "occlusion", {"window": 17})


def test_a_constant_map_on_the_random_network_gives_no_randomisation_verdict(image):
    class BlindTwin(FakeHandle):
        def randomised(self):
            return FakeHandle(constant=1.0)

    handle = BlindTwin()
    exp = registry.explain(handle, image, "occlusion")
    faith = registry.check(exp, handle, image)
    assert faith.randomisation is None and "randomisation" not in faith.verdicts()
