"""A page for every indicator, the edition's landing page, and the data behind them.

Open SDG gives each indicator a page of its own; a reader looking up one indicator wants
exactly that. For every entry of the catalogue (the plan's table rows and the targets set
in its text) this module writes, from a :class:`Report` and without a kernel:

* ``generated/indicators/<id>.md``: name, unit, dimension, the plan's passage, baseline
  and targets, both verdicts with the numbers behind them, the series as chart and table
  with every value's source and note, the verdict in each earlier edition, the CSV;
* ``generated/indicators.md``: all of them in one table (the indicator pages hang below it
  in ``_toc.yml``);
* ``generated/results.md``: the edition's landing page (``book/index.md`` includes it): the
  results on one screen, the web counterpart of the PDF's meeting summary;
* ``generated/extra/data/<id>.csv`` and ``<dimension>.csv``: each indicator's and each
  chapter's values (the site serves ``extra/`` at the edition's root, see
  :mod:`planbook.site.sphinx_ext`).

These pages are on the website only (the PDF has the chapters, the meeting summary and the
data appendix). Text from data is escaped: Markdown by :func:`md_escape`, HTML by ``html.escape``.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from planbook.assess.progress import STATUSES
from planbook.plan.amendments import target_history
from planbook.plan.catalogue import Indicator
from planbook.report import VEGA_LITE_BUNDLE, charts, sentences, views
from planbook.report.format import (INDICATOR_PAGES, LIGHT_STYLE, Cell, Table, fmt_number, fmt_share, fmt_value, missing,
                                    md_escape, pace_badge_html, status_badge_html)
from planbook.report.report import Report
from planbook.spreadsheet import csv_frame
from planbook.words import W

INDEX_PAGE = "indicators"  # generated/indicators.md, with the pages in generated/indicators/
RESULTS_PAGE = "results"  # generated/results.md, included by book/index.md
DATA_FOLDER = "data"  # generated/extra/data/ → <edition>/data/ on the site
LIGHTS_SHOWN = ("green", "yellow", "red", "none")
# The Vega-Lite compiler, loaded by the indicator pages only (each compiles its chart itself).
CHART_SCRIPT = f'<script src="../../_static/{VEGA_LITE_BUNDLE}"></script>'



def e(text) -> str:
    return html.escape(str(text), quote=True)


def raw(body: str) -> list[str]:
    """A raw HTML block of a MyST page (the site only: these pages are not in the PDF). Its fence
    is longer than any run of backticks in the body, so text from data cannot close it."""
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", body)), default=0))
    return [f"{fence}{{raw}} html", body, fence, ""]


def data_href(name: str, root: str = "../../") -> str:
    return f"{root}{DATA_FOLDER}/{name}.csv"


def chapter_label(dimension: str, section: str = "scorecard") -> str:
    """The label of a chapter section (``two-way-scorecard``), as the notebooks write it."""
    return f"{dimension.replace('_', '-')}-{section}"


# --- the numbers behind a verdict ------------------------------------------------------------

def records_by_id(report: Report) -> dict[str, list[dict]]:
    """Each indicator's records (one per milestone) as dicts, the headline one first."""
    frame = report.frame.assign(_order=[0 if h else 1 for h in report.frame["headline"]])
    frame = frame.sort_values(["id", "_order", "milestone"], kind="stable")
    found: dict[str, list[dict]] = {}
    for rec in frame.drop(columns="_order").to_dict("records"):
        found.setdefault(rec["id"], []).append(rec)
    return found


def _reason(rec) -> str | None:
    """Why a record is what it is, where the status alone does not say (``REASONS``)."""
    from planbook.words import active

    reason = None if missing(rec["reason"]) else str(rec["reason"])
    key = f"indicator_page.reason.{reason}"
    return W(key) if reason and active().has(key) else None


def verdict_lines(report: Report, ind: Indicator, rec) -> list[tuple[str, str]]:
    """(label, HTML) pairs: the value, the target and both verdicts with the numbers behind them."""
    lines = []
    value = views.value_cell(report, ind, rec["value"], rec["value_year"], rec["data_kind"])
    value_label = W("indicator_page.running_total") if ind.kind == "cumulative" else W("indicator_page.value")
    lines.append((value_label, value.as_html()))
    if not missing(rec["milestone"]):
        m = int(rec["milestone"])
        lines.append((W("indicator_page.target"), e(W("year_target_value", year=m, target=views.target_text(ind, m)))))
    if not missing(rec["base_year"]):
        base = fmt_value(rec["base_value"], ind.decimals, ind.unit)
        lines.append((W("indicator_page.base"), e(W(f"indicator_page.base_from.{rec['base_from']}",
                                                    year=int(rec["base_year"]), value=base))))
    pace = pace_badge_html(rec["pace"], rec["light"])
    if not (missing(rec["completion"]) and missing(rec["time_elapsed"])):
        pace += " " + e(W("indicator_page.pace_numbers", completion=fmt_share(rec["completion"]),
                          time=fmt_share(rec["time_elapsed"])))
    lines.append((W("col.pace"), pace))
    reason = None if missing(rec["reason"]) else rec["reason"]
    met_year = None if missing(rec["met_year"]) else int(rec["met_year"])
    status = status_badge_html(rec["status"], reason, met_year)
    if not missing(rec["ratio"]):
        status += " " + e(W("indicator_page.ratio", ratio=fmt_number(rec["ratio"], 2)))
    if not missing(rec["milestone_value"]):
        shown = fmt_value(rec["milestone_value"], ind.decimals, ind.unit)
        status += " " + e(W("indicator_page.milestone_total", start=ind.window[0], year=int(rec["milestone"]),
                            value=shown) if ind.kind == "cumulative" and ind.window else
                          W("indicator_page.milestone_value", year=int(rec["milestone"]), value=shown))
    lines.append((W("col.status"), status))
    why = _reason(rec)
    if why:
        lines.append((W("indicator_page.why"), e(why)))
    outlook = []
    if not missing(rec["projected_value"]) and not missing(rec["milestone"]):
        outlook.append(W("indicator_page.projected", year=int(rec["milestone"]),
                         value=fmt_value(rec["projected_value"], ind.decimals, ind.unit)))
    if not missing(rec["projected_year"]):
        outlook.append(W("indicator_page.projected_year", year=int(rec["projected_year"])))
    if not missing(rec["required_annual_change"]):
        unit = "" if ind.unit in ("/", "是/否", "%") else ind.unit
        change = fmt_number(rec["required_annual_change"], ind.decimals + 1)
        outlook.append(W("indicator_page.required", change=change + (W("analysis.points") if ind.unit == "%" else unit)))
    if outlook:
        lines.append((W("indicator_page.outlook"), e(W("list_sep").join(outlook))))
    return lines


def verdict_card(report: Report, ind: Indicator, rec) -> str:
    rows = "".join(f"<tr><th scope=\"row\">{e(label)}</th><td>{body}</td></tr>" for label, body in
                   verdict_lines(report, ind, rec))
    title = W("indicator_page.verdict_title", year=report.year) if rec["headline"] else \
        W("indicator_page.milestone_title", year=int(rec["milestone"]))
    return (f'<div class="pb-card pb-verdict"><h3 class="pb-card-title">{e(title)}</h3>'
            f'<table class="pb-facts">{rows}</table></div>')


# --- the series ---------------------------------------------------------------------------

def revised_values(report: Report) -> dict[tuple[str, int], object]:
    """Values changed since the previous edition was released, by (series id, year)."""
    return {(r.indicator_id, int(r.year)): r for r in sentences.revisions_found(report) or []}


def notes_by_value(report: Report) -> dict[tuple[str, int], str]:
    """The note of every observation (``预计数``…) by (series id, year)."""
    obs = report.data.upto(report.year)
    return dict(zip(zip(obs["indicator_id"], obs["year"].astype(int)), obs["note"]))


def series_rows(report: Report, ind: Indicator, revised: dict | None = None, notes: dict | None = None,
                series: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every value of the indicator this edition knows, with its kind, source and note; the
    plan's baseline included, and values revised since the previous edition marked.
    (``revised``: :func:`revised_values`, ``notes``: :func:`notes_by_value`, ``series``:
    ``report.series(ind)``, each found when not given.)"""
    revised = revised_values(report) if revised is None else revised
    series = report.series(ind) if series is None else series
    notes = notes_by_value(report) if notes is None else notes
    records = []
    plan = report.cat.plan
    for rec in series.to_dict("records"):
        rec = SimpleNamespace(**rec)
        year = int(rec.year)
        note = notes.get((ind.series_id, year))
        note = "" if missing(note) else str(note)
        if rec.kind in ("plan", "definition"):
            source = W("indicator_page.plan_source", title=plan["title_zh"], written=rec.source)
        else:
            source = str(rec.source)
        r = revised.get((ind.series_id, year))
        if r is not None:
            was = fmt_value(r.old, ind.decimals, ind.unit) if not missing(r.old) else W("none_text")
            note = " ".join(filter(None, [note, W(f"indicator_page.revision.{r.kind}", value=was,
                                                 year=report.year - 1)]))
        records.append({"year": year, "value": float(rec.value), "kind": rec.kind, "source": source, "note": note})
    return pd.DataFrame.from_records(records, columns=["year", "value", "kind", "source", "note"])


def series_table(report: Report, ind: Indicator, rows: pd.DataFrame) -> Table:
    cells = [[Cell(str(r.year)), Cell(fmt_value(r.value, ind.decimals, ind.unit), demo=r.kind == "demo"),
              Cell(W(f"data_kind.{r.kind}")), Cell(r.source), Cell(r.note or W("none_text"))]
             for r in rows.itertuples(index=False)]
    return Table(columns=[W("col.year"), W("col.number"), W("col.kind"), W("col.source"), W("col.note")],
                 rows=cells, caption=W("indicator_page.series_caption", name=ind.name_zh, year=report.year),
                 numeric=frozenset({1}), wide=frozenset({3, 4}), key=(1, 2, 3))


def headline_records(report: Report) -> dict[str, dict]:
    """Each indicator's headline record (the milestone it is judged by), by id."""
    rows = report.frame[report.frame["headline"]]
    return dict(zip(rows["id"], rows.to_dict("records")))


def history(reports: list[tuple[Report, dict[str, dict]]], ind: Indicator) -> Table:
    """The indicator's verdict in each edition up to this one (each year assessed from the data it
    had, as this edition reads them); ``reports``: each edition's report and :func:`headline_records`."""
    rows = []
    for rep, records in reports:
        r = records.get(ind.id)
        if r is None:
            continue
        due = W("none_text") if missing(r["milestone"]) else W(
            "year_target_value", year=int(r["milestone"]), target=views.target_text(ind, int(r["milestone"])))
        rows.append([Cell(W("editions.year", year=rep.year)),
                     views.value_cell(rep, ind, r["value"], r["value_year"], r["data_kind"]), Cell(due),
                     views.pace_cell(r["pace"], r["light"]), views.status_cell(r["status"], r["reason"], r["met_year"])])
    return Table(columns=[W("editions.col_edition"), W("indicator_page.value"), W("col.due_target"), W("col.pace"),
                          W("col.status")], rows=rows, caption=W("indicator_page.history_caption", name=ind.name_zh),
                 numeric=frozenset({1}), key=(1, 4, 3), note=W("indicator_page.history_note"))


def targets_table(report: Report, ind: Indicator, records: list[dict] | None = None) -> Table | None:
    """The plan's targets, how each is read and its verdict (``records``: the indicator's, from
    :func:`records_by_id`)."""
    if not ind.targets:
        return None
    records = records_by_id(report)[ind.id] if records is None else records
    by_milestone = {int(r["milestone"]): r for r in records if not missing(r["milestone"])}
    rows = []
    for t in ind.targets:
        reading = W(f"comparison.{t.comparison}") + fmt_number(t.value, ind.decimals)
        notes = [n for n in (t.reading_zh, t.year_note_zh) if n]
        rec = by_milestone[t.year]
        reason = None if missing(rec["reason"]) else rec["reason"]
        met_year = None if missing(rec["met_year"]) else int(rec["met_year"])
        rows.append([Cell(W("year_label", year=t.year) + (W("year_inferred") if t.year_inferred else "")),
                     Cell(t.as_written), Cell(reading), views.status_cell(rec["status"], reason, met_year),
                     Cell(" ".join(notes) or W("none_text"))])
    return Table(columns=[W("col.milestone"), W("indicator_page.as_written"), W("indicator_page.reading"),
                          W("col.status"), W("col.note")], rows=rows,
                 caption=W("indicator_page.targets_caption", name=ind.name_zh), wide=frozenset({4}), key=(1, 3))


def target_history_table(report: Report, ind: Indicator) -> Table | None:
    """How the indicator's targets changed after the plan's approval (``None`` when they never did):
    the plan's own, then each amendment with its document, and which one this edition applies."""
    amendments = report.data.amendments
    if not any(a.indicator == ind.id for a in amendments):
        return None
    steps = target_history(report.data.catalogue, amendments, ind.id)
    in_force = max((n for n, (_, a, _) in enumerate(steps) if a is None or a.effective_from <= report.year))
    rows = []
    for n, (_, a, targets) in enumerate(steps):
        written = W("enum_sep").join(W("indicator_page.amended.target", year=t.year, target=t.as_written)
                                     for t in targets) or W("pending_target")
        if a is None:
            start, basis = W("indicator_page.amended.approval", date=report.cat.plan.get("issued", "")), \
                W("indicator_page.amended.plan")
        else:
            start = W("year_label", year=a.effective_from)
            basis = W("indicator_page.amended.document", document=a.document, date=a.date) + \
                (W("indicator_page.amended.note", note=a.note_zh) if a.note_zh else "")
        applies = W("indicator_page.amended.applies" if n == in_force else "indicator_page.amended.not_applied")
        rows.append([Cell(start), Cell(written), Cell(basis), Cell(applies)])
    return Table(columns=[W("indicator_page.amended.from"), W("indicator_page.amended.targets"),
                          W("indicator_page.amended.basis"), W("indicator_page.amended.this_edition")],
                 rows=rows, caption=W("indicator_page.amended.caption", name=ind.name_zh), wide=frozenset({2}),
                 key=(0, 1, 3))


# --- one indicator's page -------------------------------------------------------------------

def where_in_plan(report: Report, ind: Indicator) -> str:
    if ind.is_table:
        return W("indicator_page.table_row", table=W("table_name"), row=ind.table_no)
    if ind.same_as:
        return W("indicator_page.text_target_same", row=report.cat.by_id[ind.same_as].table_no)
    return W("indicator_page.text_target")


def indicator_page(report: Report, ind: Indicator, editions: list[tuple[Report, dict[str, dict]]],
                   rows: pd.DataFrame | None = None, records: list[dict] | None = None,
                   chart: str | None = None) -> str:
    """The page of one indicator. ``editions``: each edition up to this one, with its
    :func:`headline_records`; ``rows``: the indicator's :func:`series_rows`; ``records``: its
    :func:`records_by_id`; ``chart``: its chart's HTML (each made when not given)."""
    cat = report.cat
    dim = cat.dimension_by_id[ind.dimension]
    rows = series_rows(report, ind) if rows is None else rows
    records = records_by_id(report)[ind.id] if records is None else records
    lines = [f"(indicator-{ind.id.replace('_', '-')})=", f"# {md_escape(ind.name_zh)}", ""]
    unit = W("indicator_page.no_unit") if ind.unit in ("", "/") else ind.unit
    meta = [f'<a href="../../chapters/{e(ind.dimension)}.html">{e(dim.name_zh)}</a>', e(where_in_plan(report, ind)),
            e(W("indicator_page.unit", unit=unit))]
    lines += raw(f'<p class="pb-ind-meta">{" · ".join(meta)}</p>')
    if (rows["kind"] == "demo").any():
        lines += ["```{warning}", W("indicator_page.demo"), "```", ""]
    cards = "".join(verdict_card(report, ind, rec) for rec in records)
    lines += [f"({ind.id.replace('_', '-')}-now)=", f"## {W('indicator_page.now', year=report.year)}", ""]
    lines += raw(f'<div class="pb-cards">{cards}</div>')
    lines += [W("indicator_page.method", chapter=f"{{ref}}`{W('indicator_page.method_link')} <methodology>`"), ""]
    # The plan's passage
    lines += [f"({ind.id.replace('_', '-')}-plan)=", f"## {W('indicator_page.plan')}", ""]
    if ind.quote:
        quote = " ".join(part for part in ind.quote.replace("\t", " ｜ ").split("\n") if part.strip())
        lines += [f"> {md_escape(quote)}", ""]
    else:  # the catalogue has no quote: said on the page, not left to look like one
        lines += ["```{note}", W("indicator_page.no_quote"), "```", ""]
    lines += [W("indicator_page.section", section=md_escape(ind.section)), ""]
    if ind.note_zh:
        lines += [W("indicator_page.note", note=md_escape(ind.note_zh)), ""]
    targets = targets_table(report, ind, records)
    if targets is not None:
        lines += raw(targets._repr_html_())
    elif ind.target_pending:
        lines += [W("indicator_page.pending"), ""]
    amended = target_history_table(report, ind)
    if amended is not None:
        lines += [f"({ind.id.replace('_', '-')}-amendments)=", f"### {W('indicator_page.amended.title')}", ""]
        lines += raw(amended._repr_html_())
        lines += [W("indicator_page.amended.see", page=f"{{ref}}`{W('pages.amendments.title')} <amendments>`"), ""]
    # The series
    lines += [f"({ind.id.replace('_', '-')}-data)=", f"## {W('indicator_page.data')}", ""]
    if rows.empty:
        lines += [W("indicator_page.no_data"), ""]
    else:
        if chart is None:
            spec, text = charts.chart_parts(report, ind)
            chart = CHART_SCRIPT + charts.render_in_browser(spec, text, "page")
        lines += raw(chart)
    lines += raw(series_table(report, ind, rows)._repr_html_())
    lines += raw(f'<p class="pb-download"><a href="{e(data_href(ind.id))}" download>'
                 f'{e(W("indicator_page.csv", name=ind.name_zh))}</a></p>')
    # Earlier editions
    lines += [f"({ind.id.replace('_', '-')}-history)=", f"## {W('indicator_page.history')}", ""]
    lines += raw(history(editions, ind)._repr_html_())
    lines += [W("indicator_page.see_also", chapter=f"{{ref}}`{md_escape(dim.name_zh)} <{chapter_label(ind.dimension)}>`",
                index=f"{{ref}}`{W('indicator_page.index_title')} <indicators>`"), ""]
    return "\n".join(lines)


def indicator_frame(report: Report, ind: Indicator, rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """The indicator's values as its CSV holds them: one row per year, with unit, kind, source, note."""
    rows = series_rows(report, ind) if rows is None else rows
    return pd.DataFrame({
        W("csv.id"): ind.id, W("csv.name"): ind.name_zh, W("col.year"): rows["year"],
        W("col.number"): rows["value"], W("col.unit"): ind.unit,
        W("col.kind"): [W(f"data_kind.{k}") for k in rows["kind"]], W("col.source"): rows["source"],
        W("col.note"): rows["note"]})


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark (Excel on Chinese Windows), text that Excel would run kept as text."""
    return csv_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def dimension_frame(report: Report, dimension: str, frames: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """A chapter's data: every value of its indicators (a text target restating a table row once);
    ``frames``: the indicators' :func:`indicator_frame` by id, made when not given."""
    frames = frames or {}
    parts = [frames[ind.id] if ind.id in frames else indicator_frame(report, ind) for ind in report.cat.indicators
             if ind.dimension == dimension and not ind.same_as]
    return pd.concat(parts, ignore_index=True)


# --- all indicators, and the landing page ---------------------------------------------------------

def index_table(report: Report, dimension: str) -> Table:
    rows = []
    records = headline_records(report)
    for ind in (i for i in report.cat.indicators if i.dimension == dimension):
        r = records[ind.id]
        due = W("none_text") if missing(r["milestone"]) else W(
            "year_target_value", year=int(r["milestone"]), target=views.target_text(ind, int(r["milestone"])))
        rows.append([Cell(ind.name_zh, href=f"{INDICATOR_PAGES.split('/')[-1]}/{ind.id}.html"),
                     Cell(where_in_plan(report, ind)),
                     views.value_cell(report, ind, r["value"], r["value_year"], r["data_kind"]), Cell(due),
                     views.pace_cell(r["pace"], r["light"]), views.status_cell(r["status"], r["reason"], r["met_year"])])
    name = report.cat.dimension_by_id[dimension].name_zh
    return Table(columns=[W("col.indicator"), W("indicator_page.where"), W("col.value", year=report.year),
                          W("col.due_target"), W("col.pace"), W("col.status")], rows=rows,
                 caption=W("indicator_page.index_caption", dimension=name, year=report.year),
                 numeric=frozenset({2}), wide=frozenset({0}), key=(2, 3, 5, 4))


def indicators_index(report: Report) -> str:
    lines = ["(indicators)=", f"# {W('indicator_page.index_title')}", "",
             W("indicator_page.index_intro", n=len(report.cat.indicators), table=W("table_name"),
               n_table=len(report.cat.table), n_text=len(report.cat.text_targets)), ""]
    for dim in report.cat.dimensions:
        lines += [f"(indicators-{dim.id.replace('_', '-')})=", f"## {md_escape(dim.name_zh)}", ""]
        lines += raw(index_table(report, dim.id)._repr_html_())
    return "\n".join(lines)


def official_counts(report: Report) -> dict[str, int]:
    """How many of the values and statuses an edition uses are official: the observations after
    the base year up to the edition's year (the base year's are the plan's own), and the progress
    reports up to that year."""
    obs = report.data.upto(report.year)
    obs = obs[obs["year"] > report.cat.base_year]
    progress = report.data.progress
    progress = progress[progress["year"] <= report.year]
    return {"values": len(obs), "official_values": int((obs["kind"] == "official").sum()),
            "statuses": len(progress), "official_statuses": int((progress["kind"] == "official").sum())}


def results_page(report: Report, links: tuple[tuple[str, str], ...] = ()) -> str:
    """The edition's landing page: the results on one screen, with links to the detail."""
    cat = report.cat
    total = report.summary.set_index("dimension").loc["all"]
    kind = W(f"edition_kind.{cat.edition_kind(report.year)}")
    lines = ["(results)=", f"# {W('results.title', year=report.year, kind=kind)}", ""]
    head = report.headline()
    lines += [md_escape(sentences.coverage_sentence(report) + sentences.pace_sentence(report, head, W("table_name"))),
              ""]
    if report.has_demo:
        lines += raw(f'<p class="pb-demo-note">{e(W("demo.notice"))}</p>')
    counted = W("results.official_count", base_year=cat.base_year, **official_counts(report))
    lines += raw(f'<p class="pb-official-count">{e(counted)}'
                 f'{e(W("results.official_count_demo")) if report.has_demo else ""}</p>')
    lights = "".join(
        f'<li class="pb-count pb-light-{k}"><span class="pb-count-n">{int(total[f"light_{k}"])}</span>'
        f'<span class="pb-count-label"><span aria-hidden="true">{LIGHT_STYLE[k][1]}</span> '
        f'{e(W("light." + k) if k != "none" else W("results.no_light"))}</span></li>' for k in LIGHTS_SHOWN)
    statuses = "".join(
        f'<li class="pb-count pb-status-{s}"><span class="pb-count-n">{int(total[s])}</span>'
        f'<span class="pb-count-label">{status_badge_html(s)}</span></li>' for s in STATUSES if int(total[s]))
    scores = []
    for rec in report.summary.itertuples(index=False):
        if rec.dimension == "all":
            continue
        dim = cat.dimension_by_id[rec.dimension]
        score = W("none_text") if missing(rec.score) else f"{rec.score:.1f}"
        width = 0 if missing(rec.score) else max(0.0, min(100.0, float(rec.score)))
        scores.append(f'<li><a href="chapters/{e(dim.id)}.html">{e(dim.name_zh)}</a>'
                      f'<span class="pb-bar" aria-hidden="true"><span style="width:{width:.0f}%"></span></span>'
                      f'<span class="pb-score">{e(W("results.score", score=score))}</span></li>')
    all_score = W("none_text") if missing(total["score"]) else f"{total['score']:.1f}"
    red = head[head["light"] == "red"]
    red_items = "".join(
        f'<li><a href="{INDICATOR_PAGES}/{e(r.id)}.html">{e(cat.by_id[r.id].name_zh)}</a> '
        f'{pace_badge_html(r.pace, r.light)}</li>' for r in red.itertuples(index=False))
    missed = report.commitments[report.commitments["light"] == "red"] if not report.commitments.empty else None
    body = [
        '<div class="pb-results">',
        f'<section class="pb-card" aria-labelledby="pb-r-lights"><h2 class="pb-card-title" id="pb-r-lights">'
        f'{e(W("results.lights", n=int(total["indicators"]), table=W("table_name")))}</h2>'
        f'<ul class="pb-counts">{lights}</ul></section>',
        f'<section class="pb-card" aria-labelledby="pb-r-status"><h2 class="pb-card-title" id="pb-r-status">'
        f'{e(W("results.statuses"))}</h2><ul class="pb-counts">{statuses}</ul></section>',
        f'<section class="pb-card" aria-labelledby="pb-r-scores"><h2 class="pb-card-title" id="pb-r-scores">'
        f'{e(W("results.scores", score=all_score))}</h2><ul class="pb-scores">{"".join(scores)}</ul></section>',
        f'<section class="pb-card pb-red" aria-labelledby="pb-r-red"><h2 class="pb-card-title" id="pb-r-red">'
        f'{e(W("results.red", n=len(red)))}</h2>'
        + (f'<ul class="pb-red-list">{red_items}</ul>' if red_items else f'<p>{e(W("results.red_none"))}</p>')
        + (f'<p class="pb-red-more">{e(W("results.red_commitments", n=len(missed)))} '
           f'<a href="chapters/overview.html#overview-commitments">{e(W("results.see"))}</a></p>'
           if missed is not None and len(missed) else "")
        + "</section>",
        "</div>",
        f'<nav class="pb-results-links" aria-label="{e(W("results.links"))}"><ul>'
        f'<li><a href="chapters/overview.html">{e(W("results.link_overview"))}</a></li>'
        f'<li><a href="generated/{INDEX_PAGE}.html">{e(W("indicator_page.index_title"))}</a></li>'
        f'<li><a href="intro.html">{e(W("results.link_intro"))}</a></li>'
        f'<li><a href="methodology.html">{e(W("results.link_method"))}</a></li>'
        + "".join(f'<li><a href="{e(href)}">{e(words)}</a></li>' for href, words in links) + '</ul></nav>',
    ]
    lines += raw("".join(body))
    return "\n".join(lines)


def write_indicator_pages(report: Report, folder: Path, links: tuple[tuple[str, str], ...] = ()) -> list[Path]:
    """Write the pages and data files into ``folder`` (the book's ``generated/``); ``links``
    (href, words) are the edition's files the landing page links to besides its pages."""
    from planbook.book.editions import edition_years

    pages = folder / INDEX_PAGE
    data = folder / "extra" / DATA_FOLDER
    for path in (pages, data):
        path.mkdir(parents=True, exist_ok=True)
    records = records_by_id(report)
    editions = [Report(data=report.data, year=y) for y in edition_years(report.data) if y < report.year]
    editions = [(rep, headline_records(rep)) for rep in [*editions, report]]
    written = {folder / f"{INDEX_PAGE}.md": indicators_index(report).encode("utf-8"),
               folder / f"{RESULTS_PAGE}.md": results_page(report, links).encode("utf-8")}
    revised, notes, frames = revised_values(report), notes_by_value(report), {}
    for ind in report.cat.indicators:
        series = report.series(ind)
        rows = series_rows(report, ind, revised, notes, series)
        chart = None
        if not series.empty:
            spec, text = charts.chart_parts(report, ind, records[ind.id][0], series)
            chart = CHART_SCRIPT + charts.render_in_browser(spec, text, "page")
        frames[ind.id] = indicator_frame(report, ind, rows)
        written[data / f"{ind.id}.csv"] = csv_bytes(frames[ind.id])
        written[pages / f"{ind.id}.md"] = indicator_page(report, ind, editions, rows, records[ind.id],
                                                         chart or "").encode("utf-8")
    for dim in report.cat.dimensions:
        written[data / f"{dim.id}.csv"] = csv_bytes(dimension_frame(report, dim.id, frames))
    for path, content in written.items():
        path.write_bytes(content)
    return list(written)
