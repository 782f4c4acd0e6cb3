"""`.ods`: content.xml through expat, positions counted with the repeat attributes."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from xml.parsers import expat

from .base import _MAX_CELLS, _MAX_PART, EMPTY, SheetFacts, WorkbookFacts

# ---------------------------------------------------------------- ods

_TABLE = "table:table"
_ROW_EL = "table:table-row"
_COL_EL = "table:table-column"
_CELLS = ("table:table-cell", "table:covered-table-cell")
_HIDDEN_VISIBILITY = ("collapse", "filter")


class _OdsSheet:
    """What is gathered of one table while content.xml is read."""

    __slots__ = (
        "name", "row", "next_row", "row_repeats", "col", "next_col_el",
        "hidden_rows", "hidden_cols", "merges", "formulas", "last_row", "width", "cells",
    )  # fmt: skip

    def __init__(self, name: str):
        self.name = name
        self.row = -1  # the current row element's first row
        self.next_row = 0
        self.row_repeats = 1
        self.col = 0  # the next cell's column in the current row
        self.next_col_el = 0  # the next table-column element's first column
        self.hidden_rows: list[tuple[int, int]] = []
        self.hidden_cols: list[tuple[int, int]] = []
        self.merges: list[tuple[int, int, int, int]] = []
        self.formulas: set[tuple[int, int]] = set()
        self.last_row = -1  # the last row, and the columns, with a cell that holds something
        self.width = 0
        self.cells = 0  # positions counted one by one (formulas, merges)

    def facts(self) -> SheetFacts:
        def clip(ranges: list[tuple[int, int]], last: int) -> frozenset[int]:
            return frozenset(i for a, b in ranges for i in range(a, min(b, last) + 1))

        return SheetFacts(
            clip(self.hidden_rows, self.last_row),
            clip(self.hidden_cols, self.width - 1),
            tuple(self.merges),
            frozenset(self.formulas),
        )


def _count(value: str) -> int:
    """A repeat or span count: a whole number, at least 1."""
    n = int(value)
    if n < 1:
        raise ValueError(f"a count of {value}")
    return n


def _ods_workbook(data: bytes) -> WorkbookFacts:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo("content.xml")
        if info.file_size > _MAX_PART:
            return WorkbookFacts({})
        sheets: dict[str, SheetFacts] = {}
        with z.open(info) as f:
            _parse_ods(f.read, sheets)
    return WorkbookFacts(sheets)


def _parse_ods(read: Callable[[int], bytes], sheets: dict[str, SheetFacts]) -> None:
    """Fill `sheets` from content.xml as it is read. A table that cannot be read gets empty
    facts; the tables read before it keep theirs; one cut off by broken XML gets none."""
    parser = expat.ParserCreate()  # no namespace processing: calamine matches the prefixes too
    sheet: _OdsSheet | None = None
    skip = 0  # depth inside what is not looked into (a cell's content, a broken table)

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal sheet, skip
        if skip:
            skip += 1
            return
        if sheet is None:
            if name == _TABLE and "table:name" in attrs:
                sheet = _OdsSheet(attrs["table:name"])
            return
        try:
            if name in _CELLS:  # the common case here, the rare one in _ods_cell
                skip = 1
                repeated = attrs.get("table:number-columns-repeated")
                n = _count(repeated) if repeated else 1
                col = sheet.col
                sheet.col = col + n
                if "office:value-type" in attrs or "table:formula" in attrs:
                    sheet.last_row = sheet.next_row - 1
                    if col + n > sheet.width:
                        sheet.width = col + n
                if (
                    "table:formula" in attrs
                    or "table:number-columns-spanned" in attrs
                    or "table:number-rows-spanned" in attrs
                ):
                    _ods_cell(sheet, name, attrs, col, n)
            elif name == _ROW_EL:
                n = _count(attrs.get("table:number-rows-repeated", "1"))
                sheet.row, sheet.next_row, sheet.row_repeats, sheet.col = (
                    sheet.next_row, sheet.next_row + n, n, 0
                )  # fmt: skip
                if attrs.get("table:visibility") in _HIDDEN_VISIBILITY:
                    sheet.hidden_rows.append((sheet.row, sheet.next_row - 1))
            elif name == _COL_EL:
                n = _count(attrs.get("table:number-columns-repeated", "1"))
                first, sheet.next_col_el = sheet.next_col_el, sheet.next_col_el + n
                if attrs.get("table:visibility") in _HIDDEN_VISIBILITY:
                    sheet.hidden_cols.append((first, sheet.next_col_el - 1))
            elif name == _TABLE:  # a table inside the table, outside any cell: not calamine's
                skip = 1
        except (ValueError, OverflowError):
            sheets[sheet.name] = EMPTY
            sheet, skip = None, 1  # the rest of the table is not looked into

    def end(name: str) -> None:
        nonlocal sheet, skip
        if skip:
            skip -= 1
        elif sheet is not None and name == _TABLE:
            sheets[sheet.name] = sheet.facts()
            sheet = None

    def no_dtd(*_: object) -> None:
        raise ValueError("a DTD in content.xml")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    parser.buffer_text = True
    try:
        while chunk := read(1 << 20):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except (expat.ExpatError, ValueError):
        pass


def _ods_cell(sheet: _OdsSheet, name: str, attrs: dict[str, str], col: int, n: int) -> None:
    """A cell (repeated `n` times from `col`) that holds a formula or spans others."""
    row, rows = sheet.row, sheet.row_repeats
    if row < 0:
        raise ValueError("a cell outside a row")
    sheet.cells += rows * n
    if sheet.cells > _MAX_CELLS:
        raise ValueError("too many repeated cells")
    if "table:formula" in attrs:
        sheet.formulas.update((r, c) for r in range(row, row + rows) for c in range(col, col + n))
    if name == "table:table-cell":  # a covered cell's spans mean nothing
        across = _count(attrs.get("table:number-columns-spanned", "1"))
        down = _count(attrs.get("table:number-rows-spanned", "1"))
        if across > 1 or down > 1:
            sheet.merges.extend(
                (r, c, r + down - 1, c + across - 1)
                for r in range(row, row + rows)
                for c in range(col, col + n)
            )
