"""What every sheet of the summary workbook shares: cell formats, header blocks of merged
cells from header paths, text widths for Chinese, sheet names Excel accepts, page setup."""

from __future__ import annotations

import re
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from ..display import Shown

FONT = "宋体"
MAX_CELL_TEXT = 32000
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
# Characters XML 1.0 cannot hold (a control character in a school's name, a surrogate from
# an undecodable file name): written as they are, they make the workbook unreadable.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _NOT_IN_XML.sub(lambda m: "\ufffd" if "\ud800" <= m.group() <= "\udfff" else "", text)


class _SafeWorksheet(Worksheet):
    """A worksheet that never writes a character XML cannot hold."""

    def _write_string(self, row: int, col: int, string: str, cell_format: Any = None) -> Any:
        return super()._write_string(row, col, xml_safe(string), cell_format)


class SafeWorkbook(xlsxwriter.Workbook):
    """xlsxwriter's workbook, every worksheet of it safe (see `_SafeWorksheet`). Its default
    font is the tables' (宋体 10): column widths are measured in its digits, so a width
    means the same share of a page in the tables as in the workbook's defaults."""

    def __init__(self, filename: str, options: dict | None = None):
        options = {
            "default_format_properties": {"font_name": FONT, "font_size": 10},
            **(options or {}),
        }
        super().__init__(filename, options)

    def add_worksheet(self, name: str | None = None, worksheet_class: Any = None) -> Any:
        return super().add_worksheet(name, worksheet_class or _SafeWorksheet)


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
            while (
                c2 + 1 < n
                and len(paths[c2 + 1]) > level
                and paths[c2 + 1][: level + 1] == path[: level + 1]
            ):
                c2 += 1
            r1 = depth - 1 if level == len(path) - 1 else level
            out.append((level, c, r1, c2, path[level]))
            c = c2 + 1
    return out


def text_width(text: str) -> int:
    """Columns a text needs in Excel's units: a CJK character is about two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


# Points a line of text takes, by font size; Excel's tallest row.
LINE_POINTS = {9: 12.5, 10: 14.0, 14: 20.0}
MAX_ROW_POINTS = 409.0
# Column units across an A4 page inside the margins set below, at 100%. Excel with 宋体 fits
# about 92 and 140; LibreOffice without the Chinese fonts measures a unit wider (about 76
# and 114), and a page must print legibly there too: the narrower figures are the budget.
PORTRAIT_UNITS = 76
LANDSCAPE_UNITS = 114
# Fitting a sheet one page wide shrinks it; below this its 10-point text prints under 8
# points, and the sheet goes on A3 instead (a long listing, never a report table).
MIN_SCALE = 0.8


def wrapped_lines(text: str, width: float, font_size: int = 10) -> int:
    """How many lines a text wraps to in a column (or merged range) `width` units wide."""
    room = max(width - 1.0, 1.0) * 10 / font_size  # a larger font fits fewer characters
    return sum(
        max(1, -(-text_width(part) // max(int(room), 1))) for part in (text or "").split("\n")
    )


def row_points(lines: int, font_size: int = 10) -> float:
    return min(MAX_ROW_POINTS, lines * LINE_POINTS[font_size] + 4)


def fit_row(ws, row: int, cells: list[tuple[str, float]], font_size: int = 10) -> None:
    """A row high enough for the wrapped text of its cells ((text, width) each)."""
    lines = max([wrapped_lines(t, w, font_size) for t, w in cells if t] + [1])
    if lines > 1:
        ws.set_row(row, row_points(lines, font_size))


def write_title(ws, row: int, text: str, widths: list[float], fm: Formats) -> None:
    """A title merged across the sheet's columns, on as many lines as it needs."""
    last = max(len(widths) - 1, 1)
    ws.merge_range(row, 0, row, last, text, fm.title)
    span = sum(widths) if len(widths) > 1 else sum(widths) + 8.43
    ws.set_row(row, row_points(wrapped_lines(text, span, 14), 14) + 6)


def write_note(ws, row: int, text: str, widths: list[float], fm: Formats) -> None:
    """A footnote merged across the table's columns, wrapped."""
    ws.merge_range(row, 0, row, max(len(widths) - 1, 1), text, fm.note)
    fit_row(ws, row, [(text, sum(widths))])


def sheet_name(text: str, taken: set[str]) -> str:
    """A sheet name Excel accepts, unique in the workbook: no [ ] : * ? / \\, no control
    characters, not starting or ending with an apostrophe, at most 31 characters."""
    base = _BAD_SHEET_CHARS.sub("_", xml_safe(text)).strip("'").strip() or "工作表"
    base = base[:31].strip("'") or "工作表"
    name, i = base, 2
    while name.lower() in taken:
        suffix = f"({i})"
        name = base[: 31 - len(suffix)] + suffix
        i += 1
    taken.add(name.lower())
    return name


class Formats:
    def __init__(self, wb: xlsxwriter.Workbook):
        self.wb = wb
        self._cache: dict[tuple, Any] = {}
        base = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
        self.title = wb.add_format(
            {**base, "bold": True, "font_size": 14, "align": "center", "text_wrap": True}
        )
        self.header = wb.add_format(
            {
                **base,
                "bold": True,
                "align": "center",
                "text_wrap": True,
                "border": 1,
                "bg_color": "#F2F2F2",
            }
        )
        self.stub = wb.add_format({**base, "align": "center", "text_wrap": True, "border": 1})
        self.text = wb.add_format({**base, "text_wrap": True, "border": 1})
        self.body_text = wb.add_format({**base, "text_wrap": True, "border": 1, "align": "center"})
        self.plain = wb.add_format({**base})
        self.wrap = wb.add_format({**base, "text_wrap": True, "valign": "top"})
        self.wrap_cell = wb.add_format(
            {**base, "text_wrap": True, "valign": "top"}
        )  # a column's default
        # notes in the body's size: a table fitted to a page shrinks them with it
        self.note = wb.add_format({**base, "italic": True, "text_wrap": True})
        self.link = wb.add_format(
            {**base, "text_wrap": True, "valign": "top", "font_color": "blue", "underline": 1}
        )
        self.bold = wb.add_format({**base, "bold": True})
        self.stub_bold = wb.add_format(
            {**base, "align": "center", "text_wrap": True, "border": 1, "bold": True}
        )
        self.base = base

    def number(self, fmt: str, change: bool = False, bold: bool = False) -> Any:
        key = (fmt, change, bold)
        if key not in self._cache:
            props = {**self.base, "border": 1, "align": "center", "num_format": fmt}
            if change:
                props["bg_color"] = "#FFF8E1"
            if bold:
                props["bold"] = True
            self._cache[key] = self.wb.add_format(props)
        return self._cache[key]


def write_shown(
    ws, r: int, c: int, shown: Shown, fm: Formats, is_change: bool = False, bold: bool = False
) -> None:
    """A published figure; `bold` in a 合计 row."""
    if shown.number is None and not shown.text:
        ws.write_blank(r, c, None, fm.number("General", is_change, bold))
    elif shown.fmt == "@" or shown.number is None:
        plain = not is_change and not bold
        ws.write_string(
            r, c, shown.text, fm.body_text if plain else fm.number("@", is_change, bold)
        )
    else:
        ws.write_number(r, c, shown.number, fm.number(shown.fmt, is_change, bold))


def unit_on_own_line(text: str, width: float) -> str:
    """`平均宽带\n（Mbps）`: a label that wraps breaks before its bracketed unit, which
    then stays whole on a line of its own (not `平均宽带（` over `Mbps）`)."""
    at = text.rfind("（")
    if at <= 0 or "\n" in text or not text.endswith("）") or wrapped_lines(text, width) < 2:
        return text
    return text[:at] + "\n" + text[at:]


def write_header(
    ws,
    top: int,
    stub: tuple[str, ...],
    columns: list[tuple[str, ...]],
    fm: Formats,
    widths: list[float] | None = None,
) -> int:
    depth = max([len(p) for p in columns] + [1])
    if widths is not None:  # enough height for each header row's wrapped text
        lines = [1] * depth
        for r0, c0, r1, c1, text in header_cells(columns, depth):
            span = sum(widths[len(stub) + c0 : len(stub) + c1 + 1]) or 10
            need = wrapped_lines(unit_on_own_line(text, span), span)
            per_row = -(-need // (r1 - r0 + 1))
            for r in range(r0, r1 + 1):
                lines[r] = max(lines[r], per_row)
        for i, label in enumerate(stub):  # a stub label spans every header row
            need = wrapped_lines(label, widths[i])
            for r in range(depth):
                lines[r] = max(lines[r], -(-need // depth))
        for r, n in enumerate(lines):
            ws.set_row(top + r, row_points(n))
    for i, label in enumerate(stub):
        if depth > 1:
            ws.merge_range(top, i, top + depth - 1, i, label, fm.header)
        else:
            ws.write(top, i, label, fm.header)
    for r0, c0, r1, c1, text in header_cells(columns, depth):
        c0, c1 = c0 + len(stub), c1 + len(stub)
        if widths is not None:
            text = unit_on_own_line(text, sum(widths[c0 : c1 + 1]) or 10)
        if (r0, c0) == (r1, c1):
            ws.write(top + r0, c0, text, fm.header)
        else:
            ws.merge_range(top + r0, c0, top + r1, c1, text, fm.header)
    return top + depth


def page_setup(
    ws,
    widths: list[float],
    header_last_row: int | None,
    breaks: list[int] | None = None,
    repeat: int = 0,
) -> None:
    """A4, landscape when the columns are wider than a portrait page, one page wide (as
    many pages long as it takes), the header rows repeated on every page. A sheet too
    wide to print one page wide at 80% or more goes on A3 landscape.

    `breaks`: a wide table printed at 100% in groups of columns instead: a new page starts
    at each of these columns, and every later page repeats the first `repeat` columns."""
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    if header_last_row is not None:
        ws.repeat_rows(0, header_last_row)
    ws.center_horizontally()
    ws.set_paper(9)  # A4
    if breaks:
        bounds = [0, *breaks, len(widths)]
        pages = [
            sum(widths[a:b]) + (sum(widths[:repeat]) if a else 0)
            for a, b in zip(bounds, bounds[1:], strict=False)
        ]
        if max(pages) > PORTRAIT_UNITS:
            ws.set_landscape()
        ws.set_print_scale(100)
        if repeat:
            ws.repeat_columns(0, repeat - 1)
        ws.set_v_pagebreaks(breaks)
        return
    total = sum(widths)
    if total > LANDSCAPE_UNITS / MIN_SCALE:
        ws.set_paper(8)  # A3
        ws.set_landscape()
    elif total > PORTRAIT_UNITS:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
