"""The sheets that explain the tables: 数据 (every published figure with its definition
and source cells), 数据质量 (the findings) and 指标定义 (indicators and scopes)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ...findings import SEVERITY_LABEL, Issue
from ..tables import Report
from .charts import Published
from .formats import MAX_CELL_TEXT, Formats, fit_row, page_setup

_DATA_WIDTHS = [6.0, 14.0, 16.0, 8.0, 10.0, 10.0, 6.0, 18.0, 26.0, 14.0, 6.0, 50.0]
_QUALITY_WIDTHS = [6.0, 6.0, 6.0, 14.0, 30.0, 12.0, 8.0, 20.0, 44.0, 36.0]
_DEFINITION_WIDTHS = [20.0, 20.0, 8.0, 8.0, 50.0, 44.0]


def _lineage(fig, names: dict[str, str]) -> str:
    """Which schools' cells a figure sums: `学校：文件!工作表!单元格,…；…`, sorted, cut at
    Excel's cell limit with a count of what was left out."""
    if fig is None or fig.cells.height == 0:
        return ""
    groups = (
        fig.cells.select(
            pl.col("school_id").fill_null(""),
            *(pl.col(c).cast(pl.Utf8) for c in ("file", "sheet", "cell")),
        )
        .group_by(["school_id", "file", "sheet"])
        .agg(pl.col("cell").str.join(","))
        .sort(["school_id", "file", "sheet"])
    )
    parts, size = [], 0
    for sid, file, sheet, cells in groups.iter_rows():
        part = f"{names.get(sid, sid) or '全市'}：{file}!{sheet}!{cells}"
        size += len(part) + 1
        if size > MAX_CELL_TEXT:
            parts.append(
                f"…（共 {groups.height} 处、{fig.cells.height} 个单元格，余下的见 lineage.parquet）"
            )
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


def write_data_sheet(
    wb, rows: list[Published], report: Report, fm: Formats, names: dict[str, str]
) -> None:
    ws = wb.add_worksheet("数据")
    head = [
        "表号",
        "行",
        "列",
        "年度",
        "值",
        "显示",
        "单位",
        "指标",
        "定义",
        "口径",
        "学校数",
        "来源单元格",
    ]
    ws.write_row(0, 0, head, fm.header)
    fit_row(ws, 0, list(zip(head, _DATA_WIDTHS, strict=True)))
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
        ws.write_string(
            r, 6, ("个百分点" if ind.display == "percent" else ind.unit) if is_change else ind.unit
        )
        ws.write_string(r, 7, f"{ind.title}（{ind.id}）")
        definition = (
            ("本年 − 上年：" if is_change else "")
            + _definition(ind)
            + (f"。{ind.note}" if ind.note else "")
        )
        ws.write_string(r, 8, definition)
        ws.write_string(r, 9, scope_title)
        fig = cell.figure
        ws.write_number(r, 10, fig.n_schools if fig is not None else 0)
        src = _lineage(fig, names)
        if is_change and cell.prev is not None:
            src = f"本年：{src}　上年：{_lineage(cell.prev, names)}"[:MAX_CELL_TEXT]
        ws.write_string(r, 11, src, fm.plain)  # one line: click it to read all (the row stays low)
        texts = (row_label, col_label, f"{ind.title}（{ind.id}）", definition, scope_title)
        fit_row(ws, r, list(zip(texts, [_DATA_WIDTHS[i] for i in (1, 2, 7, 8, 9)], strict=True)))
        r += 1
    ws.autofilter(0, 0, max(r - 1, 1), len(head) - 1)
    ws.freeze_panes(1, 0)
    for i, w in enumerate(_DATA_WIDTHS):
        ws.set_column(i, i, w, fm.wrap_cell if i < 11 else None)
    ws.print_area(
        0, 0, max(r - 1, 1), 10
    )  # the source cells are for looking up on screen, not for paper
    page_setup(ws, _DATA_WIDTHS[:11], 0)


def write_quality_sheet(
    wb,
    issues: list[tuple[str, int | None, Issue]],
    fm: Formats,
    names: dict[str, str],
    base: Path | None = None,
) -> None:
    """Every finding, errors first; a finding's file links to the workbook it is about
    (opened at its sheet and cell) when that file is where the run read it (`base`)."""
    ws = wb.add_worksheet("数据质量")
    head = ["级别", "来源", "年度", "学校", "文件", "工作表", "单元格", "代码", "说明", "处理建议"]
    ws.write_row(0, 0, head, fm.header)
    order = {"error": 0, "warning": 1, "info": 2}
    rows = sorted(
        issues,
        key=lambda x: (
            order.get(x[2].severity, 9),
            x[0],
            x[2].year or x[1] or 0,
            x[2].school_id,
            x[2].file,
            x[2].cell,
            x[2].code,
        ),
    )
    for r, (source, year, i) in enumerate(rows, 1):
        shown_year = i.year or year  # the year a finding is about (a missing return of last year)
        values = [
            SEVERITY_LABEL.get(i.severity, i.severity),
            source,
            str(shown_year or ""),
            names.get(i.school_id, i.school_id),
            i.file,
            i.sheet,
            i.cell,
            i.code,
            i.message,
            i.hint,
        ]
        ws.write_row(r, 0, values, fm.wrap)
        link = _link(base, i)
        if link:
            ws.write_url(
                r,
                4,
                link,
                fm.link,
                string=i.file,
                tip="打开这个文件" + (f"，定位到 {i.sheet}!{i.cell}" if i.cell else ""),
            )
        fit_row(ws, r, [(str(v), w) for v, w in zip(values, _QUALITY_WIDTHS, strict=True)])
    if not rows:
        ws.write(1, 0, "没有发现问题。", fm.plain)
    ws.autofilter(0, 0, max(len(rows), 1), len(head) - 1)
    ws.freeze_panes(1, 0)
    for i, w in enumerate(_QUALITY_WIDTHS):
        ws.set_column(i, i, w)
    page_setup(ws, _QUALITY_WIDTHS, 0)


def _link(base: Path | None, i: Issue) -> str:
    """`external:` link to a finding's file (and its cell), when the file is there."""
    if base is None or not i.file:
        return ""
    path = Path(i.file) if Path(i.file).is_absolute() else base / i.file
    try:
        if not path.is_file():
            return ""
    except OSError:
        return ""
    target = str(path.resolve())
    if i.sheet and i.cell and "+" not in i.cell:
        sheet = i.sheet.replace("'", "''")
        target += f"#'{sheet}'!{i.cell}"
    return "external:" + target if len(target) < 2000 else ""


def write_definitions(wb, report: Report, fm: Formats) -> None:
    ws = wb.add_worksheet("指标定义")
    head = ["指标", "名称", "单位", "显示", "定义", "说明"]
    ws.write_row(0, 0, head, fm.header)
    for r, ind in enumerate(report.engine.defs.indicators.values(), 1):
        values = [ind.id, ind.title, ind.unit, ind.display, _definition(ind), ind.note]
        ws.write_row(r, 0, values, fm.wrap)
        fit_row(ws, r, list(zip(values, _DEFINITION_WIDTHS, strict=True)))
    r = len(report.engine.defs.indicators) + 2
    ws.write(r, 0, "口径", fm.bold)
    for i, scope in enumerate(report.engine.defs.scopes.values(), r + 1):
        n = report.engine.schools_in(scope.id).height
        values = [
            scope.id,
            scope.title,
            f"{n} 所",
            "",
            "，".join(f"{k}={v}" for k, v in scope.where) or "全部学校",
            report.scope_footnote(scope.id),
        ]
        ws.write_row(i, 0, values, fm.wrap)
        fit_row(ws, i, list(zip(values, _DEFINITION_WIDTHS, strict=True)))
    for i, w in enumerate(_DEFINITION_WIDTHS):
        ws.set_column(i, i, w)
    ws.freeze_panes(1, 0)
    page_setup(ws, _DEFINITION_WIDTHS, 0)
