"""Who has reported what for a year: per department, each indicator without a value and each
commitment without a status for the year, by name, with the year it was last reported.

``planbook status``, the book's page 按责任单位 and ``planbook check --final`` read this one list.
A commitment done in an earlier year needs no further report (it stays done, see
:mod:`planbook.assess.commitments`); an indicator needs a value every year.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from planbook.assess.commitments import judge_all
from planbook.inputs.dataset import DataSet
from planbook.words import W

KINDS = ("indicator", "commitment")


@dataclass(frozen=True)
class Missing:
    """One item a department has not reported for ``year``."""

    department: str  # the department's Chinese name
    department_id: str
    kind: str  # indicator | commitment
    id: str
    name: str
    year: int
    last_year: int | None  # the last year it was reported (None: never)

    def record(self) -> dict:
        return asdict(self)

    def last_text(self) -> str:
        """``2024年`` or ``从未报送``."""
        return W("reporting.never") if self.last_year is None else W("year_label", year=self.last_year)

    def row(self) -> dict[str, str]:
        """The item as staff read it: department, kind, name, id, last reported (in Chinese)."""
        return {W("col.department"): self.department, W("col.kind"): W(f"reporting.kind.{self.kind}"),
                W("reporting.col_name"): self.name, W("reporting.col_id"): self.id,
                W("reporting.col_last"): self.last_text()}


def missing_reports(data: DataSet, year: int, department: str | None = None) -> list[Missing]:
    """Every item not reported for ``year``, department by department (the order of
    departments.yaml), indicators in the catalogue's order, then commitments in the register's;
    with ``department`` (id or name) only that department's."""
    reg, cat = data.register, data.catalogue
    if department is not None:
        from planbook.inputs.intake import find_department

        departments = [find_department(data, department)]
    else:
        departments = list(reg.departments)
    obs = data.upto(year)
    reported = set(obs.loc[obs["year"] == year, "indicator_id"])
    last_value = obs[obs["year"] < year].groupby("indicator_id")["year"].max().to_dict()
    progress = data.progress[data.progress["year"] <= year]
    last_status = progress[progress["year"] < year].groupby("commitment_id")["year"].max().to_dict()
    judged = judge_all(reg, progress, year).set_index("id")
    order = {sid: n for n, sid in enumerate([i.id for i in cat.indicators] + [c.id for c in cat.context])}
    found = []
    for dep in departments:
        series = sorted((i for i, d in reg.assignments.items() if d == dep.id and i not in reg.by_id),
                        key=lambda i: order.get(i, len(order)))
        for sid in series:
            if sid not in reported:
                found.append(Missing(dep.name_zh, dep.id, "indicator", sid, cat.series_meta(sid).name_zh, year,
                                     _year(last_value.get(sid))))
        for c in reg.commitments:
            # Not reported this year and not done (an overdue one stays red, but its report is still due).
            if reg.department_of(c.id)[0] == dep and judged.loc[c.id, "status"] not in ("done", "done_late") \
                    and pd.isna(judged.loc[c.id, "reported"]):
                found.append(Missing(dep.name_zh, dep.id, "commitment", c.id, c.name_zh, year,
                                     _year(last_status.get(c.id))))
    return found


def _year(value) -> int | None:
    return None if value is None else int(value)
