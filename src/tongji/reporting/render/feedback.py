"""A letter back to one school (xlsxwriter): 说明 (who, which year, what to do, whom to
ask), 需要核实的问题 (each problem with its file, sheet and cell, what was found and what to
do) and 本校主要数字 (the school's figures beside last year's); and the words it says to the
school about each kind of finding."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from ...findings import ERROR, SEVERITY_LABEL, Issue, kind_of
from .formats import Formats, SafeWorkbook, fit_row, page_setup, write_title

if TYPE_CHECKING:
    from ...config.mapping import Pack
    from ..feedback import Letter

_RESEND = "改正后重新报送。"
_AS_EXCEL = "请在 Excel 中打开，确认内容无误后另存为 .xlsx，重新报送。"
# What a school is asked to do, by code ({year} the year the finding is about, {dataset}
# the return's title). A code not here is asked in its finding's own words (the hint).
_ASK = {
    "file_not_read": "这个文件不是 Excel 报表（如 PDF、Word），无法读取。请报送 Excel 报表（.xlsx 或 .xls）。",
    "duplicate_file": "同一份报表报送了两次（常是备份副本），只读了其中一份。请确认哪一份是最新的，只报送这一份。",
    "empty_file": "文件是空的（0 字节）。请重新报送完整的报表。",
    "encrypted": "工作簿设有打开密码，无法读取。请去掉密码后重新报送。",
    "corrupt": "文件已损坏，无法打开。" + _AS_EXCEL,
    "not_workbook": "文件的内容不是 Excel 工作簿（扩展名与内容不符）。" + _AS_EXCEL,
    "html_as_excel": "文件实际是网页，只是扩展名为 Excel。" + _AS_EXCEL,
    "no_sheets": "工作簿中没有任何工作表。请重新报送完整的报表。",
    "garbled_text": "旧版 Excel 文件中的中文无法正确读取。" + _AS_EXCEL,
    "too_large": "文件大得异常，无法读取。" + _AS_EXCEL,
    "workbook_empty": "工作簿中没有填写了内容的工作表。请填写后重新报送。",
    "workbook_unmatched": "工作簿中没有认得出的报表（表式被改动，或不是要报的表）。请用统一下发的表式填报后重新报送。",
    "hidden_sheet_skipped": "这张工作表是隐藏的，没有读取（隐藏表常是旧版副本）。若它才是要报的数据，请取消隐藏并删去旧表；若不是，请删去这张隐藏表。然后重新报送。",
    "form_year_mismatch": "这张表是另一个年度的表式。请用 {year} 年的表式填报后重新报送。",
    "formula_recalc_needed": "工作簿中公式的结果可能没有更新。请在 Excel 中打开，确认数字无误后保存，重新报送。",
    "table_not_found": "表中找不到表头和数据行（表式被改动）。请按原表式填写，" + _RESEND,
    "field_not_found": "表中找不到这一项（表头或行标签被改动或删去）。请按原表式补齐这一项，"
    + _RESEND,
    "key_column_not_found": "表中找不到写明每行是什么（如专业大类）的一列。请按原表式补齐，"
    + _RESEND,
    "row_without_key": "这一行有数字，但没有写明是什么（如哪个专业大类）。请补上名称，" + _RESEND,
    "unknown_key": "这个名称或代码不是规定的取值（如专业目录中的专业大类）。请按规定改正，"
    + _RESEND,
    "catalogue_mismatch": "专业大类或专业代码用的是另一版专业目录。请按 {year} 年在用的专业目录填写。",
    "code_zero_restored": "代码存成了数字，丢了开头的 0。请把这一列设为文本，写全代码（如 010400）。",
    "duplicate_row": "同一条记录写了两次。请删去重复的一行，或合为一行，" + _RESEND,
    "bad_value": "这个单元格的内容不是可以识别的数字。请改为一个数字（不带文字、多余的符号），"
    + _RESEND,
    "unit_mismatch": "这里写的单位无法识别。请按表式的单位（如 万元、人）填写，" + _RESEND,
    "formula_no_cached_value": "单元格是公式，文件中没有保存计算结果。请在 Excel 中打开、确认数字无误后保存，重新报送。",
    "cell_error_value": "单元格是错误值（如 #DIV/0!）。请改正公式或直接填写数字，" + _RESEND,
    "value_out_of_range": "这个数字超出一般的范围。请核实：填错了的请改正；确实如此的请说明。",
    "total_mismatch": "合计行与各行之和不一致。请核对各行和合计行的数字，" + _RESEND,
    "copy_value_used": "同一数字在两份报表中报送，其中一处为空或无法识别。请确认哪一份是最新的，改正另一份。",
    "merged_over_value": "这一格被合并单元格覆盖，看不出它的数字。请取消合并，在每一格分别填写数字，"
    + _RESEND,
    "conflicting_value": "同一数字在两份报表中报送，且两处不一致，都没有采用。请确认哪一个正确，改正另一份。",
    "missing_return": "没有收到这份数据。请补报 {year} 年的“{dataset}”报表。",
    "field_not_returned": "报表中没有这一项。请按表式补报这一项。",
    "same_as_other_year": "这个文件与另一个年度的文件完全相同。请确认报送的是 {year} 年的报表。",
    "year_mismatch": "文件名、标题或填报日期写的是另一个年度。请确认这是 {year} 年的报表。",
    "probable_unit_error": "与上年相比约为 10、1000 或 10000 倍（或几分之一），像是单位填错（如元与万元）。请按表式的单位核实，"
    + _RESEND,
    "implausible_per_student": "按学生数折算不合理。请核实这个数字和它的单位，" + _RESEND,
    "check": "几个数字之间的关系不成立（见“发现的情况”）。请核对这些数字，" + _RESEND,
    "yoy": "与上年相比变化很大。请核实：数字有误的请改正；无误的请简要说明变化的原因。",
}


def file_name(path: str) -> str:
    """A return's file as the school knows it: its name, without the bureau's folders."""
    return PurePath(path.replace("\\", "/")).name if path else ""


def ask_of(item: Issue, year: int | None, pack: Pack) -> str:
    """What a school is asked to do about a finding, in words for the school."""
    family = item.code.partition(":")[0]
    text = _ASK.get(item.code) or _ASK.get(family)
    if text is None:
        return item.hint or (kind_of(item.code).description if _known(item.code) else "")
    dataset = pack.datasets[item.dataset].title if item.dataset in pack.datasets else "相关"
    return text.format(year=year or "", dataset=dataset)


def _known(code: str) -> bool:
    try:
        kind_of(code)
    except KeyError:  # a code of another tongji's run
        return False
    return True


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
