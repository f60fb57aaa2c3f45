"""The build cache: every kind of input change is seen, and unchanged work is skipped."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
import yaml

from planbook.build import cache
from planbook.build.pipeline import build
from planbook.project import chapters
from planbook.inputs.dataset import load

from conftest import BOOK_DATA, ROOT


@pytest.fixture
def world(tmp_path):
    """A project root (notebooks, book, config) and a data folder with its own catalogue, all copies."""
    root = tmp_path / "root"
    for name in ("notebooks", "book"):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("chapters", "generated"))
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(ROOT / name, root / name)
    data = tmp_path / "data"
    shutil.copytree(BOOK_DATA, data)
    shutil.copytree(ROOT / "data" / "plan", data / "plan")
    shutil.copy(ROOT / "data" / "catalogue.yaml", data / "catalogue.yaml")
    return root, data


def keys(root: Path, data: Path) -> dict[str, str]:
    ds = load(data)
    return {c: cache.notebook_key(root, ds, c, 2022) for c in chapters(ROOT)}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def changed(before: dict, after: dict) -> set[str]:
    return {c for c in before if before[c] != after[c]}


def test_same_inputs_same_keys(world):
    root, data = world
    assert keys(root, data) == keys(root, data)


def test_notebook_source_change_invalidates_that_notebook(world):
    root, data = world
    before = keys(root, data)
    edit(root / "notebooks" / "green.md", "(green-summary)=", "(green-summary)=\n")
    assert changed(before, keys(root, data)) == {"green"}


def test_value_change_invalidates_its_dimension_and_the_overview(world):
    root, data = world
    before = keys(root, data)
    edit(data / "observations" / "2022.csv", "smart_5g_urban_coverage,86.5", "smart_5g_urban_coverage,86.6")
    assert changed(before, keys(root, data)) == {"smart", "overview"}


def test_source_note_and_kind_changes_are_seen(world):
    root, data = world
    before = keys(root, data)
    edit(data / "observations" / "2022.csv", "green_good_air_days,52.0,测试夹具（非真实数据）", "green_good_air_days,52.0,区生态环境局")
    after = keys(root, data)
    assert changed(before, after) == {"green", "overview"}
    # Turning the only demo value official changes the demo notice on every page.
    edit(data / "observations" / "2022.csv", "smart_5g_urban_coverage,86.5,测试夹具（非真实数据）,,demo", "smart_5g_urban_coverage,86.5,测试夹具（非真实数据）,,official")
    edit(data / "observations" / "2021.csv", "smart_5g_urban_coverage,80.0,测试夹具（非真实数据）,,demo", "smart_5g_urban_coverage,80.0,测试夹具（非真实数据）,,official")
    assert changed(after, keys(root, data)) == set(chapters(ROOT))


def test_context_values_reach_the_chapters_that_read_them(world):
    root, data = world
    before = keys(root, data)
    edit(data / "observations" / "2021.csv", "ctx_gdp,1166", "ctx_gdp,1167")
    assert "balanced" in changed(before, keys(root, data)) and "overview" in changed(before, keys(root, data))


def test_later_year_does_not_invalidate_an_earlier_edition(world):
    root, data = world
    before = keys(root, data)
    (data / "observations" / "2023.csv").write_text(
        "indicator_id,value,source\nsmart_5g_urban_coverage,90,区工信局\n", encoding="utf-8")
    assert changed(before, keys(root, data)) == set()


def test_new_year_with_data_invalidates_all(world):
    """A year gaining its first data changes what 'years with data' means for every chapter."""
    root, data = world
    before = keys(root, data)
    (data / "observations" / "2021.csv").unlink()
    assert changed(before, keys(root, data)) == set(chapters(ROOT))


def test_catalogue_and_plan_text_changes_invalidate_all(world):
    root, data = world
    before = keys(root, data)
    raw = yaml.safe_load((data / "catalogue.yaml").read_text("utf-8"))
    raw["indicators"][7]["decimals"] = 2
    (data / "catalogue.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    after = keys(root, data)
    assert changed(before, after) == set(chapters(ROOT))
    with open(data / "plan" / raw["plan"]["text"].split("/")[-1], "a", encoding="utf-8") as f:
        f.write("\n")
    assert changed(after, keys(root, data)) == set(chapters(ROOT))


@pytest.fixture
def package_copy(tmp_path, monkeypatch):
    """A copy of the package's code and assets, which the fingerprint reads instead of the package."""
    copy = tmp_path / "planbook"
    shutil.copytree(cache.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "PACKAGE", copy)
    cache.package_fingerprint.cache_clear()
    yield copy
    cache.package_fingerprint.cache_clear()


def test_package_code_change_invalidates_all(world, package_copy):
    """A change to the code (one line of report/sentences.py) changes every chapter's key."""
    root, data = world
    before = keys(root, data)
    cache.package_fingerprint.cache_clear()
    edit(package_copy / "report" / "sentences.py", '"""The report', '"""The report (changed)')
    assert changed(before, keys(root, data)) == set(chapters(ROOT))


@pytest.mark.parametrize("asset", ["report/charts.py", "site/assets/planbook.css", "site/assets/vega-6.2.0.min.js",
                                   "plan/schema/catalogue.schema.json", "locale/zh_CN.yaml"])
def test_package_fingerprint_covers_code_and_assets(package_copy, asset):
    """package_fingerprint itself (not a glob of the folder) changes with each kind of file."""
    before = cache.package_fingerprint()
    path = package_copy / asset
    path.write_bytes(path.read_bytes() + b"\n")
    cache.package_fingerprint.cache_clear()
    assert cache.package_fingerprint() != before


def test_a_series_named_by_another_chapters_analysis_reaches_that_chapter(world):
    """The cache assumed a chapter reads only its dimension's series and the context; pointing
    green's analysis at a smart-city series and changing that value left green's page stale."""
    root, data = world
    edit(data / "catalogue.yaml", "series: [green_good_air_days], in_days: true", "series: [smart_5g_urban_coverage]")
    before = keys(root, data)
    obs = data / "observations" / "2022.csv"
    line = next(l for l in obs.read_text("utf-8").splitlines() if l.startswith("smart_5g_urban_coverage,"))
    value = line.split(",")[1]
    edit(obs, line, line.replace(f",{value},", f",{float(value) + 1:g},", 1))
    assert changed(before, keys(root, data)) == {"smart", "green", "overview"}  # the overview reads every series


def test_previous_release_reaches_only_the_overview(world):
    root, data = world
    (data / "releases").mkdir()
    release = data / "releases" / "2021.csv"
    header = "year,indicator_id,name_zh,unit,value,kind,kind_zh,source,note\n"
    release.write_text(header + "2021,two_resident_urbanisation,x,%,88.2,official,x,x,\n", encoding="utf-8")
    before = keys(root, data)
    release.write_text(header + "2021,two_resident_urbanisation,x,%,88.0,official,x,x,\n", encoding="utf-8")
    assert changed(before, keys(root, data)) == {"overview"}


def test_register_and_progress_reach_every_chapter(world):
    root, data = world
    shutil.copy(ROOT / "data" / "register.yaml", data / "register.yaml")
    shutil.copy(ROOT / "data" / "departments.yaml", data / "departments.yaml")
    before = keys(root, data)
    edit(data / "departments.yaml", "区发展和改革局", "区发展改革局")
    after = keys(root, data)
    assert changed(before, after) == set(chapters(ROOT))
    (data / "progress").mkdir()
    (data / "progress" / "2022.csv").write_text(
        "commitment_id,status,evidence,source\ntask_annual_monitoring,on_schedule,开展年度监测,区统计局\n", encoding="utf-8")
    assert changed(after, keys(root, data)) == set(chapters(ROOT))


def test_edition_key_sees_pages_config_toc_and_pdf(world):
    root, data = world
    ds = load(data)
    nb = keys(root, data)
    base = cache.edition_key(root, nb, 2022, False, ds)
    assert cache.edition_key(root, nb, 2022, True, ds) != base
    for path, old, new in ((root / "book" / "methodology.md", "# 评估方法", "# 评估方法 "),
                           (root / "_config.yml", "copyright:", "copyright: \"2024–2035\"\nold_copyright:"),
                           (root / "_toc.yml", "root: index", "root: index\n")):
        edit(path, old, new)
        key = cache.edition_key(root, nb, 2022, False, ds)
        assert key != base, path
        base = key


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_rebuild_skips_unchanged_work_and_matches_a_cold_build(tmp_path, capfd):
    data = tmp_path / "data"
    shutil.copytree(BOOK_DATA, data)
    out = tmp_path / "out"
    build(year=2022, data_dir=data, out_dir=out)
    before = digest(out / "html")
    capfd.readouterr()
    build(year=2022, data_dir=data, out_dir=out)
    assert "edition 2022 unchanged since it was published: kept" in capfd.readouterr().err
    assert digest(out / "html") == before
    edit(data / "observations" / "2022.csv", "smart_5g_urban_coverage,86.5", "smart_5g_urban_coverage,87.5")
    build(year=2022, data_dir=data, out_dir=out)
    err = capfd.readouterr().err
    assert "reused 3 executed notebook(s) of 2022" in err
    executed = " ".join(line for line in err.splitlines() if "] executed " in line)
    assert "smart" in executed and "overview" in executed and "green" not in executed
    cold = tmp_path / "cold"
    build(year=2022, data_dir=data, out_dir=cold)
    assert digest(out / "html") == digest(cold / "html")  # the incremental build equals a fresh one
    assert "87.5%" in (out / "html" / "2022" / "chapters" / "smart.html").read_text("utf-8")


def test_a_failed_build_does_not_leave_stale_pages_for_later_builds(tmp_path, monkeypatch):
    """Sphinx's copies stay true to what it read, even when the build that read them fails.

    A value is changed, the build fails after the website's Sphinx has read the new chapter
    (here: in XeLaTeX), the value is changed back; a later build that re-executes another
    chapter must still show the old value — as a build from scratch does."""
    from planbook.book import pdf as pdf_module
    from planbook.errors import BuildError

    data = tmp_path / "data"
    shutil.copytree(BOOK_DATA, data)
    out = tmp_path / "out"
    build(year=2022, data_dir=data, out_dir=out)
    csv = data / "observations" / "2022.csv"
    edit(csv, "smart_5g_urban_coverage,86.5", "smart_5g_urban_coverage,87.5")
    with monkeypatch.context() as m:
        m.setattr(pdf_module, "cover", lambda data, year: r"\thiscommanddoesnotexist")
        with pytest.raises(BuildError, match="XeLaTeX failed"):
            build(year=2022, data_dir=data, out_dir=out, pdf=True)
    edit(csv, "smart_5g_urban_coverage,87.5", "smart_5g_urban_coverage,86.5")
    edit(csv, "green_good_air_days,52.0", "green_good_air_days,53.0")
    build(year=2022, data_dir=data, out_dir=out)
    smart = (out / "html" / "2022" / "chapters" / "smart.html").read_text("utf-8")
    assert "86.5%" in smart and "87.5%" not in smart
    # And Sphinx's copies are kept up to date: the next rebuild re-reads only what changed.
    line = next(l for l in csv.read_text("utf-8").splitlines() if l.startswith("bal_skills_training,"))
    value = line.split(",")[1]
    edit(csv, line, line.replace(f",{value},", f",{float(value) + 1},", 1))
    build(year=2022, data_dir=data, out_dir=out)
    log = re.sub(r"\x1b\[[0-9;]*m", "", (out / "logs" / "jupyter-book-html.log").read_text("utf-8"))
    read = re.findall(r"^reading sources\.\.\. \[\s*\d+%\] (\S+)$", log, re.M)
    assert "chapters/balanced" in read and "chapters/overview" in read
    assert not {"chapters/smart", "chapters/green", "chapters/two_way", "intro", "methodology"} & set(read), read
    cold = tmp_path / "cold"
    build(year=2022, data_dir=data, out_dir=cold)
    assert digest(out / "html") == digest(cold / "html")


def test_commentary_is_an_input_of_its_chapter_only(world):
    """Editing an edition's commentary on one chapter re-executes that chapter of that edition only."""
    root, data = world
    before = keys(root, data)
    edit(data / "commentary" / "2022" / "green.md", "夹具绿色建议", "夹具绿色建议（修改）")
    assert changed(before, keys(root, data)) == {"green"}
    after = keys(root, data)
    (data / "commentary" / "2021").mkdir()
    (data / "commentary" / "2021" / "green.md").write_text("## 对策建议\n\n另一年的意见。\n", encoding="utf-8")
    assert changed(after, keys(root, data)) == set()
    (data / "commentary" / "2022" / "smart.md").write_text("## 对策建议\n\n新的意见。\n", encoding="utf-8")
    assert changed(after, keys(root, data)) == {"smart"}
