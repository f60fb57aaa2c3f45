"""Benchmark: planbook against the plain way of doing the same job, side by side.

    .venv/bin/python benchmarks/run.py [--runs 3] [--cases 1,2,3,4,5,6]

The plain way: the same five notebooks executed one after another by papermill
(a fresh kernel each), then the same ``jupyter-book build`` (and for the PDF the
same LaTeX route), with no cache. Each case is timed as whole commands, the
median of ``--runs`` runs is printed with the ratio ours / plain.

Cases: 1 one edition, HTML, cold; 2 one edition, HTML + PDF, cold; 3 rebuild with
nothing changed; 4 rebuild after one value of one year changed; 5 all editions;
6 a chapter page in headless Chromium: bytes transferred on first load and time
to the first drawn chart (plain page: stock Jupyter Book assets, fontawesome and
sphinx-design included, and the standard vega + vega-lite + vega-embed bundle).
Not part of the test suite: timings belong here, not in tests.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
YEAR = 2025
sys.path.insert(0, str(ROOT / "src"))
from planbook.project import chapter_source, chapters  # noqa: E402

CHAPTERS = chapters(ROOT)


def sh(cmd: list[str], **kw) -> None:
    subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=kw.pop("cwd", ROOT), **kw)


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


# --- ours -------------------------------------------------------------------------

def ours(out: Path, data: Path, *, pdf: bool = False, all_years: bool = False) -> None:
    cmd = [str(BIN / "planbook"), "build", "--out", str(out), "--data", str(data)]
    cmd += ["--all"] if all_years else ["--year", str(YEAR)]
    sh(cmd + (["--pdf"] if pdf else []))


# --- the plain way ----------------------------------------------------------------

def plain_config(work: Path, data: Path, year: int, *, stock_pages: bool) -> Path:
    """The edition's _config.yml; with ``stock_pages`` Jupyter Book keeps its own page assets."""
    sys.path.insert(0, str(ROOT / "src"))
    import yaml

    from planbook.build.pipeline import edition_config
    from planbook.inputs.dataset import load

    config = edition_config(ROOT, load(data), year, None)
    sphinx = config["sphinx"]
    if stock_pages:
        sphinx["extra_extensions"] = [e for e in sphinx["extra_extensions"] if e != "planbook.site.sphinx_ext"]
        static = work / "plain-static"
        static.mkdir(exist_ok=True)
        import vl_convert as vlc

        bundle = vlc.javascript_bundle(vl_version="6_4")  # declares top-level consts: wrap it
        (static / "vega-embed.js").write_text("(function(){\n" + bundle + "\n})();\n", encoding="utf-8")
        (static / "shim.js").write_text(
            "window.planbookChart=function(id,spec){vegaEmbed('#'+id,spec,{mode:'vega',renderer:'svg'});};",
            encoding="utf-8")
        # Charts take their column's width (vega-embed's own container is inline-block: as in
        # its documentation, it is made a full-width block so that the chart can measure it).
        (static / "embed.css").write_text(".vega-embed{width:100%;display:block}\n", encoding="utf-8")
        sphinx["config"]["html_static_path"] = [str(static)]
        sphinx["config"]["html_js_files"] = ["vega-embed.js", "shim.js"]
        sphinx["config"]["html_css_files"] = ["embed.css"]
    path = work / ("_config_stock.yml" if stock_pages else "_config.yml")
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def plain(work: Path, data: Path, *, pdf: bool = False, years: tuple[int, ...] = (YEAR,), stock_pages: bool = False) -> None:
    """papermill one notebook after another, then jupyter-book build (and LaTeX + latexmk)."""
    for year in years:
        book = work / f"book-{year}"
        shutil.rmtree(book, ignore_errors=True)
        shutil.copytree(ROOT / "book", book, ignore=shutil.ignore_patterns("chapters", "generated"))
        (book / "chapters").mkdir()
        for chapter in CHAPTERS:
            source = chapter_source(ROOT, chapter)
            params = {"year": year, "data_dir": str(data)}
            sh([str(BIN / "python"), "-c",
                "import sys, jupytext, papermill as pm\n"
                f"nb = jupytext.read('{source}', fmt='md:myst')\n"
                f"pm.execute_notebook(nb, '{book}/chapters/{chapter}.ipynb', kernel_name='python3',"
                f" parameters={params!r}, cwd='{ROOT}/notebooks', progress_bar=False)"])
        sh([str(BIN / "python"), "-c",
            "import sys; sys.path.insert(0, 'src')\n"
            "from pathlib import Path\nfrom planbook.inputs.dataset import load\nfrom planbook.book.pages import write_generated_pages\n"
            f"write_generated_pages(load('{data}'), {year}, Path('{book}/generated'))"])
        config = plain_config(work, data, year, stock_pages=stock_pages)
        sh([str(BIN / "jupyter-book"), "build", str(book), "--config", str(config), "--toc", str(ROOT / "_toc.yml"),
            "--path-output", str(work / f"out-{year}")])
        if pdf:
            sys.path.insert(0, str(ROOT / "src"))
            from planbook.inputs.dataset import load
            from planbook.book.pdf import prepare_latex
            from planbook.site.vega import add_print_images

            configs = work / f"configs-{year}"
            configs.mkdir(exist_ok=True)
            shutil.copy(config, configs / "_config.yml")
            shutil.copy(ROOT / "_toc.yml", configs / "_toc.yml")
            for notebook in sorted((book / "chapters").glob("*.ipynb")):
                add_print_images(notebook)
            prepare_latex(book, configs, load(data), year)
            sh([str(BIN / "jupyter-book"), "build", str(book), "--config", str(configs / "_config_latex.yml"),
                "--toc", str(configs / "_toc_latex.yml"), "--path-output", str(work / f"latex-{year}"), "--builder", "latex"])
            latex = work / f"latex-{year}" / "_build" / "latex"
            tex = next(latex.glob("*.tex"))
            sh(["latexmk", "-xelatex", "-interaction=nonstopmode", "-halt-on-error", tex.name], cwd=latex)


# --- the cases ----------------------------------------------------------------------

def fresh_data(tmp: Path) -> Path:
    data = tmp / "data"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(ROOT / "data", data)
    return data


def change_one_value(data: Path, n: int) -> None:
    f = data / "observations" / f"{YEAR}.csv"
    lines = f.read_text("utf-8").splitlines()
    for k, line in enumerate(lines):
        if line.startswith("smart_5g_urban_coverage,"):
            cells = line.split(",")
            cells[1] = f"{float(cells[1]) - 0.1 * (n + 1):.1f}"
            lines[k] = ",".join(cells)
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")


def case_cold(runs: int, pdf: bool) -> tuple[list[float], list[float]]:
    a, b = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as t:
            tmp = Path(t)
            data = fresh_data(tmp)
            a.append(timed(lambda: ours(tmp / "ours", data, pdf=pdf)))
            b.append(timed(lambda: plain(tmp / "plain", data, pdf=pdf)))
    return a, b


def case_rebuild(runs: int, change: bool) -> tuple[list[float], list[float]]:
    """Build once both ways, then time rebuilds: as they are, or after changing one value each time."""
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        data = fresh_data(tmp)
        ours(tmp / "ours", data)
        plain(tmp / "plain", data)
        a, b = [], []
        for n in range(runs):
            if change:
                change_one_value(data, n)
            a.append(timed(lambda: ours(tmp / "ours", data)))
            b.append(timed(lambda: plain(tmp / "plain", data)))
    return a, b


def case_all(runs: int) -> tuple[list[float], list[float], int]:
    a, b = [], []
    with tempfile.TemporaryDirectory() as t:
        years = tuple(y for y in range(2021, 2026))
        for _ in range(runs):
            tmp = Path(t) / f"run{len(a)}"
            tmp.mkdir()
            data = fresh_data(tmp)
            a.append(timed(lambda: ours(tmp / "ours", data, all_years=True)))
            b.append(timed(lambda: plain(tmp / "plain", data, years=years)))
    return a, b, len(years)


def page_metrics(url: str, runs: int) -> tuple[int, float]:
    from playwright.sync_api import sync_playwright

    sizes, times = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for _ in range(runs):
            context = browser.new_context()
            page = context.new_page()
            got: list[int] = []
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://") else route.abort())
            page.on("requestfinished", lambda req: got.append(len(req.response().body()) if req.response() else 0))
            t0 = time.perf_counter()
            page.goto(url)
            page.wait_for_selector(".pb-chart svg", timeout=30000)
            times.append(time.perf_counter() - t0)
            page.wait_for_load_state("load")
            sizes.append(sum(got))
            context.close()
        browser.close()
    return int(statistics.median(sizes)), statistics.median(times)


def case_pages(runs: int) -> tuple[tuple[int, float], tuple[int, float]]:
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        data = fresh_data(tmp)
        ours(tmp / "ours", data)
        plain(tmp / "plain", data, stock_pages=True)
        page = "chapters/smart.html"
        return (page_metrics((tmp / "ours" / "html" / str(YEAR) / page).as_uri(), runs),
                page_metrics((tmp / "plain" / f"out-{YEAR}" / "_build" / "html" / page).as_uri(), runs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cases", default="1,2,3,4,5,6")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    cases = {int(c) for c in args.cases.split(",")}
    med = statistics.median
    rows: list[tuple[str, str, str, str, str]] = []

    def add(name: str, a: list[float], b: list[float], target: str) -> None:
        rows.append((name, f"{med(a):.1f} s", f"{med(b):.1f} s", f"{med(a) / med(b):.2f}×", target))
        print(f"  {name}: ours {med(a):.2f} s, plain {med(b):.2f} s ({len(a)} runs)", file=sys.stderr, flush=True)

    if 1 in cases:
        add("1 one edition, HTML, cold", *case_cold(args.runs, pdf=False), "≤ 0.40×")
    if 2 in cases:
        add("2 one edition, HTML + PDF, cold", *case_cold(args.runs, pdf=True), "≤ 0.40×")
    if 3 in cases:
        add("3 rebuild, nothing changed", *case_rebuild(args.runs, change=False), "≤ 0.05×")
    if 4 in cases:
        add("4 rebuild, one value of 2025 changed", *case_rebuild(args.runs, change=True), "≤ 0.30×")
    if 5 in cases:
        a, b, n = case_all(max(1, args.runs - 1))
        add(f"5 all {n} editions, HTML", a, b, "≤ linear")
        single = [r for r in rows if r[0].startswith("1 ")]
        if single:
            per = med(a) / n
            rows.append((f"  per edition within all {n}", f"{per:.1f} s", f"{med(b) / n:.1f} s",
                         f"{per / float(single[0][1].split()[0]):.2f}× of one cold edition", "≤ 1.00× (linear)"))
    if 6 in cases:
        (ours_bytes, ours_t), (plain_bytes, plain_t) = case_pages(max(3, args.runs))
        rows.append(("6 chapter page, bytes on first load", f"{ours_bytes / 1e6:.2f} MB", f"{plain_bytes / 1e6:.2f} MB",
                     f"{ours_bytes / plain_bytes:.2f}×", "≤ 0.50×"))
        rows.append(("6 chapter page, time to first chart", f"{ours_t:.2f} s", f"{plain_t:.2f} s",
                     f"{ours_t / plain_t:.2f}×", "—"))

    head = ("case", "planbook", "plain way", "ratio", "target")
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(5)]
    print(f"benchmark {date.today().isoformat()} · {platform.machine()}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores · "
          f"Python {platform.python_version()} · medians of {args.runs} runs")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
