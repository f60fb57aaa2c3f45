"""The register of commitments and how they are judged each year."""

from __future__ import annotations

import re
import shutil

import pytest
import yaml

from planbook.assess.commitments import Reported, judge
from planbook.errors import InputError
from planbook.inputs.progress import load_progress
from planbook.plan.catalogue import load_catalogue
from planbook.plan.register import Commitment, load_register

from conftest import ROOT, STATS

CATALOGUE = ROOT / "data" / "catalogue.yaml"


def commitment(**kw) -> Commitment:
    base = dict(id="proj_x", kind="project", chapter=5, dimension="balanced", name_zh="测试项目", name_en="test",
                deadline=2025, deadline_as_written="到2025年", areas=(), department=None, section="测试", quote="测试")
    base.update(kw)
    return Commitment(**base)


def rep(year: int, status: str) -> Reported:
    return Reported(year, status, f"{year} 年进展说明", "区某局报告", "demo")


# Hand-worked cases: the reports, the report year, and the expected status and light.
CASES = {
    "on schedule before the deadline": ([rep(2023, "on_schedule")], 2023, "on_schedule", "green"),
    "behind before the deadline": ([rep(2023, "behind")], 2023, "behind", "yellow"),
    "not started before the deadline": ([rep(2022, "not_started")], 2022, "not_started", "yellow"),
    "due this year and not done": ([rep(2024, "on_schedule"), rep(2025, "behind")], 2025, "not_achieved", "red"),
    "due this year and done": ([rep(2024, "on_schedule"), rep(2025, "done")], 2025, "done", "green"),
    "done early stays done": ([rep(2023, "done")], 2025, "done", "green"),
    "done a year late": ([rep(2025, "behind"), rep(2026, "done")], 2026, "done_late", "yellow"),
    # Issue 22: overdue in 2025, nothing reported in 2026 or 2027: still red, not 未报送.
    "missed, then not reported": ([rep(2025, "behind")], 2026, "not_achieved", "red"),
    "missed, then two years unreported": ([rep(2024, "behind"), rep(2025, "behind")], 2027, "not_achieved", "red"),
    "due, never reported": ([], 2025, "not_achieved", "red"),
    "missed, then reported done": ([rep(2025, "behind"), rep(2027, "done")], 2027, "done_late", "yellow"),
    "no report at all": ([], 2024, "not_reported", "none"),
    "a report of an earlier year is not this year's": ([rep(2022, "on_schedule")], 2023, "not_reported", "none"),
    "a later report is not seen": ([rep(2024, "done")], 2023, "not_reported", "none"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_deadline_rules(name):
    reports, year, status, light = CASES[name]
    judged = judge(commitment(), reports, year)
    assert (judged.status, judged.light) == (status, light)


def test_without_a_deadline_the_reported_status_stands():
    task = commitment(deadline=None, kind="task")
    assert judge(task, [rep(2030, "behind")], 2030).status == "behind"
    assert judge(task, [rep(2024, "done")], 2035).status == "done"


def test_the_evidence_comes_with_the_status():
    judged = judge(commitment(), [rep(2023, "done"), rep(2024, "done")], 2024)
    assert (judged.report_year, judged.done_year, judged.evidence) == (2023, 2023, "2023 年进展说明")


def test_every_quote_of_the_register_is_in_the_plan():
    raw = yaml.safe_load((ROOT / "data" / "register.yaml").read_text("utf-8"))
    plan = re.sub(r"\s+", "", (ROOT / "data" / "plan" / "licheng-new-urbanization-plan-2021-2035.txt").read_text("utf-8"))
    quotes = [e["source"]["quote"] for e in raw["areas"] + raw["commitments"]]
    missing = [q for q in quotes if re.sub(r"\s+", "", q) not in plan]
    assert missing == []
    assert len(quotes) == 321  # 33 areas and 288 commitments checked
    register = load_register(ROOT / "data", load_catalogue(CATALOGUE))
    assert len(register.commitments) == 288 and {c.kind for c in register.commitments} == {"goal", "task", "project"}
    assert all(register.department_of(c.id)[0] for c in register.commitments)
    assert {register.department_of(c.id)[1] for c in register.commitments} == {"project"}  # the plan names none


def test_the_commitments_the_issue_names_are_registered():
    register = load_register(ROOT / "data", load_catalogue(CATALOGUE))
    names = " ".join(c.name_zh + c.quote for c in register.commitments)
    for words in ("现代人口管理服务制度", "城乡普惠的金融服务体系", "农村产权保护交易制度", "农业转移人口市民化",
                  "小清河", "唐冶", "分级诊疗", "医联体", "雨污合流", "碳达峰", "15分钟", "大辛庄", "名士馆", "数字乡村"):
        assert words in names, words
    dated = {c.deadline for c in register.commitments}
    assert {2025, 2035, None} <= dated
    assert {a.kind for a in register.areas} >= {"zone", "pianqu", "jiedao"}
    assert {a.name_zh for a in register.areas if a.kind == "zone"} == {"东强", "中优", "南美", "北起"}


@pytest.mark.parametrize("edit, field, message", [
    (lambda r, d: r["commitments"][0]["source"].update(quote="规划里没有这句话"), "commitments[0].source.quote", "not found verbatim"),
    (lambda r, d: r["commitments"][1].update(id=r["commitments"][0]["id"]), "commitments[1].id", "duplicate id"),
    (lambda r, d: r["commitments"][0].update(areas=["nowhere"]), "commitments[0].areas", "unknown area 'nowhere'"),
    (lambda r, d: r["commitments"][0].update(kind="wish"), "commitments[0].kind", "expected one of goal, task, project"),
    (lambda r, d: r["commitments"][0].update(deadline=2050), "commitments[0].deadline", "outside the plan's period"),
    (lambda r, d: d["assignments"].update(proj_x_unknown="health"), "assignments.proj_x_unknown", "unknown commitment"),
    (lambda r, d: d["assignments"].update({r["commitments"][0]["id"]: "ministry_of_magic"}), "assignments.", "unknown department"),
])
def test_broken_register_is_reported_with_field(tmp_path, edit, field, message):
    raw = yaml.safe_load((ROOT / "data" / "register.yaml").read_text("utf-8"))
    deps = yaml.safe_load((ROOT / "data" / "departments.yaml").read_text("utf-8"))
    edit(raw, deps)
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "register.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    (folder / "departments.yaml").write_text(yaml.safe_dump(deps, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_register(folder, load_catalogue(CATALOGUE))
    assert any(field in line and message in line for line in err.value.lines()), err.value.lines()
    STATS["inputs refused"] += 1


def test_progress_files_are_checked_like_observations(tmp_path):
    register = load_register(ROOT / "data", load_catalogue(CATALOGUE))
    folder = tmp_path / "progress"
    folder.mkdir()
    good = register.commitments[0].id
    (folder / "2024.csv").write_bytes((
        "commitment_id,status,evidence,source\n"
        f"{good},按计划推进,已完成方案编制,区发展和改革局 2024 年报告\n"
        "task_nothing,done,x,y\n"
        f"{register.commitments[1].id},almost,x,y\n"
        f"{register.commitments[2].id},done,,y\n"
        f"{good},done,x,y\n").encode("gbk"))
    with pytest.raises(InputError) as err:
        load_progress(folder, register, 2035)
    lines = err.value.lines()
    assert len(lines) == 4
    assert "row 3, field 'commitment_id': unknown commitment 'task_nothing'" in lines[0]
    assert "row 4, field 'status': 'almost': expected one of done (已完成)" in lines[1]
    assert "row 5, field 'evidence': empty" in lines[2]
    assert "row 6, field 'commitment_id': duplicate id" in lines[3]
    STATS["inputs refused"] += 4
    (folder / "2024.csv").write_text(f"commitment_id,status,evidence,source\n{good},按计划推进,已完成方案编制,区发改局\n",
                                     encoding="utf-8")
    frame = load_progress(folder, register, 2035)
    assert list(frame["status"]) == ["on_schedule"] and list(frame["year"]) == [2024]
    STATS["inputs read"] += 1
