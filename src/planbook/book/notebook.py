"""The few calls a chapter notebook makes: load, glue, display.

Keeping these here (not in the notebooks) means every chapter shows the same things in the
same way, and all of it is tested. Every number in the prose is glued from here, never typed
into a notebook.
"""

from __future__ import annotations

from pathlib import Path

from IPython.display import display

from planbook.report import charts, sentences, views
from planbook.report.analyses import chapter_analysis
from planbook.report.report import Report, open_report
from planbook.words import W


def show(output) -> None:
    """Display an output; a table without rows is left out (the prose says there is none)."""
    if output is None or (hasattr(output, "rows") and not output.rows):
        return
    display(output)


class GlueText(str):
    """A string glued as plain text (``{glue:text}`` would otherwise show its quotes)."""

    def __repr__(self) -> str:
        return str(self)


def glue(name: str, value) -> None:
    """Glue a value for ``{glue:text}`name``` without displaying it."""
    from myst_nb import glue as _glue

    _glue(name, GlueText(value) if isinstance(value, str) else value, display=False)


def _glue_common(report: Report) -> None:
    glue("year", str(report.year))
    glue("table_name", W("table_name"))
    glue("demo_notice", W("demo.notice") if report.has_demo else W("demo.none"))


class Chapter:
    """One dimension's chapter for one report year."""

    def __init__(self, dimension: str | None, year: int | None = None, data_dir: str | Path | None = None):
        self.report: Report = open_report(year, data_dir)
        # None: the first dimension (the shared chapter notebook opened as it is in Jupyter).
        dimension = dimension or self.report.cat.dimensions[0].id
        self.dimension = dimension
        self.analysis = chapter_analysis(self.report, dimension)
        report, dim = self.report, self.report.cat.dimension_by_id[dimension]
        head = report.headline(dimension)
        _glue_common(report)
        glue("dimension_name", dim.name_zh)
        glue("chapter_ref", dim.chapter_zh)
        glue("n_indicators", str(len(head)))
        glue("status_sentence", sentences.status_sentence(report, head, dim.name_zh))
        glue("pace_sentence", sentences.pace_sentence(report, head, dim.name_zh))
        glue("score_sentence", sentences.score_sentence(report, dimension))
        text = report.frame[(report.frame["dimension"] == dimension) & report.frame["table_no"].isna()]
        glue("n_text_targets", str(len(text)))
        glue("text_sentence", sentences.status_sentence(report, text, W("text_targets_subject")))
        glue("analysis_title", self.analysis.title if self.analysis else "")
        glue("analysis_sentence", self.analysis.sentence if self.analysis else "")
        own = views.commitments_of(report, dimension)
        glue("n_commitments", str(len(own)))
        glue("commitments_sentence", sentences.commitments_sentence(report, own, W("commitments_subject"))
             or W("commitments_none"))

    def scorecard(self) -> None:
        show(views.scorecard(self.report, self.dimension))

    def charts(self) -> None:
        for ind in (i for i in self.report.cat.table if i.dimension == self.dimension):
            show(charts.chart_for(self.report, ind))

    def text_targets(self) -> None:
        show(views.text_targets(self.report, self.dimension))

    def analysis_outputs(self) -> None:
        for output in self.analysis.outputs if self.analysis else []:
            show(output)

    def commitments(self) -> None:
        own = views.commitments_of(self.report, self.dimension)
        if not own.empty:
            name = self.report.cat.dimension_by_id[self.dimension].name_zh
            show(views.commitments_table(self.report, own, W("caption.commitments", dimension=name,
                                                                  year=self.report.year)))


class Overview:
    """The opening chapter: the whole picture."""

    def __init__(self, year: int | None = None, data_dir: str | Path | None = None):
        self.report: Report = open_report(year, data_dir)
        report = self.report
        head = report.headline()
        table = W("table_name")
        _glue_common(report)
        glue("pace_sentence", sentences.pace_sentence(report, head, table))
        glue("status_sentence", sentences.status_sentence(report, head, table))
        glue("score_sentence", sentences.score_sentence(report, "all"))
        text = report.frame[report.frame["table_no"].isna() & report.frame["headline"]]
        glue("text_sentence", sentences.status_sentence(report, text, W("plan_text_subject")))
        sentence, _ = views.changes(report)
        glue("changes_sentence", " ".join(filter(None, [sentence, sentences.new_series_sentence(report)])))
        glue("revisions_sentence", sentences.revisions_sentence(report))
        glue("n_conflicts", str(len(report.cat.conflicts())))
        glue("dimension_sentence", sentences.dimension_sentence(report))
        glue("commitments_sentence", sentences.commitments_sentence(report, report.commitments,
                                                                    W("all_commitments_subject"))
             or W("commitments_none"))

    def status_overview(self) -> None:
        show(views.status_overview(self.report))

    def scores(self) -> None:
        show(views.score_table(self.report))

    def changes(self) -> None:
        _, table = views.changes(self.report)
        if table is not None:
            show(table)

    def revisions(self) -> None:
        table = views.revisions(self.report)
        if table is not None:
            show(table)

    def conflicts(self) -> None:
        show(views.conflicts(self.report))

    def context(self) -> None:
        show(views.context_table(self.report))

    def commitments(self) -> None:
        """Counts by kind and light, the red items, and the commitments of no single dimension."""
        if self.report.commitments.empty:
            return
        show(views.commitment_counts(self.report))
        red = views.red_commitments(self.report)
        if red is not None:
            show(red)
        general = views.commitments_of(self.report, None)
        if not general.empty:
            show(views.commitments_table(self.report, general,
                                            W("caption.commitments_general", year=self.report.year)))
