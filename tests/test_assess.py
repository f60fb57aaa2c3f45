"""The assessment formulas, checked against numbers worked by hand."""

from __future__ import annotations

import inspect
import math
from io import StringIO

import pandas as pd
import pytest

from planbook.assess import (
    Obs, assess, assess_indicator, classify_ratio, completion_share, dimension_score, is_met,
    progress_ratio, projected_year, required_annual_change, summarise, time_elapsed_share, trend,
    trend_value,
)
from planbook.catalogue import Baseline, Indicator, Target, load_catalogue

from conftest import ROOT


def indicator(**kw) -> Indicator:
    base = dict(id="x", table_no=1, dimension="smart", name_zh="测试", name_en="test", unit="%",
                direction="higher", kind="level", decimals=1, baseline=None, targets=(),
                section="测试", quote=None, valid_range=(0.0, 100.0))
    base.update(kw)
    return Indicator(**base)


def obs(*pairs, kind="demo") -> list[Obs]:
    return [Obs(y, v, kind) for y, v in pairs]


def frame(text: str) -> pd.DataFrame:
    return pd.read_csv(StringIO(inspect.cleandoc(text)))


# --- the formulas ------------------------------------------------------------------

def test_completion_and_time_elapsed():
    # base 90 → target 100; value 95 is half way; 3 of 5 years have passed.
    assert completion_share(95, 90, 100) == 0.5
    assert time_elapsed_share(2023, 2020, 2025) == 0.6
    assert completion_share(95, 100, 100) is None  # target equals base


def test_progress_ratio_compound_growth():
    # 100 → 121 in two years: observed CAGR 10%. 100 → 200 in ten years: required 2^(1/10)-1 = 7.1773%.
    ratio = progress_ratio((2020, 100), (2022, 121), 200, 2030)
    assert ratio == pytest.approx(0.10 / (2 ** 0.1 - 1))
    assert ratio == pytest.approx(1.39328, rel=1e-5)


def test_progress_ratio_direction_reversed():
    # Income ratio 2.24 → 2.10 in 3 years; target 2.0 by 2025.
    # observed 0.9375^(1/3)-1 = -0.021283; required 0.892857^(1/5)-1 = -0.022411; ratio 0.94968
    ratio = progress_ratio((2020, 2.24), (2023, 2.10), 2.0, 2025)
    assert ratio == pytest.approx(0.94968, abs=1e-5)
    assert classify_ratio(ratio) == "needs_acceleration"  # just under 0.95


def test_progress_ratio_zero_base_uses_linear_change():
    # Base 0 (a count from scratch): CAGR undefined, so linear: observed 2/yr, required 2/yr.
    assert progress_ratio((2020, 0.0), (2022, 4.0), 10.0, 2025) == pytest.approx(1.0)
    # Sign change (−2 → 3): linear as well: observed 2.5/yr, required (8+2)/5 = 2/yr.
    assert progress_ratio((2020, -2.0), (2022, 3.0), 8.0, 2025) == pytest.approx(1.25)
    # No change required (target equals base): undefined.
    assert progress_ratio((2020, 0.0), (2022, 1.0), 0.0, 2025) is None


@pytest.mark.parametrize("ratio, status", [
    (1.3, "on_track"), (0.95, "on_track"), (0.9499, "needs_acceleration"), (0.6, "needs_acceleration"),
    (0.5999, "limited_progress"), (0.0, "limited_progress"), (-0.01, "deterioration"),
])
def test_thresholds(ratio, status):
    assert classify_ratio(ratio) == status


@pytest.mark.parametrize("value, target, comparison, direction, met", [
    (90.0, 90, ">", "higher", False), (90.1, 90, ">", "higher", True),   # ">90" is strict
    (90.0, 90, ">=", "higher", True), (89.99, 90, ">=", "higher", False),
    (2.0, 2.0, "<=", "lower", True), (2.01, 2.0, "<=", "lower", False),
    (94.05, 95, "~", "higher", True), (94.0, 95, "~", "higher", False),  # "about": within 1%
    (96.0, 95, "~", "higher", True),
])
def test_is_met(value, target, comparison, direction, met):
    assert is_met(value, target, comparison, direction) is met


def test_trend_two_points_is_the_cagr_line():
    fit = trend([(2020, 100.0), (2022, 121.0)])
    assert trend_value(fit, 2024) == pytest.approx(146.41)  # 121 · 1.1²


def test_trend_three_points_least_squares():
    # ln v on year: points (0, ln 1), (1, ln e), (2, ln e³) → slope (3-0)/2 = 1.5, intercept mean−slope·mean = 4/3−1.5
    fit = trend([(0, 1.0), (1, math.e), (2, math.e ** 3)])
    assert fit[0] == "exp"
    assert fit[2] == pytest.approx(1.5)
    assert trend_value(fit, 0) == pytest.approx(math.exp(4 / 3 - 1.5))


def test_trend_with_zero_is_linear():
    fit = trend([(2020, 0.0), (2021, 1.0), (2022, 2.0)])
    assert fit[0] == "lin" and trend_value(fit, 2025) == pytest.approx(5.0)


def test_projected_year_and_required_change():
    fit = trend([(2020, 50.0), (2022, 60.5)])  # +10% a year
    assert projected_year(fit, 2022, 80.0, ">=", "higher") == 2025  # 60.5·1.1² = 73.2 < 80 ≤ 60.5·1.1³ = 80.5
    assert required_annual_change(60.5, 2022, 80.0, 2025) == pytest.approx(6.5)
    assert required_annual_change(60.5, 2025, 80.0, 2025) is None
    away = trend([(2020, 50.0), (2022, 45.0)])
    assert projected_year(away, 2022, 80.0, ">=", "higher") is None


# --- one indicator -------------------------------------------------------------------

def test_level_with_baseline():
    ind = indicator(baseline=Baseline(2020, 53.6, "53.6"), targets=(Target(2025, 60.3, ">=", "60.3"),))
    [a] = assess_indicator(ind, obs((2020, 53.6), (2021, 55.0), (2023, 57.0)), 2023)
    # ratio: observed (57/53.6)^(1/3)-1 = 0.020712; required (60.3/53.6)^(1/5)-1 = 0.023836 → 0.86894
    assert a.ratio == pytest.approx(0.86894, abs=1e-4)
    assert a.status == "needs_acceleration"


def test_level_statuses_follow_ratio():
    ind = indicator(baseline=Baseline(2020, 53.6, "53.6"), targets=(Target(2025, 60.3, ">=", "60.3"),))
    [a] = assess_indicator(ind, obs((2021, 55.0), (2023, 57.0)), 2023)
    assert (a.status, a.value, a.value_year, a.base_from) == ("needs_acceleration", 57.0, 2023, "plan")
    assert a.completion == pytest.approx((57 - 53.6) / (60.3 - 53.6))
    assert a.time_elapsed == pytest.approx(0.6)
    assert a.required_annual_change == pytest.approx((60.3 - 57) / 2)
    [worse] = assess_indicator(ind, obs((2023, 52.0)), 2023)
    assert worse.status == "deterioration" and worse.ratio < 0


def test_strict_target_not_met_at_equality():
    ind = indicator(baseline=Baseline(2020, 87.2, "87.2"), targets=(Target(2025, 90, ">", ">90"),))
    [at] = assess_indicator(ind, obs((2025, 90.0)), 2025)
    [above] = assess_indicator(ind, obs((2025, 90.2)), 2025)
    assert at.status != "achieved" and above.status == "achieved"


def test_direction_reversed_indicator():
    ind = indicator(unit="/", direction="lower", baseline=Baseline(2020, 2.24, "2.24"), valid_range=(0.0, None),
                    targets=(Target(2025, 2.0, "<=", "2.0"), Target(2035, 1.8, "<=", "1.8")))
    a25, a35 = assess_indicator(ind, obs((2023, 2.10)), 2023)
    assert a25.status == "needs_acceleration" and a25.ratio == pytest.approx(0.94968, abs=1e-5)
    assert a35.status == "on_track" and a35.ratio == pytest.approx(1.4705, abs=1e-4)  # -0.021283 / -0.014474
    [done] = assess_indicator(indicator(**{**ind.__dict__, "targets": (Target(2025, 2.0, "<=", "2.0"),)}),
                              obs((2024, 1.98)), 2024)
    assert done.status == "achieved"


def test_no_baseline_uses_first_observation():
    ind = indicator(targets=(Target(2025, 100, ">=", "100"),))
    [a] = assess_indicator(ind, obs((2021, 60.0), (2023, 72.6)), 2023)
    # base 60 in 2021: observed 72.6/60 = 1.21 over 2 yrs → 10%; required (100/60)^(1/4)-1 = 13.622% → 0.7341
    assert (a.base_year, a.base_value, a.base_from) == (2021, 60.0, "first_observation")
    assert a.ratio == pytest.approx(0.1 / ((100 / 60) ** 0.25 - 1))
    assert a.status == "needs_acceleration"


def test_single_observation_is_insufficient_unless_met():
    ind = indicator(targets=(Target(2025, 100, ">=", "100"),))
    [one] = assess_indicator(ind, obs((2022, 80.0)), 2022)
    [met] = assess_indicator(ind, obs((2022, 100.0)), 2022)
    [none] = assess_indicator(ind, [], 2022)
    assert (one.status, met.status, none.status) == ("insufficient_data", "achieved", "insufficient_data")


def test_zero_target_equal_to_base():
    # Coal consumption growth vs 2020 (%): base 0, target ≤ 0.
    ind = indicator(direction="lower", baseline=Baseline(2020, 0.0, "0"), valid_range=(-100.0, None),
                    targets=(Target(2025, 0.0, "<=", "零增长"),))
    [up] = assess_indicator(ind, obs((2023, 2.0)), 2023)
    [flat] = assess_indicator(ind, obs((2023, 0.0)), 2023)
    [down] = assess_indicator(ind, obs((2023, -1.5)), 2023)
    assert (up.status, flat.status, down.status) == ("deterioration", "achieved", "achieved")
    assert up.ratio is None and up.completion is None


def test_cumulative_against_pro_rata_share():
    ind = indicator(unit="万人次", kind="cumulative", window=(2021, 2025), valid_range=(0.0, None),
                    targets=(Target(2025, 10, ">=", "[10]"),))
    [a] = assess_indicator(ind, obs((2021, 2.0), (2022, 2.1), (2023, 1.5)), 2023)
    # total 5.6 of 10 = 56% after 3 of 5 years (60%): ratio 0.9333 → needs acceleration
    assert a.value == pytest.approx(5.6)
    assert a.completion == pytest.approx(0.56) and a.time_elapsed == pytest.approx(0.6)
    assert a.ratio == pytest.approx(0.56 / 0.6) and a.status == "needs_acceleration"
    assert a.required_annual_change == pytest.approx(2.2)  # (10 − 5.6) / 2
    assert a.projected_value == pytest.approx(5.6 + 5.6 / 3 * 2)
    [done] = assess_indicator(ind, obs((2021, 4.0), (2022, 3.0), (2023, 3.5)), 2023)
    assert done.status == "achieved" and done.projected_year == 2023


def test_yes_no_statuses():
    ind = indicator(unit="是/否", kind="yes_no", valid_range=(0.0, 1.0), targets=(Target(2025, 1, ">=", "实现"),))
    assert assess_indicator(ind, obs((2022, 0.0), (2023, 0.0)), 2023)[0].status == "needs_acceleration"
    assert assess_indicator(ind, obs((2024, 0.0), (2025, 0.0)), 2025)[0].status == "limited_progress"
    assert assess_indicator(ind, obs((2022, 1.0)), 2022)[0].status == "achieved"
    assert assess_indicator(ind, obs((2022, 1.0), (2023, 0.0)), 2023)[0].status == "deterioration"


def test_no_target():
    ind = indicator(baseline=Baseline(2020, 23.16, "23.16*"), target_pending=True)
    [a] = assess_indicator(ind, obs((2022, 24.0)), 2022)
    assert (a.status, a.milestone, a.value) == ("no_target", None, 24.0)


def test_projection_stays_in_range():
    ind = indicator(targets=(Target(2035, 100, ">=", "100"),))
    [a] = assess_indicator(ind, obs((2021, 80.0), (2022, 90.0), (2023, 99.0)), 2023)
    assert a.projected_value == 100.0


# --- the catalogue as a whole --------------------------------------------------------

def test_assess_ignores_later_years():
    cat = load_catalogue(ROOT / "data" / "catalogue.yaml")
    data = frame("""
        year,indicator_id,value,kind
        2021,smart_5g_urban_coverage,60,demo
        2022,smart_5g_urban_coverage,70,demo
        2023,smart_5g_urban_coverage,100,demo
        """)
    a = assess(cat, data, 2022).set_index("id").loc["smart_5g_urban_coverage"]
    assert (a["value"], a["value_year"]) == (70, 2022)
    assert a["status"] != "achieved"  # the 100 of 2023 is not visible in 2022


def test_every_indicator_and_milestone_has_a_record():
    cat = load_catalogue(ROOT / "data" / "catalogue.yaml")
    result = assess(cat, frame("year,indicator_id,value,kind"), 2025)
    expected = sum(max(1, len(i.targets)) for i in cat.indicators)
    assert len(result) == expected
    assert set(result["status"]) <= {"insufficient_data", "no_target"}


def test_summary_counts_and_score():
    cat = load_catalogue(ROOT / "data" / "catalogue.yaml")
    data = frame("""
        year,indicator_id,value,kind
        2025,smart_5g_urban_coverage,100,demo
        2021,smart_hospital_coverage,50,demo
        2025,smart_hospital_coverage,40,demo
        """)
    result = assess(cat, data, 2025)
    summary = summarise(cat, result).set_index("dimension")
    smart = summary.loc["smart"]
    assert smart["indicators"] == 7 and smart["achieved"] == 1 and smart["deterioration"] == 1
    assert smart["scored"] == 2 and smart["score"] == pytest.approx(50.0)  # (100 + 0) / 2
    assert summary.loc["all", "indicators"] == 22
    assert dimension_score(result.iloc[0:0]) is None
