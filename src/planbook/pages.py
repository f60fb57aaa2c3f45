"""Pages generated from the data at build time: the data appendix and the colophon.

Both are MyST markdown written into ``book/generated/`` (ignored by git); the
methodology and introduction are hand-written pages that take their numbers
from :func:`substitutions`.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from . import __version__
from .assess import ABOUT_TOLERANCE, NEEDS_ACCELERATION, ON_TRACK, STATUS_POINTS, STATUS_ZH
from .dataset import DataSet
from .tables import Cell, Table, fmt_value, md_escape

KIND_ZH = {"official": "官方数据", "demo": "演示数据"}


def data_appendix(data: DataSet, year: int) -> str:
    """Every value the edition uses, with its source and kind."""
    cat = data.catalogue
    obs = data.upto(year)
    rows = []
    for rec in obs.sort_values(["year", "indicator_id"], kind="stable").itertuples(index=False):
        meta = cat.series_meta(rec.indicator_id)
        rows.append([Cell(meta.name_zh), Cell(str(rec.year)),
                     Cell(fmt_value(rec.value, meta.decimals, meta.unit), demo=rec.kind == "demo"),
                     Cell(KIND_ZH[rec.kind]), Cell(rec.source), Cell(rec.note)])
    table = Table(columns=["指标", "年份", "数值", "类型", "来源", "说明"], rows=rows)
    n_demo = int((obs["kind"] == "demo").sum())
    lines = [
        "(data-appendix)=",
        "# 数据附录",
        "",
        f"本附录列出 {year} 年度评估使用的全部 {len(obs)} 个数值（{year} 年及以前），每个数值均注明来源。"
        f"其中官方数据 {len(obs) - n_demo} 个，演示数据 {n_demo} 个。",
        "",
    ]
    if n_demo:
        lines += ["```{warning}",
                  "标“演示”的数值由 planbook 演示数据生成器按固定随机种子生成，用于展示评估方法，"
                  "不是历城区的官方统计；截至目前未见上述指标 2021 年以后的官方公开数值。",
                  "```", ""]
    lines += ["(data-appendix-values)=", "## 数值与来源", "", table._repr_markdown_(), ""]
    return "\n".join(lines)


def colophon(data: DataSet, year: int) -> str:
    """Package and tool versions and the checksums of every input file."""
    from .editions import input_name

    rows = [[Cell(input_name(f.path, data.source_dir)), Cell(f.sha256)] for f in data.inputs(year)]
    files = Table(columns=["文件", "SHA-256"], rows=rows)
    tools = Table(columns=["软件", "版本"], rows=[
        [Cell(name), Cell(version(dist))] for name, dist in (
            ("planbook", "planbook"), ("Jupyter Book", "jupyter-book"), ("Sphinx", "sphinx"),
            ("MyST-NB", "myst-nb"), ("papermill", "papermill"), ("pandas", "pandas"),
            ("Altair", "altair"), ("vl-convert", "vl-convert-python"))])
    return "\n".join([
        "(colophon)=",
        "# 版本说明",
        "",
        f"本书为 {year} 年度评估版，由 planbook {md_escape(__version__)} 依据下列输入文件生成。"
        "相同的输入文件生成相同的数字与页面；页面不含构建时间。",
        "",
        "(colophon-inputs)=",
        "## 输入文件及校验值",
        "",
        files._repr_markdown_(),
        "",
        "(colophon-tools)=",
        "## 软件版本",
        "",
        tools._repr_markdown_(),
        "",
    ])


def write_generated_pages(data: DataSet, year: int, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    pages = {"data-appendix.md": data_appendix(data, year), "colophon.md": colophon(data, year)}
    written = []
    for name, text in pages.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def substitutions(data: DataSet, year: int) -> dict[str, str]:
    """Values the hand-written pages refer to as ``{{ name }}``: from code, not typed by hand."""
    cat = data.catalogue
    subs = {
        "edition_year": str(year),
        "on_track": f"{ON_TRACK:g}",
        "needs_acceleration": f"{NEEDS_ACCELERATION:g}",
        "about_tolerance": f"{ABOUT_TOLERANCE * 100:g}%",
        "n_table": str(len(cat.table)),
        "n_text": str(len(cat.text_targets)),
        "n_conflicts": str(len(cat.conflicts())),
        "first_year": str(min(data.years)),
        "plan_title": md_escape(cat.plan["title_zh"]),  # text from the catalogue: shown as written
        "plan_document": md_escape(cat.plan["document_no"]),
    }
    for status, points in STATUS_POINTS.items():
        subs[f"points_{status}"] = str(points)
        subs[f"word_{status}"] = STATUS_ZH[status]
    subs["word_insufficient_data"] = STATUS_ZH["insufficient_data"]
    subs["word_no_target"] = STATUS_ZH["no_target"]
    return subs
