"""One engine, any plan: `planbook init` makes a second plan's book that builds, with nothing of this one."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import FIXTURES, ROOT

FIXTURE = FIXTURES / "another-plan"  # a plan of another shape: see its catalogue.yaml

PLACE = re.compile("历城|济南|Licheng|licheng")
# This plan's own words besides its place: its table, the chapter of its evaluation clause, its
# pending target; none of them may be in the package (the example included).
THIS_PLAN = re.compile("历城|济南|Licheng|licheng|专栏1|第七章|森林覆盖率")
# The example's words: in the example (templates/init) only, never in the engine.
EXAMPLE = re.compile("示例县")


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
    # Its register, departments and areas: the overview's commitments section links to their pages.
    assert "重点任务与项目进展" in overview and 'href="../generated/departments.html' in overview
    assert (edition / "generated" / "areas.html").is_file()


SKIPPED = (".png", ".svg", ".woff2", ".woff", ".ttf", ".ico", ".gif")


def published_texts(site: Path):
    """``(path, text)`` of every file a published site holds that has text: pages, scripts, CSV,
    the PDF's text (pdftotext), the Word copy's paragraphs and cells, the workbooks' cells."""
    for path in sorted(site.rglob("*")):
        if path.is_dir() or path.suffix in SKIPPED:
            continue
        if path.suffix == ".pdf":
            text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
        elif path.suffix == ".docx":
            import docx

            doc = docx.Document(str(path))
            text = " ".join([p.text for p in doc.paragraphs]
                            + [c.text for t in doc.tables for row in t.rows for c in row.cells])
        elif path.suffix == ".xlsx":
            import openpyxl

            wb = openpyxl.load_workbook(path)
            text = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row)
        else:
            text = path.read_text("utf-8", errors="replace")
        yield path, text


def test_nothing_of_this_plan_appears_in_the_second(second):
    checked = 0
    for path, text in published_texts(second / "_build" / "html"):
        assert not PLACE.search(text), path
        checked += 1
    assert checked > 50


def _package_files():
    files = [p for p in (ROOT / "src" / "planbook").rglob("*")
             if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".js",)]
    assert len(files) > 50
    return files


def test_the_package_holds_no_place_of_this_plan():
    found = [str(p) for p in _package_files() if THIS_PLAN.search(p.read_text("utf-8", errors="replace"))]
    assert found == []


def test_the_engine_holds_nothing_of_the_example():
    example = ROOT / "src" / "planbook" / "templates" / "init"
    found = [str(p) for p in _package_files() if example not in p.parents
             and EXAMPLE.search(p.read_text("utf-8", errors="replace"))]
    assert found == []


def test_init_refuses_a_folder_that_is_not_empty(tmp_path, cli):
    (tmp_path / "x.txt").write_text("mine", encoding="utf-8")
    code, out, err = cli("init", str(tmp_path))
    assert code == 2 and "exists and is not empty" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.txt"]


# --- the chapters: one template, made again when the dimensions change -------------------------

def test_the_shipped_chapters_are_made_from_the_one_template():
    from planbook.book.scaffold import chapter_notebook, edited
    from planbook.plan.catalogue import load_catalogue

    dims = load_catalogue(ROOT / "data" / "catalogue.yaml").dimensions
    assert len(dims) == 4
    for dim in dims:
        shipped = (ROOT / "notebooks" / f"{dim.id}.md").read_text("utf-8")
        assert shipped == chapter_notebook(dim) and not edited(shipped), dim.id
        assert dim.intro_zh in shipped  # the plan's own words come from the catalogue


def test_init_makes_the_example_chapters_from_the_same_template(tmp_path, cli):
    from planbook.book.scaffold import chapter_notebook
    from planbook.plan.catalogue import load_catalogue

    code, out, err = cli("init", str(tmp_path / "book"))
    assert code == 0, err
    dims = load_catalogue(tmp_path / "book" / "data" / "catalogue.yaml").dimensions
    for dim in dims:
        assert (tmp_path / "book" / "notebooks" / f"{dim.id}.md").read_text("utf-8") == chapter_notebook(dim)
    assert not (tmp_path / "book" / "notebooks" / "chapter.md.in").exists()


def _toc_chapters(folder):
    from planbook.project import chapters

    return list(chapters(folder))


def test_init_from_a_plans_folder(tmp_path, cli):
    folder = tmp_path / "book"
    code, out, err = cli("init", str(folder), "--from", str(FIXTURE))
    assert code == 0, err
    assert _toc_chapters(folder) == ["overview", "level", "service", "infra", "env"]
    assert sorted(p.name for p in (folder / "notebooks").glob("*.md")) == [
        "env.md", "infra.md", "level.md", "overview.md", "service.md"]
    config = (folder / "_config.yml").read_text("utf-8")
    assert "国家新型城镇化规划实施评估" in config and "示例" not in config and "演示" not in config
    assert sorted(p.name for p in (folder / "data").iterdir()) == ["catalogue.yaml", "observations", "plan"]
    assert (folder / "data" / "observations" / "2020.csv").read_bytes() == (FIXTURE / "observations" / "2020.csv").read_bytes()
    assert (folder / "README.md").is_file()


def test_init_from_a_folder_without_a_catalogue_names_what_is_missing(tmp_path, cli):
    (tmp_path / "src" / "observations").mkdir(parents=True)
    code, out, err = cli("init", str(tmp_path / "book"), "--from", str(tmp_path / "src"))
    assert code == 2 and "catalogue.yaml: not found" in err and "plan: not found" in err
    assert not (tmp_path / "book").exists()


def _with_dimensions(folder, dims):
    """Give the catalogue of ``folder`` the dimensions ``dims`` (id, name), its indicators spread over them."""
    import yaml

    path = folder / "data" / "catalogue.yaml"
    raw = yaml.safe_load(path.read_text("utf-8"))
    raw["dimensions"] = [{"id": i, "name_zh": n, "name_en": i} for i, n in dims]
    for k, ind in enumerate(raw["indicators"]):
        ind["dimension"] = dims[k % len(dims)][0]
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_chapters_follow_the_dimensions_and_keep_an_edited_notebook(tmp_path, cli, monkeypatch):
    folder = tmp_path / "book"
    assert cli("init", str(folder), "--from", str(FIXTURE))[0] == 0
    monkeypatch.chdir(folder)
    # The dimensions change: level renamed, env gone, a new one; nothing edited yet.
    _with_dimensions(folder, [("level", "城镇化水平与质量"), ("service", "基本公共服务"), ("infra", "基础设施"),
                              ("housing", "住房")])
    code, out, err = cli("chapters")
    assert code == 0, err
    assert _toc_chapters(folder) == ["overview", "level", "service", "infra", "housing"]
    assert "# 城镇化水平与质量" in (folder / "notebooks" / "level.md").read_text("utf-8")
    assert (folder / "notebooks" / "housing.md").is_file() and "env.md" in out  # env's notebook left, named
    assert "generated/areas" in (folder / "_toc.yml").read_text("utf-8")  # the rest of the toc kept
    # A researcher edits a chapter's narrative; the dimension's name changes again: refused, named.
    path = folder / "notebooks" / "service.md"
    mine = path.read_text("utf-8").replace("{glue:text}`chapter_intro`", "本章是研究组写的导语。")
    path.write_text(mine, encoding="utf-8")
    _with_dimensions(folder, [("level", "城镇化水平"), ("service", "公共服务"), ("infra", "基础设施"),
                              ("housing", "住房")])
    code, out, err = cli("chapters")
    assert code == 2 and "notebooks/service.md" in err and "edited by hand" in err
    assert path.read_text("utf-8") == mine
    assert "# 城镇化水平与质量" in (folder / "notebooks" / "level.md").read_text("utf-8")  # nothing written


def test_check_fails_when_the_toc_notebooks_and_dimensions_disagree(tmp_path, cli, monkeypatch):
    folder = tmp_path / "book"
    assert cli("init", str(folder), "--from", str(FIXTURE))[0] == 0
    monkeypatch.chdir(folder)
    assert cli("check")[0] == 0
    toc = (folder / "_toc.yml").read_text("utf-8")
    (folder / "_toc.yml").write_text(toc.replace("chapters/env", "chapters/environment"), encoding="utf-8")
    code, out, err = cli("check")
    assert code == 2
    assert "chapters/environment: the catalogue has no dimension 'environment'" in err
    assert "dimension 'env' has no chapter" in err and "notebooks/environment.md: not found" in err
    (folder / "_toc.yml").write_text(toc, encoding="utf-8")
    (folder / "notebooks" / "infra.md").unlink()
    code, out, err = cli("check")
    assert code == 2 and "notebooks/infra.md: not found" in err
    code, out, err = cli("--lang", "zh", "check")
    assert code == 2 and "不存在：_toc.yml 的一章“infra”由它生成" in err


# --- words decided by the data ---------------------------------------------------------------

@pytest.fixture(scope="module")
def final_2020():
    """The other plan's final edition (2020), from the fixture folder as it is."""
    from planbook.inputs.dataset import load
    from planbook.report.report import Report

    return Report(data=load(FIXTURE), year=2020)


def test_the_meeting_summary_gives_the_year_of_an_older_value(final_2020):
    from planbook.book.pdf import summary_rows

    _, rows, _ = summary_rows(final_2020)
    values = {row[2].text: row[3].text for row in rows}
    assert values["农民工随迁子女接受义务教育比例"] == "80.0%（2015年）"  # its last value, not a 2020 one
    assert values["城镇可再生能源消费比重"] == "10.1%（2016年）"
    assert values["常住人口城镇化率"] == "63.9%"  # the edition's year: no year said
    assert values["城市家庭宽带接入能力"] == "—"


def test_a_plan_without_a_clause_or_a_second_milestone_gets_no_holes_in_its_method(final_2020):
    from planbook.book.pages import substitutions

    subs = substitutions(final_2020.data, 2020)
    assert subs["edition_kinds"] == "本书把 2020 年（规划目标年）的版本称为终期评估，其余年份的称为年度评估。"
    assert subs["clause_reference"] == "" and subs["plan_document"] == "" and subs["demo_warning"] == ""
    assert subs["edition_name"] == "2020 年度评估报告（终期评估）"
    assert subs["plan_targets"] == "规划在表3“新型城镇化主要指标”中列出 12 项指标。"  # no text targets: not said
    assert "演示" not in subs["data_kinds"]


def test_the_shipped_plan_keeps_its_clause_and_its_demo_words():
    from planbook.book.pages import substitutions
    from planbook.inputs.dataset import load

    data = load()
    subs = substitutions(data, 2023)
    assert subs["edition_kinds"].startswith("规划第七章第三节“强化动态监测评估”要求“定期对本规划实施进度")
    assert "2025 年（规划前期目标的目标年）的版本称为中期评估、2035 年" in subs["edition_kinds"]
    assert subs["clause_reference"].startswith("- 《") and "演示" in subs["data_kinds"]


def test_pages_the_plan_has_nothing_for_are_left_out(final_2020, tmp_path):
    from planbook.book.edition import Edition
    from planbook.book.pages import omitted_pages, toc_without, write_generated_pages
    from planbook.book.pdf import write_print_pages
    from planbook.book.scaffold import book_toc
    from planbook.inputs.dataset import load

    left = omitted_pages(final_2020.data)
    assert left == {"generated/departments", "generated/areas", "generated/amendments"}
    assert omitted_pages(load()) == set()  # the shipped plan has all three (its amendments file lists none)
    toc = toc_without(book_toc(["level"]), left)
    files = [e.get("file") for p in toc["parts"] for e in p["chapters"]]
    assert files == ["intro", "chapters/overview", "chapters/level", "generated/indicators", "methodology",
                     "generated/data-appendix", "generated/colophon"]
    edition = Edition.of(final_2020.data, 2020, {})
    written = {p.name for p in write_generated_pages(edition, tmp_path / "generated")}
    assert not {"areas.md", "departments.md", "amendments.md"} & written and "data-appendix.md" in written
    write_print_pages(edition, tmp_path / "print")
    assert sorted(p.name for p in (tmp_path / "print").iterdir()) == ["data-appendix-print.md"]


def test_only_rows_with_a_target_year_value_count_as_judged_by_it(tmp_path):
    import shutil

    from planbook.inputs.dataset import load
    from planbook.report import views
    from planbook.report.report import Report

    data = tmp_path / "plan"
    shutil.copytree(FIXTURE, data)
    # 2019 figures for two rows that then have none in 2020, the target year.
    (data / "observations" / "2019.csv").write_text(
        "indicator_id,value,source,note,kind\nenv_renewable_share,12.0,公报 2019,,official\n"
        "infra_broadband,40,公报 2019,,official\nlevel_resident_urbanisation,60.6,公报 2019,,official\n",
        encoding="utf-8")
    report = Report(data=load(data), year=2020)
    sentence, table = views.changes(report)
    moves = {row[0].text: (row[3].text, row[-1].text) for row in table.rows}
    assert moves["城镇可再生能源消费比重"][0].startswith("数据不足")
    assert moves["城镇可再生能源消费比重"][1] != "2020年目标到期"
    judged = [name for name, (status, move) in moves.items() if move == "2020年目标到期"]
    assert judged and all(moves[n][0].startswith(("已达标", "未完成")) for n in judged)
    assert f"{len(judged)} 项因目标年已到而按当年数值判定完成与否" in sentence


# --- acceptance: a plan of another shape, from `init --from`, built (site and PDF) -------------

# This plan's words and the example's: none may be in the other plan's book.
FOREIGN = re.compile("历城|济南|Licheng|licheng|专栏1|第七章|森林覆盖率|演示|示例|示例县城乡发展规划")


@pytest.fixture(scope="module")
def another(tmp_path_factory):
    """The fixture plan (base year 2012, 2014–2020, one milestone, four dimensions that are not
    chapters, figures with gaps, no register, areas, departments, amendments or demo) made into a
    book by `planbook init --from`, checked, and built with its PDF from inside its folder."""
    folder = tmp_path_factory.mktemp("another") / "book"
    run = [sys.executable, "-m", "planbook"]
    init = subprocess.run([*run, "init", str(folder), "--from", str(FIXTURE)], capture_output=True, text=True,
                          cwd=ROOT)
    assert init.returncode == 0, init.stderr
    check = subprocess.run([*run, "check"], capture_output=True, text=True, cwd=folder)
    assert check.returncode == 0, check.stderr
    build = subprocess.run([*run, "build", "--pdf"], capture_output=True, text=True, cwd=folder)
    assert build.returncode == 0, build.stderr
    return folder


@pytest.mark.slow
def test_a_plan_of_another_shape_builds_from_its_own_folder(another):
    edition = another / "_build" / "html" / "2020"  # its final edition, the only year built
    assert (edition / "evaluation-2020.pdf").stat().st_size > 10_000
    chapters = sorted(p.stem for p in (edition / "chapters").glob("*.html"))
    assert chapters == ["env", "infra", "level", "overview", "service"]  # one per dimension
    for chapter, title in (("level", "城镇化水平"), ("service", "基本公共服务"), ("infra", "基础设施"),
                           ("env", "资源环境")):
        assert f"<h1>{title}" in (edition / "chapters" / f"{chapter}.html").read_text("utf-8")
    # Pages it has nothing for are not made, nor in its menu; no heading stands without content.
    assert not any((edition / "generated" / f"{p}.html").exists() for p in ("areas", "departments", "amendments"))
    page = (edition / "chapters" / "service.html").read_text("utf-8")
    assert "目标、任务和项目" not in page and "规划正文中的量化目标" not in page and "重点任务与项目进展" not in (
        edition / "chapters" / "overview.html").read_text("utf-8")
    assert "按责任单位" not in (edition / "index.html").read_text("utf-8")
    assert "规划正文暂无可评估的指标" not in (edition / "chapters" / "overview.html").read_text("utf-8")
    text = subprocess.run(["pdftotext", str(edition / "evaluation-2020.pdf"), "-"], capture_output=True,
                          text=True).stdout
    assert "2020 年度评估报告（终期评估）" in text and "80.0%（2015 年）" in text  # (xeCJK spaces it)
    assert "本书把 2020 年（规划目标年）的版本称为终期评估" in text and "（）" not in text


@pytest.mark.slow
def test_nothing_of_this_plan_or_the_example_appears_in_another(another):
    checked = 0
    for path, text in published_texts(another / "_build" / "html"):
        if path.suffix == ".docx":
            text = re.sub("第[一二三四五六七八九十]+章　", "", text)  # the Word copy's own chapter numbers
        found = FOREIGN.search(text)
        assert not found, (path, found.group(0))
        checked += 1
    assert checked > 50


# --- the schema: what many plans lack is optional; what the book promises is warned about ------

def test_a_plan_without_document_number_or_chapters_is_a_catalogue():
    from planbook.plan.catalogue import load_catalogue

    cat = load_catalogue(FIXTURE / "catalogue.yaml")
    assert "document_no" not in cat.plan and all(d.chapter_zh is None for d in cat.dimensions)
    assert cat.warnings() == []


def _fixture_copy(tmp_path, change):
    import shutil

    data = tmp_path / "plan"
    shutil.copytree(FIXTURE, data)
    path = data / "catalogue.yaml"
    path.write_text(change(path.read_text("utf-8")), encoding="utf-8")
    return data


def test_a_baseline_before_the_base_year_is_warned_with_the_reason(tmp_path, cli):
    data = _fixture_copy(tmp_path, lambda t: t.replace("baseline: {year: 2012, value: 8.7", "baseline: {year: 2010, value: 8.7"))
    code, out, err = cli("check", "--data", str(data))
    assert code == 0
    assert "indicators[9].baseline.year" in err and "2010 is before the plan's base year 2012" in err
    code, out, err = cli("--lang", "zh", "check", "--data", str(data))
    assert "警告：" in err and "2010 年早于规划基期 2012 年" in err


def test_an_unquoted_target_is_warned_and_its_page_says_so(tmp_path, cli):
    from planbook.book.indicator_pages import headline_records, indicator_page
    from planbook.inputs.dataset import load
    from planbook.report.report import Report

    data = _fixture_copy(tmp_path, lambda t: t.replace('quote: "城市污水处理率（%）\\t87.3\\t95"', "quote: null"))
    code, out, err = cli("check", "--data", str(data))
    assert code == 0 and "infra_sewage_treatment: no quote of the plan's passage" in err
    report = Report(data=load(data), year=2020)
    page = indicator_page(report, report.cat.by_id["infra_sewage_treatment"], [(report, headline_records(report))])
    assert "原文未核对" in page
    other = indicator_page(report, report.cat.by_id["infra_water_supply"], [(report, headline_records(report))])
    assert "原文未核对" not in other


def test_the_readme_states_the_schema_as_it_is():
    import json

    readme = (ROOT / "README.md").read_text("utf-8")
    paths = re.findall(r"`(src/planbook/[\w/.]*\.schema\.json)`", readme)
    assert paths and all((ROOT / p).is_file() for p in paths)
    schema = json.loads((ROOT / "src/planbook/plan/schema/catalogue.schema.json").read_text("utf-8"))
    said = re.search(r"`comparison` one of (.*?), and the target `as_written`", readme, re.S).group(1)
    assert re.findall(r"`([^`]+)`", said) == schema["$defs"]["target"]["properties"]["comparison"]["enum"]
    required = schema["properties"]["plan"]["required"]
    assert "document_no" not in required and "chapter_zh" not in schema["properties"]["dimensions"]["items"]["required"]
    assert "`document_no`" in readme and "`chapter_zh`" in readme


# --- 基本完成: a plan's own setting for a target missed by a hair ---------------------------------

def _nearly(tmp_path, share):
    from planbook.inputs.dataset import load
    from planbook.report.report import Report

    data = _fixture_copy(tmp_path, lambda t: t.replace("  milestones: [2020]\n", "  milestones: [2020]\n"
                                                       f"  evaluation: {{nearly_met: {share}}}\n") if share else t)
    report = Report(data=load(data), year=2020)
    return report, report.headline().set_index("id")


def test_nearly_met_is_off_unless_the_plan_sets_it(tmp_path):
    report, head = _nearly(tmp_path, None)
    assert head.loc["env_air_quality", "status"] == "not_achieved"  # 59.9 against ≥60
    # Missed targets score their completion share: green space (38.2 − 35.7) / (38.9 − 35.7) = 78.125,
    # air quality (59.9 − 40.8) / (60 − 40.8) = 99.479 (renewables unscored): 88.80.
    assert report.summary.set_index("dimension").loc["env", "score"] == pytest.approx(88.80, abs=0.01)


def test_a_target_missed_by_a_hair_is_nearly_met_and_scored_between(tmp_path):
    from planbook.book.pages import substitutions

    report, head = _nearly(tmp_path, 0.01)  # within 1% of the target
    # Worked by hand: air quality 59.9 against ≥60 is 0.1 short, within 0.6 (1% of 60): 基本完成.
    assert tuple(head.loc["env_air_quality", ["status", "pace", "light"]]) == (
        "nearly_achieved", "nearly_achieved", "yellow")
    # Green space 38.2 against 38.9 is 0.7 short, beyond 0.389; medical insurance 95 against 98: missed.
    assert head.loc["env_green_space", "status"] == "not_achieved"
    assert head.loc["service_medical_coverage", "status"] == "not_achieved"
    # 资源环境: green space its share 78.125, air quality at least 60, here its share 99.479 (renewables
    # have no 2020 value, unscored): 88.80, the same as without the setting (基本完成 never scores less).
    assert report.summary.set_index("dimension").loc["env", "score"] == pytest.approx(88.80, abs=0.01)
    from planbook.assess.progress import STATUS_POINTS

    assert STATUS_POINTS["not_achieved"] < STATUS_POINTS["nearly_achieved"] < STATUS_POINTS["achieved"]
    subs = substitutions(report.data, 2020)
    assert "差距不超过目标值的 1% 的，记为“基本完成”" in subs["nearly_met_rule"] and "计 60 分" in subs["nearly_met_rule"]
    from planbook.report import sentences

    pace = sentences.pace_sentence(report, report.headline(), "表3")
    assert "1 项基本完成、亮黄灯" in pace and "基本完成 1 项" in pace


def test_nearly_met_is_refused_beyond_a_fifth(tmp_path, cli):
    data = _fixture_copy(tmp_path, lambda t: t.replace("  milestones: [2020]\n",
                                                       "  milestones: [2020]\n  evaluation: {nearly_met: 0.5}\n"))
    code, out, err = cli("check", "--data", str(data))
    assert code == 2 and "nearly_met" in err


# --- messages: a new team reads them in Chinese --------------------------------------------------

@pytest.mark.parametrize("change, english, chinese", [
    (lambda t: t.replace("    dimension: env\n", "    dimension: livable\n", 1),
     "got 'livable', expected one of env, infra, level, service", "填写的是 'livable'，应为以下之一"),
    (lambda t: t.replace("targets:\n      - {year: 2020", "targets:\n      - {year: 2025", 1),
     "2025 is outside the plan's period 2014–2020", "2025 年不在规划期 2014—2020 年之内"),
    (lambda t: t.replace("  short_title_zh: 国家新型城镇化规划\n", ""), "missing 'short_title_zh'", "缺少“short_title_zh”"),
    (lambda t: t.replace("    direction: higher\n", "    direction: higher\n    colour: red\n", 1),
     "unknown key", "未知的键：'colour'"),
    (lambda t: t.replace('comparison: "~"', 'comparison: "as_written"', 1), "got 'as_written', expected one of",
     "填写的是 'as_written'，应为以下之一"),
])
def test_catalogue_messages_are_in_chinese(tmp_path, cli, change, english, chinese):
    data = _fixture_copy(tmp_path, change)
    code, out, err = cli("check", "--data", str(data))
    assert code == 2 and english in err
    code, out, err = cli("--lang", "zh", "check", "--data", str(data))
    assert code == 2 and chinese in err, err
    assert not re.search(r"\b(is|got|expected|missing|unknown|outside)\b", err), err


def test_init_speaks_chinese_under_a_chinese_or_c_locale(tmp_path):
    import os

    for n, lang in enumerate(("zh_CN.UTF-8", "C")):
        env = {**os.environ, "LANG": lang, "LC_ALL": lang}
        env.pop("PLANBOOK_LANG", None)
        done = subprocess.run([sys.executable, "-m", "planbook", "init", str(tmp_path / f"b{n}"), "--from",
                               str(FIXTURE)], capture_output=True, text=True, cwd=ROOT, env=env)
        assert done.returncode == 0, done.stderr
        assert "已在" in done.stdout and "下一步" in done.stdout and "wrote" not in done.stdout
        again = subprocess.run([sys.executable, "-m", "planbook", "init", str(tmp_path / f"b{n}")],
                               capture_output=True, text=True, cwd=ROOT, env=env)
        assert again.returncode == 2 and "已存在且不是空文件夹" in again.stderr


def test_a_plan_without_a_register_lists_no_commitments(cli):
    code, out, err = cli("commitments", "--data", str(FIXTURE))
    assert code == 0 and "no commitments: the plan has no register.yaml" in out and "DataFrame" not in out


def test_a_gap_year_is_not_called_the_first_edition(final_2020):
    from planbook.report import views

    sentence, table = views.changes(final_2020)  # no 2019 figures; 2018 has some
    assert table is None and "本年为首次评估" not in sentence
    assert sentence == "2019 年无评估数据（上一个有数据的年份为 2018 年），无法与上一年比较状态变化。"
