"""The leaders' brief (简报): the edition on at most two A4 pages, for readers who will not read 80.

The edition's verdict (the sentences of the meeting summary), the counts by light, the
dimension scores, the red items — indicators and commitments — with their lead departments,
and three to five problems and recommendations from the evaluation team's commentary
(``commentary/<year>/overview.md``, sections 存在问题及原因 and 对策建议). Without them the
brief says so (``（评估组意见待补充）``) and is marked 工作稿.

Typeset by XeLaTeX in the sandbox (:mod:`planbook.tex_sandbox`), dated the end of the edition
year like the PDF (:func:`planbook.book.pdf.end_of_year_epoch`): two builds give the same bytes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from planbook.book.edition import Edition
from planbook.book.pdf import edition_name, end_of_year_epoch, summary_lines, tex_escape
from planbook.errors import BuildError
from planbook.report.format import LIGHT_STYLE
from planbook.words import W

MAX_ITEMS = 5  # problems, and recommendations, each
MAX_RED = 12  # red items listed (the rest are counted): the brief stays within two pages
MAX_PAGES = 2

PREAMBLE = r"""\documentclass[a4paper,zihao=5,fontset=fandol]{ctexart}
\usepackage[margin=18mm,bottom=20mm]{geometry}
\usepackage{xcolor}
\usepackage{booktabs}
\usepackage{tabularx}
\usepackage{enumitem}
\setlist{nosep,leftmargin=2em}
\setlength{\parskip}{3pt}
\ctexset{section={format=\heiti\large\raggedright,beforeskip=6pt,afterskip=3pt,number={}}}
\pagestyle{plain}
"""


_GLUE = re.compile(r"\{glue(?::[a-z]+)?\}`([^`:]+)(?::[^`]*)?`")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_ROLE = re.compile(r"\{[a-z:]+\}`([^`<]*)(?:<[^>]*>)?`")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.、)]|（[一二三四五六七八九十]+）|[一二三四五六七八九十]+、)\s*")


def plain(text: str, glued: dict[str, str]) -> str:
    """Commentary Markdown as plain text: glue roles as their values, links and roles as their text."""
    text = _GLUE.sub(lambda m: glued.get(m.group(1), ""), text)
    text = _LINK.sub(r"\1", _ROLE.sub(r"\1", text))
    return re.sub(r"\s+", " ", text.replace("**", "").replace("`", "")).strip()


def commentary_items(body: str, glued: dict[str, str]) -> list[str]:
    """The points of a commentary section: its list items (the text before the list left out),
    else its paragraphs; at most :data:`MAX_ITEMS`."""
    lines = [line for line in body.splitlines() if not line.lstrip().startswith(("%", "#", "```", ":::"))]
    items: list[list[str]] = []
    listed = any(_ITEM.match(line) for line in lines if line.strip())
    for line in lines:
        if not line.strip():
            if not listed:
                items.append([])
        elif listed and _ITEM.match(line):
            items.append([_ITEM.sub("", line, count=1)])
        elif items and (items[-1] or not listed):
            items[-1].append(line)
        elif not listed:
            items.append([line])
    texts = [plain(" ".join(i), glued) for i in items]
    return [t for t in texts if t][:MAX_ITEMS]


def brief_points(edition: Edition) -> tuple[list[str], list[str]]:
    """The problems and the recommendations of the edition's overview commentary (empty: none written)."""
    from planbook.report.commentary import glue_names

    report = edition.report
    found = report.data.commentary_for(edition.year, "overview")
    if found is None:
        return [], []
    glued = {"year": str(edition.year), "table_name": W("table_name"), **glue_names(report, "overview")}
    sections = [found.section(k) for k in ("problems", "suggestions")]
    return tuple(commentary_items(s.body, glued) if s else [] for s in sections)


def red_items(edition: Edition) -> list[tuple[str, str, str]]:
    """(name, kind, lead department) of the table's red indicators, then of the red commitments."""
    report = edition.report
    reg, cat = report.register, report.cat
    rows = []
    head = report.headline()
    for r in head[head["light"] == "red"].itertuples(index=False):
        dep, _ = reg.department_of(r.id)
        rows.append((cat.by_id[r.id].name_zh, W("brief.red_kind_indicator"),
                     dep.name_zh if dep else W("brief.no_department")))
    if not report.commitments.empty:
        missed = report.commitments[report.commitments["light"] == "red"].sort_values("id")
        for r in missed.itertuples(index=False):
            rows.append((r.name_zh, W("brief.red_kind_commitment"),
                         r.department if isinstance(r.department, str) and r.department else W("brief.no_department")))
    return rows


def light_counts(edition: Edition) -> dict[str, int]:
    """The table's indicators by light (as ``edition.json`` records them)."""
    total = edition.report.summary.set_index("dimension").loc["all"]
    return {k: int(total[f"light_{k}"]) for k in ("green", "yellow", "red", "none")}


def brief_tex(edition: Edition) -> str:
    """The brief as a LaTeX document."""
    report = edition.report
    lines_, scores, _ = summary_lines(report)
    problems, suggestions = brief_points(edition)
    working = not (problems or suggestions)
    counts = light_counts(edition)
    total = int(report.summary.set_index("dimension").loc["all"]["indicators"])
    t = tex_escape
    out = [PREAMBLE, r"\begin{document}"]
    # 工作稿 while the team's view is missing; 征求意见稿 on a draft edition (planbook build --draft).
    marks = [W(k) for k, on in (("brief.working_draft", working), ("draft.watermark", edition.draft)) if on]
    if marks:
        out.append(rf"\noindent\hfill\fbox{{\heiti\textcolor{{red}}{{{t('　'.join(marks))}}}}}\par")
    out += [rf"\begin{{center}}{{\heiti\LARGE {t(W('brief.title', title=edition.names.title))}\par}}\smallskip",
            rf"{{\large {t(W('brief.subtitle', edition=edition_name(edition.data, edition.year)))}\par}}\end{{center}}",
            rf"\section{{{t(W('brief.verdict'))}}}", t(" ".join(x for x in lines_ if x)), "",
            rf"\section{{{t(W('brief.lights'))}}}"]
    # A coloured square for each light (the Fandol fonts have no ● ▲ ■).
    legend = "　".join(rf"\textcolor[HTML]{{{LIGHT_STYLE[k][0].lstrip('#')}}}{{\rule{{0.8em}}{{0.8em}}}}"
                      rf"\,{t(W('light.' + k))} {counts[k]}" for k in ("green", "yellow", "red"))
    out += [t(W("brief.lights_line", table=W("table_name"), n=total, **counts)), "", legend, "",
            rf"\section{{{t(W('brief.scores'))}}}", t("；".join(scores)), "",
            rf"\section{{{t(W('brief.red'))}}}"]
    red = red_items(edition)
    if red:
        out += [r"{\small\begin{tabularx}{\linewidth}{@{}Xll@{}}\toprule",
                " & ".join(t(W(k)) for k in ("brief.col_item", "brief.col_kind", "brief.col_department"))
                + r" \\\midrule"]
        out += [" & ".join(map(t, row)) + r" \\" for row in red[:MAX_RED]]
        out += [r"\bottomrule\end{tabularx}}"]
        if len(red) > MAX_RED:
            out.append(r"\par " + t(W("brief.more_red", n=len(red) - MAX_RED)))
    else:
        out.append(t(W("brief.red_none")))
    for key, items in (("brief.problems", problems), ("brief.suggestions", suggestions)):
        out += ["", rf"\section{{{t(W(key))}}}"]
        if items:
            out += [r"\begin{enumerate}", *(rf"\item {t(i)}" for i in items), r"\end{enumerate}"]
        else:
            out.append(t(W("brief.placeholder")))
    out += ["", r"\vfill", rf"{{\footnotesize\hfill {t(W('brief.footer', year=edition.year))}\par}}",
            r"\end{document}", ""]
    return "\n".join(out)


def write_brief(edition: Edition, out: Path, logs: Path) -> Path:
    """Typeset the brief into ``out`` (its LaTeX in a folder beside it); refuse one over two pages."""
    from planbook.tex_sandbox import DOCUMENT_SECONDS, sandbox_env

    work = out.parent / f".{out.stem}-tex"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    (work / "brief.tex").write_text(brief_tex(edition), encoding="utf-8")
    env = sandbox_env({**os.environ, "SOURCE_DATE_EPOCH": str(end_of_year_epoch(edition.year)),
                       "FORCE_SOURCE_DATE": "1"})
    logs.mkdir(parents=True, exist_ok=True)

    def fail(what: str, output: str) -> BuildError:
        log = work / "brief.log"
        if log.exists():
            shutil.copyfile(log, logs / "brief.log")
        return BuildError(f"{what} failed for the {edition.year} brief (log: {logs / 'brief.log'}):\n"
                          + "\n".join(output.splitlines()[-10:]))

    try:
        proc = subprocess.run(["xelatex", "--no-pdf", "-interaction=nonstopmode", "-halt-on-error", "brief.tex"],
                              cwd=work, capture_output=True, text=True, env=env, timeout=DOCUMENT_SECONDS)
    except subprocess.TimeoutExpired:
        raise fail(f"XeLaTeX (stopped after {DOCUMENT_SECONDS} s)", "") from None
    if proc.returncode != 0:
        raise fail("XeLaTeX", proc.stdout)
    pages = re.search(r"Output written on brief\.xdv \((\d+) page", proc.stdout)
    if pages and int(pages.group(1)) > MAX_PAGES:
        raise fail(f"the brief has {pages.group(1)} pages (at most {MAX_PAGES})", "")
    proc = subprocess.run(["xdvipdfmx", "-E", "-o", "brief.pdf", "brief.xdv"], cwd=work, capture_output=True,
                          text=True, env=env, timeout=DOCUMENT_SECONDS)
    if proc.returncode != 0 or not (work / "brief.pdf").exists():
        raise fail("xdvipdfmx", proc.stderr)
    shutil.copyfile(work / "brief.log", logs / "brief.log")
    os.replace(work / "brief.pdf", out)
    shutil.rmtree(work, ignore_errors=True)
    return out
