"""Per-edition downloads: the assessment and the observations it used, as CSV and XLSX.

CSV files are UTF-8 with a byte-order mark so that Excel on a Chinese Windows
opens them with the right characters; both formats carry units, sources and
the official/demo mark.
"""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path

import pandas as pd

from planbook.report.format import status_word
from planbook.report.report import Report
from planbook.spreadsheet import csv_frame, from_csv_text, text_only
from planbook.words import W



def assessment_table(report: Report) -> pd.DataFrame:
    """One row per indicator and milestone, with names, units and status words."""
    cat = report.cat
    frame = report.frame.copy()
    meta = pd.DataFrame([{"id": i.id, "name_zh": i.name_zh, "name_en": i.name_en, "unit": i.unit,
                          "same_as": i.same_as or ""} for i in cat.indicators])
    frame = frame.merge(meta, on="id", how="left")
    frame["status_zh"] = [status_word(s, None if pd.isna(r) else r, None if pd.isna(m) else int(m))
                          for s, r, m in zip(frame["status"], frame["reason"], frame["met_year"])]
    frame["pace_zh"] = frame["pace"].map(lambda k: W(f"pace.{k}"))
    frame["light_zh"] = frame["light"].map(lambda k: W(f"light.{k}"))
    frame["data_kind_zh"] = frame["data_kind"].map(lambda k: W(f"data_kind.{k}") if isinstance(k, str) else None)
    columns = ["year", "id", "table_no", "dimension", "name_zh", "name_en", "unit", "same_as", "milestone",
               "target", "comparison", "value", "value_year", "data_kind", "data_kind_zh", "status",
               "status_zh", "pace", "pace_zh", "light", "light_zh", "reason", "ratio", "completion",
               "time_elapsed", "milestone_value", "met_year", "projected_value", "projected_year",
               "required_annual_change", "base_year", "base_value", "base_from"]
    return frame[columns]


def observations_table(report: Report) -> pd.DataFrame:
    """Every value the edition used (years up to the report year), with unit and source."""
    obs = report.data.upto(report.year)
    cat = report.cat
    meta = pd.DataFrame([{"indicator_id": s, "name_zh": cat.series_meta(s).name_zh, "unit": cat.series_meta(s).unit}
                         for s in sorted(set(obs["indicator_id"]))], columns=["indicator_id", "name_zh", "unit"])
    frame = obs.merge(meta, on="indicator_id", how="left")
    frame["kind_zh"] = frame["kind"].map(lambda k: W(f"data_kind.{k}"))
    columns = ["year", "indicator_id", "name_zh", "unit", "value", "kind", "kind_zh", "source", "note"]
    return frame.sort_values(["year", "indicator_id"], kind="stable")[columns].reset_index(drop=True)


DOWNLOADS = {
    "assessment": ("downloads.assessment", assessment_table),
    "observations": ("downloads.observations", observations_table),
}


def download_names(year: int) -> dict[str, dict[str, str]]:
    return {key: {"csv": f"{key}-{year}.csv", "xlsx": f"{key}-{year}.xlsx"} for key in DOWNLOADS}


def write_downloads(report: Report, folder: Path) -> list[Path]:
    """Write ``<key>-<year>.csv`` and ``.xlsx`` for every download into ``folder``.

    Text that Excel would take for a formula (``=…``, ``+…``, ``-…``, ``@…``) is written as
    text in both (see :mod:`planbook.spreadsheet`)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for key, (title, make) in DOWNLOADS.items():
        frame = make(report)
        names = download_names(report.year)[key]
        csv_path = folder / names["csv"]
        csv_path.write_bytes(csv_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig"))
        xlsx_path = folder / names["xlsx"]
        stamp = datetime(report.year, 12, 31)
        with pd.ExcelWriter(xlsx_path, engine="openpyxl") as writer:
            frame.to_excel(writer, sheet_name=W(title), index=False)
            text_only(writer.sheets[W(title)])
        _fix_zip_times(xlsx_path, stamp)
        written += [csv_path, xlsx_path]
    return written


def _fix_zip_times(path: Path, stamp: datetime) -> None:
    """Date an XLSX (a zip) by the edition, not the clock, so equal inputs give equal files."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path) as src:
        members = [(info.filename, src.read(info)) for info in src.infolist()]
    members = [(name, re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + iso, data)
                if name == "docProps/core.xml" else data) for name, data in members]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=stamp.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, data)



def read_published_csv(path: Path, dtype: dict | None = None) -> pd.DataFrame:
    """A CSV download as planbook wrote it (texts without the ``'`` that keeps Excel from
    running them); InputError naming the file when it cannot be read."""
    from planbook.errors import InputError, Problem

    try:
        frame = pd.read_csv(path, encoding="utf-8-sig", dtype=dtype)
    except (OSError, ValueError) as exc:  # pandas' parser errors are ValueErrors
        raise InputError([Problem(str(path), None, None, f"cannot be read ({exc.__class__.__name__}): "
                                                         "rebuild that edition")]) from None
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column].dtype):
            frame[column] = frame[column].map(lambda v: from_csv_text(v) if isinstance(v, str) else v)
    return frame
