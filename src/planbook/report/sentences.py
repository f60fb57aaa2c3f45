"""The report's sentences, built from an edition's assessments; every word from the phrasebook."""

from __future__ import annotations

import pandas as pd

from planbook.assess.changes import new_series, revisions
from planbook.assess.progress import LIGHTS, STATUSES
from planbook.report.format import missing
from planbook.report.report import Report
from planbook.words import W

# Order in which the counts of a status sentence are given.
_ORDER = [*STATUSES[:-1], "pending_yes_no", "no_target"]


def status_sentence(report: Report, rows: pd.DataFrame, subject: str) -> str:
    """``智慧城镇化 7 项指标中，2 项已达到目标，…。``"""
    keys = ["pending_yes_no" if s == "insufficient_data" and r == "pending_yes_no" else s
            for s, r in zip(rows["status"], rows["reason"])]
    counts = pd.Series(keys, dtype=object).value_counts()
    parts = [W(f"sentence.status_count.{s}", n=int(counts[s])) for s in _ORDER if counts.get(s, 0)]
    if not parts:
        return W("sentence.nothing", subject=subject)
    milestones = sorted({int(m) for m in rows["milestone"].dropna()})
    against = W("sentence.against", year=milestones[0]) if len(milestones) == 1 else ""
    return W("sentence.status", subject=subject, n=len(rows), against=against, parts=W("list_sep").join(parts))


def own_text_targets(report: Report, rows: pd.DataFrame) -> pd.DataFrame:
    """Text targets that are not restatements of a table row (``same_as``): a restatement is
    judged, and counted, by the table row."""
    return rows[[not report.cat.by_id[i].same_as for i in rows["id"]]]


def text_sentence(report: Report, rows: pd.DataFrame, subject: str) -> str:
    """The text targets' statuses, each counted once: restatements of table rows are left to the row."""
    own = own_text_targets(report, rows)
    said = status_sentence(report, own, subject) if len(own) else ""
    restated = len(rows) - len(own)
    return said + (W("sentence.text_restated", n=restated, table=W("table_name")) if restated else "")


def pace_sentence(report: Report, rows: pd.DataFrame, subject: str) -> str:
    """The reviewers' idiom: how many are at or ahead of pace (序时进度), lit green, yellow or red."""
    if rows.empty:
        return W("sentence.nothing", subject=subject)
    n = {k: int((rows["light"] == k).sum()) for k in LIGHTS}
    paces = rows["pace"].value_counts()
    done = int(paces.get("achieved", 0) + paces.get("achieved_early", 0))
    nearly = int(paces.get("nearly_achieved", 0))
    ahead = int(paces.get("ahead", 0) + paces.get("on_pace", 0))
    missed = int(paces.get("not_achieved", 0))
    due = sorted({int(m) for m, s in zip(rows["milestone"], rows["pace"])
                  if not missing(m) and int(m) <= report.year
                  and s in ("achieved", "achieved_early", "nearly_achieved", "not_achieved")})
    sep = W("enum_sep")
    parts = []
    if n["green"]:
        detail = sep.join(x for x in (W("sentence.pace.done", n=done) if done else "",
                                      W("sentence.pace.ahead", n=ahead) if ahead else "") if x)
        parts.append(W("sentence.pace.green", n=n["green"], detail=detail))
    if nearly:  # 基本完成 (a plan setting): yellow, but not for being behind pace
        parts.append(W("sentence.pace.yellow_nearly", n=nearly))
    if n["yellow"] - nearly:
        parts.append(W("sentence.pace.yellow", n=n["yellow"] - nearly, gap=f"{report.cat.pace_settings.red * 100:g}"))
    if n["red"]:
        behind = n["red"] - missed
        detail = sep.join(x for x in (W("sentence.pace.missed", n=missed) if missed else "",
                                      W("sentence.pace.behind", n=behind) if behind else "") if x)
        parts.append(W("sentence.pace.red", n=n["red"], detail=detail))
    if n["none"]:
        parts.append(W("sentence.pace.none", n=n["none"]))
    sentence = W("sentence.pace.lead", subject=subject, n=len(rows), parts=W("list_sep").join(parts))
    if due:
        sentence += W("sentence.pace.due_nearly" if nearly else "sentence.pace.due", years=sep.join(map(str, due)),
                      done=done, nearly=nearly, missed=missed)
    return sentence


def reported(report: Report) -> tuple[int, int]:
    """How many of the edition's indicators have a value of its own year, of how many."""
    head = report.headline(table_only=False)
    return int((head["value_year"] == report.year).sum()), len(head)


def coverage_sentence(report: Report) -> str:
    """``2026 年数值已报送 7/57 项，…``: said first; an edition with most values carried forward says so."""
    n, total = reported(report)
    if n == total:
        return W("sentence.reported_all", year=report.year, n=n, total=total)
    key = "sentence.reported_few" if 2 * n < total else "sentence.reported"
    return W(key, year=report.year, n=n, total=total)


def score_sentence(report: Report, dimension: str) -> str:
    row = report.summary.set_index("dimension").loc[dimension]
    name = report.cat.dimension_by_id[dimension].name_zh if dimension != "all" else W("all")
    if missing(row["score"]):
        return W("sentence.score_none", name=name)
    return W("sentence.score", name=name, score=f"{row['score']:.1f}", n=int(row["scored"]))


def dimension_sentence(report: Report) -> str:
    """Highest and lowest dimension scores; dimensions tied at the score as shown are all named."""
    scored = report.summary[report.summary["dimension"] != "all"].dropna(subset=["score"])
    if scored.empty:
        return W("sentence.dimensions_none")
    order = {d.id: k for k, d in enumerate(report.cat.dimensions)}
    shown = {rec.dimension: f"{rec.score:.1f}" for rec in scored.itertuples(index=False)}
    top, low = max(shown.values(), key=float), min(shown.values(), key=float)
    name = report.cat.dimension_by_id

    def named(score: str) -> str:
        return W("enum_sep").join(name[d].name_zh for d in sorted(shown, key=order.get) if shown[d] == score)

    if top == low:
        return W("sentence.dimensions_equal", n=len(report.cat.dimensions), names=named(top), score=top)
    return W("sentence.dimensions", n=len(report.cat.dimensions), top=named(top), top_score=top,
             low=named(low), low_score=low)


def new_series_sentence(report: Report) -> str:
    if report.year - 1 not in report.data.years:
        return ""
    ids = [i for i in new_series(report.data.observations, report.year) if i in report.cat.by_id]
    if not ids:
        return W("sentence.new_series_none")
    names = W("enum_sep").join(report.cat.series_meta(i).name_zh for i in ids)
    return W("sentence.new_series", n=len(ids), names=names)


def revisions_found(report: Report):
    if report.published_before is None:
        return None
    return revisions(report.published_before, report.data.upto(report.year), report.year)


def revisions_sentence(report: Report) -> str:
    if report.year - 1 not in report.data.years:
        return W("sentence.first_edition")
    found = revisions_found(report)
    if found is None:
        return W("sentence.revisions_unknown", year=report.year - 1)
    if not found:
        return W("sentence.revisions_none", year=report.year - 1)
    counts = {k: sum(r.kind == k for r in found) for k in ("revised", "added", "removed")}
    parts = W("list_sep").join(W(f"sentence.revision.{k}", n=n) for k, n in counts.items() if n)
    return W("sentence.revisions", year=report.year - 1, parts=parts)


def commitments_sentence(report: Report, rows: pd.DataFrame, subject: str) -> str:
    """``规划提出的 86 项目标、任务和项目中，…``: counts by light, and what was not reported."""
    if rows.empty:
        return ""
    n = {k: int((rows["light"] == k).sum()) for k in LIGHTS}
    parts = [W(f"sentence.commitments.{k}", n=n[k]) for k in ("green", "yellow", "red", "none") if n[k]]
    return W("sentence.commitments.lead", subject=subject, n=len(rows), parts=W("list_sep").join(parts))
