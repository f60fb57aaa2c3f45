"""The plan as data: indicators, targets and the passages they come from.

The catalogue (``data/catalogue.yaml``) is the single source of truth for
names, units, directions, baselines and targets.  This module loads it,
validates it against a JSON schema and a few rules a schema cannot express,
and derives the plan's internal conflicts (two passages that set different
targets for the same measure).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from planbook.errors import InputError, Problem, display_path
from planbook.files import MB, InputFile, read_input

COMPARISONS = (">=", ">", "<=", "<", "~")


# "About" (左右) targets: an indicator that should be higher counts as meeting "about G" from
# (1 − this share) · G up, one that should be lower up to (1 + this share) · G.
ABOUT_TOLERANCE = 0.01
_EPS = 1e-9


def is_met(value: float, target: float, comparison: str, direction: str) -> bool:
    """Whether ``value`` satisfies a target as the plan sets it, respecting ``>`` versus ``>=``."""
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



@dataclass(frozen=True)
class PaceSettings:
    """序时进度 thresholds (the catalogue's ``plan.evaluation`` may set them).

    ``on_pace``: behind the time share by at most this much is still on pace (green);
    ``red``: behind by more than this is red, between the two yellow.
    """

    on_pace: float = 0.10
    red: float = 0.30
    # 基本完成: a target missed by at most this share of the target value in its year (None: off).
    nearly_met: float | None = None


@dataclass(frozen=True)
class Target:
    year: int
    value: float
    comparison: str
    as_written: str
    year_inferred: bool = False
    year_note_zh: str | None = None
    reading_zh: str | None = None  # how a sign such as ">" or "以上" is read, and why

    def label(self, unit: str = "", decimals: int | None = None) -> str:
        """``≥90%``-style label used in tables and charts."""
        from planbook.words import W

        value = _fmt(self.value, decimals)
        unit = "" if unit in ("/", "是/否") else unit
        return f"{W('comparison.' + self.comparison)}{value}{unit}"


@dataclass(frozen=True)
class Baseline:
    year: int
    value: float
    as_written: str
    # True when the plan defines the base rather than reporting a value ("2020年为基期"):
    # shown as the base of the scale, never as an official observation.
    definition: bool = False


@dataclass(frozen=True)
class Indicator:
    id: str
    table_no: int | None
    dimension: str
    name_zh: str
    name_en: str
    unit: str
    direction: str
    kind: str
    decimals: int
    baseline: Baseline | None
    targets: tuple[Target, ...]
    section: str
    quote: str | None
    window: tuple[int, int] | None = None
    target_pending: bool = False
    same_as: str | None = None
    valid_range: tuple[float | None, float | None] = (None, None)
    note_zh: str | None = None
    note_en: str | None = None

    @property
    def series_id(self) -> str:
        """The id whose observations measure this entry (text targets reuse the table's)."""
        return self.same_as or self.id

    @property
    def is_table(self) -> bool:
        return self.table_no is not None

    def target_for(self, year: int) -> Target | None:
        return next((t for t in self.targets if t.year == year), None)

    def clip(self, value: float) -> float:
        """Keep a value inside the range the indicator can take (a coverage stays ≤ 100%)."""
        lo, hi = self.valid_range
        if lo is not None:
            value = max(lo, value)
        if hi is not None:
            value = min(hi, value)
        return value


@dataclass(frozen=True)
class ContextSeries:
    id: str
    name_zh: str
    name_en: str
    unit: str
    decimals: int
    section: str
    quote: str | None
    valid_range: tuple[float | None, float | None] = (None, None)
    note_zh: str | None = None
    # The indicator this series measures the same thing as: its figures are that indicator's
    # observations (read under the indicator's id), not a second series.
    same_measure_as: str | None = None


@dataclass(frozen=True)
class Dimension:
    id: str
    name_zh: str
    name_en: str
    chapter_zh: str | None = None  # the plan's chapter of this dimension, when it has one
    short_zh: str | None = None  # e.g. 智慧 for 智慧城镇化, where a table is narrow
    intro_zh: str | None = None  # the chapter's opening paragraph (planbook chapters writes it in)
    analysis: dict | None = None  # the chapter's own analysis (planbook.report.analyses)

    @property
    def short(self) -> str:
        return self.short_zh or self.name_zh


@dataclass(frozen=True)
class Conflict:
    """Two passages of the plan that set different targets for one measure."""

    table_id: str
    text_id: str
    year: int
    kind: str  # "value", "comparison" or "year" (the text sets a year the table does not)
    table_target: Target | None
    text_target: Target

    def describe_zh(self, cat: "Catalogue") -> str:
        from planbook.words import W

        table, text = cat.by_id[self.table_id], cat.by_id[self.text_id]
        text_part = W("conflict.text_part", section=text.section, written=self.text_target.as_written)
        if self.table_target is None:
            return W("conflict.no_table_target", name=table.name_zh, year=self.year, text_part=text_part)
        return W("conflict.describe", name=table.name_zh, row=table.table_no, year=self.year,
                 written=self.table_target.as_written, text_part=text_part, what=W(f"conflict.kind.{self.kind}"))

    def describe_en(self, cat: "Catalogue") -> str:
        table = cat.by_id[self.table_id]
        tt = self.table_target
        table_part = (f"table row {table.table_no} says {tt.comparison}{_fmt(tt.value)}"
                      if tt else "the table sets no target")
        return (f"{self.table_id} {self.year}: {table_part}, "
                f"{self.text_id} says {self.text_target.comparison}{_fmt(self.text_target.value)} "
                f"({self.kind} differs)")


@dataclass(frozen=True)
class AuditNote:
    ids: tuple[str, ...]
    note_zh: str
    note_en: str


@dataclass(frozen=True)
class Catalogue:
    plan: dict[str, Any]
    dimensions: tuple[Dimension, ...]
    indicators: tuple[Indicator, ...]
    context: tuple[ContextSeries, ...]
    audit_notes: tuple[AuditNote, ...]
    path: Path = field(compare=False)
    # The catalogue and the plan text as read (see planbook.inputs).
    files: tuple[InputFile, ...] = field(default=(), compare=False, repr=False)

    @cached_property
    def by_id(self) -> dict[str, Indicator]:
        return {i.id: i for i in self.indicators}

    @cached_property
    def context_by_id(self) -> dict[str, ContextSeries]:
        return {c.id: c for c in self.context}

    @cached_property
    def dimension_by_id(self) -> dict[str, Dimension]:
        return {d.id: d for d in self.dimensions}

    @property
    def base_year(self) -> int:
        return int(self.plan["base_year"])

    @property
    def first_year(self) -> int:
        """The first year of the plan's period (the year after the base year unless it says)."""
        period = self.plan.get("period") or {}
        return int(period.get("start", self.base_year + 1))

    @property
    def last_year(self) -> int:
        """The plan's horizon: its last year (the latest target year unless it says)."""
        period = self.plan.get("period") or {}
        return int(period.get("end", max(self.milestones, default=self.base_year)))

    def plan_text(self) -> str:
        """The plan's text, which every quote is checked against (as it was read with the catalogue)."""
        if len(self.files) > 1:
            return self.files[1].data.decode("utf-8-sig")
        return (self.path.parent / self.plan["text"]).read_text("utf-8")

    @property
    def table(self) -> tuple[Indicator, ...]:
        return tuple(sorted((i for i in self.indicators if i.is_table), key=lambda i: i.table_no))

    @property
    def text_targets(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if not i.is_table)

    @cached_property
    def series_ids(self) -> frozenset[str]:
        """Ids that observation files may use: entries with their own data, and context (a context
        series declared ``same_measure_as`` an indicator is read as that indicator)."""
        own = {i.id for i in self.indicators if i.same_as is None}
        return frozenset(own | {c.id for c in self.context})

    @cached_property
    def same_measure(self) -> dict[str, str]:
        """Context series id → the indicator it measures the same thing as."""
        return {c.id: c.same_measure_as for c in self.context if c.same_measure_as}

    def measure_id(self, series_id: str) -> str:
        """The id a series' figures are kept under: the indicator's for a same-measure context series."""
        return self.same_measure.get(series_id, series_id)

    @property
    def own_context(self) -> tuple[ContextSeries, ...]:
        """Context series with figures of their own (not the same measure as an indicator)."""
        return tuple(c for c in self.context if not c.same_measure_as)

    @property
    def basis(self) -> dict[str, Any] | None:
        """The statistical basis of the plan's table (``plan.basis``): its name and the words
        that name another basis; None when the catalogue does not say."""
        return self.plan.get("basis")

    def series_meta(self, series_id: str) -> Indicator | ContextSeries:
        return self.by_id.get(series_id) or self.context_by_id[series_id]

    def in_dimension(self, dimension: str) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.dimension == dimension)

    @cached_property
    def milestones(self) -> tuple[int, ...]:
        """The plan's milestone years: the years of its table's targets (the plan block names them)."""
        declared = self.plan.get("milestones")
        if declared:
            return tuple(sorted(int(y) for y in declared))
        return tuple(sorted({t.year for i in self.table for t in i.targets}))

    def edition_kind(self, year: int) -> str:
        """``final`` for the plan's last milestone, ``mid_term`` for the others, else ``annual``."""
        if self.milestones and year == self.milestones[-1]:
            return "final"
        return "mid_term" if year in self.milestones else "annual"

    def phrase_context(self) -> dict[str, str]:
        """The plan's names, filled into the phrasebook's templates."""
        p = self.plan
        return {"place": p["place_zh"], "table": p["table_zh"], "table_title": p["table_title_zh"],
                "plan_title": p["title_zh"], "plan_short": p["short_title_zh"], "base_year": str(self.base_year)}

    @cached_property
    def pace_settings(self) -> PaceSettings:
        """序时进度 thresholds: ``plan.evaluation`` of the catalogue, else the defaults."""
        raw = self.plan.get("evaluation") or {}
        default = PaceSettings()
        nearly = raw.get("nearly_met")
        return PaceSettings(on_pace=float(raw.get("pace_tolerance", default.on_pace)),
                            red=float(raw.get("red_gap", default.red)),
                            nearly_met=None if nearly is None else float(nearly))

    def warnings(self) -> list[Problem]:
        """What ``planbook check`` warns about without refusing: a baseline older than the plan's
        base year (progress is measured from the baseline, so the plan's period and its "from" do
        not agree), and a target whose passage is not quoted (``quote: null``: the book promises the
        plan's words for every target; its page says 原文未核对)."""
        name, found = display_path(self.path), []
        for section, entries in (("indicators", self.indicators), ("context", self.context)):
            for n, e in enumerate(entries):
                base = getattr(e, "baseline", None)
                if base is not None and base.year < self.base_year:
                    found.append(Problem(name, None, f"{section}[{n}].baseline.year",
                                         f"{base.year} is before the plan's base year {self.base_year}: progress "
                                         f"is measured from this older value (give the base year's, if the plan has it)"))
                if e.quote is None and section == "indicators":  # a target's passage, promised by the book
                    found.append(Problem(name, None, f"{section}[{n}].source.quote",
                                         f"{e.id}: no quote of the plan's passage (the page says 原文未核对)"))
        return found

    def conflicts(self) -> list[Conflict]:
        """Targets of text passages that really disagree with the table for the same measure.

        Compared as read (``reading_zh``): the table's ">90" read as 90 or more and the text's
        "90%以上" agree. A text target "about G" (左右) against the table's G states the same
        target more loosely and is not a conflict; a different value or year is.
        """
        found: list[Conflict] = []
        for text in self.indicators:
            if text.same_as is None:
                continue
            table = self.by_id[text.same_as]
            for tt in text.targets:
                base = table.target_for(tt.year)
                if base is None:
                    found.append(Conflict(table.id, text.id, tt.year, "year", None, tt))
                elif base.value != tt.value:
                    found.append(Conflict(table.id, text.id, tt.year, "value", base, tt))
                elif base.comparison != tt.comparison and "~" not in (base.comparison, tt.comparison):
                    found.append(Conflict(table.id, text.id, tt.year, "comparison", base, tt))
        return found


def _fmt(value: float, decimals: int | None = None) -> str:
    if decimals is None:
        return f"{value:g}"
    return f"{value:,.{decimals}f}".replace(",", "")


def default_range(unit: str, kind: str) -> tuple[float | None, float | None]:
    """Values a series may take unless the catalogue says otherwise."""
    if kind == "yes_no":
        return (0.0, 1.0)
    if unit == "%":
        return (0.0, 100.0)
    return (0.0, None)


def _schema() -> dict:
    text = resources.files("planbook.plan").joinpath("schema/catalogue.schema.json").read_text("utf-8")
    return json.loads(text)


# libyaml's loader when PyYAML was built with it (it is, in the wheels): ten times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


CATALOGUE_LIMIT = 5 * MB  # the catalogue is about 100 KB
PLAN_TEXT_LIMIT = 20 * MB  # the plan's text is about 100 KB
# Numbers the catalogue may hold: finite, and far from what would overflow a calculation.
MAX_ABS_NUMBER = 1e15
# Characters a catalogue text may not hold (line breaks and tabs are allowed).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ID_PATTERN = {"indicators": re.compile(r"[a-z][a-z0-9_]*"), "context": re.compile(r"ctx_[a-z0-9_]+")}


def _node_lines(root) -> dict[tuple[str, int], int]:
    """Line numbers (1-based) of each entry of the ``indicators`` and ``context`` lists."""
    lines: dict[tuple[str, int], int] = {}
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key, value in root.value:
        if key.value in ("indicators", "context") and isinstance(value, yaml.SequenceNode):
            for n, item in enumerate(value.value):
                lines[(key.value, n)] = item.start_mark.line + 1
    return lines


def _structure_problems(name: str, root) -> list[Problem]:
    """What YAML allows but a catalogue must not have: a key given twice in one mapping (YAML
    keeps the last silently) and aliases (``*name``; a few of them nested can expand to
    billions of values). Walked over the composed nodes, so it costs what the text costs."""
    problems: list[Problem] = []
    seen: set[int] = set()
    stack = [(root, "")]
    while stack:
        node, where = stack.pop()
        if node is None:
            continue
        if id(node) in seen:  # an alias is the node of its anchor, met a second time
            return [Problem(name, node.start_mark.line + 1, where or None,
                            "YAML alias (*name) of an anchor (&name): write the value out; the catalogue takes "
                            "no anchors or aliases")]
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                label = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
                path = f"{where}.{label}" if where else label
                if isinstance(key, yaml.ScalarNode):
                    if key.value in first:
                        problems.append(Problem(name, key.start_mark.line + 1, path,
                                                f"duplicate key {key.value!r} (also at row {first[key.value]}): "
                                                "YAML would keep only the last one; remove one of them"))
                    else:
                        first[key.value] = key.start_mark.line + 1
                stack += [(value, path), (key, path)]
        elif isinstance(node, yaml.SequenceNode):
            stack += [(item, f"{where}[{n}]") for n, item in enumerate(node.value)]
    return problems


def _value_problems(name: str, raw, lines: dict) -> list[Problem]:
    """Numbers that are not finite or absurdly large (YAML reads ``.nan``, ``.inf``, ``1e400``
    as numbers), and texts holding control characters."""
    problems: list[Problem] = []

    def visit(value, path: list) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                visit(v, [*path, k])
        elif isinstance(value, list):
            for n, v in enumerate(value):
                visit(v, [*path, n])
        elif isinstance(value, float) and not (math.isfinite(value) and abs(value) <= MAX_ABS_NUMBER):
            problems.append(problem(path, f"{value!r} is not a usable number: expected a finite number "
                                          f"between {-MAX_ABS_NUMBER:g} and {MAX_ABS_NUMBER:g}"))
        elif isinstance(value, str) and CONTROL.search(value):
            char = CONTROL.search(value).group()
            problems.append(problem(path, f"holds the control character U+{ord(char):04X}: remove it"))

    def problem(path: list, message: str) -> Problem:
        row = lines.get((path[0], path[1])) if len(path) >= 2 and isinstance(path[1], int) else None
        field_name = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in path).replace(".[", "[")
        return Problem(name, row, field_name or None, message)

    visit(raw, [])
    return problems


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def read_plan_text(path: Path, name: str) -> tuple[str, InputFile]:
    """The plan's text (UTF-8), for checking quotes; raise InputError naming the catalogue's field."""
    try:
        data = read_input(path, display_path(path), PLAN_TEXT_LIMIT, "plan text")
    except InputError as exc:
        raise InputError([Problem(name, None, "plan.text", f"plan text {p.file}: {p.message}")
                          for p in exc.problems]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            data.decode("gb18030")
            hint = "it looks like GBK/GB18030: save it as UTF-8"
        except UnicodeDecodeError:
            hint = "save it as UTF-8 text"
        raise InputError([Problem(name, None, "plan.text", f"plan text {display_path(path)} is not UTF-8: {hint}")]) from None
    return text, InputFile(Path(path), data)


def parse_yaml(data: bytes, name: str) -> tuple[Any, Any]:
    """A project YAML file's data and its composed nodes; errors name the file and line.

    Refused: text that is not UTF-8, invalid YAML, a key given twice, aliases.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(name, None, None, f"not UTF-8 text ({exc.reason})")]) from None
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark else None
        raise InputError([Problem(name, row, None, f"not valid YAML: {getattr(exc, 'problem', exc)}")]) from None
    problems = _structure_problems(name, root)
    if problems:
        raise InputError(problems)
    return yaml.load(text, Loader=_LOADER), root


def read_yaml(path: Path, what: str = "data") -> Any:
    """Read a YAML file of the project (register, departments) as safely as the catalogue."""
    name = display_path(path)
    raw, _ = parse_yaml(read_input(path, name, CATALOGUE_LIMIT, what), name)
    return raw


def load_catalogue(path: Path, plan_text: Path | None = None) -> Catalogue:
    """Read, validate and return the catalogue; raise :class:`InputError` listing every problem.

    ``plan_text``: where the plan's text is, when not where the catalogue's ``plan.text`` says
    (a build's snapshot keeps it beside the catalogue).
    """
    path = Path(path)
    name = display_path(path)
    data = read_input(path, name, CATALOGUE_LIMIT, "catalogue")
    raw, root = parse_yaml(data, name)
    lines = _node_lines(root)
    problems = [_schema_problem(name, err, lines)
                for err in jsonschema.Draft202012Validator(_schema()).iter_errors(raw)]
    if problems:
        raise InputError(problems)
    problems = _value_problems(name, raw, lines)
    if problems:
        raise InputError(problems)

    plan_file = Path(plan_text) if plan_text is not None else path.parent / raw["plan"]["text"]
    files = [InputFile(path, data)]
    plan = None
    try:
        plan, plan_input = read_plan_text(plan_file, name)
        files.append(plan_input)
        problems = []
    except InputError as exc:
        problems = list(exc.problems)
    problems += _rule_problems(name, raw, lines, None if plan is None else _squash(plan))
    if problems:
        raise InputError(problems)
    return _build(raw, path, tuple(files))


def _schema_problem(name: str, err: jsonschema.ValidationError, lines: dict) -> Problem:
    parts = list(err.absolute_path)
    row = lines.get((parts[0], parts[1])) if len(parts) >= 2 and isinstance(parts[1], int) else None
    field_name = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in parts).replace(".[", "[")
    message = err.message
    if err.validator == "enum":
        message = f"got {err.instance!r}, expected one of {', '.join(map(str, err.validator_value))}"
    elif err.validator == "required":
        message = f"missing {message.split(' is a required')[0]}"
    elif err.validator == "type":
        message = f"got {err.instance!r}, expected {err.validator_value}"
    elif err.validator == "additionalProperties":
        message = f"unknown key: {message}"
    return Problem(name, row, field_name or None, message)


def _rule_problems(name: str, raw: dict, lines: dict, plan_text: str | None) -> list[Problem]:
    """Rules beyond the schema: unique ids, references, windows, table rows, quotes.
    ``plan_text``: the plan's text without white space (None when it could not be read)."""
    problems: list[Problem] = []
    entries = [("indicators", n, e) for n, e in enumerate(raw["indicators"])]
    entries += [("context", n, e) for n, e in enumerate(raw["context"])]
    seen: dict[str, int] = {}
    table_rows: dict[int, str] = {}
    by_id = {e["id"]: e for e in raw["indicators"]}

    first, last = raw["plan"].get("period", {}).get("start"), raw["plan"].get("period", {}).get("end")
    dimensions = {d["id"] for d in raw["dimensions"]}
    for year in raw["plan"]["milestones"]:
        if (first is not None and year < first) or (last is not None and year > last):
            problems.append(Problem(name, None, "plan.milestones", f"{year} is outside the plan's period {first}–{last}"))
    series_ids = {e["id"] for e in raw["indicators"]} | {c["id"] for c in raw["context"]}
    needs = {"coverage": (0, 0), "focus": (1, 1), "path": (1, 1), "gap": (2, 2)}  # how many series each takes
    for k, d in enumerate(raw["dimensions"]):
        analysis = d.get("analysis") or {}
        for ref in analysis.get("series", []) + analysis.get("context", []):
            if ref not in series_ids:
                problems.append(Problem(name, None, f"dimensions[{k}].analysis", f"unknown series {ref!r}"))
        if analysis:
            lo, hi = needs[analysis["kind"]]
            if not lo <= len(analysis.get("series", [])) <= hi:
                problems.append(Problem(name, None, f"dimensions[{k}].analysis.series",
                                        f"a {analysis['kind']} analysis takes {lo} series" if lo == hi else
                                        f"a {analysis['kind']} analysis takes {lo} to {hi} series"))
            if analysis.get("context") and len(analysis["context"]) != 2:
                problems.append(Problem(name, None, f"dimensions[{k}].analysis.context",
                                        "takes two context series (numerator, denominator)"))
    for section, n, e in entries:
        row = lines.get((section, n))
        where = f"{section}[{n}]"
        if not ID_PATTERN[section].fullmatch(e["id"]):
            problems.append(Problem(name, row, f"{where}.id", f"{e['id']!r} is not an id: expected lower-case "
                                                              "letters, digits and _ only (nothing before or after)"))
        if section == "indicators" and e["dimension"] not in dimensions:
            problems.append(Problem(name, row, f"{where}.dimension",
                                    f"got {e['dimension']!r}, expected one of {', '.join(sorted(dimensions))}"))
        for k, t in enumerate(e.get("targets", [])):
            if (first is not None and t["year"] < first) or (last is not None and t["year"] > last):
                problems.append(Problem(name, row, f"{where}.targets[{k}].year",
                                        f"{t['year']} is outside the plan's period {first}–{last}"))
        if e["id"] in seen:
            problems.append(Problem(name, row, f"{where}.id", f"duplicate id {e['id']!r} (first at row {seen[e['id']]})"))
        seen.setdefault(e["id"], row or 0)
        quote = e["source"].get("quote")
        if quote and plan_text is not None and _squash(quote) not in plan_text:
            problems.append(Problem(name, row, f"{where}.source.quote", "quote not found verbatim in the plan text"))
        vr = e.get("valid_range")
        if vr and vr[0] is not None and vr[1] is not None and vr[0] > vr[1]:
            problems.append(Problem(name, row, f"{where}.valid_range", f"min {vr[0]} is above max {vr[1]}"))
        if section != "indicators":
            continue
        if e["table_no"] is not None:
            if e["table_no"] in table_rows:
                problems.append(Problem(name, row, f"{where}.table_no", f"table row {e['table_no']} already used by {table_rows[e['table_no']]}"))
            table_rows[e["table_no"]] = e["id"]
        if e["kind"] == "cumulative" and "window" not in e:
            problems.append(Problem(name, row, f"{where}.window", "a cumulative indicator needs window: {start, end}"))
        if "window" in e and e["window"]["start"] > e["window"]["end"]:
            problems.append(Problem(name, row, f"{where}.window", "start is after end"))
        if not e["targets"] and not e.get("target_pending") and e["table_no"] is not None:
            problems.append(Problem(name, row, f"{where}.targets", "no target: give one or set target_pending: true"))
        years = [t["year"] for t in e["targets"]]
        if len(years) != len(set(years)):
            problems.append(Problem(name, row, f"{where}.targets", "two targets for the same year"))
        for k, t in enumerate(e["targets"]):
            if e["direction"] == "higher" and t["comparison"] in ("<", "<="):
                problems.append(Problem(name, row, f"{where}.targets[{k}].comparison", f"{t['comparison']} contradicts direction 'higher'"))
            if e["direction"] == "lower" and t["comparison"] in (">", ">="):
                problems.append(Problem(name, row, f"{where}.targets[{k}].comparison", f"{t['comparison']} contradicts direction 'lower'"))
            strict = t["comparison"] in (">", "<") or any(ch in t["as_written"] for ch in "><＞＜")
            if strict and not t.get("reading_zh"):
                problems.append(Problem(name, row, f"{where}.targets[{k}].reading_zh",
                                        f"{t['as_written']!r}: say how the sign is read (strict or not) and why"))
            lo, hi = vr if vr else default_range(e["unit"], e["kind"])
            if (lo is not None and t["value"] < lo) or (hi is not None and t["value"] > hi):
                problems.append(Problem(name, row, f"{where}.targets[{k}].value", f"{t['value']} is outside the valid range {lo}..{hi}"))
        ref = e.get("same_as")
        if ref is not None:
            target = by_id.get(ref)
            if target is None:
                problems.append(Problem(name, row, f"{where}.same_as", f"unknown indicator {ref!r}"))
            elif target.get("same_as") is not None or target["table_no"] is None:
                problems.append(Problem(name, row, f"{where}.same_as", f"{ref!r} must be a row of the plan's table"))
            elif target["unit"] != e["unit"] or target["direction"] != e["direction"]:
                problems.append(Problem(name, row, f"{where}.same_as", f"unit and direction must match {ref!r}"))
    problems += _same_measure_problems(name, raw, lines)
    for audit in raw["audit_notes"]:
        for ref in audit["ids"]:
            if ref not in seen:
                problems.append(Problem(name, None, "audit_notes.ids", f"unknown id {ref!r}"))
    return problems


def _same_measure_problems(name: str, raw: dict, lines: dict) -> list[Problem]:
    """A context series declared ``same_measure_as`` names a series of its own data (an indicator
    that is not ``same_as`` another) in the same unit, and no indicator is named twice."""
    by_id = {e["id"]: e for e in raw["indicators"]}
    problems, claimed = [], {}
    for n, c in enumerate(raw["context"]):
        ref = c.get("same_measure_as")
        if ref is None:
            continue
        where, row = f"context[{n}].same_measure_as", lines.get(("context", n))
        target = by_id.get(ref)
        if target is None or target.get("same_as") is not None:
            problems.append(Problem(name, row, where, f"{ref!r} is not an indicator with data of its own"))
        elif target["unit"] != c["unit"]:
            problems.append(Problem(name, row, where, f"unit {c['unit']!r} differs from {ref!r} ({target['unit']!r}): "
                                                      "a same measure has the same unit"))
        elif ref in claimed:
            problems.append(Problem(name, row, where, f"{ref!r} is already the same measure as {claimed[ref]!r}"))
        claimed.setdefault(ref, c["id"])
    return problems


def _range(e: dict) -> tuple[float | None, float | None]:
    vr = e.get("valid_range")
    return (vr[0], vr[1]) if vr else default_range(e["unit"], e.get("kind", "level"))


def _build(raw: dict, path: Path, files: tuple[InputFile, ...] = ()) -> Catalogue:
    indicators = tuple(
        Indicator(
            id=e["id"], table_no=e["table_no"], dimension=e["dimension"],
            name_zh=e["name_zh"], name_en=e["name_en"], unit=e["unit"],
            direction=e["direction"], kind=e["kind"], decimals=e["decimals"],
            baseline=Baseline(**e["baseline"]) if e["baseline"] else None,
            targets=tuple(Target(**t) for t in sorted(e["targets"], key=lambda t: t["year"])),
            section=e["source"]["section"], quote=e["source"]["quote"],
            window=(e["window"]["start"], e["window"]["end"]) if "window" in e else None,
            target_pending=e.get("target_pending", False), same_as=e.get("same_as"),
            valid_range=_range(e), note_zh=e.get("note_zh"), note_en=e.get("note_en"),
        )
        for e in raw["indicators"]
    )
    context = tuple(
        ContextSeries(
            id=c["id"], name_zh=c["name_zh"], name_en=c["name_en"], unit=c["unit"],
            decimals=c["decimals"], section=c["source"]["section"], quote=c["source"]["quote"],
            valid_range=_range(c), note_zh=c.get("note_zh"), same_measure_as=c.get("same_measure_as"),
        )
        for c in raw["context"]
    )
    return Catalogue(
        plan=raw["plan"],
        dimensions=tuple(Dimension(**d) for d in raw["dimensions"]),
        indicators=indicators,
        context=context,
        audit_notes=tuple(AuditNote(tuple(a["ids"]), a["note_zh"], a["note_en"]) for a in raw["audit_notes"]),
        path=path,
        files=files,
    )


def indicator_records(cat: Catalogue) -> list[dict[str, Any]]:
    """The catalogue as plain records, the shape ``planbook indicators`` prints."""
    records = []
    for i in cat.indicators:
        records.append({
            "id": i.id,
            "table_no": i.table_no,
            "dimension": i.dimension,
            "name_zh": i.name_zh,
            "name_en": i.name_en,
            "unit": i.unit,
            "direction": i.direction,
            "kind": i.kind,
            "decimals": i.decimals,
            "baseline": ({"year": i.baseline.year, "value": i.baseline.value,
                          **({"definition": True} if i.baseline.definition else {})} if i.baseline else None),
            "targets": [{"year": t.year, "value": t.value, "comparison": t.comparison, "as_written": t.as_written,
                         **({"reading_zh": t.reading_zh} if t.reading_zh else {})} for t in i.targets],
            "window": {"start": i.window[0], "end": i.window[1]} if i.window else None,
            "target_pending": i.target_pending,
            "same_as": i.same_as,
            "section": i.section,
            "quote": i.quote,
        })
    return records
