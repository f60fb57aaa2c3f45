"""One edition's report: the data, the report year, and the assessments made once and kept.

Tables (:mod:`planbook.report.views`), sentences (:mod:`planbook.report.sentences`), charts
(:mod:`planbook.report.charts`) and each chapter's analysis (:mod:`planbook.report.analyses`)
are built from a :class:`Report`; the notebooks reach them through :mod:`planbook.book.notebook`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from planbook.assess.commitments import judge_all
from planbook.assess.progress import assess, headline_rows, summarise
from planbook.inputs.dataset import DataSet, load
from planbook.plan.catalogue import Catalogue, Indicator


@dataclass
class Report:
    data: DataSet
    year: int

    @cached_property
    def cat(self) -> Catalogue:
        """The plan as in force in the report year (amendments effective by then applied)."""
        return self.data.catalogue_in_force(self.year)

    @property
    def register(self):
        return self.data.register

    @cached_property
    def frame(self) -> pd.DataFrame:
        """Every indicator and milestone, assessed as of the report year."""
        return assess(self.cat, self.data.observations, self.year)

    @cached_property
    def previous(self) -> pd.DataFrame | None:
        """The assessment one year earlier, from the data known for that year."""
        if self.year - 1 not in self.data.years:
            return None
        return assess(self.data.catalogue_in_force(self.year - 1), self.data.observations, self.year - 1)

    @cached_property
    def published_before(self) -> pd.DataFrame | None:
        """The observations the previous edition was released with (``planbook release``), each
        under the id its figures are kept under now (a same-measure context series' as its indicator's)."""
        published = self.data.release(self.year - 1)
        return None if published is None else as_measured(published, self.cat)

    @cached_property
    def summary(self) -> pd.DataFrame:
        return summarise(self.cat, self.frame)

    @cached_property
    def commitments(self) -> pd.DataFrame:
        """Every commitment of the register, judged as of the report year."""
        return judge_all(self.register, self.data.progress, self.year)

    @property
    def has_demo(self) -> bool:
        progress = self.data.progress
        return self.data.has_demo(self.year) or bool(((progress["year"] <= self.year) & (progress["kind"] == "demo")).any())

    def series(self, ind: Indicator) -> pd.DataFrame:
        """Values known for a report of this year: ``year``, ``value``, ``kind``, ``source``.

        The plan's baseline (the table row's, for a text target that restates it) is kind
        ``plan``, or ``definition`` when the plan defines the base rather than reporting it.
        """
        obs = self.data.upto(self.year)
        rows = obs[obs["indicator_id"] == ind.series_id][["year", "value", "kind", "source"]].copy()
        base = ind.baseline or (self.cat.by_id[ind.same_as].baseline if ind.same_as else None)
        if base is not None:
            kind = "definition" if base.definition else "plan"
            at_base = rows["year"] == base.year
            if at_base.any():
                rows.loc[at_base, "kind"] = kind
            else:
                extra = pd.DataFrame([{"year": base.year, "value": base.value, "kind": kind,
                                       "source": base.as_written}])
                rows = pd.concat([extra, rows], ignore_index=True)
        return rows.sort_values("year", kind="stable").reset_index(drop=True)

    def latest(self, series_id: str) -> tuple[int, float, str] | None:
        """``(year, value, kind)`` of a series' latest value up to the report year."""
        obs = self.data.upto(self.year)
        rows = obs[obs["indicator_id"] == series_id]
        if rows.empty:
            return None
        last = rows.sort_values("year").iloc[-1]
        return int(last["year"]), float(last["value"]), str(last["kind"])

    def headline(self, dimension: str | None = None, *, table_only: bool = True) -> pd.DataFrame:
        """The records each indicator is judged by this year (its next milestone), by dimension."""
        rows = headline_rows(self.frame, table_only=table_only)
        if dimension is not None:
            rows = rows[rows["dimension"] == dimension]
        return rows

    def record(self, indicator_id: str, milestone: int) -> pd.Series:
        return self.frame[(self.frame["id"] == indicator_id) & (self.frame["milestone"] == milestone)].iloc[0]


def as_measured(published: pd.DataFrame, cat) -> pd.DataFrame:
    """A release record read with today's catalogue: a context series declared the same measure as
    an indicator is that indicator's series; where the record holds both for a year, the
    indicator's own row is what the edition showed for it."""
    alias = published["indicator_id"].isin(list(cat.same_measure))
    renamed = published.assign(indicator_id=published["indicator_id"].map(cat.measure_id))
    both = renamed.duplicated(["year", "indicator_id"], keep=False)
    return renamed[~(alias & both)].reset_index(drop=True)


def open_report(year: int | None = None, data_dir: str | Path | None = None) -> Report:
    """Load the data (validated) and prepare the report for ``year`` (default: latest with data).

    A year without data is refused (:meth:`DataSet.check_year`).
    """
    data = load(data_dir)
    return Report(data=data, year=data.check_year(int(year) if year is not None else None))


__all__ = ["Report", "open_report"]
