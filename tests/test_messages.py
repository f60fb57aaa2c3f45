"""Messages in Chinese for the staff who act on them (issue 17), English for developers.

Every message the bad-input corpus and the data round produce has a Chinese rendering (a pattern
of the phrasebook matched it: no English left), and still names file, row and field.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import BOOK_DATA, FIXTURES, ROOT, STATS, run_cli
from planbook.errors import BuildError, InputError, Problem, error_lines, message_language, problem_text, translate

BROKEN = FIXTURES / "broken"
EXPECTED = yaml.safe_load((BROKEN / "expected.yaml").read_text("utf-8"))
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_the_language_comes_from_the_option_the_variable_or_the_locale(monkeypatch):
    for name in ("PLANBOOK_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    assert message_language() == "zh"  # staff read Chinese
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert message_language() == "zh"  # a server's locale says nothing about its reader
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert message_language() == "en"
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    assert message_language() == "zh"
    monkeypatch.setenv("PLANBOOK_LANG", "en")
    assert message_language() == "en"
    assert message_language("zh") == "zh"  # --lang wins


def test_every_corpus_problem_reads_in_chinese_with_file_row_and_field(tmp_path):
    """The whole bad-input corpus, rendered as the command line renders it (error_lines)."""
    from planbook.inputs.observations import load_observations
    from planbook.plan.catalogue import load_catalogue

    cat = load_catalogue(ROOT / "data" / "catalogue.yaml")
    rendered = 0
    for case in sorted(EXPECTED):
        shutil.copytree(BROKEN / case, tmp_path / case / "observations", symlinks=True)
        with pytest.raises(InputError) as err:
            load_observations(tmp_path / case / "observations", cat)
        lines = error_lines(err.value, "zh")
        assert len(lines) == len(EXPECTED[case]) == len(err.value.problems)
        for line, problem in zip(lines, err.value.problems):
            assert translate(problem.message) is not None, problem.message  # a pattern matched: no English left
            assert CHINESE.search(line.split("：", 1)[-1]), line
            assert problem.file in line  # the file, as the English names it
            if problem.row is not None:
                assert f"第 {problem.row} 行" in line
            if problem.field:
                assert f"字段 {problem.field}" in line
            said = line[len(problem.file):]  # what is said after the file's path
            assert not re.search(r"\b(expected|is not|must|should|file|row|field)\b", said), line
            rendered += 1
        STATS["inputs refused"] += 1
    assert rendered >= len(EXPECTED)


def test_the_english_stays_available(tmp_path):
    shutil.copytree(BROKEN / "non-numeric", tmp_path / "observations")
    code, out, err = run_cli("--lang", "en", "check", "--data", str(tmp_path))
    assert err.strip() == (f"error: {tmp_path / 'observations' / '2024.csv'}, row 2, field 'value': "
                           "'约九成' is not a number: expected digits like 87.2")
    code, out, err = run_cli("check", "--data", str(tmp_path), "--lang", "zh")
    assert err.strip() == (f"错误：{tmp_path / 'observations' / '2024.csv'}，第 2 行，字段 value（数值）："
                           "“约九成”不是数字：应填写 87.2 这样的数字")


def test_the_data_round_speaks_chinese(tmp_path, monkeypatch):
    """check, template, ingest (changes, jumps, refusals) and build errors, as staff see them."""
    data = tmp_path / "data"
    shutil.copytree(BOOK_DATA, data)
    monkeypatch.chdir(tmp_path)
    seen: list[str] = []

    code, out, err = run_cli("check", "--data", str(data), "--lang", "zh")
    assert code == 0 and "指标目录" in out and "2022 年观测数据" in out and "通过" in out
    seen += out.splitlines()
    code, out, err = run_cli("template", "--year", "2023", "--data", str(data), "--lang", "zh")
    assert code == 0 and out.startswith("已写出 填报表-2023.xlsx") and (tmp_path / "填报表-2023.xlsx").is_file()
    form = tmp_path / "form.csv"
    form.write_text("indicator_id,value,source\ngreen_good_air_days,89.6,区生态环境局\n"
                    "two_resident_urbanisation,89.9,区统计局\n", encoding="utf-8")
    code, out, err = run_cli("ingest", str(form), "--year", "2023", "--data", str(data), "--lang", "zh")
    assert code == 0, err
    assert "  新增 green_good_air_days 环境空气质量优良天数比例：— → 89.6 | 区生态环境局 | official（上年 2022：52）" \
        in out.splitlines()
    assert err.strip() == ("警告：green_good_air_days 环境空气质量优良天数比例：52（2022 年）→ 89.6（2023 年），变化 +72%："
                           "这样大的变化很少见，请在构建前与报送单位核实")
    assert "已写入" in out and "planbook build --year 2023" in out
    form.write_text("indicator_id,value,source\ngreen_good_air_days,90.1,区生态环境局\n", encoding="utf-8")
    code, out, err = run_cli("ingest", str(form), "--year", "2023", "--data", str(data), "--lang", "zh")
    assert code == 2 and "将有 1 个已有数值被改动" in err and "--force" in err  # the form's other rows are kept, not removed
    seen.append(err)
    for args in (["ingest", str(form), "--year", "2040"], ["build", "--year", "2040", "--out", str(tmp_path / "o")],
                 ["publish", "--site", str(tmp_path / "nowhere"), "--zip", str(tmp_path / "x.zip")]):
        code, out, err = run_cli(*args, "--data", str(data), "--lang", "zh") if args[0] != "publish" else \
            run_cli(*args, "--lang", "zh")
        assert code == 2 and err.startswith("错误："), (args, err)
        assert not re.search(r"\b(outside|build it first|expected)\b", err), err
        seen.append(err)
    assert "超出规划期 2020—2035" in seen[-3] and "没有已发布的网站" not in seen[-3]
    assert "没有已发布的网站" in seen[-1]


def test_build_errors_read_in_chinese():
    """The failures a build reports (a notebook cell, LaTeX, Sphinx, the disk) in Chinese, with
    the log's lines kept as they are."""
    from planbook.errors import NotebookError

    cases = [
        NotebookError("notebooks/green.md", 2024, 3, "KeyError", "'green_x'"),
        BuildError("XeLaTeX failed for the 2024 PDF (log: _build/logs/latex.log):\n! Undefined control sequence."),
        BuildError("jupyter-book html build reported 1 problem(s) with the pages (log: _build/logs/x.log); "
                   "nothing was published:\ngenerated/data-appendix.md:40: ERROR: Error parsing content block"),
        BuildError("no observations for 2024: years with data are 2020, 2021"),
        BuildError("unknown PDF layout 'letter': expected one of book, gongwen (_config.yml planbook.pdf_layout "
                   "or --layout)"),
    ]
    for exc in cases:
        [line] = error_lines(exc, "zh")
        first = line.splitlines()[0]
        assert CHINESE.search(first) and translate(str(exc).splitlines()[0]) is not None, first
        assert line.splitlines()[1:] == str(exc).splitlines()[1:]  # the log's lines follow unchanged
    assert "第 3 个单元格出错 KeyError" in error_lines(cases[0], "zh")[0]
    assert error_lines(cases[0], "en") == [str(cases[0])]
    assert problem_text(Problem("a.csv", 4, "source", "empty: every value needs its source (publication, "
                                "department, date)"), "zh") == "a.csv，第 4 行，字段 source（来源）：为空：每个数值都须注明来源（出版物或部门，以及日期）"


def test_an_unknown_message_keeps_its_english_after_the_chinese_place():
    line = problem_text(Problem("data/x.csv", 2, "value", "something new went wrong"), "zh")
    assert line == "data/x.csv，第 2 行，字段 value（数值）：something new went wrong"
