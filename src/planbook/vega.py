"""The chart runtime every page loads: the vendored Vega runtime plus planbook's loader.

Kept apart from :mod:`planbook.charts` so the Sphinx extension can serve it without
importing pandas and Altair.
"""

from __future__ import annotations

from pathlib import Path

BUNDLE_NAME = "planbook-vega.js"

# Bundled with the Vega runtime: draws a compiled Vega spec into its container with SVG.
LOADER_JS = """
window.planbookChart = function (id, spec) {
  var el = document.getElementById(id);
  if (!el) { return; }
  new vega.View(vega.parse(spec), {renderer: "svg", container: el, hover: true})
    .runAsync()
    .catch(function (err) { el.textContent = "图表无法显示：" + err; });
};
"""


VEGA_VERSION = "6.2.0"
# The Vega runtime, vendored unmodified from the npm package vega@6.2.0 (build/vega.min.js,
# BSD-3-Clause, assets/VEGA-LICENSE.txt); scripts/update-vega.sh fetches a new one.
# tests/test_charts.py checks its checksum and that vl-convert compiles for this Vega version.
VEGA_FILE = Path(__file__).parent / "assets" / f"vega-{VEGA_VERSION}.min.js"
VEGA_SHA256 = "ea6a5936381d06f912466354e2b6a20eb66c4d41f1ca9dff1e0236dfee6ee392"


def bundle_text() -> str:
    """The chart script every page loads: the Vega runtime and the loader, one classic script."""
    header = f"/*! vega {VEGA_VERSION} | BSD-3-Clause | (c) University of Washington Interactive Data Lab */\n"
    return header + VEGA_FILE.read_text("utf-8") + "\n" + LOADER_JS


def write_js_bundle(folder: Path) -> Path:
    """Put the chart script into ``folder`` (the site serves it; nothing comes from a CDN)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / BUNDLE_NAME
    text = bundle_text()
    if not path.exists() or path.read_text("utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path
