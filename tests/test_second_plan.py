"""One engine, any plan: `planbook init` makes a second plan's book that builds, with nothing of this one."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import ROOT

PLACE = re.compile("历城|济南|Licheng|licheng")


@pytest.fixture(scope="module")
def second(tmp_path_factory):
    """A new book made by `planbook init` and built (site and PDF) from inside its folder."""
    folder = tmp_path_factory.mktemp("second") / "book"
    run = [sys.executable, "-m", "planbook"]
    init = subprocess.run([*run, "init", str(folder)], capture_output=True, text=True, cwd=ROOT)
    assert init.returncode == 0, init.stderr
    check = subprocess.run([*run, "check"], capture_output=True, text=True, cwd=folder)
    assert check.returncode == 0, check.stderr
    build = subprocess.run([*run, "build", "--pdf"], capture_output=True, text=True, cwd=folder)
    assert build.returncode == 0, build.stderr
    return folder


def test_the_second_plan_builds_its_own_book(second):
    site = second / "_build" / "html"
    assert sorted(p.name for p in site.iterdir() if p.name.isdigit()) == ["2025"]  # the latest year with data
    edition = site / "2025"
    assert (edition / "example-evaluation-2025.pdf").stat().st_size > 10_000
    # Its own dimensions, from the one shared chapter notebook, with their names as titles.
    for chapter, title in (("livable", "宜居"), ("innovation", "创新")):
        page = (edition / "chapters" / f"{chapter}.html").read_text("utf-8")
        assert f"<h1>{title}" in page and "研发经费投入强度" in (edition / "chapters" / "innovation.html").read_text("utf-8")
    # Its own milestones: 2027 and 2030, so 2025 is an annual edition here.
    assert "2025 年度评估报告（年度评估）" in subprocess.run(
        ["pdftotext", str(edition / "example-evaluation-2025.pdf"), "-"], capture_output=True, text=True).stdout
    overview = (edition / "chapters" / "overview.html").read_text("utf-8")
    assert "示例县" in overview and "对照 2027 年目标" in overview


def test_nothing_of_this_plan_appears_in_the_second(second):
    checked = 0
    for path in sorted((second / "_build" / "html").rglob("*")):
        if path.is_dir() or path.suffix in (".png", ".svg", ".woff2", ".woff", ".ttf", ".ico", ".gif"):
            continue
        if path.suffix == ".pdf":
            text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
        elif path.suffix == ".xlsx":
            import openpyxl

            wb = openpyxl.load_workbook(path)
            text = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row)
        else:
            text = path.read_text("utf-8", errors="replace")
        assert not PLACE.search(text), path
        checked += 1
    assert checked > 50


def test_the_package_holds_no_place_of_this_plan():
    found = [str(p) for p in (ROOT / "src" / "planbook").rglob("*")
             if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".js",)
             and PLACE.search(p.read_text("utf-8", errors="replace"))]
    assert found == []


def test_init_refuses_a_folder_that_is_not_empty(tmp_path, cli):
    (tmp_path / "x.txt").write_text("mine", encoding="utf-8")
    code, out, err = cli("init", str(tmp_path))
    assert code == 2 and "exists and is not empty" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.txt"]
