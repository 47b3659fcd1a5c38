"""One colour language for every map: orange to yellow = evidence for the class explained, blue =
evidence against it, grey = the X-ray. Reads every string a map's caption, legend, setting or
report text can come from (not docstrings or comments) and every caption the explainers write,
and fails on any other colour word (the LIME caption once said "green for, red against" over an
orange/blue overlay)."""

import ast
import re

import numpy as np
import pytest

from xray_core import config
from xray_core.explain import overlay, registry

ALLOWED = {"orange", "yellow", "blue", "grey", "gray"}
COLOUR_WORDS = re.compile(
    r"\b(red|green|orange|yellow|blue|purple|violet|pink|cyan|magenta|grey|gray|brown)\b", re.I
)
DIRECTIVE = re.compile(r":(\w+)\[")  # Streamlit markdown colour, e.g. :orange[...]
MAP_TEXT_FILES = [
    "xray_core/explain/base.py",
    "xray_core/explain/gradcam.py",
    "xray_core/explain/lime_explain.py",
    "xray_core/explain/occlusion.py",
    "xray_core/explain/overlay.py",
    "xray_core/explain/verdict.py",
    "xray_core/explain/checks.py",
    "xray_core/report/gallery.py",
    "xray_core/review/explain.py",
    "xray_core/review/report.py",
    "xray_core/report/pdf.py",
    "xray_core/report/story.py",
    "xray_app/faithfulness_view.py",
    "xray_app/review.py",
    "xray_app/present.py",
    "pages/explain.py",
    "pages/present.py",
    "pages/review.py",
]


def strings_shown(path) -> list[str]:
    """Every string constant of a module except docstrings (f-string parts included)."""
    tree = ast.parse(path.read_text())
    docs = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            if isinstance(body[0].value, ast.Constant):
                docs.add(id(body[0].value))
    return [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs
    ]


def colours_named(text: str) -> set[str]:
    return {w.lower() for w in COLOUR_WORDS.findall(text)} | set(DIRECTIVE.findall(text))


@pytest.mark.parametrize("name", MAP_TEXT_FILES)
def test_map_texts_name_only_the_colours_drawn(name):
    path = config.PROJECT_ROOT / name
    named = {c for s in strings_shown(path) for c in colours_named(s)}
    assert named <= ALLOWED, f"{name} names {sorted(named - ALLOWED)}"


def test_the_legend_names_the_colours_the_overlays_draw():
    r, g, b = overlay.FOR_COLOUR
    assert r > g > b  # orange
    r, g, b = overlay.AGAINST_COLOUR
    assert b > g > r  # blue
    assert {"orange", "yellow", "blue"} <= colours_named(overlay.LEGEND)


def test_every_explainer_caption_names_only_the_colours_drawn(tiny_model, fullres_files):
    from xray_core.explain.handle import ModelHandle
    from xray_core.io.contract import preprocess
    from xray_core.io.decode import load_image

    handle = ModelHandle(tiny_model)
    x = preprocess(load_image(fullres_files[0]), tiny_model.contract)
    fast = {"lime": {"samples": 100}}
    seen = []
    for method, why in registry.available(handle).items():
        for p in registry.get_explainer(method).params(handle):
            seen += [p.label, p.help]
        if why is None:
            for target in config.CLASS_NAMES:
                settings = {**fast.get(method, {}), "target": target}
                if "target" not in {p.name for p in registry.get_explainer(method).params(handle)}:
                    settings.pop("target")
                seen.append(registry.explain(handle, x, method, settings).caption)
    named = {c for s in seen for c in colours_named(s)}
    assert named <= ALLOWED, sorted(named - ALLOWED)
    assert np.any(["orange" in s for s in seen])  # LIME's caption says which colour is which
