"""PDF session report (fpdf2): the results tables, charts, and the discordant cases with a
thumbnail and the map toward pneumonia of each, for the discussion part of a session.

Text is real PDF text (extractable, searchable), in DejaVu Sans (shipped with matplotlib) so
any reader pseudonym prints. Cases are named 'case-007'; no file name, hash or DICOM tag is
written. The maps need the session's model: when it cannot be loaded the report says so and
shows the thumbnails alone.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from PIL import Image

from xray_core.report.pdf_kit import add_fonts
from xray_core.review import db, report_charts
from xray_core.review.db import ReviewError
from xray_core.review.summary import summarize
from xray_core.stats.uncertainty import format_interval
from xray_core.store.card import INTENDED_USE
from xray_core.text.wording import percent

MAX_DISCORDANT = 30  # cases shown in the report (the JSON summary lists them all)
THUMB_MM = 42


class ReportPDF(FPDF):
    """A4 portrait, DejaVu Sans, footer with the intended use and page numbers."""

    def __init__(self, title: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        add_fonts(self, "B")
        self.set_auto_page_break(True, margin=16)
        self.set_title(title)
        self.set_creator("xray_core review")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=7)
        self.set_text_color(110)
        self.cell(0, 5, f"Research and education only, not a medical device. Page {self.page_no()}")
        self.set_text_color(0)

    def heading(self, text: str, size: int = 13) -> None:
        self.ln(2)
        self.set_font("DejaVu", "B", size)
        self.cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("DejaVu", size=9)

    def para(self, text: str) -> None:
        self.set_font("DejaVu", size=9)
        self.multi_cell(0, 4.6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def grid(self, header: list[str], rows: list[list[str]], widths: tuple | None = None) -> None:
        self.set_font("DejaVu", size=8)
        with self.table(col_widths=widths, text_align="LEFT", line_height=5) as table:
            for values in [header, *rows]:
                row = table.row()
                for v in values:
                    row.cell(str(v))
        self.ln(2)

    def png(self, data: bytes | None, width: float) -> None:
        if data:
            self.image(io.BytesIO(data), w=width)
            self.ln(2)


def _fmt(value, ci=None, digits: int = 2) -> str:
    """'0.67 (0.21–0.94)'; rounding never prints '-0.00'."""
    text = format_interval(value, ci, digits)
    return text.replace(f"-{0:.{digits}f}", f"{0:.{digits}f}")


def _overview(pdf: ReportPDF, s: dict) -> None:
    pdf.heading(f"Review session: {s['session']}", 16)
    pdf.para(
        f"Model {s['model']} at threshold {s['threshold']:.3f}. Created {s['created_at'][:16]} "
        f"UTC. {s['n_cases']} cases ({s['n_labelled']} with ground truth, {s['n_refused']} "
        f"refused by the input check: no AI verdict), {s['n_import_errors']} unreadable files "
        f"skipped. {s['n_readers']} readers; {s['n_crossed']} cases read by every reader in both "
        "phases. Intervals are 95%: Wilson for proportions, bootstrap over cases otherwise."
    )
    pdf.para(INTENDED_USE)
    ai = s["ai"]
    pdf.heading("The AI alone (labelled cases it scored)")
    pdf.grid(
        ["n", "AUC", "sensitivity", "specificity"],
        [[str(ai["n"]), _fmt(ai["auc"], ai["auc_ci"]),
          _fmt(ai["sensitivity"], ai["sensitivity_ci"]),
          _fmt(ai["specificity"], ai["specificity_ci"])]],
    )  # fmt: skip


def _reader_table(pdf: ReportPDF, s: dict) -> None:
    pdf.heading("Readers: unaided (blinded) vs aided (after the AI)")
    rows = []
    for name, r in s["readers"].items():
        for phase in ("unaided", "aided"):
            p = r[phase]
            secs = "—" if p["median_seconds"] is None else f"{p['median_seconds']:.0f}"
            rows.append([
                name, phase, str(p["n_reads"]), _fmt(p["kappa_ai"], p["kappa_ai_ci"]),
                _fmt(p["sensitivity"], p["sensitivity_ci"]),
                _fmt(p["specificity"], p["specificity_ci"]), _fmt(p["auc"], p["auc_ci"]), secs,
            ])  # fmt: skip
    header = ["reader", "phase", "reads", "kappa vs AI", "sensitivity", "specificity", "AUC", "s"]
    pdf.grid(header, rows, (24, 15, 11, 29, 29, 29, 29, 9))


def _group_tables(pdf: ReportPDF, s: dict) -> None:
    avg = s["reader_average"]
    if avg:
        pdf.heading("Reader-average AUC (fully crossed cases)")
        pdf.grid(
            ["unaided", "aided", "aided - unaided", "cases", "readers"],
            [[_fmt(avg["unaided"]["auc"], avg["unaided"]["ci"]),
              _fmt(avg["aided"]["auc"], avg["aided"]["ci"]),
              _fmt(avg["difference"]["auc"], avg["difference"]["ci"], 3),
              str(avg["n_cases"]), str(avg["n_readers"])]],
        )  # fmt: skip
    inter = s["inter_reader"]
    if inter:
        pdf.heading("Between readers: Fleiss' kappa")
        pdf.grid(
            ["phase", "kappa", "cases", "readers"],
            [[p, _fmt(inter[p]["kappa"], inter[p]["ci"]), str(inter[p]["n_cases"]),
              str(inter[p]["n_readers"])] for p in ("unaided", "aided")],
        )  # fmt: skip
    pdf.heading("Flips after the AI was revealed")
    rows = [[n, *_flip_cells(r["flips"])] for n, r in s["readers"].items()]
    rows.append(["all readers", *_flip_cells(s["flips"])])
    pdf.grid(["reader", "paired reads", "changed", "toward truth", "away from truth",
              "toward AI", "away from AI"], rows)  # fmt: skip


def _flip_cells(f: dict) -> list[str]:
    keys = ("n", "changed", "toward_truth", "away_from_truth", "toward_ai", "away_from_ai")
    return ["—" if f[k] is None else str(f[k]) for k in keys]


def _charts(pdf: ReportPDF, s: dict) -> None:
    charts = [report_charts.sens_spec_chart(s), report_charts.auc_chart(s),
              report_charts.operating_points_chart(s), report_charts.kappa_chart(s)]  # fmt: skip
    if any(charts):
        pdf.add_page()
        pdf.heading("Charts")
        for data, width in zip(charts, (180, 150, 105, 150)):
            pdf.png(data, width)


def _images(pdf: ReportPDF, view: np.ndarray, overlay: np.ndarray | None) -> None:
    y = pdf.get_y()
    pdf.image(Image.fromarray(view), x=pdf.l_margin, y=y, w=THUMB_MM)
    if overlay is not None:
        pdf.image(Image.fromarray(overlay), x=pdf.l_margin + THUMB_MM + 3, y=y, w=THUMB_MM)


def _case_text(case: dict) -> str:
    ai = "no AI verdict (input refused: " + str(case["gate_reason"]) + ")"
    if case["ai_label"]:
        ai = f"AI {case['ai_label']} (P(pneumonia) {percent(case['probability'])})"
    reads = "\n".join(
        f"{n}: {v.get('unaided', '—')} → {v.get('aided', '—')}" for n, v in case["readers"].items()
    )
    truth = case["truth"] or "unknown"
    return f"{case['case']}  ·  truth {truth}  ·  {ai}\n{', '.join(case['kinds'])}\n{reads}"


def _discordant(pdf: ReportPDF, s: dict, pictures) -> None:
    cases = s["discordant"]
    pdf.add_page()
    pdf.heading(f"Discordant cases ({len(cases)})")
    if not cases:
        pdf.para("No reader disagreed with the AI or with another reader.")
        return
    note = pictures.prepare()
    if len(cases) > MAX_DISCORDANT:
        note += f" The first {MAX_DISCORDANT} are shown; the JSON summary lists all."
    pdf.para(f"Left: the image as read. Right: {pictures.method} toward pneumonia on the image "
             f"the model saw. Reads are unaided → aided.{note}")  # fmt: skip
    for case in cases[:MAX_DISCORDANT]:
        if pdf.get_y() + THUMB_MM + 4 > pdf.h - pdf.b_margin:
            pdf.add_page()
        top = pdf.get_y()
        view, overlay = pictures(case["position"])
        h = THUMB_MM * view.shape[0] / view.shape[1]
        _images(pdf, view, overlay)
        pdf.set_xy(pdf.l_margin + 2 * THUMB_MM + 6, top)
        pdf.set_font("DejaVu", size=8)
        pdf.multi_cell(0, 4.4, _case_text(case), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_y(max(pdf.get_y(), top + max(h, THUMB_MM)) + 4)


def write_report(path, session_name: str, out, store=None, stored=None) -> int:
    """Write the PDF report of a session; returns its number of pages. Audited as 'exported'.

    Args:
        stored: the session's model for the maps (loaded from `store` when None).
    """
    from xray_core.review.report_images import CasePictures

    s = summarize(path, session_name)
    pictures = CasePictures(path, session_name, store=store, stored=stored)
    pdf = ReportPDF(f"Review session {s['session']}")
    pdf.add_page()
    _overview(pdf, s)
    _reader_table(pdf, s)
    _group_tables(pdf, s)
    _charts(pdf, s)
    _discordant(pdf, s, pictures)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    pdf.output(str(tmp))
    tmp.replace(out)
    with db.connect(path) as con, db.transaction(con):
        sid = con.execute("SELECT id FROM sessions WHERE name = ?", (session_name,)).fetchone()
        if sid is None:
            raise ReviewError(f"unknown session {session_name!r}.")
        db.audit(con, "exported", sid[0], None, format="pdf", pages=pdf.pages_count)
    return pdf.pages_count
