"""Sphinx extension: keep the site offline and add planbook's own assets.

* writes the vega/vega-lite/vega-embed bundle and planbook.css into a static
  folder served by the site, and loads them on every page;
* removes any script or stylesheet that points outside the site (sphinx-thebe
  adds one from unpkg.com even with thebe switched off);
* shows the demo-data banner on every page while the edition holds demo values
  (``planbook_demo_banner`` in the config, set by ``planbook build``);
* makes the SVG math images deterministic (sorted glyph definitions);
* puts an edition bar on every page: the other editions (drawn by the site's
  ``editions.js``, so older editions list newer ones too) and the downloads
  (PDF, assessment and observations as CSV/XLSX).
"""

from __future__ import annotations

import html
import os
import re
import time
import shutil
from pathlib import Path

from sphinx.application import Sphinx

from . import __version__
from .charts import BUNDLE_NAME, write_js_bundle

EXTERNAL = re.compile(r"^(https?:)?//", re.IGNORECASE)
ASSETS = Path(__file__).parent / "assets"


def _wait_for_sources() -> None:
    """Block until the notebooks are in place when ``planbook build`` asks so (PLANBOOK_WAIT_FOR):
    Sphinx's start-up then overlaps with executing the notebooks."""
    flag = os.environ.get("PLANBOOK_WAIT_FOR")
    if not flag:
        return
    deadline = time.monotonic() + 3600
    while not Path(flag).exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up waiting for {flag}")
        time.sleep(0.05)


def _builder_inited(app: Sphinx) -> None:
    _wait_for_sources()
    if app.builder.format != "html":
        return
    static = Path(app.outdir).parent / "planbook-static"
    static.mkdir(parents=True, exist_ok=True)
    write_js_bundle(static)
    shutil.copyfile(ASSETS / "planbook.css", static / "planbook.css")
    app.config.html_static_path.append(str(static))
    app.add_js_file(BUNDLE_NAME, priority=200)
    app.add_css_file("planbook.css", priority=900)


def _offline(asset) -> bool:
    """False for assets that load from outside the site, or only serve thebe (which would)."""
    url = str(getattr(asset, "filename", asset) or "")
    body = str(getattr(asset, "attributes", {}).get("body", ""))
    return not (EXTERNAL.match(url) or "thebe" in url or "THEBE_JS_URL" in body)


# Assets a page can do without: fontawesome.js (1.5 MB for a dozen icons, which planbook.css
# draws with characters instead) and sphinx-design's files on pages that use no design element.
HEAVY = ("fontawesome",)
DESIGN = ("sphinx-design", "design-tabs")


def _wanted(asset, body: str) -> bool:
    url = str(getattr(asset, "filename", asset) or "")
    if any(name in url for name in HEAVY):
        return False
    if any(name in url for name in DESIGN) and "sd-" not in body:
        return False
    return _offline(asset)


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    body = context.get("body", "")
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [a for a in context[key] if _wanted(a, body)]
    banner = app.config.planbook_demo_banner
    if banner:
        context.setdefault("theme_announcement", banner)
    year = app.config.planbook_edition_year
    if year and "body" in context:
        context["body"] = edition_bar(pagename, year, app.config.planbook_pdf,
                                      app.config.planbook_downloads) + context["body"]


def edition_bar(pagename: str, year: int, pdf: str, downloads: dict) -> str:
    """Links to the other editions (filled in by the site's editions.js) and to the downloads."""
    edition_root = "../" * pagename.count("/")
    site_root = edition_root + "../"
    links = []
    if pdf:
        links.append(f'<a href="{edition_root}{html.escape(pdf)}" download>PDF 版</a>')
    labels = {"assessment": "评估结果", "observations": "观测数据"}
    for key, names in sorted(downloads.items()):
        files = " / ".join(f'<a href="{edition_root}downloads/{html.escape(name)}" download>{fmt.upper()}</a>'
                           for fmt, name in sorted(names.items()))
        links.append(f"{labels.get(key, key)} {files}")
    return (f'<div class="pb-edition-bar"><div id="pb-editions" data-root="{site_root}" '
            f'data-page="{html.escape(pagename)}.html" data-year="{int(year)}">{int(year)} 年度版</div>'
            f'<div class="pb-downloads">下载：{" · ".join(links)}</div></div>'
            f'<script src="{site_root}editions.js"></script>')


def canonical_svg(text: str) -> str:
    """Sort the glyph definitions of a dvisvgm SVG: dvisvgm writes them in an order that
    changes from run to run, which would make the math images (and pages) differ between builds."""
    def sort_defs(m: re.Match) -> str:
        lines = m.group(2).strip("\n").split("\n")
        if not all(re.fullmatch(r"<path id='[^']+' d='[^']*'/>", line) for line in lines):
            return m.group(0)
        return m.group(1) + "\n".join(sorted(lines)) + "\n" + m.group(3)

    return re.sub(r"(<defs>\n)(.*?)(</defs>)", sort_defs, text, flags=re.S)


def _deterministic_imgmath() -> None:
    from sphinx.ext import imgmath

    if getattr(imgmath.convert_dvi_to_svg, "_planbook", False):
        return
    original = imgmath.convert_dvi_to_svg

    def convert(dvipath, builder, out_path):
        depth = original(dvipath, builder, out_path)
        svg = Path(out_path)
        if svg.is_file():
            svg.write_text(canonical_svg(svg.read_text("utf-8")), encoding="utf-8")
        return depth

    convert._planbook = True
    imgmath.convert_dvi_to_svg = convert


def _config_inited(app: Sphinx, config) -> None:
    # Our template overrides (the theme's macros without fontawesome.js) come first.
    config.templates_path.insert(0, str(ASSETS / "templates"))


def setup(app: Sphinx) -> dict:
    app.add_config_value("planbook_demo_banner", "", "html")
    app.add_config_value("planbook_pdf", "", "html")  # file name of the edition's PDF, beside the site
    app.add_config_value("planbook_edition_year", 0, "html")
    app.add_config_value("planbook_downloads", {}, "html")  # {key: {csv: name, xlsx: name}}
    _deterministic_imgmath()
    app.connect("config-inited", _config_inited)
    app.connect("builder-inited", _builder_inited)
    app.connect("html-page-context", _page_context, priority=900)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
