"""The progress assessment: pure functions, documented in book/methodology.md.

For each indicator and milestone (target year *T*), as of a report year *Y*, two views:

* **status** — Statistics Canada's progress measure as used by Open SDG: observed
  annual growth since the base over the growth required to reach the target,
  classified with the thresholds 0.95 / 0.6 / 0 — while the milestone is ahead;
* **pace** (序时进度) — the completion share ``(v − base) / (target − base)``
  against the elapsed share of the time to the milestone, lit green, yellow or
  red as Chinese plan reviews do ("时间过半、任务过半").

Once the milestone year has come, both views give the verdict of that year:
the target was met in it (``achieved``) or not (``not_achieved``), and later
editions keep that verdict.  An outlook (the trend's value at the milestone,
the year it would meet the target, the change per year still needed) is
given only while the milestone is ahead.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Iterable, Sequence

import pandas as pd

from planbook.plan.catalogue import ABOUT_TOLERANCE, Catalogue, Indicator, PaceSettings, Target, is_met  # noqa: F401

STATUSES = ("achieved", "nearly_achieved", "on_track", "needs_acceleration", "limited_progress",
            "deterioration", "not_achieved", "insufficient_data", "no_target")
PACES = ("achieved_early", "achieved", "nearly_achieved", "ahead", "on_pace", "behind", "not_achieved",
         "insufficient_data", "no_target")
LIGHTS = ("green", "yellow", "red", "none")
# Why a record is what it is, where the status alone does not say (sentences and notes use it).
REASONS = ("no_data", "single_point", "stale", "milestone_value_missing", "window_gap",
           "pending_yes_no", "reached_late", "base_met", "was_met")

# Progress-ratio thresholds (Open SDG / Statistics Canada).
ON_TRACK, NEEDS_ACCELERATION = 0.95, 0.6
# Points per status for the 0-100 dimension score (methodology.md explains them).
STATUS_POINTS = {"achieved": 100, "nearly_achieved": 60, "on_track": 80, "needs_acceleration": 50,
                 "limited_progress": 20, "deterioration": 0, "not_achieved": 0}
# A target whose year has come and that was not met scores its completion share (x 100, within
# 0..100), at least its status's points: a value closer to the target never scores less.
SCORED_BY_SHARE = ("nearly_achieved", "not_achieved")
# A value older than this many years before the report year does not describe it.
MAX_AGE = 1
_EPS = 1e-9
HORIZON = 2100  # a trend that reaches the target later than this "never" does

Point = tuple[int, float]


DEFAULT_PACE = PaceSettings()


# --- the formulas ---------------------------------------------------------------

def completion_share(value: float, base: float, target: float) -> float | None:
    """完成进度: share of the way from base to target covered; None when target equals base."""
    if abs(target - base) < _EPS:
        return None
    return (value - base) / (target - base)


def time_elapsed_share(year: int, base_year: int, target_year: int) -> float | None:
    """时序进度: share of the time from base year to milestone that has passed, within 0..1."""
    if target_year <= base_year:
        return None
    return min(1.0, max(0.0, (year - base_year) / (target_year - base_year)))


def cagr(v0: float, v1: float, years: float) -> float | None:
    """Compound annual growth rate; None where undefined (non-positive values, no time)."""
    if years <= 0 or v0 <= 0 or v1 <= 0:
        return None
    try:
        return (v1 / v0) ** (1.0 / years) - 1.0
    except OverflowError:
        return None


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


def nearly_met(value: float, target: Target, direction: str, settings: PaceSettings = DEFAULT_PACE) -> bool:
    """基本完成: a target not met in its year, short of it by at most ``settings.nearly_met`` of the
    target value (a plan setting, off by default; never for "about" targets, which have their own
    tolerance)."""
    if settings.nearly_met is None or target.comparison == "~":
        return False
    short = target.value - value if direction == "higher" else value - target.value
    return short <= settings.nearly_met * abs(target.value) + _EPS


def classify_ratio(ratio: float) -> str:
    if ratio >= ON_TRACK:
        return "on_track"
    if ratio >= NEEDS_ACCELERATION:
        return "needs_acceleration"
    if ratio >= 0:
        return "limited_progress"
    return "deterioration"


def classify_pace(completion: float, elapsed: float, settings: PaceSettings = DEFAULT_PACE) -> tuple[str, str]:
    """``(pace, light)`` of a milestone not yet due from its completion and time shares."""
    gap = elapsed - completion
    if gap <= _EPS:
        return "ahead", "green"
    if gap <= settings.on_pace + _EPS:
        return "on_pace", "green"
    if gap <= settings.red + _EPS:
        return "behind", "yellow"
    return "behind", "red"


def trend(points: Sequence[Point]) -> tuple[float, float] | None:
    """The straight line ``v = a + b·year`` fitted by least squares (through both points when
    there are two): the outlook's model. None with fewer than two points."""
    if len(points) < 2:
        return None
    xs = [float(y) for y, _ in points]
    ys = [float(v) for _, v in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return my - b * mx, b


def trend_value(fit: tuple[float, float], year: float) -> float:
    a, b = fit
    return a + b * year


def projected_year(fit: tuple[float, float] | None, after: int, target: float,
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
    value_year: int | None  # the year of that value
    data_kind: str | None  # official | demo | mixed
    milestone: int | None
    target: float | None
    comparison: str | None
    status: str
    pace: str
    light: str
    reason: str | None  # see REASONS
    ratio: float | None
    completion: float | None
    time_elapsed: float | None
    milestone_value: float | None  # the value in the milestone year, once it has come
    met_year: int | None  # since when the target is met (achieved), or the year it was reached late
    projected_value: float | None
    projected_year: int | None
    required_annual_change: float | None
    base_year: int | None
    base_value: float | None
    base_from: str | None  # plan | table_row | first_observation | window
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


def _record(ind: Indicator, year: int, milestone: Target | None, status: str, pace: str, light: str,
            **values) -> Assessment:
    base = dict(id=ind.id, dimension=ind.dimension, table_no=ind.table_no, year=year,
                value=None, value_year=None, data_kind=None,
                milestone=milestone.year if milestone else None,
                target=milestone.value if milestone else None,
                comparison=milestone.comparison if milestone else None,
                status=status, pace=pace, light=light, reason=None,
                ratio=None, completion=None, time_elapsed=None, milestone_value=None, met_year=None,
                projected_value=None, projected_year=None, required_annual_change=None,
                base_year=None, base_value=None, base_from=None,
                headline=milestone is None or milestone.year == headline_milestone(ind, year))
    base.update(values)
    return Assessment(**base)


def _unknown(ind: Indicator, year: int, target: Target, reason: str, **values) -> Assessment:
    return _record(ind, year, target, "insufficient_data", "insufficient_data", "none", reason=reason, **values)


def _met_since(points: Sequence[Point], met) -> int | None:
    """The first year of the unbroken run of met values that ends with the last point."""
    since = None
    for y, v in reversed(points):
        if not met(v):
            break
        since = y
    return since


def assess_level(ind: Indicator, series: Sequence[Obs], year: int, target: Target,
                 base: tuple[int, float, str] | None = None, settings: PaceSettings = DEFAULT_PACE,
                 from_year: int | None = None) -> Assessment:
    """Assess a level, count or yes/no indicator against one milestone target.

    ``base``: ``(year, value, where from)`` — the plan's baseline of the series (for a text
    target that restates a table row, the row's); without one, the first observation.
    ``from_year``: the plan's base year, from which the time share of every row is measured
    (one time share for all rows against the same target year); without it, the base's year.
    """
    obs = sorted((o for o in series if o.year <= year), key=lambda o: o.year)
    if base is None and obs:
        base = (obs[0].year, obs[0].value, "first_observation")
    base_values = dict(base_year=base[0], base_value=base[1], base_from=base[2]) if base else {}
    if not obs:
        return _unknown(ind, year, target, "no_data", **base_values)

    def met(v: float) -> bool:
        return is_met(v, target.value, target.comparison, ind.direction)

    last = obs[-1]
    points = ([(base[0], base[1])] if base else []) + [(o.year, o.value) for o in obs if not base or o.year > base[0]]
    shown = dict(value=last.value, value_year=last.year, data_kind=_kind([last]), **base_values)

    # The milestone year has come: the target was met in it, or not.
    if year >= target.year:
        at = next((o for o in obs if o.year == target.year), None)
        if at is None:
            return _unknown(ind, year, target, "milestone_value_missing", time_elapsed=1.0, **shown)
        upto = [p for p in points if p[0] <= target.year]
        completion = None if ind.kind == "yes_no" or base is None or met(base[1]) else \
            completion_share(at.value, base[1], target.value)
        common = dict(milestone_value=at.value, completion=completion, time_elapsed=1.0, **shown)
        if met(at.value):
            since = _met_since(upto, met)
            pace = "achieved_early" if since is not None and since < target.year else "achieved"
            return _record(ind, year, target, "achieved", pace, "green", met_year=since, **common)
        if ind.kind != "yes_no" and nearly_met(at.value, target, ind.direction, settings):
            return _record(ind, year, target, "nearly_achieved", "nearly_achieved", "yellow", **common)
        late = next((o.year for o in obs if o.year > target.year and met(o.value)), None)
        return _record(ind, year, target, "not_achieved", "not_achieved", "red",
                       reason="reached_late" if late else None, met_year=late, **common)

    # The milestone is ahead.
    if year - last.year > MAX_AGE:
        return _unknown(ind, year, target, "stale", **shown)
    if met(last.value):
        return _record(ind, year, target, "achieved", "achieved_early", "green",
                       met_year=_met_since(points, met), **shown)
    if ind.kind == "yes_no":
        if any(met(v) for _, v in points[:-1]):
            return _record(ind, year, target, "deterioration", "behind", "yellow", reason="was_met", **shown)
        return _unknown(ind, year, target, "pending_yes_no", **shown)
    if base is None or len(points) < 2:
        return _unknown(ind, year, target, "single_point", **shown)
    elapsed = time_elapsed_share(last.year, base[0] if from_year is None else from_year, target.year)
    if met(base[1]):
        # The start already met the target and the value has fallen below it since.
        return _record(ind, year, target, "deterioration", "behind", "red", reason="base_met",
                       time_elapsed=elapsed, **shown)
    completion = completion_share(last.value, base[1], target.value)
    ratio = progress_ratio((base[0], base[1]), (last.year, last.value), target.value, target.year)
    if ratio is None:
        moved = last.value - base[1]
        wrong_way = moved < -_EPS if ind.direction == "higher" else moved > _EPS
        status = "deterioration" if wrong_way else "limited_progress"
    else:
        status = classify_ratio(ratio)
    pace, light = ("insufficient_data", "none") if completion is None or elapsed is None else \
        classify_pace(completion, elapsed, settings)
    fit = trend(points)
    return _record(
        ind, year, target, status, pace, light,
        ratio=ratio, completion=completion, time_elapsed=elapsed,
        projected_value=ind.clip(trend_value(fit, target.year)) if fit else None,
        projected_year=projected_year(fit, last.year, target.value, target.comparison, ind.direction),
        required_annual_change=required_annual_change(last.value, last.year, target.value, target.year),
        **shown,
    )


def assess_cumulative(ind: Indicator, series: Sequence[Obs], year: int, target: Target,
                      settings: PaceSettings = DEFAULT_PACE) -> Assessment:
    """Assess a total over a window (e.g. five-year cumulative) against its pro-rata share.

    Every year of the window up to the last value must be reported: a missing year makes
    the total unknown, not smaller.
    """
    start, end = ind.window or (target.year, target.year)
    window = dict(base_year=start - 1, base_value=0.0, base_from="window")
    obs = sorted((o for o in series if start <= o.year <= min(year, end)), key=lambda o: o.year)
    if year < start or not obs:
        return _unknown(ind, year, target, "no_data", **window)
    closed = year >= end
    last_year = end if closed else obs[-1].year
    missing = sorted(set(range(start, last_year + 1)) - {o.year for o in obs})
    total = sum(o.value for o in obs)
    shown = dict(value=total, value_year=obs[-1].year, data_kind=_kind(obs), **window)
    if missing:
        return _unknown(ind, year, target, "window_gap", time_elapsed=time_elapsed_share(last_year, start - 1, end),
                        **shown)

    def met(v: float) -> bool:
        return is_met(v, target.value, target.comparison, ind.direction)

    running, reached = 0.0, None
    for o in obs:
        running += o.value
        if reached is None and met(running):
            reached = o.year
    completion = total / target.value if target.value else None
    elapsed = time_elapsed_share(last_year, start - 1, end)
    if closed:
        common = dict(completion=completion, time_elapsed=1.0, milestone_value=total, **shown)
        if met(total):
            pace = "achieved_early" if reached is not None and reached < end else "achieved"
            return _record(ind, year, target, "achieved", pace, "green", met_year=reached, **common)
        if nearly_met(total, target, ind.direction, settings):
            return _record(ind, year, target, "nearly_achieved", "nearly_achieved", "yellow", **common)
        return _record(ind, year, target, "not_achieved", "not_achieved", "red", **common)
    if year - last_year > MAX_AGE:
        return _unknown(ind, year, target, "stale", **shown)
    if met(total):
        return _record(ind, year, target, "achieved", "achieved_early", "green", met_year=reached,
                       completion=completion, time_elapsed=elapsed, **shown)
    ratio = completion / elapsed if completion is not None and elapsed else None
    status = "insufficient_data" if ratio is None else classify_ratio(ratio)
    pace, light = ("insufficient_data", "none") if completion is None or elapsed is None else \
        classify_pace(completion, elapsed, settings)
    per_year = total / len(obs)
    remaining = end - last_year
    reach = last_year + math.ceil((target.value - total) / per_year - _EPS) if per_year > 0 else None
    return _record(
        ind, year, target, status, pace, light,
        ratio=ratio, completion=completion, time_elapsed=elapsed,
        projected_value=total + per_year * remaining,
        projected_year=reach if reach is not None and reach <= end else None,
        required_annual_change=(target.value - total) / remaining if remaining > 0 else None,
        **shown,
    )


def base_of(ind: Indicator, table_row: Indicator | None = None) -> tuple[int, float, str] | None:
    """The plan's baseline of an indicator's series: its own, or the table row's it restates."""
    if ind.baseline is not None:
        return ind.baseline.year, ind.baseline.value, "plan"
    if table_row is not None and table_row.baseline is not None:
        return table_row.baseline.year, table_row.baseline.value, "table_row"
    return None


def assess_indicator(ind: Indicator, series: Sequence[Obs], year: int, table_row: Indicator | None = None,
                     settings: PaceSettings = DEFAULT_PACE, from_year: int | None = None) -> list[Assessment]:
    """One record per milestone of the indicator (one ``no_target`` record when it has none).

    ``table_row``: for a text target that restates a row of the table (``same_as``), that row,
    whose baseline the text target shares (one series, one completion share).
    """
    base = base_of(ind, table_row)
    if not ind.targets:
        obs = [o for o in series if o.year <= year]
        last = max(obs, key=lambda o: o.year) if obs else None
        return [_record(ind, year, None, "no_target", "no_target", "none",
                        value=last.value if last else None, value_year=last.year if last else None,
                        data_kind=_kind([last]) if last else None,
                        base_year=base[0] if base else None, base_value=base[1] if base else None,
                        base_from=base[2] if base else None)]
    if ind.kind == "cumulative":
        return [assess_cumulative(ind, series, year, t, settings) for t in ind.targets]
    return [assess_level(ind, series, year, t, base, settings, from_year) for t in ind.targets]


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
    settings = cat.pace_settings
    rows = [_finite(asdict(a)) for ind in cat.indicators
            for a in assess_indicator(ind, series.get(ind.series_id, []), year,
                                      cat.by_id.get(ind.same_as) if ind.same_as else None, settings, cat.base_year)]
    return pd.DataFrame.from_records(rows, columns=ASSESSMENT_COLUMNS)


def _finite(record: dict) -> dict:
    """No infinity leaves the assessment (a quantity beyond any number has no value to show)."""
    return {k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in record.items()}


def status_counts(frame: pd.DataFrame) -> dict[str, int]:
    """Counts of each status (all statuses present, zero where none)."""
    counts = frame["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUSES}


def shown_statuses(cat: Catalogue) -> tuple[str, ...]:
    """The statuses a book shows as columns: 基本完成 only for a plan that sets ``nearly_met``."""
    return STATUSES if cat.pace_settings.nearly_met is not None else tuple(s for s in STATUSES
                                                                          if s != "nearly_achieved")


def light_counts(frame: pd.DataFrame) -> dict[str, int]:
    counts = frame["light"].value_counts()
    return {s: int(counts.get(s, 0)) for s in LIGHTS}


def points(status: str, completion=None) -> float | None:
    """An indicator's points (0-100): its status's (STATUS_POINTS); a target due and not met, its
    completion share x 100 within 0..100 when that is more; None for an unscored status."""
    if status not in STATUS_POINTS:
        return None
    floor = STATUS_POINTS[status]
    if status not in SCORED_BY_SHARE or completion is None or (isinstance(completion, float) and math.isnan(completion)):
        return floor
    return max(floor, min(100.0, max(0.0, completion * 100)))


def dimension_score(headline: pd.DataFrame) -> float | None:
    """0-100: mean points of the scored indicators (see :func:`points`); None if none scored."""
    scored = [points(s, c) for s, c in zip(headline["status"], headline["completion"]) if s in STATUS_POINTS]
    return sum(scored) / len(scored) if scored else None


def headline_rows(frame: pd.DataFrame, *, table_only: bool = False) -> pd.DataFrame:
    rows = frame[frame["headline"]]
    if table_only:
        rows = rows[rows["table_no"].notna()]
    return rows


def summarise(cat: Catalogue, frame: pd.DataFrame) -> pd.DataFrame:
    """Per dimension and overall: status and light counts and score of the table's indicators."""
    head = headline_rows(frame, table_only=True)
    records = []
    for dim in [d.id for d in cat.dimensions] + ["all"]:
        rows = head if dim == "all" else head[head["dimension"] == dim]
        counts = status_counts(rows)
        lights = {f"light_{k}": v for k, v in light_counts(rows).items()}
        records.append({"dimension": dim, "indicators": len(rows), **counts, **lights,
                        "scored": sum(counts[s] for s in STATUS_POINTS),
                        "score": dimension_score(rows)})
    return pd.DataFrame.from_records(records)
