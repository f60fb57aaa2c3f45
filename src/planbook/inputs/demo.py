"""DEMO values and statuses, made from a chosen, written-down scenario (``demo.yaml``).

No official values after the base year have been published for the plan's indicators, nor
reports on its commitments. So that the book can be built, read and tested end to end, this
module writes plausible *made-up* rows — every one marked ``kind=demo``, sourced as generated,
its scenario in the note — into ``observations/<year>.csv`` and ``progress/<year>.csv``. Rows
marked ``official`` in the same files are kept as they are, and an official figure wins: no demo
value is written for an indicator and year that has an official one (also when it is reported
under a context series of the same measure), no demo status for a commitment and year with an
official report.

The scenario of every indicator and commitment is chosen in ``demo.yaml`` beside the catalogue
(which reach their targets, which miss them, which fall back, who does not report), not drawn at
random; the years between the start and the end follow a shape with a small seeded wobble, so
the annual changes stay near the average the scenario needs. Every series is checked against its
scenario: a file whose numbers say otherwise is refused. Same file and seed → the same bytes.
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

from planbook.errors import InputError, Problem, display_path
from planbook.inputs.dataset import catalogue_path, default_data_dir
from planbook.inputs.observations import KINDS, decode_csv_bytes
from planbook.plan.catalogue import Catalogue, Indicator, is_met, load_catalogue, read_yaml
from planbook.plan.register import Register, load_register
from planbook.words import W

OBS_HEADER = ["indicator_id", "value", "source", "note", "kind"]
PROGRESS_HEADER = ["commitment_id", "status", "evidence", "source", "note", "kind"]
DEMO_FILE = "demo.yaml"
SCENARIOS = ("achieved", "achieved_early", "missed_narrowly", "missed", "far_behind", "deteriorating",
             "deteriorating_then_recovering", "on_pace", "steady")
SHAPES = {"even": 1.0, "early": 0.7, "late": 1.6}
WOBBLE = 0.15  # at most this share of the average annual step, up or down


def load_scenario(plan_dir: Path) -> dict:
    path = Path(plan_dir) / DEMO_FILE
    if not path.is_file():
        raise InputError([Problem(display_path(path), None, None,
                                  "no demo scenario: write demo.yaml beside the catalogue (see the project's)")])
    raw = read_yaml(path, "demo scenario")
    if not isinstance(raw, dict) or not {"seed", "years", "indicators"} <= set(raw):
        raise InputError([Problem(display_path(path), None, None, "expected seed, years, indicators (and commitments)")])
    return raw


def _met(ind: Indicator, value: float, year: int) -> bool:
    target = ind.target_for(year) or next((t for t in ind.targets if t.year >= year), None)
    return target is not None and is_met(value, target.value, target.comparison, ind.direction)


def _short_of(ind: Indicator, value: float) -> float:
    """The nearest value that does not meet the indicator's first target (one step of its decimals)."""
    t = ind.targets[0]
    step = 10 ** -ind.decimals
    return t.value - step if ind.direction == "higher" else t.value + step


def indicator_path(ind: Indicator, spec: dict, years: range, rng: random.Random) -> dict[int, float]:
    """The demo values of one indicator for ``years`` (the last is the scenario's end)."""
    if "path" in spec:
        return {int(y): float(v) for y, v in spec["path"].items() if int(y) in years}
    start = ind.baseline.value if ind.baseline is not None else float(spec["start"])
    end = float(spec["end"])
    first = years.start - 1
    # Achieved early: the series gets to its end by the year the scenario names and holds there.
    last = int(spec["by"]) if spec["scenario"] == "achieved_early" and "by" in spec else years.stop - 1
    span = last - first
    power = SHAPES[spec.get("shape", "even")]
    step = abs(end - start) / span
    out = {}
    for year in years:
        t = min(1.0, (year - first) / span)
        value = start + (end - start) * t ** power
        if year < last:
            value += rng.uniform(-WOBBLE, WOBBLE) * step
        out[year] = round(ind.clip(value), ind.decimals)
    met_from = int(spec.get("by", years.stop - 1)) if spec["scenario"] in ("achieved", "achieved_early") else None
    for year in years:  # no year meets the target before the scenario says it does
        if ind.targets and (met_from is None or year < met_from) and _met(ind, out[year], year):
            out[year] = round(_short_of(ind, out[year]), ind.decimals)
    return out


def check(ind: Indicator, spec: dict, values: dict[int, float], end: int, where: str) -> list[Problem]:
    """Does the series do what its scenario says? (A scenario file that lies is refused.)"""
    scenario = spec["scenario"]
    if ind.kind == "cumulative":  # the target is on the running total over the window
        running, totals = 0.0, {}
        for year in sorted(values):
            running += values[year]
            totals[year] = running
        values = totals
    wrong = None
    if scenario not in SCENARIOS:
        wrong = f"unknown scenario {scenario!r}: expected one of {', '.join(SCENARIOS)}"
    elif scenario == "steady":
        wrong = "has a target: choose another scenario" if ind.targets else None
    elif not ind.targets:
        wrong = "has no target: the scenario can only be steady"
    elif scenario == "achieved" and not _met(ind, values[end], end):
        wrong = f"does not meet its target in {end}"
    elif scenario == "achieved_early":
        by = int(spec.get("by", end))
        late = [y for y, v in values.items() if y >= by and not _met(ind, v, y)]
        wrong = f"should meet its target from {by} on, but not in {late}" if late else None
    elif scenario in ("missed_narrowly", "missed", "far_behind", "deteriorating", "deteriorating_then_recovering") \
            and _met(ind, values[end], end):
        wrong = f"meets its target in {end} although the scenario misses it"
    if scenario.startswith("deteriorating") and wrong is None:
        first = (ind.baseline.value if ind.baseline else values[min(values)])
        worse = [v for v in values.values() if (v < first if ind.direction == "higher" else v > first)]
        wrong = None if worse else "never falls below where it started"
    return [Problem(where, None, f"indicators.{ind.id}", wrong)] if wrong else []


# What is reported in the n-th year of the demo (n = 0, 1, …) under each commitment scenario;
# ``a``: the scenario's year (done <year>, unreported <year>), ``y``: the calendar year.
STATUS_PATHS = {
    "on_schedule": lambda n, y, a: "on_schedule",
    "behind": lambda n, y, a: "behind",
    "stalled": lambda n, y, a: "on_schedule" if n <= 1 else "behind",
    "late_start": lambda n, y, a: "not_started" if n <= 1 else "on_schedule",
    "missed": lambda n, y, a: "on_schedule" if n <= 2 else "behind",
    "done": lambda n, y, a: "done" if y >= a else "on_schedule",
    "unreported": lambda n, y, a: None if y == a else "on_schedule",
}


def commitment_statuses(scenario: str, years: range, where: str, cid: str) -> dict[int, str | None]:
    """What a department reports each year under a commitment's scenario (None: no report)."""
    name, _, arg = scenario.partition(" ")
    if name not in STATUS_PATHS or (name in ("done", "unreported") and not arg.isdigit()):
        raise InputError([Problem(where, None, f"commitments.{cid}", f"unknown scenario {scenario!r}: expected "
                                                                     "on_schedule, behind, stalled, late_start, "
                                                                     "missed, done <year>, unreported <year>")])
    return {y: STATUS_PATHS[name](y - years.start, y, int(arg) if arg else None) for y in years}


def demo_rows(cat: Catalogue, register: Register, scenario: dict, where: str) -> tuple[dict, dict]:
    """Observation and progress rows (as strings) per year, from the scenario."""
    seed = int(scenario["seed"])
    years = range(int(scenario["years"]["start"]), int(scenario["years"]["end"]) + 1)
    rng = random.Random(seed)
    source = W("demo.source", seed=seed)
    obs: dict[int, list] = {y: [] for y in years}
    progress: dict[int, list] = {y: [] for y in years}
    problems = []
    specs = scenario.get("indicators") or {}
    for ind in (i for i in cat.indicators if i.same_as is None):
        spec = specs.get(ind.id)
        if spec is None:
            problems.append(Problem(where, None, f"indicators.{ind.id}", "no scenario for this indicator"))
            continue
        values = indicator_path(ind, spec, years, rng)
        problems += check(ind, spec, values, years.stop - 1, where)
        note = W("demo.note", scenario=W(f"demo.scenario.{spec['scenario']}"))
        for year, value in values.items():
            if year == spec.get("gap"):
                continue
            text = f"{value:.{ind.decimals}f}" if ind.kind != "yes_no" else f"{value:.0f}"
            obs[year].append([ind.id, text, source, note, "demo"])
    for ref in set(specs) - {i.id for i in cat.indicators}:
        problems.append(Problem(where, None, f"indicators.{ref}", "not an indicator of the catalogue"))
    plans = scenario.get("commitments") or {}
    for c in register.commitments:
        plan = plans.get(c.id)
        if plan is None:
            problems.append(Problem(where, None, f"commitments.{c.id}", "no scenario for this commitment"))
            continue
        for year, status in commitment_statuses(str(plan), years, where, c.id).items():
            if status is None:
                continue
            evidence = W("demo.evidence", status=W(f"commitment_status.{status}"), name=c.name_zh)
            name, _, arg = str(plan).partition(" ")
            words = W(f"demo.commitment_scenario.{name}", year=arg, start=years.start + 2)
            progress[year].append([c.id, status, evidence, source, W("demo.note_commitment", scenario=words), "demo"])
    if problems:
        raise InputError(problems)
    return obs, progress


def is_demo_kind(text: str | None) -> bool:
    """Whether a ``kind`` cell says demo, in any of the words a file may use (``demo``, ``演示``)."""
    return KINDS.get((text or "").strip().lower() or "official") == "demo"


def _kept_rows(path: Path, header: list[str]) -> list[list[str]]:
    """Rows of an existing file that are not demo (kept as they are)."""
    if not path.exists():
        return []
    reader = csv.DictReader(io.StringIO(decode_csv_bytes(path.read_bytes(), str(path))))
    return [[r.get(c, "") or "" for c in header] for r in reader if not is_demo_kind(r.get("kind"))]


def without_official(demo: list[list[str]], kept: list[list[str]], key=lambda sid: sid) -> list[list[str]]:
    """The demo rows whose id (first column, through ``key``: an indicator's measure) has no
    official row among ``kept``: an official figure takes the place of a demo one."""
    official = {key(row[0].strip()) for row in kept}
    return [row for row in demo if key(row[0]) not in official]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def write_demo(data_dir: Path | None = None) -> list[Path]:
    """(Re)write the demo rows of the scenario's years; keep every official row."""
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    cat = load_catalogue(catalogue_path(data_dir))
    register = load_register(cat.path.parent, cat)
    from planbook.words import activate, load_phrasebook

    activate(load_phrasebook(None, cat.phrase_context()))
    scenario = load_scenario(cat.path.parent)
    obs, progress = demo_rows(cat, register, scenario, display_path(cat.path.parent / DEMO_FILE))
    written = []
    for year in sorted(obs):
        path = data_dir / "observations" / f"{year}.csv"
        kept = _kept_rows(path, OBS_HEADER)
        written.append(_write(path, OBS_HEADER, kept + without_official(obs[year], kept, cat.measure_id)))
        if register.commitments:
            path = data_dir / "progress" / f"{year}.csv"
            kept = _kept_rows(path, PROGRESS_HEADER)
            written.append(_write(path, PROGRESS_HEADER, kept + without_official(progress[year], kept)))
    return written
