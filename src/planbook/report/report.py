"""What the chapter notebooks show: sentences, tables and charts for one report year.

A notebook cell is one call into this module, e.g.::

    report = open_report(year, data_dir)
    report.glue_chapter("smart")
    report.scorecard("smart")

Every number in the prose is glued from here (never typed into a notebook).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from planbook.report import charts
from planbook.assess.progress import LIGHTS, STATUS_ZH, STATUSES, assess, headline_rows, status_word, summarise
from planbook.plan.catalogue import Catalogue, Indicator
from planbook.inputs.dataset import DataSet, load
from planbook.report.format import (Cell, Table, fmt_share, fmt_value, missing, pace_badge_html, pace_badge_md, pace_text,
                     status_badge_html, status_badge_md)

STATUS_PHRASE = {
    "achieved": "{n} 项已达到目标",
    "on_track": "{n} 项进展顺利",
    "needs_acceleration": "{n} 项需加快推进",
    "limited_progress": "{n} 项进展有限",
    "deterioration": "{n} 项出现倒退",
    "not_achieved": "{n} 项到期未完成",
    "insufficient_data": "{n} 项数据不足、暂无法判断",
    "pending_yes_no": "{n} 项（是/否类目标）尚未实现",
    "no_target": "{n} 项尚无目标值",
}
# Order used to say whether a status change is an improvement.
STATUS_RANK = {"achieved": 0, "on_track": 1, "needs_acceleration": 2, "limited_progress": 3, "deterioration": 4}
DEMO_NOTICE = "本页含演示数据：标“演示”的数值由程序生成，仅用于展示评估方法，不是历城区的官方统计。"


class GlueText(str):
    """A string glued as plain text (``{glue:text}`` would otherwise show its quotes)."""

    def __repr__(self) -> str:
        return str(self)


def glue(name: str, value) -> None:
    """Glue a value for ``{glue:text}`name``` without displaying it."""
    from myst_nb import glue as _glue

    _glue(name, GlueText(value) if isinstance(value, str) else value, display=False)


@dataclass
class Report:
    data: DataSet
    year: int

    @property
    def cat(self) -> Catalogue:
        return self.data.catalogue

    @cached_property
    def frame(self) -> pd.DataFrame:
        return assess(self.cat, self.data.observations, self.year)

    @cached_property
    def previous(self) -> pd.DataFrame | None:
        """The assessment one year earlier, from the data known for that year."""
        if self.year - 1 not in self.data.years:
            return None
        return assess(self.cat, self.data.observations, self.year - 1)

    @cached_property
    def published_before(self) -> pd.DataFrame | None:
        """The observations the previous edition was released with (``planbook release``)."""
        return self.data.release(self.year - 1)

    @cached_property
    def summary(self) -> pd.DataFrame:
        return summarise(self.cat, self.frame)

    @property
    def has_demo(self) -> bool:
        return self.data.has_demo(self.year)

    # --- series -----------------------------------------------------------------

    def series(self, ind: Indicator) -> pd.DataFrame:
        """Values known for a report of this year: ``year``, ``value``, ``kind``, ``source``.

        The plan's baseline (the table row's, for a text target that restates it) is kind
        ``plan``, or ``definition`` when the plan defines the base rather than reporting it.
        """
        obs = self.data.upto(self.year)
        rows = obs[obs["indicator_id"] == ind.series_id][["year", "value", "kind", "source"]].copy()
        base = ind.baseline or (self.cat.by_id[ind.same_as].baseline if ind.same_as else None)
        if base is not None:
            kind = "definition" if base.definition else "plan"
            at_base = rows["year"] == base.year
            if at_base.any():
                rows.loc[at_base, "kind"] = kind
            else:
                extra = pd.DataFrame([{"year": base.year, "value": base.value, "kind": kind,
                                       "source": f"规划基期（{base.as_written}）"}])
                rows = pd.concat([extra, rows], ignore_index=True)
        return rows.sort_values("year", kind="stable").reset_index(drop=True)

    def headline(self, dimension: str | None = None, *, table_only: bool = True) -> pd.DataFrame:
        rows = headline_rows(self.frame, table_only=table_only)
        if dimension is not None:
            rows = rows[rows["dimension"] == dimension]
        return rows

    # --- sentences ----------------------------------------------------------------

    def status_sentence(self, rows: pd.DataFrame, subject: str) -> str:
        """``智慧城镇化 7 项指标中，2 项已达到目标，…。``"""
        keys = ["pending_yes_no" if s == "insufficient_data" and r == "pending_yes_no" else s
                for s, r in zip(rows["status"], rows["reason"])]
        counts = pd.Series(keys, dtype=object).value_counts()
        order = [*STATUSES[:-1], "pending_yes_no", "no_target"]
        parts = [STATUS_PHRASE[s].format(n=int(counts[s])) for s in order if counts.get(s, 0)]
        milestones = sorted({int(m) for m in rows["milestone"].dropna()})
        against = f"（对照 {milestones[0]} 年目标）" if len(milestones) == 1 else ""
        if not parts:
            return f"{subject}暂无可评估的指标。"
        return f"{subject} {len(rows)} 项指标中{against}，" + "，".join(parts) + "。"

    def pace_sentence(self, rows: pd.DataFrame, subject: str) -> str:
        """The reviewers' idiom: how many are at or ahead of pace (序时进度), lit green/yellow/red."""
        if rows.empty:
            return f"{subject}暂无可评估的指标。"
        n = {k: int((rows["light"] == k).sum()) for k in LIGHTS}
        paces = rows["pace"].value_counts()
        done = int(paces.get("achieved", 0) + paces.get("achieved_early", 0))
        ahead = int(paces.get("ahead", 0) + paces.get("on_pace", 0))
        missed = int(paces.get("not_achieved", 0))
        due = sorted({int(m) for m, s in zip(rows["milestone"], rows["pace"])
                      if not missing(m) and int(m) <= self.year and s in ("achieved", "achieved_early", "not_achieved")})
        parts = []
        if n["green"]:
            detail = "、".join(x for x in (f"已完成目标 {done} 项" if done else "",
                                           f"达到或快于序时进度 {ahead} 项" if ahead else "") if x)
            parts.append(f"{n['green']} 项亮绿灯（{detail}）")
        if n["yellow"]:
            parts.append(f"{n['yellow']} 项慢于序时进度不超过 30 个百分点、亮黄灯")
        if n["red"]:
            red_behind = n["red"] - missed
            detail = "、".join(x for x in (f"到期未完成 {missed} 项" if missed else "",
                                           f"明显滞后于序时进度 {red_behind} 项" if red_behind else "") if x)
            parts.append(f"{n['red']} 项亮红灯（{detail}）")
        if n["none"]:
            parts.append(f"{n['none']} 项数据不足或无目标值、不亮灯")
        lead = f"{subject} {len(rows)} 项指标按序时进度衡量，"
        sentence = lead + "，".join(parts) + "。"
        if due:
            against = "、".join(map(str, due))
            sentence += f"对照已到期的 {against} 年目标，已完成 {done} 项、未完成 {missed} 项。"
        return sentence

    def score_sentence(self, dimension: str) -> str:
        row = self.summary.set_index("dimension").loc[dimension]
        name = self.cat.dimension_by_id[dimension].name_zh if dimension != "all" else "全部"
        if missing(row["score"]):
            return f"{name}维度尚无可计分的指标。"
        return (f"{name}维度得分 {row['score']:.1f} 分（满分 100 分，按 {int(row['scored'])} 项"
                f"有目标且有数据的指标计算）。")

    # --- tables --------------------------------------------------------------------

    def value_cell(self, ind: Indicator, value, year, kind) -> Cell:
        if missing(value):
            return Cell("—")
        text = fmt_value(value, ind.decimals, ind.unit)
        if not missing(year) and int(year) != self.year:
            text += f"（{int(year)}年）"
        return Cell(text, demo=kind in ("demo", "mixed"))

    def _target_text(self, ind: Indicator, year: int) -> str:
        t = ind.target_for(year)
        if t is None:
            return "待定" if ind.target_pending else "—"
        text = t.as_written
        return text + "（年份系推定）" if t.year_inferred else text

    def _progress_text(self, row) -> str:
        if missing(row["completion"]) and missing(row["time_elapsed"]):
            return "—"
        return f"{fmt_share(row['completion'])} / {fmt_share(row['time_elapsed'])}"

    def _status_cell(self, status: str, reason=None, met_year=None) -> Cell:
        reason = None if missing(reason) else reason
        met_year = None if missing(met_year) else int(met_year)
        return Cell(status_word(status, reason, met_year), html=status_badge_html(status, reason, met_year),
                    markdown=status_badge_md(status, reason, met_year))

    def _pace_cell(self, pace: str, light: str) -> Cell:
        return Cell(pace_text(pace, light), html=pace_badge_html(pace, light), markdown=pace_badge_md(pace, light))

    def _past_target_text(self, ind: Indicator, year: int, headline) -> str:
        """A target column's text; a milestone that has passed and is no longer the one judged
        carries its verdict (``12.7（未完成，2026年达到）``), so a missed target stays visible."""
        text = self._target_text(ind, year)
        if ind.target_for(year) is None or year > self.year or year == headline:
            return text
        rec = self.frame[(self.frame["id"] == ind.id) & (self.frame["milestone"] == year)].iloc[0]
        word = status_word(rec["status"], None if missing(rec["reason"]) else rec["reason"])
        late = f"，{int(rec['met_year'])}年达到" if rec["reason"] == "reached_late" else ""
        return f"{text}（{word}{late}）"

    def scorecard(self, dimension: str) -> Table:
        """The dimension's rows of table 专栏1 with value, targets, progress, pace and status."""
        head = self.headline(dimension).set_index("id")
        rows = []
        for ind in (i for i in self.cat.table if i.dimension == dimension):
            r = head.loc[ind.id]
            base = Cell(ind.baseline.as_written) if ind.baseline else Cell("—")
            rows.append([
                Cell(str(ind.table_no)), Cell(ind.name_zh), Cell(ind.unit), base,
                self.value_cell(ind, r["value"], r["value_year"], r["data_kind"]),
                Cell(self._past_target_text(ind, 2025, r["milestone"])),
                Cell(self._past_target_text(ind, 2035, r["milestone"])),
                Cell(self._progress_text(r)), self._pace_cell(r["pace"], r["light"]),
                self._status_cell(r["status"], r["reason"], r["met_year"]),
            ])
        milestone_note = ("完成进度 / 时序进度、序时进度与状态对照当期目标（2025 年及以前对照 2025 年目标）；"
                          "目标年已到的，按目标年的数值判定完成或未完成。")
        return Table(
            columns=["序号", "指标", "单位", "2020年", f"{self.year}年评估值", "2025年目标", "2035年目标",
                     "完成进度 / 时序进度", "序时进度", "状态"],
            rows=rows, numeric=frozenset({4}), wide=frozenset({1}),
            caption=f"{self.cat.dimension_by_id[dimension].name_zh}主要指标评估（{self.year}年）",
            note=milestone_note + (" " + DEMO_NOTICE if self.has_demo else ""),
        )

    def text_targets(self, dimension: str) -> Table:
        """Targets set in the chapter's text, each with the passage, its pace and status."""
        rows = []
        frame = self.frame[(self.frame["dimension"] == dimension) & self.frame["table_no"].isna()]
        for rec in frame.itertuples(index=False):
            ind = self.cat.by_id[rec.id]
            t = ind.target_for(int(rec.milestone))
            target = t.as_written + ("（年份系推定）" if t.year_inferred else "")
            same = f"（即专栏1第{self.cat.by_id[ind.same_as].table_no}行）" if ind.same_as else ""
            rows.append([
                Cell(ind.name_zh + same), Cell(f"{int(rec.milestone)}年 {target}"),
                self.value_cell(ind, rec.value, rec.value_year, rec.data_kind),
                self._pace_cell(rec.pace, rec.light), self._status_cell(rec.status, rec.reason, rec.met_year), Cell(ind.section),
            ])
        return Table(columns=["目标", "目标值", f"{self.year}年评估值", "序时进度", "状态", "规划出处"], rows=rows,
                     caption=f"规划正文中的量化目标（{self.cat.dimension_by_id[dimension].name_zh}）",
                     numeric=frozenset({2}), wide=frozenset({0, 5}))

    def status_overview(self) -> Table:
        """Every table indicator's pace and status on one page, grouped by dimension."""
        head = self.headline().set_index("id")
        rows = []
        for ind in self.cat.table:
            r = head.loc[ind.id]
            rows.append([Cell(self.cat.dimension_by_id[ind.dimension].name_zh), Cell(str(ind.table_no)),
                         Cell(ind.name_zh), self.value_cell(ind, r["value"], r["value_year"], r["data_kind"]),
                         Cell("—" if missing(r["milestone"]) else f"{int(r['milestone'])}年 "
                              + self._target_text(ind, int(r["milestone"]))),
                         self._pace_cell(r["pace"], r["light"]), self._status_cell(r["status"], r["reason"], r["met_year"])])
        return Table(columns=["维度", "序号", "指标", f"{self.year}年评估值", "当期目标", "序时进度", "状态"], rows=rows,
                     caption=f"专栏1全部 {len(rows)} 项指标一览（{self.year}年）", numeric=frozenset({3}),
                     wide=frozenset({0, 2}))

    def score_table(self) -> Table:
        rows = []
        shown = [s for s in STATUSES if s != "no_target"]
        for rec in self.summary.itertuples(index=False):
            name = "合计" if rec.dimension == "all" else self.cat.dimension_by_id[rec.dimension].name_zh
            lights = [Cell(str(getattr(rec, f"light_{k}"))) for k in ("green", "yellow", "red")]
            counts = [Cell(str(getattr(rec, s))) for s in shown]
            rows.append([Cell(name), Cell(str(rec.indicators)), *lights, *counts,
                         Cell("—" if missing(rec.score) else f"{rec.score:.1f}")])
        return Table(columns=["维度", "指标数", "绿灯", "黄灯", "红灯", *[STATUS_ZH[s] for s in shown], "得分"],
                     rows=rows, wide=frozenset({0}),
                     caption=f"各维度序时进度、状态分布与得分（{self.year}年）",
                     numeric=frozenset(range(1, len(shown) + 6)))

    def changes(self) -> tuple[str, Table | None]:
        """Status moves since the previous year's assessment, like with like.

        The same indicator and milestone are compared. A milestone that fell due this year is
        judged, not compared: its move to 已达标 or 未完成 is the verdict of its year, neither an
        improvement nor a step back.
        """
        if self.previous is None:
            return f"{self.year - 1} 年无评估数据，本年为首次评估，无法比较状态变化。", None
        now = headline_rows(self.frame).set_index(["id", "milestone"])
        before = self.previous.set_index(["id", "milestone"])
        rows, tally = [], {"改善": 0, "退步": 0, "到期判定": 0, "其他": 0}
        for (iid, milestone), rec in now.iterrows():
            if (iid, milestone) not in before.index:
                continue
            old = before.loc[(iid, milestone)]
            if old["status"] == rec["status"] and old["reason"] == rec["reason"]:
                continue
            due_now = not missing(milestone) and self.year - 1 < int(milestone) <= self.year
            a, b = STATUS_RANK.get(old["status"]), STATUS_RANK.get(rec["status"])
            if due_now:
                move = "到期判定"
            elif a is None or b is None or a == b:
                move = "其他"
            else:
                move = "改善" if b < a else "退步"
            tally[move] += 1
            ind = self.cat.by_id[iid]
            word = "—" if move == "其他" else f"{int(milestone)}年目标到期" if move == "到期判定" else move
            rows.append([Cell(ind.name_zh), Cell(f"{int(milestone)}年" if not missing(milestone) else "—"),
                         self._status_cell(old["status"], old["reason"], old["met_year"]),
                         self._status_cell(rec["status"], rec["reason"], rec["met_year"]),
                         Cell(word)])
        if not rows:
            return f"与 {self.year - 1} 年评估相比，各指标状态没有变化。", None
        words = {"改善": "改善", "退步": "退步", "到期判定": "因目标年已到而按当年数值判定完成与否",
                 "其他": "在“数据不足”“无目标值”等状态之间变化"}
        parts = [f"{n} 项{words[k]}" for k, n in tally.items() if n]
        sentence = (f"与 {self.year - 1} 年评估相比，{len(rows)} 项指标（含正文目标）的状态发生变化："
                    + "，".join(parts) + "。")
        table = Table(columns=["指标", "目标年份", f"{self.year - 1}年状态", f"{self.year}年状态", "变化"],
                      rows=rows, caption=f"状态变化（{self.year - 1}→{self.year}年）", wide=frozenset({0}))
        return sentence, table

    def new_series_sentence(self) -> str:
        from planbook.assess.changes import new_series

        ids = [i for i in new_series(self.data.observations, self.year) if not i.startswith("ctx_")]
        if self.year - 1 not in self.data.years or not ids:
            return "本年度没有首次取得数据的指标。" if self.year - 1 in self.data.years else ""
        names = "、".join(self._name(i) for i in ids)
        return f"本年度首次取得数据的指标 {len(ids)} 项：{names}。"

    def revisions(self) -> tuple[str, Table | None]:
        """Values of earlier years that changed since the previous edition was released."""
        from planbook.assess.changes import revisions

        if self.published_before is None:
            return ((f"未登记 {self.year - 1} 年度版本发布时的数据（data/releases/{self.year - 1}.csv），"
                     "无法核对以前年份数值的修订情况。") if self.year - 1 in self.data.years else ""), None
        found = revisions(self.published_before, self.data.upto(self.year), self.year)
        if not found:
            return f"与 {self.year - 1} 年度版本发布时相比，以前年份的数值没有修订。", None
        word = {"revised": "修订", "added": "补充", "removed": "删除"}
        rows = []
        for r in found:
            meta = self.cat.series_meta(r.indicator_id)
            rows.append([Cell(meta.name_zh), Cell(str(r.year)), Cell(fmt_value(r.old, meta.decimals, meta.unit)),
                         Cell(fmt_value(r.new, meta.decimals, meta.unit)), Cell(word[r.kind])])
        counts = {k: sum(r.kind == k for r in found) for k in word}
        parts = "，".join(f"{word[k]} {n} 个" for k, n in counts.items() if n)
        sentence = f"与 {self.year - 1} 年度版本发布时相比，以前年份的数值有变动：{parts}。"
        table = Table(columns=["指标", "年份", f"{self.year - 1}年度版数值", "本版数值", "变动"], rows=rows,
                      caption="以前年份数值的修订", numeric=frozenset({2, 3}), wide=frozenset({0}))
        return sentence, table

    def conflicts(self) -> Table:
        rows = [[Cell(self.cat.by_id[c.table_id].name_zh), Cell(f"{c.year}年"),
                 Cell(c.table_target.as_written if c.table_target else "—"),
                 Cell(c.text_target.as_written), Cell(self.cat.by_id[c.text_id].section),
                 Cell({"value": "目标值不同", "comparison": "比较方式不同", "year": "年份不同"}[c.kind])]
                for c in self.cat.conflicts()]
        rows += [[Cell("、".join(self._name(i) for i in n.ids)), Cell("—"), Cell("—"), Cell("—"), Cell("—"),
                  Cell(n.note_zh)] for n in self.cat.audit_notes]
        return Table(columns=["指标", "年份", "专栏1", "正文", "正文出处", "问题"], rows=rows,
                     caption="规划内部一致性核查", wide=frozenset({0, 4, 5}))

    def _name(self, series_id: str) -> str:
        meta = self.cat.series_meta(series_id)
        return meta.name_zh

    def context_table(self) -> Table:
        """Published context figures (official only), each with its source."""
        obs = self.data.upto(self.year)
        ctx = obs[obs["indicator_id"].str.startswith("ctx_")]
        rows = []
        for c in self.cat.context:
            for rec in ctx[ctx["indicator_id"] == c.id].itertuples(index=False):
                rows.append([Cell(c.name_zh), Cell(str(rec.year)), Cell(fmt_value(rec.value, c.decimals, c.unit), demo=rec.kind == "demo"),
                             Cell(rec.source), Cell(rec.note)])
        return Table(columns=["指标", "年份", "数值", "来源", "说明"], rows=rows,
                     caption="背景数据：公开发布的统计数字（区级统计口径）", numeric=frozenset({2}),
                     wide=frozenset({0, 3, 4}))

    # --- charts ----------------------------------------------------------------------

    def chart(self, ind: Indicator, key: str = "") -> charts.ChartOutput:
        row = self.frame[(self.frame["id"] == ind.id)].iloc[0]
        base = None if missing(row["base_year"]) else (int(row["base_year"]), float(row["base_value"]))
        if ind.kind == "cumulative":
            base = None  # a running total has no straight path from a level baseline
        series = self.series(ind)
        chart = charts.indicator_chart(ind, series, self.year, base)
        return charts.render(chart, alt_text=self._alt_text(ind, series), key=key)

    def _alt_text(self, ind: Indicator, series: pd.DataFrame) -> str:
        values = "，".join(f"{int(y)}年 {fmt_value(v, ind.decimals, ind.unit)}{'（演示）' if k == 'demo' else ''}"
                          for y, v, k in zip(series["year"], series["value"], series["kind"]))
        targets = "，".join(f"{t.year}年目标 {t.as_written}" for t in ind.targets) or "无目标值"
        return f"{ind.name_zh}：{values or '暂无数据'}；{targets}。"

    def charts(self, dimension: str) -> list[charts.ChartOutput]:
        return [self.chart(ind) for ind in self.cat.table if ind.dimension == dimension]

    # --- glue --------------------------------------------------------------------------

    def glue_common(self) -> None:
        glue("year", str(self.year))
        glue("demo_notice", DEMO_NOTICE if self.has_demo else "本页数值均为官方发布数据。")

    def glue_chapter(self, dimension: str) -> None:
        """Numbers and sentences a chapter's prose refers to."""
        self.glue_common()
        dim = self.cat.dimension_by_id[dimension]
        head = self.headline(dimension)
        glue("dimension_name", dim.name_zh)
        glue("chapter_ref", dim.chapter_zh)
        glue("n_indicators", str(len(head)))
        glue("status_sentence", self.status_sentence(head, dim.name_zh))
        glue("pace_sentence", self.pace_sentence(head, dim.name_zh))
        glue("score_sentence", self.score_sentence(dimension))
        text = self.frame[(self.frame["dimension"] == dimension) & self.frame["table_no"].isna()]
        glue("n_text_targets", str(len(text)))
        glue("text_sentence", self.status_sentence(text, "正文目标"))

    def glue_overview(self) -> None:
        self.glue_common()
        head = self.headline()
        glue("pace_sentence", self.pace_sentence(head, "专栏1"))
        glue("status_sentence", self.status_sentence(head, "专栏1"))
        glue("score_sentence", self.score_sentence("all"))
        text = self.frame[self.frame["table_no"].isna() & self.frame["headline"]]
        glue("text_sentence", self.status_sentence(text, "规划正文"))
        sentence, _ = self.changes()
        glue("changes_sentence", " ".join(filter(None, [sentence, self.new_series_sentence()])))
        glue("revisions_sentence", self.revisions()[0] or "本版为首个年度版本。")
        glue("n_conflicts", str(len(self.cat.conflicts())))
        best = self.summary[self.summary["dimension"] != "all"].dropna(subset=["score"])
        if not best.empty:
            top = best.sort_values(["score", "dimension"], ascending=[False, True]).iloc[0]
            low = best.sort_values(["score", "dimension"], ascending=[True, True]).iloc[0]
            glue("dimension_sentence",
                 f"四个维度中，{self.cat.dimension_by_id[top['dimension']].name_zh}得分最高（{top['score']:.1f} 分），"
                 f"{self.cat.dimension_by_id[low['dimension']].name_zh}得分最低（{low['score']:.1f} 分）。")
        else:
            glue("dimension_sentence", "各维度暂无可计分的指标。")


def open_report(year: int | None = None, data_dir: str | Path | None = None) -> Report:
    """Load the data (validated) and prepare the report for ``year`` (default: latest with data).

    A year without data is refused (:meth:`DataSet.check_year`).
    """
    data = load(data_dir)
    return Report(data=data, year=data.check_year(int(year) if year is not None else None))


__all__ = ["Report", "open_report", "glue"]
