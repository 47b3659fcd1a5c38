"""The reading viewer: the X-ray as large as the screen allows, window/level by drag, key or
preset, zoom to fit or 1:1; and the reading keys that drive the read form.

One `st.components.v2` component (no iframe): the image is drawn on a canvas and window/level
runs in the browser (a 256-entry lookup table per redraw), so dragging is immediate and the
server is not asked. Its settings persist while the tab is open (sessionStorage), across
cases and reloads. The keys act on the page's own widgets, found by their keys (Streamlit
marks each keyed element with the class `st-key-<key>`), so a key press does exactly what the
click would: N / P verdict, 1-5 confidence, Enter save (or the next case once read), K keep the
blinded read, arrows previous / next case. Typing in a text field is never intercepted.
"""

from __future__ import annotations

import base64

import numpy as np
import streamlit as st

from xray_core.review.images import png_bytes
from xray_core.review.viewing import PRESETS

KEYS_HELP = (
    "Keys: **N** / **P** verdict · **1–5** confidence · **Enter** save · **K** keep your "
    "blinded read · **←** / **→** cases · drag on the image: left–right window, up–down level · "
    "**V** next preset · **F** fit · **Z** 1:1 · **R** reset · **[** **]** window · "
    "**-** **=** level"
)

HTML = """<div class="xv">
  <div class="xv-bar"><span class="xv-presets"></span><span class="xv-gap"></span>
    <button data-zoom="fit" title="F">Fit</button><button data-zoom="one" title="Z">1:1</button>
    <button data-reset title="R">Reset</button></div>
  <div class="xv-view"><span class="xv-wl"></span>
    <div class="xv-stage" tabindex="0" aria-label="X-ray viewer"><canvas></canvas></div></div>
</div>"""

CSS = """
.xv { font: 13px/1.3 "Source Sans Pro", sans-serif; color: var(--st-text-color, #222); }
.xv-bar { display: flex; flex-wrap: wrap; gap: 4px; align-items: center; margin-bottom: 4px; }
.xv-bar button { border: 1px solid #bbb; background: transparent; color: inherit;
  border-radius: 6px; padding: 1px 8px; cursor: pointer; font: inherit; }
.xv-bar button.on { border-color: #ff4b4b; color: #ff4b4b; }
.xv-gap { flex: 1; }
.xv-wl { position: absolute; left: 8px; top: 6px; z-index: 1; color: #ddd; font-size: 12px;
  text-shadow: 0 0 3px #000; pointer-events: none; font-variant-numeric: tabular-nums; }
.xv-view { position: relative; }
.xv-stage { height: calc(100vh - 150px); min-height: 300px; background: #000; overflow: hidden;
  display: flex; align-items: center; justify-content: center; border-radius: 6px;
  cursor: ns-resize; touch-action: none; }
.xv-stage.one { overflow: auto; display: grid; place-items: safe center; }
.xv-stage canvas { display: block; image-rendering: auto; }
.xv-stage.one canvas { image-rendering: pixelated; }
"""

JS = """
const STORE = "xray_review_viewer";
const CONTROL = ["review_verdict", "review_conf", "review_save", "review_keep", "review_next",
                 "review_back", "review_fwd"];

function load(presets) {
  try { const s = JSON.parse(sessionStorage.getItem(STORE)); if (s && s.width) return s; }
  catch (e) {}
  return { level: presets[0][1], width: presets[0][2], zoom: "fit", preset: 0 };
}

function find(prefix) { return document.querySelector(`[class*="st-key-${prefix}"]`); }

function act(test, timeoutMs = 2500) {
  // Run `test` until it finds and clicks something (the widget may appear after a rerun).
  const t0 = Date.now();
  const tick = () => { if (!test() && Date.now() - t0 < timeoutMs) setTimeout(tick, 100); };
  tick();
}

function clickLabel(prefix, match) {
  return () => {
    const box = find(prefix);
    if (!box) return false;
    const label = [...box.querySelectorAll("label")].find(l => match(l.innerText.trim()));
    if (!label) return false;
    label.click();
    if (document.activeElement) document.activeElement.blur();  // keys stay with the page
    return true;
  };
}

function clickButton(prefix) {
  return () => {
    const b = find(prefix) && find(prefix).querySelector("button");
    if (!b || b.disabled) return false;
    b.click();
    return true;
  };
}

function onKey(e) {
  const t = e.target;
  if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
  const typing = t && (t.isContentEditable || /^(TEXTAREA|SELECT)$/.test(t.tagName) ||
    (t.tagName === "INPUT" && !/^(radio|checkbox|button)$/.test(t.type)));
  if (typing) return;
  const k = e.key;
  const v = window.__xrayViewer;
  let done = true;
  if (k === "n" || k === "N") act(clickLabel("review_verdict", s => s === "NORMAL"));
  else if (k === "p" || k === "P") act(clickLabel("review_verdict", s => s === "PNEUMONIA"));
  else if (/^[1-5]$/.test(k)) act(clickLabel("review_conf", s => s.startsWith(k + " ")));
  else if (k === "Enter") act(() => clickButton("review_save")() || clickButton("review_next")());
  else if (k === "k" || k === "K") act(clickButton("review_keep"));
  else if (k === "ArrowRight") act(clickButton("review_fwd"), 0);
  else if (k === "ArrowLeft") act(clickButton("review_back"), 0);
  else if (v && v.key(k)) {}
  else done = false;
  if (done) e.preventDefault();
}

export default function (component) {
  const { data, parentElement } = component;
  const root = parentElement.querySelector(".xv");
  const stage = root.querySelector(".xv-stage");
  const canvas = root.querySelector("canvas");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const presets = data.presets;
  let s = load(presets);
  const mem = root.__xv || (root.__xv = { base: null, frame: 0 });  // kept across reruns

  const bar = root.querySelector(".xv-presets");
  if (!bar.childElementCount) presets.forEach((p, i) => {
    const b = document.createElement("button");
    b.textContent = p[0];
    b.dataset.preset = i;
    bar.appendChild(b);
  });

  function save() { try { sessionStorage.setItem(STORE, JSON.stringify(s)); } catch (e) {} }

  function layout() {
    // the stage reaches down to the window's bottom edge: the image gets the screen's height
    const top = stage.getBoundingClientRect().top + window.scrollY;
    stage.style.height = Math.max(300, window.innerHeight - top - 12) + "px";
    stage.classList.toggle("one", s.zoom === "one");
    root.querySelector('[data-zoom="fit"]').classList.toggle("on", s.zoom === "fit");
    root.querySelector('[data-zoom="one"]').classList.toggle("on", s.zoom === "one");
    if (!mem.base) return;
    let f = 1;
    if (s.zoom === "fit") f = Math.min(stage.clientWidth / data.w, stage.clientHeight / data.h);
    canvas.style.width = Math.round(data.w * f) + "px";
    canvas.style.height = Math.round(data.h * f) + "px";
  }

  function draw() {
    mem.frame = 0;
    const base = mem.base;
    if (!base) return;
    const lo = s.level - s.width / 2, lut = new Uint8ClampedArray(256);
    for (let i = 0; i < 256; i++) lut[i] = Math.round((i - lo) * 255 / s.width);
    const out = ctx.createImageData(base.width, base.height), a = base.data, b = out.data;
    for (let i = 0; i < a.length; i += 4) {
      const g = lut[a[i]];
      b[i] = g; b[i + 1] = g; b[i + 2] = g; b[i + 3] = 255;
    }
    ctx.putImageData(out, 0, 0);
    root.querySelector(".xv-wl").textContent =
      `W ${Math.round(s.width)} · L ${Math.round(s.level)}`;
    bar.querySelectorAll("button").forEach((b, i) => b.classList.toggle("on", i === s.preset));
  }

  function redraw() { save(); if (!mem.frame) mem.frame = requestAnimationFrame(draw); }

  function setWL(level, width, preset = -1) {
    s.width = Math.min(255, Math.max(1, width));
    s.level = Math.min(255, Math.max(0, level));
    s.preset = preset;
    redraw();
  }

  function usePreset(i) { const p = presets[i]; setWL(p[1], p[2], i); }
  function zoom(z) { s.zoom = z; save(); layout(); }

  window.__xrayViewer = {
    key(k) {
      if (k === "v" || k === "V") usePreset(((s.preset < 0 ? -1 : s.preset) + 1) % presets.length);
      else if (k === "f" || k === "F") zoom("fit");
      else if (k === "z" || k === "Z") zoom(s.zoom === "one" ? "fit" : "one");
      else if (k === "r" || k === "R") { usePreset(0); zoom("fit"); }
      else if (k === "[") setWL(s.level, s.width - 10);
      else if (k === "]") setWL(s.level, s.width + 10);
      else if (k === "-") setWL(s.level + 8, s.width);
      else if (k === "=") setWL(s.level - 8, s.width);
      else return false;
      return true;
    },
  };

  root.onclick = (e) => {
    const b = e.target.closest("button");
    if (!b) return;
    if (b.dataset.preset !== undefined) usePreset(Number(b.dataset.preset));
    else if (b.dataset.zoom) zoom(b.dataset.zoom);
    else if (b.dataset.reset !== undefined) { usePreset(0); zoom("fit"); }
  };

  let drag = null;
  stage.onpointerdown = (e) => {
    drag = { x: e.clientX, y: e.clientY, level: s.level, width: s.width, pan: e.shiftKey,
             left: stage.scrollLeft, top: stage.scrollTop };
    stage.setPointerCapture(e.pointerId);
  };
  stage.onpointermove = (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (drag.pan) { stage.scrollLeft = drag.left - dx; stage.scrollTop = drag.top - dy; }
    else setWL(drag.level - dy * 0.5, drag.width + dx * 0.5);
  };
  stage.onpointerup = stage.onpointercancel = () => { drag = null; };

  if (!window.__xrayReviewKeys) {
    window.__xrayReviewKeys = true;
    document.addEventListener("keydown", onKey);
  }
  root.__layout = layout;
  if (!root.__resize) {
    root.__resize = new ResizeObserver(() => root.__layout());
    root.__resize.observe(root);
    window.addEventListener("resize", () => root.__layout());
  }

  if (root.dataset.src !== data.key) {
    root.dataset.src = data.key;
    const img = new Image();
    img.onload = () => {
      if (root.dataset.src !== data.key) return;
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      ctx.drawImage(img, 0, 0);
      mem.base = ctx.getImageData(0, 0, canvas.width, canvas.height);
      layout();
      draw();
      root.dataset.ready = "1";
    };
    root.dataset.ready = "";
    img.src = data.src;
  } else {
    layout();
    draw();
  }
}
"""

COMPACT_CSS = """<style>
.stMainBlockContainer { padding-top: 3.2rem; padding-bottom: 1rem; }
</style>"""

_component = st.components.v2.component("xray_review_viewer", html=HTML, css=CSS, js=JS)


@st.cache_data(show_spinner=False, max_entries=64)
def _data_url(sha256: str, gray: np.ndarray) -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes(gray)).decode("ascii")


def compact_page() -> None:
    """Less padding above the page, so the image gets the screen's height (this page only)."""
    st.html(COMPACT_CSS)


def viewer(gray: np.ndarray, sha256: str, key: str = "review_viewer") -> None:
    """The X-ray `gray` ((H, W) uint8, the stored reading image) in the reading viewer."""
    h, w = gray.shape
    _component(
        data={"src": _data_url(sha256, gray), "key": sha256, "w": w, "h": h,
              "presets": [list(p) for p in PRESETS]},
        key=key,
    )  # fmt: skip
