"""One A4 page with fpdf2: the story's text (extractable, DejaVu fonts for full Unicode) with
the matplotlib charts and the gallery thumbnails placed as images."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from PIL import Image

from xray_core.report import charts
from xray_core.report.pdf_kit import FONT, add_fonts
from xray_core.stats.uncertainty import format_interval

MARGIN, WIDTH = 10.0, 190.0  # mm on A4 (210 x 297)
INK, MUTED, ACCENT = (33, 37, 41), (90, 98, 104), (31, 78, 121)


def _new_pdf(story: dict) -> FPDF:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(False)
    add_fonts(pdf, "BI")
    pdf.set_title(f"{story['title']}: {story['model']}")
    pdf.set_author("xray_core report")
    pdf.add_page()
    return pdf


def _text(pdf: FPDF, text: str, size=8.0, style="", colour=INK, w=0.0, h=None, x=None):
    """A wrapped paragraph at the current y (and x, when given)."""
    if x is not None:
        pdf.set_x(x)
    pdf.set_font(FONT, style, size)
    pdf.set_text_color(*colour)
    pdf.multi_cell(w, h or size * 0.47, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _heading(pdf: FPDF, text: str, x=None, w=0.0):
    pdf.ln(1.2)
    _text(pdf, text, 10.5, "B", ACCENT, w=w, x=x)
    pdf.ln(0.6)


def _header(pdf: FPDF, s: dict) -> None:
    _text(pdf, f"{s['title']}: model {s['model']}", 15, "B", ACCENT)
    _text(
        pdf,
        f"Model version {s['version']} · decision {s['threshold_text']}"
        + (
            ""
            if s["at_shipped"]
            else f" (shipped threshold {s['shipped_threshold']:.3f} on the shipped scale)"
        )
        + f" · report {s['date']}",
        7.5,
        colour=MUTED,
    )
    pdf.ln(1.5)
    y = pdf.get_y()
    pdf.set_fill_color(255, 243, 205)
    pdf.rect(MARGIN, y, WIDTH, 15.5, style="F")
    pdf.set_xy(MARGIN + 2, y + 1.5)
    _text(pdf, f"Intended use. {s['intended_use']}", 8.5, "B", (102, 77, 3), w=WIDTH - 4)
    _text(pdf, f"Population. {s['population']}", 7.5, colour=(102, 77, 3), w=WIDTH - 4, x=12)
    pdf.set_y(y + 17)
    _text(pdf, f"What it does. {s['what']} For whom. {s['for_whom']}", 8)


def _figures(pdf: FPDF, s: dict) -> None:
    _heading(pdf, s["headline_title"])
    top = pdf.get_y()
    pdf.set_font(FONT, "", 8)
    with pdf.table(
        width=80,
        col_widths=(30, 38, 12),
        text_align=("LEFT", "CENTER", "RIGHT"),
        line_height=5.0,
        first_row_as_headings=True,
        borders_layout="HORIZONTAL_LINES",
        align="LEFT",
    ) as table:
        table.row(["figure", "value (95% CI)", "n"])
        for r in s["figures"]:
            table.row([r["figure"], r["text"], f"{r['n']:,}"])
    below = pdf.get_y()
    pdf.image(io.BytesIO(charts.forest_png(s["figures"], (3.6, 2.4))), x=92, y=top, w=60)
    if s["roc"] and s["roc_point"]:
        sens, spec = s["roc_point"]
        png = charts.roc_png(s["roc"], sens, spec, (2.2, 2.3))
        pdf.image(io.BytesIO(png), x=153, y=top, w=38)
    pdf.set_y(max(below, top + 40) + 1)
    for line in s["beside"]:
        _text(pdf, f"Beside it: {line}", 7.5)
    _text(pdf, " ".join([*s["missing"], s["ci_note"]]), 7, "I", MUTED)
    if s["test_split"]:
        _text(pdf, s["test_split"], 7.5, "B")


def _prevalence(pdf: FPDF, s: dict) -> None:
    at = s["prevalence"]
    _heading(pdf, f"What it means at an assumed prevalence of {at['prevalence']:.0%}")
    top = pdf.get_y()
    pdf.image(io.BytesIO(charts.icon_array_png(at["frequencies"])), x=MARGIN, y=top, w=74)
    x = MARGIN + 78
    pdf.set_xy(x, top)
    _text(pdf, " ".join(at["sentences"]), 8.5, w=WIDTH - 78, x=x)
    _text(
        pdf,
        f"PPV {format_interval(at['ppv'], at['ppv_ci'])}: chance that a flagged child has "
        f"pneumonia. NPV {format_interval(at['npv'], at['npv_ci'])}: chance that a cleared "
        "child does not.",
        8,
        "B",
        w=WIDTH - 78,
        x=x,
    )
    pdf.ln(1)
    pdf.set_x(x)
    pdf.set_font(FONT, "", 7.2)
    with pdf.table(
        width=WIDTH - 78,
        col_widths=(19, 26, 26, 14, 14, 12),
        text_align="CENTER",
        line_height=3.6,
        borders_layout="HORIZONTAL_LINES",
        align="RIGHT",
    ) as table:
        table.row(
            ["prevalence", "PPV (95% CI)", "NPV (95% CI)", "flagged", "false alarms", "missed"]
        )
        for r in s["prevalence_table"]:
            label = f"{r['prevalence']:.0%}" + (" (above)" if r["chosen"] else "")
            table.row(
                [
                    label,
                    format_interval(r["ppv"], r["ppv_ci"]),
                    format_interval(r["npv"], r["npv_ci"]),
                    f"{r['flagged']:,}",
                    f"{r['false_alarms']:,}",
                    f"{r['missed']:,}",
                ]
            )
    _text(
        pdf,
        f"Counts per 1,000 children X-rayed, from {at['source']}'s sensitivity and specificity.",
        6.5,
        "I",
        MUTED,
        w=WIDTH - 78,
        x=x,
    )
    pdf.set_y(max(pdf.get_y(), top + 54) + 1)


def _gallery(pdf: FPDF, s: dict, gallery: list[tuple[str, str, np.ndarray]]) -> None:
    _heading(pdf, "What it gets right and wrong (training-hospital images, with their maps)")
    _text(pdf, s["errors_text"], 8)
    if not gallery:
        note = s.get("gallery_note", "Gallery not drawn: the validation images were not available.")
        _text(pdf, note, 7.5, "I", MUTED)
        return
    top, size, gap = pdf.get_y() + 1, 30.0, (WIDTH - 6 * 30.0) / 5
    for i, (title, caption, rgb) in enumerate(gallery[:6]):
        x = MARGIN + i * (size + gap)
        pdf.image(Image.fromarray(np.asarray(rgb, np.uint8)), x=x, y=top, w=size, h=size)
        pdf.set_xy(x, top + size + 0.5)
        _text(pdf, title, 6.3, "B", w=size, h=2.7, x=x)
        _text(pdf, caption, 5.6, colour=MUTED, w=size, h=2.5, x=x)
    pdf.set_y(top + size + 14)


def _limits(pdf: FPDF, s: dict) -> None:
    _heading(pdf, "Limitations")
    for item in [i for i in s["limitations"] if i]:
        _text(pdf, f"•  {item}", 7.5)
    pdf.set_y(max(pdf.get_y() + 1, 282))
    _text(pdf, f"Data: {s['citation']}", 6.3, colour=MUTED)


def render_pdf(story: dict, gallery=None, out: str | Path | None = None) -> bytes:
    """Lay the story out on one A4 page; write it to `out` when given; return the PDF bytes.

    Args:
        story: `story.build_story(...)` plus "roc" (metrics.roc_points).
        gallery: up to 6 (title, caption, (H, W, 3) uint8 image) tuples; None omits them.
    Raises:
        RuntimeError when the content does not fit on one page.
    """
    pdf = _new_pdf(story)
    _header(pdf, story)
    _figures(pdf, story)
    _prevalence(pdf, story)
    _gallery(pdf, story, gallery or [])
    _limits(pdf, story)
    if pdf.page_no() != 1 or pdf.get_y() > 297 - 4:
        raise RuntimeError(f"report overflows one page (y = {pdf.get_y():.0f} mm)")
    data = bytes(pdf.output())
    if out is not None:
        Path(out).write_bytes(data)
    return data
