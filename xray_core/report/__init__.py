"""The stakeholder story, told once: the presentation page and the one-page PDF report.

`story.build_story` assembles the words and figures (no TensorFlow); `charts` draws them with
matplotlib (Agg, no browser); `pdf.render_pdf` lays them out on one A4 page with fpdf2;
`make.make_report` does all of it for a stored model (loads TensorFlow for the evidence maps).
"""
