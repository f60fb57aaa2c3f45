"""How a build shares out and overlaps its work: worker plans, Sphinx reading while notebooks
run, copies that keep their times, the math cache, the contents seeded for XeLaTeX."""

from __future__ import annotations

import json
import os

import pytest

from planbook.site import sphinx_ext
from planbook.build.pipeline import plan_workers, ready_order
from planbook.project import chapters
from planbook.build.cache import sync_tree
from planbook.book.pdf import seed_contents

from conftest import ROOT


@pytest.mark.parametrize("cores", [1, 2, 4])
@pytest.mark.parametrize("pdf", [False, True])
def test_every_chapter_is_given_to_exactly_one_worker(cores, pdf):
    for todo in (chapters(ROOT), ("smart", "overview"), ("green",)):
        groups = plan_workers(todo, cores, pdf)
        assert sorted(c for g in groups for c in g) == sorted(todo)
        assert 1 <= len(groups) <= min(cores, len(todo))
        assert sorted(ready_order(todo, cores, pdf)) == sorted(todo)


def test_a_whole_edition_uses_every_core_and_a_small_rebuild_one_worker():
    assert len(plan_workers(chapters(ROOT), 2)) == 2
    assert len(plan_workers(chapters(ROOT), 1)) == 1
    # Two small notebooks: a second worker's start-up would cost more than it saves.
    assert plan_workers(("smart", "overview"), 2) == [["smart", "overview"]]


def test_ready_order_takes_each_workers_first_notebook_first():
    groups = plan_workers(chapters(ROOT), 2)
    order = ready_order(chapters(ROOT), 2)
    assert order[:2] == [groups[0][0], groups[1][0]]


def test_sphinx_reads_other_pages_first_and_rereads_pending_chapters(monkeypatch, tmp_path):
    pending = {"chapters/overview": str(tmp_path / "overview.ipynb"), "chapters/smart": str(tmp_path / "smart.ipynb")}
    monkeypatch.setenv("PLANBOOK_PENDING", json.dumps(pending))
    docs = ["chapters/balanced", "chapters/overview", "chapters/smart", "intro", "methodology"]
    sphinx_ext._env_before_read_docs(None, None, docs)
    assert docs == ["chapters/balanced", "intro", "methodology", "chapters/overview", "chapters/smart"]
    # A pending chapter whose old copy looks unchanged is read again all the same.
    assert sphinx_ext._env_get_outdated(None, None, set(), {"chapters/smart"}, set()) == ["chapters/overview"]
    monkeypatch.delenv("PLANBOOK_PENDING")
    assert sphinx_ext._env_get_outdated(None, None, set(), set(), set()) == []


def test_a_pending_page_is_read_from_the_notebook_when_it_appears(monkeypatch, tmp_path):
    ready = tmp_path / "stage" / "smart.ipynb"
    ready.parent.mkdir()
    monkeypatch.setenv("PLANBOOK_PENDING", json.dumps({"chapters/smart": str(ready)}))
    ready.write_text('{"executed": true}', encoding="utf-8")
    os.utime(ready, ns=(10**18, 10**18))
    copy = tmp_path / "copy" / "smart.ipynb"
    copy.parent.mkdir()
    copy.write_text('{"cells": []}', encoding="utf-8")  # the stand-in Sphinx found

    class Env:
        def doc2path(self, docname):
            return str(tmp_path / "copy" / (docname.split("/")[-1] + ".ipynb"))

    class App:  # what _source_read looks at; its warm-up is done already
        def __init__(self):
            self.__dict__["_planbook_warm"] = True
            self.env = Env()

    source = ['{"cells": []}']
    sphinx_ext._source_read(App(), "chapters/smart", source)
    assert source == ['{"executed": true}']
    # Sphinx's copy is now what it read, dated like the notebook (before Sphinx records its reading).
    assert copy.read_text("utf-8") == '{"executed": true}' and copy.stat().st_mtime_ns == 10**18
    other = ["# intro"]
    sphinx_ext._source_read(App(), "intro", other)
    assert other == ["# intro"]


def test_sphinx_collects_garbage_again_once_it_has_read_the_pages(monkeypatch):
    """The Sphinx process reads with the cyclic collector off (planbook.site.sphinx_run); it
    must come back on for the writing even when reading fails, or the memory of a large book
    would grow with every page it writes."""
    import gc

    from sphinx.builders import Builder

    from planbook.site import sphinx_run

    seen = {}

    def read(self):
        seen["enabled while reading"] = gc.isenabled()
        if seen.get("fail"):
            raise RuntimeError("a page could not be read")
        return {"index"}

    monkeypatch.setattr(Builder, "read", read)
    was = gc.isenabled()
    try:
        sphinx_run._collect_after_reading()
        for fail in (False, True):
            seen["fail"] = fail
            gc.disable()
            if fail:
                with pytest.raises(RuntimeError):
                    Builder.read(object())
            else:
                assert Builder.read(object()) == {"index"}
            assert seen["enabled while reading"] is False
            assert gc.isenabled(), "the collector stayed off after reading"
    finally:
        gc.unfreeze()
        (gc.enable if was else gc.disable)()


def test_sync_with_kept_times_writes_only_changes_and_keeps_the_source_time(tmp_path):
    src, dest = tmp_path / "src", tmp_path / "dest"
    src.mkdir()
    (src / "a.ipynb").write_text("new", encoding="utf-8")
    (src / "b.ipynb").write_text("same", encoding="utf-8")
    os.utime(src / "a.ipynb", ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    dest.mkdir()
    (dest / "a.ipynb").write_text("old", encoding="utf-8")
    (dest / "b.ipynb").write_text("same", encoding="utf-8")
    (dest / "pending.ipynb").write_text("stand-in", encoding="utf-8")
    before = (dest / "b.ipynb").stat().st_mtime_ns
    assert sync_tree(src, dest, keep=("pending.ipynb",), keep_times=True) == 1
    assert (dest / "a.ipynb").read_text("utf-8") == "new"
    assert (dest / "a.ipynb").stat().st_mtime_ns == 1_000_000_000_000_000_000
    assert (dest / "b.ipynb").stat().st_mtime_ns == before
    assert (dest / "pending.ipynb").exists()  # kept: being made elsewhere
    assert sync_tree(src, dest) == 1 and not (dest / "pending.ipynb").exists()


def test_seeded_contents_list_every_heading_in_order():
    tex = r"""\title{x}\section{not in the body}
\begin{document}
\clearpage\phantomsection\addcontentsline{toc}{chapter}{会议摘要}
\chapter{关于本评估}\label{x}
\section{规划与\sphinxstyleemphasis{评估}对象}
\subsection{细节}
\chapter{总体评估}
\end{document}"""
    lines = seed_contents(tex).splitlines()
    assert lines == [
        r"\contentsline {chapter}{会议摘要}{1}{}%",
        r"\contentsline {chapter}{\numberline {}关于本评估}{1}{}%",
        r"\contentsline {section}{\numberline {}规划与\sphinxstyleemphasis{评估}对象}{1}{}%",
        r"\contentsline {subsection}{\numberline {}细节}{1}{}%",
        r"\contentsline {chapter}{\numberline {}总体评估}{1}{}%",
    ]


def test_formulas_are_kept_for_the_next_build(site):
    cache = site.parents[1] / "cache" / "math"
    formulas = sorted(cache.glob("*.svg"))
    assert formulas, "the build renders the methodology's formulas into the math cache"
    assert all(f.read_text("utf-8").lstrip().startswith("<?xml") for f in formulas)
    assert "data:image/svg+xml;base64," in (site / "methodology.html").read_text("utf-8")


def test_site_shows_the_executed_chapters_not_stand_ins(site):
    for chapter in chapters(ROOT):
        page = (site / "chapters" / f"{chapter}.html").read_text("utf-8")
        assert 'class="pb-table"' in page or "pb-chart" in page, chapter
    work = site.parents[1] / "cache" / "sphinx" / "2022" / "html" / "book" / "chapters"
    for chapter in chapters(ROOT):  # Sphinx's copy is the executed notebook, not the empty stand-in
        assert json.loads((work / f"{chapter}.ipynb").read_text("utf-8"))["cells"]


def test_a_dismissed_standby_worker_exits(tmp_path):
    from planbook.build.worker import Standby

    from conftest import ROOT

    standby = Standby(ROOT)
    proc = standby.procs[0]
    standby.dismiss()
    assert proc.wait(timeout=60) == 0
    assert standby.take() is None


def test_the_command_line_build_uses_its_standby_worker_and_keeps_what_is_unchanged(tmp_path):
    import subprocess
    import sys

    from conftest import BOOK_DATA, ROOT

    cmd = [sys.executable, "-m", "planbook", "build", "--year", "2022", "--data", str(BOOK_DATA), "--out", str(tmp_path)]
    first = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert first.returncode == 0, first.stderr
    assert "] executed " in first.stderr and (tmp_path / "html" / "2022" / "chapters" / "smart.html").is_file()
    again = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "edition 2022 unchanged since it was published: kept" in again.stderr
