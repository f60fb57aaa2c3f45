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
from planbook.files import InputFile
from planbook.inputs.observations import CONTROL, KINDS, RawTable, read_year_files, twice_message
from planbook.spreadsheet import from_csv_text
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
    seen: dict[str, tuple[int, str, str | None]] = {}  # commitment → (row, id, kind)
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
        kind_here = KINDS.get((get("kind") or "official").lower())
        if cid in seen:
            problems.append(Problem(name, row, "commitment_id",
                                    twice_message(cid, cid, year, kind_here, seen[cid], "status", "commitment")))
            continue
        seen[cid] = (row, cid, kind_here)
        status = status_words().get(unicodedata.normalize("NFKC", get("status")).strip().lower())
        if status is None:
            expected = ", ".join(f"{s} ({W('commitment_status.' + s)})" for s in REPORTED)
            problems.append(Problem(name, row, "status", f"{get('status')!r}: expected one of {expected}"))
            continue
        bad = next((c for c in ("evidence", "source", "note") if CONTROL.search(get(c))), None)
        if bad:
            char = CONTROL.search(get(bad)).group()
            problems.append(Problem(name, row, bad, f"holds the control character U+{ord(char):04X}: delete it"))
            continue
        evidence, source = from_csv_text(get("evidence")), from_csv_text(get("source"))
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
                        "source": source, "note": from_csv_text(get("note")), "kind": kind, "file": name, "row": row})
    return records, problems


def read_progress(folder: Path, register: Register, last_year: int) -> tuple[pd.DataFrame, list[InputFile]]:
    """Every progress file of a folder as one long frame (empty when there is no folder), and the
    files as read; raise InputError listing every problem."""
    folder = Path(folder)
    empty = pd.DataFrame(columns=FRAME_COLUMNS).astype({"year": "int64"})
    if not folder.is_dir():
        return empty, []
    records, inputs = read_year_files(folder, last_year,
                                      lambda raw, year, name: validate_progress(raw, year, name, register))
    if not records:
        return empty, inputs
    frame = pd.DataFrame.from_records(records, columns=FRAME_COLUMNS)
    frame["year"] = frame["year"].astype("int64")
    return frame.sort_values(["commitment_id", "year"], kind="stable").reset_index(drop=True), inputs


def load_progress(folder: Path, register: Register, last_year: int) -> pd.DataFrame:
    return read_progress(folder, register, last_year)[0]
