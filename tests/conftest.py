"""Shared test helpers: the project root, the CLI, and small data folders."""

from __future__ import annotations

import io
import os
import shutil
from collections import Counter
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
BOOK_DATA = FIXTURES / "book-data"

# The suite reads the messages in English, the language the code is written in; the tests of the
# Chinese messages staff see (test_messages.py) ask for them with --lang zh.
os.environ["PLANBOOK_LANG"] = "en"

# What the reliability checks did, printed at the end of the run (see pytest_terminal_summary).
STATS: Counter = Counter()


def run_cli(*args: str) -> tuple[int, str, str]:
    """Run ``planbook ARGS`` in-process; return (exit code, stdout, stderr)."""
    from planbook.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of the shipped data/ folder that a test may change."""
    dest = tmp_path / "data"
    shutil.copytree(ROOT / "data", dest)
    return dest


@pytest.fixture
def obs_dir(tmp_path: Path) -> Path:
    """An empty data folder (project catalogue) with an observations/ subfolder."""
    folder = tmp_path / "data" / "observations"
    folder.mkdir(parents=True)
    return folder


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The 2022 edition (site and PDF) built once from the fixture data into a temporary folder."""
    from planbook.build.pipeline import build

    out = tmp_path_factory.mktemp("book")
    [result] = build(year=2022, data_dir=BOOK_DATA, out_dir=out, pdf=True)
    assert result.site == out / "html" / "2022" and result.pdf == result.site / "licheng-evaluation-2022.pdf"
    return result.site


# The fast lane (`make test-fast`, `pytest -m "not slow"`): a test is slow when it, or a fixture it
# uses, builds an edition, executes a notebook, drives the browser or starts other processes. It is
# marked at collection from what its code calls, so a new test that builds is in the slow lane
# without anyone remembering to mark it (an explicit @pytest.mark.slow marks it too).
SLOW_CALLS = ("build(", '"build"', "run_chapter(", "execute_notebook(", "execute_all(", "start_jupyter_book(",
              "SphinxRun", "chromium", "subprocess.", "publish(", '"publish"', '"run"', "spawn(")


def _calls_slow(func, seen: dict) -> bool:
    import inspect

    key = getattr(func, "__code__", func)
    if key not in seen:
        try:
            source = inspect.getsource(func)
        except (OSError, TypeError):
            source = ""
        seen[key] = any(call in source for call in SLOW_CALLS)
    return seen[key]


def pytest_collection_modifyitems(config, items):
    seen: dict = {}
    for item in items:
        if item.get_closest_marker("slow"):
            continue
        funcs = [getattr(item, "function", None)]
        infos = getattr(item, "_fixtureinfo", None)
        for defs in (infos.name2fixturedefs.values() if infos else ()):
            funcs += [d.func for d in defs if "_pytest" not in getattr(d.func, "__module__", "")]
        if any(f is not None and _calls_slow(f, seen) for f in funcs):
            item.add_marker(pytest.mark.slow)


def pytest_terminal_summary(terminalreporter):
    if not STATS:
        return
    read, refused = STATS["inputs read"], STATS["inputs refused"]
    terminalreporter.write_sep("-", "reliability")
    terminalreporter.write_line(
        f"bad inputs tried: {read + refused} ({read} read as documented, {refused} refused with file/row/field); "
        f"failures forced: {STATS['failures forced']}; pages checked offline in the browser: {STATS['pages checked']}; "
        f"files compared across two builds: {STATS['files compared']}")
    terminalreporter.write_line(
        f"hostile texts rendered as written: {STATS['hostile texts rendered']}; files checked for live formulas: "
        f"{STATS['files checked for formulas']}; file-system faults forced: {STATS['environment faults forced']}; "
        f"concurrent or killed builds: {STATS['concurrent or killed builds']}")
