"""The few calls a chapter notebook makes: load, glue, display.

Keeping these here (not in the notebooks) means every chapter shows the same
things in the same way, and all of it is tested.
"""

from __future__ import annotations

from pathlib import Path

from IPython.display import display

from planbook.report.analyses import chapter_analysis
from planbook.report.report import Report, glue, open_report


class Chapter:
    """One dimension's chapter for one report year."""

    def __init__(self, dimension: str, year: int | None = None, data_dir: str | Path | None = None):
        self.report: Report = open_report(year, data_dir)
        self.dimension = dimension
        self.analysis = chapter_analysis(self.report, dimension)
        self.report.glue_chapter(dimension)
        glue("analysis_sentence", self.analysis.sentence)

    def scorecard(self) -> None:
        display(self.report.scorecard(self.dimension))

    def charts(self) -> None:
        for chart in self.report.charts(self.dimension):
            display(chart)

    def text_targets(self) -> None:
        display(self.report.text_targets(self.dimension))

    def analysis_outputs(self) -> None:
        for output in self.analysis.outputs:
            display(output)


class Overview:
    """The opening chapter: the whole picture."""

    def __init__(self, year: int | None = None, data_dir: str | Path | None = None):
        self.report: Report = open_report(year, data_dir)
        self.report.glue_overview()

    def status_overview(self) -> None:
        display(self.report.status_overview())

    def scores(self) -> None:
        display(self.report.score_table())

    def changes(self) -> None:
        _, table = self.report.changes()
        if table is not None:
            display(table)

    def revisions(self) -> None:
        _, table = self.report.revisions()
        if table is not None:
            display(table)

    def conflicts(self) -> None:
        display(self.report.conflicts())

    def context(self) -> None:
        display(self.report.context_table())
