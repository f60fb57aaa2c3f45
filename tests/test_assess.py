"""The assessment formulas, checked against numbers worked by hand."""

from __future__ import annotations

import inspect
import math
from io import StringIO

import pandas as pd
import pytest

from planbook.assess.progress import (
    Obs, PaceSettings, assess, assess_indicator, classify_pace, classify_ratio, completion_share,
    dimension_score, is_met, progress_ratio, projected_year, required_annual_change,
    summarise, time_elapsed_share, trend, trend_value,
)
from planbook.report.format import status_word
from planbook.plan.catalogue import Baseline, Indicator, Target, load_catalogue

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


def test_trend_is_a_straight_line_through_two_points():
    fit = trend([(2020, 100.0), (2022, 121.0)])
    assert trend_value(fit, 2024) == pytest.approx(142.0)  # +10.5 a year


def test_trend_three_points_least_squares():
    # points (0, 1), (1, 2), (2, 6): slope Σ(x−1)(y−3)/Σ(x−1)² = (2 + 0 + 3)/2 = 2.5, intercept 3 − 2.5 = 0.5
    fit = trend([(0, 1.0), (1, 2.0), (2, 6.0)])
    assert fit == pytest.approx((0.5, 2.5))
    assert trend([(2020, 1.0)]) is None


def test_outlook_does_not_explode_for_a_fast_growing_level():
    # 5.4 → 12.3 m² in four years: the compound trend gave 101 m² for 2035; the straight line gives
    # 12.3 + 10 · (least-squares slope) — hand-worked: years 2021..2025, values below.
    ind = indicator(unit="平方米", valid_range=(0.0, None), targets=(Target(2035, 14.2, ">=", "14.2"),))
    values = [(2021, 5.4), (2022, 7.1), (2023, 8.9), (2024, 10.6), (2025, 12.3)]
    [a] = assess_indicator(ind, obs(*values), 2025)
    slope = (-2 * 5.4 - 7.1 + 10.6 + 2 * 12.3) / 10  # Σ(x−x̄)(y−ȳ) / Σ(x−x̄)², x̄ = 2023
    mean = sum(v for _, v in values) / 5
    assert a.projected_value == pytest.approx(mean + slope * (2035 - 2023))
    assert a.projected_value < 30
    assert a.projected_year == 2027  # 8.86 + 1.73 · 3 = 14.05 < 14.2 in 2026; 15.78 in 2027


def test_projected_year_and_required_change():
    fit = trend([(2020, 50.0), (2022, 60.0)])  # +5 a year
    assert projected_year(fit, 2022, 80.0, ">=", "higher") == 2026
    assert required_annual_change(60.5, 2022, 80.0, 2025) == pytest.approx(6.5)
    assert required_annual_change(60.5, 2025, 80.0, 2025) is None
    away = trend([(2020, 50.0), (2022, 45.0)])
    assert projected_year(away, 2022, 80.0, ">=", "higher") is None


def test_time_share_is_capped():
    assert time_elapsed_share(2030, 2020, 2025) == 1.0
    assert time_elapsed_share(2019, 2020, 2025) == 0.0


@pytest.mark.parametrize("completion, elapsed, pace, light", [
    (0.5, 0.5, "ahead", "green"), (0.7, 0.5, "ahead", "green"),
    (0.4, 0.5, "on_pace", "green"),          # behind by exactly 0.10: still on pace
    (0.3999, 0.5, "behind", "yellow"),
    (0.2, 0.5, "behind", "yellow"),          # behind by exactly 0.30: still yellow
    (0.1999, 0.5, "behind", "red"), (-0.2, 0.5, "behind", "red"),
])
def test_pace_thresholds_at_their_edges(completion, elapsed, pace, light):
    assert classify_pace(completion, elapsed) == (pace, light)
    assert classify_pace(completion, elapsed, PaceSettings(on_pace=0.10, red=0.30)) == (pace, light)


# --- one indicator: hand-worked cases -------------------------------------------------
#
# Each case: the indicator, its values, the report year, and what a reviewer expects —
# status (Statistics Canada), pace (序时进度), light and, where it matters, the reason.

AIR = dict(baseline=Baseline(2020, 53.6, "53.6"), targets=(Target(2025, 60.3, ">=", "60.3"),))
STARTED_MET = dict(baseline=Baseline(2020, 97.0, "97"), targets=(Target(2025, 95, ">=", "95"),))
YES_NO = dict(unit="是/否", kind="yes_no", valid_range=(0.0, 1.0), targets=(Target(2025, 1, ">=", "实现"),))
TRAINING = dict(unit="万人次", kind="cumulative", window=(2021, 2025), valid_range=(0.0, None),
                targets=(Target(2025, 10, ">=", "[10]"),))
PATH = dict(baseline=Baseline(2020, 50.0, "50"), targets=(Target(2030, 100, ">=", "100"),))

CASES = {
    # The milestone year has come: met in it, or not — a growth ratio no longer decides.
    "met in the milestone year": (AIR, [(2024, 59.0), (2025, 60.3)], 2025, "achieved", "achieved", "green", None),
    "met early, still met": (AIR, [(2023, 61.0), (2024, 62.0), (2025, 61.0)], 2025,
                             "achieved", "achieved_early", "green", None),
    "missed by a little in the milestone year": (AIR, [(2024, 59.0), (2025, 60.2)], 2025,
                                                 "not_achieved", "not_achieved", "red", None),
    "missed, reached a year late": (AIR, [(2025, 60.2), (2026, 61.0)], 2026,
                                    "not_achieved", "not_achieved", "red", "reached_late"),
    "met in the milestone year, fell later": (AIR, [(2025, 61.0), (2027, 59.0)], 2027,
                                              "achieved", "achieved", "green", None),
    "milestone year without a value": (AIR, [(2024, 61.0)], 2025,
                                       "insufficient_data", "insufficient_data", "none", "milestone_value_missing"),
    # The start already met the target.
    "start met, fell below": (STARTED_MET, [(2022, 94.0)], 2022, "deterioration", "behind", "red", "base_met"),
    "start met, still met": (STARTED_MET, [(2022, 96.0)], 2022, "achieved", "achieved_early", "green", None),
    # Stale data: more than one year older than the report year.
    "value two years old": (AIR, [(2021, 55.0)], 2023, "insufficient_data", "insufficient_data", "none", "stale"),
    "value one year old": (AIR, [(2022, 57.0)], 2023, "on_track", "ahead", "green", None),
    "no value at all": (AIR, [], 2023, "insufficient_data", "insufficient_data", "none", "no_data"),
    # Yes/no targets.
    "yes/no not yet, before the deadline": (YES_NO, [(2022, 0.0), (2023, 0.0)], 2023,
                                            "insufficient_data", "insufficient_data", "none", "pending_yes_no"),
    "yes/no not met at the deadline": (YES_NO, [(2024, 0.0), (2025, 0.0)], 2025,
                                       "not_achieved", "not_achieved", "red", None),
    "yes/no met early": (YES_NO, [(2022, 1.0)], 2022, "achieved", "achieved_early", "green", None),
    "yes/no met, then lost": (YES_NO, [(2022, 1.0), (2023, 0.0)], 2023, "deterioration", "behind", "yellow", "was_met"),
    # Cumulative totals over 2021–2025.
    "cumulative with a missing year": (TRAINING, [(2021, 2.0), (2023, 2.0)], 2023,
                                       "insufficient_data", "insufficient_data", "none", "window_gap"),
    "cumulative on pace": (TRAINING, [(2021, 2.0), (2022, 2.1), (2023, 1.5)], 2023,
                           "needs_acceleration", "on_pace", "green", None),
    "cumulative window closed, met": (TRAINING, [(y, 2.1) for y in range(2021, 2026)], 2025,
                                      "achieved", "achieved", "green", None),
    "cumulative window closed, missed": (TRAINING, [(y, 1.9) for y in range(2021, 2026)], 2026,
                                         "not_achieved", "not_achieved", "red", None),
    "cumulative window closed with a gap": (TRAINING, [(y, 2.5) for y in (2021, 2022, 2023, 2025)], 2025,
                                            "insufficient_data", "insufficient_data", "none", "window_gap"),
    # 序时进度 halfway to 2030 from 50 to 100 (time share 0.5).
    "pace: ahead": (PATH, [(2025, 75.0)], 2025, "on_track", "ahead", "green", None),
        # (ratio: (70/50)^(1/5) − 1 = 6.96% a year of the 7.18% needed → 0.969: the two views differ)
    "pace: behind by exactly 0.10": (PATH, [(2025, 70.0)], 2025, "on_track", "on_pace", "green", None),
    "pace: behind by exactly 0.30": (PATH, [(2025, 60.0)], 2025, "limited_progress", "behind", "yellow", None),
    "pace: behind by more than 0.30": (PATH, [(2025, 59.9)], 2025, "limited_progress", "behind", "red", None),
}


@pytest.mark.parametrize("name", list(CASES))
def test_hand_worked_case(name):
    spec, values, year, status, pace, light, reason = CASES[name]
    [a] = assess_indicator(indicator(**spec), obs(*values), year)
    assert (a.status, a.pace, a.light, a.reason) == (status, pace, light, reason)
    if status in ("achieved", "not_achieved") and year >= a.milestone:
        # A milestone that has come has a verdict, not an outlook.
        assert a.projected_value is None and a.projected_year is None and a.required_annual_change is None
        assert a.time_elapsed == 1.0


def test_stale_value_is_still_shown_with_its_year():
    [a] = assess_indicator(indicator(**AIR), obs((2021, 55.0)), 2023)
    assert (a.value, a.value_year) == (55.0, 2021)


def test_missed_milestone_stays_missed_and_says_when_it_was_reached():
    [a] = assess_indicator(indicator(**AIR), obs((2025, 60.2), (2026, 61.0), (2027, 62.0)), 2027)
    assert (a.status, a.milestone_value, a.met_year, a.value, a.value_year) == ("not_achieved", 60.2, 2026, 62.0, 2027)


def test_yes_no_pending_has_no_ratio_and_no_required_change():
    [a] = assess_indicator(indicator(**YES_NO), obs((2022, 0.0)), 2022)
    assert a.ratio is None and a.required_annual_change is None and a.projected_value is None
    assert status_word(a.status, a.reason) == "尚未实现"


def test_start_met_gives_no_positive_ratio():
    # 97 → 94 against ≥95: the two negative growth rates would divide into a positive ratio.
    [a] = assess_indicator(indicator(**STARTED_MET), obs((2022, 94.0)), 2022)
    assert a.ratio is None and a.completion is None


def test_cumulative_figures():
    [a] = assess_indicator(indicator(**TRAINING), obs((2021, 2.0), (2022, 2.1), (2023, 1.5)), 2023)
    # total 5.6 of 10 = 56% after 3 of 5 years (60%): ratio 0.9333 → needs acceleration
    assert a.value == pytest.approx(5.6)
    assert a.completion == pytest.approx(0.56) and a.time_elapsed == pytest.approx(0.6)
    assert a.ratio == pytest.approx(0.56 / 0.6)
    assert a.required_annual_change == pytest.approx(2.2)  # (10 − 5.6) / 2
    assert a.projected_value == pytest.approx(5.6 + 5.6 / 3 * 2)
    [done] = assess_indicator(indicator(**TRAINING), obs((2021, 4.0), (2022, 3.0), (2023, 3.5)), 2023)
    assert (done.status, done.pace, done.met_year) == ("achieved", "achieved_early", 2023)
    [closed] = assess_indicator(indicator(**TRAINING), obs(*[(y, 1.9) for y in range(2021, 2026)]), 2027)
    assert closed.projected_year is None and closed.value == pytest.approx(9.5)


def test_level_ratio_and_shares():
    [a] = assess_indicator(indicator(**AIR), obs((2020, 53.6), (2021, 55.0), (2023, 57.0)), 2023)
    # ratio: observed (57/53.6)^(1/3)-1 = 0.020712; required (60.3/53.6)^(1/5)-1 = 0.023836 → 0.86894
    assert a.ratio == pytest.approx(0.86894, abs=1e-4)
    assert a.status == "needs_acceleration" and a.base_from == "plan"
    assert a.completion == pytest.approx((57 - 53.6) / (60.3 - 53.6))
    assert a.time_elapsed == pytest.approx(0.6)
    assert a.required_annual_change == pytest.approx((60.3 - 57) / 2)
    [worse] = assess_indicator(indicator(**AIR), obs((2023, 52.0)), 2023)
    assert worse.status == "deterioration" and worse.ratio < 0 and worse.light == "red"


def test_time_share_uses_the_year_of_the_value():
    [a] = assess_indicator(indicator(**AIR), obs((2022, 57.0)), 2023)
    assert a.time_elapsed == pytest.approx(0.4)  # 2022 is two of five years


def test_strict_target_not_met_at_equality():
    ind = indicator(baseline=Baseline(2020, 87.2, "87.2"), targets=(Target(2025, 90, ">", "超过90%"),))
    [at] = assess_indicator(ind, obs((2025, 90.0)), 2025)
    [above] = assess_indicator(ind, obs((2025, 90.2)), 2025)
    assert (at.status, above.status) == ("not_achieved", "achieved")


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
    [one] = assess_indicator(ind, obs((2022, 80.0)), 2022)
    assert (one.status, one.reason) == ("insufficient_data", "single_point")


def test_restated_text_target_uses_the_table_rows_baseline():
    row = indicator(id="row", baseline=Baseline(2020, 87.2, "87.2"), targets=(Target(2025, 90, ">=", ">90"),))
    text = indicator(id="text", table_no=None, same_as="row", targets=(Target(2025, 90, ">=", "90%以上"),))
    [a] = assess_indicator(text, obs((2021, 88.0), (2023, 89.0)), 2023, table_row=row)
    [b] = assess_indicator(row, obs((2021, 88.0), (2023, 89.0)), 2023)
    assert (a.base_year, a.base_value, a.base_from) == (2020, 87.2, "table_row")
    assert a.completion == b.completion == pytest.approx((89 - 87.2) / (90 - 87.2))


def test_zero_target_equal_to_base():
    # Coal consumption growth vs 2020 (%): base 0 by definition, target ≤ 0.
    ind = indicator(direction="lower", baseline=Baseline(2020, 0.0, "2020年为基期", definition=True),
                    valid_range=(-100.0, None), targets=(Target(2025, 0.0, "<=", "零增长"),))
    [up] = assess_indicator(ind, obs((2023, 2.0)), 2023)
    [flat] = assess_indicator(ind, obs((2023, 0.0)), 2023)
    [down] = assess_indicator(ind, obs((2023, -1.5)), 2023)
    assert (up.status, flat.status, down.status) == ("deterioration", "achieved", "achieved")
    assert up.ratio is None and up.completion is None


def test_no_target():
    ind = indicator(baseline=Baseline(2020, 23.16, "23.16*"), target_pending=True)
    [a] = assess_indicator(ind, obs((2022, 24.0)), 2022)
    assert (a.status, a.pace, a.light, a.milestone, a.value) == ("no_target", "no_target", "none", None, 24.0)


def test_projection_stays_in_range():
    ind = indicator(targets=(Target(2035, 100, ">=", "100"),))
    [a] = assess_indicator(ind, obs((2021, 80.0), (2022, 90.0), (2023, 99.0)), 2023)
    assert a.projected_value == 100.0


def test_about_target_as_the_methodology_says():
    # "95左右" for an indicator that should rise: met from 99% of 95 (94.05) up.
    assert is_met(94.05, 95, "~", "higher") and not is_met(94.04, 95, "~", "higher")
    assert is_met(1.818, 1.8, "~", "lower") and not is_met(1.819, 1.8, "~", "lower")


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
    # hospital coverage 50 → 40 and below 100 in its milestone year 2025: not achieved
    assert smart["indicators"] == 7 and smart["achieved"] == 1 and smart["not_achieved"] == 1
    assert smart["light_green"] == 1 and smart["light_red"] == 1
    assert smart["scored"] == 2 and smart["score"] == pytest.approx(50.0)  # (100 + 0) / 2
    assert summary.loc["all", "indicators"] == 22
    assert dimension_score(result.iloc[0:0]) is None
