"""What both PDF writers share (the one-page report and the review session report): the
DejaVu fonts that ship with matplotlib (full Unicode, so any name prints) and matplotlib
figures as PNG bytes (Agg canvas, no pyplot state, no browser)."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg

FONT = "DejaVu"
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT_FILES = {"": "DejaVuSans", "B": "DejaVuSans-Bold", "I": "DejaVuSans-Oblique"}


def add_fonts(pdf, styles: str = "BI") -> None:
    """Register FONT on an fpdf2 document: regular plus the given styles ('B', 'I')."""
    for style in ("", *styles):
        pdf.add_font(FONT, style, str(FONT_DIR / f"{FONT_FILES[style]}.ttf"))


def figure_png(fig, dpi: int, tight: bool = False) -> bytes:
    """A matplotlib Figure as PNG bytes at `dpi` (cropped to its content when `tight`)."""
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, **({"bbox_inches": "tight"} if tight else {}))
    return buf.getvalue()
