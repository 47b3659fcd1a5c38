"""The whole report for a stored model: figures, story, evidence-map gallery, PDF bytes."""

from __future__ import annotations

from pathlib import Path

from xray_core.evaluation.figure_sheet import DEFAULT_PREVALENCE, figure_sheet
from xray_core.evaluation.validation_figures import validation_figures
from xray_core.predict.validation_scores import load_scores
from xray_core.report import gallery
from xray_core.report.pdf import render_pdf
from xray_core.report.story import build_story
from xray_core.store.catalog import list_models, read_card
from xray_core.text.wording import percent

GALLERY_PER_KIND = 2  # 2 true positives, 2 false positives, 2 false negatives


def gallery_tiles(
    stored, scores: dict, data_root: Path | None, threshold: float
) -> tuple[list, str | None]:
    """([(title, caption, RGB uint8)] per gallery case with its map, None), or ([], why)
    when the validation images are not available. Loads TensorFlow for the explainer."""
    if data_root is None:
        return [], "no data folder given (--data or $XRAY_DATA_DIR)"
    try:
        cases = gallery.gallery_cases(stored.card, scores, data_root, threshold, GALLERY_PER_KIND)
    except (gallery.GalleryError, OSError, ValueError) as exc:
        return [], str(exc)
    flat = [c for kind in cases.values() for c in kind]
    tiles = []
    for case, cam in zip(flat, gallery.evidence_overlays(stored, flat)):
        note = gallery.tile_note(cam)
        caption = f"P(pneumonia) {percent(case.probability)}\n{note}\n{case.case_id}"
        tiles.append((case.title.split(":")[0], caption, cam["image"]))
    return tiles, None


def make_report(
    stored,
    data_root: Path | None = None,
    threshold: float | None = None,
    prevalence: float | None = None,
    out: str | Path | None = None,
    store_root=None,
    today=None,
) -> bytes:
    """One-page PDF for a loaded model (xray_core.store.catalog.StoredModel); returns its bytes.

    Args:
        data_root: dataset root holding the model's validation images (for the gallery).
        threshold: decision threshold (default the card's). prevalence: fraction for the
            natural frequencies (default `figure_sheet.DEFAULT_PREVALENCE`, 20%).
    Raises:
        ValueError when the model has no stored validation scores.
    Without the validation images the PDF says why the gallery is missing.
    """
    scores = load_scores(stored.name, store_root)
    fig = validation_figures(stored.card, scores, threshold)
    if fig is None:
        raise ValueError(
            f"{stored.name} has no validation scores: run `python -m xray_core rescore`"
        )
    scored = {name: read_card(name, store_root) for name in list_models(store_root)}
    prev = DEFAULT_PREVALENCE if prevalence is None else prevalence
    sheet = figure_sheet(stored.card, scores, fig.threshold, prev, validation=fig)
    story = build_story(stored.card, sheet, fig.roc, today, scored)
    tiles, why = gallery_tiles(stored, scores, data_root, fig.threshold)
    if why:
        story["gallery_note"] = f"Gallery not drawn: {why}"
    return render_pdf(story, tiles, out)
