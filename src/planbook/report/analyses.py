"""Each chapter's own analysis, beyond the common scorecard, as the catalogue declares it.

A dimension of the catalogue may name an ``analysis``: ``{kind, title_zh, series, …}``. The kinds:

* ``coverage`` — the dimension's indicators in % side by side, latest value against target;
* ``focus`` — one series against its base and next target (``in_days``: a share of the year,
  also said in days);
* ``path`` — one series against the straight path to each of its targets, with the official
  context figures (``context``: numerator and denominator) whose ratio restates it;
* ``gap`` — two series and the gap between them, year by year.

Each returns a sentence (glued into the prose) and the outputs to show.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from planbook.assess.progress import required_annual_change
from planbook.report import charts
from planbook.report.format import Cell, Table, fmt_number, fmt_value
from planbook.report.report import Report
from planbook.words import W


@dataclass
class Analysis:
    title: str
    sentence: str
    outputs: list = field(default_factory=list)


def _demo(kind: str) -> str:
    return W("demo.sentence_suffix") if kind == "demo" else ""


def _next_target(report: Report, ind):
    upcoming = [t for t in ind.targets if t.year >= report.year]
    return upcoming[0] if upcoming else (ind.targets[-1] if ind.targets else None)


def coverage(report: Report, dimension: str, spec: dict) -> Analysis:
    """The dimension's indicators in %, latest value against their next target."""
    import altair as alt

    title = spec["title_zh"]
    rows, full, values = [], 0, []
    for ind in report.cat.table:
        if ind.dimension != dimension or ind.unit != "%":
            continue
        last, target = report.latest(ind.id), _next_target(report, ind)
        if last is None or target is None:
            continue
        _, value, kind = last
        values.append(value)
        full += value >= 100 - 1e-9
        rows.append({"indicator": ind.name_zh, "value": value, "target": target.value, "kind": kind,
                     "label": fmt_value(value, ind.decimals, "%") + _demo(kind)})
    if not rows:
        return Analysis(title, W("analysis.coverage.none", dimension=report.cat.dimension_by_id[dimension].name_zh))
    frame = pd.DataFrame(rows)
    sentence = W("analysis.coverage.sentence", dimension=report.cat.dimension_by_id[dimension].name_zh,
                 n=len(rows), full=full, mean=fmt_number(sum(values) / len(values), 1))
    bars = alt.Chart(frame).mark_bar(color="#2f6fb3", opacity=0.8).encode(
        y=alt.Y("indicator:N", title=None, sort=None),
        x=alt.X("value:Q", title=W("analysis.coverage.axis"), scale=alt.Scale(domain=[0, 100])),
        tooltip=[alt.Tooltip("indicator:N", title=W("col.indicator")), alt.Tooltip("label:N", title=W("chart.value"))])
    ticks = alt.Chart(frame).mark_tick(color="#b42318", thickness=2, size=18).encode(
        y=alt.Y("indicator:N", sort=None), x=alt.X("target:Q"))
    subtitle = W("analysis.coverage.subtitle") + (W("analysis.demo_subtitle") if (frame["kind"] == "demo").any() else "")
    chart = alt.layer(bars, ticks).properties(width=420, height=28 * len(rows),
                                              title=alt.Title(title, subtitle=subtitle))
    return Analysis(title, sentence, [charts.render(chart, sentence)])


def _one_series(report: Report, spec: dict):
    """The analysis' series and its latest value; None (with the sentence to say so) without them."""
    ind = report.cat.by_id[spec["series"][0]]
    last = report.latest(ind.id)
    if last is None or ind.baseline is None:
        return ind, None, Analysis(spec["title_zh"], W("analysis.focus.none", name=ind.name_zh))
    return ind, last, None


def focus(report: Report, dimension: str, spec: dict) -> Analysis:
    """One series: its latest value against the base and the next target."""
    title = spec["title_zh"]
    ind, last, nothing = _one_series(report, spec)
    if nothing:
        return nothing
    year, value, kind = last
    base, target = ind.baseline, _next_target(report, ind)
    change = value - base.value
    days = W("analysis.focus.days", days=f"{value / 100 * 365:.0f}") if spec.get("in_days") else ""
    sentence = W("analysis.focus.sentence", year=year, name=ind.name_zh, value=fmt_value(value, ind.decimals, ind.unit),
                 demo=_demo(kind), days=days, base_year=base.year, base=fmt_value(base.value, ind.decimals, ind.unit),
                 direction=W("analysis.up") if change >= 0 else W("analysis.down"),
                 change=fmt_number(abs(change), ind.decimals), unit=W("analysis.points") if ind.unit == "%" else ind.unit)
    if target is not None:
        gap = target.value - value if ind.direction == "higher" else value - target.value
        if gap <= 0:
            sentence += W("analysis.focus.met", year=target.year)
        else:
            in_days = W("analysis.focus.gap_days", days=f"{gap / 100 * 365:.0f}") if spec.get("in_days") else ""
            sentence += W("analysis.focus.gap", year=target.year, target=fmt_value(target.value, ind.decimals, ind.unit),
                          gap=fmt_number(gap, ind.decimals), unit=W("analysis.points") if ind.unit == "%" else ind.unit,
                          days=in_days)
    else:
        sentence += W("full_stop")
    return Analysis(title, sentence, [charts.chart_for(report, ind, key="analysis")])


def path(report: Report, dimension: str, spec: dict) -> Analysis:
    """One series against the straight path from its base to each target."""
    title = spec["title_zh"]
    ind, last, nothing = _one_series(report, spec)
    if nothing:
        return nothing
    year, value, kind = last
    base = ind.baseline
    d = ind.decimals
    sentence = W("analysis.path.sentence", name=ind.name_zh, base_year=base.year, base=fmt_number(base.value, d),
                 year=year, value=fmt_number(value, d), demo=_demo(kind))
    lower = ind.direction == "lower"
    rows = []
    for t in ind.targets:
        on_path = base.value + (t.value - base.value) * (year - base.year) / (t.year - base.year)
        need = required_annual_change(value, year, t.value, t.year)
        met = value <= t.value + 1e-9 if lower else value >= t.value - 1e-9
        still = W("analysis.path.met") if met else (W("none_text") if need is None else W(
            "analysis.path.per_year", direction=W("analysis.down") if need < 0 else W("analysis.up"),
            change=fmt_number(abs(need), d + 1)))
        rows.append([Cell(W("year_target_value", year=t.year, target=t.as_written)), Cell(fmt_number(on_path, d)),
                     Cell(fmt_number(value, d), demo=kind == "demo"), Cell(still)])
    final = ind.targets[-1] if ind.targets else None
    need = required_annual_change(value, year, final.value, final.year) if final else None
    behind = final is not None and (value > final.value if lower else value < final.value)
    if need is not None and behind:
        sentence += W("analysis.path.need", year=final.year, target=fmt_number(final.value, d),
                      direction=W("analysis.down") if need < 0 else W("analysis.up"), change=fmt_number(abs(need), d + 1))
    else:
        sentence += W("full_stop")
    context = spec.get("context") or []
    if len(context) == 2:
        obs = report.data.upto(report.year)
        top, bottom = (obs[obs["indicator_id"] == c] for c in context)
        both = top.merge(bottom, on="year", suffixes=("_u", "_r"))
        names = [report.cat.series_meta(c) for c in context]
        for rec in both.itertuples(index=False):
            sentence += W("analysis.path.context", year=rec.year, top=names[0].name_zh, bottom=names[1].name_zh,
                          top_value=fmt_value(rec.value_u, names[0].decimals, names[0].unit),
                          bottom_value=fmt_value(rec.value_r, names[1].decimals, names[1].unit),
                          ratio=fmt_number(rec.value_u / rec.value_r, d), source=rec.source_u)
    table = Table(columns=[W("col.target"), W("analysis.path.col_path", year=year), W("col.value", year=year),
                           W("analysis.path.col_need")], rows=rows,
                  caption=W("analysis.path.caption", name=ind.name_zh), numeric=frozenset({1, 2}))
    return Analysis(title, sentence, [table, charts.chart_for(report, ind, key="analysis")])


def gap(report: Report, dimension: str, spec: dict) -> Analysis:
    """Two series and the gap between them, year by year."""
    import altair as alt

    title = spec["title_zh"]
    a_ind, b_ind = (report.cat.by_id[s] for s in spec["series"][:2])
    obs = report.data.upto(report.year)
    a = obs[obs["indicator_id"] == a_ind.id][["year", "value", "kind"]]
    b = obs[obs["indicator_id"] == b_ind.id][["year", "value", "kind"]]
    both = a.merge(b, on="year", suffixes=("_a", "_b")).sort_values("year")
    if both.empty:
        return Analysis(title, W("analysis.gap.none", a=a_ind.name_zh, b=b_ind.name_zh))
    both["gap"] = both["value_a"] - both["value_b"]
    both["demo"] = (both["kind_a"] == "demo") | (both["kind_b"] == "demo")
    first, last = both.iloc[0], both.iloc[-1]
    change = last["gap"] - first["gap"]
    d = a_ind.decimals
    unit = W("analysis.points") if a_ind.unit == "%" else a_ind.unit
    sentence = W("analysis.gap.sentence", year=int(last["year"]), a=a_ind.name_zh, b=b_ind.name_zh,
                 gap=fmt_number(last["gap"], d), unit=unit, demo=W("demo.sentence_suffix") if last["demo"] else "",
                 first_year=int(first["year"]), first_gap=fmt_number(first["gap"], d),
                 direction=W("analysis.gap.narrower") if change < 0 else W("analysis.gap.wider"),
                 change=fmt_number(abs(change), d))
    ta, tb = _next_target(report, a_ind), _next_target(report, b_ind)
    if ta and tb and ta.year == tb.year:
        sentence += W("analysis.gap.target", year=ta.year, a=ta.as_written, b=tb.as_written,
                      gap=fmt_number(ta.value - tb.value, 0), unit=unit)
    rows = [[Cell(str(int(r.year))), Cell(fmt_number(r.value_a, d), demo=r.kind_a == "demo"),
             Cell(fmt_number(r.value_b, d), demo=r.kind_b == "demo"), Cell(fmt_number(r.gap, d), demo=bool(r.demo))]
            for r in both.itertuples(index=False)]
    unit_note = W("analysis.gap.col_unit", unit=a_ind.unit) if a_ind.unit else ""
    table = Table(columns=[W("col.year"), a_ind.name_zh + unit_note, b_ind.name_zh + unit_note,
                           W("analysis.gap.col_gap", unit=unit)], rows=rows,
                  caption=W("analysis.gap.caption", a=a_ind.name_zh, b=b_ind.name_zh), numeric=frozenset({1, 2, 3}))
    long = pd.concat([
        pd.DataFrame({"year": both["year"], "value": both["value_a"], "series": a_ind.name_zh}),
        pd.DataFrame({"year": both["year"], "value": both["value_b"], "series": b_ind.name_zh}),
    ])
    subtitle = W("demo.chart_mixed") if both["demo"].any() else W("demo.official_only")
    chart = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("year:O", title=W("chart.year"), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=W("chart.axis_unit", name=title, unit=a_ind.unit) if a_ind.unit else title,
                scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", title=None, scale=alt.Scale(range=["#2f6fb3", "#c2410c"])),
        tooltip=[alt.Tooltip("series:N", title=W("col.indicator")), alt.Tooltip("year:O", title=W("chart.year")),
                 alt.Tooltip("value:Q", title=W("chart.value"), format=f".{d}f")],
    ).properties(width=420, height=220, title=alt.Title(title, subtitle=subtitle))
    return Analysis(title, sentence, [table, charts.render(chart, sentence)])


KINDS = {"coverage": coverage, "focus": focus, "path": path, "gap": gap}


def chapter_analysis(report: Report, dimension: str) -> Analysis | None:
    """The analysis the catalogue declares for a dimension's chapter; None when it declares none."""
    spec = report.cat.dimension_by_id[dimension].analysis
    if not spec:
        return None
    return KINDS[spec["kind"]](report, dimension, spec)
