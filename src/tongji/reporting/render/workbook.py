"""The summary workbook (xlsxwriter), written whole or not at all.

Sheets: 说明, 要点, one per report table (laid out like the report: title, merged
multi-row header, 变化 row, scope and source footnotes), the charts, 数据质量, 数据 (one
row per published figure, with its definition and the cells it came from), 指标定义, and
one sheet per school and per 旗县区. Figures are numbers with number formats (8.2 shows
as `8.2:1`, a change as `↑1178`), so they can be summed in Excel.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import xlsxwriter

from ...files import atomic_path
from ...findings import Issue
from ..tables import BuiltTable, Report, datasets_of, expand
from .charts import Published, write_chart_sheet
from .formats import (
    PORTRAIT_UNITS,
    Formats,
    SafeWorkbook,
    fit_row,
    page_setup,
    sheet_name,
    write_title,
)
from .profiles import write_profiles
from .sheets import quality_rules, write_data_sheet, write_definitions, write_quality_sheet
from .tables import presented, write_table

_CREATED = _dt.datetime(2000, 1, 1)  # fixed, so the same inputs give the same bytes


Quality = list[tuple[str, int | None, Issue]]  # (提取 | 核对, year, finding)


def write_workbook(
    path: str | Path,
    report: Report,
    tables: list[BuiltTable],
    sentences: list[str],
    quality: Quality,
    sources: list[str],
    base: Path | None = None,
    links_from: Path | None = None,
    sources_file: tuple[Path, str] | None = None,
) -> None:
    """Write the summary workbook atomically; findings and sources link to their files
    under `base`, by paths relative to `links_from` (the folder the workbook is opened
    from; by default its own). A 来源 too long for a sheet goes to `sources_file` (a path
    and how the workbook names it; by default `<workbook>_来源.csv` beside it)."""
    if sources_file is None:
        beside = Path(path).with_name(f"{Path(path).stem}_来源.csv")
        sources_file = (beside, beside.name)
    links = links_from if links_from is not None else Path(path).parent
    roster = report.engine.facts.roster
    names = dict(zip(roster["school_id"].to_list(), roster["school_name"].to_list(), strict=True))
    with atomic_path(path) as tmp:
        wb = SafeWorkbook(
            str(tmp),
            {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
        )
        wb.set_properties(
            {
                "title": expand(report.spec.title, report.year, report.spec.region),
                "author": "tongji",
                "created": _CREATED,
            }
        )
        fm = Formats(wb)
        taken: set[str] = set()
        _write_cover(wb, report, quality, sources, fm, sheet_name("说明", taken))
        _write_points(wb, sentences, fm, sheet_name("要点", taken))
        published: list[Published] = []
        shown = [presented(t, report.engine.defs) for t in tables]
        for t in shown:
            write_table(wb, t, fm, sheet_name(t.spec.id, taken))
            for labels, cells in t.rows:
                for col, cell in zip(t.columns, cells, strict=False):
                    published.append(
                        (
                            t.spec.id,
                            "/".join(x for x in labels if x),
                            "/".join(col),
                            cell,
                            _scope_title(report, cell, t.scope_title),
                        )
                    )
        for chart in report.spec.charts:
            published += write_chart_sheet(wb, report, chart, fm, sheet_name(chart.id, taken))
        write_quality_sheet(wb, quality, fm, names, base, links, quality_rules(report))
        taken.add("数据质量")
        write_data_sheet(wb, published, report, fm, names, base, links, sources_file)
        taken.update(("数据", "来源"))
        write_definitions(wb, report, fm)
        taken.add("指标定义")
        if report.spec.profile is not None:
            write_profiles(wb, report, shown, fm, taken)
        wb.close()


def _scope_title(report: Report, cell, table_scope: str) -> str:
    """A figure's scope: the table's, except for a figure of city-wide data (普高), which no
    scope of schools limits."""
    if cell.indicator is None:
        return table_scope
    pack = report.engine.pack
    datasets = datasets_of(report.engine.defs, cell.indicator.id)
    if datasets and all(pack.datasets[d].entity == "city" for d in datasets):
        return (
            "全市（"
            + "、".join(pack.datasets[d].title for d in sorted(datasets))
            + "，不分学校口径）"
        )
    return table_scope


def _write_cover(
    wb: xlsxwriter.Workbook,
    report: Report,
    quality: Quality,
    sources: list[str],
    fm: Formats,
    name: str,
) -> None:
    """说明: what the workbook is, where its data came from, how to read it."""
    errors = sum(1 for q in quality if q[2].severity == "error")
    warnings = sum(1 for q in quality if q[2].severity == "warning")
    lines = [
        expand(report.spec.title, report.year, report.spec.region),
        f"年度：{report.year}（对比 {report.prev}）；数据来源：{report.spec.source}",
        "提取结果：" + "；".join(sources),
        f"数据质量：错误 {errors} 个，警告 {warnings} 个，详见“数据质量”表。",
        "每个数字的定义见“数据”表，它由哪些学校的哪些单元格汇总而来（每格的数字、文件链接）见“来源”表，指标与口径的定义见“指标定义”表。",
        "各表中的“变化”= 本年 − 上年，按表中显示的数字计算；比率的变化以百分点计。",
    ]
    cover = wb.add_worksheet(name)
    widths = [float(PORTRAIT_UNITS)]
    cover.set_column(0, 0, widths[0])
    for r, text in enumerate(lines):
        if r == 0:
            write_title(cover, 0, text, widths, fm)
            continue
        cover.write_string(r, 0, text, fm.wrap)
        fit_row(cover, r, [(text, widths[0])])
    page_setup(cover, widths, None)


def _write_points(wb: xlsxwriter.Workbook, sentences: list[str], fm: Formats, name: str) -> None:
    """要点: the key sentences, generated from the same figures as the tables."""
    points = wb.add_worksheet(name)
    widths = [6.0, PORTRAIT_UNITS - 6.0]
    points.set_column(0, 0, widths[0])
    points.set_column(1, 1, widths[1])
    points.write_row(0, 0, ["序号", "要点（由数据生成，与各表一致）"], fm.header)
    for i, sentence in enumerate(sentences, 1):
        points.write_number(i, 0, i, fm.wrap)
        points.write_string(i, 1, sentence, fm.wrap)
        fit_row(points, i, [(sentence, widths[1])])
    page_setup(points, widths, 0)


def quality_rows(facts_issues: list[tuple[int, Issue]], checks: list[Issue], year: int) -> Quality:
    return [("提取", y, i) for y, i in facts_issues] + [("核对", year, i) for i in checks]
