"""Seeded generator of DEMO observations for 2021-2025.

No official values for 2021-2025 have been published for the plan's
indicators (see data/README.md).  So that the book can be built, read and
tested end to end, this module writes a plausible panel of *made-up* values,
every row marked ``kind=demo`` and sourced as generated.  It never touches
rows marked ``official`` in the same files.

The panel is deliberately varied so every part of the assessment shows up:
some indicators reach their target, some are on track, some lag, some get
worse, some have missing years, and the cumulative one accumulates.  The
scenario of each indicator is written into the row's note.

Same seed and catalogue -> byte-identical files.
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

from planbook.plan.catalogue import Catalogue, Indicator
from planbook.inputs.dataset import catalogue_path, default_data_dir
from planbook.plan.catalogue import load_catalogue
from planbook.inputs.observations import decode_csv_bytes

YEARS = tuple(range(2021, 2026))
SCENARIOS = ("achieved", "on_track", "lagging", "deteriorating")
SCENARIO_ZH = {"achieved": "提前达标", "on_track": "按期推进", "lagging": "进度滞后", "deteriorating": "出现倒退"}
SOURCE = "演示数据（planbook 演示数据生成器，随机种子 {seed}），非官方统计"
HEADER = ["indicator_id", "value", "source", "note", "kind"]

# Scenario of each table row, chosen so every dimension shows a mix; text targets
# get theirs from the seeded generator.
TABLE_SCENARIOS = {
    "smart_5g_base_stations": "achieved",
    "smart_5g_urban_coverage": "on_track",
    "smart_fibre_household_coverage": "achieved",
    "smart_campus_coverage": "on_track",
    "smart_hospital_coverage": "lagging",
    "smart_hd_video_coverage": "on_track",
    "smart_e_licence_use": "lagging",
    "green_good_air_days": "deteriorating",
    "green_forest_coverage": "on_track",
    "green_park_area_per_capita": "on_track",
    "green_reclaimed_water_use": "lagging",
    "green_waste_recycling": "achieved",
    "bal_income_ratio": "on_track",
    "bal_skills_training": "on_track",
    "bal_elderly_facility_compliance": "achieved",
    "bal_infant_care_places": "lagging",
    "bal_doctors_per_1000": "lagging",
    "two_resident_population": "on_track",
    "two_resident_urbanisation": "achieved",
    "two_registered_urbanisation": "lagging",
    "two_village_collective_income": "deteriorating",
    "two_rural_logistics_coverage": "achieved",
}
# Indicators whose demo series has a gap, to show how missing years are handled.
GAPS = {"smart_hd_video_coverage": 2023, "green_park_area_per_capita": 2022, "bal_infant_care_places": 2024}
# How far along the way from start to target each scenario ends in 2025.
END_SHARE = {"achieved": (1.04, 1.12), "on_track": (0.955, 0.99), "lagging": (0.55, 0.8), "deteriorating": (-0.35, -0.1)}


def _start(ind: Indicator, rng: random.Random) -> float:
    """2020 value: the plan's baseline, else a plausible starting level."""
    if ind.baseline is not None:
        return ind.baseline.value
    target = ind.targets[0].value if ind.targets else 1.0
    if ind.kind == "yes_no":
        return 0.0
    if ind.direction == "lower":
        return target + abs(target) * rng.uniform(0.1, 0.3) + (1.0 if target == 0 else 0.0)
    if ind.unit == "%":
        return round(target * rng.uniform(0.6, 0.85), 1)
    return target * rng.uniform(0.25, 0.5)


def _level_path(ind: Indicator, scenario: str, rng: random.Random) -> dict[int, float]:
    start = _start(ind, rng)
    goal = ind.target_for(2025) or (ind.targets[0] if ind.targets else None)
    target = goal.value if goal else start * 1.05
    if goal is not None and goal.comparison in (">", "<") and scenario == "achieved":
        target += (1 if goal.comparison == ">" else -1) * max(abs(target) * 0.02, 0.5)
    share = rng.uniform(*END_SHARE[scenario])
    end = start + (target - start) * share
    if goal and scenario == "achieved" and goal.comparison in (">=", "~") and ind.valid_range[1] == goal.value:
        end = goal.value  # e.g. coverage 100%: cannot overshoot
    span = abs(target - start) or abs(start) * 0.1 or 1.0
    path = {}
    for year in YEARS:
        t = (year - 2020) / 5
        shape = t ** 0.8 if scenario == "achieved" else t
        noise = rng.gauss(0, 0.025) * span if year < 2025 else 0.0
        path[year] = ind.clip(start + (end - start) * shape + noise)
    return path


def _cumulative_path(ind: Indicator, scenario: str, rng: random.Random) -> dict[int, float]:
    target = ind.targets[0].value
    start, end = ind.window or (2021, 2025)
    share = {"achieved": 1.08, "on_track": 0.98, "lagging": 0.7, "deteriorating": 0.4}[scenario]
    per_year = target * share / (end - start + 1)
    return {y: max(0.0, per_year * rng.uniform(0.9, 1.1)) for y in YEARS if start <= y <= end}


def _yes_no_path(scenario: str, rng: random.Random) -> dict[int, float]:
    if scenario in ("achieved", "on_track"):
        switch = rng.choice([2022, 2023, 2024])
        return {y: 1.0 if y >= switch else 0.0 for y in YEARS}
    return {y: 0.0 for y in YEARS}


def demo_panel(cat: Catalogue, seed: int = 20231) -> dict[int, list[list[str]]]:
    """Rows (as strings) per year for every catalogue entry that has its own data."""
    rng = random.Random(seed)
    rows: dict[int, list[list[str]]] = {y: [] for y in YEARS}
    for n, ind in enumerate(i for i in cat.indicators if i.same_as is None):
        scenario = TABLE_SCENARIOS.get(ind.id) or SCENARIOS[rng.randrange(len(SCENARIOS))]
        if ind.kind == "cumulative":
            path = _cumulative_path(ind, scenario, rng)
        elif ind.kind == "yes_no":
            path = _yes_no_path(scenario, rng)
        else:
            path = _level_path(ind, scenario, rng)
        gap = GAPS.get(ind.id)
        if gap is None and ind.table_no is None and n % 7 == 3:
            gap = 2022
        note = f"演示情景：{SCENARIO_ZH[scenario]}"
        for year, value in path.items():
            if year == gap:
                continue
            text = f"{value:.{ind.decimals}f}" if ind.kind != "yes_no" else f"{value:.0f}"
            rows[year].append([ind.id, text, SOURCE.format(seed=seed), note, "demo"])
    return rows


def _official_rows(path: Path) -> list[list[str]]:
    """Rows of an existing file that are not demo (kept as they are)."""
    if not path.exists():
        return []
    reader = csv.DictReader(io.StringIO(decode_csv_bytes(path.read_bytes(), str(path))))
    return [[r.get(c, "") or "" for c in HEADER] for r in reader if (r.get("kind") or "official") != "demo"]


def write_demo(data_dir: Path | None = None, seed: int = 20231) -> list[Path]:
    """(Re)write the demo rows of ``observations/2021.csv`` … ``2025.csv``; keep official rows."""
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    cat = load_catalogue(catalogue_path(data_dir))
    panel = demo_panel(cat, seed)
    written = []
    for year, demo_rows in panel.items():
        path = data_dir / "observations" / f"{year}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = _official_rows(path) + demo_rows
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
        path.write_text(buf.getvalue(), encoding="utf-8")
        written.append(path)
    return written
