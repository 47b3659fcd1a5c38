"""Words and numbers as the app shows them: honest precision, grammar, neutral names.

Pure functions, no Streamlit. A calibrated probability fitted on a few hundred validation
images does not support "100.0%": percentages are whole numbers and the ends read "> 99%" and
"< 1%".
"""

from __future__ import annotations

METHOD_NAMES = {
    "occlusion": "Occlusion",
    "gradcam": "Grad-CAM",
    "gradcam++": "Grad-CAM++",
    "lime": "LIME",
}


def percent(p: float) -> str:
    """A probability in [0, 1] as a whole percentage; the ends as "> 99%" and "< 1%".

    Raises ValueError outside [0, 1] (or NaN).
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"probability must be in [0, 1], got {p}")
    if p > 0.99:
        return "> 99%"
    if p < 0.01:
        return "< 1%"
    return f"{100 * p:.0f}%"


def rate(value: float, digits: int = 2) -> str:
    """A rate in [0, 1] with `digits` decimals, one more when rounding would show 1.00 or
    0.00 for a value that is not exactly that (0.995 reads "0.995", not a perfect "1.00")."""
    text = f"{value:.{digits}f}"
    if float(text) in (0.0, 1.0) and value != float(text):
        return f"{value:.{digits + 1}f}"
    return text


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """ "1 false alarm" / "2 false alarms": the count and the noun agreeing with it (plural:
    `singular` + "s" unless given)."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"


def count_is(n: int, singular: str, plural: str | None = None) -> str:
    """ "1 is missed" / "2 are missed": the count, the verb agreeing with it, then `singular`
    (or `plural` when n != 1 and given)."""
    verb = "is" if n == 1 else "are"
    words = singular if n == 1 or plural is None else plural
    return f"{n} {verb} {words}"


def out_of(rate: float, of: int) -> tuple[int, int]:
    """A rate in [0, 1] as (of `of`, the rest): whole numbers that add up to `of`."""
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"rate must be in [0, 1], got {rate}")
    hit = int(round(of * rate))
    return hit, of - hit


def per_hundred(rate: float) -> tuple[int, int]:
    """A rate in [0, 1] as (of 100, the rest): whole numbers that add up to 100."""
    return out_of(rate, 100)


def natural_frequency_base(*rates: float) -> int:
    """100, or 1,000 when "of 100" would round a rate that is neither 0 nor 1 to 0 or 100
    (a specificity of 0.995 reads "about 995 of 1,000 cleared; 5 false alarms", not "100 of
    100; 0 false alarms")."""
    for rate in rates:
        hit, rest = per_hundred(rate)
        if 0.0 < rate < 1.0 and (hit == 0 or rest == 0):
            return 1000
    return 100


def method_name(method: str) -> str:
    """The display name of an explanation method id ("gradcam++" -> "Grad-CAM++")."""
    try:
        return METHOD_NAMES[method]
    except KeyError:
        raise ValueError(f"unknown method {method!r}; known: {', '.join(METHOD_NAMES)}") from None


def sample_name(index: int) -> str:
    """Neutral name of the sample at 0-based `index`: no label, says it is a training image."""
    if index < 0:
        raise ValueError(f"index must be >= 0, got {index}")
    return f"Training X-ray {index + 1:02d}"


def speed_label(batched: bool) -> str:
    """Column label for per-image inference time."""
    return "ms / image (batched)" if batched else "ms / image (one at a time)"


SCALING_WORDS = {
    "unit": "scaled to [0, 1]",
    "symmetric": "scaled to [-1, 1]",
    "caffe": "mean-centred",
}


def contract_text(contract: dict) -> str:
    """A card's input contract in words ("224 × 224 px, 1 channel, CLAHE, scaled to [0, 1]")."""
    channels = contract.get("channels", 1)
    parts = [
        f"{contract['size']} × {contract['size']} px",
        f"{channels} channel" + ("" if channels == 1 else "s"),
        "CLAHE" if contract.get("clahe") else "no CLAHE",
        SCALING_WORDS.get(contract.get("scaling", "unit"), str(contract.get("scaling"))),
    ]
    return ", ".join(parts)


def augmentation_text(aug: dict) -> str:
    """A card's training augmentation in words, units stated; keys it does not know are listed
    as they are, so an older or newer card still shows everything it records."""
    aug = dict(aug)
    words = []
    for key, fmt in (
        ("rotation_deg", "rotation ±{}°"),
        ("translate", "shift ±{:.0%}"),
        ("zoom", "zoom ±{:.0%}"),
        ("contrast", "contrast ±{:.0%}"),
        ("mixup_alpha", "mixup (weight ~ Beta({0}, {0}))"),
    ):
        if key in aug:
            words.append(fmt.format(aug.pop(key)))
    acq = aug.pop("acquisition", None)
    words += [f"{k} {v}" for k, v in aug.items()]
    text = ", ".join(words) or "none"
    if acq:
        text += "; " + _acquisition_text(dict(acq))
    return text


def _acquisition_text(acq: dict) -> str:
    """The acquisition preset ("strong": each step applied with probability p) in words."""
    head = f"acquisition preset {acq.pop('preset', '?')!r}"
    if acq.pop("phase", "all") == "head":
        head += " in the head phase only (fine-tuning saw plain images)"
    if "p" in acq:
        head += f", each step with probability {acq.pop('p')}"
    words = []
    for key, fmt in (
        ("gamma", "gamma {}-{}"),
        ("contrast", "contrast ×{}-{}"),
        ("blur_sigma", "blur σ {}-{} px"),
        ("noise_std", "noise σ {}-{} (0-1 scale)"),
        ("jpeg_quality", "JPEG quality {}-{}"),
    ):
        if key in acq:
            words.append(fmt.format(*acq.pop(key)))
    if "brightness" in acq:
        words.append(f"brightness ±{acq.pop('brightness')}")
    if "crop" in acq:
        lo, hi = acq.pop("crop")
        words.append(f"crop keeping {lo:.0%}-{hi:.0%} of each side, resized back")
    lo, hi = acq.pop("aspect", (1.0, 1.0))
    if (lo, hi) != (1.0, 1.0):
        words.append(f"anatomy's width/height ratio ×{lo}-{hi} on every image")
    if balance := acq.pop("aspect_balance", 0.0):
        words.append(f"that range split by class (log gap {balance}: NORMAL narrower)")
    if pad := acq.pop("aspect_pad", 0.0):
        words.append(f"{pad:.0%} of those changes by padding (a wider field of view)")
    words += [f"{k} {v}" for k, v in acq.items()]
    return f"{head}: {', '.join(words)}"


def last_conv_text(layer: str | None) -> str:
    """The card's last convolutional layer as shown: its name in code style, or why there is
    none (a dense model has no maps to draw)."""
    if not layer:
        return "none (no convolutional layers: Grad-CAM and feature maps do not apply)"
    return f"`{layer}`"
