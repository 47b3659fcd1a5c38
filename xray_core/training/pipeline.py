"""What the fit reads: tf.data pipelines over in-memory images, with the augmentation suited
to chest X-rays, acquisition perturbations (`xray_core.training.augment`), mixup and the class
weights; and the augmentation record a card keeps. TensorFlow is imported when a pipeline is
built.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xray_core.training.config import AcquisitionPhase, TrainConfig

# Augmentation suited to chest X-rays: small rotations, shifts and zooms (patient positioning)
# and contrast changes (exposure). No flips: the heart is on the left, and a mirrored chest is
# an anatomy the model should never see as normal.
AUGMENTATION = {"rotation_deg": 10, "translate": 0.08, "zoom": 0.12, "contrast": 0.2}


def class_weights(y: np.ndarray) -> dict[int, float]:
    """Inverse-frequency weights n / (2 * n_c), so both classes weigh the same in the loss."""
    counts = np.bincount(y, minlength=2).astype(float)
    if (counts == 0).any():
        raise ValueError(f"both classes are needed to train; counts are {counts.tolist()}")
    return {c: float(len(y) / (2 * counts[c])) for c in (0, 1)}


def make_augmenter(seed: int):
    """Keras preprocessing layers applying AUGMENTATION; identity at inference."""
    import keras
    from keras import layers

    a = AUGMENTATION
    return keras.Sequential(
        [
            layers.RandomRotation(a["rotation_deg"] / 360.0, fill_mode="constant", seed=seed),
            layers.RandomTranslation(
                a["translate"], a["translate"], fill_mode="constant", seed=seed
            ),
            layers.RandomZoom((-a["zoom"], a["zoom"]), fill_mode="constant", seed=seed),
            layers.RandomContrast(a["contrast"], seed=seed),
        ],
        name="augmentation",
    )


def augmentation_record(cfg: TrainConfig) -> dict | None:
    """What the card records: the geometric AUGMENTATION and the acquisition preset's ranges."""
    record = dict(AUGMENTATION) if cfg.augment else {}
    if cfg.mixup > 0:
        record["mixup_alpha"] = cfg.mixup
    if cfg.acquisition:
        from xray_core.training.augment import preset

        acquisition = {"preset": cfg.acquisition.value, **preset(cfg.acquisition).to_dict()}
        if cfg.acquisition_phase != AcquisitionPhase.ALL:
            acquisition["phase"] = cfg.acquisition_phase.value
        record["acquisition"] = acquisition
    return record or None


def make_dataset(x, y, batch_size: int, augment: bool, seed: int, shuffle: bool):
    """tf.data pipeline over in-memory arrays: shuffle, batch, augment, prefetch."""
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices((x, y.astype(np.float32)))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)
    if augment:
        aug = make_augmenter(seed)
        ds = ds.map(lambda a, b: (aug(a, training=True), b), num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def plain_dataset(xt_raw, yt, cfg: TrainConfig, contract):
    """The training pipeline without acquisition perturbations, from XT_RAW (`raw_contract`
    images in [0, 1]): the contract's finish, then the geometric augmentation."""
    from xray_core.training import augment

    x = augment.finish(augment.unit_to_u8(xt_raw), contract)
    return make_dataset(x, yt, cfg.batch_size, cfg.augment, cfg.seed, shuffle=True)


def acquisition_datasets(xt, yt, xv, cfg: TrainConfig, contract):
    """Train pipeline with acquisition perturbations on raw gray (then the contract's finish).

    XT/XV come from `augment.raw_contract`; returns (train dataset, contract-ready XV).
    """
    import tensorflow as tf

    from xray_core.training import augment

    acq = augment.preset(cfg.acquisition)
    ds = augment.make_dataset(augment.unit_to_u8(xt), yt, contract, acq, cfg.batch_size, cfg.seed)
    if cfg.augment:
        aug = make_augmenter(cfg.seed)
        ds = ds.map(lambda a, b: (aug(a, training=True), b), num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE), augment.finish(augment.unit_to_u8(xv), contract)


def mixup(ds, alpha: float, weights: dict[int, float] | None, seed: int):
    """Mix each batch with itself reversed: x = lam * x + (1 - lam) * x_rev, the same for the
    targets and the class weights (as per-example weights), lam ~ Beta(ALPHA, ALPHA) per
    example (Zhang et al. 2018). DS yields (x, y) batches; the result yields (x, y, w)."""
    import tensorflow as tf

    w0, w1 = (weights[0], weights[1]) if weights else (1.0, 1.0)

    def mix(x, y):
        n = tf.shape(y)[0]
        g1 = tf.random.gamma([n], alpha, seed=seed)
        g2 = tf.random.gamma([n], alpha, seed=seed + 1)
        lam = g1 / (g1 + g2)
        w = w0 + (w1 - w0) * y
        lam_x = tf.reshape(lam, [-1, 1, 1, 1])
        x = lam_x * x + (1 - lam_x) * tf.reverse(x, [0])
        y_mixed = lam * y + (1 - lam) * tf.reverse(y, [0])
        w_mixed = lam * w + (1 - lam) * tf.reverse(w, [0])
        return x, y_mixed, w_mixed

    return ds.map(mix, num_parallel_calls=tf.data.AUTOTUNE)


@dataclass
class Pipelines:
    """What the fit reads (`make_pipelines`): tf.data datasets of (x, y) batches, or
    (x, y, w) with mixup; the class weights for `fit` (None when mixup carries them); XV the
    validation images as the model takes them (contract-ready, (n, size, size, channels))."""

    train: object
    finetune: object  # the transfer models' second phase (differs with acquisition phase head)
    val: object
    weights: dict[int, float] | None
    xv: np.ndarray


def make_pipelines(xt, yt, xv, yv, cfg: TrainConfig, contract) -> Pipelines:
    """The training, fine-tuning and validation datasets of CFG: geometric augmentation,
    acquisition perturbations (every epoch, or the head phase only), mixup, batches of
    CFG.batch_size (validation: 64, in order).

    XT, XV: (n, size, size, channels) float32 images as `train.load_data` gives them (before
    CLAHE, in [0, 1], with an acquisition preset); YT, YV: (n,) int labels, 1 = PNEUMONIA.
    """
    weights = class_weights(yt) if cfg.class_weights else None
    finetune_ds = None  # the fine-tuning's own pipeline, when it differs
    if cfg.acquisition:
        if cfg.acquisition_phase == AcquisitionPhase.HEAD:
            finetune_ds = plain_dataset(xt, yt, cfg, contract)
        train_ds, xv = acquisition_datasets(xt, yt, xv, cfg, contract)
    else:
        train_ds = make_dataset(xt, yt, cfg.batch_size, cfg.augment, cfg.seed, shuffle=True)
    if cfg.mixup > 0:  # the class weights travel with the mixed examples
        if finetune_ds is not None:
            finetune_ds = mixup(finetune_ds, cfg.mixup, weights, cfg.seed)
        train_ds, weights = mixup(train_ds, cfg.mixup, weights, cfg.seed), None
    val_ds = make_dataset(xv, yv, 64, False, cfg.seed, shuffle=False)
    return Pipelines(train_ds, finetune_ds or train_ds, val_ds, weights, xv)
