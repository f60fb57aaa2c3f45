"""Sphinx (``jupyter-book build``) as a process: started early, fed the chapters as they come,
its warnings turned into a failed build (the book is built warning-free)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from planbook.errors import BuildError


def start_jupyter_book(book: Path, toc: Path, config_path: Path, out: Path, builder: str = "html",
                       pending: dict[str, Path] | None = None, math_cache: Path | None = None,
                       nice: int | str = 0, ready: Path | None = None) -> subprocess.Popen:
    """Start ``jupyter-book build``. ``pending`` names the pages whose notebooks are still
    executing ({docname: where the executed notebook will appear}): Sphinx reads every other
    page first and waits for those (see planbook.sphinx_ext), so its work overlaps with the
    notebooks'. ``math_cache`` keeps rendered formulas from one build to the next. The command
    is Jupyter Book's own, run by :mod:`planbook.site.sphinx_run` (which exits sooner). With
    ``ready``, Sphinx starts up and waits for that file before it looks at the sources."""
    cmd = [sys.executable, "-m", "planbook.site.sphinx_run", str(book), "--config", str(config_path),
           "--toc", str(toc), "--path-output", str(out), "--builder", builder]
    env = {**os.environ}
    if pending:
        env |= {"PLANBOOK_PARENT": str(os.getpid()),
                "PLANBOOK_PENDING": json.dumps({doc: str(path) for doc, path in pending.items()})}
    if ready:
        env |= {"PLANBOOK_PARENT": str(os.getpid()), "PLANBOOK_SOURCES_READY": str(ready)}
    if math_cache:
        env["PLANBOOK_MATH_CACHE"] = str(math_cache)
        # imgmath's latex, sandboxed and with a time limit (planbook.tex_sandbox).
        from planbook.tex_sandbox import sandbox_env, wrapper_dir

        env = sandbox_env(env)
        env["PATH"] = f"{wrapper_dir(Path(math_cache).parent / 'texbin')}{os.pathsep}{env.get('PATH', '')}"
    if nice:
        env["PLANBOOK_NICE"] = str(nice)
    from planbook.build.lock import inherited_fds

    return subprocess.Popen(cmd, cwd=book, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                            pass_fds=inherited_fds())


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_SPHINX_PROBLEM = re.compile(r"(?:^|: )(WARNING|ERROR|CRITICAL|SEVERE): ")


def sphinx_problems(output: str, source: Path | None = None) -> list[str]:
    """The warnings and errors in a Sphinx log, one line each (paths under ``source`` shortened).

    The book is built warning-free, so each of these is a page that does not show what it
    should (a table Sphinx could not read is dropped from the page, with only a log line
    to say so): the build fails on them."""
    found = []
    for line in _ANSI.sub("", output).splitlines():
        if _SPHINX_PROBLEM.search(line):
            line = line.replace(f"{source}/", "") if source else line
            found.append(commentary_place(line, source) if source else line)
    return found


# How myst-nb numbers the lines of a notebook: (cell index + 1) * 10000 + the line in the cell.
_NOTEBOOK_LINE = re.compile(r"(?P<page>chapters/[^\s:]+)\.ipynb:(?P<n>\d+)")


def commentary_place(line: str, source: Path) -> str:
    """A Sphinx message about a line of an executed chapter, named by the commentary file and line
    that text came from when it came from one (the commentary cells carry their origin, see
    planbook.book.notebook._show_markdown): ``commentary/2025/green.md:12`` instead of
    ``chapters/green.ipynb:150011``."""
    match = _NOTEBOOK_LINE.search(line)
    if not match:
        return line
    n = int(match.group("n"))
    cell, offset = n // 10000 - 1, n % 10000
    try:
        nb = json.loads((Path(source) / f"{match.group('page')}.ipynb").read_text("utf-8"))
        origin = nb["cells"][cell].get("metadata", {}).get("planbook")
    except (OSError, ValueError, IndexError, KeyError, TypeError):
        return line
    if not origin:
        return line
    where = f"{origin['source']}:{int(origin['line']) + max(offset - 1, 0)}"
    return line[:match.start()] + where + line[match.end():]


def finish_jupyter_book(proc: subprocess.Popen, out: Path, logs: Path, builder: str = "html",
                        source: Path | None = None) -> Path:
    output, _ = proc.communicate()
    log_path = logs / f"jupyter-book-{builder}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_text(output, encoding="utf-8")
    if proc.returncode != 0:
        tail = "\n".join(output.strip().splitlines()[-15:])
        raise BuildError(f"jupyter-book {builder} build failed (log: {log_path}):\n{tail}")
    problems = sphinx_problems(output, source)
    if problems:
        shown = "\n".join(problems[:8]) + (f"\n… and {len(problems) - 8} more" if len(problems) > 8 else "")
        raise BuildError(f"jupyter-book {builder} build reported {len(problems)} problem(s) with the pages "
                         f"(log: {log_path}); nothing was published:\n{shown}")
    return out / "_build" / builder


PLACEHOLDER = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n'


READY_FILE = "sources.ready"


@dataclass
class SphinxRun:
    """A ``jupyter-book build`` started on a persistent copy of an edition's sources.

    ``work`` (``<out>/cache/sphinx/<year>/<builder>``) holds the copy (``book/``, ``configs/``)
    and Sphinx's output and environment (``out/``). Only changed files are written into the
    copy, so Sphinx re-reads only the pages that changed. The chapters named ``pending`` are
    still being made: Sphinx reads the rest of the book first and each of those when it
    appears in ``chapters``, and puts it in its copy as it reads it (see :mod:`planbook.site.sphinx_ext`).
    """

    proc: subprocess.Popen
    work: Path
    builder: str
    chapters: Path

    @classmethod
    def start(cls, work: Path, builder: str, book: Path, configs: Path, toc: str, config: str,
              chapters: Path, pending: list[str], math_cache: Path | None = None, nice: int | str = 0,
              later: tuple[str, ...] = ()) -> SphinxRun:
        """``later``: folders of the book still being written; Sphinx waits for them before it
        reads the table of contents (:meth:`sources_ready`)."""
        from planbook.build import cache as nbcache

        nbcache.sync_tree(configs, work / "configs")
        nbcache.sync_tree(book, work / "book", keep=("chapters", *later))
        copy = work / "book" / "chapters"
        copy.mkdir(parents=True, exist_ok=True)
        names = tuple(f"{c}.ipynb" for c in pending)
        nbcache.sync_tree(chapters, copy, keep=names, keep_times=True)
        for name in names:  # Sphinx finds a page by its file: an empty notebook stands in
            if not (copy / name).exists():
                (copy / name).write_text(PLACEHOLDER, encoding="utf-8")
        shutil.rmtree(work / "out" / "_build" / builder, ignore_errors=True)  # written anew, as in a first build
        ready = work / READY_FILE
        ready.unlink(missing_ok=True)
        proc = start_jupyter_book(work / "book", work / "configs" / toc, work / "configs" / config, work / "out",
                                  builder, pending={f"chapters/{c}": chapters / f"{c}.ipynb" for c in pending},
                                  math_cache=math_cache, nice=nice, ready=ready if later else None)
        return cls(proc, work, builder, chapters)

    def sources_ready(self, book: Path, folders: tuple[str, ...]) -> None:
        """Put the ``folders`` of ``book`` the run was started without into its copy, and let it go on."""
        from planbook.build import cache as nbcache

        for name in folders:
            nbcache.sync_tree(book / name, self.work / "book" / name)
        (self.work / READY_FILE).touch()

    def finish(self, logs: Path) -> Path:
        """Wait for Sphinx; return its output folder. When it failed or warned, its copy and
        environment are dropped: the next build reads every page again (and so warns again)."""
        try:
            return finish_jupyter_book(self.proc, self.work / "out", logs, self.builder, source=self.work / "book")
        except BuildError:
            shutil.rmtree(self.work, ignore_errors=True)
            raise

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
