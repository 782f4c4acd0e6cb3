"""The sheets that explain the tables: 数据 (every published figure with its definition,
pointing to its rows in 来源), 数据质量 (the findings, by their Chinese names) and 指标定义
(indicators and scopes, defined as Chinese formulas)."""

from __future__ import annotations

from pathlib import Path

from ...files import atomic_path, ensure_replaceable
from ...findings import SEVERITY_LABEL, Issue, code_title, rule_titles
from ..tables import Report
from .charts import Published
from .explain import conditions, definition, display_title
from .formats import Formats, fit_row, page_setup
from .sources import (
    SOURCES_SHEET,
    Linker,
    collect,
    too_long,
    write_sources_csv,
    write_sources_sheet,
)

_DATA_WIDTHS = [6.0, 14.0, 16.0, 8.0, 10.0, 10.0, 6.0, 18.0, 26.0, 14.0, 6.0, 18.0, 14.0]
_DATA_PRINTED = 12  # the indicator's code is for scripts, not for paper
_QUALITY_WIDTHS = [6.0, 6.0, 6.0, 14.0, 30.0, 12.0, 8.0, 18.0, 44.0, 36.0, 16.0]
_QUALITY_PRINTED = 10
_DEFINITION_WIDTHS = [20.0, 8.0, 10.0, 50.0, 44.0, 18.0]


def write_data_sheet(
    wb,
    rows: list[Published],
    report: Report,
    fm: Formats,
    names: dict[str, str],
    base: Path | None = None,
    links_from: Path | None = None,
    sources_file: tuple[Path, str] | None = None,
) -> None:
    """数据, one row per published figure, and after it 来源, one row per figure × school ×
    cell: a figure's 来源 cell says how many schools and cells it is made of and links to
    its first row in 来源. More rows than 来源 can well hold go to `sources_file` (a path,
    and how the sheets name it) as CSV."""
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
        "来源",
        "指标代码",
    ]
    ws.write_row(0, 0, head, fm.header)
    fit_row(ws, 0, list(zip(head, _DATA_WIDTHS, strict=True)))
    defs, pack = report.engine.defs, report.engine.pack
    sources = collect(rows, report.engine.facts)
    if sources_file is not None:
        path, shown = sources_file
        ensure_replaceable([path])  # a CSV open in Excel: said before anything is written
        if too_long(sources):
            with atomic_path(path) as tmp:
                write_sources_csv(rows, sources, names, tmp)
            sources.elsewhere = shown
        else:  # a file of an earlier, larger run would be taken for this one's
            path.unlink(missing_ok=True)
    r, n = 1, -1
    for table_id, row_label, col_label, cell, scope_title in rows:
        if cell.indicator is None:
            continue
        n += 1
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
        ws.write_string(r, 7, ind.title or ind.id)
        text = (
            ("本年 − 上年：" if is_change else "")
            + definition(ind, defs, pack)
            + (f"。{ind.note}" if ind.note else "")
        )
        ws.write_string(r, 8, text)
        ws.write_string(r, 9, scope_title)
        fig = cell.figure
        ws.write_number(r, 10, fig.n_schools if fig is not None else 0)
        pointer = ""
        if n in sources.first:
            schools, cells = sources.count[n]
            pointer = f"{schools} 所学校、{cells} 个单元格" if schools else f"{cells} 个单元格"
        if n in sources.first and sources.elsewhere:  # the rows are in the CSV file
            pointer += f"（{sources.place(n)}）"
            ws.write_string(r, 11, pointer)
        elif n in sources.first:
            ws.write_url(
                r,
                11,
                f"internal:'{SOURCES_SHEET}'!A{sources.first[n] + 2}",
                fm.link,
                string=pointer,
                tip="到“来源”表中这个数字的第一行（按表号、行、列筛选即是全部来源）",
            )
        ws.write_string(r, 12, ind.id)
        texts = (row_label, col_label, ind.title, text, scope_title, pointer)
        widths = [_DATA_WIDTHS[i] for i in (1, 2, 7, 8, 9, 11)]
        fit_row(ws, r, list(zip(texts, widths, strict=True)))
        r += 1
    ws.autofilter(0, 0, max(r - 1, 1), len(head) - 1)
    ws.freeze_panes(1, 0)
    for i, w in enumerate(_DATA_WIDTHS):
        ws.set_column(i, i, w, fm.wrap_cell if i < 11 else None)
    ws.print_area(0, 0, max(r - 1, 1), _DATA_PRINTED - 1)
    page_setup(ws, _DATA_WIDTHS[:_DATA_PRINTED], 0)
    write_sources_sheet(wb, rows, sources, fm, names, Linker(base, links_from))


def write_quality_sheet(
    wb,
    issues: list[tuple[str, int | None, Issue]],
    fm: Formats,
    names: dict[str, str],
    base: Path | None = None,
    links_from: Path | None = None,
    rules: dict[str, str] | None = None,
) -> None:
    """Every finding, errors first, named in Chinese (its code in the last column, for
    filters and scripts); a finding's file links to the workbook it is about (opened at
    its sheet and cell) when that file is where the run read it (`base`), by a path
    relative to the summary workbook's folder (`links_from`)."""
    ws = wb.add_worksheet("数据质量")
    head = [
        "级别",
        "来源",
        "年度",
        "学校",
        "文件",
        "工作表",
        "单元格",
        "问题",
        "说明",
        "处理建议",
        "代码",
    ]
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
    link = Linker(base, links_from)
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
            code_title(i.code, rules),
            i.message,
            i.hint,
            i.code,
        ]
        ws.write_row(r, 0, values, fm.wrap)
        url = link(i.file, i.sheet, i.cell)
        if url:
            ws.write_url(
                r,
                4,
                url,
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
    ws.print_area(0, 0, max(len(rows), 1), _QUALITY_PRINTED - 1)
    page_setup(ws, _QUALITY_WIDTHS[:_QUALITY_PRINTED], 0)


def write_definitions(wb, report: Report, fm: Formats) -> None:
    """指标定义: every indicator by its name, unit, type and definition as a Chinese formula
    (its code in the last column), then the scopes and their conditions."""
    ws = wb.add_worksheet("指标定义")
    head = ["指标", "单位", "类型", "定义", "说明", "代码"]
    ws.write_row(0, 0, head, fm.header)
    defs, pack = report.engine.defs, report.engine.pack
    for r, ind in enumerate(defs.indicators.values(), 1):
        values = [
            ind.title or ind.id,
            ind.unit,
            display_title(ind.display),
            definition(ind, defs, pack),
            ind.note,
            ind.id,
        ]
        ws.write_row(r, 0, values, fm.wrap)
        fit_row(ws, r, list(zip(values, _DEFINITION_WIDTHS, strict=True)))
    r = len(defs.indicators) + 2
    ws.write_row(r, 0, ["口径", "学校数", "", "条件", "脚注", "代码"], fm.bold)
    for i, scope in enumerate(defs.scopes.values(), r + 1):
        n = report.engine.schools_in(scope.id).height
        values = [
            scope.title,
            f"{n} 所",
            "",
            conditions(scope.where, pack, defs) or "全部学校",
            report.scope_footnote(scope.id),
            scope.id,
        ]
        ws.write_row(i, 0, values, fm.wrap)
        fit_row(ws, i, list(zip(values, _DEFINITION_WIDTHS, strict=True)))
    for i, w in enumerate(_DEFINITION_WIDTHS):
        ws.set_column(i, i, w)
    ws.freeze_panes(1, 0)
    page_setup(ws, _DEFINITION_WIDTHS, 0)


def quality_rules(report: Report) -> dict[str, str]:
    """The check rules' titles, for the names of their findings."""
    return rule_titles(report.engine.defs)
