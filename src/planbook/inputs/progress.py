"""The yearly report on each commitment: ``progress/<year>.csv`` (or ``.xlsx``) beside ``observations/``.

Header ``commitment_id,status,evidence,source`` with optional ``note`` and ``kind``
(``official`` or ``demo``). Departments report one of four statuses — ``done`` (已完成),
``on_schedule`` (按计划推进), ``behind`` (滞后), ``not_started`` (未启动) — with a sentence of
evidence and its source. The files are read like the observation files (encodings, XLSX, the
same file-name rules) and every problem is reported with file, row and field.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd

from planbook.errors import InputError, Problem, display_path
from planbook.inputs.observations import KINDS, RawTable, observation_files, read_raw
from planbook.plan.register import Register
from planbook.words import W

REQUIRED_COLUMNS = ("commitment_id", "status", "evidence", "source")
REPORTED = ("done", "on_schedule", "behind", "not_started")
FRAME_COLUMNS = ["year", "commitment_id", "status", "evidence", "source", "note", "kind", "file", "row"]


def status_words() -> dict[str, str]:
    """What a status may be written as: its code, or its word in the phrasebook (已完成 …)."""
    return {**{s: s for s in REPORTED}, **{W(f"commitment_status.{s}"): s for s in REPORTED}}


def validate_progress(raw: RawTable, year: int, name: str, register: Register) -> tuple[list[dict], list[Problem]]:
    """Check one progress file's rows against the register; return clean records and problems."""
    problems: list[Problem] = []
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.header]
    if missing:
        return [], [Problem(name, 1, c, f"missing column {c!r}: the header must contain "
                                        f"{','.join(REQUIRED_COLUMNS)} (note, kind optional)") for c in missing]
    for c in sorted({c for c in raw.header if c and raw.header.count(c) > 1}):
        problems.append(Problem(name, 1, c, "column appears twice in the header"))
    col = {c: raw.header.index(c) for c in raw.header if c}
    records: list[dict] = []
    seen: dict[str, int] = {}
    for row, cells in raw.rows:
        if len(cells) > len(raw.header) and any(c.strip() for c in cells[len(raw.header):]):
            problems.append(Problem(name, row, None, f"{len(cells)} fields but the header has {len(raw.header)}: "
                                                     "a comma inside a value must be quoted"))
            continue
        cells = cells + [""] * (len(raw.header) - len(cells))

        def get(c: str) -> str:
            return cells[col[c]].strip() if c in col else ""

        cid = unicodedata.normalize("NFKC", get("commitment_id")).strip()
        if not cid:
            problems.append(Problem(name, row, "commitment_id", "empty: expected a commitment id from the register"))
            continue
        if cid not in register.by_id:
            problems.append(Problem(name, row, "commitment_id",
                                    f"unknown commitment {cid!r}: expected an id from `planbook commitments`"))
            continue
        if cid in seen:
            problems.append(Problem(name, row, "commitment_id",
                                    f"duplicate id {cid!r} (also in row {seen[cid]}): one status per commitment and year"))
            continue
        seen[cid] = row
        status = status_words().get(unicodedata.normalize("NFKC", get("status")).strip().lower())
        if status is None:
            expected = ", ".join(f"{s} ({W('commitment_status.' + s)})" for s in REPORTED)
            problems.append(Problem(name, row, "status", f"{get('status')!r}: expected one of {expected}"))
            continue
        evidence, source = get("evidence"), get("source")
        if not evidence:
            problems.append(Problem(name, row, "evidence", "empty: say in a sentence what was done or where it stands"))
            continue
        if not source:
            problems.append(Problem(name, row, "source", "empty: every report needs its source (document, department, date)"))
            continue
        kind = KINDS.get((get("kind") or "official").lower())
        if kind is None:
            problems.append(Problem(name, row, "kind", f"{get('kind')!r}: expected official or demo"))
            continue
        records.append({"year": year, "commitment_id": cid, "status": status, "evidence": evidence,
                        "source": source, "note": get("note"), "kind": kind, "file": name, "row": row})
    return records, problems


def load_progress(folder: Path, register: Register) -> pd.DataFrame:
    """Every progress file of a folder as one long frame (empty when the folder does not exist)."""
    folder = Path(folder)
    if not folder.is_dir():
        return pd.DataFrame(columns=FRAME_COLUMNS).astype({"year": "int64"})
    files, problems = observation_files(folder)
    records: list[dict] = []
    for year, path in files:
        name = display_path(path, Path.cwd())
        try:
            raw = read_raw(path)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        recs, probs = validate_progress(raw, year, name, register)
        records.extend(recs)
        problems.extend(probs)
    if problems:
        raise InputError(problems)
    frame = pd.DataFrame.from_records(records, columns=FRAME_COLUMNS)
    frame["year"] = frame["year"].astype("int64")
    return frame.sort_values(["commitment_id", "year"], kind="stable").reset_index(drop=True)
