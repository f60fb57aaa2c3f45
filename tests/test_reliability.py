"""Nothing half-published, deterministic output, text from data rendered as text."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from planbook.book import pdf as pdf_module
from planbook.build.pipeline import build
from planbook.plan.catalogue import Target
from planbook.report.charts import indicator_chart, render
from planbook.site.vega import print_png
from planbook.errors import BuildError
from planbook.book.pdf import tex_escape
from planbook.report.format import Cell, Table, md_escape

from conftest import BOOK_DATA, ROOT, STATS
from test_assess import indicator

NASTY = '<script>alert("x")</script> & 100% $x_1$ {a} \\ # _ ~ ^ </div> ]]> |'


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def published(site, tmp_path) -> Path:
    """An output folder holding a copy of the session's published site."""
    out = tmp_path / "out"
    shutil.copytree(site.parent, out / "html")
    return out


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_interrupted_build_leaves_the_previous_site(published, signum):
    before = digest(published / "html")
    proc = subprocess.Popen([sys.executable, "-m", "planbook", "build", "--year", "2022", "--data", str(BOOK_DATA),
                             "--out", str(published), "--force"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    deadline = time.monotonic() + 60
    while not list(published.glob(".stage-*/edition-2022/book")) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2.0)  # notebooks are executing now
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signum, err
    assert "nothing was published" in err and "Traceback" not in err
    assert digest(published / "html") == before
    assert not list(published.glob(".stage-*"))
    STATS["failures forced"] += 1


def test_latex_error_keeps_the_previous_site(published, monkeypatch):
    before = digest(published / "html")
    monkeypatch.setattr(pdf_module, "cover", lambda data, year: r"\thiscommanddoesnotexist")
    with pytest.raises(BuildError, match="XeLaTeX failed for the 2022 PDF"):
        build(year=2022, data_dir=BOOK_DATA, out_dir=published, pdf=True, force=True)
    assert digest(published / "html") == before
    assert not list(published.glob(".stage-*"))
    STATS["failures forced"] += 1


def test_two_builds_are_byte_identical(site, tmp_path):
    [again] = build(year=2022, data_dir=BOOK_DATA, out_dir=tmp_path / "again", pdf=True)
    first, second = digest(site.parent), digest(again.site.parent)
    assert sorted(first) == sorted(second)
    different = [name for name in first if first[name] != second[name]]
    assert different == []
    assert any(name.endswith(".pdf") for name in first) and any(name.endswith(".xlsx") for name in first)
    STATS["files compared"] += len(first)


def test_publish_is_an_atomic_link_swap(site):
    # The session's site was published as a link to a versioned folder, swapped in one rename.
    assert site.parent.is_symlink() and re.fullmatch(r"\.site-\d+", os.readlink(site.parent))
    assert not list(site.parent.parent.glob(".link-*")) and not list(site.parent.parent.glob(".legacy-*"))


def test_chart_html_keeps_text_from_data_as_text():
    ind = indicator(name_zh=NASTY, targets=(Target(2025, 100, ">=", "100"),))
    series = pd.DataFrame({"year": [2021, 2022], "value": [50.0, 60.0], "kind": ["demo", "official"]})
    out = render(indicator_chart(ind, series, 2022, (2021, 50.0)), alt_text=NASTY)
    script = out.html.split("<script>", 1)[1]
    assert "</script>" in script and script.count("</script>") == 1  # only the real end tag
    assert '<script>alert("x")' not in out.html
    assert 'aria-label="&lt;script&gt;alert(&quot;x&quot;)' in out.html
    assert print_png(out.print_spec).startswith(b"\x89PNG")


def test_table_cells_escape_html_and_markdown():
    table = Table(columns=["来源"], rows=[[Cell(NASTY)]])
    html = table._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    md = table._repr_markdown_()
    assert r"\<script\>" in md and r"\$x\_1\$" in md and r"\|" in md


def test_tex_escape_makes_every_special_character_literal():
    assert tex_escape("& % $ # _ { } ~ ^ \\ < >") == (
        r"\& \% \$ \# \_ \{ \} \textasciitilde{} \textasciicircum{} \textbackslash{} \textless{} \textgreater{}")
    assert md_escape("a_b*c") == r"a\_b\*c"
