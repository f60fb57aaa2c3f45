"""The report's tables: one function per table, each built from a :class:`Report`.

Every table carries both views of an indicator — 序时进度 (pace, with its light) and status —
with symbol and word, never colour alone; every word comes from the phrasebook.
"""

from __future__ import annotations

import re

import pandas as pd

from planbook.assess.changes import new_series  # noqa: F401 (re-exported for notebooks)
from planbook.assess.progress import STATUSES, headline_rows, shown_statuses
from planbook.plan.catalogue import Indicator
from planbook.report import sentences
from planbook.report.format import (Cell, Table, fmt_share, fmt_value, indicator_href, missing, pace_badge_html,
                                    pace_badge_md, pace_text, status_badge_html, status_badge_md, status_word)
from planbook.report.report import Report
from planbook.words import W

# Order used to say whether a status change is an improvement.
STATUS_RANK = {"achieved": 0, "nearly_achieved": 0.5, "on_track": 1, "needs_acceleration": 2, "limited_progress": 3, "deterioration": 4}
COMMITMENT_ORDER = {"not_achieved": 0, "behind": 1, "not_started": 2, "done_late": 3, "not_reported": 4,
                    "on_schedule": 5, "done": 6}


# --- cells ----------------------------------------------------------------------------

def name_cell(ind: Indicator, text: str | None = None) -> Cell:
    """An indicator's name; on the site it links to the indicator's own page."""
    return Cell(ind.name_zh if text is None else text, href=indicator_href(ind.id))


def value_text(report: Report, ind: Indicator, value, year) -> str:
    """A value as shown: a window sum is called 累计 with its years; a value older than the
    edition's year says its year."""
    text = fmt_value(value, ind.decimals, ind.unit)
    if ind.kind == "cumulative" and ind.window and not missing(year):
        return W("value_cumulative", text=text, start=ind.window[0], year=min(int(year), ind.window[1]))
    if not missing(year) and int(year) != report.year:
        text = W("value_year", text=text, year=int(year))
    return text


def value_cell(report: Report, ind: Indicator, value, year, kind) -> Cell:
    if missing(value):
        return Cell(W("none_text"))
    return Cell(value_text(report, ind, value, year), demo=kind in ("demo", "mixed"))


def target_text(ind: Indicator, year: int) -> str:
    t = ind.target_for(year)
    if t is None:
        return W("pending_target") if ind.target_pending else W("none_text")
    return t.as_written + (W("year_inferred") if t.year_inferred else "")


def progress_text(row) -> str:
    if missing(row["completion"]) and missing(row["time_elapsed"]):
        return W("none_text")
    text = f"{fmt_share(row['completion'])} / {fmt_share(row['time_elapsed'])}"
    if row.get("base_from") == "first_observation" and not missing(row["completion"]) and not missing(row["base_year"]):
        # No baseline in the plan: the share is measured from the first value, said where the share is.
        text = W("progress_base", text=text, year=int(row["base_year"]))
    return text


def status_cell(status: str, reason=None, met_year=None) -> Cell:
    reason = None if missing(reason) else reason
    met_year = None if missing(met_year) else int(met_year)
    return Cell(status_word(status, reason, met_year), html=status_badge_html(status, reason, met_year),
                markdown=status_badge_md(status, reason, met_year))


def pace_cell(pace: str, light: str) -> Cell:
    return Cell(pace_text(pace, light), html=pace_badge_html(pace, light), markdown=pace_badge_md(pace, light))


def light_cell(status: str, light: str) -> Cell:
    """A commitment's judged status with its light (symbol and word)."""
    from planbook.report.format import LIGHT_STYLE

    colour, symbol = LIGHT_STYLE[light]
    word = W(f"commitment_status.{status}")
    text = word if light == "none" else W("pace_with_light", light=W(f"light.{light}"), pace=word)
    html = (f'<span class="pb-light pb-light-{light}" style="color:{colour}">'
            f'<span aria-hidden="true">{symbol}</span> {text}</span>')
    return Cell(text, html=html, markdown=f"{symbol} {text}")


def past_target_text(report: Report, ind: Indicator, year: int, headline) -> str:
    """A target column's text; a milestone that has passed and is no longer the one judged
    carries its verdict (``12.7（未完成，2026年达到）``), so a missed target stays visible."""
    text = target_text(ind, year)
    if ind.target_for(year) is None or year > report.year or year == headline:
        return text
    rec = report.record(ind.id, year)
    word = status_word(rec["status"], None if missing(rec["reason"]) else rec["reason"])
    late = W("verdict_late", year=int(rec["met_year"])) if rec["reason"] == "reached_late" else ""
    return W("verdict_in_column", text=text, word=word, late=late)


def marks_note(report: Report, shown: list[Indicator]) -> str:
    """What the plan's marks in a table mean (``23.16*``, ``[10]``, 待定), under the table that shows
    them: each marked indicator's note from the catalogue."""
    notes = []
    for ind in shown:
        written = [ind.baseline.as_written] if ind.baseline else []
        written += [t.as_written for t in ind.targets]
        marked = ind.target_pending or any(re.search(r"[*＊\[\]【】]", w) for w in written)
        if marked and ind.note_zh:
            notes.append(W("table_note.mark", name=ind.name_zh, note=ind.note_zh))
    inferred = [ind for ind in shown if any(t.year_inferred for t in ind.targets)]
    if inferred:
        notes.append(W("table_note.year_inferred", mark=W("year_inferred")))
    return " ".join(notes)


def milestone_note(report: Report) -> str:
    spans, start = [], None
    for m in report.cat.milestones:
        spans.append(W("milestone_span_first", year=m) if start is None else W("milestone_span", start=start, year=m))
        start = m + 1
    return W("table_note.milestones", spans=W("list_sep").join(spans))


# --- indicators -----------------------------------------------------------------------

def scorecard(report: Report, dimension: str) -> Table:
    """The dimension's rows of the plan's table with value, targets, progress, pace and status."""
    head = report.headline(dimension).set_index("id")
    milestones = report.cat.milestones
    rows = []
    shown = [i for i in report.cat.table if i.dimension == dimension]
    for ind in shown:
        r = head.loc[ind.id]
        base = Cell(ind.baseline.as_written) if ind.baseline else Cell(W("none_text"))
        rows.append([
            Cell(str(ind.table_no)), name_cell(ind), Cell(ind.unit), base,
            value_cell(report, ind, r["value"], r["value_year"], r["data_kind"]),
            *[Cell(past_target_text(report, ind, m, r["milestone"])) for m in milestones],
            Cell(progress_text(r)), pace_cell(r["pace"], r["light"]),
            status_cell(r["status"], r["reason"], r["met_year"]),
        ])
    note = " ".join(filter(None, [milestone_note(report), marks_note(report, shown),
                                   W("demo.notice") if report.has_demo else ""]))
    due = next((m for m in milestones if m >= report.year), milestones[-1])
    n = 5 + len(milestones) + 3
    return Table(
        columns=[W("col.no"), W("col.indicator"), W("col.unit"), W("year_label", year=report.cat.base_year),
                 W("col.value", year=report.year), *[W("year_target", year=m) for m in milestones],
                 W("col.progress"), W("col.pace"), W("col.status")],
        rows=rows, numeric=frozenset({4}), wide=frozenset({1}), lead=1,
        key=(4, 5 + milestones.index(due), n - 1, n - 2),
        caption=W("caption.scorecard", dimension=report.cat.dimension_by_id[dimension].name_zh, year=report.year),
        note=note,
    )


def text_targets(report: Report, dimension: str) -> Table:
    """Targets set in the chapter's text, each with the passage, its pace and status."""
    rows = []
    frame = report.frame[(report.frame["dimension"] == dimension) & report.frame["table_no"].isna()]
    judged = report.frame.set_index(["id", "milestone"])
    for rec in frame.itertuples(index=False):
        ind = report.cat.by_id[rec.id]
        same = W("same_as_row", row=report.cat.by_id[ind.same_as].table_no) if ind.same_as else ""
        # A restatement is judged by its table row (the table prevails): the row's verdict is shown.
        verdict = judged.loc[(ind.same_as, rec.milestone)] if ind.same_as and (ind.same_as, rec.milestone) in \
            judged.index else rec._asdict()
        rows.append([
            name_cell(ind, ind.name_zh + same),
            Cell(W("year_target_value", year=int(rec.milestone), target=target_text(ind, int(rec.milestone)))),
            value_cell(report, ind, rec.value, rec.value_year, rec.data_kind),
            pace_cell(verdict["pace"], verdict["light"]),
            status_cell(verdict["status"], verdict["reason"], verdict["met_year"]), Cell(ind.section),
        ])
    return Table(columns=[W("col.target"), W("col.target_value"), W("col.value", year=report.year), W("col.pace"),
                          W("col.status"), W("col.section")], rows=rows,
                 caption=W("caption.text_targets", dimension=report.cat.dimension_by_id[dimension].name_zh),
                 numeric=frozenset({2}), wide=frozenset({0, 5}), key=(2, 1, 4, 3),
                 note="".join(filter(None, [
                     W("table_note.restated", table=W("table_name")) if any(
                         report.cat.by_id[i].same_as for i in frame["id"]) else "",
                     marks_note(report, [report.cat.by_id[i] for i in frame["id"]])])) or None)


def status_overview(report: Report) -> Table:
    """Every indicator of the plan's table, its pace and status on one page, by dimension."""
    head = report.headline().set_index("id")
    rows = []
    for ind in report.cat.table:
        r = head.loc[ind.id]
        due = W("none_text") if missing(r["milestone"]) else W(
            "year_target_value", year=int(r["milestone"]), target=target_text(ind, int(r["milestone"])))
        rows.append([Cell(report.cat.dimension_by_id[ind.dimension].name_zh), Cell(str(ind.table_no)),
                     name_cell(ind), value_cell(report, ind, r["value"], r["value_year"], r["data_kind"]),
                     Cell(due), pace_cell(r["pace"], r["light"]), status_cell(r["status"], r["reason"], r["met_year"])])
    return Table(columns=[W("col.dimension"), W("col.no"), W("col.indicator"), W("col.value", year=report.year),
                          W("col.due_target"), W("col.pace"), W("col.status")], rows=rows,
                 caption=W("caption.overview", n=len(rows), year=report.year), numeric=frozenset({3}),
                 wide=frozenset({0, 2}), lead=2, key=(3, 4, 6, 5), note=marks_note(report, report.cat.table) or None)


def score_table(report: Report) -> Table:
    rows = []
    shown = [s for s in shown_statuses(report.cat) if s != "no_target"]
    for rec in report.summary.itertuples(index=False):
        name = W("total") if rec.dimension == "all" else report.cat.dimension_by_id[rec.dimension].name_zh
        lights = [Cell(str(getattr(rec, f"light_{k}"))) for k in ("green", "yellow", "red")]
        counts = [Cell(str(getattr(rec, s))) for s in shown]
        rows.append([Cell(name), Cell(str(rec.indicators)), *lights, *counts,
                     Cell(W("none_text") if missing(rec.score) else f"{rec.score:.1f}")])
    return Table(columns=[W("col.dimension"), W("col.count"), *[W(f"light.{k}") for k in ("green", "yellow", "red")],
                          *[W(f"status.{s}") for s in shown], W("col.score")],
                 rows=rows, wide=frozenset({0}), caption=W("caption.scores", year=report.year,
                                                           **dict(zip(("n", "total"), sentences.reported(report)))),
                 numeric=frozenset(range(1, len(shown) + 6)))


def _same(a, b) -> bool:
    return (missing(a) and missing(b)) or (not missing(a) and not missing(b) and a == b)


def changes(report: Report) -> tuple[str, Table | None]:
    """Status moves since the previous year's assessment, like with like.

    The same indicator and milestone are compared. A milestone that fell due this year is
    judged, not compared: its move to 已达标 or 未完成 is the verdict of its year, neither an
    improvement nor a step back.
    """
    last = report.year - 1
    if report.previous is None:
        # Figures with gaps: no edition last year, but earlier ones (this is not the first).
        earlier = [y for y in report.data.years if y < last]
        return W("sentence.changes_gap" if earlier else "sentence.changes_first", year=last,
                 earlier=max(earlier) if earlier else None), None
    now = headline_rows(report.frame).set_index(["id", "milestone"])
    before = report.previous.set_index(["id", "milestone"])
    rows, tally = [], {"better": 0, "worse": 0, "due": 0, "other": 0}
    for (iid, milestone), rec in now.iterrows():
        if (iid, milestone) not in before.index or report.cat.by_id[iid].same_as:
            continue  # a text target restating a table row is judged, and listed, by the row
        old = before.loc[(iid, milestone)]
        if old["status"] == rec["status"] and _same(old["reason"], rec["reason"]):
            continue  # two empty reasons (NaN) are the same reason: unchanged
        a, b = STATUS_RANK.get(old["status"]), STATUS_RANK.get(rec["status"])
        if (not missing(milestone) and last < int(milestone) <= report.year
                and rec["status"] in ("achieved", "nearly_achieved", "not_achieved")):
            move = "due"  # judged by its target-year value (a row without one is not: "other")
        elif a is None or b is None or a == b:
            move = "other"
        else:
            move = "better" if b < a else "worse"
        tally[move] += 1
        word = W(f"change.{move}", year=None if missing(milestone) else int(milestone))
        rows.append([name_cell(report.cat.by_id[iid]),
                     Cell(W("year_label", year=int(milestone)) if not missing(milestone) else W("none_text")),
                     status_cell(old["status"], old["reason"], old["met_year"]),
                     status_cell(rec["status"], rec["reason"], rec["met_year"]), Cell(word)])
    if not rows:
        return W("sentence.changes_none", year=last), None
    parts = W("list_sep").join(W(f"sentence.change_count.{k}", n=n) for k, n in tally.items() if n)
    sentence = W("sentence.changes", year=last, n=len(rows), parts=parts)
    table = Table(columns=[W("col.indicator"), W("col.milestone"), W("col.status_of", year=last),
                           W("col.status_of", year=report.year), W("col.change")],
                  rows=rows, caption=W("caption.changes", last=last, year=report.year), wide=frozenset({0}))
    return sentence, table


def revisions(report: Report) -> Table | None:
    """Values of earlier years that changed since the previous edition was released."""
    found = sentences.revisions_found(report)
    if not found:
        return None
    rows = []
    for r in found:
        meta = report.cat.series_meta(r.indicator_id)
        ind = report.cat.by_id.get(r.indicator_id)
        rows.append([name_cell(ind) if ind else Cell(meta.name_zh), Cell(str(r.year)),
                     Cell(fmt_value(r.old, meta.decimals, meta.unit)),
                     Cell(fmt_value(r.new, meta.decimals, meta.unit)), Cell(W(f"revision_kind.{r.kind}"))])
    return Table(columns=[W("col.indicator"), W("col.year"), W("col.released_value", year=report.year - 1),
                          W("col.this_value"), W("col.change")], rows=rows,
                 caption=W("caption.revisions"), numeric=frozenset({2, 3}), wide=frozenset({0}))


def conflicts(report: Report) -> Table:
    cat = report.cat
    rows = [[name_cell(cat.by_id[c.table_id]), Cell(W("year_label", year=c.year)),
             Cell(c.table_target.as_written if c.table_target else W("none_text")),
             Cell(c.text_target.as_written), Cell(cat.by_id[c.text_id].section), Cell(W(f"conflict.kind.{c.kind}"))]
            for c in cat.conflicts()]
    dash = Cell(W("none_text"))
    rows += [[Cell(W("enum_sep").join(cat.series_meta(i).name_zh for i in n.ids)), dash, dash, dash, dash,
              Cell(n.note_zh)] for n in cat.audit_notes]
    return Table(columns=[W("col.indicator"), W("col.year"), W("table_name"), W("col.text"), W("col.text_section"),
                          W("col.issue")], rows=rows, caption=W("caption.conflicts"), wide=frozenset({0, 4, 5}))


def context_table(report: Report) -> Table:
    """Published context figures, each with its source."""
    obs = report.data.upto(report.year)
    rows = []
    for c in report.cat.own_context:  # a same-measure series is its indicator's, shown with it
        for rec in obs[obs["indicator_id"] == c.id].itertuples(index=False):
            rows.append([Cell(c.name_zh), Cell(str(rec.year)),
                         Cell(fmt_value(rec.value, c.decimals, c.unit), demo=rec.kind == "demo"),
                         Cell(rec.source), Cell(rec.note)])
    return Table(columns=[W("col.indicator"), W("col.year"), W("col.number"), W("col.source"), W("col.note")],
                 rows=rows, caption=W("caption.context"), numeric=frozenset({2}), wide=frozenset({0, 3, 4}))


# --- commitments ----------------------------------------------------------------------

def _deadline_text(deadline) -> str:
    return W("none_text") if missing(deadline) else W("year_label", year=int(deadline))


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    order = frame["status"].map(COMMITMENT_ORDER)
    return frame.assign(_order=order).sort_values(["_order", "chapter", "id"], kind="stable").drop(columns="_order")


def _evidence_cell(rec) -> Cell:
    if missing(rec.evidence):
        return Cell(W("none_text"))
    text = rec.evidence if missing(rec.report_year) or int(rec.report_year) == int(rec.year) else \
        W("value_year", text=rec.evidence, year=int(rec.report_year))
    return Cell(text, demo=rec.data_kind == "demo")


def commitments_table(report: Report, frame: pd.DataFrame, caption: str, *, department: bool = True) -> Table:
    """Goals, tasks and projects with kind, deadline, status and light, evidence and source."""
    rows = []
    for rec in _sorted(frame).itertuples(index=False):
        c = report.register.by_id[rec.id]
        row = [Cell(c.name_zh), Cell(W(f"commitment_kind.{c.kind}")), Cell(_deadline_text(c.deadline)),
               light_cell(rec.status, rec.light), _evidence_cell(rec),
               Cell(W("none_text") if missing(rec.source) else rec.source)]
        if department:
            row.append(Cell(rec.department or W("none_text")))
        rows.append(row)
    columns = [W("col.commitment"), W("col.kind"), W("col.deadline"), W("col.commitment_status"), W("col.evidence"),
               W("col.source")] + ([W("col.department")] if department else [])
    return Table(columns=columns, rows=rows, caption=caption, wide=frozenset({0, 4, 5}), key=(3, 2, 4),
                 note=W("table_note.departments"))


def commitments_of(report: Report, dimension: str | None) -> pd.DataFrame:
    frame = report.commitments
    return frame[frame["dimension"].isna()] if dimension is None else frame[frame["dimension"] == dimension]


def commitment_counts(report: Report) -> Table:
    """By kind: how many commitments are lit green, yellow, red, or not reported."""
    frame = report.commitments
    rows = []
    for kind in ("goal", "task", "project", None):
        part = frame if kind is None else frame[frame["kind"] == kind]
        counts = [Cell(str(int((part["light"] == k).sum()))) for k in ("green", "yellow", "red", "none")]
        rows.append([Cell(W("total") if kind is None else W(f"commitment_kind.{kind}")), Cell(str(len(part))), *counts])
    return Table(columns=[W("col.kind"), W("col.count"), W("light.green"), W("light.yellow"), W("light.red"),
                          W("commitment_status.not_reported")], rows=rows,
                 caption=W("caption.commitment_counts", year=report.year), numeric=frozenset(range(1, 6)))


def red_commitments(report: Report) -> Table | None:
    frame = report.commitments[report.commitments["light"] == "red"]
    if frame.empty:
        return None
    return commitments_table(report, frame, W("caption.red_commitments", year=report.year))


def by_department(report: Report) -> Table:
    """Per department: what it leads (indicators and commitments) and how it stands this year."""
    frame = report.commitments
    reg = report.register
    reported_ids = set(report.data.upto(report.year).query("year == @report.year")["indicator_id"])
    rows = []
    for dep in reg.departments:
        own = frame[frame["department"] == dep.name_zh]
        series = [i for i, d in reg.assignments.items() if d == dep.id and i not in reg.by_id]
        if own.empty and not series:
            continue
        lights = [Cell(str(int((own["light"] == k).sum()))) for k in ("green", "yellow", "red", "none")]
        reported = sum(i in reported_ids for i in series)
        rows.append([Cell(dep.name_zh), Cell(str(len(series))), Cell(f"{reported}/{len(series)}"),
                     Cell(str(len(own))), *lights])
    return Table(columns=[W("col.department"), W("col.indicators_led"), W("col.values_reported", year=report.year),
                          W("col.commitments_led"), W("light.green"), W("light.yellow"), W("light.red"),
                          W("commitment_status.not_reported")], rows=rows,
                 caption=W("caption.by_department", year=report.year), numeric=frozenset(range(1, 8)),
                 wide=frozenset({0}), note=W("table_note.departments"))


def by_area(report: Report) -> Table:
    """Per area of the plan's spatial frame: its commitments and how they stand."""
    frame = report.commitments
    reg = report.register
    rows = []
    for area in reg.areas:
        own = frame[frame["areas"].str.split(",").apply(lambda ids, a=area.id: a in ids)]
        if own.empty:
            continue
        zone = reg.zone_of(area.id)
        lights = [Cell(str(int((own["light"] == k).sum()))) for k in ("green", "yellow", "red", "none")]
        names = W("enum_sep").join(own.sort_values("id")["name_zh"])
        rows.append([Cell(area.name_zh), Cell(W(f"area_kind.{area.kind}")),
                     Cell(zone.name_zh if zone and zone.id != area.id else W("none_text")),
                     Cell(str(len(own))), *lights, Cell(names)])
    return Table(columns=[W("col.area"), W("col.area_kind"), W("col.zone"), W("col.count"), W("light.green"),
                          W("light.yellow"), W("light.red"), W("commitment_status.not_reported"), W("col.commitments")],
                 rows=rows, caption=W("caption.by_area", year=report.year), numeric=frozenset(range(3, 8)),
                 wide=frozenset({8}))
