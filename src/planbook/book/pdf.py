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

from planbook.assess.progress import LIGHT_ZH, status_word
from planbook.inputs.dataset import DataSet
from planbook.errors import BuildError
from planbook.report.report import DEMO_NOTICE, Report
from planbook.report.format import LIGHT_STYLE, STATUS_STYLE, fmt_value, missing, pace_text

PDF_NAME = "licheng-evaluation-{year}.pdf"
_TEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                "<": r"\textless{}", ">": r"\textgreater{}"}


def tex_escape(text: str) -> str:
    """Text from data as literal LaTeX (``& % $ # _ { } ~ ^ \\ < >`` included)."""
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in str(text))


def edition_name(year: int) -> str:
    kind = {2025: "中期评估", 2035: "终期评估"}.get(year, "年度评估")
    return f"{year} 年度评估报告（{kind}）"


def cover(data: DataSet, year: int) -> str:
    plan = data.catalogue.plan
    demo = data.has_demo(year)
    lines = [
        r"\begin{titlepage}", r"\centering", r"\vspace*{30mm}",
        r"{\sffamily\Huge\bfseries 济南市历城区新型城镇化规划\\[4mm] 实施评估\par}", r"\vspace{14mm}",
        rf"{{\sffamily\LARGE {tex_escape(edition_name(year))}\par}}", r"\vspace{10mm}",
        rf"{{\large 评估对象：《{tex_escape(plan['title_zh'])}》\\[2mm]（{tex_escape(plan['document_no'])}）\par}}",
        r"\vspace{8mm}",
        rf"{{\large 数据截至 {year} 年（{year} 年及以前的数据）\par}}",
        r"\vfill",
    ]
    if demo:
        lines += [r"\fcolorbox{orange}{yellow!12}{\parbox{0.86\linewidth}{\centering\large\bfseries",
                  tex_escape("本报告含演示数据：2021 年以后的指标数值为程序生成的演示值，不是历城区的官方统计，"
                             "仅用于展示评估方法。规划基期值和背景数据为官方数据，均注明来源。"), r"}}\par", r"\vspace{10mm}"]
    lines += [rf"{{\small 由 planbook 依据指标目录与年度数据生成 · {year} 年度版\par}}", r"\end{titlepage}"]
    return "\n".join(lines)


def _status_tex(status: str, reason: str | None = None, met_year=None) -> str:
    colour, symbol = STATUS_STYLE[status]
    word = tex_escape(status_word(status, reason, met_year))
    return rf"\textcolor[HTML]{{{colour.lstrip('#')}}}{{{symbol}\,{word}}}"


def _pace_tex(pace: str, light: str) -> str:
    colour, symbol = LIGHT_STYLE[light]
    return rf"\textcolor[HTML]{{{colour.lstrip('#')}}}{{{symbol}\,{tex_escape(pace_text(pace, light))}}}"


def summary_page(report: Report) -> str:
    """One page for the meeting: pace and status of table 专栏1, dimension scores, headline sentences."""
    cat = report.cat
    head = report.headline().set_index("id")
    rows = []
    for ind in cat.table:
        r = head.loc[ind.id]
        value = "—" if missing(r["value"]) else fmt_value(r["value"], ind.decimals, ind.unit)
        if r["data_kind"] in ("demo", "mixed"):
            value += "（演示）"
        dim = cat.dimension_by_id[ind.dimension].name_zh.replace("城镇化", "")
        reason = None if missing(r["reason"]) else r["reason"]
        met_year = None if missing(r["met_year"]) else int(r["met_year"])
        rows.append(rf"{ind.table_no} & {tex_escape(dim)} & {tex_escape(ind.name_zh)} & {tex_escape(value)} & "
                    rf"{_pace_tex(r['pace'], r['light'])} & {_status_tex(r['status'], reason, met_year)} \\")
    scores = []
    for rec in report.summary.itertuples(index=False):
        name = "合计" if rec.dimension == "all" else cat.dimension_by_id[rec.dimension].name_zh
        score = "—" if missing(rec.score) else f"{rec.score:.1f}"
        scores.append(rf"{tex_escape(name)} {score} 分")
    sentences = [report.pace_sentence(report.headline(), "专栏1"), report.status_sentence(report.headline(), "专栏1"),
                 report.changes()[0]]
    demo = [rf"\par\smallskip{{\footnotesize\color{{orange!70!black}}{tex_escape(DEMO_NOTICE)}}}"] if report.has_demo else []
    legend = "　".join(rf"\textcolor[HTML]{{{LIGHT_STYLE[k][0].lstrip('#')}}}{{{LIGHT_STYLE[k][1]}\,{LIGHT_ZH[k]}}}"
                      for k in ("green", "yellow", "red"))
    return "\n".join([
        r"\clearpage\phantomsection\addcontentsline{toc}{chapter}{会议摘要}", r"\thispagestyle{plain}",
        r"{\centering\sffamily\LARGE\bfseries 会议摘要\par}", r"\vspace{5mm}",
        rf"{{\small {tex_escape(' '.join(sentences))}}}", r"\par\smallskip",
        rf"\noindent{{\small\bfseries 维度得分（满分 100）：}}{{\small {'；'.join(scores)}}}",
        *demo,
        r"\par\medskip", r"{\footnotesize", r"\renewcommand{\arraystretch}{1.15}",
        r"\begin{longtable}{@{}r l p{0.30\linewidth} r l l@{}}", r"\toprule",
        r"序号 & 维度 & 指标 & 评估值 & 序时进度 & 状态 \\", r"\midrule", r"\endhead",
        *rows, r"\bottomrule", r"\end{longtable}}",
        r"{\footnotesize 序时进度：" + legend + "（完成进度与时序进度之差，见“评估方法”一章）。状态：已到期的目标按目标年数值判定完成与否，未到期的按进展比率判定。}",
        r"\clearpage",
    ])


def end_of_year_epoch(year: int) -> int:
    import calendar

    return calendar.timegm((year, 12, 31, 0, 0, 0))


def latex_overrides(data: DataSet, year: int) -> dict:
    """Sphinx ``latex_elements`` entries that depend on the edition."""
    report = Report(data=data, year=year)
    title = f"济南市历城区新型城镇化规划实施评估 · {edition_name(year)}"
    subject = f"《{data.catalogue.plan['title_zh']}》{year} 年度实施评估" + ("（含演示数据，非官方统计）" if report.has_demo else "")
    return {
        "maketitle": cover(data, year),
        "tableofcontents": summary_page(report) + "\n\\sphinxtableofcontents",
        "extrapackages": r"\usepackage{booktabs}\usepackage{longtable}",
        "extraclassoptions": "openany,oneside",
        "hyperref": "\n".join([
            r"\usepackage{hyperref}",
            r"\hypersetup{pdftitle={" + tex_escape(title) + r"}, pdfsubject={" + tex_escape(subject)
            + r"}, pdfauthor={历城区新型城镇化规划评估工作组（planbook 生成）}, pdfcreator={planbook}, pdfproducer={XeLaTeX}}",
        ]),
    }


PDF_ROOT = "pdf-root"


def pdf_toc(toc: dict) -> dict:
    """The book's _toc.yml for LaTeX: a title-only root, the web root page becomes chapter 1.

    Sphinx turns the sections of the root document into chapters; with the root
    moved down, the introduction is one chapter like the others.
    """
    parts = [dict(part, chapters=list(part["chapters"])) for part in toc["parts"]]
    parts[0]["chapters"].insert(0, {"file": toc["root"]})
    return {**toc, "root": PDF_ROOT, "parts": parts}


def prepare_latex(book: Path, configs: Path, data: DataSet, year: int) -> None:
    """Add what the LaTeX build needs: a title-only root page in ``book``, and
    ``_toc_latex.yml`` / ``_config_latex.yml`` (front matter, metadata) in ``configs``.
    The chapters it reads carry their charts' print images
    (:func:`planbook.site.vega.add_print_images`)."""
    import yaml

    (book / f"{PDF_ROOT}.md").write_text(f"# {data.catalogue.plan['title_zh']}实施评估\n", encoding="utf-8")
    toc = yaml.safe_load((configs / "_toc.yml").read_text("utf-8"))
    (configs / "_toc_latex.yml").write_text(yaml.safe_dump(pdf_toc(toc), allow_unicode=True, sort_keys=False), encoding="utf-8")
    config = yaml.safe_load((configs / "_config.yml").read_text("utf-8"))
    elements = config["sphinx"]["config"].setdefault("latex_elements", {})
    elements.update(latex_overrides(data, year))
    name = PDF_NAME.format(year=year)
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


def typeset(latex_dir: Path, logs: Path, year: int) -> tuple[Path, int]:
    """Typeset Sphinx's LaTeX output: XeLaTeX until what a run leaves for the next (``.aux``,
    ``.toc``, ``.out``) no longer changes, as latexmk would (the contents are seeded, see
    :func:`seed_contents`), then xdvipdfmx. Return the PDF and how many XeLaTeX runs it took.

    Done here rather than by latexmk, which costs half a second of its own per build, and
    with :data:`XDVIPDFMX_OPTIONS`. The book has no index, so no makeindex.
    """
    import os

    name = PDF_NAME.format(year=year)
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
