"""Reliability, second round: hostile text, spreadsheets, numbers, years, catalogues, the
file system, data changed during a build, concurrent and killed builds (issue 15).

Each test names the class of fault it closes; every one of them failed before the fix.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from planbook.build import pipeline as build_module
from planbook.build.pipeline import build
from planbook.inputs.dataset import load
from planbook.errors import BuildError, InputError

from conftest import BOOK_DATA, ROOT, STATS, run_cli
from test_book import table_rows

FORMULA = re.compile(r"^[=+\-@\t\r]")


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def warm(site, tmp_path) -> Path:
    """A copy of the session's output folder — published site (with its PDF), cache, logs —
    so that a test's build re-executes only what its own change touches."""
    out = tmp_path / "out"
    shutil.copytree(site.parents[1], out, symlinks=True)
    return out


@pytest.fixture
def data(tmp_path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(BOOK_DATA, folder)
    return folder


# --- Markdown structure from data ----------------------------------------------------------

HOSTILE_TEXTS = ["--", "---", "***", "a\rb", "a\u2028b", ":::{note}\nx\n:::", "1. x", "1) x", "- x", "+ x",
                 "> x", "# x", '"quoted" -- dash --- \'single\'', "    indented", "```", "~~~", "<!-- c -->",
                 "=HYPERLINK(\"http://example.com\")", "{{ plan_title }}", "(label)=", "% comment", "+++",
                 "[^1]", ": definition", "|a|b|", "\\", "$x$", "`c`", "*a* _b_", "<b>bold</b>", "&amp;",
                 "x\t\ty", "a\x0bb"]


def rendered_cells(markdown: str) -> tuple[list[str], list]:
    """The cells of the tables docutils reads from MyST Markdown (as Sphinx would), and its messages."""
    from docutils import nodes
    from docutils.core import publish_doctree
    from myst_parser.parsers.docutils_ import Parser

    doc = publish_doctree(markdown, parser=Parser(), settings_overrides={
        "myst_enable_extensions": ["colon_fence", "dollarmath", "deflist", "substitution"],
        "myst_substitutions": {"plan_title": "SUBSTITUTED"}, "report_level": 5, "smart_quotes": False})
    return [e.astext() for e in doc.findall(nodes.entry)], list(doc.findall(nodes.system_message))


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_markdown_from_data_renders_as_the_same_text(text):
    from planbook.report.format import Cell, Table

    table = Table(columns=["来源", "说明"], rows=[[Cell(text), Cell("z")]], caption=text, note=text)
    cells, messages = rendered_cells(table._repr_markdown_())
    assert messages == []
    assert cells == ["来源", "说明", re.sub(r"[\s\x0b]+", " ", text).strip(), "z"]  # line breaks show as spaces
    STATS["hostile texts rendered"] += 1


@pytest.mark.parametrize("text", [*HOSTILE_TEXTS, "````", "x\n```\ny", "x\r```\ry"])
def test_html_from_data_stays_inside_its_raw_block(text):
    """The website's tables of the indicator pages and the pages by department and area are raw
    HTML blocks: no text in a cell can close the block (and turn the rest into Markdown)."""
    from docutils import nodes
    from docutils.core import publish_doctree
    from myst_parser.parsers.docutils_ import Parser

    from planbook.book.indicator_pages import raw
    from planbook.report.format import Cell, Table

    body = Table(columns=["来源"], rows=[[Cell(text)]], caption=text)._repr_html_()
    doc = publish_doctree("\n".join(raw(body)) + "\n尾\n", parser=Parser(),
                          settings_overrides={"report_level": 5, "myst_enable_extensions": ["colon_fence"]})
    blocks = list(doc.findall(nodes.raw))
    assert len(blocks) == 1 and list(doc.findall(nodes.system_message)) == []
    same = lambda t: re.sub(r"[\s\x0b\u2028]+", " ", t)  # line breaks may be read as other line breaks
    assert same(blocks[0].astext()) == same(body)
    assert [p.astext() for p in doc.findall(nodes.paragraph)] == ["尾"]
    STATS["hostile texts rendered"] += 1


def test_hostile_notes_reach_site_and_pdf_as_written(site):
    """The fixture's notes and sources of 2021 hold Markdown and formula syntax."""
    rows = {r[0]: r for r in table_rows(site / "generated" / "data-appendix.html") if len(r) == 6 and r[1] == "2021"}
    assert rows["户籍人口城镇化率"][5] == ":::{note} 不是提示框 :::"
    assert rows["城乡居民收入比"][5] == "---"
    assert rows["环境空气质量优良天数比例"][5] == "--"
    assert rows["常住人口城镇化率"][5] == "\"引号\" -- 破折号 --- '单引号'"
    assert rows["职业技能培训人次"][4:] == ['=HYPERLINK("http://example.com","点击")', "1. 不是列表"]
    assert rows["地区生产总值"][4:] == ["@SUM(A1) 测试夹具", "- 不是列表 第二行"]  # a bare CR shows as a space
    overview = [[re.sub(r"\s+", " ", c) for c in r] for r in table_rows(site / "chapters" / "overview.html")]
    assert ["地区生产总值", "2021", "1166.00 亿元", "@SUM(A1) 测试夹具", "- 不是列表 第二行"] in overview
    text = subprocess.run(["pdftotext", "-layout", str(site / "licheng-evaluation-2022.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text).replace("\u2011", "-")  # Sphinx's unbreakable hyphen
    for piece in ('"引号"', "--破折号---", "'单引号'", ":::{note}", "1.不是列表", "-不是列表第二行", "@SUM(A1)"):
        assert piece in flat, piece
    STATS["hostile texts rendered"] += 6


def test_a_sphinx_problem_with_a_generated_page_fails_the_build(warm, data, monkeypatch):
    """Sphinx drops a table it cannot read and only logs an error: that must stop the build."""
    from planbook.report import format as tables

    def unescaped(text: str) -> str:  # how cells were written before: `--` is read as a rule
        return str(text).replace("\n", " ")

    before = digest(warm / "html")
    edit(data / "observations" / "2022.csv", "green_good_air_days,52.0", "green_good_air_days,52.5")
    monkeypatch.setattr(tables, "md_escape", unescaped)
    with pytest.raises(BuildError) as err:
        build(year=2022, data_dir=data, out_dir=warm)
    message = str(err.value)
    assert "problem(s) with the pages" in message and "nothing was published" in message
    assert re.search(r"^generated/data-appendix\.md:\d+: ERROR: .*list-table", message, re.M), message
    assert digest(warm / "html") == before and not list(warm.glob(".stage-*"))
    # Sphinx's copy is dropped: the next build reads the page again (and fails again) rather
    # than reusing what it read.
    assert not (warm / "cache" / "sphinx" / "2022" / "html").exists()
    STATS["failures forced"] += 1


# --- spreadsheet formulas -----------------------------------------------------------------

def formula_cells(path: Path) -> list[str]:
    """Cells of an XLSX stored as formulas."""
    wb = openpyxl.load_workbook(path)
    return [f"{ws.title}!{c.coordinate}" for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "f"]


def xlsx_texts(path: Path) -> set[str]:
    wb = openpyxl.load_workbook(path)
    return {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}


def csv_cells(text: str) -> list[str]:
    import csv

    return [c for row in csv.reader(io.StringIO(text)) for c in row]


@pytest.fixture
def hostile_data(tmp_path) -> Path:
    """A data folder whose catalogue has names and whose data has sources and notes that a
    spreadsheet would run as formulas."""
    folder = tmp_path / "hostile"
    shutil.copytree(BOOK_DATA, folder)
    raw = yaml.safe_load((ROOT / "data" / "catalogue.yaml").read_text("utf-8"))
    raw["plan"]["text"] = str(ROOT / "data" / raw["plan"]["text"])
    names = {"two_resident_urbanisation": "=1+1", "smart_5g_urban_coverage": "-5G覆盖率", "bal_income_ratio": "@收入比"}
    for entry in raw["indicators"]:
        entry["name_zh"] = names.get(entry["id"], entry["name_zh"])
    (folder / "catalogue.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def test_no_file_planbook_writes_holds_a_live_formula(hostile_data, tmp_path, site):
    from planbook.book.downloads import read_published_csv, write_downloads
    from planbook.inputs.intake import write_template
    from planbook.report.report import Report

    data = load(hostile_data)
    written = write_downloads(Report(data=data, year=2022), tmp_path / "downloads")
    written.append(write_template(data, 2023, tmp_path / "form.xlsx"))
    written += sorted((site / "downloads").glob("*"))  # the session's edition, built from the hostile notes
    seen = set()
    for path in written:
        if path.suffix == ".xlsx":
            assert formula_cells(path) == [], path
            texts = xlsx_texts(path)
        else:
            raw = path.read_text("utf-8-sig")
            assert not [c for c in csv_cells(raw) if FORMULA.match(c) and not re.fullmatch(r"-\d+(\.\d+)?", c)], path
            texts = set(read_published_csv(path).astype(str).stack())  # read back: the ' is dropped
        seen |= {t for t in ("=1+1", "-5G覆盖率", "@收入比", '=HYPERLINK("http://example.com","点击")',
                              "@SUM(A1) 测试夹具") if t in texts}
        STATS["files checked for formulas"] += 1
    # What a reader sees is the text itself, in every file.
    assert seen == {"=1+1", "-5G覆盖率", "@收入比", '=HYPERLINK("http://example.com","点击")', "@SUM(A1) 测试夹具"}
    code, out, _ = run_cli("indicators", "--format", "csv", "--data", str(hostile_data))
    assert code == 0 and "'=1+1" in out and "'-5G覆盖率" in out and not [c for c in csv_cells(out) if c.startswith("=")]
    STATS["files checked for formulas"] += 1


def test_ingest_writes_formula_like_text_inert_and_reads_it_back(data, tmp_path):
    from planbook.inputs.intake import ingest

    form = tmp_path / "form.csv"
    form.write_text('indicator_id,value,source,note\ntwo_resident_urbanisation,90.6,"=HYPERLINK(""http://x"")",+预计\n',
                    encoding="utf-8")
    target, _, written = ingest(form, 2023, data)
    assert written
    raw = target.read_text("utf-8")
    assert "'=HYPERLINK" in raw and "'+预计" in raw
    frame = load(data).observations.set_index(["indicator_id", "year"])
    assert frame.loc[("two_resident_urbanisation", 2023), "source"] == '=HYPERLINK("http://x")'
    assert frame.loc[("two_resident_urbanisation", 2023), "note"] == "+预计"
    STATS["files checked for formulas"] += 1


# --- data changed during a build; an HTML-only rebuild -----------------------------------------

@pytest.fixture(scope="module")
def changed_mid_build(site, tmp_path_factory):
    """A website-only build of 2022 in which the data file changes while the notebooks run
    (as `planbook ingest --force` would change it)."""
    base = tmp_path_factory.mktemp("mid-build")
    warm, data = base / "out", base / "data"
    shutil.copytree(site.parents[1], warm, symlinks=True)
    shutil.copytree(BOOK_DATA, data)
    csv = data / "observations" / "2022.csv"
    edit(csv, "smart_5g_urban_coverage,86.5", "smart_5g_urban_coverage,87.5")
    read = csv.read_bytes()
    original = build_module.execute_all

    def execute_while_the_data_changes(*args, **kwargs):
        edit(csv, "smart_5g_urban_coverage,87.5", "smart_5g_urban_coverage,99.9")
        return original(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(build_module, "execute_all", execute_while_the_data_changes)
        [result] = build(year=2022, data_dir=data, out_dir=warm)
    return result.site, data, read


def test_a_build_works_from_one_snapshot_of_its_inputs(changed_mid_build):
    from planbook.build.cache import notebook_key
    from planbook.book.verify import verify

    site, data, read = changed_mid_build
    warm = site.parents[1]
    assert "99.9" in (data / "observations" / "2022.csv").read_text("utf-8")  # the file did change
    smart = (site / "chapters" / "smart.html").read_text("utf-8")
    appendix = (site / "generated" / "data-appendix.html").read_text("utf-8")
    assert "87.5%" in smart and "99.9%" not in smart
    assert "87.5%" in appendix and "99.9%" not in appendix
    downloads = pd.read_csv(site / "downloads" / "observations-2022.csv", encoding="utf-8-sig")
    assert downloads.set_index(["indicator_id", "year"]).loc[("smart_5g_urban_coverage", 2022), "value"] == 87.5
    record = json.loads((site / "edition.json").read_text("utf-8"))
    sums = {i["file"].split("/")[-1]: i["sha256"] for i in record["inputs"]}
    assert sums["2022.csv"] == hashlib.sha256(read).hexdigest()  # what was read, not what is there now
    # The cache entry is keyed by what the notebook read, and holds what it read.
    csv = data / "observations" / "2022.csv"
    now = csv.read_bytes()
    csv.write_bytes(read)
    key_read = notebook_key(ROOT, load(data), "smart", 2022)
    csv.write_bytes(now)
    key_now = notebook_key(ROOT, load(data), "smart", 2022)
    entry = warm / "cache" / "notebooks" / f"{key_read}.ipynb"
    assert "87.5%" in entry.read_text("utf-8") and "99.9%" not in entry.read_text("utf-8")
    assert not (warm / "cache" / "notebooks" / f"{key_now}.ipynb").exists()
    # verify sees that the published edition is not what the data says now, and names the file.
    check = verify(site.parent, 2022, data)
    assert not check.ok and any("smart_5g_urban_coverage" in m for m in check.mismatches)
    assert any(line.endswith("2022.csv: changed since publication") for line in check.changed_inputs)
    STATS["failures forced"] += 1


def test_a_website_only_rebuild_keeps_the_published_pdf(changed_mid_build, site):
    rebuilt, _, _ = changed_mid_build
    pdf = rebuilt / "licheng-evaluation-2022.pdf"
    assert pdf.read_bytes() == (site / "licheng-evaluation-2022.pdf").read_bytes()
    for name in ("licheng-evaluation-2022.docx", "licheng-evaluation-2022-brief.pdf"):  # every output of the PDF build
        assert (rebuilt / name).read_bytes() == (site / name).read_bytes()
    record = json.loads((rebuilt / "edition.json").read_text("utf-8"))
    from planbook.book.outputs import recorded_files

    assert recorded_files(record)["pdf"] == pdf.name and record["pdf_outdated"] is True  # made from the data before
    index = (rebuilt.parent / "index.html").read_text("utf-8")
    assert '<a href="2022/licheng-evaluation-2022.pdf">PDF</a>' in index and "早于网页版数据" in index
    assert 'href="../licheng-evaluation-2022.pdf" download>PDF 版</a>' in (rebuilt / "chapters" / "smart.html").read_text("utf-8")


# --- two builds at once; killed builds ------------------------------------------------------

class Lines:
    """A process's stderr, read line by line in the background."""

    def __init__(self, proc: subprocess.Popen):
        self.lines: list[str] = []
        self.thread = threading.Thread(target=lambda: self.lines.extend(proc.stderr), daemon=True)
        self.thread.start()

    def wait_for(self, pattern: str, proc: subprocess.Popen, timeout: float = 60) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(re.search(pattern, line) for line in self.lines):
                return True
            if proc.poll() is not None:
                self.thread.join(5)
                return any(re.search(pattern, line) for line in self.lines)
            time.sleep(0.05)
        return False


def planbook(*args: str, cwd: Path = ROOT) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "planbook", *args], cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_a_second_build_in_the_same_folder_waits_for_the_first(warm):
    """While one build holds the output folder, another one waits (and says so); it starts
    from what the first one published, so no publish reverts another."""
    from planbook.build.lock import BuildLock

    before = digest(warm / "html")
    with BuildLock(warm, lambda message: None):  # a build in progress
        proc = planbook("build", "--year", "2022", "--data", str(BOOK_DATA), "--out", str(warm))
        err = Lines(proc)
        assert err.wait_for(r"waiting: another planbook build \(pid \d+\) is using", proc), err.lines
        time.sleep(0.5)
        assert proc.poll() is None and not list(warm.glob(".stage-*"))  # nothing done meanwhile
        assert digest(warm / "html") == before
    assert proc.wait(timeout=120) == 0, err.lines
    err.thread.join(5)
    assert any("edition 2022 unchanged since it was published: kept" in line for line in err.lines)
    assert not any("Traceback" in line for line in err.lines)
    STATS["concurrent or killed builds"] += 1


def test_two_real_builds_in_one_folder_publish_one_after_the_other(warm, data):
    """Two builds of different data started together: the one started second waits, then
    publishes last — its edition is the one on the site, and neither ends in a traceback."""
    first_data = data.parent / "first"
    shutil.copytree(data, first_data)
    edit(first_data / "observations" / "2022.csv", "green_good_air_days,52.0", "green_good_air_days,61.0")
    edit(data / "observations" / "2022.csv", "green_good_air_days,52.0", "green_good_air_days,62.0")
    first = planbook("build", "--year", "2022", "--data", str(first_data), "--out", str(warm), "--force")
    first_err = Lines(first)
    assert first_err.wait_for(r"building the 2022 website", first), first_err.lines
    second = planbook("build", "--year", "2022", "--data", str(data), "--out", str(warm))
    second_err = Lines(second)
    assert first.wait(timeout=120) == 0 and second.wait(timeout=120) == 0, (first_err.lines, second_err.lines)
    first_err.thread.join(5)
    second_err.thread.join(5)
    assert any(line.startswith("[planbook") and "waiting: another planbook build" in line for line in second_err.lines)
    # --force executes every notebook again (an entry in the cache is never trusted over it).
    executed = " ".join(line for line in first_err.lines if "] executed " in line)
    assert all(c in executed for c in ("overview", "smart", "green", "balanced", "two_way"))
    assert not any("from the cache" in line for line in first_err.lines)
    green = (warm / "html" / "2022" / "chapters" / "green.html").read_text("utf-8")
    assert "62.0%" in green and "61.0%" not in green
    assert not any("Traceback" in line for line in first_err.lines + second_err.lines)
    assert len(list(warm.glob(".site-*"))) == 1 and not list(warm.glob(".stage-*"))
    STATS["concurrent or killed builds"] += 1


@pytest.fixture(scope="module")
def after_kill(site, tmp_path_factory):
    """A build killed with SIGKILL while its notebooks run, then the same build again; both
    name their data and output folders relative to the working directory."""
    work = tmp_path_factory.mktemp("killed")
    shutil.copytree(site.parents[1], work / "out", symlinks=True)
    shutil.copytree(BOOK_DATA, work / "data")
    edit(work / "data" / "observations" / "2022.csv", "green_good_air_days,52.0", "green_good_air_days,57.0")
    out = work / "out"
    proc = planbook("build", "--year", "2022", "--data", "data", "--out", "out", cwd=work)
    err = Lines(proc)
    assert err.wait_for(r"building the 2022 website", proc, timeout=120), err.lines
    time.sleep(1.5)  # the notebooks are executing
    assert proc.poll() is None, err.lines
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    left = sorted(p.name for p in out.glob(".stage-*"))
    (out / ".site-99").mkdir()  # a site folder a killed publish left behind
    os.symlink(".site-99", out / ".link-99")
    again = subprocess.run([sys.executable, "-m", "planbook", "build", "--year", "2022", "--data", "data",
                            "--out", "out"], cwd=work, capture_output=True, text=True, timeout=300)
    return out, left, again


def test_what_a_killed_build_leaves_is_removed_by_the_next(after_kill):
    out, left, again = after_kill
    assert left, "the killed build left its staging folder"
    assert again.returncode == 0, again.stderr
    assert "left by a build that was killed" in again.stderr
    assert not list(out.glob(".stage-*")) and not list(out.glob(".link-*"))
    assert [p.name for p in out.glob(".site-*")] == [os.readlink(out / "html")]
    STATS["concurrent or killed builds"] += 1


def test_relative_data_and_out_folders_build(after_kill):
    out, _, again = after_kill
    assert again.returncode == 0 and "Traceback" not in again.stderr, again.stderr
    assert "57.0%" in (out / "html" / "2022" / "chapters" / "green.html").read_text("utf-8")
    record = json.loads((out / "html" / "2022" / "edition.json").read_text("utf-8"))
    assert "data/observations/2022.csv" in {i["file"] for i in record["inputs"]}
    assert (out / "html" / "2022" / "licheng-evaluation-2022.pdf").is_file()


# --- the file system ------------------------------------------------------------------------

@pytest.fixture
def published(site, tmp_path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(site.parent, out / "html")
    return out


def one_error_line(err: str) -> str:
    """The command's one error line: its last line (before it only the build's progress)."""
    lines = err.strip().splitlines()
    errors = [line for line in lines if not line.startswith("[planbook ")]
    assert len(errors) == 1 and errors[0] == lines[-1] and lines[-1].startswith("error: "), err
    assert "Traceback" not in err
    return lines[-1]


def test_a_full_disk_ends_in_one_line_and_leaves_the_site(published, monkeypatch, capfd):
    from planbook.book import pages

    def full(edition, folder, files=None):
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / "data-appendix.md"))

    before = digest(published / "html")
    monkeypatch.setattr(pages, "write_generated_pages", full)
    code, out, err = run_cli("build", "--year", "2022", "--data", str(BOOK_DATA), "--out", str(published), "--force")
    line = one_error_line(err)
    assert code == 2 and "data-appendix.md: No space left on device: the disk is full" in line
    assert "nothing was published" in line
    assert digest(published / "html") == before and not list(published.glob(".stage-*"))
    STATS["environment faults forced"] += 1


def test_an_unwritable_output_folder_ends_in_one_line(published, monkeypatch):
    import tempfile

    def refuse(prefix, dir):  # what mkdtemp meets in a read-only _build (root ignores chmod)
        raise PermissionError(errno.EACCES, "Permission denied", os.path.join(dir, prefix + "x"))

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    code, out, err = run_cli("build", "--year", "2022", "--data", str(BOOK_DATA), "--out", str(published))
    line = one_error_line(err)
    assert code == 2 and f"{published}/.stage-x: Permission denied: this folder cannot be written" in line
    STATS["environment faults forced"] += 1


def test_a_damaged_edition_record_ends_in_one_line(published):
    other = published / "html" / "2021"
    other.mkdir()
    (other / "edition.json").write_text('{"year": 2021, "kind": "annu', encoding="utf-8")
    code, _, err = run_cli("build", "--year", "2022", "--data", str(BOOK_DATA), "--out", str(published))
    line = one_error_line(err)
    assert code == 2 and f"{other}/edition.json: damaged edition record" in line
    assert "planbook build --year 2021" in line
    (published / "html" / "2022" / "edition.json").write_text("\x00\x01", encoding="utf-8")
    code, _, err = run_cli("verify", "--year", "2022", "--data", str(BOOK_DATA), "--site", str(published / "html"))
    assert code == 2 and "2022/edition.json: damaged edition record" in one_error_line(err)
    # The record of the edition being rebuilt may be damaged: it is simply built again.
    assert build_module.published_record(published / "html", 2022) is None
    STATS["environment faults forced"] += 2


def test_damaged_cache_entries_are_dropped_and_made_again(tmp_path):
    from planbook.build.cache import copy_cached, store
    from planbook.site.vega import add_print_images, usable_png

    cache = tmp_path / "cache"
    executed = tmp_path / "smart.ipynb"
    executed.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n', encoding="utf-8")
    store(cache, "k", executed)
    assert copy_cached(cache, "k", tmp_path / "copy.ipynb")
    (cache / "k.ipynb").write_bytes(b'{"cells": [')  # truncated
    assert not copy_cached(cache, "k", tmp_path / "again.ipynb")
    assert not (cache / "k.ipynb").exists() and not (tmp_path / "again.ipynb").exists()
    # A print image cut short is drawn again.
    import nbformat

    from planbook.plan.catalogue import Target
    from planbook.report.charts import indicator_chart, render
    from test_assess import indicator

    series = pd.DataFrame({"year": [2021, 2022], "value": [50.0, 60.0], "kind": ["official", "official"]})
    chart = render(indicator_chart(indicator(targets=(Target(2025, 100, ">=", "100"),)), series, 2022, (2021, 50.0)),
                   alt_text="图")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[
        nbformat.v4.new_output("display_data", data=chart._repr_mimebundle_())])])
    path = tmp_path / "chart.ipynb"
    nbformat.write(nb, str(path))
    png_cache = tmp_path / "png"
    assert add_print_images(path, png_cache) == 1
    [png] = png_cache.glob("*.png")
    png.write_bytes(png.read_bytes()[:100])
    assert add_print_images(path, png_cache) == 1 and usable_png(png.read_bytes())
    STATS["environment faults forced"] += 2


# --- years ---------------------------------------------------------------------------------

@pytest.mark.parametrize("year", ["0", "-5", "2019", "2036", "99999"])
def test_years_outside_the_plan_are_refused_before_anything_is_written(year, data, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    form = tmp_path / "form.csv"
    form.write_text("indicator_id,value,source\ntwo_resident_urbanisation,90.1,区统计局\n", encoding="utf-8")
    before = sorted(p.name for p in (data / "observations").iterdir())
    for args in (["template", "--year", year], ["ingest", str(form), "--year", year], ["assess", "--year", year],
                 ["run", "smart", "--year", year], ["build", "--year", year, "--out", str(tmp_path / "out")]):
        code, out, err = run_cli(*args, "--data", str(data))
        assert code == 2 and out == "", (args, out)
        assert f"--year {year}: outside the plan's horizon 2020–2035" in one_error_line(err), args
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "form.csv"]  # no form, no output folder
    assert sorted(p.name for p in (data / "observations").iterdir()) == before
    STATS["inputs refused"] += 1


def test_ingest_refuses_a_form_made_for_another_year(data, tmp_path):
    from planbook.inputs.intake import write_template

    form = write_template(load(data), 2023, tmp_path / "填报表-2023.xlsx")
    wb = openpyxl.load_workbook(form)
    ws = wb["数据"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "two_resident_urbanisation":
            row[7].value, row[8].value = 90.6, "区统计局"
    wb.save(form)
    code, out, err = run_cli("ingest", str(form), "--year", "2024", "--data", str(data))
    assert code == 2 and "this form is for 2023" in one_error_line(err) and "but --year is 2024" in err
    assert not (data / "observations" / "2024.csv").exists()
    code, out, err = run_cli("ingest", str(form), "--year", "2023", "--data", str(data))
    assert code == 0 and (data / "observations" / "2023.csv").is_file(), err
    STATS["inputs refused"] += 1


# --- numbers -------------------------------------------------------------------------------

def test_a_trend_beyond_any_number_gives_no_value_not_a_crash():
    import math

    from planbook.assess.progress import assess_indicator, trend, trend_value
    from planbook.plan.catalogue import Baseline, Target
    from test_assess import indicator, obs

    # The outlook's straight line stays a number however steep (a compound trend overflowed).
    assert math.isfinite(trend_value(trend([(2021, 2.0), (2022, 1e15)]), 2100))
    ind = indicator(direction="lower", unit="倍", valid_range=(0.0, None), baseline=Baseline(2020, 2.0, "2"),
                    targets=(Target(2025, 1.8, "<=", "1.8"),))
    [row] = assess_indicator(ind, obs((2021, 2.0), (2022, 1e15)), 2022)
    assert row.status == "deterioration" and row.projected_year is None


def test_assess_json_is_strict_json_for_extreme_values(data):
    edit(data / "observations" / "2022.csv", "bal_income_ratio,2.15", "bal_income_ratio,1e15")
    code, out, err = run_cli("assess", "--year", "2022", "--format", "json", "--data", str(data))
    assert code == 0, err

    def refuse(constant):
        raise AssertionError(f"{constant} is not JSON")

    records = json.loads(out, parse_constant=refuse)
    assert any(r["id"] == "bal_income_ratio" and r["value"] == 1e15 for r in records)
    STATS["inputs read"] += 1


# --- the catalogue -------------------------------------------------------------------------

CATALOGUE_TEXT = (ROOT / "data" / "catalogue.yaml").read_text("utf-8")
PLAN = ROOT / "data" / "plan" / "licheng-new-urbanization-plan-2021-2035.txt"


def _first_target(text: str) -> tuple[str, str]:
    match = re.search(r"\n( +)value: ([0-9.]+)\n", text[text.index("targets:"):])
    return match.group(0), match.group(1)


def billion_laughs() -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for k in range(1, 10):
        prev = chr(ord("a") + k - 1)
        lines.append(f"{chr(ord('a') + k)}: &{chr(ord('a') + k)} [{', '.join(['*' + prev] * 9)}]")
    return "\n".join(lines) + "\n"


CATALOGUE_CASES = {
    # case: (how the text is changed, field, what the message says)
    "duplicate-key": (lambda t: t.replace(_first_target(t)[0], _first_target(t)[0] + f"{_first_target(t)[1]}value: 50\n", 1),
                      "value", "duplicate key 'value'"),
    "id-with-newline": (lambda t: t.replace("- id: smart_5g_base_stations\n", '- id: "smart_5g_base_stations\\n"\n', 1),
                        "indicators[0].id", "is not an id"),
    "nan-target": (lambda t: t.replace(_first_target(t)[0], _first_target(t)[0].replace(_first_target(t)[0].split(": ")[1].strip(), ".nan"), 1),
                   ".value", "not a usable number"),
    "inf-target": (lambda t: t.replace(_first_target(t)[0], _first_target(t)[0].replace(_first_target(t)[0].split(": ")[1].strip(), ".inf"), 1),
                   ".value", "not a usable number"),
    "control-character": (lambda t: t.replace("name_zh: 建成5G基站数量", "name_zh: \"建成5G\\v基站数量\"", 1),
                          "indicators[0].name_zh", "control character U+000B"),
    "billion-laughs": (lambda t: billion_laughs() + t, None, "YAML alias"),
    "plan-text-is-a-folder": (lambda t: re.sub(r"text: \S+", "text: plan", t, count=1), "plan.text", "is a folder"),
    "plan-text-in-gbk": (lambda t: re.sub(r"text: \S+", "text: plan-gbk.txt", t, count=1), "plan.text", "looks like GBK"),
}


@pytest.mark.parametrize("case", sorted(CATALOGUE_CASES))
def test_hostile_catalogue_is_refused_with_row_and_field(case, tmp_path):
    from planbook.plan.catalogue import load_catalogue

    change, field, says = CATALOGUE_CASES[case]
    shutil.copytree(PLAN.parent, tmp_path / "plan")
    (tmp_path / "plan-gbk.txt").write_bytes(PLAN.read_text("utf-8").encode("gbk", errors="replace"))
    text = change(CATALOGUE_TEXT)
    assert text != CATALOGUE_TEXT
    (tmp_path / "catalogue.yaml").write_text(text, encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(InputError) as err:
        load_catalogue(tmp_path / "catalogue.yaml")
    assert time.monotonic() - started < 5
    problems = err.value.problems
    assert any(says in p.message and (field is None or (p.field or "").endswith(field)) for p in problems), problems
    assert all(p.file.endswith("catalogue.yaml") for p in problems)
    code, out, cli_err = run_cli("check", "--data", str(tmp_path))
    assert code == 2 and "Traceback" not in cli_err and says in cli_err
    STATS["inputs refused"] += 1


# --- the yearly data round: jumps, dry runs --------------------------------------------------

def test_ingest_lists_implausible_jumps_for_a_person_to_confirm(data, tmp_path):
    form = tmp_path / "form.csv"
    form.write_text("indicator_id,value,source\ngreen_good_air_days,89.6,区生态环境局\n"
                    "two_resident_urbanisation,89.9,区统计局\n", encoding="utf-8")
    code, out, err = run_cli("ingest", str(form), "--year", "2023", "--data", str(data))
    assert code == 0 and (data / "observations" / "2023.csv").is_file()  # warned, not refused
    warnings = [line for line in err.splitlines() if line.startswith("warning: ")]
    assert warnings == ["warning: green_good_air_days 环境空气质量优良天数比例: 52 (2022) → 89.6 (2023), +72%: "
                        "a change this large is rare; confirm the figure before building"]
    STATS["inputs read"] += 1


def test_a_dry_run_shows_the_changes_even_when_there_are_errors(data, tmp_path):
    form = tmp_path / "form.csv"
    form.write_text("indicator_id,value,source\ntwo_resident_urbanisation,90.1,区统计局\n"
                    "bal_income_ratio,abc,区统计局\n", encoding="utf-8")
    before = (data / "observations" / "2022.csv").read_bytes()
    code, out, err = run_cli("ingest", str(form), "--year", "2022", "--data", str(data), "--dry-run")
    assert code == 2
    assert ("  changed  two_resident_urbanisation 常住人口城镇化率: 89.1 | 测试夹具（非真实数据） | official → "
            "90.1 | 区统计局 | official   (上年 2021: 88.2)") in out.splitlines()
    assert "bal_income_ratio" not in out  # a form's missing rows are kept, not removed
    assert "row 3, field 'value': 'abc' is not a number" in err
    assert (data / "observations" / "2022.csv").read_bytes() == before
    STATS["inputs refused"] += 1


# --- bounded reading -------------------------------------------------------------------------

@pytest.mark.parametrize("size, says", [(50 * 1024 * 1024, "MB is more than a data file can be"),
                                        (3 * 1024 * 1024, "more than 10000 rows")])
def test_a_file_of_blank_rows_is_refused_quickly(size, says, obs_dir):
    from planbook.plan.catalogue import load_catalogue
    from planbook.inputs.observations import load_observations

    (obs_dir / "2024.csv").write_bytes(b"indicator_id,value,source\n" + b",,\n" * (size // 3))
    started = time.monotonic()
    with pytest.raises(InputError) as err:
        load_observations(obs_dir, load_catalogue(ROOT / "data" / "catalogue.yaml"))
    assert time.monotonic() - started < 2
    assert says in str(err.value)
    STATS["inputs refused"] += 1


# --- the working tree -------------------------------------------------------------------------

def test_what_a_build_writes_into_the_project_is_not_tracked():
    """`make book` writes book/chapters, book/generated and _build: none of it may be a
    tracked file, so the working tree stays clean after any build."""
    written = ["book/chapters/smart.ipynb", "book/generated/data-appendix.md", "book/generated/colophon.md",
               "_build/html/index.html"]
    tracked = subprocess.run(["git", "ls-files", "book/chapters", "book/generated", "_build"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.split()
    assert tracked == []
    ignored = subprocess.run(["git", "check-ignore", "--no-index", *written], cwd=ROOT,
                             capture_output=True, text=True).stdout.split()
    assert ignored == written
