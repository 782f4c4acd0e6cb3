"""A letter back to one school (xlsxwriter): 说明 (who, which year, what to do, whom to
ask), 需要核实的问题 (each problem with its file, sheet and cell, what was found and what to
do) and 本校主要数字 (the school's figures beside last year's)."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import TYPE_CHECKING

from ...findings import ERROR, SEVERITY_LABEL
from .formats import Formats, SafeWorkbook, fit_row, page_setup, write_title

if TYPE_CHECKING:
    from ..feedback import Letter

_CREATED = _dt.datetime(2000, 1, 1)  # fixed, as the summary workbook's
_PROBLEM_WIDTHS = [5.0, 6.0, 6.0, 26.0, 14.0, 8.0, 40.0, 40.0]
_FIGURE_WIDTHS = [14.0, 20.0, 18.0, 7.0, 11.0, 11.0, 10.0, 30.0, 8.0]
NONE = "—"


def write_letter(path: str | Path, letter: Letter) -> None:
    """Write the letter's workbook to `path` (the caller makes it atomic)."""
    wb = SafeWorkbook(
        str(path),
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    wb.set_properties(
        {
            "title": f"{letter.name}{letter.year}年报表问题反馈",
            "author": "tongji",
            "created": _CREATED,
        }
    )
    fm = Formats(wb)
    _cover(wb, letter, fm)
    marks = _problems(wb, letter, fm)
    _figures(wb, letter, fm, marks)
    wb.close()


def _cover(wb, letter: Letter, fm: Formats) -> None:
    bureau = f"{letter.region}教育局" if letter.region else "市教育局"
    errors = sum(p.issue.severity == ERROR for p in letter.problems)
    warnings = len(letter.problems) - errors
    counted = "，".join(
        x
        for x in (f"错误 {errors} 个" if errors else "", f"警告 {warnings} 个" if warnings else "")
        if x
    )
    lines = [
        f"学校名称：{letter.name}（学校代码 {letter.school_id}）",
        f"年度：{letter.year} 年（与 {letter.year - 1} 年对比）",
        f"生成日期：{letter.date:%Y年%m月%d日}".replace("年0", "年").replace("月0", "月"),
        "",
        f"{bureau}在汇总各校报来的 {letter.year} 年教育统计报表时，发现贵校的报表有 "
        f"{len(letter.problems)} 个问题需要核实（{counted}），逐条列在“需要核实的问题”表中：每一条写明了"
        "文件、工作表和单元格，发现的情况，以及应当怎样处理。",
        "“错误”的数字没有采用，汇总中暂缺，请一定改正；“警告”请核实，有误的改正，无误的请简要说明。",
        "请在原来的报表中改正，把改好的报表重新报送；不必改动本工作簿。",
        "“本校主要数字”表列出贵校报来的数字和上年的数字，请一并核对。",
        "",
        "联系：" + (letter.contact or f"{bureau}负责教育统计的同志"),
    ]
    ws = wb.add_worksheet("说明")
    widths = [90.0]
    ws.set_column(0, 0, widths[0])
    write_title(ws, 0, f"{letter.name} {letter.year} 年报表问题反馈", widths, fm)
    for r, text in enumerate(lines, 1):
        ws.write_string(r, 0, text, fm.wrap)
        fit_row(ws, r, [(text, widths[0])])
    page_setup(ws, widths, None)
    ws.activate()


def _problems(wb, letter: Letter, fm: Formats) -> dict[tuple[str, str, str], list[int]]:
    """The problems, one a row; returns the row numbers (序号) by (file, sheet, cell)."""
    from ..feedback import file_name

    ws = wb.add_worksheet("需要核实的问题")
    head = ["序号", "级别", "年度", "文件", "工作表", "单元格", "发现的情况", "应当是 / 请怎样处理"]
    widths = _PROBLEM_WIDTHS
    write_title(ws, 0, f"{letter.name} {letter.year} 年报表需要核实的问题", widths, fm)
    ws.write_row(1, 0, head, fm.header)
    marks: dict[tuple[str, str, str], list[int]] = {}
    for n, p in enumerate(letter.problems, 1):
        i = p.issue
        file = file_name(i.file)
        if not file:
            file = "（没有收到报表）" if i.code == "missing_return" else NONE
        values = [
            str(n),
            SEVERITY_LABEL.get(i.severity, i.severity),
            str(p.year or ""),
            file,
            i.sheet or NONE,
            i.cell or NONE,
            i.message,
            p.ask,
        ]
        r = n + 1
        ws.write_number(r, 0, n, fm.stub)
        for c, v in enumerate(values[1:], 1):
            ws.write_string(r, c, v, fm.text if c >= 3 else fm.stub)
        fit_row(ws, r, list(zip(values, widths, strict=True)))
        if i.file and i.cell:
            marks.setdefault((i.file, i.sheet, i.cell), []).append(n)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ws.freeze_panes(2, 0)
    page_setup(ws, widths, 1)
    return marks


def _number(fm: Formats, value: float, change: bool = False):
    whole = float(value).is_integer()
    if change:
        return fm.number("+#,##0;-#,##0;0" if whole else "+#,##0.00;-#,##0.00;0", True)
    return fm.number("#,##0" if whole else "#,##0.00")


def _figures(wb, letter: Letter, fm: Formats, marks: dict[tuple[str, str, str], list[int]]) -> None:
    ws = wb.add_worksheet("本校主要数字")
    y, prev = letter.year, letter.year - 1
    head = [
        "报表",
        "项目",
        "指标",
        "单位",
        f"{y}年",
        f"{prev}年",
        "变化",
        f"来源（{y}年）",
        "问题序号",
    ]
    widths = _FIGURE_WIDTHS
    write_title(ws, 0, f"{letter.name} 报来的数字（{y} 年与 {prev} 年）", widths, fm)
    ws.write_row(1, 0, head, fm.header)
    for r, f in enumerate(letter.figures, 2):
        for c, text in enumerate((f.dataset, f.item, f.field, f.unit)):
            ws.write_string(r, c, text, fm.text)
        for c, value in ((4, f.this), (5, f.last)):
            if value is None:
                ws.write_string(r, c, NONE, fm.body_text)
            else:
                ws.write_number(r, c, value, _number(fm, value))
        if f.this is not None and f.last is not None:
            change = round(f.this - f.last, 6)
            ws.write_number(r, 6, change, _number(fm, change, True))
        else:
            ws.write_blank(r, 6, None, fm.number("General", True))
        ws.write_string(r, 7, f.source, fm.text)
        seen = sorted({n for cell in f.cells for n in marks.get(cell, [])})
        ws.write_string(r, 8, "、".join(map(str, seen)), fm.body_text)
        fit_row(ws, r, [(f.dataset, widths[0]), (f.item, widths[1]), (f.field, widths[2])])
    if not letter.figures:
        ws.write_string(2, 0, "没有读到贵校报来的数字。", fm.plain)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ws.freeze_panes(2, 0)
    ws.autofilter(1, 0, max(len(letter.figures) + 1, 2), len(head) - 1)
    page_setup(ws, widths, 1)
