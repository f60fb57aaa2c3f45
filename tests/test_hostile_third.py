"""Reliability, third round (issue 23): what researchers write, what staff feed in at the same
time, and where outputs land.

Each test names the fault it closes; every one of them failed on the main of 2026-12-04.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import BOOK_DATA, ROOT, STATS, run_cli

PLANBOOK = [sys.executable, "-m", "planbook.cli"]


@pytest.fixture
def data(tmp_path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(BOOK_DATA, folder)
    return folder


def own_plan(folder: Path) -> Path:
    """Give a data folder its own copy of the project's plan (catalogue, plan text, register …),
    so that a test may change the plan's files (words.yaml, departments.yaml) in it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("catalogue.yaml", "register.yaml", "departments.yaml", "amendments.yaml", "demo.yaml"):
        shutil.copyfile(ROOT / "data" / name, folder / name)
    shutil.copytree(ROOT / "data" / "plan", folder / "plan")
    return folder


def write_commentary(folder: Path, text: str, chapter: str = "green", year: int = 2022) -> Path:
    path = folder / "commentary" / str(year) / f"{chapter}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- a commentary file is text, nothing more -------------------------------------------------

HOSTILE_COMMENTARY = {
    "script": "<script>alert(1)</script>",
    "img-onerror": "文字 <img src=x onerror=alert(1)> 文字",
    "raw-html": "```{raw} html\n<b>x</b>\n```",
    "eval-rst": "```{eval-rst}\n.. raw:: html\n\n   <script>alert(1)</script>\n```",
    "eval-rst-include": "```{eval-rst}\n.. include:: /etc/passwd\n```",
    "include": "```{include} ../../../../../../etc/passwd\n```",
    "literalinclude": "```{literalinclude} /etc/passwd\n```",
    "download": "见 {download}`../../../../etc/hostname`。",
    "image": "```{image} /etc/hostname\n```",
    "figure": ":::{figure} https://example.com/a.png\n图\n:::",
    "remote-image": "![图](https://example.com/a.png)",
    "iframe": "<iframe src=https://example.com></iframe>",
    "math-input": "公式 $\\input{/etc/hostname}$。",
    "raw-latex": "```{raw} latex\n\\input{/etc/hostname}\n```",
    "math-loop": "$$\n\\def\\x{\\x}\\x\n$$",
    "file-link": "[文件](../../../../etc/passwd)",
    "role-in-note": ":::{note}\n见 {raw}`<script>x</script>`\n:::",
    "csv-table-file": "```{csv-table} 表\n:file: /etc/passwd\n```",
}


@pytest.mark.parametrize("case", sorted(HOSTILE_COMMENTARY))
def test_check_refuses_commentary_that_is_more_than_text(case, data):
    """Raw HTML and LaTeX, eval-rst, include, download, images, remote resources and TeX that reads
    files or never ends reached the published pages; now `check` refuses them, naming the file and
    the line, before any build (exit 2)."""
    body = HOSTILE_COMMENTARY[case]
    write_commentary(data, f"## 存在问题及原因\n\n正常的一段文字。\n\n{body}\n")
    line = 5  # the hostile text's first line
    code, out, err = run_cli("check", "--data", str(data))
    assert code == 2, (out, err)
    assert f"commentary/2022/green.md, row {line}" in err or f"green.md, row {line + 1}" in err, err
    STATS["inputs refused"] += 1


def test_commentary_of_text_tables_math_and_links_passes(data):
    write_commentary(data, "\n".join([
        "## 存在问题及原因", "", "空气质量 {glue:text}`green_good_air_days_value`，见 [公报](https://example.com/x)。", "",
        ":::{note}", "提示：**加粗** 与 *强调*，H{sub}`2`O。", ":::", "",
        "$v_0 + \\frac{a}{b} \\times 100\\%$", "", "<!-- 一条注释 -->", "",
        "```{list-table}", ":header-rows: 1", "", "* - 项", "  - 值", "* - 甲", "  - 1", "```", ""]))
    code, out, err = run_cli("check", "--data", str(data))
    assert code == 0, err


def test_the_chinese_message_names_what_is_allowed(data):
    write_commentary(data, "## 存在问题及原因\n\n```{raw} html\n<b>x</b>\n```\n")
    code, out, err = run_cli("check", "--data", str(data), "--lang", "zh")
    assert code == 2
    assert "第 3 行" in err and "不能使用指令 {raw}" in err and "{note}" in err, err


def test_a_phrase_of_the_project_is_text_too(tmp_path):
    """data/words.yaml put a <script> on every indicator page; a phrase is now checked like a
    commentary and refused with its key."""
    data = own_plan(tmp_path / "data")
    shutil.copytree(BOOK_DATA / "observations", data / "observations")
    (data / "words.yaml").write_text('indicator_page:\n  plan: "规划<script>alert(1)</script>"\n', encoding="utf-8")
    code, out, err = run_cli("check", "--data", str(data))
    assert code == 2 and "indicator_page.plan" in err and "raw HTML" in err, err


def test_myst_substitutions_are_not_rendered(data):
    """MyST's substitution extension rendered {{ … }} with unsandboxed Jinja2 in every page (a
    commentary's `{{ lipsum.__globals__['os'].popen('id').read() }}` printed uid=0(root)). It is
    off; the hand-written pages' values are filled in by planbook from an explicit set."""
    from planbook.project import book_config

    config = book_config(ROOT)
    assert "substitution" not in config["parse"]["myst_enable_extensions"]
    from planbook.book.pages import fill_values
    from planbook.errors import BuildError

    assert fill_values("《{{ plan_title }}》{{ a.b }}", {"plan_title": "规划"}, "x.md") == "《规划》{{ a.b }}"
    with pytest.raises(BuildError, match=r"x\.md, line 2: \{\{ nope \}\}"):
        fill_values("a\n{{ nope }}", {"plan_title": "规划"}, "x.md")


# --- TeX that reads files or never ends ------------------------------------------------------

def test_tex_runs_cannot_read_outside_files_or_run_forever(tmp_path, monkeypatch):
    """imgmath's latex drew /etc/hostname into a formula's picture, and \\def\\x{\\x}\\x kept it
    spinning with no time limit while the build held its lock."""
    from planbook import tex_sandbox

    if shutil.which("latex") is None:
        pytest.fail("latex is a dependency of the build (scripts/install-system.sh)")
    monkeypatch.setattr(tex_sandbox, "FORMULA_SECONDS", 3)
    bin_dir = tex_sandbox.wrapper_dir(tmp_path / "texbin")
    (tmp_path / "read.tex").write_text("\\documentclass{article}\\begin{document}\\input{/etc/hostname}\\end{document}\n")
    proc = subprocess.run([str(bin_dir / "latex"), "-interaction=nonstopmode", "read.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "Not reading from /etc/hostname" in proc.stdout + proc.stderr
    (tmp_path / "loop.tex").write_text("\\documentclass{article}\\begin{document}$\\def\\x{\\x}\\x$\\end{document}\n")
    started = time.monotonic()
    proc = subprocess.run([str(bin_dir / "latex"), "-interaction=nonstopmode", "loop.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and time.monotonic() - started < 30
    STATS["failures forced"] += 1


def test_search_titles_are_escaped():
    from planbook.site.sphinx_ext import escape_search_titles

    index = ('Search.setIndex({"alltitles":{"<img src=x onerror=alert(1)>":[[0,"x"]]},'
             '"titles":["区<img src=x onerror=alert(1)>局","A &amp; B"],"docnames":["a"]})')
    out = json.loads(escape_search_titles(index)[len("Search.setIndex("):-1])
    assert out["titles"] == ["区&lt;img src=x onerror=alert(1)&gt;局", "A &amp; B"]
    assert list(out["alltitles"]) == ["&lt;img src=x onerror=alert(1)&gt;"]
    assert escape_search_titles(escape_search_titles(index)) == escape_search_titles(index)  # not twice


# --- ingest: every digit, every row, one writer at a time --------------------------------------

def test_ingest_writes_every_value_exactly_as_read(data, tmp_path):
    """Values were written with :g — 12757.39 became 12757.4, 1234567 became 1.23457e+06 — and the
    rows the form did not touch were rewritten the same way."""
    target = data / "observations" / "2022.csv"
    untouched = [line for line in target.read_text("utf-8").splitlines()[1:]
                 if not line.startswith(("ctx_gdp,", "ctx_budget_revenue,"))]
    form = tmp_path / "form.csv"
    form.write_text("indicator_id,value,source,note,kind\nctx_gdp,12757.39,区统计局,,official\n"
                    "ctx_budget_revenue,\"1,234,567\",区统计局,,official\n", encoding="utf-8")
    code, out, err = run_cli("ingest", str(form), "--year", "2022", "--data", str(data), "--force")
    assert code == 0, err
    lines = target.read_text("utf-8").splitlines()
    assert "ctx_gdp,12757.39,区统计局,,official" in lines
    assert "ctx_budget_revenue,1234567,区统计局,,official" in lines
    assert set(untouched) <= set(lines)  # every other row byte for byte as it was
    # A correction in the seventh significant digit is a change, not "already up to date".
    form.write_text("indicator_id,value,source,note,kind\nctx_gdp,12757.38,区统计局,,official\n", encoding="utf-8")
    code, out, err = run_cli("ingest", str(form), "--year", "2022", "--data", str(data), "--force")
    assert code == 0 and "12757.39" in out and "12757.38" in out and "up to date" not in out, out
    assert "ctx_gdp,12757.38,区统计局,,official" in target.read_text("utf-8").splitlines()


def test_two_departments_ingesting_at_once_lose_nothing(data, tmp_path):
    """Two ingests of the same year both reported success and one department's values were gone
    (no lock between reading and writing observations/<year>.csv)."""
    forms = []
    for k, (sid, value) in enumerate((("ctx_gdp", "1300.5"), ("ctx_budget_revenue", "141.25"))):
        form = tmp_path / f"form{k}.csv"
        form.write_text(f"indicator_id,value,source,note,kind\n{sid},{value},部门{k},,official\n", encoding="utf-8")
        forms.append(form)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    for attempt in range(3):
        (data / "observations" / "2023.csv").unlink(missing_ok=True)
        procs = [subprocess.Popen([*PLANBOOK, "ingest", str(f), "--year", "2023", "--data", str(data)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for f in forms]
        results = [p.communicate(timeout=120) for p in procs]
        assert all(p.returncode == 0 for p in procs), results
        text = (data / "observations" / "2023.csv").read_text("utf-8")
        assert "ctx_gdp,1300.5,部门0" in text and "ctx_budget_revenue,141.25,部门1" in text, (attempt, text)
    STATS["concurrent or killed builds"] += 3


# --- output folders: nothing planbook did not make is replaced ----------------------------------

def test_build_out_never_replaces_a_folder_it_did_not_make(data, tmp_path):
    """`build --out DIR` took an existing DIR/html for "an earlier layout" and deleted it (exit 0):
    `--out /var/www` took the web root with it."""
    www = tmp_path / "www"
    (www / "html").mkdir(parents=True)
    (www / "html" / "index.html").write_text("the web root", encoding="utf-8")
    code, out, err = run_cli("build", "--year", "2022", "--data", str(data), "--out", str(www))
    assert code == 2 and "was not made by planbook" in err, err
    assert (www / "html" / "index.html").read_text("utf-8") == "the web root"


def test_stale_files_are_cleaned_only_in_planbook_folders(tmp_path):
    from planbook.build.lock import claim_output, clean_stale

    folder = tmp_path / "someone"
    (folder / ".site-1").mkdir(parents=True)
    assert clean_stale(folder) == [] and (folder / ".site-1").is_dir()
    claim_output(tmp_path / "ours")
    (tmp_path / "ours" / ".stage-x").mkdir()
    assert clean_stale(tmp_path / "ours") == [tmp_path / "ours" / ".stage-x"]


@pytest.mark.slow
def test_publish_zip_never_overwrites_a_file_it_did_not_make(site, tmp_path):
    mine = tmp_path / "报告.zip"
    mine.write_bytes(b"someone's file")
    code, out, err = run_cli("publish", "--site", str(site.parent), "--zip", str(mine))
    assert code == 2 and "not an archive planbook wrote" in err, err
    assert mine.read_bytes() == b"someone's file"
    # Onto a folder: refused before anything is copied, no site-sized leftover.
    folder = tmp_path / "a-folder.zip"
    folder.mkdir()
    code, out, err = run_cli("publish", "--site", str(site.parent), "--zip", str(folder))
    assert code == 2 and "is a folder" in err
    assert not list(tmp_path.glob(".*partial*"))
    # An archive planbook wrote may be replaced by the next one.
    ours = tmp_path / "评估.zip"
    assert run_cli("publish", "--site", str(site.parent), "--zip", str(ours))[0] == 0
    assert run_cli("publish", "--site", str(site.parent), "--zip", str(ours))[0] == 0


@pytest.mark.slow
@pytest.mark.parametrize("name", ["..zip", "...zip", ".zip"])
def test_archive_members_never_climb_out(site, tmp_path, name):
    archive = tmp_path / name
    code, out, err = run_cli("publish", "--site", str(site.parent), "--zip", str(archive))
    assert code == 0, err
    names = zipfile.ZipFile(archive).namelist()
    assert names and all(not n.startswith(("../", "./", "/")) and ".." not in n.split("/") for n in names)


@pytest.mark.slow
def test_publish_to_a_link_writes_into_its_target(site, tmp_path):
    """`--to` a symbolic link to a mounted share replaced the link with a local folder and left
    the share empty."""
    share = tmp_path / "share"
    share.mkdir()
    link = tmp_path / "link"
    link.symlink_to(share)
    code, out, err = run_cli("publish", "--site", str(site.parent), "--to", str(link))
    assert code == 0, err
    assert link.is_symlink() and (share / "index.html").is_file() and (share / "2022" / "index.html").is_file()
    # Published again into the same share: replaced in place, still a link.
    (share / "stale.html").write_text("old", encoding="utf-8")
    assert run_cli("publish", "--site", str(site.parent), "--to", str(link))[0] == 0
    assert link.is_symlink() and not (share / "stale.html").exists()


@pytest.mark.slow
def test_a_copy_into_a_share_cut_off_halfway_is_completed_by_the_next(site, tmp_path, monkeypatch):
    """A publish into a linked share stopped halfway (the disk full, the share gone) leaves a
    folder planbook may still publish into: the next publish completes it."""
    from planbook.build import publish as handover

    share = tmp_path / "share"
    share.mkdir()
    link = tmp_path / "link"
    link.symlink_to(share)
    assert run_cli("publish", "--site", str(site.parent), "--to", str(link))[0] == 0
    copied = []
    real_copy = handover.shutil.copyfile

    def failing(src, dst, *a, **kw):
        if str(dst).startswith(str(share)):  # while the files go into the share
            copied.append(dst)
        if len(copied) == 5:
            raise OSError(28, "No space left on device", str(dst))
        return real_copy(src, dst, *a, **kw)

    monkeypatch.setattr(handover.shutil, "copyfile", failing)
    assert run_cli("publish", "--site", str(site.parent), "--to", str(link))[0] == 2
    monkeypatch.setattr(handover.shutil, "copyfile", real_copy)
    code, out, err = run_cli("publish", "--site", str(site.parent), "--to", str(link))
    assert code == 0, err
    assert (share / "index.html").is_file() and (share / "2022" / "index.html").is_file()


@pytest.mark.slow
def test_a_killed_publish_leaves_nothing_for_long(site, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(site.parents[1], out, symlinks=True)
    left = out / ".handover-deadbeef"
    (left / "site").mkdir(parents=True)
    assert run_cli("publish", "--site", str(out / "html"), "--to", str(tmp_path / "copy"))[0] == 0
    assert not left.exists()


# --- inputs read as they are, or refused by name ------------------------------------------------

def test_an_xlsm_file_is_refused_by_name(data, tmp_path):
    """observations/2026.xlsm was silently ignored, and an .xlsm form was refused as "an .xlsx with
    a .csv name"."""
    shutil.copyfile(data / "observations" / "2022.csv", data / "observations" / "2021.xlsm")
    code, out, err = run_cli("check", "--data", str(data))
    assert code == 2 and "2021.xlsm" in err and ".xlsm" in err and "save it as .xlsx" in err, err
    (data / "observations" / "2021.xlsm").unlink()
    form = tmp_path / "填报表.xlsm"
    form.write_bytes(b"PK\x03\x04 not really")
    code, out, err = run_cli("ingest", str(form), "--year", "2022", "--data", str(data))
    assert code == 2 and "with macros (.xlsm) is not read" in err, err


def test_a_windows_1252_csv_is_not_read_as_chinese(obs_dir):
    """A Windows-1252 CSV was read as GB18030 ("Bürgeramt" → "B黵geramt") with exit 0."""
    from planbook.errors import InputError
    from planbook.inputs.observations import decode_csv_bytes

    with pytest.raises(InputError, match="does not read as Chinese"):
        decode_csv_bytes("indicator_id,value,source\nctx_gdp,1,Bürgeramt Köln\n".encode("cp1252"), "x.csv")
    # Chinese Excel's CSV (GBK) is still read, short or with a rare character.
    for text in ("indicator_id,value,source\nctx_gdp,1,区统计局\n", "indicator_id,value,source\nctx_gdp,1,张堃，区统计局公报\n"):
        assert decode_csv_bytes(text.encode("gbk"), "x.csv") == text


# --- the PDF and the colophon -----------------------------------------------------------------------

def test_a_long_web_address_breaks_and_leaves_the_names_readable():
    """A 130-character URL in a source ran off the page, and realistic URLs squeezed the appendix's
    name column to one or two characters a line."""
    from planbook.report.format import Cell, Table

    url = "http://lc.licheng.gov.cn/lc/content/20220228/" + "Articel02003UC" * 6 + ".htm"
    table = Table(columns=["指标", "2021", "2022", "来源"], rows=[[Cell("城镇常住人口城镇化率（%）"), Cell("89.1"), Cell("90.2"),
                                                               Cell(f"〔1〕历城区统计局，{url}")]] * 3)
    widths, fit = table.layout()
    assert f"<{url}>" in table._repr_markdown_()  # an autolink: xurl breaks it anywhere
    assert fit == "normal" and widths[0] >= 60  # the name keeps about six characters a line


def test_the_colophon_does_not_name_the_data_folder(tmp_path):
    """The colophon printed the data folder's own name, so the pages changed with it."""
    from planbook.book.pages import colophon
    from planbook.inputs.dataset import load

    odd = tmp_path / "数据-第三版-final"
    shutil.copytree(BOOK_DATA, odd)
    text = colophon(load(odd), 2022)
    assert "数据-第三版-final" not in text and r"data\/observations\/2022\.csv" in text


# --- one build with hostile but allowed text -------------------------------------------------------

@pytest.fixture(scope="module")
def hostile_book(tmp_path_factory) -> Path:
    """The 2022 edition (site and PDF) of a data folder whose commentary holds `{{ … }}` that
    Jinja2 would have run, whose department's name holds HTML, and whose source holds a
    130-character web address."""
    from planbook.build.pipeline import build

    root = tmp_path_factory.mktemp("hostile3")
    data = own_plan(root / "data")
    shutil.copytree(BOOK_DATA / "observations", data / "observations")
    shutil.copytree(BOOK_DATA / "commentary", data / "commentary")
    url = "https://news.e23.cn/jnnews/2025-02-18/" + "2025021800128" * 7 + ".html"
    obs = data / "observations" / "2022.csv"
    obs.write_text(obs.read_text("utf-8").replace(
        "测试夹具（非真实数据）", f"测试夹具（非真实数据），{url}", 1), encoding="utf-8")
    green = data / "commentary" / "2022" / "green.md"
    green.write_text(green.read_text("utf-8").replace(
        "夹具绿色建议：加快推进大气污染治理。",
        "夹具绿色建议：加快推进大气污染治理。结果：{{ lipsum.__globals__['os'].popen('id').read() }}"), encoding="utf-8")
    deps = data / "departments.yaml"
    deps.write_text(deps.read_text("utf-8").replace("name_zh: 区发展和改革局", "name_zh: 区发展<img src=x onerror=alert(1)>局"),
                    encoding="utf-8")
    [result] = build(year=2022, data_dir=data, out_dir=root / "out", pdf=True)
    return result.site


@pytest.mark.slow
def test_braces_in_commentary_stay_text(hostile_book):
    page = (hostile_book / "chapters" / "green.html").read_text("utf-8")
    assert "uid=" not in page
    assert "{{ lipsum." in page and "popen(" in page  # shown as text (Markdown makes __x__ bold)


@pytest.mark.slow
def test_search_index_holds_titles_as_text(hostile_book):
    index = (hostile_book / "searchindex.js").read_text("utf-8")
    assert "onerror" in index  # the department's page title is indexed …
    assert "<img" not in index and "&lt;img" in index  # … as text, never as HTML


@pytest.mark.slow
def test_a_long_address_in_a_source_does_not_run_off_the_pdf_page(hostile_book):
    log = (hostile_book.parents[1] / "logs" / "latex.log").read_text("utf-8", errors="replace")
    assert re.findall(r"Overfull \\hbox.*", log) == []


@pytest.mark.slow
def test_a_broken_directive_in_commentary_is_named_by_its_file_and_line(tmp_path):
    """Errors from a broken directive in a commentary named chapters/green.ipynb:150011."""
    from planbook.build.pipeline import build
    from planbook.errors import BuildError

    data = tmp_path / "data"
    shutil.copytree(BOOK_DATA, data)
    green = data / "commentary" / "2022" / "green.md"
    text = green.read_text("utf-8").replace("夹具绿色建议：加快推进大气污染治理。",
                                            "夹具绿色建议。\n\n```{list-table}\n不是列表\n```\n")
    green.write_text(text, encoding="utf-8")
    line = text.split("\n").index("```{list-table}") + 1
    with pytest.raises(BuildError) as err:
        build(year=2022, data_dir=data, out_dir=tmp_path / "out")
    message = str(err.value)
    assert "commentary/2022/green.md:" in message and "ipynb:" not in message.split("commentary/2022/green.md:")[0][-40:]
    found = int(re.search(r"commentary/2022/green\.md:(\d+)", message).group(1))
    assert abs(found - line) <= 2, (found, line, message)
