"""The progress assessment: pure functions, documented in book/methodology.md.

For each indicator and milestone, as of a report year Y:

* 完成进度 / 时序进度 — completion share ``(v − base) / (target − base)`` against
  elapsed share ``(Y − base_year) / (T − base_year)``;
* the progress ratio of Statistics Canada's method as used by Open SDG —
  observed CAGR since the base over the CAGR required to reach the target —
  classified with the thresholds 0.95 / 0.6 / 0;
* an outlook: the value expected at the milestone from the trend, the year
  the target would be reached at that pace, and the annual change still needed.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Iterable, Sequence

import pandas as pd

from .catalogue import Catalogue, Indicator, Target

STATUSES = ("achieved", "on_track", "needs_acceleration", "limited_progress",
            "deterioration", "insufficient_data", "no_target")
STATUS_ZH = {
    "achieved": "已达标",
    "on_track": "进展顺利",
    "needs_acceleration": "需加快",
    "limited_progress": "进展有限",
    "deterioration": "出现倒退",
    "insufficient_data": "数据不足",
    "no_target": "无目标值",
}
# Progress-ratio thresholds (Open SDG / Statistics Canada).
ON_TRACK, NEEDS_ACCELERATION = 0.95, 0.6
# "About" (左右) targets count as met within this share of the target value.
ABOUT_TOLERANCE = 0.01
# Points per status for the 0-100 dimension score (methodology.md explains them).
STATUS_POINTS = {"achieved": 100, "on_track": 80, "needs_acceleration": 50,
                 "limited_progress": 20, "deterioration": 0}
_EPS = 1e-9
HORIZON = 2100  # a trend that reaches the target later than this "never" does

Point = tuple[int, float]


# --- the formulas ---------------------------------------------------------------

def is_met(value: float, target: float, comparison: str, direction: str) -> bool:
    """Whether ``value`` satisfies the target, respecting ``>`` versus ``>=``."""
    if comparison == ">=":
        return value >= target - _EPS
    if comparison == ">":
        return value > target + _EPS
    if comparison == "<=":
        return value <= target + _EPS
    if comparison == "<":
        return value < target - _EPS
    if comparison == "~":
        tol = ABOUT_TOLERANCE * abs(target)
        return value >= target - tol - _EPS if direction == "higher" else value <= target + tol + _EPS
    raise ValueError(f"unknown comparison {comparison!r}")


def completion_share(value: float, base: float, target: float) -> float | None:
    """完成进度: share of the way from base to target covered; None when target equals base."""
    if abs(target - base) < _EPS:
        return None
    return (value - base) / (target - base)


def time_elapsed_share(year: int, base_year: int, target_year: int) -> float | None:
    """时序进度: share of the time from base year to milestone that has passed."""
    if target_year <= base_year:
        return None
    return (year - base_year) / (target_year - base_year)


def cagr(v0: float, v1: float, years: float) -> float | None:
    """Compound annual growth rate; None where undefined (non-positive values, no time)."""
    if years <= 0 or v0 <= 0 or v1 <= 0:
        return None
    return (v1 / v0) ** (1.0 / years) - 1.0


def progress_ratio(base: Point, current: Point, target: float, target_year: int) -> float | None:
    """Observed over required annual growth since the base.

    Uses compound growth (CAGR), as Statistics Canada does; where a CAGR is
    undefined (a zero or negative value, or a sign change) both rates are taken
    as linear annual changes instead.  Returns None when no change is required
    (target equals base) or no time has passed.
    """
    (y0, v0), (y1, v1) = base, current
    if y1 <= y0 or target_year <= y0:
        return None
    observed = cagr(v0, v1, y1 - y0)
    required = cagr(v0, target, target_year - y0)
    if observed is None or required is None:
        observed = (v1 - v0) / (y1 - y0)
        required = (target - v0) / (target_year - y0)
    if abs(required) < _EPS:
        return None
    return observed / required


def classify_ratio(ratio: float) -> str:
    if ratio >= ON_TRACK:
        return "on_track"
    if ratio >= NEEDS_ACCELERATION:
        return "needs_acceleration"
    if ratio >= 0:
        return "limited_progress"
    return "deterioration"


def trend(points: Sequence[Point]) -> tuple[str, float, float] | None:
    """Fit the trend used for the outlook: ``(model, a, b)``.

    ``exp``: ln v = a + b·year (least squares, or the CAGR line through the first
    and last point when there are only two); ``lin``: v = a + b·year, used when a
    value is zero or negative.  None with fewer than two points.
    """
    if len(points) < 2:
        return None
    xs = [float(y) for y, _ in points]
    positive = all(v > 0 for _, v in points)
    ys = [math.log(v) if positive else v for _, v in points]
    model = "exp" if positive else "lin"
    if len(points) == 2:
        b = (ys[1] - ys[0]) / (xs[1] - xs[0])
        return model, ys[0] - b * xs[0], b
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return model, my - b * mx, b


def trend_value(fit: tuple[str, float, float], year: float) -> float:
    model, a, b = fit
    if model == "exp":
        try:
            return math.exp(a + b * year)
        except OverflowError:  # a trend that explodes: beyond any number (shown as no value)
            return math.inf
    return a + b * year


def projected_year(fit: tuple[str, float, float] | None, after: int, target: float,
                   comparison: str, direction: str) -> int | None:
    """First year after ``after`` in which the trend meets the target; None if it never does."""
    if fit is None:
        return None
    for year in range(after + 1, HORIZON + 1):
        if is_met(trend_value(fit, year), target, comparison, direction):
            return year
    return None


def required_annual_change(value: float, year: int, target: float, target_year: int) -> float | None:
    """Change per year still needed from ``year`` to reach the target at ``target_year``."""
    if target_year <= year:
        return None
    return (target - value) / (target_year - year)


# --- one indicator, one milestone ------------------------------------------------

@dataclass(frozen=True)
class Assessment:
    id: str
    dimension: str
    table_no: int | None
    year: int  # the report year
    value: float | None  # latest value (running total for cumulative indicators)
    value_year: int | None
    data_kind: str | None  # official | demo | mixed
    milestone: int | None
    target: float | None
    comparison: str | None
    status: str
    ratio: float | None
    completion: float | None
    time_elapsed: float | None
    projected_value: float | None
    projected_year: int | None
    required_annual_change: float | None
    base_year: int | None
    base_value: float | None
    base_from: str | None  # plan | first_observation
    headline: bool  # the milestone that counts for this report year


@dataclass(frozen=True)
class Obs:
    year: int
    value: float
    kind: str


def headline_milestone(ind: Indicator, year: int) -> int | None:
    """The milestone a report of ``year`` is judged against: the next one not yet passed."""
    years = [t.year for t in ind.targets]
    if not years:
        return None
    upcoming = [y for y in years if y >= year]
    return min(upcoming) if upcoming else max(years)


def _kind(obs: Iterable[Obs]) -> str | None:
    kinds = {o.kind for o in obs}
    if not kinds:
        return None
    return kinds.pop() if len(kinds) == 1 else "mixed"


def _empty(ind: Indicator, year: int, milestone: Target | None, status: str, **values) -> Assessment:
    base = dict(id=ind.id, dimension=ind.dimension, table_no=ind.table_no, year=year,
                value=None, value_year=None, data_kind=None,
                milestone=milestone.year if milestone else None,
                target=milestone.value if milestone else None,
                comparison=milestone.comparison if milestone else None,
                status=status, ratio=None, completion=None, time_elapsed=None,
                projected_value=None, projected_year=None, required_annual_change=None,
                base_year=None, base_value=None, base_from=None,
                headline=milestone is None or milestone.year == headline_milestone(ind, year))
    base.update(values)
    return Assessment(**base)


def assess_level(ind: Indicator, series: Sequence[Obs], year: int, target: Target) -> Assessment:
    """Assess a level, count or yes/no indicator against one milestone target."""
    obs = sorted((o for o in series if o.year <= year), key=lambda o: o.year)
    if ind.baseline is not None:
        base: Point | None = (ind.baseline.year, ind.baseline.value)
        base_from = "plan"
    elif obs:
        base, base_from = (obs[0].year, obs[0].value), "first_observation"
    else:
        base, base_from = None, None
    if not obs:
        return _empty(ind, year, target, "insufficient_data",
                      base_year=base[0] if base else None, base_value=base[1] if base else None,
                      base_from=base_from)
    last = obs[-1]
    points = [base] + [(o.year, o.value) for o in obs if o.year > base[0]]
    met = is_met(last.value, target.value, target.comparison, ind.direction)
    completion = completion_share(last.value, base[1], target.value)
    elapsed = time_elapsed_share(year, base[0], target.year)
    ratio = progress_ratio(base, (last.year, last.value), target.value, target.year)
    if ind.kind == "yes_no":
        ratio = None
        was_met = any(is_met(o.value, target.value, target.comparison, ind.direction) for o in obs[:-1])
        if met:
            status = "achieved"
        elif was_met:
            status = "deterioration"
        else:
            status = "needs_acceleration" if year < target.year else "limited_progress"
    elif met:
        status = "achieved"
    elif len(points) < 2:
        status = "insufficient_data"
    elif ratio is None:
        moved = last.value - base[1]
        wrong_way = moved < -_EPS if ind.direction == "higher" else moved > _EPS
        status = "deterioration" if wrong_way else "limited_progress"
    else:
        status = classify_ratio(ratio)
    fit = trend(points) if ind.kind != "yes_no" else None
    return _empty(
        ind, year, target, status,
        value=last.value, value_year=last.year, data_kind=_kind([last]),
        ratio=ratio, completion=completion, time_elapsed=elapsed,
        projected_value=ind.clip(trend_value(fit, target.year)) if fit else None,
        projected_year=(next((o.year for o in obs if is_met(o.value, target.value, target.comparison, ind.direction)), None)
                        if met else projected_year(fit, last.year, target.value, target.comparison, ind.direction)),
        required_annual_change=None if met else required_annual_change(last.value, last.year, target.value, target.year),
        base_year=base[0], base_value=base[1], base_from=base_from,
    )


def assess_cumulative(ind: Indicator, series: Sequence[Obs], year: int, target: Target) -> Assessment:
    """Assess a total over a window (e.g. five-year cumulative) against its pro-rata share."""
    start, end = ind.window or (target.year, target.year)
    upto = min(year, end)
    obs = sorted((o for o in series if start <= o.year <= upto), key=lambda o: o.year)
    if year < start or not obs:
        return _empty(ind, year, target, "insufficient_data", base_year=start - 1, base_value=0.0,
                      base_from="plan", time_elapsed=time_elapsed_share(upto, start - 1, end))
    total = sum(o.value for o in obs)
    completion = total / target.value if target.value else None
    elapsed = time_elapsed_share(upto, start - 1, end)
    met = is_met(total, target.value, target.comparison, ind.direction)
    ratio = completion / elapsed if completion is not None and elapsed else None
    if met:
        status = "achieved"
    elif ratio is None:
        status = "insufficient_data"
    else:
        status = classify_ratio(ratio)
    per_year = total / len(obs)
    remaining = end - upto
    projected = total + per_year * remaining
    reach = None
    if met:
        running = 0.0
        for o in obs:
            running += o.value
            if is_met(running, target.value, target.comparison, ind.direction):
                reach = o.year
                break
    elif per_year > 0:
        reach = upto + math.ceil((target.value - total) / per_year - _EPS)
    return _empty(
        ind, year, target, status,
        value=total, value_year=obs[-1].year, data_kind=_kind(obs),
        ratio=ratio, completion=completion, time_elapsed=elapsed,
        projected_value=projected, projected_year=reach,
        required_annual_change=None if met or remaining <= 0 else (target.value - total) / remaining,
        base_year=start - 1, base_value=0.0, base_from="plan",
    )


def assess_indicator(ind: Indicator, series: Sequence[Obs], year: int) -> list[Assessment]:
    """One record per milestone of the indicator (one ``no_target`` record when it has none)."""
    if not ind.targets:
        obs = [o for o in series if o.year <= year]
        last = max(obs, key=lambda o: o.year) if obs else None
        return [_empty(ind, year, None, "no_target",
                       value=last.value if last else None, value_year=last.year if last else None,
                       data_kind=_kind([last]) if last else None,
                       base_year=ind.baseline.year if ind.baseline else None,
                       base_value=ind.baseline.value if ind.baseline else None,
                       base_from="plan" if ind.baseline else None)]
    fn = assess_cumulative if ind.kind == "cumulative" else assess_level
    return [fn(ind, series, year, t) for t in ind.targets]


# --- the whole catalogue ------------------------------------------------------------

def series_by_id(observations: pd.DataFrame) -> dict[str, list[Obs]]:
    out: dict[str, list[Obs]] = {}
    for rec in observations[["indicator_id", "year", "value", "kind"]].itertuples(index=False):
        out.setdefault(rec.indicator_id, []).append(Obs(int(rec.year), float(rec.value), rec.kind))
    return out


ASSESSMENT_COLUMNS = list(Assessment.__dataclass_fields__)


def assess(cat: Catalogue, observations: pd.DataFrame, year: int) -> pd.DataFrame:
    """Assess every indicator and milestone as of ``year``; later data is ignored."""
    visible = observations[observations["year"] <= year]
    series = series_by_id(visible)
    rows = [_finite(asdict(a)) for ind in cat.indicators
            for a in assess_indicator(ind, series.get(ind.series_id, []), year)]
    return pd.DataFrame.from_records(rows, columns=ASSESSMENT_COLUMNS)


def _finite(record: dict) -> dict:
    """No infinity leaves the assessment (a quantity beyond any number has no value to show)."""
    return {k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in record.items()}


def status_counts(frame: pd.DataFrame) -> dict[str, int]:
    """Counts of each status (all statuses present, zero where none)."""
    counts = frame["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUSES}


def dimension_score(headline: pd.DataFrame) -> float | None:
    """0-100: mean status points of the scored indicators (see STATUS_POINTS); None if none scored."""
    points = [STATUS_POINTS[s] for s in headline["status"] if s in STATUS_POINTS]
    return sum(points) / len(points) if points else None


def headline_rows(frame: pd.DataFrame, *, table_only: bool = False) -> pd.DataFrame:
    rows = frame[frame["headline"]]
    if table_only:
        rows = rows[rows["table_no"].notna()]
    return rows


def summarise(cat: Catalogue, frame: pd.DataFrame) -> pd.DataFrame:
    """Per dimension and overall: status counts and score of the table's indicators."""
    head = headline_rows(frame, table_only=True)
    records = []
    for dim in [d.id for d in cat.dimensions] + ["all"]:
        rows = head if dim == "all" else head[head["dimension"] == dim]
        counts = status_counts(rows)
        records.append({"dimension": dim, "indicators": len(rows), **counts,
                        "scored": sum(counts[s] for s in STATUS_POINTS),
                        "score": dimension_score(rows)})
    return pd.DataFrame.from_records(records)
