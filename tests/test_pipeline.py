"""Training pipelines: class weights, the augmentation, acquisition perturbations, mixup."""

import json

import numpy as np
import pytest

from xray_core.io.contract import ImageContract
from xray_core.training.config import TrainConfig
from xray_core.training.pipeline import (
    AUGMENTATION,
    augmentation_record,
    class_weights,
    make_augmenter,
    make_pipelines,
    mixup,
    plain_dataset,
)

CONTRACT = ImageContract(size=32, clahe=True, scaling="unit", channels=1)


def raw_images(n: int = 12, seed: int = 0):
    """N raw gray images as `raw_contract` loads them ((n, 32, 32, 1) float32 in [0, 1]) and
    labels (n,) int, 0 and 1 alternating."""
    rng = np.random.default_rng(seed)
    x = (rng.integers(0, 256, (n, 32, 32, 1)) / 255.0).astype(np.float32)
    return x, np.arange(n) % 2


def test_class_weights_balance_the_loss():
    y = np.array([0] * 25 + [1] * 75)
    w = class_weights(y)
    assert w[0] == pytest.approx(100 / 50) and w[1] == pytest.approx(100 / 150)
    assert w[0] * 25 == pytest.approx(w[1] * 75)
    with pytest.raises(ValueError, match="both classes"):
        class_weights(np.ones(5, int))


def test_augmenter_changes_training_images_only():
    x = np.random.default_rng(0).random((2, 64, 64, 1)).astype(np.float32)
    aug = make_augmenter(seed=1)
    assert not np.allclose(np.asarray(aug(x, training=True)), x)
    np.testing.assert_allclose(np.asarray(aug(x, training=False)), x)
    assert "flip" not in json.dumps(AUGMENTATION)


def test_augmentation_record_names_the_acquisition_preset():
    from xray_core.training.augment import preset

    assert augmentation_record(TrainConfig(augment=False)) is None
    rec = augmentation_record(TrainConfig(acquisition="strong"))
    assert rec["rotation_deg"] == AUGMENTATION["rotation_deg"]
    assert rec["acquisition"] == {"preset": "strong", **preset("strong").to_dict()}


def test_mixup_mixes_images_targets_and_class_weights_alike():
    """Images equal to their label everywhere: after mixup each image's value is its mixed
    target, and its weight the same mix of the two class weights."""
    import tensorflow as tf

    y = np.array([0, 1, 1, 0, 1, 0, 0, 1], np.float32)
    x = np.broadcast_to(y[:, None, None, None], (8, 4, 4, 1)).astype(np.float32)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(8)
    xm, ym, wm = (np.asarray(t) for t in next(iter(mixup(ds, 0.4, {0: 2.0, 1: 0.5}, seed=3))))
    assert xm.shape == x.shape and ym.shape == y.shape
    np.testing.assert_allclose(xm[:, 0, 0, 0], ym, atol=1e-6)
    np.testing.assert_allclose(xm.std(axis=(1, 2, 3)), 0, atol=1e-6)
    np.testing.assert_allclose(wm, 2.0 + (0.5 - 2.0) * ym, atol=1e-6)
    assert np.all((ym >= 0) & (ym <= 1)) and not np.all(np.isin(ym, (0.0, 1.0)))


def test_plain_dataset_is_the_contract_finish_without_perturbations():
    """The fine-tuning pipeline of --acquisition-phase head: the same images as the contract
    would give (CLAHE, scaling), only shuffled; nothing perturbed."""
    from xray_core.training.augment import finish, unit_to_u8

    rng = np.random.default_rng(0)
    raw = (rng.integers(0, 256, (6, 32, 32, 1)) / 255.0).astype(np.float32)
    y = np.array([0, 1, 0, 1, 1, 0])
    contract = ImageContract(size=32, clahe=True, scaling="unit", channels=1)
    cfg = TrainConfig(augment=False, batch_size=6)
    xb, yb = (np.asarray(t) for t in next(iter(plain_dataset(raw, y, cfg, contract))))
    expected = finish(unit_to_u8(raw), contract)
    order = np.argsort(xb.reshape(6, -1).sum(1))
    want = np.argsort(expected.reshape(6, -1).sum(1))
    np.testing.assert_allclose(xb[order], expected[want], atol=1e-6)
    np.testing.assert_array_equal(yb[order], y[want])


def test_acquisition_pipelines_perturb_raw_gray_and_finish_validation_as_the_contract():
    """--acquisition: the training batches are perturbed raw gray put through the contract's
    finish (CLAHE, scaling); the validation images are finished once, unperturbed."""
    from xray_core.training.augment import finish, unit_to_u8

    x, y = raw_images()
    cfg = TrainConfig(acquisition="default", augment=False, batch_size=4)
    pipes = make_pipelines(x, y, x, y, cfg, CONTRACT)
    np.testing.assert_allclose(pipes.xv, finish(unit_to_u8(x), CONTRACT), atol=1e-6)
    xb, yb = (np.asarray(t) for t in next(iter(pipes.train)))
    assert xb.shape == (4, 32, 32, 1) and set(np.unique(yb)) <= {0.0, 1.0}
    assert pipes.finetune is pipes.train and pipes.weights == class_weights(y)
    head = TrainConfig(acquisition="default", acquisition_phase="head", augment=False)
    head_pipes = make_pipelines(x, y, x, y, head, CONTRACT)
    assert head_pipes.finetune is not head_pipes.train  # fine-tuning sees plain images


def test_mixup_pipelines_carry_the_class_weights_with_each_example():
    x, y = raw_images()
    y[:3] = 1  # unequal classes: unequal weights
    cfg = TrainConfig(augment=False, mixup=0.2, batch_size=12)
    pipes = make_pipelines(x, y, x, y, cfg, CONTRACT)
    assert pipes.weights is None and pipes.finetune is pipes.train
    _, ym, wm = (np.asarray(t) for t in next(iter(pipes.train)))
    weights = class_weights(y)
    assert weights[0] != weights[1]
    np.testing.assert_allclose(wm, weights[0] + (weights[1] - weights[0]) * ym, atol=1e-5)
    plain = make_pipelines(x, y, x, y, TrainConfig(augment=False, batch_size=12), CONTRACT)
    assert plain.weights == weights and len(next(iter(plain.train))) == 2
