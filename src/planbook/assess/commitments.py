"""Judging the plan's goals, tasks and projects from what departments report each year.

A department reports each commitment's status once a year: ``done``, ``on_schedule``,
``behind`` or ``not_started`` (inputs/progress.py). As of a report year *Y*:

* before the deadline (or without one) the judged status is the reported one: done or on
  schedule is green, behind or not started yellow; ``done`` stays done in later years;
* once the deadline year has come, a commitment not done is ``not_achieved`` (red); one done
  after its deadline year is ``done_late`` (yellow: done, but not in time);
* nothing reported for *Y* (and not done before) is ``not_reported`` (未报送), light ``none`` —
  never shown as progress — except once the deadline year has come: an overdue commitment stays
  ``not_achieved`` (red) until a report says it is done; not reporting never clears it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from planbook.plan.register import Commitment, Register

STATUSES = ("done", "on_schedule", "behind", "not_started", "done_late", "not_achieved", "not_reported")
LIGHT = {"done": "green", "on_schedule": "green", "behind": "yellow", "not_started": "yellow",
         "done_late": "yellow", "not_achieved": "red", "not_reported": "none"}


@dataclass(frozen=True)
class Reported:
    year: int
    status: str
    evidence: str
    source: str
    kind: str


@dataclass(frozen=True)
class Judged:
    id: str
    year: int
    status: str
    light: str
    reported: str | None  # what the department reported for the report year (None: nothing)
    report_year: int | None  # the year of the report the status rests on
    done_year: int | None
    due: bool  # the deadline year has come
    evidence: str | None
    source: str | None
    data_kind: str | None  # official | demo


def judge(c: Commitment, reports: list[Reported], year: int) -> Judged:
    """The status of one commitment as of ``year`` from its reports (any order)."""
    visible = sorted((r for r in reports if r.year <= year), key=lambda r: r.year)
    now = next((r for r in visible if r.year == year), None)
    done = next((r for r in visible if r.status == "done"), None)
    due = c.deadline is not None and year >= c.deadline

    def result(status: str, basis: Reported | None) -> Judged:
        return Judged(id=c.id, year=year, status=status, light=LIGHT[status],
                      reported=now.status if now else None, report_year=basis.year if basis else None,
                      done_year=done.year if done else None, due=due,
                      evidence=basis.evidence if basis else None, source=basis.source if basis else None,
                      data_kind=basis.kind if basis else None)

    if done is not None:
        late = c.deadline is not None and done.year > c.deadline
        return result("done_late" if late else "done", done)
    if due:
        # Overdue and no report says it is done: red in every later edition, reported or not
        # (not reporting never clears it); the evidence is the latest report, if any.
        return result("not_achieved", now or (visible[-1] if visible else None))
    if now is None:
        return result("not_reported", None)
    return result(now.status, now)


def reports_by_id(progress: pd.DataFrame) -> dict[str, list[Reported]]:
    out: dict[str, list[Reported]] = {}
    for rec in progress.itertuples(index=False):
        out.setdefault(rec.commitment_id, []).append(
            Reported(int(rec.year), rec.status, rec.evidence, rec.source, rec.kind))
    return out


COLUMNS = ["id", "kind", "chapter", "dimension", "name_zh", "deadline", "areas", "department", "department_source",
           *(f for f in Judged.__dataclass_fields__ if f != "id")]


def judge_all(register: Register, progress: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per commitment of the register, judged as of ``year`` (later reports are ignored)."""
    reports = reports_by_id(progress[progress["year"] <= year])
    rows = []
    for c in register.commitments:
        department, source = register.department_of(c.id)
        rows.append({"kind": c.kind, "chapter": c.chapter, "dimension": c.dimension, "name_zh": c.name_zh,
                     "deadline": c.deadline, "areas": ",".join(c.areas),
                     "department": department.name_zh if department else None, "department_source": source,
                     **asdict(judge(c, reports.get(c.id, []), year))})
    return pd.DataFrame.from_records(rows, columns=COLUMNS)


def light_counts(frame: pd.DataFrame) -> dict[str, int]:
    counts = frame["light"].value_counts()
    return {k: int(counts.get(k, 0)) for k in ("green", "yellow", "red", "none")}
