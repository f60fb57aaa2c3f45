"""The PDF for review meetings: Jupyter Book's LaTeX output, typeset by XeLaTeX.

The PDF is made from the same executed notebooks as the website (no second
execution).  On top of Sphinx's LaTeX this module adds the front matter:

* a cover with title, edition, data vintage and — while any value is demo
  data — a boxed statement that the figures are not official statistics;
* a summary for the meeting: every indicator of the plan's table with a symbol
  (coloured in the book layout, black in the 公文 layout) and the status word,
  the dimension scores, the headline sentences;
* PDF metadata (title, subject, author);
* front matter (summary, contents) numbered in roman numerals apart from the body (book
  layout), or in Arabic numerals continuing into the body (公文 layout, as GB/T 9704 numbers).

Two layouts (:data:`LAYOUTS`): ``book`` (for reading: Noto Serif CJK, the settings of
``_config.yml``) and ``gongwen``, the page of GB/T 9704-2012 党政机关公文格式 for the review
meeting and the people's congress (:data:`GONGWEN`). The PDF leaves out the longest lists
of the website (each department's commitments one by one, every value with its own row):
its pages by department and area and its data appendix are compact versions
(:func:`write_print_pages`).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from planbook.book.edition import Edition
from planbook.inputs.dataset import DataSet
from planbook.errors import BuildError
from planbook.report import sentences, views
from planbook.report.report import Report
from planbook.words import W
from planbook.report.format import (LIGHT_STYLE, STATUS_STYLE, Cell, Table, fmt_number, fmt_value, md_escape,
                                    missing, pace_text, status_word)

LAYOUTS = ("book", "gongwen")
DEFAULT_LAYOUT = "book"

_TEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                "<": r"\textless{}", ">": r"\textgreater{}"}


def tex_escape(text: str) -> str:
    """Text from data as literal LaTeX (``& % $ # _ { } ~ ^ \\ < >`` included)."""
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in str(text))


def pdf_layout(config: dict, layout: str | None = None) -> str:
    """The layout to use: ``layout`` when given (``--layout``), else ``planbook.pdf_layout`` of
    ``_config.yml``, else ``book``."""
    chosen = layout or ((config.get("planbook") or {}).get("pdf_layout")) or DEFAULT_LAYOUT
    if chosen not in LAYOUTS:
        raise BuildError(f"unknown PDF layout {chosen!r}: expected one of {', '.join(LAYOUTS)} "
                         f"(_config.yml planbook.pdf_layout or --layout)")
    return chosen


# Both layouts: two charts side by side, a lone one centred at the same size (pb-chart-pair:
# ChartPairs; the blank lines between their cells are no paragraphs there, the line ends between
# them no width, each figure a minipage with its caption); tables in 9 pt (8 pt, 7 pt for short ones, or a landscape page for wide ones: planbook.report.format's
# Table.layout) with 3 pt cell padding and ragged-right cells (CJK text in a narrow justified
# column is letter-spaced); captions "表2.1　…" and "图2.1　…", a full-width space after the
# number (Sphinx's and longtable's "表 2.1: " put an ASCII colon after CJK text).
COMMON_PREAMBLE = r"""
\usepackage{pdflscape}
\usepackage{xurl}
\usepackage{needspace}
\setlength{\tabcolsep}{3pt}
\newcommand{\pbtablefont}{\footnotesize}
\newcommand{\pbtablesmall}{\fontsize{8bp}{10bp}\selectfont}
\newcommand{\pbtabletiny}{\fontsize{7bp}{8.5bp}\selectfont}
\AtBeginEnvironment{longtable}{\pbtablefont}
\makeatletter
\newcolumntype{\X}[2]{>{\raggedright\arraybackslash}p{\dimexpr
      (\linewidth-\spx@arrayrulewidth)*#1/#2-\tw@\tabcolsep-\spx@arrayrulewidth\relax}}
\makeatother
\makeatletter
\AtBeginDocument{%
  \renewcommand{\tablename}{表}\renewcommand{\figurename}{图}%
  \def\fnum@table{\tablename\mbox{\thetable}}\def\fnum@figure{\figurename\mbox{\thefigure}}%
  \def\LT@makecaption#1#2#3{%
    \LT@mcol\LT@cols c{\hbox to\z@{\hss\parbox[t]\LTcapwidth{\reset@font
      \sbox\@tempboxa{#1{#2\pbcaptionsep}#3}%
      \ifdim\wd\@tempboxa>\hsize #1{#2\pbcaptionsep}#3\else\hbox to\hsize{\hfil\box\@tempboxa\hfil}\fi
      \endgraf\vskip\baselineskip}\hss}}}%
  \long\def\@makecaption#1#2{\vskip\abovecaptionskip
    \sbox\@tempboxa{#1\pbcaptionsep#2}%
    \ifdim\wd\@tempboxa>\hsize #1\pbcaptionsep#2\par\else\global\@minipagefalse\hb@xt@\hsize{\hfil\box\@tempboxa\hfil}\fi
    \vskip\belowcaptionskip}}
\makeatother
\newcommand{\pbcaptionsep}{　}
\makeatletter
\newenvironment{sphinxclasspb-chart-pair}{\par\vskip\intextsep\noindent\hfill\def\par{}\spaceskip=1sp plus 1fil
  \renewenvironment{figure}[1][]{\begin{minipage}[t]{\dimexpr.5\linewidth-.5em\relax}\spaceskip=\z@
    \def\@captype{figure}\centering}{\end{minipage}\hfill}}{\@@par\vskip\intextsep}
\makeatother
"""

BOOK_PREAMBLE = r"""
\newcommand{\pbtitlefont}{\sffamily\bfseries}
\newcommand{\pbcovertitle}{\Huge}
\newcommand{\pbcoverline}{\LARGE}
\newcommand{\pbsummarytext}{\small}
\newcommand{\pbsummarynote}{\footnotesize}
\newcommand{\pbcoversmall}{\small}
\newcommand{\pbsummarytop}{}
\newcommand{\pbfrontnumbering}{\pagenumbering{roman}}
\newcommand{\pbbodynumbering}{\clearpage\pagenumbering{arabic}}
\newcommand{\pbcolor}[2]{\textcolor[HTML]{#1}{#2}}
\newcommand{\pbnoticecolor}{\color{orange!70!black}}
\newcommand{\pbnoticebox}[1]{\fcolorbox{orange}{yellow!12}{#1}}
"""

# GB/T 9704-2012: A4, type area 156 x 225 mm, top margin 37 mm, left margin 28 mm; body in 3号
# (16 bp) 仿宋, 22 lines of 28 characters; title in 2号 (22 bp) 小标宋 (no free font: bold Song
# stands in); headings 一、 in 黑体, （一） in 楷体, 1. in bold 仿宋; page numbers "— 1 —" in
# 4号 (14 bp) 宋体, 7 mm below the type area, odd pages right and even pages left, one character
# in from the edge. Free fonts only: the Fandol family of TeX Live (digits and Latin letters in
# 仿宋 too, as the standard's "3号仿宋体字" for every element). 28 characters of 16 bp are 448 bp, the line 442.2 bp: 0.2146 bp less between
# characters. 22 lines in 225 mm: 28.95 bp apart. Every text black ("文字颜色均为黑色": links,
# notices, the lights' symbols and words; charts keep their colours); pages numbered in Arabic
# numerals from the summary on; no shaded table rows (prepare_latex); the meeting summary in 3号
# like the body. Sphinx leaves half a body line (14.5 bp) between a table's caption and its top
# rule, less the caption's own 10-12.5 bp line inside the table: 10 bp more keep them apart.
# Less space around a chart's figure and above its caption: three charts to a page.
# The summary's 2号 title a little down (its glyphs rose above the type area on the first line;
# after a \vspace* the title's own 32 bp line puts it 10 mm down; -16 bp of it bring it to 41 mm).
GONGWEN_BLACK = ", ".join(
    ["InnerLinkColor={rgb}{0,0,0}", "OuterLinkColor={rgb}{0,0,0}", "TitleColor={rgb}{0,0,0}"]
    + [f"div.{kind}_{key}-TeXcolor={value}" for kind in ("note", "hint", "tip", "seealso", "important", "caution",
                                                        "warning", "attention", "danger", "error", "todo")
       for key, value in (("title-foreground", "{rgb}{0,0,0}"), ("title-background", "{rgb}{1,1,1}"),
                          ("border", "{rgb}{0,0,0}"), ("background", "{rgb}{1,1,1}"))])
GONGWEN = {
    "pointsize": "12pt",
    "geometry": r"\usepackage[a4paper,top=37mm,left=28mm,textwidth=156mm,textheight=225mm,"
                r"headheight=0pt,headsep=0pt,footskip=10.7mm]{geometry}",
    "fontpkg": "\n".join([
        r"\setmainfont{FandolFang}[Extension=.otf, UprightFont=*-Regular, BoldFont=*-Regular, "
        r"BoldFeatures={FakeBold=2.5}, ItalicFont=*-Regular, ItalicFeatures={FakeSlant=0.2}, Ligatures=TeXOff]",
        r"\setsansfont{FandolHei}[Extension=.otf, UprightFont=*-Regular, BoldFont=*-Bold, Ligatures=TeXOff]",
        r"\setmonofont{Noto Sans Mono CJK SC}",
    ]),
    "sphinxsetup": "hmargin={28mm,26mm}, vmargin={37mm,35mm}, " + GONGWEN_BLACK,
    "preamble": r"""
\usepackage{etoolbox}
\usepackage[heading=true,fontset=none,scheme=chinese]{ctex}
\setCJKmainfont{FandolFang}[Extension=.otf, UprightFont=*-Regular, BoldFont=*-Regular, BoldFeatures={FakeBold=2.5},
  ItalicFont=FandolKai-Regular, BoldItalicFont=FandolKai-Regular, BoldItalicFeatures={FakeBold=2.5}]
\setCJKsansfont{FandolHei}[Extension=.otf, UprightFont=*-Regular, BoldFont=*-Bold]
\setCJKmonofont{FandolFang}[Extension=.otf, UprightFont=*-Regular]
\setCJKfamilyfont{pbsong}{FandolSong}[Extension=.otf, UprightFont=*-Regular, BoldFont=*-Bold]
\setCJKfamilyfont{pbhei}{FandolHei}[Extension=.otf, UprightFont=*-Regular, BoldFont=*-Bold]
\setCJKfamilyfont{pbkai}{FandolKai}[Extension=.otf, UprightFont=*-Regular]
\newcommand{\pbtitlefont}{\CJKfamily{pbsong}\bfseries}
\newfontfamily\pbsymbols{Noto Serif CJK SC}
\usepackage{newunicodechar}
\newunicodechar{−}{{\pbsymbols −}}
\AtBeginEnvironment{tabulary}{\small}
\AtBeginEnvironment{tabular}{\small}
\renewcommand\normalsize{\fontsize{16bp}{28.95bp}\selectfont}
\renewcommand\large{\fontsize{16bp}{28.95bp}\selectfont}
\renewcommand\Large{\fontsize{18bp}{28.95bp}\selectfont}
\renewcommand\LARGE{\fontsize{22bp}{32bp}\selectfont}
\renewcommand\huge{\fontsize{22bp}{32bp}\selectfont}
\renewcommand\Huge{\fontsize{22bp}{32bp}\selectfont}
\renewcommand\small{\fontsize{14bp}{22bp}\selectfont}
\renewcommand\footnotesize{\fontsize{9bp}{12.5bp}\selectfont}
\renewcommand\scriptsize{\fontsize{7.5bp}{9bp}\selectfont}
\linespread{1}
\normalsize
\setlength{\topskip}{16bp}
\setlength{\parindent}{2em}
\setlength{\parskip}{0pt}
\xeCJKsetup{CJKglue={\hskip -0.2146bp plus 0.08\baselineskip}, PunctStyle=quanjiao}
\AtBeginEnvironment{longtable}{\setlength{\parindent}{0pt}\xeCJKsetup{CJKglue={\hskip 0pt plus 0.08\baselineskip}}}
\ctexset{
  chapter={name={第,章}, number=\chinese{chapter}, format=\centering\pbtitlefont\LARGE, nameformat={}, titleformat={},
           aftername=\quad, beforeskip=0pt, afterskip=28.95bp},
  section={name={,、}, number=\chinese{section}, aftername={}, format=\raggedright\CJKfamily{pbhei}\normalsize,
           indent=2em, beforeskip={6bp plus 2bp}, afterskip={0pt}},
  subsection={name={（,）}, number=\chinese{subsection}, aftername={}, format=\raggedright\CJKfamily{pbkai}\normalsize,
              indent=2em, beforeskip={4bp plus 2bp}, afterskip={0pt}},
  subsubsection={name={,．}, number=\arabic{subsubsection}, aftername={}, format=\raggedright\bfseries\normalsize,
                 indent=2em, beforeskip={0pt}, afterskip={0pt}},
}
\newcommand{\pbcovertitle}{\LARGE}
\newcommand{\pbcoverline}{\normalsize}
\newcommand{\pbsummarytext}{\normalsize}
\newcommand{\pbsummarynote}{\normalsize}
\newcommand{\pbcoversmall}{\normalsize}
\newcommand{\pbsummarytop}{\vspace*{-16bp}}
\newcommand{\pbfrontnumbering}{\pagenumbering{arabic}}
\newcommand{\pbbodynumbering}{\clearpage}
\newcommand{\pbcolor}[2]{#2}
\newcommand{\pbnoticecolor}{}
\newcommand{\pbnoticebox}[1]{\fbox{#1}}
\renewcommand*\sphinxbelowcaptionspace{\dimexpr.5\sphinxbaselineskip+10bp\relax}
\setlength{\intextsep}{4bp plus 2bp}
\setlength{\abovecaptionskip}{6bp}
\newcommand{\pbpagenumber}{{\CJKfamily{pbsong}\fontsize{14bp}{14bp}\selectfont —\hspace{0.3em}\thepage\hspace{0.3em}—}}
\makeatletter
\fancypagestyle{normal}{\fancyhf{}\renewcommand{\headrulewidth}{0pt}\renewcommand{\footrulewidth}{0pt}
  \fancyfoot[R]{\ifodd\value{page}\pbpagenumber\hspace*{14bp}\fi}
  \fancyfoot[L]{\ifodd\value{page}\else\hspace*{14bp}\pbpagenumber\fi}}
\fancypagestyle{plain}{\fancyhf{}\renewcommand{\headrulewidth}{0pt}\renewcommand{\footrulewidth}{0pt}
  \fancyfoot[R]{\ifodd\value{page}\pbpagenumber\hspace*{14bp}\fi}
  \fancyfoot[L]{\ifodd\value{page}\else\hspace*{14bp}\pbpagenumber\fi}}
\makeatother
""",
}


def layout_elements(layout: str, elements: dict) -> dict:
    """``latex_elements`` of ``_config.yml`` (the book layout) adapted to ``layout``."""
    if layout == "gongwen":
        elements = {**elements, **GONGWEN}
    else:
        elements = {**elements, "preamble": elements.get("preamble", "") + BOOK_PREAMBLE}
    elements["preamble"] += COMMON_PREAMBLE
    # Charts are figures with numbered captions (planbook.site.vega.add_print_images), kept where
    # the text puts them.
    elements["figure_align"] = "H"
    return elements


def edition_name(data: DataSet, year: int) -> str:
    """``2025 年度评估报告（中期评估）``."""
    return W("pdf.edition_name", year=year, kind=W(f"edition_kind.{data.catalogue.edition_kind(year)}"))


def cover(data: DataSet, year: int) -> str:
    plan = data.catalogue.plan
    lines = [
        r"\begin{titlepage}", r"\centering", r"\vspace*{30mm}",
        rf"{{\pbtitlefont\pbcovertitle {tex_escape(plan['short_title_zh'])}\\[4mm] {tex_escape(W('pdf.evaluation'))}\par}}",
        r"\vspace{14mm}",
        rf"{{\pbtitlefont\pbcoverline {tex_escape(edition_name(data, year))}\par}}", r"\vspace{10mm}",
        rf"{{\large {tex_escape(W('pdf.subject_line', title=plan['title_zh']))}"
        + (rf"\\[2mm]（{tex_escape(plan['document_no'])}）" if plan.get("document_no") else "") + r"\par}",
        r"\vspace{8mm}",
        rf"{{\large {tex_escape(W('pdf.data_until', year=year))}\par}}",
        r"\vfill",
    ]
    if data.has_demo(year):
        lines += [r"\pbnoticebox{\parbox{0.86\linewidth}{\centering\large\bfseries",
                  tex_escape(W("demo.cover")), r"}}\par", r"\vspace{10mm}"]
    lines += [rf"{{\pbcoversmall {tex_escape(W('pdf.made_by', year=year))}\par}}", r"\end{titlepage}"]
    return "\n".join(lines)


def _status_tex(status: str, reason: str | None = None, met_year=None) -> str:
    colour, symbol = STATUS_STYLE[status]
    word = tex_escape(status_word(status, reason, met_year))
    return rf"\pbcolor{{{colour.lstrip('#')}}}{{{symbol}\,{word}}}"


def _pace_tex(pace: str, light: str) -> str:
    colour, symbol = LIGHT_STYLE[light]
    return rf"\pbcolor{{{colour.lstrip('#')}}}{{{symbol}\,{tex_escape(pace_text(pace, light))}}}"


def summary_rows(report: Report) -> tuple[list[str], list[list[Cell]], list[list[str]]]:
    """The summary table of the plan's indicators: its columns, the cells as text (for column
    widths, and the Word copy) and as LaTeX (coloured symbols)."""
    cat = report.cat
    head = report.headline().set_index("id")
    text_rows, tex_rows = [], []
    for ind in cat.table:
        r = head.loc[ind.id]
        # Not the edition's year: said; a window sum: called 累计.
        value = W("none_text") if missing(r["value"]) else views.value_text(report, ind, r["value"], r["value_year"])
        if r["data_kind"] in ("demo", "mixed"):
            value = W("demo.cell", text=value)
        dim = cat.dimension_by_id[ind.dimension].short
        reason = None if missing(r["reason"]) else r["reason"]
        met_year = None if missing(r["met_year"]) else int(r["met_year"])
        pace = f"{LIGHT_STYLE[r['light']][1]} {pace_text(r['pace'], r['light'])}"
        status = f"{STATUS_STYLE[r['status']][1]} {status_word(r['status'], reason, met_year)}"
        text_rows.append([Cell(str(ind.table_no)), Cell(dim), Cell(ind.name_zh), Cell(value), Cell(pace), Cell(status)])
        tex_rows.append([str(ind.table_no), tex_escape(dim), tex_escape(ind.name_zh), tex_escape(value),
                         _pace_tex(r["pace"], r["light"]), _status_tex(r["status"], reason, met_year)])
    columns = [W(k) for k in ("col.no", "col.dimension", "col.indicator", "pdf.value", "col.pace", "col.status")]
    return columns, text_rows, tex_rows


def summary_lines(report: Report) -> tuple[list[str], list[str], str | None]:
    """The summary's sentences, the dimension scores and the red commitments (names), as text."""
    cat = report.cat
    scores = []
    for rec in report.summary.itertuples(index=False):
        name = W("total") if rec.dimension == "all" else cat.dimension_by_id[rec.dimension].name_zh
        score = W("none_text") if missing(rec.score) else f"{rec.score:.1f}"
        scores.append(W("pdf.score", name=name, score=score))
    table = W("table_name")
    lines = [sentences.coverage_sentence(report), sentences.pace_sentence(report, report.headline(), table),
             sentences.status_sentence(report, report.headline(), table), views.changes(report)[0]]
    red = None
    if not report.commitments.empty:
        lines.append(sentences.commitments_sentence(report, report.commitments, W("all_commitments_subject")))
        missed = report.commitments[report.commitments["light"] == "red"]
        if not missed.empty:
            red = W("enum_sep").join(missed.sort_values("id")["name_zh"])
    return lines, scores, red


def summary_page(report: Report) -> str:
    """One page for the meeting: pace and status of the plan's table, the commitments' lights and
    red items, dimension scores, headline sentences."""
    columns, text_rows, tex_rows = summary_rows(report)
    lines, scores, red_names = summary_lines(report)
    red = [r"\par\smallskip", rf"\noindent{{\pbsummarynote\bfseries {tex_escape(W('pdf.red_items'))}}}"
                              rf"{{\pbsummarynote {tex_escape(red_names)}}}"] if red_names else []
    demo = [rf"\par\smallskip{{\pbsummarynote\pbnoticecolor {tex_escape(W('demo.notice'))}}}"] if report.has_demo else []
    legend = "　".join(rf"\pbcolor{{{LIGHT_STYLE[k][0].lstrip('#')}}}{{{LIGHT_STYLE[k][1]}\,{W('light.' + k)}}}"
                      for k in ("green", "yellow", "red"))
    widths, _ = Table(columns=columns, rows=text_rows, wide=frozenset({2})).layout()
    spec = "".join(rf"\X{{{w}}}{{{sum(widths)}}}" for w in widths)
    title = tex_escape(W("pdf.summary"))
    return "\n".join([
        rf"\clearpage\phantomsection\addcontentsline{{toc}}{{chapter}}{{{title}}}", r"\thispagestyle{plain}",
        r"\pbsummarytop", rf"{{\centering\pbtitlefont\LARGE {title}\par}}", r"\vspace{5mm}",
        rf"{{\noindent\pbsummarytext {tex_escape(' '.join(lines))}\par}}", r"\smallskip",
        rf"{{\noindent\pbsummarynote\bfseries {tex_escape(W('pdf.scores'))}}}{{\pbsummarynote {tex_escape('；'.join(scores))}}}",
        *red, *demo,
        r"\par\medskip", r"{\footnotesize", r"\renewcommand{\arraystretch}{1.15}",
        rf"\begin{{longtable}}{{@{{}}{spec}@{{}}}}", r"\toprule",
        " & ".join(tex_escape(c) for c in columns) + r" \\", r"\midrule", r"\endhead",
        *(" & ".join(row) + r" \\" for row in tex_rows), r"\bottomrule", r"\end{longtable}}",
        r"{\noindent\pbsummarynote " + tex_escape(W("pdf.legend_lead")) + legend + tex_escape(W("pdf.legend_rest")) + r"\par}",
        r"\clearpage",
    ])


def front_matter(report: Report) -> str:
    """The summary and the contents: in the book layout numbered i, ii … apart from the body
    (which starts at 1 with chapter 1), in the 公文 layout numbered 1, 2 … on into the body
    (``\\pbfrontnumbering``, ``\\pbbodynumbering``); Sphinx's own ``\\sphinxtableofcontents``
    would restart the numbers after the summary."""
    return "\n".join([
        r"\pbfrontnumbering", summary_page(report),
        r"\begingroup\parskip 0pt\relax\sphinxtableofcontentshook\tableofcontents\endgroup",
        r"\pbbodynumbering",
    ])


def end_of_year_epoch(year: int) -> int:
    import calendar

    return calendar.timegm((year, 12, 31, 0, 0, 0))


def latex_overrides(edition: Edition) -> dict:
    """Sphinx ``latex_elements`` entries that depend on the edition (title and author: the book's)."""
    data, year, report = edition.data, edition.year, edition.report
    title, author = edition.names.title, edition.names.author
    full_title = W("pdf.title", title=title, edition=edition_name(data, year))
    subject = W("pdf.subject", year=year) + (W("demo.pdf_subject") if report.has_demo else "")
    return {
        "maketitle": cover(data, year),
        "tableofcontents": front_matter(report),
        "extrapackages": r"\usepackage{booktabs}\usepackage{longtable}",
        "extraclassoptions": "openany,oneside",
        "hyperref": "\n".join([
            r"\usepackage{hyperref}",
            r"\hypersetup{pdftitle={" + tex_escape(full_title) + r"}, pdfsubject={" + tex_escape(subject)
            + r"}, pdfauthor={" + tex_escape(author) + r"}, pdfcreator={planbook}, pdfproducer={XeLaTeX}}",
            r"\usepackage{hypcap}",  # \capstart of the charts' figures; after hyperref, as Sphinx has it
        ]),
    }


PDF_ROOT = "pdf-root"
# Generated pages the PDF replaces with a compact version (see write_print_pages).
PRINT_PAGES = {"generated/departments": "generated/departments-print", "generated/areas": "generated/areas-print",
               "generated/data-appendix": "generated/data-appendix-print"}


# Pages of the website only: the indicator pages (the PDF has the chapters' tables and the data
# appendix). The web's root page, the results at a glance, is the PDF's meeting summary.
WEB_ONLY = ("generated/indicators",)


def pdf_toc(toc: dict) -> dict:
    """The book's _toc.yml for LaTeX: a title-only root instead of the web's landing page, without
    the pages of the website only (:data:`WEB_ONLY`), and with the compact versions of the long
    generated pages (:data:`PRINT_PAGES`)."""
    parts = [dict(part, chapters=[dict(c, file=PRINT_PAGES.get(c["file"], c["file"]))
                                  for c in part["chapters"] if c.get("file") not in WEB_ONLY])
             for part in toc["parts"]]
    return {**toc, "root": PDF_ROOT, "parts": parts}


def departments_print(report: Report) -> str:
    """The PDF's page by department: the summary table; each department's list is on the website."""
    return "\n".join(["(departments)=", f"# {W('pages.departments.title')}", "",
                      W("pages.departments.intro_print", year=report.year), "",
                      views.by_department(report)._repr_markdown_(), ""])


def areas_print(report: Report) -> str:
    """The PDF's page by area: counts and lights per area, without the list of names."""
    table = views.by_area(report)
    table = Table(columns=list(table.columns[:-1]), rows=[row[:-1] for row in table.rows], caption=table.caption,
                  numeric=table.numeric, note=table.note)
    return "\n".join(["(areas)=", f"# {W('pages.areas.title')}", "", W("pages.areas.intro"), "",
                      W("pages.areas.intro_print"), "", table._repr_markdown_(), ""])


def appendix_print(data: DataSet, year: int) -> str:
    """The PDF's data appendix: one row per series with its value in each year, and its sources
    as numbers 〔1〕〔2〕… listed under the table (the website lists every value with its own row,
    source and note). Demo values keep their mark (△)."""
    cat = data.catalogue
    obs = data.upto(year)
    years = sorted(set(obs["year"]))
    order = {s.id: k for k, s in enumerate([*cat.indicators, *cat.context])}
    numbers: dict[str, int] = {}  # each source, numbered as it first appears
    rows = []
    for series in sorted(set(obs["indicator_id"]), key=lambda i: (order.get(i, len(order)), i)):
        part = obs[obs["indicator_id"] == series].sort_values("year")
        meta = cat.series_meta(series)
        unit = "" if meta.unit in ("", "/") else W("pdf.unit", unit=meta.unit)
        by_year = {int(r.year): r for r in part.itertuples(index=False)}
        cells = [Cell(meta.name_zh + unit)]
        for y in years:
            r = by_year.get(y)
            if r is None:
                cells.append(Cell(W("none_text")))
            else:
                number = fmt_value(r.value, meta.decimals, meta.unit) if meta.unit == "是/否" else \
                    fmt_number(r.value, meta.decimals)
                cells.append(Cell(number + (W("pdf.demo_mark") if r.kind == "demo" else "")))
        sources: dict[str, list[int]] = {}
        for r in part.itertuples(index=False):
            ref = W("pdf.source_ref", n=numbers.setdefault(r.source, len(numbers) + 1))
            text = ref + (W("pdf.source_note", note=r.note) if isinstance(r.note, str) and r.note.strip() else "")
            sources.setdefault(text, []).append(int(r.year))
        cells.append(Cell(W("list_sep").join(W("pdf.source_years", years=_year_span(ys), source=s)
                                             for s, ys in sources.items())))
        rows.append(cells)
    table = Table(columns=[W("col.indicator"), *(str(y) for y in years), W("col.source")], rows=rows,
                  numeric=frozenset(range(1, len(years) + 1)),
                  note=W("pdf.demo_legend") if (obs["kind"] == "demo").any() else None)
    n_demo = int((obs["kind"] == "demo").sum())
    lines = ["(data-appendix)=", f"# {W('appendix.title')}", "",
             W("appendix.intro" if n_demo else "appendix.intro_official", year=year, n=len(obs),
               official=len(obs) - n_demo, demo=n_demo), "",
             W("appendix.print_note" if n_demo else "appendix.print_note_official"), ""]
    if n_demo:
        lines += ["```{warning}", W("demo.appendix"), "```", ""]
    lines += ["(data-appendix-values)=", f"## {W('appendix.values')}", "", table._repr_markdown_(), "",
              md_escape(W("pdf.sources")), ""]
    lines += [f"- {md_escape(W('pdf.source_ref', n=n) + source)}" for source, n in numbers.items()]
    return "\n".join(lines + [""])


def _year_span(years: list[int]) -> str:
    """``[2021, 2022, 2023, 2025]`` → ``2021–2023、2025``."""
    spans, start = [], years[0]
    for a, b in zip(years, years[1:] + [None]):
        if b != a + 1:
            spans.append(str(a) if a == start else f"{start}–{a}")
            start = b
    return W("enum_sep").join(spans)


def write_print_pages(edition: Edition, folder: Path) -> None:
    """The compact versions of the long generated pages, for the PDF (:data:`PRINT_PAGES`)."""
    data, year, report = edition.data, edition.year, edition.report
    folder.mkdir(parents=True, exist_ok=True)
    from planbook.book.pages import omitted_pages

    left = omitted_pages(data)
    for name, text in {"departments-print.md": lambda: departments_print(report),
                       "areas-print.md": lambda: areas_print(report),
                       "data-appendix-print.md": lambda: appendix_print(data, year)}.items():
        if f"generated/{name[:-len('-print.md')]}" not in left:
            (folder / name).write_text(text(), encoding="utf-8")


def prepare_latex(book: Path, configs: Path, edition: Edition) -> None:
    """Add what the LaTeX build needs: a title-only root page and the compact print pages in
    ``book``, and ``_toc_latex.yml`` / ``_config_latex.yml`` (layout, front matter, metadata) in
    ``configs``. The chapters it reads carry their charts' print images
    (:func:`planbook.site.vega.add_print_images`)."""
    import yaml

    from planbook.book.outputs import PDF

    layout = edition.layout or DEFAULT_LAYOUT
    config = yaml.safe_load((configs / "_config.yml").read_text("utf-8"))
    (book / f"{PDF_ROOT}.md").write_text(f"# {md_escape(edition.names.title)}\n", encoding="utf-8")
    write_print_pages(edition, book / "generated")
    toc = yaml.safe_load((configs / "_toc.yml").read_text("utf-8"))
    (configs / "_toc_latex.yml").write_text(yaml.safe_dump(pdf_toc(toc), allow_unicode=True, sort_keys=False), encoding="utf-8")
    # The Word copy is made from the tree this build assembles (planbook.book.docx).
    config["sphinx"]["extra_extensions"] = [*config["sphinx"].get("extra_extensions", []), "planbook.book.docx",
                                            "planbook.book.pdf"]  # ChartPairs
    sphinx = config["sphinx"]["config"]
    sphinx["latex_elements"] = layout_elements(layout, sphinx.get("latex_elements", {}))
    if layout == "gongwen":  # no grey rows: booktabs rules only
        sphinx["latex_table_style"] = ["booktabs"]
    sphinx["latex_elements"].update(latex_overrides(edition))
    name = PDF.filename(edition)
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
    from planbook.tex_sandbox import DOCUMENT_SECONDS, sandbox_env

    # No file outside the folder read or written, no shell escape (planbook.tex_sandbox).
    env = sandbox_env({**os.environ, "SOURCE_DATE_EPOCH": str(end_of_year_epoch(year)), "FORCE_SOURCE_DATE": "1"})
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
        try:
            proc = subprocess.run(["xelatex", "--no-pdf", "-interaction=nonstopmode", "-halt-on-error",
                                   "-file-line-error", f"{stem}.tex"], cwd=latex_dir, capture_output=True, text=True,
                                  env=env, timeout=DOCUMENT_SECONDS)
        except subprocess.TimeoutExpired:
            raise fail(f"XeLaTeX (stopped after {DOCUMENT_SECONDS} s: a formula or macro that never ends?)", "") \
                from None
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


# Charts printed at most this wide (% of the line) are set two to a row: up to 426 px, whose 12 px
# labels stay at 6 pt at half the line (planbook.site.vega.PRINT_PT_PER_PX, PRINT_LABEL_PX).
PAIRED = 63


def chart_pairs(document) -> int:
    """Set narrow charts two to a row: each pair of consecutive cells that hold one chart's figure
    (:func:`planbook.site.vega.add_print_images`) goes into a ``pb-chart-pair`` container, the
    images as wide as their half of the line; a chart without a neighbour has a container of its
    own, centred at the same size. Returns how many containers. Pages that held only charts (two
    to a page, one under the other) now hold up to six, and the text goes on after them."""
    from docutils import nodes

    def chart_cell(node) -> bool:
        if not isinstance(node, nodes.container) or node.get("nb_element") != "cell_code":
            return False
        figures = list(node.findall(nodes.figure))
        if len(figures) != 1:
            return False
        if not any(re.fullmatch(r".+-chart-\d+", name) for name in figures[0]["names"]):
            return False
        widths = [img.get("width", "") for img in figures[0].findall(nodes.image)]
        return all(w.endswith("%") and float(w[:-1]) <= PAIRED for w in widths)

    pairs = 0
    for parent in list(document.findall(nodes.Element)):
        k = 0
        while k < len(parent.children):
            cells = [c for c in parent.children[k:k + 2] if chart_cell(c)]
            if cells and cells[0] is parent.children[k]:
                cells = cells if len(cells) == 2 and cells[1] is parent.children[k + 1] else cells[:1]
                pair = nodes.container(classes=["pb-chart-pair"])
                parent.replace(cells[0], pair)
                for cell in cells[1:]:
                    parent.remove(cell)
                pair += cells
                for image in pair.findall(nodes.image):
                    image["width"] = "100%"
                pairs += 1
            k += 1
    return pairs


def setup(app):
    """The LaTeX build's own transform: charts two to a row (:func:`chart_pairs`)."""
    from sphinx.transforms.post_transforms import SphinxPostTransform

    class ChartPairs(SphinxPostTransform):
        default_priority = 5  # after myst-nb's choice of the output to show (4)
        builders = ("latex",)

        def run(self, **kwargs) -> None:
            chart_pairs(self.document)

    app.add_post_transform(ChartPairs)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
