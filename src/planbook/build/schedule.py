"""Sharing the chapters out among notebook workers, and running them (:mod:`planbook.build.worker`)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from planbook.errors import BuildError, NotebookError
from planbook.project import project_root
from planbook.build.progress import log
from planbook.build.worker import WORKER_CELL_ERROR, Standby, spawn, task_line


# Seconds a chapter takes to execute in a warm kernel, a worker to start (Python, kernel,
# imports), a chart's print image, and the CPU the two Sphinx builds (website, PDF) use while
# the notebooks run — measured on the project's 2-core machine, 2026-11-29. They only decide
# how the work is shared out, never what is computed.
# A dimension's chapter (0.55–0.65 s and 7–8 charts for this project's); the overview draws no chart.
CHAPTER_SECONDS = {"overview": 0.4}
CHAPTER_CHARTS = {"overview": 0}
WORKER_SECONDS = 1.2
PRINT_IMAGE_SECONDS = 0.16
SPHINX_SECONDS = 2.0


def chapter_seconds(chapter: str, pdf: bool = False) -> float:
    return CHAPTER_SECONDS.get(chapter, 0.6) + (PRINT_IMAGE_SECONDS * CHAPTER_CHARTS.get(chapter, 7) if pdf else 0)


def assign(chapters: tuple[str, ...], workers: int, pdf: bool = False) -> list[list[str]]:
    """Share the chapters among workers, longest first, each to the least loaded worker."""
    groups: list[list[str]] = [[] for _ in range(workers)]
    load = [0.0] * workers
    for chapter in sorted(chapters, key=lambda c: (-chapter_seconds(c, pdf), c)):
        k = load.index(min(load))
        groups[k].append(chapter)
        load[k] += chapter_seconds(chapter, pdf)
    return [g for g in groups if g]


def plan_workers(chapters: tuple[str, ...], cores: int, pdf: bool = False) -> list[list[str]]:
    """The groups of chapters to give to workers, one worker per group.

    More workers run more notebooks at once but each costs a start-up, and they share the
    cores with Sphinx: the plan with the shortest estimated time is taken (a rebuild of one
    or two chapters is done by one worker, a whole edition by one per core).
    """
    def estimate(groups: list[list[str]]) -> float:
        longest = max(sum(chapter_seconds(c, pdf) for c in g) for g in groups)
        total = sum(chapter_seconds(c, pdf) for c in chapters) + len(groups) * WORKER_SECONDS
        total += SPHINX_SECONDS * (2 if pdf else 1)
        return max(WORKER_SECONDS + longest, total / max(1, cores))

    if not chapters:
        return []
    plans = [assign(chapters, n, pdf) for n in range(1, max(1, min(len(chapters), cores)) + 1)]
    return min(plans, key=estimate)


def execute_all(year: int, data_dir: Path, out_dir: Path, chapters: tuple[str, ...],
                extra: dict | None = None, print_dir: Path | None = None, png_cache: Path | None = None,
                standby: Standby | None = None) -> list[Path]:
    """Execute the chapters in parallel: one worker process per core, one kernel per worker.

    Each worker (:mod:`planbook.build.worker`) runs its share of the notebooks one after another
    in a single kernel, so kernel start-up and imports are paid once per worker, not once per
    notebook; a worker from ``standby`` (already started) takes the largest share. With
    ``print_dir`` each worker also writes there the PDF's copy of every notebook, with print
    images. An interrupted build stops every worker (nothing keeps writing).
    """
    from concurrent.futures import ThreadPoolExecutor

    groups = plan_workers(tuple(chapters), os.cpu_count() or 1, pdf=print_dir is not None)
    root = project_root()
    pdf = print_dir is not None
    # The worker already started (if any) takes the group with the most to do.
    first = max(range(len(groups)), key=lambda k: sum(chapter_seconds(c, pdf) for c in groups[k]))
    ready = standby.take() if standby else None
    procs = [ready if k == first and ready else spawn(root) for k in range(len(groups))]

    def run(group: list[str], proc: subprocess.Popen) -> list[Path]:
        jobs = [{"chapter": c, "output": str(out_dir / f"{c}.ipynb"),
                 "print": str(print_dir / f"{c}.ipynb") if print_dir else None,
                 "png_cache": str(png_cache) if png_cache else None} for c in group]
        stdout, stderr = proc.communicate(task_line(year, data_dir, extra or {}, jobs))
        if proc.returncode == 0:
            return [Path(j["output"]) for j in jobs]
        if proc.returncode == WORKER_CELL_ERROR:
            raise NotebookError(**json.loads(stdout.strip().splitlines()[-1]))
        tail = "\n".join(stderr.strip().splitlines()[-8:])
        raise BuildError(f"notebooks {', '.join(group)} (year {year}) could not be executed (exit {proc.returncode}):\n{tail}")

    with ThreadPoolExecutor(max_workers=len(groups)) as pool:
        futures = [pool.submit(run, g, p) for g, p in zip(groups, procs)]
        try:
            for group, future in zip(groups, futures):
                future.result()
                log(f"executed {', '.join(group)} ({year})")
        except BaseException:
            for f in futures:
                f.cancel()
            for proc in procs:
                if proc.poll() is None:
                    proc.terminate()
            raise
    return [out_dir / f"{c}.ipynb" for c in chapters]


def ready_order(chapters: tuple[str, ...], cores: int, pdf: bool = False) -> list[str]:
    """The order in which the chapters' notebooks are expected to be ready: each worker's
    first, then each worker's second, and so on (see :func:`plan_workers`)."""
    groups = plan_workers(chapters, cores, pdf)
    return [g[i] for i in range(max(map(len, groups), default=0)) for g in groups if i < len(g)]
