"""The site validation report as a PDF (fpdf2): the summary sentences, the figures table and
the reliability curve on the local cases, drawn with fpdf's own lines (no browser, no
plotting library)."""

from __future__ import annotations

from pathlib import Path

from xray_core.stats.uncertainty import format_interval
from xray_core.text.intended_use import INTENDED_USE

FONT = "Helvetica"


def _ascii(text: str) -> str:
    """The core PDF fonts are Latin-1: replace the few typographic characters used."""
    table = {"–": "-", "≥": ">=", "→": "->", "—": "-", "×": "x"}
    return "".join(table.get(ch, ch) for ch in text).encode("latin-1", "replace").decode("latin-1")


def _fmt(v, ci=None) -> str:
    """'0.974 (0.943-0.991)'; 'n/a'; '1.000 (too few cases)' (uncertainty.format_interval)."""
    return "n/a" if v is None else format_interval(v, ci, 3)


def _table(pdf, r: dict) -> None:
    s = r["at_shipped_threshold"]
    rows = [
        ("AUC (95% CI)", _fmt(r["auc"], r["auc_ci"])),
        ("Shipped threshold", _fmt(r["shipped_threshold"])),
        ("  sensitivity", _fmt(s["sensitivity"], s["sensitivity_ci"])),
        ("  specificity", _fmt(s["specificity"], s["specificity_ci"])),
        ("ECE (shipped calibration)", _fmt(r["calibration"]["ece"])),
        (
            "Proposed threshold (95% CI)",
            _fmt(r["proposed_threshold"], r.get("proposed_threshold_ci")),
        ),
        (
            "  expected sensitivity",
            _fmt(r["expected_sensitivity"], r.get("expected_sensitivity_ci")),
        ),
        (
            "  expected specificity",
            _fmt(r["expected_specificity"], r.get("expected_specificity_ci")),
        ),
    ]
    pdf.set_font(FONT, size=10)
    for name, value in rows:
        pdf.cell(70, 6, _ascii(name), border=1)
        pdf.cell(80, 6, _ascii(value), border=1, new_x="LMARGIN", new_y="NEXT")


def _reliability(pdf, rel: dict, x0: float, y0: float, size: float = 70) -> None:
    """Observed frequency vs mean predicted probability per bin; the diagonal is perfect."""
    pdf.set_draw_color(0)
    pdf.rect(x0, y0, size, size)
    pdf.set_draw_color(160)
    pdf.line(x0, y0 + size, x0 + size, y0)
    pts = [
        (x0 + m * size, y0 + size - o * size)
        for m, o in zip(rel["mean_predicted"], rel["observed"])
        if m is not None
    ]
    pdf.set_draw_color(200, 30, 30)
    for a, b in zip(pts, pts[1:]):
        pdf.line(*a, *b)
    for x, y in pts:
        pdf.circle(x=x, y=y, radius=0.8, style="F")
    pdf.set_font(FONT, size=8)
    pdf.text(x0, y0 + size + 5, "mean predicted P(pneumonia) per bin (0-1)")
    pdf.text(x0, y0 - 2, "observed share with pneumonia (0-1); grey: perfect calibration")


def write_pdf(report: dict, path) -> Path:
    """Write the report to `path` (PDF) and return it."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font(FONT, style="B", size=15)
    pdf.cell(0, 10, "Site validation report", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    pdf.multi_cell(
        0,
        5,
        _ascii(
            f"Model {report['model']} (sha256 "
            f"{report['model_sha256'][:12]}), created {report['created']}."
        ),
    )
    pdf.ln(2)
    pdf.set_font(FONT, size=10)
    for line in report["summary"]:
        pdf.multi_cell(0, 5, _ascii("- " + line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _table(pdf, report)
    pdf.ln(10)
    _reliability(pdf, report["calibration"]["reliability"], pdf.l_margin + 5, pdf.get_y() + 5)
    pdf.set_y(pdf.get_y() + 90)
    pdf.set_font(FONT, style="I", size=8)
    pdf.multi_cell(0, 4, _ascii(INTENDED_USE))
    path = Path(path)
    pdf.output(str(path))
    return path
