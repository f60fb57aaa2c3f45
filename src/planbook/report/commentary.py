"""Commentary against an edition's assessments: what a chapter's state is, whether a commentary
is stale, the scaffold a researcher starts from, and what a final edition still lacks.

A chapter's *state* is the status and pace (序时进度) of every indicator it judges and the status
and light of every commitment it lists: a dimension's chapter, its indicators (table and text
targets) and its commitments; the overview, the plan's table and the commitments of no single
dimension (the items it lists itself). The scaffold writes the state into the file's front matter;
when the data change one of them, the commentary is stale.
"""

from __future__ import annotations

import pandas as pd

from planbook.errors import display_path, say
from planbook.inputs.commentary import (OVERVIEW, OVERVIEW_SECTIONS, Change, Commentary, changes, front_matter,
                                        section_title)
from planbook.report import sentences, views
from planbook.report.format import fmt_share, fmt_value, missing, pace_text, status_word
from planbook.report.report import Report
from planbook.words import W

# Numbers every indicator of a chapter glues for its commentary: {glue:text}`<id>_<what>`.
INDICATOR_GLUE = ("value", "target", "completion", "pace", "status")


def chapters(report: Report) -> list[str]:
    return [OVERVIEW, *report.cat.dimension_by_id]


def indicator_rows(report: Report, chapter: str) -> pd.DataFrame:
    """The records the chapter judges its indicators by this year (one per indicator)."""
    if chapter == OVERVIEW:
        return report.headline()
    return report.headline(chapter, table_only=False)


def commitment_rows(report: Report, chapter: str) -> pd.DataFrame:
    return views.commitments_of(report, None if chapter == OVERVIEW else chapter)


def chapter_state(report: Report, chapter: str) -> dict[str, dict[str, str]]:
    """``{"indicators": {id: "status/pace"}, "commitments": {id: "status/light"}}``."""
    return {
        "indicators": {r.id: f"{r.status}/{r.pace}" for r in indicator_rows(report, chapter).itertuples(index=False)},
        "commitments": {r.id: f"{r.status}/{r.light}" for r in commitment_rows(report, chapter).itertuples(index=False)},
    }


def stale(report: Report, commentary: Commentary) -> list[Change]:
    """What changed since the commentary was written (empty: it is current)."""
    return changes(commentary.record, chapter_state(report, commentary.chapter))


def _name(report: Report, change: Change) -> str:
    if change.kind == "indicators":
        return report.cat.by_id[change.id].name_zh if change.id in report.cat.by_id else change.id
    return report.register.by_id[change.id].name_zh if change.id in report.register.by_id else change.id


def _state_zh(kind: str, state: str) -> str:
    first, second = state.split("/")
    if kind == "indicators":
        return W("commentary.state", status=status_word(first), pace=W(f"pace.{second}"))
    return W(f"commitment_status.{first}")


def change_zh(report: Report, change: Change) -> str:
    """One change as the page's note says it."""
    name = _name(report, change)
    if change.after is None:
        return W("commentary.stale.gone", name=name)
    return W("commentary.stale.item", name=name, before=_state_zh(change.kind, change.before),
             after=_state_zh(change.kind, change.after))


def change_line(report: Report, commentary: Commentary, change: Change) -> str:
    """One change as ``planbook check`` says it (file, item, before and after), in the language of
    the messages."""
    now = "no longer in this chapter" if change.after is None else f"now {change.after}"
    path = display_path(commentary.file.path)
    english = (f"{path}: written against {change.kind[:-1]} {change.id} "
               f"({_name(report, change)}) at {change.before}, {now}: review the commentary, then "
               f"`planbook commentary --year {commentary.year} --refresh` records the current state")
    return say("stale_change", english, path=path, change=change_zh(report, change), id=change.id,
               year=commentary.year)


def stale_note(report: Report, commentary: Commentary) -> str | None:
    """The page's note (MyST) when the commentary predates the data; None when it is current."""
    found = stale(report, commentary)
    if not found:
        return None
    items = "\n".join(f"- {change_zh(report, c)}" for c in found)
    return (f":::{{admonition}} {W('commentary.stale.title')}\n:class: warning pb-stale\n"
            f"{W('commentary.stale.lead')}\n\n{items}\n:::")


# --- the scaffold -------------------------------------------------------------------------

def glue_names(report: Report, chapter: str) -> dict[str, str]:
    """Per-indicator glue keys of a chapter (``green_good_air_days_value`` …) and their text."""
    out = {}
    for r in indicator_rows(report, chapter).itertuples(index=False):
        ind = report.cat.by_id[r.id]
        value = W("none_text") if missing(r.value) else fmt_value(r.value, ind.decimals, ind.unit)
        if not missing(r.value) and r.data_kind in ("demo", "mixed"):
            value = W("demo.cell", text=value)
        if not missing(r.value) and not missing(r.value_year) and ind.kind == "cumulative" and ind.window:
            value = W("value_cumulative", text=value, start=ind.window[0], year=min(int(r.value_year), ind.window[1]))
        elif not missing(r.value) and not missing(r.value_year) and int(r.value_year) != report.year:
            value = W("value_year", text=value, year=int(r.value_year))
        out[f"{r.id}_value"] = value
        out[f"{r.id}_target"] = views.target_text(ind, int(r.milestone)) if not missing(r.milestone) else W("none_text")
        out[f"{r.id}_completion"] = fmt_share(r.completion)
        out[f"{r.id}_pace"] = pace_text(r.pace, r.light)
        out[f"{r.id}_status"] = status_word(r.status, None if missing(r.reason) else r.reason,
                                            None if missing(r.met_year) else int(r.met_year))
    return out


def _facts(report: Report, chapter: str) -> list[str]:
    """The comment lines of the scaffold: red items, status changes since last year, revised values."""
    lines = []
    rows = indicator_rows(report, chapter)
    for r in rows[rows["light"] == "red"].itertuples(index=False):
        lines.append(W("commentary.scaffold.red_indicator", name=report.cat.by_id[r.id].name_zh,
                       pace=pace_text(r.pace, r.light), status=status_word(r.status), glue_key=f"{r.id}_value"))
    own = commitment_rows(report, chapter)
    for r in own[own["light"] == "red"].sort_values("id").itertuples(index=False):
        lines.append(W("commentary.scaffold.red_commitment", name=r.name_zh,
                       status=W(f"commitment_status.{r.status}"), department=r.department or W("none_text")))
    if report.previous is not None:
        before = report.previous.set_index(["id", "milestone"])
        for r in rows.itertuples(index=False):
            if (r.id, r.milestone) in before.index:
                old = before.loc[(r.id, r.milestone)]
                if old["status"] != r.status:
                    lines.append(W("commentary.scaffold.changed", name=report.cat.by_id[r.id].name_zh,
                                   last=report.year - 1, old=status_word(old["status"]), year=report.year,
                                   new=status_word(r.status)))
    series = None if chapter == OVERVIEW else {report.cat.by_id[i].series_id for i in rows["id"]}
    for rev in sentences.revisions_found(report) or []:
        if series is None or rev.indicator_id in series:
            meta = report.cat.series_meta(rev.indicator_id)
            lines.append(W("commentary.scaffold.revised", name=meta.name_zh, year=rev.year,
                           old=W("none_text") if rev.old is None else fmt_value(rev.old, meta.decimals, meta.unit),
                           new=W("none_text") if rev.new is None else fmt_value(rev.new, meta.decimals, meta.unit)))
    return lines or [W("commentary.scaffold.no_facts")]


def scaffold_sections(report: Report, chapter: str) -> list[str]:
    """The headings a new file starts with: the overview's sections (规划实施调整建议 only at
    mid-term and final), a chapter's three."""
    if chapter != OVERVIEW:
        return [W(f"commentary.chapter_section.{k}") for k in ("progress", "problems", "suggestions")]
    return [section_title(k) for k in required_sections(report, OVERVIEW)]


def required_sections(report: Report, chapter: str) -> list[str]:
    """The overview's section keys an edition of this kind must have."""
    if chapter != OVERVIEW:
        return []
    kind = report.cat.edition_kind(report.year)
    return [k for k in OVERVIEW_SECTIONS if k != "adjustment" or kind in ("mid_term", "final")]


def record_names(report: Report, chapter: str) -> dict[str, str]:
    names = {r.id: report.cat.by_id[r.id].name_zh for r in indicator_rows(report, chapter).itertuples(index=False)}
    names |= {r.id: r.name_zh for r in commitment_rows(report, chapter).itertuples(index=False)}
    return names


def record_front_matter(report: Report, chapter: str) -> str:
    return front_matter(chapter_state(report, chapter), record_names(report, chapter),
                        W("commentary.scaffold.front", year=report.year))


def scaffold(report: Report, chapter: str) -> str:
    """A new commentary file: front matter with the chapter's state, hints and the facts worth
    discussing as comments (never shown), and the headings to write under."""
    keys = glue_names(report, chapter)
    example = next(iter(keys), "pace_sentence")
    lines = [record_front_matter(report, chapter).rstrip("\n"), W("commentary.scaffold.hint"),
             W("commentary.scaffold.glue", example=f"{{glue:text}}`{example}`"),
             W("commentary.scaffold.keys", keys=W("enum_sep").join(sorted(indicator_rows(report, chapter)["id"]))
               or W("none_text")),
             "%", W("commentary.scaffold.facts_lead", year=report.year), *_facts(report, chapter), ""]
    for title in scaffold_sections(report, chapter):
        lines += [f"## {title}", "", W("commentary.scaffold.write_here"), ""]
    return "\n".join(lines)


# --- what a final edition lacks ------------------------------------------------------------

def final_gaps(report: Report) -> list[str]:
    """Everything a final edition still lacks, one line each (in the language of the messages):
    commentary missing or with empty required sections, stale commentary, items departments have
    not reported."""
    data, year = report.data, report.year
    gaps = []
    for chapter in chapters(report):
        c = data.commentary_for(year, chapter)
        where = display_path(data.source_dir / "commentary" / str(year) / f"{chapter}.md")
        if c is None:
            gaps.append(say("final_no_commentary", f"{where}: no commentary (`planbook commentary --year {year}` "
                            "writes a scaffold)", path=where, year=year))
            continue
        if chapter == OVERVIEW:
            for key in required_sections(report, chapter):
                if c.section(key) is None:
                    gaps.append(say("final_no_section", f"{where}: section '## {section_title(key)}' is missing "
                                    "or empty", path=where, title=section_title(key)))
        elif c.empty:
            gaps.append(say("final_empty", f"{where}: empty (only headings or comments)", path=where))
        gaps += [say("final_stale", f"stale: {line}", line=line)
                 for line in (change_line(report, c, change) for change in stale(report, c))]
    return gaps + unreported_departments(report)


def unreported_departments(report: Report) -> list[str]:
    """Each indicator and commitment a department has not reported for the edition's year, by name
    with the year it was last reported (:func:`planbook.assess.reporting.missing_reports`)."""
    from planbook.assess.reporting import missing_reports

    lines = []
    for m in missing_reports(report.data, report.year):
        last = "never reported" if m.last_year is None else f"last reported for {m.last_year}"
        lines.append(say("final_unreported", f"department {m.department}: {m.kind} {m.id} ({m.name}) not reported "
                         f"for {m.year} ({last})", department=m.department, kind=W(f"reporting.kind.{m.kind}"),
                         id=m.id, name=m.name, year=m.year,
                         last=W("reporting.never_note") if m.last_year is None else
                         W("reporting.last_note", year=m.last_year)))
    return lines
