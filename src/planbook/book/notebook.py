"""The few calls a chapter notebook makes: load, glue, display.

Keeping these here (not in the notebooks) means every chapter shows the same things in the
same way, and all of it is tested. Every number in the prose is glued from here, never typed
into a notebook.
"""

from __future__ import annotations

from pathlib import Path

from IPython.display import Markdown, display

from planbook.errors import InputError, Problem
from planbook.inputs.commentary import Commentary, section_title, shift_headings
from planbook.report import charts, sentences, views
from planbook.report import commentary as notes
from planbook.report.analyses import chapter_analysis
from planbook.report.format import md_escape
from planbook.report.report import Report, open_report
from planbook.words import W


# Set by the build's notebook workers (planbook.build.worker) for the kernels they start: a
# notebook run anywhere else (JupyterLab, `make lab`) is being read by a person, not built.
BUILD_ENV = "PLANBOOK_BUILD"


def building() -> bool:
    import os

    return os.environ.get(BUILD_ENV) == "1"


class LabChart:
    """A chart as JupyterLab shows it: the chart drawn as SVG by vl-convert (the site's Vega
    runtime is not loaded in JupyterLab, so the page's HTML would stay empty), and its text."""

    def __init__(self, chart: charts.ChartOutput):
        self.chart = chart

    def _repr_mimebundle_(self, include=None, exclude=None):
        import vl_convert as vlc

        svg = vlc.vegalite_to_svg(self.chart.print_spec, vl_version=charts.vl_version())
        return {"image/svg+xml": svg, "text/plain": self.chart.alt_text}


def show(output) -> None:
    """Display an output; a table without rows is left out (the prose says there is none). Outside
    a build a chart is shown drawn (:class:`LabChart`)."""
    if output is None or (hasattr(output, "rows") and not output.rows):
        return
    if isinstance(output, charts.ChartOutput) and not building():
        output = LabChart(output)
    display(output)


def _show_glued(report: Report) -> None:
    """Outside a build, the numbers this chapter glued, by name: JupyterLab's MyST renderer has no
    ``{glue:text}`` role (the prose's roles show as their names there), so the values are listed
    where a researcher runs the chapter. The built pages and the PDF show the values in the prose."""
    if building():
        return
    import html

    rows = "".join(f"<tr><td><code>{html.escape(name)}</code></td><td>{html.escape(str(GLUED_VALUES[name]))}</td></tr>"
                   for name in sorted(GLUED))
    display(_Html(f'<details class="pb-glued"><summary>{html.escape(W("lab.glued", n=len(GLUED), year=report.year))}'
                  f"</summary><table>{rows}</table></details>"))


class _Html:
    def __init__(self, text: str):
        self.text = text

    def _repr_html_(self) -> str:
        return self.text


class GlueText(str):
    """A string glued as plain text (``{glue:text}`` would otherwise show its quotes)."""

    def __repr__(self) -> str:
        return str(self)


# What this kernel has glued: a commentary may refer to these names only.
GLUED: set[str] = set()
GLUED_VALUES: dict[str, object] = {}


def glue(name: str, value) -> None:
    """Glue a value for ``{glue:text}`name``` without displaying it. Outside a build the value is
    only kept (the chapter lists its values at once, :func:`_show_glued`): myst-nb's glue output,
    one per name, is for the build's pages."""
    if building():
        from myst_nb import glue as _glue

        _glue(name, GlueText(value) if isinstance(value, str) else value, display=False)
    GLUED.add(name)
    GLUED_VALUES[name] = value


# The names every chapter glues besides each indicator's (report.commentary.glue_names), and
# those a dimension's chapter and the overview add: what a commentary may refer to. A test runs
# the chapters and checks that these are exactly what they glue.
COMMON_GLUE = ("year", "table_name", "demo_notice")
CHAPTER_GLUE = ("dimension_name", "chapter_ref", "n_indicators", "status_sentence", "pace_sentence",
                "score_sentence", "n_text_targets", "text_sentence", "analysis_title", "analysis_sentence",
                "n_commitments", "commitments_sentence", "charts_legend", "chapter_intro")
OVERVIEW_GLUE = ("pace_sentence", "status_sentence", "score_sentence", "text_sentence", "changes_sentence",
                 "revisions_sentence", "n_conflicts", "dimension_sentence", "commitments_sentence",
                 "skeleton_sentence", "overview_parts")


def glue_keys(report: Report, chapter: str) -> set[str]:
    """Every name ``chapter``'s notebook glues for ``report``'s edition."""
    fixed = OVERVIEW_GLUE if chapter == notes.OVERVIEW else CHAPTER_GLUE
    return {*COMMON_GLUE, *fixed, *notes.glue_names(report, chapter)}


def unknown_glue(found: Commentary, known: set[str]) -> list[Problem]:
    """A problem, with the file and line, for each glue role of a commentary its chapter has no name for."""
    return [Problem(found.name, line, None, f"{{glue:text}}`{key}`: this chapter has no number named "
                                            f"'{key}' (the scaffold's comments list the names)")
            for line, key in found.glue if key not in known]


def _glue_common(report: Report, chapter: str) -> None:
    GLUED.clear()  # a worker's kernel runs several chapters: each has only its own names
    GLUED_VALUES.clear()
    glue("year", str(report.year))
    glue("table_name", W("table_name"))
    glue("demo_notice", W("demo.notice") if report.has_demo else W("demo.none"))
    # Each indicator's numbers, for the researchers' commentary ({glue:text}`<id>_value` …).
    for name, text in notes.glue_names(report, chapter).items():
        glue(name, text)


def _commentary(report: Report, chapter: str) -> Commentary | None:
    """The edition's commentary on ``chapter`` (None: none, or only headings and comments); a glue
    key the chapter does not have is refused with the file and line, not left to fail in Sphinx."""
    found = report.data.commentary_for(report.year, chapter)
    if found is None or found.empty:
        return None
    unknown = unknown_glue(found, GLUED)
    if unknown:
        raise InputError(unknown)
    return found


def _show_markdown(text: str, source: str | None = None, line: int | None = None) -> None:
    """Output MyST for the page: the build turns the output of a cell tagged ``commentary`` into
    Markdown cells of the executed notebook (planbook.build.worker), so headings are sections and
    glue roles resolve; in Jupyter it shows as rendered Markdown. ``source`` and ``line``: the
    commentary file and line the text starts at, so that a problem Sphinx finds in it is named
    there (planbook.build.pipeline.sphinx_problems), not in the executed notebook."""
    if source is None:
        display(Markdown(text))
    else:
        display(Markdown(text), metadata={"planbook": {"source": source, "line": int(line or 1)}})


def _show_section(found: Commentary, heading: list[str], section) -> None:
    """A commentary section: its heading (ours), then its text as written, named by file and line."""
    if heading:
        _show_markdown("\n".join(heading))
    _show_markdown(shift_headings(section.raw), found.name, section.raw_line)


class Chapter:
    """One dimension's chapter for one report year."""

    def __init__(self, dimension: str, year: int | None = None, data_dir: str | Path | None = None):
        self.report: Report = open_report(year, data_dir)
        self.dimension = dimension
        self.analysis = chapter_analysis(self.report, dimension)
        report, dim = self.report, self.report.cat.dimension_by_id[dimension]
        head = report.headline(dimension)
        _glue_common(report, dimension)
        glue("dimension_name", dim.name_zh)
        glue("chapter_ref", dim.chapter_zh or W("chapter_page.no_chapter"))
        glue("n_indicators", str(len(head)))
        glue("status_sentence", sentences.status_sentence(report, head, dim.name_zh))
        glue("pace_sentence", sentences.pace_sentence(report, head, dim.name_zh))
        glue("score_sentence", sentences.score_sentence(report, dimension))
        text = report.frame[(report.frame["dimension"] == dimension) & report.frame["table_no"].isna()]
        glue("n_text_targets", str(len(text)))
        glue("text_sentence", sentences.text_sentence(report, text, W("text_targets_subject")))
        glue("analysis_title", self.analysis.title if self.analysis else "")
        glue("analysis_sentence", self.analysis.sentence if self.analysis else "")
        own = views.commitments_of(report, dimension)
        glue("n_commitments", str(len(own)))
        glue("commitments_sentence", sentences.commitments_sentence(report, own, W("commitments_subject"))
             or W("commitments_none"))
        glue("charts_legend", W("chapter_page.charts_demo" if report.has_demo else "chapter_page.charts"))
        parts = [W("chapter_page.intro_table", table=W("table_name"), name=dim.name_zh)]
        if len(text):
            parts.append(W("chapter_page.intro_text"))
        if not own.empty:
            parts.append(W("chapter_page.intro_commitments"))
        glue("chapter_intro", W("chapter_page.intro" if dim.chapter_zh else "chapter_page.intro_plain",
                                chapter=dim.chapter_zh or "", parts=W("enum_sep").join(parts)))
        _show_glued(report)

    def section(self, name: str) -> None:
        """A section whose heading and lead come from the data: ``analysis``, ``text-targets`` or
        ``commitments``; nothing when the chapter has none (a plan without a register has no
        commitments section), so no heading stands without content."""
        report, dim = self.report, self.report.cat.dimension_by_id[self.dimension]
        label = f"({self.dimension.replace('_', '-')}-{name})="
        if name == "analysis":
            if not self.analysis:
                return
            parts = [f"## {md_escape(self.analysis.title)}", "", "{glue:text}`analysis_sentence`"]
        elif name == "text-targets":
            text = report.frame[(report.frame["dimension"] == self.dimension) & report.frame["table_no"].isna()]
            if text.empty:
                return
            lead = W("chapter_page.text_targets_in" if dim.chapter_zh else "chapter_page.text_targets_lead",
                     table=md_escape(W("table_name")), chapter=md_escape(dim.chapter_zh or ""),
                     n="{glue:text}`n_text_targets`")
            parts = [f"## {W('chapter_page.text_targets')}", "", lead + "{glue:text}`text_sentence`"]
        elif name == "commitments":
            own = views.commitments_of(report, self.dimension)
            if own.empty:
                return
            lead = W("chapter_page.commitments_lead", chapter=md_escape(dim.chapter_zh or W("chapter_page.no_chapter")),
                     n="{glue:text}`n_commitments`")
            parts = [f"## {W('chapter_page.commitments')}", "", lead + "{glue:text}`commitments_sentence`"]
        else:
            raise ValueError(f"no section named {name!r}")
        _show_markdown("\n".join([label, *parts, ""]))

    def scorecard(self) -> None:
        show(views.scorecard(self.report, self.dimension))

    def charts(self) -> None:
        for ind in (i for i in self.report.cat.table if i.dimension == self.dimension):
            show(charts.chart_for(self.report, ind))

    def text_targets(self) -> None:
        frame = self.report.frame
        if ((frame["dimension"] == self.dimension) & frame["table_no"].isna()).any():
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

    def commentary(self) -> None:
        """The 评估意见 section: the researchers' text for this edition (nothing when there is none),
        with a note when it was written against data that have changed since."""
        found = _commentary(self.report, self.dimension)
        if found is None:
            return
        parts = [f"({self.dimension}-commentary)=", f"## {W('commentary.heading')}", "", W("commentary.lead"), ""]
        note = notes.stale_note(self.report, found)
        if note:
            parts += [note, ""]
        _show_markdown("\n".join(parts))
        for s in found.sections:
            if not s.empty:
                _show_section(found, [f"### {s.title}", ""] if s.title else [], s)


class Overview:
    """The opening chapter: the whole picture."""

    def __init__(self, year: int | None = None, data_dir: str | Path | None = None):
        self.report: Report = open_report(year, data_dir)
        self._noted = False
        report = self.report
        head = report.headline()
        table = W("table_name")
        _glue_common(report, notes.OVERVIEW)
        # The summary opens with how many values are of the edition's year.
        glue("pace_sentence", sentences.coverage_sentence(report) + sentences.pace_sentence(report, head, table))
        glue("status_sentence", sentences.status_sentence(report, head, table))
        glue("score_sentence", sentences.score_sentence(report, "all"))
        text = report.frame[report.frame["table_no"].isna() & report.frame["headline"]]
        # A plan without targets in its text gets no sentence about them.
        glue("text_sentence", sentences.text_sentence(report, text, W("plan_text_subject")) if len(text) else "")
        sentence, _ = views.changes(report)
        glue("changes_sentence", " ".join(filter(None, [sentence, sentences.new_series_sentence(report)])))
        glue("revisions_sentence", sentences.revisions_sentence(report))
        glue("n_conflicts", str(len(report.cat.conflicts())))
        glue("dimension_sentence", sentences.dimension_sentence(report))
        glue("commitments_sentence", sentences.commitments_sentence(report, report.commitments,
                                                                    W("all_commitments_subject"))
             or W("commitments_none"))
        written = report.data.commentary_for(report.year, notes.OVERVIEW)
        shown = [section_title(k) for k in ("problems", "suggestions", "adjustment") if written and written.section(k)]
        tail = W("commentary.skeleton_tail_context" if report.cat.context else "commentary.skeleton_tail")
        glue("skeleton_sentence", W("commentary.skeleton", sections=W("enum_sep").join(shown), tail=tail) if shown
             else W("commentary.skeleton_none", tail=tail))
        glue("overview_parts", W("commentary.skeleton_parts" if report.commitments.empty
                                 else "commentary.skeleton_parts_commitments"))
        _show_glued(report)

    def commentary(self, *keys: str) -> None:
        """The sections ``keys`` of the researchers' overview (``verdict``: their verdict, under the
        generated 总体评价; ``problems``, ``suggestions``, ``adjustment``: sections of their own).
        Sections without text are left out; the stale-data note comes with the first one shown."""
        found = _commentary(self.report, notes.OVERVIEW)
        for key in keys:
            section = found.section(key) if found else None
            if section is None:
                continue
            if key == "verdict":
                parts = [f"**{W('commentary.verdict_lead')}**", ""]
            else:
                parts = [f"(overview-{key})=", f"## {section_title(key)}", "", f"*{W('commentary.section_lead')}*", ""]
            note = None if self._noted else notes.stale_note(self.report, found)
            self._noted = True
            _show_section(found, ([note, ""] if note else []) + parts, section)

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
        if self.report.cat.context:
            show(views.context_table(self.report))

    def section(self, name: str) -> None:
        """The overview's sections that a plan may not have: ``commitments`` (no register: none)
        and ``context`` (no context series: none), their heading and lead from the data."""
        report = self.report
        if name == "commitments":
            if report.commitments.empty:
                return
            views_of = [W("chapter_page.by_department")] if report.data.register.departments else []
            views_of += [W("chapter_page.by_area")] if report.data.register.areas else []
            parts = [f"## {W('chapter_page.overview_commitments')}", "",
                     "{glue:text}`commitments_sentence`" + W("chapter_page.overview_commitments_lead")
                     + (W("chapter_page.see_views", views=W("chapter_page.and").join(views_of)) if views_of else "")
                     + W("full_stop")]
        elif name == "context":
            if not report.cat.context:
                return
            parts = [f"## {W('chapter_page.context')}", "", W("chapter_page.context_lead")]
        else:
            raise ValueError(f"no section named {name!r}")
        _show_markdown("\n".join([f"(overview-{name})=", *parts, ""]))

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
