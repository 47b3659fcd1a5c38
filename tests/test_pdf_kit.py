"""xray_core.report.pdf_kit: the fonts both PDF writers register, and figures as PNG bytes."""

import io

import pytest
from fpdf import FPDF
from matplotlib.figure import Figure
from PIL import Image

from xray_core.report import pdf_kit


@pytest.mark.parametrize("styles, expected", [("", {""}), ("B", {"", "B"}), ("BI", {"", "B", "I"})])
def test_add_fonts_registers_regular_and_the_asked_styles(styles, expected):
    pdf = FPDF()
    pdf_kit.add_fonts(pdf, styles)
    got = {key[len(pdf_kit.FONT.lower()) :].upper() for key in pdf.fonts}
    assert got == expected


def test_figure_png_is_a_png_of_the_figure_size_at_dpi():
    fig = Figure(figsize=(2.0, 1.0))
    fig.add_subplot().plot([0, 1], [0, 1])
    img = Image.open(io.BytesIO(pdf_kit.figure_png(fig, dpi=50)))
    assert img.format == "PNG" and img.size == (100, 50)
    tight = Image.open(io.BytesIO(pdf_kit.figure_png(fig, dpi=50, tight=True)))
    assert tight.size != img.size  # cropped to the drawn content
