"""Everything the plan commits to beyond numbers: goals, tasks and projects, by area and department.

``data/register.yaml`` holds the plan's spatial frame (zones, 片区, 街道) and every commitment
that is not a numeric indicator, each with the verbatim passage it comes from;
``data/departments.yaml`` holds the lead department of each commitment and indicator. The plan
names no department for most of them, so that file is the evaluation project's own assignment,
marked as such (``department_source`` says which). Both are optional: a plan without a register
has no commitments to judge.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from planbook.errors import InputError, Problem, display_path
from planbook.files import InputFile, read_input
from planbook.plan.catalogue import CATALOGUE_LIMIT, Catalogue, parse_yaml

KINDS = ("goal", "task", "project")
REGISTER_FILE = "register.yaml"
DEPARTMENTS_FILE = "departments.yaml"


@dataclass(frozen=True)
class Area:
    id: str
    kind: str  # zone | pianqu | jiedao | other
    name_zh: str
    parent: str | None
    description_zh: str
    section: str
    quote: str


@dataclass(frozen=True)
class Commitment:
    id: str
    kind: str  # goal | task | project
    chapter: int
    dimension: str | None
    name_zh: str
    name_en: str
    deadline: int | None
    deadline_as_written: str | None
    areas: tuple[str, ...]
    department: str | None  # named by the plan itself (rarely)
    section: str
    quote: str


@dataclass(frozen=True)
class Department:
    id: str
    name_zh: str


@dataclass(frozen=True)
class Register:
    areas: tuple[Area, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    departments: tuple[Department, ...] = ()
    # commitment or indicator id → department id: the project's assignment (not the plan's)
    assignments: dict[str, str] = field(default_factory=dict)
    path: Path | None = field(default=None, compare=False)
    departments_path: Path | None = field(default=None, compare=False)
    files: tuple[InputFile, ...] = field(default=(), compare=False, repr=False)  # as read

    @cached_property
    def by_id(self) -> dict[str, Commitment]:
        return {c.id: c for c in self.commitments}

    @cached_property
    def area_by_id(self) -> dict[str, Area]:
        return {a.id: a for a in self.areas}

    @cached_property
    def department_by_id(self) -> dict[str, Department]:
        return {d.id: d for d in self.departments}

    def department_of(self, item_id: str) -> tuple[Department | None, str | None]:
        """The lead department of a commitment or indicator and who named it: ``plan`` or ``project``."""
        named = self.by_id[item_id].department if item_id in self.by_id else None
        if named:
            return self.department_by_id.get(named, Department(named, named)), "plan"
        dep = self.assignments.get(item_id)
        return (self.department_by_id[dep], "project") if dep else (None, None)

    def in_dimension(self, dimension: str | None) -> tuple[Commitment, ...]:
        return tuple(c for c in self.commitments if c.dimension == dimension)

    def zone_of(self, area_id: str) -> Area | None:
        """The zone (东强/中优/南美/北起) an area lies in, following ``parent``; None if unplaced."""
        seen = set()
        area = self.area_by_id.get(area_id)
        while area is not None and area.id not in seen:
            if area.kind == "zone":
                return area
            seen.add(area.id)
            area = self.area_by_id.get(area.parent) if area.parent else None
        return None


def _schema() -> dict:
    return json.loads(resources.files("planbook.plan").joinpath("schema/register.schema.json").read_text("utf-8"))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _schema_problems(name: str, raw: Any, schema: dict) -> list[Problem]:
    problems = []
    for err in jsonschema.Draft202012Validator(schema).iter_errors(raw):
        where = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in err.absolute_path).replace(".[", "[")
        message = err.message
        if err.validator == "enum":
            message = f"got {err.instance!r}, expected one of {', '.join(map(str, err.validator_value))}"
        elif err.validator == "required":
            message = f"missing {message.split(' is a required')[0]}"
        problems.append(Problem(name, None, where or None, message))
    return problems


def load_register(data_dir: Path, catalogue: Catalogue) -> Register:
    """Read and check ``register.yaml`` and ``departments.yaml`` of a data folder (both optional).

    Raise :class:`InputError` listing every problem: schema, duplicate ids, unknown areas,
    departments or commitments, quotes not found verbatim in the plan text.
    """
    data_dir = Path(data_dir)
    path, dep_path = data_dir / REGISTER_FILE, data_dir / DEPARTMENTS_FILE
    problems: list[Problem] = []
    files = [InputFile(p, read_input(p, display_path(p), CATALOGUE_LIMIT, "register"))
             for p in (path, dep_path) if p.exists() or p.is_symlink()]
    read = {f.path.name: parse_yaml(f.data, display_path(f.path))[0] for f in files}
    raw = read.get(REGISTER_FILE) or {"areas": [], "commitments": []}
    deps = read.get(DEPARTMENTS_FILE) or {"departments": [], "assignments": {}}
    schema = _schema()
    problems += _schema_problems(display_path(path), raw, schema)
    problems += _schema_problems(display_path(dep_path), deps,
                                 {**schema, "required": [], "properties": {}, "additionalProperties": True,
                                  "allOf": [{"$ref": "#/$defs/departments_file"}]})
    if problems:
        raise InputError(problems)

    name, dep_name = display_path(path), display_path(dep_path)
    plan_text = _squash(catalogue.plan_text())
    seen: dict[str, str] = {}
    for section in ("areas", "commitments"):
        for n, e in enumerate(raw[section]):
            where = f"{section}[{n}]"
            if e["id"] in seen:
                problems.append(Problem(name, None, f"{where}.id", f"duplicate id {e['id']!r} (also {seen[e['id']]})"))
            seen.setdefault(e["id"], where)
            if _squash(e["source"]["quote"]) not in plan_text:
                problems.append(Problem(name, None, f"{where}.source.quote", "quote not found verbatim in the plan text"))
    areas = {a["id"] for a in raw["areas"]}
    for n, a in enumerate(raw["areas"]):
        if a["parent"] is not None and a["parent"] not in areas:
            problems.append(Problem(name, None, f"areas[{n}].parent", f"unknown area {a['parent']!r}"))
    dimensions = {d.id for d in catalogue.dimensions}
    for n, c in enumerate(raw["commitments"]):
        for ref in c["areas"]:
            if ref not in areas:
                problems.append(Problem(name, None, f"commitments[{n}].areas", f"unknown area {ref!r}"))
        if c["dimension"] is not None and c["dimension"] not in dimensions:
            problems.append(Problem(name, None, f"commitments[{n}].dimension",
                                    f"got {c['dimension']!r}, expected one of {', '.join(sorted(dimensions))} or null"))
        deadline_words = c.get("deadline_as_written")
        if deadline_words and _squash(deadline_words) not in plan_text:
            problems.append(Problem(name, None, f"commitments[{n}].deadline_as_written", "not found in the plan text"))
        if not catalogue.first_year <= (c["deadline"] or catalogue.first_year) <= catalogue.last_year:
            problems.append(Problem(name, None, f"commitments[{n}].deadline",
                                    f"{c['deadline']} is outside the plan's period {catalogue.first_year}–{catalogue.last_year}"))
    dep_ids = [d["id"] for d in deps["departments"]]
    for d in sorted({d for d in dep_ids if dep_ids.count(d) > 1}):
        problems.append(Problem(dep_name, None, "departments", f"duplicate id {d!r}"))
    items = {c["id"] for c in raw["commitments"]} | {i.id for i in catalogue.indicators} | {c.id for c in catalogue.context}
    for item, dep in deps["assignments"].items():
        if item not in items:
            problems.append(Problem(dep_name, None, f"assignments.{item}", "unknown commitment or indicator"))
        if dep not in dep_ids:
            problems.append(Problem(dep_name, None, f"assignments.{item}", f"unknown department {dep!r}"))
    for n, c in enumerate(raw["commitments"]):
        if c["department"] is None and c["id"] not in deps["assignments"] and deps["departments"]:
            problems.append(Problem(dep_name, None, "assignments", f"no department for commitment {c['id']!r}"))
    if problems:
        raise InputError(problems)

    return Register(
        areas=tuple(Area(id=a["id"], kind=a["kind"], name_zh=a["name_zh"], parent=a["parent"],
                         description_zh=a["description_zh"], section=a["source"]["section"],
                         quote=a["source"]["quote"]) for a in raw["areas"]),
        commitments=tuple(Commitment(id=c["id"], kind=c["kind"], chapter=c["chapter"], dimension=c["dimension"],
                                     name_zh=c["name_zh"], name_en=c["name_en"], deadline=c["deadline"],
                                     deadline_as_written=c.get("deadline_as_written"), areas=tuple(c["areas"]),
                                     department=c["department"], section=c["source"]["section"],
                                     quote=c["source"]["quote"]) for c in raw["commitments"]),
        departments=tuple(Department(d["id"], d["name_zh"]) for d in deps["departments"]),
        assignments=dict(deps["assignments"]),
        path=path if path.is_file() else None,
        departments_path=dep_path if dep_path.is_file() else None,
        files=tuple(files),
    )
