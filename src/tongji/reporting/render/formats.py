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
    """xlsxwriter's workbook, every worksheet of it safe (see `_SafeWorksheet`)."""

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


def write_shown(ws, r: int, c: int, shown: Shown, fm: Formats, is_change: bool = False) -> None:
    if shown.number is None and not shown.text:
        ws.write_blank(r, c, None, fm.number("General", is_change))
    elif shown.fmt == "@" or shown.number is None:
        ws.write_string(r, c, shown.text, fm.body_text if not is_change else fm.number("@", True))
    else:
        ws.write_number(r, c, shown.number, fm.number(shown.fmt, is_change))


def write_header(ws, top: int, stub: tuple[str, ...], columns: list[tuple[str, ...]], fm: Formats, widths: list[float] | None = None) -> int:
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


def page_setup(ws, n_cols: int, header_last_row: int) -> None:
    ws.set_paper(9)  # A4
    if n_cols > 8:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.repeat_rows(0, header_last_row)
    ws.center_horizontally()
