"""Rendering: the summary workbook (xlsxwriter), written whole or not at all.

Sheets: 说明, 要点, one per report table (laid out like the report: title, merged
multi-row header, 变化 row, scope and source footnotes), the charts, 数据质量, 数据 (one
row per published figure, with its definition and the cells it came from), 指标定义, and
one sheet per school and per 旗县区. Figures are numbers with number formats (8.2 shows
as `8.2:1`, a change as `↑1178`), so they can be summed in Excel.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

from .aggregate import BodyCell, BuiltTable, Report, Shown, change, expand, show
from .issues import SEVERITY_LABEL, Issue
from .store import atomic_path

FONT = "宋体"
MAX_CELL_TEXT = 32000
_CREATED = _dt.datetime(2000, 1, 1)  # fixed, so the same inputs give the same bytes
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def header_cells(paths: list[tuple[str, ...]], depth: int) -> list[tuple[int, int, int, int, str]]:
    """Merged header cells for columns with header paths: equal prefixes merge across; a
    path that ends early merges down to the last header row. (row0, col0, row1, col1, text),
    relative to the header block."""
    out = []
    n = len(paths)
    for level in range(depth):
        c = 0
        while c < n:
            path = paths[c]
            if level >= len(path):
                c += 1
                continue
            c2 = c
            while c2 + 1 < n and len(paths[c2 + 1]) > level and paths[c2 + 1][: level + 1] == path[: level + 1]:
                c2 += 1
            r1 = depth - 1 if level == len(path) - 1 else level
            out.append((level, c, r1, c2, path[level]))
            c = c2 + 1
    return out


def text_width(text: str) -> int:
    """Columns a text needs in Excel's units: a CJK character is about two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def sheet_name(text: str, taken: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub("_", text)[:31]
    name, i = base, 2
    while name.lower() in taken:
        suffix = f"({i})"
        name = base[: 31 - len(suffix)] + suffix
        i += 1
    taken.add(name.lower())
    return name


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook):
        self.wb = wb
        self._cache: dict[tuple, Any] = {}
        base = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
        self.title = wb.add_format({**base, "bold": True, "font_size": 14, "align": "center"})
        self.header = wb.add_format({**base, "bold": True, "align": "center", "text_wrap": True, "border": 1, "bg_color": "#F2F2F2"})
        self.stub = wb.add_format({**base, "align": "center", "text_wrap": True, "border": 1})
        self.text = wb.add_format({**base, "text_wrap": True, "border": 1})
        self.body_text = wb.add_format({**base, "text_wrap": True, "border": 1, "align": "center"})
        self.plain = wb.add_format({**base})
        self.wrap = wb.add_format({**base, "text_wrap": True, "valign": "top"})
        self.note = wb.add_format({**base, "font_size": 9, "italic": True})
        self.bold = wb.add_format({**base, "bold": True})
        self.base = base

    def number(self, fmt: str, change: bool = False) -> Any:
        key = (fmt, change)
        if key not in self._cache:
            props = {**self.base, "border": 1, "align": "center", "num_format": fmt}
            if change:
                props["bg_color"] = "#FFF8E1"
            self._cache[key] = self.wb.add_format(props)
        return self._cache[key]


def _write_shown(ws, r: int, c: int, shown: Shown, fm: _Formats, is_change: bool = False) -> None:
    if shown.number is None and not shown.text:
        ws.write_blank(r, c, None, fm.number("General", is_change))
    elif shown.fmt == "@" or shown.number is None:
        ws.write_string(r, c, shown.text, fm.body_text if not is_change else fm.number("@", True))
    else:
        ws.write_number(r, c, shown.number, fm.number(shown.fmt, is_change))


def _write_header(ws, top: int, stub: tuple[str, ...], columns: list[tuple[str, ...]], fm: _Formats, widths: list[float] | None = None) -> int:
    depth = max([len(p) for p in columns] + [1])
    if widths is not None:  # enough height for each header row's wrapped text
        lines = [1] * depth
        for r0, c0, r1, c1, text in header_cells(columns, depth):
            room = sum(widths[len(stub) + c0 : len(stub) + c1 + 1]) or 10
            need = -(-text_width(text) // max(int(room) - 1, 1))
            per_row = -(-need // (r1 - r0 + 1))
            for r in range(r0, r1 + 1):
                lines[r] = max(lines[r], per_row)
        for r, n in enumerate(lines):
            ws.set_row(top + r, 14 * n + 2)
    for i, label in enumerate(stub):
        if depth > 1:
            ws.merge_range(top, i, top + depth - 1, i, label, fm.header)
        else:
            ws.write(top, i, label, fm.header)
    for r0, c0, r1, c1, text in header_cells(columns, depth):
        c0, c1 = c0 + len(stub), c1 + len(stub)
        if (r0, c0) == (r1, c1):
            ws.write(top + r0, c0, text, fm.header)
        else:
            ws.merge_range(top + r0, c0, top + r1, c1, text, fm.header)
    return top + depth


def _page_setup(ws, n_cols: int, header_last_row: int) -> None:
    ws.set_paper(9)  # A4
    if n_cols > 8:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.repeat_rows(0, header_last_row)
    ws.center_horizontally()


def _column_widths(t: BuiltTable) -> list[float]:
    """Wide enough for the figures and the last header part, within bounds."""
    widths = [max([text_width(t.stub[i]) + 2] + [text_width(labels[i]) + 2 for labels, _ in t.rows if i < len(labels)] + [8]) for i in range(len(t.stub))]
    for j, col in enumerate(t.columns):
        texts = [cells[j].shown.text.split("\n")[0] for _, cells in t.rows if j < len(cells)]
        need = max([text_width(x) + 2 for x in texts] + [min(text_width(col[-1]) + 2, 14), 8])
        widths.append(min(need, 30))
    return [min(w, 30) for w in widths]


def write_table(wb, t: BuiltTable, fm: _Formats, name: str) -> None:
    ws = wb.add_worksheet(name)
    n_cols = len(t.stub) + len(t.columns)
    ws.merge_range(0, 0, 0, max(n_cols - 1, 1), t.title, fm.title)
    ws.set_row(0, 28)
    widths = _column_widths(t)
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    first = _write_header(ws, 2, t.stub, t.columns, fm, widths)
    r = first
    runs: list[tuple[int, int, str]] = []  # merge equal labels in the first stub column (表11)
    for labels, cells in t.rows:
        for i, label in enumerate(labels):
            ws.write_string(r, i, label, fm.stub)
        if runs and runs[-1][2] == labels[0] and len(labels) > 1:
            runs[-1] = (runs[-1][0], r, labels[0])
        else:
            runs.append((r, r, labels[0]))
        for j, cell in enumerate(cells):
            _write_shown(ws, r, len(t.stub) + j, cell.shown, fm, is_change=cell.prev is not None)
        if any("\n" in (c.shown.text or "") for c in cells):
            ws.set_row(r, 15 * (1 + max((c.shown.text or "").count("\n") for c in cells)))
        r += 1
    for r0, r1, label in runs:
        if r1 > r0:
            ws.merge_range(r0, 0, r1, 0, label, fm.stub)
    r += 1
    for note in t.footnotes:
        ws.merge_range(r, 0, r, max(n_cols - 1, 1), note, fm.note)
        r += 1
    ws.freeze_panes(first, len(t.stub))
    _page_setup(ws, n_cols, first - 1)


Published = tuple[str, str, str, BodyCell, str]  # table id, row, column, cell, scope title


def write_chart_sheet(wb, report: Report, chart, fm: _Formats, name: str) -> list[Published]:
    """A chart with the figures it plots beside it; returns the figures for the 数据 sheet."""
    eng = report.engine
    ws = wb.add_worksheet(name)
    ws.merge_range(0, 0, 0, 6, expand(chart.title, report.year, report.spec.region), fm.title)
    published: list[Published] = []
    scope_title = eng.defs.scopes[chart.scope].title
    if chart.series:  # one slice per series, this year
        ws.write_row(2, 0, ["类别", f"{report.year}年", "占比"], fm.header)
        figs = [eng.figure(s.indicator, report.year, chart.scope, eng.filters(s.filters)) for s in chart.series]
        total = sum(f.value or 0 for f in figs)
        for i, (s, fig) in enumerate(zip(chart.series, figs, strict=True)):
            cell = BodyCell(show(fig.indicator, fig.value), fig.indicator, report.year, fig, column=s.label)
            ws.write_string(3 + i, 0, s.label, fm.stub)
            _write_shown(ws, 3 + i, 1, cell.shown, fm)
            if fig.value is not None and total:
                ws.write_number(3 + i, 2, round(fig.value / total, 4), fm.number("0.00%"))
            published.append((chart.id, s.label, f"{report.year}年", cell, scope_title))
        n = len(chart.series)
        ch = wb.add_chart({"type": "pie"})
        ch.add_series({"name": chart.title, "categories": [name, 3, 0, 2 + n, 0], "values": [name, 3, 1, 2 + n, 1], "data_labels": {"percentage": True, "category": True, "leader_lines": True}})
    else:  # categories × years
        group = eng.defs.groups.get(chart.categories)
        cats = list(group.order) if group else list(eng.pack.dimensions[chart.categories].values)
        years = [report.prev, report.year] if chart.years == "both" else [report.year]
        ws.write_row(2, 0, ["类别", *[f"{y}年" for y in years]], fm.header)
        for i, cat in enumerate(cats):
            ws.write_string(3 + i, 0, cat, fm.stub)
            for j, y in enumerate(years):
                fig = eng.figure(chart.indicator, y, chart.scope, eng.filters(((chart.categories, cat),)))
                cell = BodyCell(show(fig.indicator, fig.value), fig.indicator, y, fig, column=f"{y}年")
                _write_shown(ws, 3 + i, 1 + j, cell.shown, fm)
                published.append((chart.id, cat, f"{y}年", cell, scope_title))
        n = len(cats)
        ch = wb.add_chart({"type": chart.type})
        for j in range(len(years)):
            ch.add_series({"name": [name, 2, 1 + j], "categories": [name, 3, 0, 2 + n, 0], "values": [name, 3, 1 + j, 2 + n, 1 + j], "data_labels": {"value": True}})
        ch.set_y_axis({"num_format": "0%" if chart.indicator and eng.defs.indicators[chart.indicator].display == "percent" else "General"})
    ch.set_title({"name": expand(chart.title, report.year, report.spec.region), "name_font": {"name": FONT, "size": 12}})
    ch.set_legend({"position": "bottom", "font": {"name": FONT}})
    ch.set_size({"width": 560, "height": 340})
    ws.insert_chart(2, 4, ch)
    ws.set_column(0, 0, 14)
    ws.set_column(1, 3, 12)
    _page_setup(ws, 12, 0)
    return published


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


def write_data_sheet(wb, rows: list[Published], report: Report, fm: _Formats, names: dict[str, str]) -> None:
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


def write_quality_sheet(wb, issues: list[tuple[str, int | None, Issue]], fm: _Formats, names: dict[str, str]) -> None:
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


MAX_PROFILE_SHEETS = 120  # beyond this, only the one-table views (a province has hundreds of schools)


def _profile_values(report: Report, by: str) -> dict[tuple[str, int], dict[str, float | None]]:
    eng, prof = report.engine, report.spec.profile
    assert prof is not None
    return {(iid, y): eng.grouped(iid, y, prof.scope, by) for iid in prof.indicators for y in (report.prev, report.year)}


def write_profile(wb, report: Report, title: str, key: str, values, city: dict[str, float | None], fm: _Formats, name: str) -> None:
    """One school's (or one 旗县区's) figures beside the city's."""
    prof = report.spec.profile
    assert prof is not None
    ws = wb.add_worksheet(name)
    ws.merge_range(0, 0, 0, 6, title, fm.title)
    head = ["指标", "单位", f"{report.prev}年", f"{report.year}年", "变化", f"全市{report.year}年", "占全市"]
    ws.write_row(2, 0, head, fm.header)
    for r, iid in enumerate(prof.indicators, 3):
        ind = report.engine.defs.indicators[iid]
        cur, prev, whole = values[(iid, report.year)].get(key), values[(iid, report.prev)].get(key), city[iid]
        ws.write_string(r, 0, ind.title, fm.text)
        ws.write_string(r, 1, ind.unit, fm.text)
        _write_shown(ws, r, 2, show(ind, prev), fm)
        _write_shown(ws, r, 3, show(ind, cur), fm)
        _write_shown(ws, r, 4, change(ind, cur, prev), fm, is_change=True)
        _write_shown(ws, r, 5, show(ind, whole), fm)
        share = None if ind.is_rate or not whole or cur is None else round(cur / whole, 4)
        _write_shown(ws, r, 6, Shown(share, "0.00%", "" if share is None else f"{share:.2%}"), fm)
    ws.set_column(0, 0, 26)
    ws.set_column(1, 6, 12)
    _page_setup(ws, 7, 2)


def write_profile_table(wb, report: Report, name: str, stub: tuple[str, ...], rows: list[tuple[str, tuple[str, ...]]], values, fm: _Formats) -> None:
    """Every school (or 旗县区) in one table: the profile's indicators this year and their change."""
    prof = report.spec.profile
    assert prof is not None
    inds = [report.engine.defs.indicators[i] for i in prof.indicators]
    columns = [path for ind in inds for path in ((f"{ind.title}（{ind.unit}）" if ind.unit else ind.title, f"{report.year}年"), (f"{ind.title}（{ind.unit}）" if ind.unit else ind.title, "变化"))]
    ws = wb.add_worksheet(name)
    ws.merge_range(0, 0, 0, 6, f"{name}（{report.year}年）", fm.title)
    widths = [14.0] * len(stub) + [10.0] * len(columns)
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    first = _write_header(ws, 2, stub, columns, fm, widths)
    for r, (key, labels) in enumerate(rows, first):
        for i, label in enumerate(labels):
            ws.write_string(r, i, label, fm.stub)
        for j, ind in enumerate(inds):
            cur, prev = values[(ind.id, report.year)].get(key), values[(ind.id, report.prev)].get(key)
            _write_shown(ws, r, len(stub) + 2 * j, show(ind, cur), fm)
            _write_shown(ws, r, len(stub) + 2 * j + 1, change(ind, cur, prev), fm, is_change=True)
    ws.freeze_panes(first, len(stub))
    ws.autofilter(first - 1, 0, first - 1 + len(rows), len(stub) + len(columns) - 1)
    _page_setup(ws, len(widths), first - 1)


def write_profiles(wb, report: Report, fm: _Formats, taken: set[str]) -> None:
    eng, prof = report.engine, report.spec.profile
    assert prof is not None
    roster = eng.facts.roster.sort("school_id")
    by_school, by_district = _profile_values(report, "school_id"), _profile_values(report, "district")
    city = {iid: eng.figure(iid, report.year, prof.scope).value for iid in prof.indicators}
    schools = [(r["school_id"], (r["school_id"], r["school_name"], r["district"] or "", r["school_type"] or "", r["sponsor"] or "")) for r in roster.iter_rows(named=True)]
    districts = sorted({r["district"] for r in roster.iter_rows(named=True) if r["district"]})
    write_profile_table(wb, report, sheet_name("各校主要指标", taken), ("学校代码", "学校", "旗县区", "办学类型", "举办者"), schools, by_school, fm)
    write_profile_table(wb, report, sheet_name("各旗县区主要指标", taken), ("旗县区",), [(d, (d,)) for d in districts], by_district, fm)
    if len(schools) + len(districts) > MAX_PROFILE_SHEETS:
        return
    for sid, (_, sname, *_rest) in schools:
        write_profile(wb, report, f"{sname}（{sid}）主要指标", sid, by_school, city, fm, sheet_name(sname, taken))
    for d in districts:
        write_profile(wb, report, f"{d}主要指标（辖区内学校合计）", d, by_district, city, fm, sheet_name(f"旗县区-{d}", taken))


def write_definitions(wb, report: Report, fm: _Formats) -> None:
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


def write_workbook(
    path: str | Path,
    report: Report,
    tables: list[BuiltTable],
    sentences: list[str],
    quality: list[tuple[str, int | None, Issue]],
    sources: list[str],
) -> None:
    """Write the summary workbook atomically."""
    eng = report.engine
    roster = eng.facts.roster
    names = dict(zip(roster["school_id"].to_list(), roster["school_name"].to_list(), strict=True))
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False})
        wb.set_properties({"title": expand(report.spec.title, report.year, report.spec.region), "author": "tongji", "created": _CREATED})
        fm = _Formats(wb)
        taken: set[str] = set()

        cover = wb.add_worksheet(sheet_name("说明", taken))
        lines = [
            (expand(report.spec.title, report.year, report.spec.region), fm.title),
            (f"年度：{report.year}（对比 {report.prev}）；数据来源：{report.spec.source}", fm.plain),
            ("提取结果：" + "；".join(sources), fm.wrap),
            (f"数据质量：错误 {sum(1 for q in quality if q[2].severity == 'error')} 个，警告 {sum(1 for q in quality if q[2].severity == 'warning')} 个，详见“数据质量”表。", fm.plain),
            ("每个数字的定义和来源单元格见“数据”表，指标与口径的定义见“指标定义”表。", fm.plain),
            ("各表中的“变化”= 本年 − 上年，按表中显示的数字计算；比率的变化以百分点计。", fm.plain),
        ]
        cover.set_column(0, 0, 100)
        for r, (text, f) in enumerate(lines):
            cover.write_string(r, 0, text, f)
            cover.set_row(r, 16 * max(1, -(-text_width(text) // 98)) + 4)
        _page_setup(cover, 1, 0)

        points = wb.add_worksheet(sheet_name("要点", taken))
        points.set_column(0, 0, 6)
        points.set_column(1, 1, 90)
        points.write_row(0, 0, ["序号", "要点（由数据生成，与各表一致）"], fm.header)
        for i, sentence in enumerate(sentences, 1):
            points.write_number(i, 0, i, fm.wrap)
            points.write_string(i, 1, sentence, fm.wrap)
            points.set_row(i, 16 * max(1, -(-text_width(sentence) // 88)) + 4)
        _page_setup(points, 2, 0)

        published: list[Published] = []
        for t in tables:
            write_table(wb, t, fm, sheet_name(t.spec.id, taken))
            for labels, cells in t.rows:
                for col, cell in zip(t.columns, cells, strict=False):
                    published.append((t.spec.id, "/".join(x for x in labels if x), "/".join(col), cell, t.scope_title))
        for chart in report.spec.charts:
            published += write_chart_sheet(wb, report, chart, fm, sheet_name(chart.id, taken))

        write_quality_sheet(wb, quality, fm, names)
        taken.add("数据质量")
        write_data_sheet(wb, published, report, fm, names)
        taken.add("数据")
        write_definitions(wb, report, fm)
        taken.add("指标定义")

        if report.spec.profile is not None:
            write_profiles(wb, report, fm, taken)
        wb.close()


def quality_rows(facts_issues: list[tuple[int, Issue]], checks: list[Issue], year: int) -> list[tuple[str, int | None, Issue]]:
    return [("提取", y, i) for y, i in facts_issues] + [("核对", year, i) for i in checks]


