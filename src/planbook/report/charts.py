"""Indicator charts (Altair / Vega-Lite) that work offline, on the site and in the PDF.

A chart is displayed as one output with two representations:

* ``text/html``: a container plus an inline ``vegaEmbed`` call; the vega,
  vega-lite and vega-embed code comes from one bundle the site serves itself
  (:func:`planbook.site.vega.write_js_bundle`), never from a CDN;
* ``image/png``: the same chart rendered by vl-convert at print resolution,
  which the LaTeX/PDF build picks.

Ids derive from a hash of the spec, so pages are byte-identical across builds.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from planbook.plan.catalogue import Indicator
from planbook.report.format import fmt_number, fmt_value, indicator_href, missing
from planbook.words import W
from planbook.report import PRINT_MIME

if TYPE_CHECKING:
    import altair as alt

# The PNG (and so the PDF) uses exactly this installed font; browsers take the first they have.
PNG_FONT = "Noto Sans CJK SC"
# The print image's width (px at scale 1); on the site a chart takes the width of its column.
PRINT_WIDTH = 340
WEB_FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif'


def theme_config(font: str) -> dict:
    return {
        "font": font,
        "view": {"stroke": None},
        "axis": {"labelFontSize": 11, "titleFontSize": 11, "grid": True, "gridColor": "#e5e7eb"},
        "legend": {"labelFontSize": 11, "titleFontSize": 11, "orient": "bottom"},
        "title": {"fontSize": 14, "anchor": "start", "subtitleFontSize": 11, "subtitleColor": "#6b7280"},
    }


def indicator_chart(ind: Indicator, series: pd.DataFrame, report_year: int, base: tuple[int, float] | None) -> dict:
    """Actual values, the straight path from base to each target, and the targets marked.

    ``series`` has columns ``year``, ``value``, ``kind`` (official / demo / plan). The result is
    a Vega-Lite spec written out as data (the same layers Altair would make, without Altair:
    building and serialising an Altair chart cost more than compiling it, and an edition
    draws a chart for every indicator page). tests/test_charts.py validates it against the schema.
    """
    unit = "" if ind.unit in ("/", "是/否") else ind.unit
    y_title = W("chart.axis_unit", name=ind.name_zh, unit=unit) if unit else ind.name_zh
    kind_zh = {k: W(f"chart_kind.{k}") for k in ("plan", "definition", "official", "demo")}
    kinds = [k for k in ("plan", "definition", "official", "demo") if k in set(series["kind"])]
    domain = [kind_zh[k] for k in kinds]
    shapes = {"plan": "square", "definition": "square", "official": "circle", "demo": "circle"}
    fills = {"plan": "#374151", "definition": "white", "official": "#2f6fb3", "demo": "white"}
    values = [{"year": int(y), "value": float(v), "kind_zh": kind_zh[k], "label": fmt_number(v, ind.decimals)}
              for y, v, k in zip(series["year"].tolist(), series["value"].tolist(), series["kind"].tolist())]
    path_rows = []
    if base is not None:
        for t in ind.targets:
            path = W("chart.path", year=t.year)
            path_rows += [{"year": int(base[0]), "value": float(base[1]), "path": path},
                          {"year": t.year, "value": float(t.value), "path": path}]
    targets = [{"year": t.year, "value": float(t.value),
                "label": W("chart.target_label", year=t.year, sign=W(f"comparison.{t.comparison}"),
                           value=fmt_number(t.value, ind.decimals))} for t in ind.targets]
    years = sorted({v["year"] for v in values} | {r["year"] for r in path_rows} | {t.year for t in ind.targets})
    x = {"field": "year", "type": "quantitative", "title": W("chart.year"),
         "axis": {"format": "d", "tickMinStep": 1, "labelAngle": 0},
         "scale": {"domain": [min(years), max(years)] if years else [report_year - 1, report_year],
                   "nice": False, "padding": 12}}
    y = {"field": "value", "type": "quantitative", "title": y_title, "scale": {"zero": False}}
    layers: list[dict] = []
    if path_rows:
        layers.append({"data": {"values": path_rows},
                       "mark": {"type": "line", "strokeDash": [4, 4], "color": "#9ca3af"},
                       "encoding": {"x": x, "y": y, "detail": {"field": "path", "type": "nominal"}}})
    if targets:
        layers.append({"data": {"values": targets},
                       "mark": {"type": "point", "shape": "diamond", "size": 120, "filled": True, "color": "#b42318"},
                       "encoding": {"x": x, "y": y,
                                    "tooltip": [{"field": "label", "type": "nominal", "title": W("chart.target")}]}})
        # Ending at the diamond (not centred on it), a label at the last year stays inside the chart.
        layers.append({"data": {"values": targets},
                       "mark": {"type": "text", "dy": -12, "dx": 6, "align": "right", "fontSize": 10,
                                "color": "#b42318"},
                       "encoding": {"x": x, "y": y, "text": {"field": "label", "type": "nominal"}}})
    if values:
        layers.append({"data": {"values": values}, "mark": {"type": "line", "color": "#2f6fb3"},
                       "encoding": {"x": x, "y": y}})
        legend = {"field": "kind_zh", "type": "nominal", "title": W("chart.kind")}
        layers.append({"data": {"values": values},
                       "mark": {"type": "point", "size": 60, "strokeWidth": 2, "opacity": 1},
                       "encoding": {
                           "x": x, "y": y, "color": {"value": "#2f6fb3"},
                           "shape": {**legend, "scale": {"domain": domain, "range": [shapes[k] for k in kinds]}},
                           "fill": {**legend, "scale": {"domain": domain, "range": [fills[k] for k in kinds]}},
                           "tooltip": [{"field": "year", "type": "quantitative", "title": W("chart.year"), "format": "d"},
                                       {"field": "label", "type": "nominal", "title": W("chart.value")},
                                       {"field": "kind_zh", "type": "nominal", "title": W("chart.kind")}]}})
    subtitle = [W("chart.as_of", year=report_year)]
    if "demo" in set(series["kind"]):
        subtitle.append(W("demo.chart_subtitle"))
    if not layers:  # nothing to draw: an empty frame with the title
        layers.append({"data": {"values": [{"year": report_year}]}, "mark": {"type": "point", "opacity": 0},
                       "encoding": {"x": x}})
    return {"layer": layers, "width": PRINT_WIDTH, "height": 200,
            "title": {"text": ind.name_zh, "subtitle": " · ".join(subtitle)}}


def chart_spec(chart: alt.TopLevelMixin | dict, font: str) -> dict:
    """The chart's Vega-Lite spec with the theme for ``font``.

    The build passes the spec made once by ``chart.to_dict(validate=False)``: Altair's schema
    validation costs more than the rest of a chapter together, and the specs these functions
    make are validated against the Vega-Lite schema in tests/test_charts.py instead.
    """
    spec = dict(chart) if isinstance(chart, dict) else chart.to_dict()
    spec["config"] = {**spec.get("config", {}), **theme_config(font)}
    return spec


def _chart_id(spec: dict, key: str) -> str:
    text = key + json.dumps(spec, sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return f"pb-chart-{digest[:12]}"


def _script_json(spec: dict) -> str:
    # "</" would end the <script> element early; escape it (and friends) inside JSON strings.
    text = json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\!--").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


@dataclass(frozen=True)
class ChartOutput:
    """What a notebook cell displays: HTML for the site, and the print spec for the PDF.

    The print spec (Vega-Lite with the fixed CJK font) travels in the output as
    ``PRINT_MIME``; the PDF build turns it into a PNG at print resolution
    (:func:`planbook.site.vega.add_print_images`), so building the website never pays for rasterising.
    """

    html: str
    print_spec: dict
    alt_text: str

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.html, PRINT_MIME: self.print_spec, "text/plain": self.alt_text}


# The Vega-Lite version Altair writes specs for (6.4), as vl-convert names it; a test keeps the
# two equal (importing Altair only to ask would cost the build 0.3 s).
VL_VERSION = "6_4"


def vl_version() -> str:
    return VL_VERSION


def responsive(spec: dict) -> dict:
    """The spec as the site draws it: as wide as its column (a phone's 358 px or a desktop's),
    with axis titles, labels and legend fitted inside that width, never cut off."""
    if not isinstance(spec.get("width"), (int, float)):
        return spec
    return {**spec, "width": "container", "autosize": {"type": "fit-x", "contains": "padding"}}


def render(chart: alt.TopLevelMixin | dict, alt_text: str, key: str = "", link: tuple[str, str] | None = None) -> ChartOutput:
    """Both representations of a chart. ``key`` tells apart the same chart shown twice on a page;
    ``link`` (address, text) is shown under the chart on the site (the indicator's own page).

    The page gets the chart compiled to a Vega spec at build time, so the browser needs only
    the Vega runtime (not the Vega-Lite compiler or vega-embed): a lighter script, faster charts.
    """
    import vl_convert as vlc

    spec = dict(chart) if isinstance(chart, dict) else chart.to_dict(validate=False)
    web = vlc.vegalite_to_vega(responsive(chart_spec(spec, WEB_FONT)), vl_version=vl_version())
    web.pop("$schema", None)  # an identifier only, but keep pages free of outside URLs
    cid = _chart_id(web, key)
    html = (f'<div class="pb-chart" id="{cid}" role="img" aria-label="{_attr(alt_text)}"></div>'
            f'<script>planbookChart("{cid}", {_script_json(web)});</script>')
    if link:
        html += f'<p class="pb-chart-link"><a href="{_attr(link[0])}">{_attr(link[1])}</a></p>'
    return ChartOutput(html=html, print_spec=chart_spec(spec, PNG_FONT), alt_text=alt_text)


def render_in_browser(spec: dict, alt_text: str, key: str = "") -> str:
    """A chart's HTML for a page that loads the Vega-Lite compiler (the indicator pages): the
    spec is compiled by the browser, not by the build (see :data:`planbook.site.vega.VEGA_LITE_BUNDLE`)."""
    web = responsive(chart_spec(spec, WEB_FONT))
    cid = _chart_id(web, key)
    return (f'<div class="pb-chart" id="{cid}" role="img" aria-label="{_attr(alt_text)}"></div>'
            f'<script>planbookLiteChart("{cid}", {_script_json(web)});</script>')


def _attr(text: str) -> str:
    import html as _html

    return _html.escape(text, quote=True)


def chart_parts(report, ind: Indicator, row=None, series: pd.DataFrame | None = None) -> tuple[dict, str]:
    """The indicator's chart spec and its text in an edition (``row``: its first record in
    ``report.frame``, ``series``: ``report.series(ind)``; looked up when not given)."""
    row = report.frame[report.frame["id"] == ind.id].iloc[0] if row is None else row
    base = None if missing(row["base_year"]) else (int(row["base_year"]), float(row["base_value"]))
    if ind.kind == "cumulative":
        base = None  # a running total has no straight path from a level baseline
    series = report.series(ind) if series is None else series
    return indicator_chart(ind, series, report.year, base), alt_text(ind, series)


def chart_for(report, ind: Indicator, key: str = "", link: bool = True) -> ChartOutput:
    """The indicator's chart in an edition (``report``: a :class:`planbook.report.report.Report`).

    On a chapter page the chart links to the indicator's own page (``link``)."""
    spec, text = chart_parts(report, ind)
    target = (indicator_href(ind.id), W("indicator_page.link", name=ind.name_zh)) if link else None
    return render(spec, alt_text=text, key=key, link=target)


def alt_text(ind: Indicator, series: pd.DataFrame) -> str:
    """The chart in words, for screen readers and the page's text."""
    demo = W("demo.sentence_suffix")
    values = W("list_sep").join(W("chart.alt_value", year=int(y), value=fmt_value(v, ind.decimals, ind.unit),
                                   demo=demo if k == "demo" else "")
                                 for y, v, k in zip(series["year"].tolist(), series["value"].tolist(), series["kind"].tolist()))
    targets = W("list_sep").join(W("chart.alt_target", year=t.year, target=t.as_written) for t in ind.targets)
    return W("chart.alt", name=ind.name_zh, values=values or W("chart.no_data"), targets=targets or W("status.no_target"))
