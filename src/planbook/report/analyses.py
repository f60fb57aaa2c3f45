"""The analysis that fits each chapter, beyond the common scorecard.

* smart — the coverage indicators side by side;
* green — the good-air-day share, in days, against base and target;
* balanced — the urban/rural income ratio and the path it must follow;
* two_way — the gap between resident and registered urbanisation.

Each function returns a sentence (glued into the prose) and the outputs to show.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import altair as alt
import pandas as pd

from planbook.report import charts
from planbook.assess.progress import required_annual_change
from planbook.report.report import Report
from planbook.report.format import Cell, Table, fmt_number, fmt_value


@dataclass
class Analysis:
    title: str
    sentence: str
    outputs: list = field(default_factory=list)


def _latest(report: Report, series_id: str) -> tuple[int, float, str] | None:
    obs = report.data.upto(report.year)
    rows = obs[obs["indicator_id"] == series_id]
    if rows.empty:
        return None
    last = rows.sort_values("year").iloc[-1]
    return int(last["year"]), float(last["value"]), str(last["kind"])


def _demo_suffix(kind: str) -> str:
    return "（演示数据）" if kind == "demo" else ""


def smart(report: Report) -> Analysis:
    """Coverage-type indicators (unit %) of the smart dimension, latest value against target."""
    cat = report.cat
    rows, covered, values = [], 0, []
    for ind in cat.table:
        if ind.dimension != "smart" or ind.unit != "%":
            continue
        last = _latest(report, ind.id)
        target = ind.target_for(2025)
        if last is None or target is None:
            continue
        year, value, kind = last
        values.append(value)
        covered += value >= 100 - 1e-9
        rows.append({"indicator": ind.name_zh, "value": value, "target": target.value, "kind": kind,
                     "label": fmt_value(value, ind.decimals, "%") + _demo_suffix(kind)})
    if not rows:
        return Analysis("覆盖率类指标", "智慧城镇化的覆盖率类指标暂无数据。")
    frame = pd.DataFrame(rows)
    sentence = (f"智慧城镇化的 {len(rows)} 项覆盖率类指标中，{covered} 项已实现全覆盖（100%），"
                f"平均水平为 {fmt_number(sum(values) / len(values), 1)}%。")
    bars = alt.Chart(frame).mark_bar(color="#2f6fb3", opacity=0.8).encode(
        y=alt.Y("indicator:N", title=None, sort=None),
        x=alt.X("value:Q", title="覆盖率（%）", scale=alt.Scale(domain=[0, 100])),
        tooltip=[alt.Tooltip("indicator:N", title="指标"), alt.Tooltip("label:N", title="数值")])
    ticks = alt.Chart(frame).mark_tick(color="#b42318", thickness=2, size=18).encode(
        y=alt.Y("indicator:N", sort=None), x=alt.X("target:Q"))
    subtitle = "红色刻度为 2025 年目标" + ("；含演示数据，非官方统计" if (frame["kind"] == "demo").any() else "")
    chart = alt.layer(bars, ticks).properties(width=420, height=28 * len(rows),
                                              title=alt.Title("覆盖率类指标一览", subtitle=subtitle))
    return Analysis("覆盖率类指标", sentence, [charts.render(chart, sentence)])


def green(report: Report) -> Analysis:
    """The good-air-day share: latest value in days, against the base and the 2025 target."""
    ind = report.cat.by_id["green_good_air_days"]
    last = _latest(report, ind.id)
    if last is None or ind.baseline is None:
        return Analysis("空气质量", "环境空气质量优良天数比例暂无评估年数据。")
    year, value, kind = last
    target = ind.target_for(2025)
    change = value - ind.baseline.value
    days = value / 100 * 365
    sentence = (f"{year} 年环境空气质量优良天数比例为 {fmt_number(value, 1)}%{_demo_suffix(kind)}，"
                f"折合全年约 {days:.0f} 天，比 2020 年基期（{fmt_number(ind.baseline.value, 1)}%）"
                f"{'提高' if change >= 0 else '下降'} {fmt_number(abs(change), 1)} 个百分点")
    if target is not None:
        gap = target.value - value
        sentence += ("，已达到 2025 年目标。" if gap <= 0 else
                     f"；距 2025 年目标（{fmt_number(target.value, 1)}%）还差 {fmt_number(gap, 1)} 个百分点，"
                     f"约合 {gap / 100 * 365:.0f} 个优良天。")
    else:
        sentence += "。"
    return Analysis("空气质量", sentence, [report.chart(ind, key="analysis")])


def balanced(report: Report) -> Analysis:
    """The urban/rural income ratio against the straight path to its targets."""
    ind = report.cat.by_id["bal_income_ratio"]
    last = _latest(report, ind.id)
    if last is None or ind.baseline is None:
        return Analysis("城乡收入差距", "城乡居民收入比暂无评估年数据。")
    year, value, kind = last
    base = ind.baseline
    sentence = (f"城乡居民收入比由 2020 年的 {fmt_number(base.value, 2)} 变为 {year} 年的 "
                f"{fmt_number(value, 2)}{_demo_suffix(kind)}")
    rows = []
    for t in ind.targets:
        path = base.value + (t.value - base.value) * (year - base.year) / (t.year - base.year)
        need = required_annual_change(value, year, t.value, t.year)
        rows.append([Cell(f"{t.year}年目标 {t.as_written}"), Cell(fmt_number(path, 2)),
                     Cell(fmt_number(value, 2), demo=kind == "demo"),
                     Cell("已达到" if value <= t.value + 1e-9 else ("—" if need is None else f"每年下降 {fmt_number(-need, 3)}"))])
    t2035 = ind.target_for(2035)
    need = required_annual_change(value, year, t2035.value, t2035.year) if t2035 else None
    if need is not None and value > t2035.value:
        sentence += f"；要在 2035 年降至 {fmt_number(t2035.value, 1)}，今后每年需平均下降 {fmt_number(-need, 3)}。"
    else:
        sentence += "。"
    incomes = report.data.upto(report.year)
    urban = incomes[incomes["indicator_id"] == "ctx_urban_income"]
    rural = incomes[incomes["indicator_id"] == "ctx_rural_income"]
    both = urban.merge(rural, on="year", suffixes=("_u", "_r"))
    for rec in both.itertuples(index=False):
        sentence += (f" 官方数据：{rec.year} 年城镇、农村居民人均可支配收入分别为 {rec.value_u:.0f} 元和 "
                     f"{rec.value_r:.0f} 元，之比为 {rec.value_u / rec.value_r:.2f}（来源：{rec.source_u}）。")
    table = Table(columns=["目标", f"{year}年按线性路径应达到", f"{year}年评估值", "今后所需"], rows=rows,
                  caption="城乡居民收入比：实际与目标路径", numeric=frozenset({1, 2}))
    return Analysis("城乡收入差距", sentence, [table, report.chart(ind, key="analysis")])


def two_way(report: Report) -> Analysis:
    """Gap between resident and registered urbanisation, year by year."""
    res = report.cat.by_id["two_resident_urbanisation"]
    reg = report.cat.by_id["two_registered_urbanisation"]
    obs = report.data.upto(report.year)
    a = obs[obs["indicator_id"] == res.id][["year", "value", "kind"]]
    b = obs[obs["indicator_id"] == reg.id][["year", "value", "kind"]]
    both = a.merge(b, on="year", suffixes=("_res", "_reg")).sort_values("year")
    if both.empty:
        return Analysis("两个城镇化率的差距", "常住人口与户籍人口城镇化率暂无同年数据。")
    both["gap"] = both["value_res"] - both["value_reg"]
    both["demo"] = (both["kind_res"] == "demo") | (both["kind_reg"] == "demo")
    first, last = both.iloc[0], both.iloc[-1]
    change = last["gap"] - first["gap"]
    sentence = (f"{int(last['year'])} 年常住人口城镇化率与户籍人口城镇化率相差 {fmt_number(last['gap'], 1)} 个百分点"
                f"{'（演示数据）' if last['demo'] else ''}，比 {int(first['year'])} 年（{fmt_number(first['gap'], 1)} 个百分点）"
                f"{'缩小' if change < 0 else '扩大'} {fmt_number(abs(change), 1)} 个百分点。")
    t25_res, t25_reg = res.target_for(2025), reg.target_for(2025)
    if t25_res and t25_reg:
        sentence += f"按 2025 年目标（{t25_res.as_written}% 与 {t25_reg.as_written}%），差距应收窄到约 {fmt_number(t25_res.value - t25_reg.value, 0)} 个百分点。"
    rows = [[Cell(str(int(r.year))), Cell(fmt_number(r.value_res, 1), demo=r.kind_res == "demo"),
             Cell(fmt_number(r.value_reg, 1), demo=r.kind_reg == "demo"), Cell(fmt_number(r.gap, 1), demo=bool(r.demo))]
            for r in both.itertuples(index=False)]
    table = Table(columns=["年份", "常住人口城镇化率（%）", "户籍人口城镇化率（%）", "差距（百分点）"], rows=rows,
                  caption="常住人口与户籍人口城镇化率的差距", numeric=frozenset({1, 2, 3}))
    long = pd.concat([
        pd.DataFrame({"year": both["year"], "value": both["value_res"], "series": res.name_zh}),
        pd.DataFrame({"year": both["year"], "value": both["value_reg"], "series": reg.name_zh}),
    ])
    subtitle = "含演示数据，非官方统计" if both["demo"].any() else "官方数据"
    chart = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("year:O", title="年份", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title="城镇化率（%）", scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", title=None, scale=alt.Scale(range=["#2f6fb3", "#c2410c"])),
        tooltip=[alt.Tooltip("series:N", title="指标"), alt.Tooltip("year:O", title="年份"),
                 alt.Tooltip("value:Q", title="数值", format=".1f")],
    ).properties(width=420, height=220, title=alt.Title("两个城镇化率", subtitle=subtitle))
    return Analysis("两个城镇化率的差距", sentence, [table, charts.render(chart, sentence)])


ANALYSES = {"smart": smart, "green": green, "balanced": balanced, "two_way": two_way}


def chapter_analysis(report: Report, dimension: str) -> Analysis:
    return ANALYSES[dimension](report)
