"""The PDF for review meetings: Jupyter Book's LaTeX output, typeset by XeLaTeX.

The PDF is made from the same executed notebooks as the website (no second
execution).  On top of Sphinx's LaTeX this module adds the front matter:

* a cover with title, edition, data vintage and — while any value is demo
  data — a boxed statement that the figures are not official statistics;
* a one-page summary for the meeting: every indicator of table 专栏1 with a
  coloured symbol and the status word, the dimension scores, the headline
  sentences;
* PDF metadata (title, subject, author).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from planbook.inputs.dataset import DataSet
from planbook.errors import BuildError
from planbook.report import sentences, views
from planbook.report.report import Report
from planbook.words import W
from planbook.report.format import LIGHT_STYLE, STATUS_STYLE, fmt_value, missing, pace_text, status_word

_TEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                "<": r"\textless{}", ">": r"\textgreater{}"}


def tex_escape(text: str) -> str:
    """Text from data as literal LaTeX (``& % $ # _ { } ~ ^ \\ < >`` included)."""
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in str(text))


def edition_name(data: DataSet, year: int) -> str:
    """``2025 年度评估报告（中期评估）``."""
    return W("pdf.edition_name", year=year, kind=W(f"edition_kind.{data.catalogue.edition_kind(year)}"))


def cover(data: DataSet, year: int) -> str:
    plan = data.catalogue.plan
    lines = [
        r"\begin{titlepage}", r"\centering", r"\vspace*{30mm}",
        rf"{{\sffamily\Huge\bfseries {tex_escape(plan['short_title_zh'])}\\[4mm] {tex_escape(W('pdf.evaluation'))}\par}}",
        r"\vspace{14mm}",
        rf"{{\sffamily\LARGE {tex_escape(edition_name(data, year))}\par}}", r"\vspace{10mm}",
        rf"{{\large {tex_escape(W('pdf.subject_line', title=plan['title_zh']))}\\[2mm]（{tex_escape(plan['document_no'])}）\par}}",
        r"\vspace{8mm}",
        rf"{{\large {tex_escape(W('pdf.data_until', year=year))}\par}}",
        r"\vfill",
    ]
    if data.has_demo(year):
        lines += [r"\fcolorbox{orange}{yellow!12}{\parbox{0.86\linewidth}{\centering\large\bfseries",
                  tex_escape(W("demo.cover")), r"}}\par", r"\vspace{10mm}"]
    lines += [rf"{{\small {tex_escape(W('pdf.made_by', year=year))}\par}}", r"\end{titlepage}"]
    return "\n".join(lines)


def _status_tex(status: str, reason: str | None = None, met_year=None) -> str:
    colour, symbol = STATUS_STYLE[status]
    word = tex_escape(status_word(status, reason, met_year))
    return rf"\textcolor[HTML]{{{colour.lstrip('#')}}}{{{symbol}\,{word}}}"


def _pace_tex(pace: str, light: str) -> str:
    colour, symbol = LIGHT_STYLE[light]
    return rf"\textcolor[HTML]{{{colour.lstrip('#')}}}{{{symbol}\,{tex_escape(pace_text(pace, light))}}}"


def summary_page(report: Report) -> str:
    """One page for the meeting: pace and status of the plan's table, the commitments' lights and
    red items, dimension scores, headline sentences."""
    cat = report.cat
    head = report.headline().set_index("id")
    rows = []
    for ind in cat.table:
        r = head.loc[ind.id]
        value = W("none_text") if missing(r["value"]) else fmt_value(r["value"], ind.decimals, ind.unit)
        if r["data_kind"] in ("demo", "mixed"):
            value = W("demo.cell", text=value)
        dim = cat.dimension_by_id[ind.dimension].short
        reason = None if missing(r["reason"]) else r["reason"]
        met_year = None if missing(r["met_year"]) else int(r["met_year"])
        rows.append(rf"{ind.table_no} & {tex_escape(dim)} & {tex_escape(ind.name_zh)} & {tex_escape(value)} & "
                    rf"{_pace_tex(r['pace'], r['light'])} & {_status_tex(r['status'], reason, met_year)} \\")
    scores = []
    for rec in report.summary.itertuples(index=False):
        name = W("total") if rec.dimension == "all" else cat.dimension_by_id[rec.dimension].name_zh
        score = W("none_text") if missing(rec.score) else f"{rec.score:.1f}"
        scores.append(tex_escape(W("pdf.score", name=name, score=score)))
    table = W("table_name")
    lines = [sentences.pace_sentence(report, report.headline(), table),
             sentences.status_sentence(report, report.headline(), table), views.changes(report)[0]]
    red = []
    if not report.commitments.empty:
        lines.append(sentences.commitments_sentence(report, report.commitments, W("all_commitments_subject")))
        missed = report.commitments[report.commitments["light"] == "red"]
        if not missed.empty:
            names = W("enum_sep").join(missed.sort_values("id")["name_zh"])
            red = [r"\par\smallskip", rf"\noindent{{\small\bfseries {tex_escape(W('pdf.red_items'))}}}"
                                      rf"{{\small {tex_escape(names)}}}"]
    demo = [rf"\par\smallskip{{\footnotesize\color{{orange!70!black}}{tex_escape(W('demo.notice'))}}}"] if report.has_demo else []
    legend = "　".join(rf"\textcolor[HTML]{{{LIGHT_STYLE[k][0].lstrip('#')}}}{{{LIGHT_STYLE[k][1]}\,{W('light.' + k)}}}"
                      for k in ("green", "yellow", "red"))
    columns = " & ".join(tex_escape(W(k)) for k in ("col.no", "col.dimension", "col.indicator", "pdf.value",
                                                    "col.pace", "col.status"))
    title = tex_escape(W("pdf.summary"))
    return "\n".join([
        rf"\clearpage\phantomsection\addcontentsline{{toc}}{{chapter}}{{{title}}}", r"\thispagestyle{plain}",
        rf"{{\centering\sffamily\LARGE\bfseries {title}\par}}", r"\vspace{5mm}",
        rf"{{\small {tex_escape(' '.join(lines))}}}", r"\par\smallskip",
        rf"\noindent{{\small\bfseries {tex_escape(W('pdf.scores'))}}}{{\small {'；'.join(scores)}}}",
        *red, *demo,
        r"\par\medskip", r"{\footnotesize", r"\renewcommand{\arraystretch}{1.15}",
        r"\begin{longtable}{@{}r l p{0.30\linewidth} r l l@{}}", r"\toprule",
        columns + r" \\", r"\midrule", r"\endhead",
        *rows, r"\bottomrule", r"\end{longtable}}",
        r"{\footnotesize " + tex_escape(W("pdf.legend_lead")) + legend + tex_escape(W("pdf.legend_rest")) + "}",
        r"\clearpage",
    ])


def end_of_year_epoch(year: int) -> int:
    import calendar

    return calendar.timegm((year, 12, 31, 0, 0, 0))


def latex_overrides(data: DataSet, year: int, title: str, author: str) -> dict:
    """Sphinx ``latex_elements`` entries that depend on the edition (``title``, ``author``: the book's)."""
    report = Report(data=data, year=year)
    full_title = W("pdf.title", title=title, edition=edition_name(data, year))
    subject = W("pdf.subject", year=year) + (W("demo.pdf_subject") if report.has_demo else "")
    return {
        "maketitle": cover(data, year),
        "tableofcontents": summary_page(report) + "\n\\sphinxtableofcontents",
        "extrapackages": r"\usepackage{booktabs}\usepackage{longtable}",
        "extraclassoptions": "openany,oneside",
        "hyperref": "\n".join([
            r"\usepackage{hyperref}",
            r"\hypersetup{pdftitle={" + tex_escape(full_title) + r"}, pdfsubject={" + tex_escape(subject)
            + r"}, pdfauthor={" + tex_escape(author) + r"}, pdfcreator={planbook}, pdfproducer={XeLaTeX}}",
        ]),
    }


def pdf_name(config: dict, year: int, ext: str = "pdf") -> str:
    """The edition's file name from the book's ``latex.latex_documents.targetname``
    (``<name>.tex`` → ``<name>-2025.pdf``)."""
    target = ((config.get("latex") or {}).get("latex_documents") or {}).get("targetname") or "book.tex"
    return f"{Path(target).stem}-{year}.{ext}"


PDF_ROOT = "pdf-root"


# Pages of the website only: the indicator pages (the PDF has the chapters' tables and the data
# appendix). The web's root page, the results at a glance, is the PDF's meeting summary.
WEB_ONLY = ("generated/indicators",)


def pdf_toc(toc: dict) -> dict:
    """The book's _toc.yml for LaTeX: a title-only root instead of the web's landing page, and
    without the pages of the website only (:data:`WEB_ONLY`)."""
    parts = [dict(part, chapters=[c for c in part["chapters"] if c.get("file") not in WEB_ONLY])
             for part in toc["parts"]]
    return {**toc, "root": PDF_ROOT, "parts": parts}


def prepare_latex(book: Path, configs: Path, data: DataSet, year: int) -> None:
    """Add what the LaTeX build needs: a title-only root page in ``book``, and
    ``_toc_latex.yml`` / ``_config_latex.yml`` (front matter, metadata) in ``configs``.
    The chapters it reads carry their charts' print images
    (:func:`planbook.site.vega.add_print_images`)."""
    import yaml

    config = yaml.safe_load((configs / "_config.yml").read_text("utf-8"))
    title = config.get("title", "").split(" · ")[0]
    (book / f"{PDF_ROOT}.md").write_text(f"# {title}\n", encoding="utf-8")
    toc = yaml.safe_load((configs / "_toc.yml").read_text("utf-8"))
    (configs / "_toc_latex.yml").write_text(yaml.safe_dump(pdf_toc(toc), allow_unicode=True, sort_keys=False), encoding="utf-8")
    elements = config["sphinx"]["config"].setdefault("latex_elements", {})
    elements.update(latex_overrides(data, year, title, config.get("author", "")))
    name = pdf_name(config, year)
    config["latex"]["latex_documents"] = {"targetname": name.replace(".pdf", ".tex")}
    (configs / "_config_latex.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


MAX_RUNS = 5
# xdvipdfmx's defaults (-z 9, PNG predictors) spend most of its time recompressing the charts'
# print images: flate level 6 without predictors takes 0.9 s instead of 2.4 s for this book,
# and the file comes out smaller (1.8 MB instead of 2.1 MB; measured 2026-11-29).
XDVIPDFMX_OPTIONS = ("-z", "6", "-C", "0x0020")
_HEADING = re.compile(r"\\addcontentsline\{toc\}\{(chapter|section|subsection)\}\{|\\(chapter|section|subsection)\{")


def _braced(text: str, start: int) -> str:
    """The argument that starts at ``text[start]`` (just after its opening brace)."""
    depth, k = 1, start
    while depth and k < len(text):
        depth += {"{": 1, "}": -1}.get(text[k], 0)
        k += 1
    return text[start:k - 1]


def seed_contents(tex: str) -> str:
    """A stand-in ``.toc`` for the first XeLaTeX run: every heading of the book, page numbers unknown.

    From scratch, the first run typesets an empty table of contents, so every later page
    shifts when the second run fills it in, and a third run is needed to settle the page
    labels. With the headings in place from the start, the contents take their final number
    of pages in the first run and two runs usually suffice. Never a question of correctness:
    :func:`typeset` runs XeLaTeX until nothing changes, whatever this guessed.
    """
    body = tex[tex.find("\\begin{document}"):]
    lines = []
    for match in _HEADING.finditer(body):
        level = match.group(1) or match.group(2)
        title = _braced(body, match.end())
        number = "" if match.group(1) else "\\numberline {}"
        lines.append(f"\\contentsline {{{level}}}{{{number}{title}}}{{1}}{{}}%")
    return "\n".join(lines) + "\n"


def _settled_state(latex_dir: Path, stem: str) -> dict[str, bytes | None]:
    """What one XeLaTeX run leaves for the next: cross-references, contents, PDF outline."""
    return {ext: (latex_dir / f"{stem}.{ext}").read_bytes() if (latex_dir / f"{stem}.{ext}").exists() else None
            for ext in ("aux", "toc", "out")}


def typeset(latex_dir: Path, logs: Path, year: int, name: str) -> tuple[Path, int]:
    """Typeset Sphinx's LaTeX output: XeLaTeX until what a run leaves for the next (``.aux``,
    ``.toc``, ``.out``) no longer changes, as latexmk would (the contents are seeded, see
    :func:`seed_contents`), then xdvipdfmx. Return the PDF and how many XeLaTeX runs it took.

    Done here rather than by latexmk, which costs half a second of its own per build, and
    with :data:`XDVIPDFMX_OPTIONS`. The book has no index, so no makeindex.
    """
    import os

    stem = name.removesuffix(".pdf")
    # The PDF's creation date is the end of the edition year, not the build clock (reproducible).
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(end_of_year_epoch(year)), "FORCE_SOURCE_DATE": "1"}
    logs.mkdir(parents=True, exist_ok=True)
    log = latex_dir / f"{stem}.log"

    def fail(what: str, output: str) -> BuildError:
        if log.exists():
            shutil.copyfile(log, logs / "latex.log")
        errors = [line for line in (log.read_text("utf-8", errors="replace").splitlines() if log.exists() else [])
                  if re.match(r"^(!|.*:\d+: )", line)][:8]
        return BuildError(f"{what} failed for the {year} PDF (log: {logs / 'latex.log'}):\n"
                          + "\n".join(errors or output.splitlines()[-10:]))

    toc = latex_dir / f"{stem}.toc"
    if not toc.exists():
        toc.write_text(seed_contents((latex_dir / f"{stem}.tex").read_text("utf-8")), encoding="utf-8")
    state = _settled_state(latex_dir, stem)
    for runs in range(1, MAX_RUNS + 1):
        proc = subprocess.run(["xelatex", "--no-pdf", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error",
                               f"{stem}.tex"], cwd=latex_dir, capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            raise fail("XeLaTeX", proc.stdout)
        state, previous = _settled_state(latex_dir, stem), state
        if state == previous:
            break
    else:
        raise fail(f"XeLaTeX (cross-references still changing after {MAX_RUNS} runs)", "")
    proc = subprocess.run(["xdvipdfmx", *XDVIPDFMX_OPTIONS, "-E", "-o", name, f"{stem}.xdv"],
                          cwd=latex_dir, capture_output=True, text=True, env=env)
    if proc.returncode != 0 or not (latex_dir / name).exists():
        raise fail("xdvipdfmx", proc.stderr)
    shutil.copyfile(log, logs / "latex.log")
    return latex_dir / name, runs
