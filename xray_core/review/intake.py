"""Turning a session's items into stored rows: decode, gate and score each file once.

Unreadable files and duplicates (same bytes) are reported, never fatal. Case order: sorted by
SHA-256 (independent of how the source lists its files), then permuted by the session's seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from xray_core.io.decode import ImageError
from xray_core.review.images import png_bytes, view_image
from xray_core.review.sources import Item


@dataclass
class ImportReport:
    """What an import did. errors: one line per unreadable file (full names: for the importer
    only; the database keeps them without names unless the owner opted in)."""

    session: str
    n_cases: int = 0
    n_refused: int = 0
    n_labelled: int = 0
    errors: list = field(default_factory=list)  # (item number, message) until returned
    duplicates: list[str] = field(default_factory=list)
    owner_token: str = ""  # the owner link's token, shown once (only its hash is stored)


def _score_item(item: Item, label: str, stored, keeper, threshold: float) -> dict:
    """Decode, gate and score one item (`label` names it in errors) -> the row to store.
    Raises ImageError/OSError."""
    from xray_core.io.study import open_study
    from xray_core.predict.assess import assess

    study = open_study(item.read(), label)
    result = assess(stored, study, threshold, keeper)
    ok = bool(result.ok)
    return {
        "sha256": study.digest,
        "kind": study.kind,
        "width": study.size[0],
        "height": study.size[1],
        "view": png_bytes(view_image(study.gray)),
        "model_view": png_bytes(study.display(stored.contract)),
        "truth": item.label,
        "gate_ok": int(ok),
        "gate_reason": None if ok else result.gate.reason,
        "probability": result.prediction.probability if ok else None,
        "raw_probability": result.prediction.raw_probability if ok else None,
        "ai_label": result.prediction.label if ok else None,
    }


def _error_line(exc: Exception, label: str, keep_names: bool) -> str:
    """One line for an unreadable item. Without kept names the file name never enters it: the
    decoder only ever saw `label` ('item 7'), and an OSError gives its reason alone."""
    if isinstance(exc, OSError) and not keep_names:
        return f"{label}: {exc.strerror or 'the file could not be read'}"
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text if text.startswith(label) else f"{label}: {text}"


def score_items(
    items: list[Item], stored, keeper, threshold: float, report: ImportReport,
    keep_names: bool = True,
):  # fmt: skip
    """Rows for every readable, distinct item; errors and duplicates go into `report`.

    report.errors gets (item number, line); without `keep_names` the line names the item
    'item k', never its file name (it is stored in the database)."""
    rows: dict[str, dict] = {}
    for k, item in enumerate(items, start=1):
        label = item.name if keep_names else f"item {k}"
        try:
            row = _score_item(item, label, stored, keeper, threshold)
        except (ImageError, OSError, ValueError) as exc:
            report.errors.append((k, _error_line(exc, label, keep_names)))
            continue
        if row["sha256"] in rows:
            report.duplicates.append(f"{item.name}: same image as {rows[row['sha256']]['name']}")
            continue
        rows[row["sha256"]] = {**row, "name": item.name}
    return list(rows.values())


def order_rows(rows: list[dict], seed: int) -> list[dict]:
    """Sort by SHA-256 (independent of listing order), then permute with the seed."""
    rows = sorted(rows, key=lambda r: r["sha256"])
    return [rows[i] for i in np.random.default_rng(seed).permutation(len(rows))]
