"""``planbook verify``: re-run an edition's assessment and compare it with what was published."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from planbook.book.downloads import assessment_table, download_names, read_published_csv
from planbook.book.editions import EDITION_FILE, input_path, read_record
from planbook.errors import InputError, Problem
from planbook.files import sha256_of
from planbook.report.report import open_report

COMPARED = ["value", "value_year", "target", "status", "pace", "light", "ratio", "completion", "time_elapsed",
            "milestone_value", "projected_value", "projected_year", "required_annual_change"]


@dataclass
class Verification:
    year: int
    records: int = 0
    mismatches: list[str] = field(default_factory=list)
    changed_inputs: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches


def _same(a, b) -> bool:
    a_missing = a is None or (isinstance(a, float) and math.isnan(a))
    b_missing = b is None or (isinstance(b, float) and math.isnan(b))
    if a_missing or b_missing:
        return a_missing and b_missing
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return str(a) == str(b)


def shown(value) -> str:
    """A number as a person compares it (six significant digits: 87.5, not 87.49999999999999)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return f"{float(value):.6g}"


def verify(site: Path, year: int, data_dir: str | Path | None = None) -> Verification:
    """Compare the published assessment of ``year`` under ``site`` with a fresh run on the data."""
    edition = site / str(year)
    record_path = edition / EDITION_FILE
    if not record_path.is_file():
        raise InputError([Problem(str(record_path), None, None, f"no published edition {year} (build it first)")])
    record = read_record(record_path)
    published = read_published_csv(edition / "downloads" / download_names(year)["assessment"]["csv"])
    report = open_report(year, data_dir)
    fresh = assessment_table(report)
    result = Verification(year=year, records=len(fresh))
    key = ["id", "milestone"]
    merged = published.merge(fresh, on=key, how="outer", suffixes=("_published", "_now"), indicator=True)
    for row in merged.to_dict("records"):
        where = f"{row['id']} (milestone {row['milestone'] if not pd.isna(row['milestone']) else '—'})"
        if row["_merge"] != "both":
            result.mismatches.append(f"{where}: only in the {'published' if row['_merge'] == 'left_only' else 'new'} assessment")
            continue
        for col in COMPARED:
            a, b = row[f"{col}_published"], row[f"{col}_now"]
            if not _same(a, b):
                result.mismatches.append(f"{where}: {col} published {shown(a)}, now {shown(b)}")
    for item in record["inputs"]:
        path = input_path(item["file"], report.data.data_dir)
        if not path.is_file():
            result.changed_inputs.append(f"{item['file']}: missing")
        elif sha256_of(path) != item["sha256"]:
            result.changed_inputs.append(f"{item['file']}: changed since publication")
    return result
