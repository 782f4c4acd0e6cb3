"""The facts of a sheet and of a workbook, and what every format's reader shares."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SheetFacts:
    hidden_rows: frozenset[int] = frozenset()  # 0-based, as calamine's row indices
    hidden_cols: frozenset[int] = frozenset()
    # (first_row, first_col, last_row, last_col), 0-based and inclusive; only for .ods
    # (None: not given here, calamine's merged_cell_ranges are used)
    merges: tuple[tuple[int, int, int, int], ...] | None = None
    formulas: frozenset[tuple[int, int]] = frozenset()  # (row, col) of cells holding a formula


EMPTY = SheetFacts()


@dataclass(frozen=True)
class WorkbookFacts:
    sheets: dict[str, SheetFacts] = field(default_factory=dict)  # by sheet name
    # xlsx: <calcPr fullCalcOnLoad="1"/> (XlsxWriter always writes it, openpyxl unless told
    # not to): the stored formula results may be 0 or stale
    recalc_on_open: bool = False

    def sheet(self, name: str) -> SheetFacts:
        """The facts of a sheet, empty ones for a sheet not known here."""
        return self.sheets.get(name, EMPTY)


_MAX_CELLS = 2_000_000
_MAX_PART = 200 * 2**20  # an xlsx part or content.xml larger than this, unzipped, is not read
_EXCEL_LAST_COL = 16383  # XFD
