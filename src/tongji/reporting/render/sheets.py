"""The sheets that explain the tables: 数据 (every published figure with its definition
and source cells), 数据质量 (the findings) and 指标定义 (indicators and scopes)."""

from __future__ import annotations

import polars as pl

from ...findings import SEVERITY_LABEL, Issue
from ..tables import Report
from .charts import Published
from .formats import MAX_CELL_TEXT, Formats


def _lineage(fig, names: dict[str, str]) -> str:
    """Which schools' cells a figure sums: `学校：文件!工作表!单元格,…；…`, sorted, cut at
    Excel's cell limit with a count of what was left out."""
    if fig is None or fig.cells.height == 0:
        return ""
    groups = (
        fig.cells.select(pl.col("school_id").fill_null(""), *(pl.col(c).cast(pl.Utf8) for c in ("file", "sheet", "cell")))
        .group_by(["school_id", "file", "sheet"])
        .agg(pl.col("cell").str.join(","))
        .sort(["school_id", "file", "sheet"])
    )
    parts, size = [], 0
    for sid, file, sheet, cells in groups.iter_rows():
        part = f"{names.get(sid, sid) or '全市'}：{file}!{sheet}!{cells}"
        size += len(part) + 1
        if size > MAX_CELL_TEXT:
            parts.append(f"…（共 {groups.height} 处、{fig.cells.height} 个单元格，余下的见 lineage.parquet）")
            break
        parts.append(part)
    return "；".join(parts)


def _definition(ind) -> str:
    if ind.definition:
        return ind.definition
    if ind.formula:
        return ind.formula
    where = "，".join(f"{k}={v}" for k, v in ind.where)
    return f"{ind.agg}({ind.dataset}.{ind.field}{'，' + where if where else ''})"


def write_data_sheet(wb, rows: list[Published], report: Report, fm: Formats, names: dict[str, str]) -> None:
    ws = wb.add_worksheet("数据")
    head = ["表号", "行", "列", "年度", "值", "显示", "单位", "指标", "定义", "口径", "学校数", "来源单元格"]
    ws.write_row(0, 0, head, fm.header)
    r = 1
    for table_id, row_label, col_label, cell, scope_title in rows:
        if cell.indicator is None:
            continue
        ind = cell.indicator
        is_change = cell.prev is not None
        ws.write_string(r, 0, table_id)
        ws.write_string(r, 1, row_label)
        ws.write_string(r, 2, col_label)
        ws.write_string(r, 3, f"{cell.year}" if not is_change else f"{report.year}比{report.prev}")
        if cell.shown.number is not None and cell.shown.fmt != "@":
            ws.write_number(r, 4, cell.shown.number, fm.number(cell.shown.fmt))
        ws.write_string(r, 5, cell.shown.text)
        ws.write_string(r, 6, ("个百分点" if ind.display == "percent" else ind.unit) if is_change else ind.unit)
        ws.write_string(r, 7, f"{ind.title}（{ind.id}）")
        ws.write_string(r, 8, ("本年 − 上年：" if is_change else "") + _definition(ind) + (f"。{ind.note}" if ind.note else ""))
        ws.write_string(r, 9, scope_title)
        fig = cell.figure
        ws.write_number(r, 10, fig.n_schools if fig is not None else 0)
        src = _lineage(fig, names)
        if is_change and cell.prev is not None:
            src = f"本年：{src}　上年：{_lineage(cell.prev, names)}"[:MAX_CELL_TEXT]
        ws.write_string(r, 11, src)
        r += 1
    ws.autofilter(0, 0, max(r - 1, 1), len(head) - 1)
    ws.freeze_panes(1, 0)
    ws.set_column(0, 0, 7)
    ws.set_column(1, 2, 18)
    ws.set_column(3, 6, 10)
    ws.set_column(7, 8, 30)
    ws.set_column(9, 10, 8)
    ws.set_column(11, 11, 80)


def write_quality_sheet(wb, issues: list[tuple[str, int | None, Issue]], fm: Formats, names: dict[str, str]) -> None:
    ws = wb.add_worksheet("数据质量")
    head = ["级别", "来源", "年度", "学校", "文件", "工作表", "单元格", "代码", "说明", "处理建议"]
    ws.write_row(0, 0, head, fm.header)
    order = {"error": 0, "warning": 1, "info": 2}
    rows = sorted(issues, key=lambda x: (order.get(x[2].severity, 9), x[0], x[1] or 0, x[2].school_id, x[2].file, x[2].cell, x[2].code))
    for r, (source, year, i) in enumerate(rows, 1):
        ws.write_row(r, 0, [SEVERITY_LABEL.get(i.severity, i.severity), source, str(year or ""), names.get(i.school_id, i.school_id), i.file, i.sheet, i.cell, i.code, i.message, i.hint], fm.wrap)
    if not rows:
        ws.write(1, 0, "没有发现问题。", fm.plain)
    ws.autofilter(0, 0, max(len(rows), 1), len(head) - 1)
    ws.freeze_panes(1, 0)
    ws.set_column(0, 3, 8)
    ws.set_column(3, 3, 16)
    ws.set_column(4, 4, 40)
    ws.set_column(5, 7, 12)
    ws.set_column(8, 9, 60)


def write_definitions(wb, report: Report, fm: Formats) -> None:
    ws = wb.add_worksheet("指标定义")
    head = ["指标", "名称", "单位", "显示", "定义", "说明"]
    ws.write_row(0, 0, head, fm.header)
    for r, ind in enumerate(report.engine.defs.indicators.values(), 1):
        ws.write_row(r, 0, [ind.id, ind.title, ind.unit, ind.display, _definition(ind), ind.note], fm.wrap)
    r = len(report.engine.defs.indicators) + 2
    ws.write(r, 0, "口径", fm.bold)
    for i, scope in enumerate(report.engine.defs.scopes.values(), r + 1):
        n = report.engine.schools_in(scope.id).height
        ws.write_row(i, 0, [scope.id, scope.title, f"{n} 所", "", "，".join(f"{k}={v}" for k, v in scope.where) or "全部学校", report.scope_footnote(scope.id)], fm.wrap)
    ws.set_column(0, 1, 22)
    ws.set_column(2, 3, 8)
    ws.set_column(4, 5, 60)
    ws.freeze_panes(1, 0)
