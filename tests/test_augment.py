"""Acquisition augmentation: values recomputed from the formulas, shapes, ranges, seeds."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from xray_core.io.contract import ImageContract, preprocess, scale
from xray_core.training import augment

RAMP = np.tile(np.arange(256, dtype=np.uint8), (4, 1))  # (4, 256): every gray level


def image(seed: int = 0, size: int = 64) -> np.ndarray:
    """A smooth random gray image (size, size) uint8, so blur and JPEG have structure."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, (size // 8, size // 8)).astype(np.uint8)
    return np.kron(x, np.ones((8, 8), np.uint8))


@pytest.mark.parametrize("g", [0.5, 1.0, 1.6, 2.0])
def test_gamma_matches_formula(g):
    expected = np.clip(np.rint(255.0 * (RAMP / 255.0) ** g), 0, 255).astype(np.uint8)
    out = augment.gamma(RAMP, g)
    assert out.dtype == np.uint8 and np.array_equal(out, expected)


@pytest.mark.parametrize(("c", "b"), [(1.0, 0.0), (0.6, 0.0), (1.4, 0.1), (1.0, -0.15)])
def test_contrast_brightness_matches_formula(c, b):
    x = RAMP.astype(np.float64)
    expected = np.clip(np.rint((x - x.mean()) * c + x.mean() + 255 * b), 0, 255)
    assert np.abs(augment.contrast_brightness(RAMP, c, b).astype(int) - expected).max() <= 1


def test_blur_keeps_a_constant_image_and_smooths_edges():
    flat = np.full((32, 32), 100, np.uint8)
    assert np.array_equal(augment.blur(flat, 1.5), flat)
    step = np.zeros((32, 32), np.uint8)
    step[:, 16:] = 200
    out = augment.blur(step, 1.5)
    assert out.shape == step.shape and out.dtype == np.uint8
    assert 0 < out[0, 15] < 200 and out.std() < step.std()


def test_noise_is_seeded_and_has_the_requested_std():
    x = np.full((128, 128), 128, np.uint8)
    a = augment.noise(x, 0.04, np.random.default_rng(1))
    b = augment.noise(x, 0.04, np.random.default_rng(1))
    assert np.array_equal(a, b)
    assert abs(a.astype(float).std() - 0.04 * 255) < 0.5


@pytest.mark.parametrize("keep", [1.0, 0.75, 0.5])
def test_crop_resize_keeps_shape(keep):
    x = image(1)
    out = augment.crop_resize(x, keep, np.random.default_rng(0))
    assert out.shape == x.shape and out.dtype == np.uint8
    if keep == 1.0:
        assert np.array_equal(out, x)


@pytest.mark.parametrize("quality", [5, 30, 95])
def test_jpeg_round_trip_error_shrinks_with_quality(quality):
    x = image(2)
    out = augment.jpeg(x, quality)
    assert out.shape == x.shape and out.dtype == np.uint8
    err = np.abs(out.astype(int) - x).mean()
    assert err < {5: 40, 30: 15, 95: 4}[quality]


@pytest.mark.parametrize("name", sorted(augment.PRESETS))
def test_perturb_is_deterministic_with_a_seed(name):
    x, acq = image(3), augment.preset(name)
    a = augment.perturb(x, np.random.default_rng(7), acq, 1)
    b = augment.perturb(x, np.random.default_rng(7), acq, 1)
    assert np.array_equal(a, b) and a.shape == x.shape and a.dtype == np.uint8
    outs = [augment.perturb(x, np.random.default_rng(s), acq, 0) for s in range(8)]
    assert any(not np.array_equal(o, x) for o in outs)


def test_perturb_with_p_zero_is_identity():
    x = image(4)
    acq = augment.Acquisition(p=0.0)
    assert np.array_equal(augment.perturb(x, np.random.default_rng(0), acq), x)


def box(width: int, height: int, size: int = 64) -> np.ndarray:
    """A centred white WIDTH x HEIGHT rectangle on black, (size, size) uint8."""
    x = np.zeros((size, size), np.uint8)
    y0, x0 = (size - height) // 2, (size - width) // 2
    x[y0 : y0 + height, x0 : x0 + width] = 255
    return x


def extent(x: np.ndarray) -> tuple[int, int]:
    """(width, height) in pixels of the bright area."""
    rows, cols = np.flatnonzero((x > 127).any(1)), np.flatnonzero((x > 127).any(0))
    return len(cols), len(rows)


def test_aspect_change_scales_the_width_height_ratio_without_borders():
    x = box(24, 24)
    assert extent(augment.aspect_change(x, 0.8)) == (24, 30)  # narrower: rows stretched
    assert extent(augment.aspect_change(x, 1.25)) == (30, 24)  # wider: columns stretched
    assert augment.aspect_change(x, 0.8).shape == x.shape
    flat = np.full((64, 64), 90, np.uint8)  # no padding: a flat image stays flat
    assert np.array_equal(augment.aspect_change(flat, 0.7, np.random.default_rng(0)), flat)


def test_shape_preset_is_strong_plus_the_aspect_change():
    strong, shape = augment.preset("strong"), augment.preset("shape")
    assert strong.aspect == (1.0, 1.0) and shape.aspect == (0.67, 1.5)
    assert replace(shape, aspect=(1.0, 1.0)) == strong
    d = shape.to_dict()
    assert json.loads(json.dumps(d)) == d and d["aspect"] == [0.67, 1.5]
    x = box(24, 24)
    ratios = []
    for seed in range(20):  # applied to every image, both ways
        w, h = extent(augment.perturb(x, np.random.default_rng(seed), replace(shape, p=0.0)))
        ratios.append(w / h)
    assert min(ratios) < 0.9 and max(ratios) > 1.1
    assert all(0.6 < r < 1.6 for r in ratios)


def test_shape_mild_preset_is_strong_with_a_smaller_aspect_range():
    mild = augment.preset("shape_mild")
    assert mild.aspect == (0.8, 1.25)
    assert replace(mild, aspect=(1.0, 1.0)) == augment.preset("strong")
    ratios = [
        (lambda wh: wh[0] / wh[1])(
            extent(augment.perturb(box(24, 24), np.random.default_rng(s), replace(mild, p=0.0)))
        )
        for s in range(20)
    ]
    assert all(0.75 < r < 1.35 for r in ratios) and max(ratios) > 1.05


def test_unknown_preset_lists_the_valid_ones():
    with pytest.raises(ValueError, match="default"):
        augment.preset("extreme")


def test_acquisition_record_is_json():
    d = augment.preset("strong").to_dict()
    assert json.loads(json.dumps(d)) == d and d["gamma"] == [0.5, 2.0]


@pytest.mark.parametrize(
    "contract", [ImageContract(size=64), ImageContract(size=64, channels=3, scaling="symmetric")]
)
def test_finish_equals_the_contract_on_resized_images(contract):
    x = image(5)
    out = augment.finish(x[None], contract)
    assert out.shape == (1, *contract.input_shape) and out.dtype == np.float32
    np.testing.assert_array_equal(out[0], preprocess(x, contract))


def test_unit_to_u8_inverts_unit_scaling():
    x = image(6)
    assert np.array_equal(augment.unit_to_u8(scale(x, "unit")[None, ..., None])[0], x)


def test_raw_contract_stops_after_the_resize():
    raw = augment.raw_contract(ImageContract(channels=3, scaling="symmetric", clahe=True))
    assert (raw.channels, raw.scaling, raw.clahe, raw.size) == (1, "unit", False, 224)


def test_perturb_batch_shapes_and_range():
    batch = np.stack([image(s) for s in range(3)])
    c = ImageContract(size=64)
    out = augment.perturb_batch(batch, c, augment.preset("strong"), np.random.default_rng(0))
    assert out.shape == (3, 64, 64, 1) and out.dtype == np.float32
    assert 0.0 <= out.min() and out.max() <= 1.0


def test_make_dataset_yields_contract_batches():
    x = np.stack([image(s) for s in range(5)])
    y = np.array([0, 1, 0, 1, 1])
    c = ImageContract(size=64)
    ds = augment.make_dataset(x, y, c, augment.preset("default"), batch_size=2, seed=0)
    batches = list(ds.as_numpy_iterator())
    assert [len(b[0]) for b in batches] == [2, 2, 1]
    assert batches[0][0].shape[1:] == (64, 64, 1) and batches[0][1].dtype == np.float32
    assert sorted(np.concatenate([b[1] for b in batches]).tolist()) == sorted(y.tolist())


def test_shape_balanced_preset_splits_the_shape_range_by_class():
    shape, bal = augment.preset("shape"), augment.preset("shape_balanced")
    assert replace(bal, aspect_balance=0.0) == shape
    assert bal.aspect_range(0) == pytest.approx((0.67, 1.5 / np.exp(0.233)))  # NORMAL narrower
    assert bal.aspect_range(1) == pytest.approx((0.67 * np.exp(0.233), 1.5))  # PNEUMONIA wider
    assert shape.aspect_range(None) == (0.67, 1.5)
    half = augment.preset("shape_balanced_half")
    assert replace(half, aspect_balance=0.0) == shape
    assert half.aspect_range(0) == pytest.approx((0.67, 1.5 / np.exp(0.117)))
    assert half.aspect_range(1) == pytest.approx((0.67 * np.exp(0.117), 1.5))
    with pytest.raises(ValueError, match="label"):
        bal.aspect_range(None)
    assert json.loads(json.dumps(bal.to_dict()))["aspect_balance"] == 0.233


@pytest.mark.parametrize(("ratio", "expected"), [(0.8, (19, 24)), (1.25, (24, 19))])
def test_pad_aspect_change_narrows_by_a_wider_field_without_cropping(ratio, expected):
    x = box(24, 24)
    out = augment.pad_aspect_change(x, ratio)
    assert out.shape == x.shape and out.dtype == np.uint8
    w, h = extent(out)
    assert abs(w - expected[0]) <= 1 and abs(h - expected[1]) <= 1
    # the margins take the darkest grey, and the whole image survives (mean kept x ratio)
    assert out[:, 0].max() == 0 if ratio < 1 else out[0].max() == 0
    assert (out > 127).sum() == pytest.approx((x > 127).sum() * min(ratio, 1 / ratio), rel=0.1)


def test_shape_pad_preset_pads_half_of_its_aspect_changes():
    pad, shape = augment.preset("shape_pad"), augment.preset("shape")
    assert replace(pad, aspect_pad=0.0) == shape and pad.aspect_pad == 0.5
    x = np.full((64, 64), 120, np.uint8)
    x[24:40, 24:40] = 0  # a dark centre: padding copies its grey to the edges, a crop does not

    def dark_edge(out: np.ndarray) -> bool:
        return out[:, 0].max() == 0 or out[0].max() == 0

    def padded(acq) -> int:
        rngs = [np.random.default_rng(s) for s in range(40)]
        return sum(dark_edge(augment.perturb(x, r, replace(acq, p=0.0))) for r in rngs)

    assert 10 < padded(pad) < 30 and padded(shape) == 0


def median_ratio(acq, label, start: tuple[int, int]) -> float:
    """Median width / height of a START-shaped box after 40 seeded perturbations at LABEL."""
    ratios = []
    for seed in range(40):
        out = augment.perturb(box(*start), np.random.default_rng(seed), replace(acq, p=0.0), label)
        w, h = extent(out)
        ratios.append(w / h)
    return float(np.median(ratios))


def test_shape_balanced_gives_both_classes_the_same_median_shape():
    # PNEUMONIA originals are wider, so after the squash their anatomy is narrower: a box
    # e^0.233 narrower stands for it. The shape preset keeps the classes apart, balanced not.
    bal, shape = augment.preset("shape_balanced"), augment.preset("shape")
    normal, pneumonia = (28, 28), (22, 28)
    gap = lambda acq: median_ratio(acq, 0, normal) / median_ratio(acq, 1, pneumonia)  # noqa: E731
    assert gap(shape) > 1.15
    assert gap(bal) == pytest.approx(1.0, abs=0.08)


def test_balanced_batches_need_and_use_labels():
    bal, c = augment.preset("shape_balanced"), ImageContract(size=64)
    batch = np.stack([box(28, 28)] * 2)
    with pytest.raises(ValueError, match="label"):
        augment.perturb_batch(batch, c, bal, np.random.default_rng(0))
    out = augment.perturb_batch(batch, c, bal, np.random.default_rng(0), np.array([0, 1]))
    assert out.shape == (2, 64, 64, 1)
    ds = augment.make_dataset(batch, np.array([0, 1]), c, bal, batch_size=2, seed=0)
    assert next(ds.as_numpy_iterator())[0].shape == (2, 64, 64, 1)


@pytest.mark.parametrize("factor", [0.25, 0.5, 1.0])
def test_resize_back_keeps_shape_and_loses_detail(factor):
    x = np.random.default_rng(8).integers(0, 256, (64, 64)).astype(np.uint8)
    out = augment.resize_back(x, factor)
    assert out.shape == x.shape and out.dtype == np.uint8
    if factor == 1.0:
        assert np.array_equal(out, x)
    else:
        assert out.astype(float).std() < x.astype(float).std()
