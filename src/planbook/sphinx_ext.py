"""Sphinx extension: keep the site offline and add planbook's own assets.

* writes the vega/vega-lite/vega-embed bundle and planbook.css into a static
  folder served by the site, and loads them on every page;
* removes any script or stylesheet that points outside the site (sphinx-thebe
  adds one from unpkg.com even with thebe switched off);
* shows the demo-data banner on every page while the edition holds demo values
  (``planbook_demo_banner`` in the config, set by ``planbook build``);
* links every page to the edition's PDF when one is built (``planbook_pdf``).
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

from sphinx.application import Sphinx

from . import __version__
from .charts import BUNDLE_NAME, write_js_bundle

EXTERNAL = re.compile(r"^(https?:)?//", re.IGNORECASE)
ASSETS = Path(__file__).parent / "assets"


def _builder_inited(app: Sphinx) -> None:
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


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [a for a in context[key] if _offline(a)]
    banner = app.config.planbook_demo_banner
    if banner:
        context.setdefault("theme_announcement", banner)
    pdf = app.config.planbook_pdf
    if pdf and "body" in context:
        href = html.escape(context["pathto"](pdf, 1), quote=True)
        link = (f'<p class="pb-pdf-link"><a href="{href}" download>下载本评估的 PDF 版'
                f'（{html.escape(pdf)}）</a></p>')
        context["body"] = link + context["body"]


def setup(app: Sphinx) -> dict:
    app.add_config_value("planbook_demo_banner", "", "html")
    app.add_config_value("planbook_pdf", "", "html")  # file name of the edition's PDF, beside the site
    app.connect("builder-inited", _builder_inited)
    app.connect("html-page-context", _page_context, priority=900)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
