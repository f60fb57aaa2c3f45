"""The researchers' voice: ``commentary/<year>/<chapter>.md`` in a data folder.

A commentary file is MyST Markdown written by the evaluation team for one edition and one
chapter (``overview`` or a dimension id). It may refer to the edition's numbers by the glue keys
its chapter has (``{glue:text}`green_good_air_days_value```), so a sentence stays right when the
data are corrected. Lines that start with ``%`` are MyST comments: the scaffold's hints, never shown.

Its YAML front matter records what it was written against (``planbook commentary`` writes it)::

    written_against:
      indicators:
        green_good_air_days: needs_acceleration/behind   # status/pace when it was written
      commitments:
        c4_1_task_3: behind/yellow                      # status/light

When the data change so that one of those changes, the commentary is *stale*: ``planbook check``
warns and the page shows a note (see :mod:`planbook.report.commentary`). Sections are the text's
level-2 headings (``## 存在问题及原因``); the overview's are fixed (:data:`OVERVIEW_SECTIONS`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from planbook.errors import InputError, Problem, display_path
from planbook.files import MB, InputFile, read_input
from planbook import myst_text
from planbook.words import W

FOLDER = "commentary"
LIMIT = 1 * MB
OVERVIEW = "overview"
# The overview's sections, in the order the report shows them (titles from the phrasebook).
OVERVIEW_SECTIONS = ("verdict", "problems", "suggestions", "adjustment")
RECORD_KINDS = ("indicators", "commitments")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,}|:{3,})")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_STATE = re.compile(r"^[a-z_]+/[a-z_]+$")
_GLUE = re.compile(r"\{glue(?::[a-z]+)?\}`([^`]+)`")


@dataclass(frozen=True)
class Section:
    """Text under one level-2 heading (``key`` for the overview's known titles; ``title`` '' for
    the text before the first heading). ``body`` has the comment lines removed."""

    title: str
    body: str
    line: int  # of the heading in the file (of the body's first line for the lead text)
    key: str | None = None
    raw: str = ""  # the lines under the heading as written (comments included): what the page gets
    raw_line: int = 0  # the line of the file ``raw`` starts at (messages name it)

    @property
    def empty(self) -> bool:
        return not self.body.strip()


@dataclass(frozen=True)
class Commentary:
    file: InputFile
    chapter: str
    record: dict  # {"indicators": {id: "status/pace"}, "commitments": {id: "status/light"}}
    sections: tuple[Section, ...]
    glue: tuple[tuple[int, str], ...] = ()  # (line, key) of every glue role ({glue:text}`key:.1f` → key)

    @property
    def year(self) -> int:
        return int(self.file.year)

    @property
    def name(self) -> str:
        """``commentary/2024/green.md``: how pages and messages name the file."""
        return f"{FOLDER}/{self.year}/{self.chapter}.md"

    @property
    def empty(self) -> bool:
        return all(s.empty for s in self.sections)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key and not s.empty), None)


def section_title(key: str) -> str:
    return W(f"commentary.section.{key}")


def read_commentary(folder: Path, chapters: list[str], first: int, last: int) -> list[Commentary]:
    """Every commentary file under ``folder`` (``<year>/<chapter>.md``), read and checked.

    Hidden files and files that are not ``.md`` are left alone (an editor's backup); a ``.md`` file
    whose name is not a chapter, or a folder that is not a year of the plan, is refused (a typo
    would otherwise silently drop the text)."""
    if not folder.is_dir():
        return []
    found, problems = [], []
    for year_dir in sorted(folder.iterdir()):
        if year_dir.name.startswith("."):
            continue
        name = display_path(year_dir)
        if not (year_dir.is_dir() and year_dir.name.isdigit() and first <= int(year_dir.name) <= last):
            problems.append(Problem(name, None, None, f"expected a folder named after a year of the plan "
                                                      f"({first}–{last}) holding <chapter>.md files"))
            continue
        for path in sorted(year_dir.iterdir()):
            if path.name.startswith(".") or path.suffix.lower() != ".md":
                continue
            if path.stem not in chapters:
                problems.append(Problem(display_path(path), None, None, f"not a chapter: name the file after one "
                                                                        f"of {', '.join(chapters)} (.md)"))
                continue
            try:
                data = read_input(path, display_path(path), LIMIT, "commentary")
                found.append(parse_commentary(InputFile(path, data, int(year_dir.name)), path.stem))
            except InputError as exc:
                problems += exc.problems
    if problems:
        raise InputError(problems)
    return found


def parse_commentary(file: InputFile, chapter: str) -> Commentary:
    """A commentary file's front matter and sections; InputError naming file and line otherwise."""
    name = display_path(file.path)
    try:
        text = file.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError([Problem(name, None, None, "not UTF-8 text: save it as UTF-8")]) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for k, line in enumerate(text.split("\n"), start=1):
        bad = _CONTROL.search(line)
        if bad:
            raise InputError([Problem(name, k, None, f"holds the control character U+{ord(bad.group()):04X}: "
                                                     "delete it (retype the line)")])
    front, body, body_line = split_front_matter(text, name)
    refused = myst_text.problems(body)
    if refused:
        raise InputError([Problem(name, body_line + line - 1, None, what) for line, what in refused])
    record = _record(front, name)
    return Commentary(file=file, chapter=chapter, record=record,
                      sections=tuple(_sections(body, body_line, name, chapter == OVERVIEW)),
                      glue=_glue_keys(body, body_line))


def split_front_matter(text: str, name: str) -> tuple[dict, str, int]:
    """``(front matter, body, line of the body's first line)``."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text, 1
    end = next((k for k in range(1, len(lines)) if lines[k].strip() == "---"), None)
    if end is None:
        raise InputError([Problem(name, 1, None, "front matter opened with --- is never closed with ---")])
    try:
        front = yaml.load("\n".join(lines[1:end]), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 2 if mark is not None else 1
        raise InputError([Problem(name, row, None, f"front matter is not valid YAML "
                                                   f"({getattr(exc, 'problem', None) or exc})")]) from None
    if not isinstance(front, dict):
        raise InputError([Problem(name, 2, None, "front matter must be a YAML mapping (key: value)")])
    return front, "\n".join(lines[end + 1:]), end + 2


def _record(front: dict, name: str) -> dict:
    raw = front.get("written_against") or {}
    if not isinstance(raw, dict):
        raise InputError([Problem(name, None, "written_against", "must be a mapping of indicators and commitments")])
    record = {}
    for kind in RECORD_KINDS:
        items = raw.get(kind) or {}
        if not isinstance(items, dict) or not all(isinstance(v, str) and _STATE.match(v) for v in items.values()):
            raise InputError([Problem(name, None, f"written_against.{kind}",
                                      "expected one line per item, id: status/pace (as `planbook commentary` "
                                      "writes it): write the file again with --refresh")])
        record[kind] = {str(k): v for k, v in items.items()}
    return record


def _fenced(lines: list[str]):
    """``(index, line, inside)`` for each line: ``inside`` for the lines of a code fence or a
    directive (``` ``` ```, ``~~~``, ``:::``), fence lines included."""
    fence = None
    for k, line in enumerate(lines):
        m = _FENCE.match(line)
        if m and fence is None:
            fence = m.group(1)
            yield k, line, True
        elif m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) \
                and not line.strip()[len(m.group(1)):]:
            fence = None
            yield k, line, True
        else:
            yield k, line, fence is not None


def strip_comments(text: str) -> str:
    """Without MyST comment lines (``% …``) outside code fences."""
    return "\n".join(line for _, line, inside in _fenced(text.split("\n"))
                     if inside or not line.lstrip().startswith("%"))


def _headings(text: str):
    """``(index, level, title)`` of each heading line outside code fences and directives."""
    for k, line, inside in _fenced(text.split("\n")):
        h = None if inside else _HEADING.match(line)
        if h:
            yield k, len(h.group(1)), h.group(2)


def _glue_keys(body: str, first_line: int) -> tuple[tuple[int, str], ...]:
    found = []
    for k, line, inside in _fenced(body.split("\n")):
        if not line.lstrip().startswith("%"):
            found += [(first_line + k, m.group(1).split(":")[0].strip()) for m in _GLUE.finditer(line)]
    return tuple(found)


def _sections(body: str, first_line: int, name: str, overview: bool) -> list[Section]:
    lines = body.split("\n")
    cuts = []
    for k, level, title in _headings(body):
        if level == 1:
            raise InputError([Problem(name, first_line + k, None, "a level-1 heading (# …): the chapter has its "
                                                                  "title already; start sections with ## …")])
        if level == 2:
            cuts.append((k, title))
    titles = {section_title(key): key for key in OVERVIEW_SECTIONS} if overview else {}
    lead = "\n".join(lines[:cuts[0][0] if cuts else len(lines)])
    sections = [Section("", strip_comments(lead).strip(), first_line, raw=lead, raw_line=first_line)]
    for n, (k, title) in enumerate(cuts):
        end = cuts[n + 1][0] if n + 1 < len(cuts) else len(lines)
        key = titles.get(title)
        if overview and key is None:
            raise InputError([Problem(name, first_line + k, None,
                                      f"unknown section '## {title}': the overview's sections are "
                                      + ", ".join(f"'## {t}'" for t in titles))])
        raw = "\n".join(lines[k + 1:end])
        sections.append(Section(title, strip_comments(raw).strip(), first_line + k, key, raw=raw,
                                raw_line=first_line + k + 1))
    if overview and not sections[0].empty:
        raise InputError([Problem(name, first_line, None, "text before the first section: in the overview every "
                                                          "paragraph belongs to one of "
                                                          + ", ".join(f"'## {t}'" for t in titles))])
    return sections


def shift_headings(text: str, by: int = 1) -> str:
    """Headings one level down (``## x`` → ``### x``), outside code fences: a chapter's commentary
    sits under its 评估意见 heading."""
    lines = text.split("\n")
    for k, level, title in list(_headings(text)):
        lines[k] = "#" * min(6, level + by) + " " + title
    return "\n".join(lines)


# --- the front matter the scaffold writes ------------------------------------------------

def front_matter(record: dict, names: dict[str, str], lead: str) -> str:
    """The YAML front matter recording ``record`` (one line per item, its name as a comment)."""
    lines = ["---", *(f"# {line}" for line in lead.split("\n")), "written_against:"]
    for kind in RECORD_KINDS:
        items = record.get(kind) or {}
        if not items:
            lines.append(f"  {kind}: {{}}")
            continue
        lines.append(f"  {kind}:")
        for key in sorted(items):
            note = names.get(key, "").replace("\n", " ")
            lines.append(f"    {key}: {items[key]}" + (f"  # {note}" if note else ""))
    return "\n".join([*lines, "---", ""])


def with_front_matter(text: str, front: str) -> str:
    """``text`` with its front matter replaced by ``front`` (the body kept byte for byte)."""
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        end = next((k for k in range(1, len(lines)) if lines[k].strip() == "---"), None)
        if end is not None:
            return front + "\n".join(lines[end + 1:])
    return front + text


@dataclass(frozen=True)
class Change:
    """One recorded item whose state is no longer what the commentary was written against."""

    kind: str  # indicators | commitments
    id: str
    before: str
    after: str | None  # None: no longer in the chapter


def changes(record: dict, current: dict) -> list[Change]:
    """What differs between a commentary's record and the chapter's state now (recorded items only:
    an item added to the chapter since is not a change of what was discussed)."""
    found = []
    for kind in RECORD_KINDS:
        now = current.get(kind, {})
        for key, before in sorted((record.get(kind) or {}).items()):
            after = now.get(key)
            if after != before:
                found.append(Change(kind, key, before, after))
    return found
