"""Execute the chapter notebooks with papermill and compile the book with Jupyter Book.

Order of work (each step must succeed before the next):

1. load and validate the catalogue and all data (bad input: exit 2, nothing written);
2. execute the five chapter notebooks in parallel, one process each;
3. write the generated pages (data appendix, colophon);
4. run ``jupyter-book build`` into a staging folder;
5. only then replace the published site ``_build/html`` (and PDF) in one move.

A failing cell stops the build with the notebook, the year and the error; the
last good site stays as it was.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml

from .dataset import DataSet, load, project_root
from .errors import BuildError, NotebookError

CHAPTERS = ("overview", "smart", "green", "balanced", "two_way")


@dataclass(frozen=True)
class BuildResult:
    site: Path
    pdf: Path | None
    year: int
    seconds: float


def log(message: str) -> None:
    print(f"[planbook] {message}", file=sys.stderr, flush=True)


# --- notebooks ----------------------------------------------------------------------

def read_notebook(path: Path):
    """A MyST-markdown notebook as a NotebookNode (papermill cannot read .md itself)."""
    import jupytext

    return jupytext.read(path, fmt="md:myst")


def _mark_hidden(nb) -> None:
    """Hide the parameters and injected-parameters cells on the page; drop run-dependent metadata."""
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if "parameters" in tags or "injected-parameters" in tags:
            if "remove-cell" not in tags:
                cell.metadata["tags"] = [*tags, "remove-cell"]
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    nb.metadata.pop("papermill", None)


def execute_notebook(chapter: str, year: int, data_dir: Path, output: Path) -> Path:
    """Run one chapter notebook with papermill; raise NotebookError naming the failing cell."""
    import nbformat
    import papermill as pm

    root = project_root()
    source = root / "notebooks" / f"{chapter}.md"
    if not source.is_file():
        raise BuildError(f"no notebook {source}: expected one of {', '.join(CHAPTERS)}")
    nb = read_notebook(source)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".partial-{output.name}")
    try:
        result = pm.execute_notebook(
            nb, str(tmp), parameters={"year": int(year), "data_dir": str(Path(data_dir).resolve())},
            kernel_name="python3", cwd=str(root / "notebooks"), progress_bar=False, log_output=False,
        )
    except pm.PapermillExecutionError as exc:
        tmp.unlink(missing_ok=True)
        raise NotebookError(f"notebooks/{chapter}.md", int(year), exc.cell_index, exc.ename, exc.evalue) from None
    _mark_hidden(result)
    nbformat.write(result, str(tmp))
    os.replace(tmp, output)
    return output


def _execute_job(args: tuple[str, int, str, str]) -> str:
    chapter, year, data_dir, output = args
    return str(execute_notebook(chapter, year, Path(data_dir), Path(output)))


def execute_all(year: int, data_dir: Path, out_dir: Path, chapters: tuple[str, ...] = CHAPTERS) -> list[Path]:
    """Execute the chapters in parallel (one kernel per process, as many as cores)."""
    jobs = [(c, year, str(data_dir), str(out_dir / f"{c}.ipynb")) for c in chapters]
    workers = max(1, min(len(jobs), os.cpu_count() or 1))
    done = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for chapter, path in zip(chapters, pool.map(_execute_job, jobs)):
            log(f"executed {chapter} ({year})")
            done.append(Path(path))
    return done


def run_chapter(chapter: str, year: int | None = None, data_dir: str | None = None, output: str | None = None) -> Path:
    """Execute a single chapter for a researcher (``planbook run CHAPTER --year Y``)."""
    data = load(data_dir)
    year = year or data.latest_year()
    out = Path(output) if output else project_root() / "book" / "chapters" / f"{chapter}.ipynb"
    return execute_notebook(chapter, year, data.data_dir, out)


# --- configuration ------------------------------------------------------------------

def edition_config(root: Path, data: DataSet, year: int, pdf_name: str | None = None) -> dict:
    """_config.yml plus what depends on the edition: title, date, demo banner."""
    config = yaml.safe_load((root / "_config.yml").read_text("utf-8"))
    sphinx_config = config.setdefault("sphinx", {}).setdefault("config", {})
    edition = f"{year}年度" if year not in (2025, 2035) else f"{year}年度（{'中期' if year == 2025 else '终期'}评估）"
    config["title"] = f"{config['title']} · {edition}"
    # The report date comes from the data (the edition year), never from the build clock.
    sphinx_config["today"] = f"{year}年度评估（数据截至{year}年）"
    sphinx_config["html_last_updated_fmt"] = None
    if pdf_name:
        sphinx_config["planbook_pdf"] = pdf_name
    from .pages import substitutions

    config.setdefault("parse", {})["myst_substitutions"] = substitutions(data, year)
    if data.has_demo(year):
        sphinx_config["planbook_demo_banner"] = (
            "⚠ 本评估含演示数据：标“演示”的数值为程序生成，仅用于展示方法，不是历城区官方统计。")
        theme = sphinx_config.setdefault("html_theme_options", {})
        theme["announcement"] = sphinx_config["planbook_demo_banner"]
    return config


# --- the build ----------------------------------------------------------------------

def _jupyter_book() -> list[str]:
    exe = Path(sys.executable).parent / "jupyter-book"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "jupyter_book.cli.main"]


def run_jupyter_book(book: Path, toc: Path, config_path: Path, out: Path, logs: Path, builder: str = "html") -> Path:
    cmd = [*_jupyter_book(), "build", str(book), "--config", str(config_path),
           "--toc", str(toc), "--path-output", str(out), "--builder", builder]
    proc = subprocess.run(cmd, cwd=book, capture_output=True, text=True)
    log_path = logs / f"jupyter-book-{builder}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_text(proc.stdout + proc.stderr, encoding="utf-8")
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise BuildError(f"jupyter-book {builder} build failed (log: {log_path}):\n{tail}")
    return out / "_build" / builder


def _publish(staged: Path, target: Path) -> None:
    """Replace ``target`` with ``staged`` so that readers never see a half-written site."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = target.with_name(f".{target.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(staged, target)
    if old.exists():
        shutil.rmtree(old)


def stage_book(root: Path, stage: Path, data: DataSet, year: int) -> Path:
    """Copy the book's sources into ``stage`` and add the executed notebooks and generated pages."""
    from .pages import write_generated_pages

    book = stage / "book"
    shutil.copytree(root / "book", book, ignore=shutil.ignore_patterns("chapters", "generated", "_build"))
    execute_all(year, data.data_dir, book / "chapters")
    write_generated_pages(data, year, book / "generated")
    return book


def build(year: int | None = None, data_dir: str | Path | None = None, pdf: bool = False,
          out_dir: str | Path | None = None) -> BuildResult:
    """Build the website (and PDF) for one report year; publish only when everything succeeded.

    The site lands in ``<out_dir>/html`` (default ``_build/html``).  With the default
    output the executed notebooks are also copied to ``book/chapters`` for researchers.
    """
    started = time.monotonic()
    root = project_root()
    data = load(data_dir)
    year = year or data.latest_year()
    if year not in data.years:
        raise BuildError(f"no observations for {year}: years with data are {', '.join(map(str, data.years))}")
    log(f"data OK: {len(data.catalogue.indicators)} indicators, years {data.years[0]}–{data.years[-1]}; edition {year}")
    out = Path(out_dir) if out_dir else root / "_build"
    out.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".stage-", dir=out))
    try:
        book = stage_book(root, stage, data, year)
        config_path = stage / "_config.yml"
        from .pdf import PDF_NAME

        pdf_name = PDF_NAME.format(year=year) if pdf else None
        config = edition_config(root, data, year, pdf_name)
        config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        log("building the website (jupyter-book html)")
        html = run_jupyter_book(book, root / "_toc.yml", config_path, stage / "jb", out / "logs")
        if pdf:
            from .pdf import build_pdf

            log("building the PDF (jupyter-book latex + xelatex)")
            pdf_path = build_pdf(book, root / "_toc.yml", config_path, stage / "jb", out / "logs", data, year)
            shutil.copyfile(pdf_path, html / pdf_name)
        _publish(html, out / "html")
        if out_dir is None:
            for name in ("chapters", "generated"):
                dest = root / "book" / name
                shutil.rmtree(dest, ignore_errors=True)
                shutil.copytree(book / name, dest)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    seconds = time.monotonic() - started
    log(f"done in {seconds:.1f} s")
    site = out / "html"
    return BuildResult(site=site, pdf=site / pdf_name if pdf_name else None, year=year, seconds=seconds)
