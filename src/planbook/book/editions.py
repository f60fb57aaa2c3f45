"""Annual editions: which years get one, what changed since the previous one, and the root page.

The published site is a folder per edition (``<site>/<year>/``) plus a root
page listing them.  Each edition folder holds ``edition.json`` (its headline
numbers and the checksums of its inputs) so the root page, the version
switcher and ``planbook verify`` can read it back.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planbook.assess.progress import STATUSES, shown_statuses
from planbook.plan.catalogue import Catalogue
from planbook.words import W
from planbook.book.edition import Edition
from planbook.book.outputs import OUTPUTS, recorded_files
from planbook.inputs.dataset import DataSet
from planbook.report.report import Report

EDITION_FILE = "edition.json"
SWITCHER_FILE = "editions.js"


def edition_kind(cat: Catalogue, year: int) -> tuple[str, str]:
    """``(kind, Chinese name)``: final for the plan's last milestone, mid-term for the others,
    annual otherwise (:meth:`Catalogue.edition_kind`)."""
    kind = cat.edition_kind(year)
    return kind, W(f"edition_kind.{kind}")


def edition_years(data: DataSet) -> list[int]:
    """Years that get an edition: every year with data after the plan's base year."""
    return [y for y in data.years if y > data.catalogue.base_year]


def edition_record(edition: Edition, files: dict[str, str], downloads: dict) -> dict:
    """What the root page and ``planbook verify`` need to know about a published edition;
    ``files`` are its outputs by key (:mod:`planbook.book.outputs`; read them back with
    :func:`planbook.book.outputs.recorded_files`)."""
    report = edition.report
    kind, kind_zh = edition_kind(report.cat, report.year)
    counts = report.summary.set_index("dimension").loc["all"]
    inputs = [{"file": input_name(f.path, report.data.source_dir), "sha256": f.sha256}
              for f in report.data.inputs(report.year)]
    return {
        "year": report.year,
        "kind": kind,
        "kind_zh": kind_zh,
        "has_demo": report.has_demo,
        "status_counts": {s: int(counts[s]) for s in STATUSES},
        "light_counts": {k: int(counts[f"light_{k}"]) for k in ("green", "yellow", "red", "none")},
        "score": None if pd.isna(counts["score"]) else round(float(counts["score"]), 1),
        "files": dict(files),
        "downloads": downloads,
        "inputs": inputs,
    }


def input_name(path: Path, data_dir: Path) -> str:
    """How an input file is named in edition.json: relative to the data folder's parent or the
    project when it lies inside one of them, else absolute."""
    from planbook.inputs.dataset import project_root

    path = path.resolve()
    for base in (data_dir.resolve().parent, project_root()):
        try:
            return str(path.relative_to(base))
        except ValueError:
            continue
    return str(path)


def input_path(name: str, data_dir: Path) -> Path:
    """The file an ``edition.json`` input name refers to (inverse of :func:`input_name`)."""
    from planbook.inputs.dataset import project_root

    if Path(name).is_absolute():
        return Path(name)
    for base in (data_dir.resolve().parent, project_root()):
        if (base / name).is_file():
            return base / name
    return data_dir.resolve().parent / name


def read_record(path: Path) -> dict:
    """A published edition's ``edition.json``; InputError naming the file when it is damaged."""
    from planbook.errors import InputError, Problem

    try:
        record = json.loads(Path(path).read_text("utf-8"))
        if not isinstance(record, dict) or not isinstance(record.get("year"), int):
            raise ValueError("not an edition record")
    except (OSError, ValueError) as exc:
        year = Path(path).parent.name
        raise InputError([Problem(str(path), None, None,
                                  f"damaged edition record ({exc.__class__.__name__}): rebuild that edition with "
                                  f"`planbook build --year {year}`, or remove its folder")]) from None
    return record


def read_editions(site: Path) -> list[dict]:
    records = [read_record(path) for path in sorted(site.glob(f"*/{EDITION_FILE}"))]
    return sorted(records, key=lambda r: r["year"])


def handover_warnings(records: list[dict], data_dir: str | Path | None = None) -> list[str]:
    """What a person handing the site over should know (``planbook publish``): editions that are
    drafts (征求意见稿, built with ``--draft``) and editions whose inputs changed since they were
    built (the checksums in ``edition.json`` against the data now: a file changed, gone or added)."""
    from planbook.errors import PlanbookError
    from planbook.files import sha256_of
    from planbook.inputs.dataset import default_data_dir, load

    folder = data = None
    try:
        folder = Path(data_dir) if data_dir else default_data_dir()
        data = load(folder)
    except PlanbookError:  # data that do not load have certainly changed; compare file by file
        pass
    lines = []
    for r in sorted(records, key=lambda r: r["year"]):
        year = r["year"]
        if r.get("draft"):
            lines.append(f"edition {year} is a draft (征求意见稿, built with --draft): build it without --draft "
                         f"(planbook build --year {year} --pdf) before handing it over as final")
        built = {item["file"]: item["sha256"] for item in r.get("inputs", [])}
        if data is not None:
            now = {input_name(f.path, data.source_dir): f.sha256 for f in data.inputs(year)}
        elif folder is None:  # not in a project: nothing to compare with
            now = built
        else:
            now = {}
            for name in built:
                path = input_path(name, folder)
                if path.is_file():
                    now[name] = sha256_of(path)
        changed = sorted(n for n in built.keys() | now.keys() if built.get(n) != now.get(n))
        if changed:
            shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
            lines.append(f"edition {year}: its inputs changed since it was built ({shown}): build it again "
                         f"(planbook build --year {year} --pdf) so that the site says what the data say")
    return lines


def switcher_js(records: list[dict]) -> str:
    """A classic script (works from file://) that draws the edition links on every page."""
    years = [{"year": r["year"], "label": W("editions.label", year=r["year"], kind=r["kind_zh"])} for r in records]
    data = json.dumps(years, ensure_ascii=False)
    lead, all_link = json.dumps(W("editions.lead"), ensure_ascii=False), json.dumps(W("editions.all"), ensure_ascii=False)
    return f"""// Generated by planbook: the editions on this site, for the version switcher.
(function () {{
  var editions = {data};
  var el = document.getElementById("pb-editions");
  if (!el) {{ return; }}
  var root = el.getAttribute("data-root"), page = el.getAttribute("data-page");
  var current = parseInt(el.getAttribute("data-year"), 10);
  var parts = editions.map(function (e) {{
    if (e.year === current) {{ return "<strong>" + e.year + "</strong>"; }}
    return '<a href="' + root + e.year + "/" + page + '" title="' + e.label + '">' + e.year + "</a>";
  }});
  el.innerHTML = {lead} + parts.join(" · ") + ' · <a href="' + root + 'index.html">' + {all_link} + "</a>";
}})();
"""


def root_index(records: list[dict], title: str, cat: Catalogue) -> str:
    """The root page: one row per edition with kind, lights, status counts and links."""
    e = html.escape
    lights = ("green", "yellow", "red")
    head = "".join(f'<th scope="col">{e(W("light." + k))}</th>' for k in lights)
    statuses = shown_statuses(cat)
    head += "".join(f'<th scope="col">{e(W("status." + s))}</th>' for s in statuses)
    label = {**{k: e(W("light." + k)) for k in lights}, **{s: e(W("status." + s)) for s in statuses}}
    rows = []
    for r in sorted(records, key=lambda r: -r["year"]):
        light_counts = r.get("light_counts", {})
        # data-label: on a phone each edition is a card, every number with its column's name.
        counts = "".join(f'<td class="num" data-label="{label[k]}">{light_counts.get(k, W("none_text"))}</td>'
                         for k in lights)
        counts += "".join(f'<td class="num" data-label="{label[s]}">{r["status_counts"].get(s, 0)}</td>'
                          for s in statuses)
        files = recorded_files(r)
        links = [f'<a href="{r["year"]}/{e(files[o.key])}">{e(W(o.root_words))}</a>' for o in OUTPUTS if o.key in files]
        pdf = " · ".join(links) or W("none_text")
        if links and r.get("pdf_outdated"):
            pdf += f' <span class="demo" title="{e(W("editions.pdf_outdated_title"))}">{e(W("editions.pdf_outdated"))}</span>'
        demo = f'<span class="demo">{e(W("demo.root_tag"))}</span>' if r["has_demo"] else ""
        if r.get("draft"):
            demo += f' <span class="demo pb-draft" title="{e(W("draft.banner"))}">{e(W("draft.watermark"))}</span>'
        score = W("none_text") if r["score"] is None else f"{r['score']:.1f}"
        rows.append(f'<tr><td class="lead"><a href="{r["year"]}/index.html">{e(W("editions.year", year=r["year"]))}</a> {demo}</td>'
                    f'<td data-label="{e(W("col.kind"))}">{e(r["kind_zh"])}</td>{counts}'
                    f'<td class="num" data-label="{e(W("col.score"))}">{score}</td>'
                    f'<td data-label="{e(W("editions.col_view"))}"><a href="{r["year"]}/index.html">{e(W("editions.site"))}</a> · {pdf}</td></tr>')
    banner = f'<p class="banner">{e(W("demo.root_banner"))}</p>' if any(r["has_demo"] for r in records) else ""
    clause = cat.plan.get("evaluation_clause") or {}
    kinds = W("enum_sep").join(W("editions.kind_year", year=y, kind=W(f"edition_kind.{cat.edition_kind(y)}"))
                               for y in cat.milestones)
    intro = W("editions.intro", section=clause.get("section_zh", ""), kinds=kinds) if clause else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} · {e(W("editions.title"))}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em; color: #1f2937; }}
h1 {{ font-size: 1.6em; }}
.table-wrap {{ overflow-x: auto; }}
table {{ border-collapse: collapse; width: 100%; font-size: 0.95em; }}
th, td {{ border-bottom: 1px solid #e5e7eb; padding: 0.45em 0.6em; text-align: left; }}
th {{ background: #f3f4f6; word-break: keep-all; white-space: nowrap; }}
td.num {{ text-align: right; }}
.banner {{ background: #fff7ed; color: #7c2d12; border: 1px solid #fdba74; padding: 0.5em 1em; font-weight: 600; }}
.demo {{ color: #9a3412; background: #fff7ed; border: 1px solid #fdba74; border-radius: 3px; padding: 0 0.3em; font-size: 0.8em; }}
@media (max-width: 46em) {{
  table, tbody {{ display: block; }}
  thead {{ position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }}
  tr {{ display: flex; flex-wrap: wrap; gap: 0.2em 1em; border: 1px solid #e5e7eb; border-radius: 6px; margin-bottom: 0.7em; padding: 0.5em 0.7em; }}
  td {{ display: block; border: 0; padding: 0; text-align: left !important; }}
  td.lead {{ flex-basis: 100%; font-weight: 600; }}
  td[data-label]::before {{ content: attr(data-label) "："; color: #4b5563; }}
}}
</style>
</head>
<body>
<main>
<h1>{e(title)}</h1>
<p>{e(intro)}</p>
{banner}
<div class="table-wrap">
<table>
<thead><tr><th>{e(W("editions.col_edition"))}</th><th>{e(W("col.kind"))}</th>{head}<th>{e(W("col.score"))}</th><th>{e(W("editions.col_view"))}</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</div>
<p>{e(W("editions.note", n=len(cat.table), dimensions=len(cat.dimensions)))}</p>
</main>
</body>
</html>
"""


def record_release(year: int, data_dir: str | Path | None = None) -> tuple[Path, int]:
    """Write ``releases/<year>.csv`` in the data folder: the observations edition ``year`` is
    released with, in the form of its observations download. The next edition compares its
    data with this record to list revised values; the record is an input like the data."""
    import os
    import tempfile

    from planbook.inputs.dataset import load
    from planbook.book.downloads import observations_table

    data = load(data_dir)
    year = data.check_year(year)
    frame = observations_table(Report(data=data, year=year))
    path = data.release_file(year)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("wb", dir=path.parent, suffix=".tmp", delete=False) as tmp:
        tmp.write(frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig"))
    os.replace(tmp.name, path)
    return path, len(frame)
