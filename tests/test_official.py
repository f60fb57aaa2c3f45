"""Official figures first (issue 27): an official value or status is never hidden behind a demo
one, a context series of the same measure as an indicator is that indicator's series, the public
evidence on commitments is shipped as official reports, and a figure on another basis is flagged."""

from __future__ import annotations

import csv
import io
import re
import shutil

import pytest
import yaml

from planbook.errors import InputError, problem_text, translate
from planbook.inputs.dataset import load
from planbook.inputs.demo import write_demo
from planbook.plan.catalogue import load_catalogue

from conftest import ROOT, run_cli

HEADER = "indicator_id,value,source,note,kind\n"
DEMO_POPULATION_2022 = "113.28"  # what the demo generator makes for 2022: hidden by the official value
# The commitments with public evidence, the years it covers and the status it reads as.
EVIDENCE = {
    "proj_xiaoqinghe_navigation": {2023: "on_schedule", 2024: "done", 2025: "done"},
    "proj_daxinzhuang_archaeological_park": {2023: "on_schedule", 2024: "done", 2025: "done"},
    "proj_road_aoti_west_north_ext": {2025: "on_schedule"},
    "proj_tangye_tertiary_hospital": {2023: "on_schedule"},
    "task_rural_property_exchange": {2023: "on_schedule"},
}


def _rows(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))


# --- check: one indicator-year, one value ------------------------------------------------------

def test_a_demo_value_beside_an_official_one_for_the_same_measure_is_refused(obs_dir):
    """The official figure under the context series of the same measure, a demo one under the
    indicator: one measure, one year, two values — refused, naming file, row and field."""
    (obs_dir / "2022.csv").write_text(
        HEADER + "ctx_resident_population,112.54,区情简介,,official\n"
                 "two_resident_population,113.28,演示数据生成器,,demo\n", encoding="utf-8")
    code, out, err = run_cli("check", "--data", str(obs_dir.parent))
    assert code == 2
    assert err.strip() == (f"error: {obs_dir / '2022.csv'}, row 3, field 'indicator_id': a demo and an official value "
                           "of 'two_resident_population' for 2022 (the other in row 2): an official value takes the "
                           "place of a demo one; delete the demo row")


def test_the_same_id_as_demo_and_official_is_refused_as_such(obs_dir):
    (obs_dir / "2024.csv").write_text(
        HEADER + "green_good_air_days,56.1,演示数据生成器,,演示\ngreen_good_air_days,58.0,区生态环境局,,官方\n",
        encoding="utf-8")
    with pytest.raises(InputError) as err:
        load(obs_dir.parent)
    [problem] = err.value.problems
    assert (problem.row, problem.field) == (3, "indicator_id")
    assert problem.message.startswith("a demo and an official value of 'green_good_air_days' for 2024")
    assert "第 3 行" in problem_text(problem, "zh") and "既有演示数值又有官方数值" in problem_text(problem, "zh")


def test_two_official_values_of_one_measure_are_a_duplicate(obs_dir):
    (obs_dir / "2022.csv").write_text(
        HEADER + "two_resident_population,112.54,区情简介,,official\nctx_resident_population,112.5,年鉴,,official\n",
        encoding="utf-8")
    with pytest.raises(InputError) as err:
        load(obs_dir.parent)
    [problem] = err.value.problems
    assert problem.message == ("'ctx_resident_population' is the same measure as 'two_resident_population' "
                               "(also in row 2): one value per indicator and year")
    assert translate(problem.message) is not None


def test_a_same_measure_context_series_is_read_as_its_indicator(obs_dir):
    (obs_dir / "2022.csv").write_text(HEADER + "ctx_resident_population,112.54,区情简介,,official\n",
                                      encoding="utf-8")
    obs = load(obs_dir.parent).observations
    assert list(zip(obs["indicator_id"], obs["value"], obs["kind"])) == [("two_resident_population", 112.54,
                                                                         "official")]


def test_a_demo_status_beside_an_official_report_is_refused(data_copy):
    path = data_copy / "progress" / "2024.csv"
    demo = "proj_xiaoqinghe_navigation,behind,（演示）小清河复航：滞后,演示数据,演示情景,demo\n"
    path.write_text(path.read_text("utf-8") + demo, encoding="utf-8")
    code, out, err = run_cli("check", "--data", str(data_copy))
    assert code == 2
    [line] = err.strip().splitlines()
    row = len(_rows(path)) + 1
    assert line.startswith(f"error: {path}, row {row}, field 'commitment_id': a demo and an official status of "
                           "'proj_xiaoqinghe_navigation' for 2024 (the other in row 2)"), line
    code, out, err = run_cli("check", "--data", str(data_copy), "--lang", "zh")
    assert "既有演示进展又有官方进展" in err and f"第 {row} 行" in err


# --- planbook demo: official rows win ---------------------------------------------------------

def test_demo_leaves_every_official_indicator_year_untouched(data_copy):
    """Official figures added to a copy of the shipped data (one under the indicator, one under the
    context series of the same measure, one demo-kind word spelt 官方): after `planbook demo` every
    official row is as it was, alone for its indicator-year, and the data set loads."""
    def add(year: int, line: str) -> None:
        path = data_copy / "observations" / f"{year}.csv"
        path.write_text(path.read_text("utf-8") + line, encoding="utf-8")

    add(2024, "green_good_air_days,60.3,区生态环境局（测试）,,official\n")
    add(2023, "ctx_resident_population,114.1,区统计局（测试）,,官方\n")
    add(2025, "bal_doctors_per_1000,4.1,区卫生健康局（测试）,,\n")
    with pytest.raises(InputError):  # before: a demo and an official value for each of them
        load(data_copy)

    def official(folder) -> dict[tuple[int, str], list[str]]:
        found = {}
        for path in sorted((folder / "observations").glob("*.csv")):
            for row in _rows(path):
                if row.get("kind", "") not in ("demo", "演示"):
                    found[(int(path.stem), row["indicator_id"])] = [row[c] for c in ("value", "source", "note")]
        return found

    before = official(data_copy)
    write_demo(data_copy)
    assert official(data_copy) == before  # the diff: no official row changed, none lost
    data = load(data_copy)
    cat, obs = data.catalogue, data.observations
    for year, sid in before:
        rows = obs[(obs["year"] == year) & (obs["indicator_id"] == cat.measure_id(sid))]
        assert list(rows["kind"]) == ["official"], (year, sid)
    shipped = official(ROOT / "data")
    assert {(2022, "two_resident_population"), (2022, "ctx_gdp")} <= set(shipped)


def test_demo_reads_the_kind_words(data_copy):
    """A row marked 演示 is a demo row: `planbook demo` replaces it (it used to keep it as official,
    which made two rows for one indicator-year); one marked 官方 is kept."""
    path = data_copy / "progress" / "2022.csv"
    text = path.read_text("utf-8")
    lines = text.splitlines(keepends=True)
    first_demo = next(k for k, line in enumerate(lines) if line.rstrip().endswith(",demo"))
    lines[first_demo] = lines[first_demo].rstrip()[: -len("demo")] + "演示\n"
    path.write_text("".join(lines), encoding="utf-8")
    obs = data_copy / "observations" / "2021.csv"
    obs.write_text(obs.read_text("utf-8").replace(",demo\n", ",演示\n", 1), encoding="utf-8")
    write_demo(data_copy)
    assert path.read_text("utf-8") == text
    assert obs.read_bytes() == (ROOT / "data" / "observations" / "2021.csv").read_bytes()
    load(data_copy)


# --- the catalogue: a same measure is declared once ---------------------------------------------

@pytest.mark.parametrize("value, message", [
    ("two_nonexistent", "'two_nonexistent' is not an indicator with data of its own"),
    ("smart_e_licence_use_text", "'smart_e_licence_use_text' is not an indicator with data of its own"),
    ("two_resident_urbanisation", "unit '万人' differs from 'two_resident_urbanisation' ('%'): a same measure has the same unit"),
])
def test_a_wrong_same_measure_is_refused(data_copy, value, message):
    path = data_copy / "catalogue.yaml"
    path.write_text(path.read_text("utf-8").replace("same_measure_as: two_resident_population",
                                                    f"same_measure_as: {value}"), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_catalogue(path)
    [problem] = err.value.problems
    assert problem.field.endswith(".same_measure_as") and problem.message == message
    assert translate(problem.message) is not None


def test_the_shipped_catalogue_declares_the_resident_population_once():
    cat = load_catalogue(ROOT / "data" / "catalogue.yaml")
    assert cat.same_measure == {"ctx_resident_population": "two_resident_population"}
    assert "ctx_resident_population" not in {c.id for c in cat.own_context}
    assert cat.basis["name_zh"] == "区统计口径"


# --- what is shipped ----------------------------------------------------------------------------

def test_the_shipped_progress_files_hold_the_public_evidence_as_official_reports():
    found = {}
    for year in range(2021, 2026):
        for row in _rows(ROOT / "data" / "progress" / f"{year}.csv"):
            if row["kind"] == "official":
                found.setdefault(row["commitment_id"], {})[year] = row
    assert {c: {y: r["status"] for y, r in years.items()} for c, years in found.items()} == EVIDENCE
    for years in found.values():
        for row in years.values():
            assert re.search(r"\d{4}-\d{2}", row["source"]) and "http" in row["source"], row["source"]
            assert row["evidence"] and "演示" not in row["evidence"] + row["source"]
    # the years the evidence does not cover stay demo; the doubtful items stay out
    for year in range(2021, 2026):
        kinds = {r["commitment_id"]: r["kind"] for r in _rows(ROOT / "data" / "progress" / f"{year}.csv")}
        for cid, years in EVIDENCE.items():
            assert kinds[cid] == ("official" if year in years else "demo"), (cid, year)
        assert kinds["proj_road_fenghuang_north_ext"] == kinds["proj_road_kaiyuan_south_ext"] == "demo"


def test_the_2023_gdp_stays_preliminary_with_the_unconfirmed_figure_in_its_note():
    """The file's 1327.8 comes from an undated secondary article and is on its doubtful list
    ("confirm before it replaces the preliminary figure"): it is named in the note, not loaded."""
    [row] = [r for r in _rows(ROOT / "data" / "observations" / "2023.csv") if r["indicator_id"] == "ctx_gdp"]
    assert row["value"] == "1310" and "预计数" in row["note"]
    assert "1327.8" in row["note"] and "未注日期" in row["note"] and "http" in row["note"]


def test_the_2022_resident_population_is_official_once_in_every_edition_from_2022(tmp_path):
    """112.54, official, in the indicator's series, chart and CSV of the 2022–2025 editions; the
    demo value it replaced nowhere; the context table no longer repeats it."""
    from planbook.book.indicator_pages import write_indicator_pages
    from planbook.report import charts, views
    from planbook.report.report import Report

    data = load(ROOT / "data")
    ind = data.catalogue.by_id["two_resident_population"]
    for year in range(2022, 2026):
        report = Report(data=data, year=year)
        series = report.series(ind)
        at = series[series["year"] == 2022]
        assert list(zip(at["value"], at["kind"])) == [(112.54, "official")], year
        if year == 2022:  # the edition's own verdict (scorecard, summary) is made on it
            head = report.headline().set_index("id").loc["two_resident_population"]
            assert (head["value"], head["value_year"], head["data_kind"]) == (112.54, 2022, "official")
        spec, text = charts.chart_parts(report, ind)
        points = [v for v in re.findall(r'"value": ?([\d.]+)', str(spec).replace("'", '"'))]
        assert "112.54" in points and DEMO_POPULATION_2022 not in points, year
        assert "常住人口" not in {row[0].text for row in views.context_table(report).rows}
        folder = tmp_path / str(year)
        written = write_indicator_pages(report, folder)
        page = (folder / "indicators" / "two_resident_population.md").read_text("utf-8")
        assert "112.54 万人</td>" in page and re.search("2022年 112.54 万人[，；]", page)  # table, chart text
        assert "112.54 万人<sup" not in page and "112.54 万人（演示" not in page  # no demo mark
        for path in written:  # (the 2022 edition was released with it: later ones say it was revised)
            text = path.read_bytes().decode("utf-8-sig").replace(f"原为 {DEMO_POPULATION_2022} 万人", "")
            assert DEMO_POPULATION_2022 not in text, (year, path.name)
        csv_rows = [r for r in csv.reader(io.StringIO(next(p for p in written if p.name == "two_resident_population.csv")
                                                      .read_bytes().decode("utf-8-sig"))) if r[2:3] == ["2022"]]
        assert len(csv_rows) == 1 and csv_rows[0][3] == "112.54" and csv_rows[0][5] == "官方数据", csv_rows


def test_a_release_record_is_read_with_the_same_measure():
    """The 2023 edition was released with the population under the context series too: read with
    today's catalogue it is the indicator's figure, so no figure seems removed; the indicator's
    own published 2022 value (demo) is what the official one revises."""
    from planbook.report.report import Report
    from planbook.report.sentences import revisions_found

    found = [(r.indicator_id, r.year, r.old, r.new) for r in revisions_found(Report(data=load(ROOT / "data"), year=2024))]
    assert not [f for f in found if f[0] == "ctx_resident_population"]
    later = [(r.indicator_id, r.year, r.old, r.new) for r in revisions_found(Report(data=load(ROOT / "data"), year=2023))]
    assert ("two_resident_population", 2022, 113.28, 112.54) in later


def test_the_landing_page_counts_the_official_values_and_statuses():
    from planbook.book.indicator_pages import official_counts, results_page
    from planbook.report.report import Report

    data = load(ROOT / "data")
    report = Report(data=data, year=2024)
    counts = official_counts(report)
    later = data.observations[(data.observations["year"] > 2020) & (data.observations["year"] <= 2024)]
    assert counts["official_values"] == int((later["kind"] == "official").sum()) == 9
    assert counts["official_statuses"] == 6 and counts["statuses"] == int((data.progress["year"] <= 2024).sum())
    assert "其中官方数值 9 个" in results_page(report) and "其中官方报送 6 条" in results_page(report)


# --- the statistical basis ------------------------------------------------------------------------

def test_named_bases():
    from planbook.inputs.basis import named_bases

    others = ["含功能区", "全域口径"]
    assert named_bases("口径：区统计口径（不含功能区代管的街道）", "区统计口径", others) == []
    assert named_bases("含功能区的全区数据", "区统计口径", others) == ["含功能区"]
    assert named_bases("口径：全市口径", "区统计口径", others) == ["全市口径"]


def test_check_warns_when_a_source_names_another_basis(data_copy):
    path = data_copy / "observations" / "2022.csv"
    text = path.read_text("utf-8").replace("历城区1240.7亿元", "历城区1240.7亿元；口径：含功能区")
    path.write_text(text, encoding="utf-8")
    code, out, err = run_cli("check", "--data", str(data_copy))
    assert code == 0
    assert err.strip() == (f"warning: {path}, row 2, field 'note': names the basis '含功能区', but the plan's table uses "
                           "'区统计口径': confirm the figure is on the table's basis (or say its basis in the note)")
    code, out, err = run_cli("check", "--data", str(data_copy), "--lang", "zh")
    assert code == 0 and err.startswith("警告：") and "第 2 行" in err and "注明的统计口径为“含功能区”" in err
    assert run_cli("check")[2] == ""  # the shipped data: nothing on another basis


# --- one edition built from the shipped data ------------------------------------------------------

@pytest.fixture(scope="module")
def edition_2024(tmp_path_factory):
    """The 2024 edition of the shipped data (website only), built once for this module."""
    from planbook.build.pipeline import build

    [result] = build(year=2024, data_dir=ROOT / "data", out_dir=tmp_path_factory.mktemp("official"))
    return result.site


def _row_with(page: str, text: str) -> str:
    [row] = [r for r in re.findall(r"<tr>.*?</tr>", page, re.S) if text in r]
    return row


@pytest.mark.slow
def test_the_2024_edition_shows_the_xiaoqinghe_reopening_as_done_with_its_evidence(edition_2024):
    for page in ("chapters/balanced.html", "generated/departments.html"):
        row = _row_with((edition_2024 / page).read_text("utf-8"), "小清河复航")
        assert "已完成" in row and "自2024年2月小清河正式复航以来" in row and "大众新闻" in row, page
        assert "pb-demo-mark" not in row, page  # an official report: no demo mark
    demo = _row_with((edition_2024 / "chapters" / "balanced.html").read_text("utf-8"), "奥体中路北延")
    assert "pb-demo-mark" in demo  # a demo status beside it keeps its mark


@pytest.mark.slow
def test_the_2024_edition_shows_the_official_population_once_and_counts_the_official_figures(edition_2024):
    page = (edition_2024 / "generated" / "indicators" / "two_resident_population.html").read_text("utf-8")
    rows = [r for r in re.findall(r"<tr>.*?</tr>", page, re.S) if "112.54" in r]
    [series] = [r for r in rows if "qicai.net" in r]  # the series table: once, official, with its source
    assert "官方数据" in series and "区统计口径" in series
    assert rows and not any("pb-demo-mark" in r for r in rows)  # (and the 2022 edition's verdict on it)
    overview = (edition_2024 / "chapters" / "overview.html").read_text("utf-8")
    context = [r for r in re.findall(r"<tr>.*?</tr>", overview, re.S) if "亿元" in r or "户籍人口" in r]
    assert context and not [r for r in re.findall(r"<tr>.*?</tr>", overview, re.S) if ">常住人口<" in r]
    landing = (edition_2024 / "index.html").read_text("utf-8")
    assert "其中官方数值 9 个" in landing and "其中官方报送 6 条" in landing
