"""The sheet as tongji sees it: the export's own grid labels blanked out, merged cells
filled, and the labels of key–value forms found by their text.

The national client's exports draw their own grid labels (a row `A B C …`, a column
`1 2 3 …`); they are recognised here and ignored everywhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ..words.labels import label_keys
from ..words.units import units_in_sheet_text
from .clean import normalize_text, unit_in_label
from .read import Sheet

_COLON_RE = re.compile(r"[:：]")


def _letters_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


_NOT_LOCATED = object()


class SheetView:
    """A sheet with the export's grid labels blanked out and merged cells filled."""

    def __init__(self, sheet: Sheet, grid: tuple[int | None, int | None] | None = None):
        self.sheet = sheet
        if grid is None:
            self.grid_row = self._find_letters_row()
            self.grid_col = self._find_numbers_col()
        else:  # a table's window onto a sheet: the sheet's grid labels
            self.grid_row, self.grid_col = grid
        self.located: object = _NOT_LOCATED  # the sheet's table, once locate_table worked it out
        self.tables: Any = None  # the sheet's tables (tables.SheetTables), once worked out
        self.tables_with_hidden: Any = None  # … with its hidden rows and columns as data

    def _find_letters_row(self) -> int | None:
        for r in range(min(3, self.sheet.n_rows)):
            cells = [
                (c, normalize_text(v))
                for c, v in enumerate(self.sheet.rows[r])
                if v not in ("", None)
            ]
            if len(cells) < 3:
                continue
            # letters A, B, C … in consecutive columns, possibly shifted right by the numbers column
            offsets: dict[int, int] = {}
            for c, t in cells:
                if len(t) <= 2 and t.isascii() and t.isalpha() and t.isupper():
                    off = _letters_index(t) - c
                    offsets[off] = offsets.get(off, 0) + 1
            if offsets and max(offsets.values()) >= 0.8 * len(cells):
                return r
        return None

    def _find_numbers_col(self) -> int | None:
        start = 0 if self.grid_row is None else self.grid_row + 1
        span = self.sheet.n_rows - start
        if span < 5:
            return None
        rows = self.sheet.rows[start:]
        enough = 0.8 * span
        for c in range(min(2, self.sheet.n_cols)):
            offsets: dict[int, int] = {}
            missing = 0
            for r, row in enumerate(rows, start):
                v = row[c] if c < len(row) else None
                if (
                    isinstance(v, (int, float))
                    and not isinstance(v, bool)
                    and float(v).is_integer()
                ):
                    offsets[int(v) - r] = offsets.get(int(v) - r, 0) + 1
                else:
                    missing += 1
                    if span - missing < enough:  # too few numbers left to be the column
                        break
            if offsets and max(offsets.values()) >= enough:
                return c
        return None

    def raw(self, r: int, c: int) -> Any:
        if r == self.grid_row or c == self.grid_col:
            return None
        return self.sheet.cell(r, c)

    def filled(self, r: int, c: int) -> Any:
        row = self.filled_row(r)
        return row[c] if 0 <= c < len(row) else None

    def filled_row(self, r: int) -> list[Any]:
        """Row `r` with merged ranges filled in and grid labels blanked (None for empty),
        computed once per row."""
        cache = self._filled_cache
        if r not in cache:
            n = self.sheet.n_cols
            if r == self.grid_row or not 0 <= r < self.sheet.n_rows:
                row: list[Any] = [None] * n
            else:
                raw = self.sheet.rows[r]
                row = [None if v == "" else v for v in raw] + [None] * (n - len(raw))
                for m in self._merges_by_row.get(r, ()):
                    v = self.sheet.cell(m.first_row, m.first_col)
                    for c in range(m.first_col, min(m.last_col, n - 1) + 1):
                        row[c] = v
                if self.grid_col is not None and self.grid_col < n:
                    row[self.grid_col] = None
            cache[r] = row
        return cache[r]

    @cached_property
    def _filled_cache(self) -> dict[int, list[Any]]:
        return {}

    @cached_property
    def _merges_by_row(self) -> dict[int, list]:
        out: dict[int, list] = {}
        for m in self.sheet.merges:
            for r in range(m.first_row, min(m.last_row, self.sheet.n_rows - 1) + 1):
                out.setdefault(r, []).append(m)
        return out

    def row_values(self, r: int) -> list[tuple[int, Any]]:
        """The non-empty cells of a row, grid labels left out (computed once per row)."""
        cache = self._row_cache
        if r not in cache:
            if r == self.grid_row or not 0 <= r < self.sheet.n_rows:
                cache[r] = []
            else:
                gc = self.grid_col
                cache[r] = [
                    (c, v)
                    for c, v in enumerate(self.sheet.rows[r])
                    if v != "" and v is not None and c != gc
                ]
        return cache[r]

    @cached_property
    def _row_cache(self) -> dict[int, list[tuple[int, Any]]]:
        return {}

    @cached_property
    def unit_lines(self) -> dict[int, tuple[str, ...]]:
        """Rows with a `单位：` cell → the units they declare (worked out once a sheet)."""
        out: dict[int, tuple[str, ...]] = {}
        for r in range(self.sheet.n_rows):
            found: list[str] = []
            for _, v in self.row_values(r):
                if isinstance(v, str) and "单位" in v:
                    found += [u for u in units_in_sheet_text(v) if u not in found]
            if found:
                out[r] = tuple(found)
        return out

    def blank_formulas(self, r: int) -> list[int]:
        """The columns of row `r` holding a formula whose result was not stored (they read
        as blank): figures all the same, when telling a header from data."""
        by_row = self._blank_formulas
        return by_row.get(r, []) if by_row else []

    @cached_property
    def _blank_formulas(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for r, c in self.sheet.formulas:
            if self.sheet.cell(r, c) is None and r != self.grid_row and c != self.grid_col:
                out.setdefault(r, []).append(c)
        return out

    def blank_column(self, c: int) -> bool:
        """Whether column `c` holds nothing in any row (a spacer between labels and values)."""
        filled = self._filled_columns
        return c not in filled

    @cached_property
    def _filled_columns(self) -> frozenset[int]:
        return frozenset(c for r in range(self.sheet.n_rows) for c, _ in self.row_values(r))

    @cached_property
    def label_index(
        self,
    ) -> tuple[dict[str, list[tuple[int, int]]], dict[str, list[tuple[int, int]]]]:
        """Where each text stands: normalised label → cells, and for `标签：值` cells the
        label before the colon → cells. Built once; key–value lookups are then dict hits."""
        exact: dict[str, list[tuple[int, int]]] = {}
        prefix: dict[str, list[tuple[int, int]]] = {}
        keys = label_keys  # one cached call a text cell: every sheet of every file is indexed
        for r in range(self.sheet.n_rows):
            for c, v in self.row_values(r):
                if not isinstance(v, str) or not v.strip():
                    continue
                label, before_colon = keys(v)
                exact.setdefault(label, []).append((r, c))
                if before_colon is not None:
                    prefix.setdefault(before_colon, []).append((r, c))
        return exact, prefix


@dataclass(frozen=True, slots=True)
class Found:
    row: int
    col: int
    raw: Any
    inline: bool = False  # the value was typed into the label cell (`学校名称：赤峰农牧学校`)
    label_unit: str | None = None  # a unit the label names: `占地面积（平方米）`


def find_labelled_value(
    sheet: Sheet,
    labels: tuple[str, ...],
    direction: str = "auto",
    view: SheetView | None = None,
    rows: tuple[int, int] | None = None,
) -> Found | None:
    """Key–value forms: the value beside (or below) a label cell, skipping merged blanks.
    The first label cell in reading order with a value wins; `学校名称：赤峰农牧学校` in one
    cell counts. A label whose value cell is blank gives that cell with no value (not filled),
    when no other cell of the labels has one.
    `rows` (top, bottom): look only in these rows (one table of a sheet of several)."""
    view = view or SheetView(sheet)
    exact, prefix = view.label_index
    top, bottom = rows if rows is not None else (0, sheet.n_rows)
    candidates = sorted(
        {
            (r, c, i, kind)
            for i, label in enumerate(labels)
            for kind, index in (("exact", exact), ("prefix", prefix))
            for r, c in index.get(label, ())
            if top <= r < bottom
        }
    )
    blank: Found | None = None  # the first label whose value cell is left blank
    for r, c, _, kind in candidates:
        text = normalize_text(sheet.rows[r][c])
        m = _COLON_RE.search(text) if kind == "prefix" else None
        rest = text[m.end() :].strip() if m else ""
        if rest:
            return Found(r, c, rest, inline=True)
        found = _value_near(view, r, c, direction)
        if found is None:
            continue
        if kind == "exact":
            found = Found(found.row, found.col, found.raw, label_unit=unit_in_label(text))
        if found.raw is not None:
            return found
        blank = blank or found
    return blank


def _value_near(view: SheetView, r: int, c: int, direction: str) -> Found | None:
    """The value cell of the label at (r, c): the first cell to its right (or below it) that
    is not covered by a merge. A column (row) left blank all the way down (across) the sheet
    is a spacer and is stepped over, and so is a merged range over such columns (rows); any
    other blank cell or empty merged range *is* the value cell, not filled — found with no
    value, never the next label or figure beyond it. With `auto`, below is looked at only
    when nothing but spacers stands to the right."""
    sheet = view.sheet
    merge = sheet.merge_at.get((r, c))
    last_col = merge.last_col if merge else c
    last_row = merge.last_row if merge else r
    if direction in ("auto", "right"):
        for cc in range(last_col + 1, min(last_col + 8, sheet.n_cols)):
            m = sheet.merge_at.get((r, cc))
            if m is not None and (m.first_row, m.first_col) != (r, cc):
                continue  # a blank inside a merged range
            v = view.raw(r, cc)
            if v not in (None, ""):
                return Found(r, cc, v)
            span = range(cc, (m.last_col if m is not None else cc) + 1)
            if not all(view.blank_column(x) for x in span):
                return Found(r, cc, None)  # the value cell, left blank
    if direction in ("auto", "below"):
        for rr in range(last_row + 1, min(last_row + 4, sheet.n_rows)):
            m = sheet.merge_at.get((rr, c))
            if m is not None and (m.first_row, m.first_col) != (rr, c):
                continue
            v = view.raw(rr, c)
            if v not in (None, ""):
                return Found(rr, c, v)
            span = range(rr, (m.last_row if m is not None else rr) + 1)
            if any(view.row_values(x) for x in span):
                return Found(rr, c, None)
    return None
