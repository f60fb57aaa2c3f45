"""The yearly round as staff live it (issue 28): forms that are never overwritten, who has not
reported, messages in Chinese, a hand-over that warns."""

from __future__ import annotations

import re
import shutil

import openpyxl
import pytest

from conftest import BOOK_DATA, run_cli

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def data(tmp_path, monkeypatch):
    """A copy of the fixture data; the working directory is the test's folder (forms land there)."""
    dest = tmp_path / "data"
    shutil.copytree(BOOK_DATA, dest)
    monkeypatch.chdir(tmp_path)
    return dest


def _fill(form, sheet: str, row: int, **cells) -> None:
    """Write ``cells`` (header word before its bracket → value) into row ``row`` of ``sheet``."""
    wb = openpyxl.load_workbook(form)
    ws = wb[sheet]
    header = [str(c.value).split("（")[0] for c in ws[1]]
    for name, value in cells.items():
        ws.cell(row=row, column=header.index(name) + 1, value=value)
    wb.save(form)


# --- forms ----------------------------------------------------------------------------------

def test_a_department_form_has_its_own_name_and_is_never_overwritten(data, tmp_path):
    code, out, err = run_cli("template", "--year", "2023", "--department", "区卫生健康局", "--data", str(data),
                             "--lang", "zh")
    form = tmp_path / "填报表-2023-区卫生健康局.xlsx"
    assert code == 0 and form.is_file() and out.startswith(f"已写出 {form.name}：区卫生健康局 的 2023 年度填报表"), out
    code, out, err = run_cli("template", "--year", "2023", "--data", str(data), "--lang", "zh")
    assert code == 0 and (tmp_path / "填报表-2023.xlsx").is_file()  # the full form: another file

    # A blank form is replaced only with --force; the refusal names the file and writes nothing.
    before = form.read_bytes()
    code, out, err = run_cli("template", "--year", "2023", "--department", "区卫生健康局", "--data", str(data),
                             "--lang", "zh")
    assert code == 2 and form.name in err and "--force" in err and "未写入任何文件" in err, err
    assert form.read_bytes() == before
    code, out, err = run_cli("template", "--year", "2023", "--department", "health", "--data", str(data), "--force")
    assert code == 0, err

    # A form holding values is never replaced, not even with --force, and says why.
    _fill(form, "数据", 2, value=91.0, source="区卫生健康局 2023 年报")
    filled = form.read_bytes()
    for extra in ([], ["--force"]):
        code, out, err = run_cli("template", "--year", "2023", "--output", str(form), "--data", str(data), *extra,
                                 "--lang", "zh")
        assert code == 2 and form.name in err and "已有 1 行填写了内容" in err and "加 --force 也不会" in err, err
        assert form.read_bytes() == filled
    code, out, err = run_cli("template", "--year", "2023", "--output", str(form), "--data", str(data), "--force")
    assert code == 2 and "holds 1 filled row(s), somebody's work: it is never overwritten (not even with --force)" in err
    # So is a status reported on the commitments' sheet, and a file that is not a form at all.
    code, out, err = run_cli("template", "--year", "2023", "--department", "区卫生健康局", "--output", "p.xlsx",
                             "--data", str(data))
    _fill(tmp_path / "p.xlsx", "进展", 2, status="滞后")
    (tmp_path / "notes.xlsx").write_bytes(b"somebody's notes")
    for name in ("p.xlsx", "notes.xlsx"):
        before = (tmp_path / name).read_bytes()
        code, out, err = run_cli("template", "--year", "2023", "--output", name, "--data", str(data), "--force")
        assert code == 2 and name in err and "never overwritten" in err, err
        assert (tmp_path / name).read_bytes() == before


# --- messages -------------------------------------------------------------------------------

def test_ingest_errors_name_the_sheet_in_chinese_and_say_nothing_was_written(data, tmp_path):
    run_cli("template", "--year", "2023", "--department", "区卫生健康局", "--data", str(data))
    form = tmp_path / "填报表-2023-区卫生健康局.xlsx"
    _fill(form, "进展", 3, status="进行中", source="区卫生健康局")
    _fill(form, "数据", 2, value="很多", source="区卫生健康局")
    code, out, err = run_cli("ingest", str(form), "--year", "2023", "--data", str(data), "--lang", "zh")
    lines = err.splitlines()
    assert code == 2 and len(lines) == 3, err
    assert lines[0].startswith(f"错误：{form.name}，工作表“数据”，第 2 行，字段 value（数值）：“很多”不是数字")
    assert lines[1] == (f"错误：{form.name}，工作表“进展”，第 3 行，字段 status（进展）：“进行中”不是可选的进展："
                        "应为 已完成、按计划推进、滞后、未启动 之一（从下拉列表中选择）")
    assert lines[2] == "未写入任何文件（数据和已有文件保持原样）"
    assert not (data / "progress" / "2023.csv").exists()


def test_the_change_list_shows_the_status_staff_chose(data, tmp_path):
    run_cli("template", "--year", "2023", "--department", "区卫生健康局", "--data", str(data))
    form = tmp_path / "填报表-2023-区卫生健康局.xlsx"
    _fill(form, "进展", 2, status="按计划推进", evidence="已开工", source="区卫生健康局 2023 年报")
    code, out, err = run_cli("ingest", str(form), "--year", "2023", "--data", str(data), "--dry-run", "--lang", "zh")
    assert code == 0, err
    [line] = [line for line in out.splitlines() if "→" in line]
    assert "→ 按计划推进 | 已开工" in line and "on_schedule" not in line


# --- who has not reported ---------------------------------------------------------------------

@pytest.fixture
def reported(data):
    """Hand-made reports of 区卫生健康局 up to 2023: some values and statuses in, some not."""
    obs, progress = data / "observations", data / "progress"
    progress.mkdir()
    (obs / "2023.csv").write_text("indicator_id,value,source\ngreen_disease_surveillance_coverage,95,区卫生健康局\n"
                                  "two_resident_urbanisation,90.6,区统计局\n", encoding="utf-8")
    with open(obs / "2022.csv", "a", encoding="utf-8") as f:
        f.write("smart_hospital_coverage,88,区卫生健康局,,official\n")
    head = "commitment_id,status,evidence,source\n"
    (progress / "2021.csv").write_text(head + "task_urban_medical_consortia,done,已建成,区卫生健康局\n", encoding="utf-8")
    (progress / "2022.csv").write_text(head + "task_public_hospital_quality,on_schedule,推进中,区卫生健康局\n",
                                       encoding="utf-8")
    (progress / "2023.csv").write_text(head + "task_tiered_diagnosis_system,behind,滞后,区卫生健康局\n",
                                       encoding="utf-8")
    return data


def test_status_lists_a_departments_missing_items_by_name_with_their_last_year(reported):
    import json

    code, out, err = run_cli("status", "--year", "2023", "--department", "区卫生健康局", "--data", str(reported),
                             "--format", "json")
    assert code == 0, err
    items = {r["id"]: r for r in json.loads(out)}
    assert {r["department"] for r in items.values()} == {"区卫生健康局"}
    assert items["smart_hospital_coverage"]["last_year"] == 2022 and items["smart_hospital_coverage"]["kind_zh"] == "指标"
    assert items["bal_doctors_per_1000"]["last_year"] == 2020 and items["bal_infant_care_places"]["last_year"] is None
    assert items["task_public_hospital_quality"]["last_year"] == 2022
    assert items["task_public_hospital_quality"]["name"] == "实施公立医院高质量发展工程"
    assert items["task_mental_illness_mechanism"]["last_year"] is None
    # Reported for the year, or done before it: not missing.
    assert not {"green_disease_surveillance_coverage", "task_tiered_diagnosis_system",
                "task_urban_medical_consortia"} & set(items)

    code, out, err = run_cli("status", "--year", "2023", "--department", "health", "--data", str(reported),
                             "--lang", "zh")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["责任单位", "类别", "名称", "编号", "最近报送"]
    assert any(line.split()[1:] == ["指标", "智慧医院覆盖率", "smart_hospital_coverage", "2022年"] for line in lines), out
    assert any("task_mental_illness_mechanism" in line and "从未报送" in line for line in lines)
    assert lines[-1] == f"2023 年：共有 {len(items)} 项尚未报送，涉及 1 个责任单位"
    code, out, err = run_cli("status", "--year", "2023", "--department", "health", "--data", str(reported),
                             "--format", "csv")
    assert out.splitlines()[0] == "责任单位,类别,名称,编号,最近报送" and len(out.splitlines()) == len(items) + 1


def test_check_final_and_the_departments_page_name_the_missing_items(reported):
    from planbook.book.pages import departments_page
    from planbook.inputs.dataset import load
    from planbook.report.report import Report

    code, out, err = run_cli("check", "--final", "--year", "2023", "--data", str(reported), "--lang", "zh")
    assert code == 2
    assert ("尚缺：区卫生健康局：指标“智慧医院覆盖率”（smart_hospital_coverage）未报送 2023 年（最近一次报送为 2022 年）"
            in err.splitlines()), err
    assert "尚缺：区卫生健康局：目标任务“实施公立医院高质量发展工程”（task_public_hospital_quality）未报送 2023 年" in err
    assert "task_tiered_diagnosis_system" not in err
    page = departments_page(Report(data=load(reported), year=2023))
    section = page.split("尚未报送的指标和目标任务（2023年）", 1)[1]
    assert "智慧医院覆盖率" in section and "实施公立医院高质量发展工程" in section and "2022年" in section
    assert "从未报送" in section and "task_tiered_diagnosis_system" not in section


# --- every message a person acts on, in Chinese under a Chinese or a C locale --------------------

def _ascii_only(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not re.search(r"[^\x00-\x7f]", line)]


@pytest.fixture(params=["zh_CN.UTF-8", "C"])
def locale(request, monkeypatch):
    """The staff's environment: a Chinese or a C locale, no PLANBOOK_LANG (the suite sets it to en)."""
    for name in ("PLANBOOK_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", request.param)
    return request.param


def _stale(data) -> None:
    """Change a 2022 value the two_way commentary was written against (its status changes)."""
    csv = data / "observations" / "2022.csv"
    csv.write_text(csv.read_text("utf-8").replace("two_registered_urbanisation,75.6", "two_registered_urbanisation,73.0"),
                   encoding="utf-8")


def test_check_final_stale_sheet_and_argparse_messages_are_chinese(data, tmp_path, locale):
    _stale(data)
    code, out, err = run_cli("check", "--data", str(data))
    assert code == 0 and "警告：" in err and "撰写时依据的判断已变化" in err and "2022 年度版的评估意见" in out, err
    assert not _ascii_only(err) and not _ascii_only(out), (err, out)
    code, out, err = run_cli("check", "--final", "--year", "2022", "--data", str(data))
    assert code == 2 and "尚不能定稿" in err and "评估意见早于最新数据" in err
    assert not _ascii_only(err) and not _ascii_only(out), (err, out)
    # The commitments' sheet of a form.
    run_cli("template", "--year", "2023", "--department", "区卫生健康局", "--data", str(data))
    form = tmp_path / "填报表-2023-区卫生健康局.xlsx"
    _fill(form, "进展", 2, status="进行中", source="区卫生健康局")
    _fill(form, "进展", 3, status="滞后", source="区卫生健康局")
    _fill(form, "进展", 4, commitment_id="task_no_such_thing", status="滞后", evidence="x", source="x")
    code, out, err = run_cli("ingest", str(form), "--year", "2023", "--data", str(data))
    assert code == 2 and len(err.splitlines()) == 4 and "工作表“进展”" in err, err
    assert not _ascii_only(err), err
    # argparse: a missing argument, a bad value, an unknown command; and --help.
    for args in (["template"], ["build", "--year", "x"], ["bild"], ["status", "--format", "xml"]):
        with pytest.raises(SystemExit) as exit_:
            run_cli(*args)
        assert exit_.value.code == 2
    for args in (["template"], ["build", "--year", "x"], ["bild"]):
        import subprocess
        import sys

        done = subprocess.run([sys.executable, "-m", "planbook", *args], capture_output=True, text=True,
                              env={**__import__("os").environ})
        assert done.returncode == 2 and "错误：" in done.stderr and not _ascii_only(done.stderr), done.stderr
    done = subprocess.run([sys.executable, "-m", "planbook", "template", "--help"], capture_output=True, text=True)
    assert done.stdout.startswith("用法：planbook template") and "填报年份" in done.stdout
    assert "show this help" not in done.stdout and "选项" in done.stdout


def test_verify_says_rounded_numbers_and_exits_2(monkeypatch, tmp_path):
    from planbook.book import verify as verify_module

    def fake(site, year, data_dir=None):
        result = verify_module.Verification(year=year, records=3)
        result.mismatches.append(f"green_good_air_days (milestone 2025): value published "
                                 f"{verify_module.shown(87.49999999999999)}, now {verify_module.shown(0.1 + 0.2)}")
        result.changed_inputs.append("data/observations/2022.csv: changed since publication")
        return result

    monkeypatch.setattr(verify_module, "verify", fake)
    code, out, err = run_cli("verify", "--year", "2022", "--site", str(tmp_path), "--lang", "zh")
    assert code == 2
    assert "不一致：green_good_air_days（2025 年目标）：value 发布时为 87.5，现为 0.3" in err
    assert "输入文件 data/observations/2022.csv：发布以来已改动" in out
    assert "planbook build --year 2022" in err


@pytest.mark.slow
def test_the_build_log_is_chinese_and_a_built_draft_is_marked_and_warned_about(data, tmp_path, locale):
    code, out, err = run_cli("build", "--year", "2022", "--draft", "--data", str(data), "--out", str(tmp_path / "out"))
    assert code == 0, err
    lines = [line for line in err.splitlines() if line.startswith("[planbook")]
    assert lines and any("数据核查通过" in line for line in lines) and any("全部完成" in line for line in lines)
    assert not _ascii_only(err) and not _ascii_only(out), (err, out)
    site = tmp_path / "out" / "html"
    assert '<span class="demo pb-draft"' in (site / "index.html").read_text("utf-8")
    # A build's charts are the site's (drawn by its Vega runtime), not JupyterLab's pictures.
    green = (site / "2022" / "chapters" / "green.html").read_text("utf-8")
    assert "planbookChart(" in green and "image/svg+xml" not in green and "pb-glued" not in green
    code, out, err = run_cli("publish", "--site", str(site), "--to", str(tmp_path / "copy"), "--data", str(data))
    assert code == 0 and err.splitlines() == ["警告：2022 年度版是征求意见稿（用 --draft 构建）：作为定稿交付前，请不加 "
                                              "--draft 重新构建（planbook build --year 2022 --pdf）"], err
    assert not _ascii_only(err) and not _ascii_only(out), (err, out)


# --- the hand-over warns ----------------------------------------------------------------------

def _site(tmp_path, data, draft: bool):
    """A published site of one edition (2022) whose record holds the data's checksums as now."""
    import json

    from planbook.book.editions import input_name
    from planbook.inputs.dataset import load

    ds = load(data)
    site = tmp_path / "site"
    (site / "2022").mkdir(parents=True)
    (site / "index.html").write_text("<title>评估 · 各年度版本</title>", encoding="utf-8")
    (site / "2022" / "index.html").write_text("2022", encoding="utf-8")
    record = {"year": 2022, "kind": "annual", "kind_zh": "年度评估", "has_demo": False, "downloads": {},
              "inputs": [{"file": input_name(f.path, ds.source_dir), "sha256": f.sha256} for f in ds.inputs(2022)]}
    if draft:
        record["draft"] = True
    (site / "2022" / "edition.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return site


def test_publish_warns_about_drafts_and_changed_inputs_and_final_only_refuses(data, tmp_path):
    site = _site(tmp_path, data, draft=False)
    code, out, err = run_cli("publish", "--site", str(site), "--to", str(tmp_path / "a"), "--data", str(data))
    assert code == 0 and err == "", err  # final and current: not a word
    site = _site(tmp_path / "d", data, draft=True)
    code, out, err = run_cli("publish", "--site", str(site), "--to", str(tmp_path / "b"), "--data", str(data),
                             "--lang", "zh")
    assert code == 0 and (tmp_path / "b" / "index.html").is_file()
    assert err.startswith("警告：2022 年度版是征求意见稿"), err
    # The data changed since the edition was built.
    csv = data / "observations" / "2022.csv"
    csv.write_text(csv.read_text("utf-8").replace("two_registered_urbanisation,75.6", "two_registered_urbanisation,73.0"),
                   encoding="utf-8")
    (data / "progress").mkdir()
    (data / "progress" / "2022.csv").write_text("commitment_id,status,evidence,source\n"
                                                "task_public_hospital_quality,behind,x,区卫生健康局\n", encoding="utf-8")
    code, out, err = run_cli("publish", "--site", str(site), "--to", str(tmp_path / "c"), "--data", str(data))
    assert code == 0
    [draft, changed] = err.splitlines()
    assert draft.startswith("warning: edition 2022 is a draft")
    assert changed.startswith("warning: edition 2022: its inputs changed since it was built (")
    assert "observations/2022.csv" in changed and "progress/2022.csv" in changed  # changed, and added
    code, out, err = run_cli("publish", "--site", str(site), "--zip", str(tmp_path / "x.zip"), "--data", str(data),
                             "--final-only", "--lang", "zh")
    assert code == 2 and "没有交付任何内容" in err and "征求意见稿" in err and "输入数据有变化" in err, err
    assert not (tmp_path / "x.zip").exists() and out == ""


def test_the_root_page_marks_drafts():
    from planbook.book.editions import root_index
    from planbook.inputs.dataset import load

    cat = load(BOOK_DATA).catalogue
    record = {"year": 2022, "kind": "annual", "kind_zh": "年度评估", "has_demo": False, "status_counts": {},
              "light_counts": {}, "score": None}
    assert "征求意见稿" not in root_index([record], "评估", cat)
    page = root_index([{**record, "draft": True}], "评估", cat)
    assert '<span class="demo pb-draft"' in page and "征求意见稿</span>" in page


# --- check validates the glue keys of commentary ---------------------------------------------------

def test_check_refuses_an_unknown_glue_key_with_file_and_line(data):
    path = data / "commentary" / "2022" / "green.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("## 存在问题及原因\n\n数值 {glue:text}`green_good_air_days_value`，{glue:text}`pace_sentence`\n"
                    "完成 {glue:text}`green_no_such_number:.1f`。\n", encoding="utf-8")
    code, out, err = run_cli("check", "--data", str(data))
    assert code == 2 and err.startswith("error: "), err
    [line] = err.splitlines()
    assert "commentary/2022/green.md, row 4: {glue:text}`green_no_such_number`: this chapter has no number" in line
    code, out, err = run_cli("check", "--data", str(data), "--lang", "zh")
    assert code == 2 and "green.md，第 4 行：{glue:text}`green_no_such_number`：本章没有名为“green_no_such_number”的数字" in err
    path.write_text("## 存在问题及原因\n\n数值 {glue:text}`green_good_air_days_value`，{glue:text}`pace_sentence`。\n",
                    encoding="utf-8")
    assert run_cli("check", "--data", str(data))[0] == 0


def test_the_glue_keys_check_knows_are_what_the_chapters_glue(data):
    from planbook.book import notebook
    from planbook.report.commentary import chapters

    for chapter in chapters(notebook.open_report(2022, data)):
        made = notebook.Overview(2022, data) if chapter == "overview" else notebook.Chapter(chapter, 2022, data)
        assert notebook.glue_keys(made.report, chapter) == notebook.GLUED, chapter


# --- a moved or copied checkout rebuilds nothing ---------------------------------------------------

@pytest.mark.slow
def test_a_copied_checkout_rebuilds_nothing(tmp_path, monkeypatch, capfd):
    import subprocess

    from planbook.build.pipeline import build

    from conftest import ROOT

    root = tmp_path / "first"  # a minimal project: notebooks, pages, configuration, data
    for name in ("notebooks", "book"):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("chapters", "generated"))
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(ROOT / name, root / name)
    shutil.copytree(ROOT / "data", root / "data",
                    ignore=shutil.ignore_patterns("observations", "progress", "releases", "commentary"))
    for name in ("observations", "commentary"):
        shutil.copytree(BOOK_DATA / name, root / "data" / name)
    monkeypatch.chdir(root)
    build(year=2022)
    capfd.readouterr()
    copy = tmp_path / "elsewhere" / "second"
    copy.parent.mkdir()
    subprocess.run(["cp", "-a", str(root), str(copy)], check=True)
    monkeypatch.chdir(copy)
    [result] = build(year=2022)
    err = capfd.readouterr().err
    assert "edition 2022 unchanged since it was published: kept" in err, err
    assert "] executed " not in err and "building the 2022 website" not in err
    assert result.site == copy / "_build" / "html" / "2022" and (result.site / "index.html").is_file()


# --- the README says what the commands do ------------------------------------------------------------

def test_the_readme_matches_the_commands():
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text("utf-8")
    assert "for the latest year" not in readme and "≈ 3 minutes" not in readme and "about 80 rows" not in readme
    assert "../planbook/.venv" not in readme and "with `--force` from the second" not in readme
    assert "## The yearly round" in readme
    round_ = readme.split("## The yearly round", 1)[1].split("\n## ", 1)[0]
    order = ["template", "ingest", "status", "build --year 2026 --pdf --draft", "commentary", "check --year 2026 "
             "--final", "build --year 2026 --pdf`", "release", "publish"]
    at = [round_.index(f"planbook {step}") for step in order]
    assert at == sorted(at), at
    adding = readme.split("**Adding a year**", 1)[1].split("You can also put", 1)[0]
    assert "planbook release" in adding and "planbook publish" in adding


def test_ingest_suggests_the_build_the_readme_gives(data, tmp_path):
    form = tmp_path / "form.csv"
    form.write_text("indicator_id,value,source\ngreen_good_air_days,60,区生态环境局\n", encoding="utf-8")
    code, out, err = run_cli("ingest", str(form), "--year", "2023", "--data", str(data))
    assert code == 0 and "planbook build --year 2023 --pdf" in out, (out, err)
