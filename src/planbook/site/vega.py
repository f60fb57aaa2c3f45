"""Charts once the notebooks have made them: the runtime that draws them on the site
(the vendored Vega runtime plus planbook's loader) and their print images for the PDF.

Kept apart from :mod:`planbook.report.charts` so the Sphinx extension and the notebook workers
can use it without importing pandas and Altair.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from pathlib import Path

from planbook.report import PRINT_MIME, VEGA_LITE_BUNDLE

BUNDLE_NAME = "planbook-vega.js"
PNG_SCALE = 3  # ≈ 216 dpi at the chart's size on A4

# Bundled with the Vega runtime: draws a compiled Vega spec into its container with SVG.
LOADER_JS = """
window.planbookChart = function (id, spec) {
  var el = document.getElementById(id);
  if (!el) { return; }
  new vega.View(vega.parse(spec), {renderer: "svg", container: el, hover: true})
    .runAsync()
    .catch(function (err) { el.textContent = FAILED + err; });
};
"""


VEGA_VERSION = "6.2.0"
# The Vega runtime, vendored unmodified from the npm package vega@6.2.0 (build/vega.min.js,
# BSD-3-Clause, assets/VEGA-LICENSE.txt); scripts/update-vega.sh fetches a new one.
# tests/test_charts.py checks its checksum and that vl-convert compiles for this Vega version.
VEGA_FILE = Path(__file__).parent / "assets" / f"vega-{VEGA_VERSION}.min.js"
VEGA_SHA256 = "ea6a5936381d06f912466354e2b6a20eb66c4d41f1ca9dff1e0236dfee6ee392"


# The Vega-Lite compiler, vendored unmodified from the npm package vega-lite@6.4.1 (build/
# vega-lite.min.js, BSD-3-Clause, assets/VEGA-LITE-LICENSE.txt), in the version Altair writes
# specs for. Only the indicator pages load it: each compiles its one chart in the browser, so
# the build does not compile 57 charts (the chapters' charts are compiled at build time).
VEGA_LITE_VERSION = "6.4.1"
VEGA_LITE_FILE = Path(__file__).parent / "assets" / f"vega-lite-{VEGA_LITE_VERSION}.min.js"
VEGA_LITE_SHA256 = "6d5035fdd429b4bc6f91f3754426c3f516f3dbd8e08b105cfc2496bed4ebd254"
VEGA_LITE_LOADER = """
window.planbookLiteChart = function (id, spec) {
  var el = document.getElementById(id);
  if (!el) { return; }
  try { window.planbookChart(id, vegaLite.compile(spec).spec); } catch (err) { el.textContent = FAILED + err; }
};
"""


def lite_bundle_text() -> str:
    """The script of the indicator pages: the Vega-Lite compiler and its loader (after the Vega bundle)."""
    header = f"/*! vega-lite {VEGA_LITE_VERSION} | BSD-3-Clause | (c) University of Washington Interactive Data Lab */\n"
    from planbook.words import W

    failed = json.dumps(W("chart.failed"), ensure_ascii=False)
    return header + VEGA_LITE_FILE.read_text("utf-8") + "\n" + VEGA_LITE_LOADER.replace("FAILED", failed)


def bundle_text() -> str:
    """The chart script every page loads: the Vega runtime and the loader, one classic script."""
    header = f"/*! vega {VEGA_VERSION} | BSD-3-Clause | (c) University of Washington Interactive Data Lab */\n"
    from planbook.words import W

    failed = json.dumps(W("chart.failed"), ensure_ascii=False)
    return header + VEGA_FILE.read_text("utf-8") + "\n" + LOADER_JS.replace("FAILED", failed)


def write_js_bundle(folder: Path) -> Path:
    """Put the chart scripts into ``folder`` (the site serves them; nothing comes from a CDN):
    the one every page loads, and the Vega-Lite compiler the indicator pages add."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in ((VEGA_LITE_BUNDLE, lite_bundle_text()), (BUNDLE_NAME, bundle_text())):
        path = folder / name
        if not path.exists() or path.read_text("utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return folder / BUNDLE_NAME


def print_png(spec: dict) -> bytes:
    """The chart as PNG at print resolution, in the fixed CJK font (deterministic)."""
    import vl_convert as vlc

    return vlc.vegalite_to_png(spec, scale=PNG_SCALE)


def usable_png(data: bytes) -> bool:
    """A whole PNG file: its signature first and its end chunk last."""
    return data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82")


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# On paper a chart's pixel (at scale 1) is this many points, whatever the chart's width: its 12 px
# labels print at 7.9 pt (the coverage chart, 620 px wide, at 62 % of the line as the others, had
# its 11 px labels at 4.9 pt). Two to a row (planbook.book.pdf.chart_pairs) a chart takes half the
# line: 6.5 pt. Lines: 442 pt (公文, 156 mm) and 453 pt (book).
PRINT_PT_PER_PX = 0.66
LINE_PT = 442
# Axis and legend labels and titles on paper (px; 11 on the site): 6.5 pt with two charts to a row.
PRINT_LABEL_PX = 12
# The plot's height on paper (px): three rows of indicator charts with their captions to a page
# (two to a row: planbook.book.pdf.chart_pairs).
PRINT_HEIGHT = 120
_MD_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def print_figure(spec: dict) -> tuple[dict, str]:
    """The chart as the PDF prints it, and its caption. The title leaves the image for the
    figure's numbered caption (图2.1　…); the subtitle stays in the image, as its title; the plot
    is at most :data:`PRINT_HEIGHT` high; labels are :data:`PRINT_LABEL_PX`."""
    title = spec.get("title")
    text = title.get("text", "") if isinstance(title, dict) else title or ""
    printed = dict(spec)
    subtitle = title.get("subtitle") if isinstance(title, dict) else None
    if subtitle:
        printed["title"] = {"text": subtitle, "fontSize": 11, "fontWeight": "normal", "color": "#6b7280",
                            "anchor": "start"}
    else:
        printed.pop("title", None)
    if isinstance(printed.get("height"), (int, float)) and printed["height"] > PRINT_HEIGHT:
        printed["height"] = PRINT_HEIGHT
    config = dict(printed.get("config", {}))
    for part in ("axis", "legend"):
        config[part] = {**config.get(part, {}), "labelFontSize": PRINT_LABEL_PX, "titleFontSize": PRINT_LABEL_PX}
    printed["config"] = config
    return printed, " ".join(text) if isinstance(text, list) else str(text)


def print_width(png: bytes) -> str:
    """The width the PDF gives a print image: :data:`PRINT_PT_PER_PX` for each of its pixels, as
    a share of the line (at most all of it)."""
    pixels = int.from_bytes(png[16:20], "big") / PNG_SCALE
    return f"{min(100, round(pixels * PRINT_PT_PER_PX / LINE_PT * 100))}%"


def _figure_cells(cell, stem: str, first: int) -> list:
    """``cell`` as cells of one chart each (a figure with its caption: myst-nb's cell-level
    ``figure`` option captions every output of a cell alike), other outputs kept in order."""
    import copy

    pieces: list[tuple[list, dict | None]] = []
    for out in cell.get("outputs", []):
        caption = out.get("metadata", {}).get("planbook", {}).get("caption")
        if caption is not None:
            pieces.append(([out], {"caption": _MD_PUNCTUATION.sub(r"\\\1", caption) or " ",
                                   "name": f"{stem}-chart-{first + len([p for p in pieces if p[1]]) + 1}"}))
        elif pieces and pieces[-1][1] is None:
            pieces[-1][0].append(out)
        else:
            pieces.append(([out], None))
    cells = []
    for k, (outputs, figure) in enumerate(pieces):
        piece = copy.deepcopy(cell)
        piece["outputs"] = outputs  # each keeps the (hidden) source: myst-nb drops cells without one
        if k and "id" in piece:
            piece["id"] = f"{cell['id']}-{k}"  # cell ids are unique in a notebook
        meta = dict(piece["metadata"].get("mystnb", {}))
        meta.pop("figure", None)
        if figure:
            meta["figure"] = figure
        piece["metadata"]["mystnb"] = meta
        if not meta:
            del piece["metadata"]["mystnb"]
        cells.append(piece)
    return cells


def add_print_images(notebook: Path, cache: Path | None = None, output: Path | None = None) -> int:
    """Give every chart output of an executed notebook its PNG (for LaTeX); return how many.

    Each chart becomes a figure of its own, captioned with its title (:func:`print_figure`),
    its print image as wide as :func:`print_width` says. The notebook is rewritten, or written to
    ``output`` (complete or not at all). PNGs are kept in ``cache`` by a hash of their spec, so
    an unchanged chart is not drawn again.
    """
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    count = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            spec = out.get("data", {}).get(PRINT_MIME)
            if spec is None:
                continue
            spec, caption = print_figure(spec)
            key = hashlib.sha256(json.dumps(spec, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
            cached = cache / f"{key}.png" if cache is not None else None
            png = cached.read_bytes() if cached is not None and cached.is_file() else None
            if png is not None and not usable_png(png):  # damaged: drawn again
                png = None
            if png is None:
                png = print_png(spec)
                if cached is not None:
                    _write_atomic(cached, png)
            out["data"]["image/png"] = base64.b64encode(png).decode("ascii")
            out.setdefault("metadata", {})["image/png"] = {"width": print_width(png)}
            out["metadata"]["planbook"] = {"caption": caption}
            count += 1
    cells, charts = [], 0
    for cell in nb.cells:
        if any("planbook" in out.get("metadata", {}) for out in cell.get("outputs", [])):
            split = _figure_cells(cell, notebook.stem, charts)
            charts += sum(1 for c in split if "figure" in c["metadata"].get("mystnb", {}))
            cells += split
        else:
            cells.append(cell)
    nb.cells = cells
    text = nbformat.writes(nb)
    _write_atomic(output or notebook, (text if text.endswith("\n") else text + "\n").encode("utf-8"))
    return count
