"""Targets set or changed after the plan's approval: ``amendments.yaml`` beside the catalogue.

The plan foresees it (its chapter on implementation: revise the plan when necessary) and names a
case itself: a target still to be set once surveys are published (the catalogue's
``target_pending``). An amendment replaces the targets of one indicator from a year on, with the
document that approved it::

    amendments:
      - id: forest_cover_target
        indicator: green_forest_coverage
        effective_from: 2024
        document: 某区人民政府关于某项指标目标的批复（某政字〔2024〕12号）
        date: "2024-06-30"
        targets:
          - {year: 2025, value: 24.5, comparison: ">=", as_written: "24.5%"}
        note_zh: 按规划表注②，依据调查成果制定

Each edition is judged against the plan as in force in its year (:meth:`Catalogue.in_force`):
an amendment effective from 2024 changes the 2024 edition and later ones, never an earlier one.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import jsonschema

from planbook.errors import InputError, Problem, display_path
from planbook.files import InputFile, read_input
from planbook.plan.catalogue import CATALOGUE_LIMIT, Catalogue, Target, default_range, parse_yaml

AMENDMENTS_FILE = "amendments.yaml"


@dataclass(frozen=True)
class Amendment:
    id: str
    indicator: str
    effective_from: int
    document: str
    date: str
    targets: tuple[Target, ...]
    note_zh: str | None = None


def _schema() -> dict:
    return json.loads(resources.files("planbook.plan").joinpath("schema/amendments.schema.json").read_text("utf-8"))


def load_amendments(plan_dir: Path, cat: Catalogue) -> tuple[tuple[Amendment, ...], list[InputFile]]:
    """The amendments of a plan (none when there is no file), checked against its catalogue."""
    path = Path(plan_dir) / AMENDMENTS_FILE
    if not (path.exists() or path.is_symlink()):
        return (), []
    name = display_path(path)
    data = read_input(path, name, CATALOGUE_LIMIT, "amendments")
    raw, _ = parse_yaml(data, name)
    raw = raw if raw is not None else {"amendments": []}
    problems = []
    for err in jsonschema.Draft202012Validator(_schema()).iter_errors(raw):
        where = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in err.absolute_path).replace(".[", "[")
        problems.append(Problem(name, None, where or None, err.message))
    if problems:
        raise InputError(problems)
    seen = set()
    for n, a in enumerate(raw["amendments"]):
        where = f"amendments[{n}]"
        if a["id"] in seen:
            problems.append(Problem(name, None, f"{where}.id", f"duplicate id {a['id']!r}"))
        seen.add(a["id"])
        ind = cat.by_id.get(a["indicator"])
        if ind is None:
            problems.append(Problem(name, None, f"{where}.indicator", f"unknown indicator {a['indicator']!r}"))
            continue
        if not cat.first_year <= a["effective_from"] <= cat.last_year:
            problems.append(Problem(name, None, f"{where}.effective_from",
                                    f"{a['effective_from']} is outside the plan's period {cat.first_year}–{cat.last_year}"))
        lo, hi = ind.valid_range if ind.valid_range != (None, None) else default_range(ind.unit, ind.kind)
        for k, t in enumerate(a["targets"]):
            if ind.direction == "higher" and t["comparison"] in ("<", "<=") or \
                    ind.direction == "lower" and t["comparison"] in (">", ">="):
                problems.append(Problem(name, None, f"{where}.targets[{k}].comparison",
                                        f"{t['comparison']} contradicts direction {ind.direction!r}"))
            if (lo is not None and t["value"] < lo) or (hi is not None and t["value"] > hi):
                problems.append(Problem(name, None, f"{where}.targets[{k}].value",
                                        f"{t['value']} is outside the valid range {lo}..{hi}"))
            if not cat.first_year <= t["year"] <= cat.last_year:
                problems.append(Problem(name, None, f"{where}.targets[{k}].year",
                                        f"{t['year']} is outside the plan's period {cat.first_year}–{cat.last_year}"))
    if problems:
        raise InputError(problems)
    amendments = tuple(Amendment(id=a["id"], indicator=a["indicator"], effective_from=a["effective_from"],
                                 document=a["document"], date=str(a["date"]),
                                 targets=tuple(Target(**t) for t in sorted(a["targets"], key=lambda t: t["year"])),
                                 note_zh=a.get("note_zh"))
                       for a in raw["amendments"])
    return tuple(sorted(amendments, key=lambda a: (a.effective_from, a.id))), [InputFile(path, data)]


def in_force(cat: Catalogue, amendments: tuple[Amendment, ...], year: int) -> Catalogue:
    """The catalogue as in force in ``year``: every amendment effective by then applied in order."""
    due = [a for a in amendments if a.effective_from <= year]
    if not due:
        return cat
    indicators = []
    for ind in cat.indicators:
        for a in (a for a in due if a.indicator == ind.id):
            ind = dataclasses.replace(ind, targets=a.targets, target_pending=False)
        indicators.append(ind)
    return dataclasses.replace(cat, indicators=tuple(indicators))


def target_history(cat: Catalogue, amendments: tuple[Amendment, ...], indicator_id: str) -> list[tuple[str, Amendment | None, tuple[Target, ...]]]:
    """An indicator's targets over time: ``(from, amendment or None for the plan, targets)``."""
    ind = cat.by_id[indicator_id]
    history = [(str(cat.plan.get("issued", "")), None, ind.targets)]
    history += [(str(a.effective_from), a, a.targets) for a in amendments if a.indicator == indicator_id]
    return history
