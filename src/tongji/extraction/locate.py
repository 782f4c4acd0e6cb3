"""Locating: where the header, the labels and the figures of a sheet are.

Works the same on the national client's exports and on tables that schools retype:
- the export's own grid labels (a row `A B C …`, a column `1 2 3 …`) are recognised and
  ignored;
- the column-code row (`甲 | 乙 | 1 | 2 | …`) is recognised: 甲 marks the row-label column,
  乙 the 行次 column, the numbers are column codes;
- the header block above the data is found from the data itself, merged cells are filled,
  and each column gets a header path (`按学历分/本科毕业`) and the unit its header names;
- data rows run to the end of the table; notes under it (`注：…`, `填表人：…`) end it.
Nothing here knows about mappings: `Table` is a description of the sheet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..words.units import UNIT_HEADERS, canonical_unit, declared_unit, units_in_sheet_text
from .clean import looks_numeric, normalize_label, normalize_text, unit_in_label, value_like
from .read import Sheet
from .view import _NOT_LOCATED, SheetView

TOTAL_LABELS = frozenset({"合计", "总计", "小计", "总数", "全校合计", "全市合计", "共计", "总 计"})
NOTE_RE = re.compile(
    r"^(注|说明|备注|填表说明|填报说明|数据来源)[\d:：.、]|^(填表人|填报人|单位负责人|统计负责人|审核人|报出日期|制表)"
)
_LINE_HEADERS = frozenset({"编号", "行次", "行号"})
MAX_HEADER_ROWS = 6


@dataclass(frozen=True, slots=True)
class Column:
    index: int
    parts: tuple[str, ...]
    code: str | None = None
    unit: str | None = None

    @property
    def path(self) -> str:
        return "/".join(self.parts)


@dataclass(frozen=True, slots=True)
class Row:
    index: int
    label: str
    line: str | None = None
    unit: str | None = None  # a unit the row label names: `教学仪器设备资产值（万元）`

    @property
    def is_total(self) -> bool:
        return is_total_label(self.label)


@dataclass
class Table:
    sheet: Sheet
    header_rows: list[int]
    data_rows: list[Row]
    columns: list[Column]
    code_row: int | None = None
    label_col: int | None = None
    line_col: int | None = None
    grid_label_row: int | None = None
    grid_label_col: int | None = None
    units: tuple[str, ...] = ()  # units the sheet declares (`单位：万元`), known or as written
    notes_row: int | None = None
    unit_col: int | None = None  # a column headed 单位/计量单位 that holds each row's unit
    caption: str = ""  # the caption above it (`一、教职工情况`), when the sheet holds several
    block_index: int = 0  # which of the sheet's tables, top to bottom
    hidden_rows: tuple[int, ...] = ()  # rows of the table hidden in Excel, left out
    hidden_cols: tuple[int, ...] = ()

    @property
    def view(self) -> SheetView:
        return self._view

    def address(self, row: int, col: int) -> str:
        """The workbook's A1 address of the table's (row, col)."""
        return self.sheet.address(row, col)

    def value(self, row: int, col: int) -> Any:
        return self.sheet.cell(row, col)

    @property
    def unit(self) -> str | None:
        """The first unit the sheet declares."""
        return self.units[0] if self.units else None

    def unit_in(self, row: int, col: int | None) -> str | None:
        """The unit a row's cell in a unit column declares (None when it declares none)."""
        return declared_unit(self.sheet.cell(row, col)) if col is not None else None


def is_total_label(label: str) -> bool:
    """合计, 总计, 小计 and their variants (`合计：`, `全县合计`, `总计（人）`)."""
    return (
        label in TOTAL_LABELS
        or label.startswith(("合计", "总计", "小计"))
        or label.endswith(("合计", "总计"))
    )


def line_value(raw: Any) -> str | None:
    text = normalize_text(raw)
    if not text:
        return None
    try:
        return str(int(float(text)))
    except ValueError:
        return text


def _find_code_row(view: SheetView, last: int) -> tuple[int, int, int | None] | None:
    """(row, 甲 column, 乙 column) of the column-code row, if the sheet has one."""
    for r in range(min(last, view.sheet.n_rows)):
        cells = view.row_values(r)
        for i, (c, v) in enumerate(cells):
            if normalize_label(v) != "甲":
                continue
            rest = cells[i + 1 :]
            line_col = None
            if rest and normalize_label(rest[0][1]) == "乙":
                line_col = rest[0][0]
                rest = rest[1:]
            codes = [line_value(v2) for _, v2 in rest[:3]]
            if len(codes) >= 2 and codes[:2] == ["1", "2"]:
                return r, c, line_col
    return None


def _is_data_row(view: SheetView, r: int) -> bool:
    """Mostly figures (a unit written in its own column, `万元`, does not count as text)."""
    cells = [v for _, v in view.row_values(r) if not (isinstance(v, str) and canonical_unit(v))]
    formulas = len(view.blank_formulas(r))  # formulas without a stored result: figures
    if not cells and not formulas:
        return False
    numeric = sum(value_like(v) for v in cells) + formulas
    cells += [None] * formulas
    return numeric >= 1 and numeric >= 0.5 * len(cells)


def _numeric_columns(view: SheetView, r: int | None) -> frozenset[int]:
    return (
        frozenset([c for c, v in view.row_values(r) if value_like(v)] + view.blank_formulas(r))
        if r is not None
        else frozenset()
    )


def _next_filled(view: SheetView, r: int) -> int | None:
    return next((rr for rr in range(r + 1, view.sheet.n_rows) if view.row_values(rr)), None)


def _years_header(view: SheetView, r: int) -> bool:
    """A header of years side by side (`2019 | 2020`): its figures are all distinct whole
    years close together."""
    numbers = [v for _, v in view.row_values(r) if looks_numeric(v)]
    years = {
        int(float(v))
        for v in numbers
        if isinstance(v, (int, float)) and float(v).is_integer() and 1990 <= v <= 2100
    }
    return len(numbers) >= 2 and len(years) == len(numbers) and max(years) - min(years) <= 10


def _starts_data(view: SheetView, r: int) -> bool:
    """The first data row: mostly figures, or figures in the same columns as the row after
    it (a list whose rows carry several names, 学校 | 类别 | 人数, and one figure). A row of
    years side by side is a header."""
    if _years_header(view, r):
        return False
    if _is_data_row(view, r):
        return True
    numbers = _numeric_columns(view, r)
    return bool(numbers) and numbers == _numeric_columns(view, _next_filled(view, r))


def _distinct_filled(view: SheetView, r: int) -> int:
    return len({normalize_label(v) for v in view.filled_row(r) if v is not None} - {""})


def find_sheet_units(sheet: Sheet, rows: int = 12) -> tuple[str, ...]:
    """Every unit the top of a sheet declares: `单位：万元` in a cell (several markers in
    one cell count), or a `计量单位` cell with a known unit in the cell beside it."""
    out: list[str] = []
    for r in range(min(rows, sheet.n_rows)):
        row = sheet.rows[r]
        for c, v in enumerate(row):
            if not (isinstance(v, str) and "单位" in v):
                continue
            found = units_in_sheet_text(v)
            if not found and normalize_label(v).rstrip(":：") in UNIT_HEADERS - {"单位"}:
                beside = next((x for x in row[c + 1 : c + 4] if x not in ("", None)), None)
                found = (
                    [u]
                    if (u := canonical_unit(beside) if isinstance(beside, str) else None)
                    else []
                )
            out += [u for u in found if u not in out]
    return tuple(out)


def _text(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def _unit_column(
    columns: list[Column], rows: list[tuple[int, list[tuple[int, Any]]]], sheet: Sheet
) -> int | None:
    """A column headed 单位 (计量单位 …) whose cells hold units: each row's own unit."""
    for col in columns:
        if (
            col.parts
            and col.parts[-1] in UNIT_HEADERS
            and any(canonical_unit(_text(sheet.cell(r, col.index))) for r, _ in rows)
        ):
            return col.index
    return None


@dataclass(frozen=True)
class _HeaderLayout:
    """What a sheet's header block says, independent of its data rows: in a batch the same
    layout recurs in every school's return, so it is worked out once and re-used for a
    sheet that the analysis would see the same way: its rows from `top` down to the first
    data row cell for cell the same (and no column-code row further down when this one
    had none). Above a column-code row's header block the analysis only asks whether a row
    stops the header (one text at most: a title, `学校名称：…`, which differs from school
    to school) and whether a row is a code row; `fits` asks exactly that of those rows.
    So a re-used layout is exactly what analysing the sheet would give, whichever file
    came first."""

    header_rows: tuple[int, ...]
    code_row: int | None
    data_start: int
    label_col: int | None
    line_col: int | None
    columns: tuple[Column, ...]
    snapshot: tuple[tuple[tuple[Any, ...], tuple[Any, ...]], ...]  # rows top … the first data row
    after: frozenset[int]  # which columns of the row after the first data row hold figures
    top: int = 0  # the first row of the snapshot
    stop: int | None = None  # the row above the header that ended it (one text at most)

    def fits(self, view: SheetView) -> bool:
        if any(_row_snapshot(view, self.top + i) != snap for i, snap in enumerate(self.snapshot)):
            return False
        if self.code_row is not None:
            if self.stop is not None and not _stops_header(view, self.stop):
                return False
            return self.top == 0 or _find_code_row(view, self.top) is None
        return (
            _find_code_row(view, 40) is None
            and _numeric_columns(view, _next_filled(view, self.data_start)) == self.after
        )


def _row_snapshot(view: SheetView, r: int) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    return tuple(view.filled_row(r)), tuple(view.row_values(r))


class HeaderCache:
    """Header layouts worked out in one batch. A sheet whose header block is cell for
    cell the same as one seen before re-uses its analysis."""

    def __init__(self, limit: int = 256):
        self.limit = limit
        self._layouts: dict[tuple, _HeaderLayout] = {}

    def layout(self, sheet: Sheet, view: SheetView) -> _HeaderLayout | None:
        key = (sheet.name, sheet.n_cols, tuple(sheet.merges), view.grid_row, view.grid_col)
        layout = self._layouts.get(key)
        if layout is not None and layout.fits(view):
            return layout
        layout = _analyse_header(sheet, view)
        if layout is not None:
            if len(self._layouts) >= self.limit:
                self._layouts.pop(next(iter(self._layouts)))
            self._layouts[key] = layout
        return layout


def _analyse_header(sheet: Sheet, view: SheetView) -> _HeaderLayout | None:
    """Where the header block and the data start, and each column's header path."""
    code = _find_code_row(view, 40)
    label_col = line_col = None
    if code is not None:
        code_row, label_col, line_col = code
        data_start = code_row + 1
        header_end = code_row - 1
    else:
        code_row = None
        first_text = next((r for r in range(sheet.n_rows) if view.row_values(r)), None)
        if first_text is None:
            return None
        data_start = next(
            (r for r in range(first_text + 1, sheet.n_rows) if _starts_data(view, r)), None
        )
        if data_start is None:
            return None
        header_end = data_start - 1

    header_rows, stop = _header_rows(view, header_end)
    columns = _columns(view, header_rows, code_row)
    if line_col is None:
        line_col = next(
            (col.index for col in columns if col.parts and col.parts[-1] in _LINE_HEADERS), None
        )

    last = code_row if code_row is not None else data_start  # what the analysis looked at
    # with a code row, the rows above the header are looked at only by `fits`' two questions
    top = (
        (stop + 1 if stop is not None else header_rows[0])
        if code_row is not None and header_rows
        else 0
    )
    snapshot = tuple(_row_snapshot(view, r) for r in range(top, min(last, sheet.n_rows - 1) + 1))
    after = (
        _numeric_columns(view, _next_filled(view, data_start)) if code_row is None else frozenset()
    )
    return _HeaderLayout(
        tuple(header_rows),
        code_row,
        data_start,
        label_col,
        line_col,
        tuple(columns),
        snapshot,
        after,
        top,
        stop if top else None,
    )


def _header_rows(view: SheetView, header_end: int) -> tuple[list[int], int | None]:
    """The header rows above the data: upwards while a row has two or more distinct
    texts, past one empty spacer row; and the row that stopped them (None when the top of
    the sheet or the most header rows did)."""
    header_rows: list[int] = []
    r = header_end
    spacer_used = False
    while r >= 0 and len(header_rows) < MAX_HEADER_ROWS:
        distinct = _distinct_filled(view, r) if r != view.grid_row else 0
        if distinct == 0 and r != view.grid_row and not spacer_used and header_rows == []:
            spacer_used = True  # an empty spacer row between header and data
            r -= 1
            continue
        if _stops_header(view, r):
            return header_rows, r
        header_rows.insert(0, r)
        r -= 1
    return header_rows, None


# A line above a table saying who filled it in and when: never a header row.
META_RE = re.compile(
    r"^(填报单位|填表单位|报送单位|单位名称|统计单位|填报日期|填表日期|报送日期|统计日期|日期)[:：]"
    r"|盖章|^(19|20)\d\d[年./-]\d{1,2}[月./-]?(\d{1,2}日?)?$"
)


def _stops_header(view: SheetView, r: int) -> bool:
    """A row that ends a header block going up: the export's grid row, one text at most,
    or a line saying who filled the return in and when (`填报单位：…（盖章）`, `2019年10月`)."""
    if r == view.grid_row or _distinct_filled(view, r) <= 1:
        return True
    return any(
        isinstance(v, str) and META_RE.search(normalize_text(v)) for _, v in view.row_values(r)
    )


def _columns(view: SheetView, header_rows: list[int], code_row: int | None) -> list[Column]:
    """Each column's header path (merged cells filled), column code and unit."""
    columns: list[Column] = []
    for c in range(view.sheet.n_cols):
        if c == view.grid_col:
            continue
        parts: list[str] = []
        unit = None
        for hr in header_rows:
            v = view.filled(hr, c)
            if v in (None, ""):
                continue
            unit = unit_in_label(v) or unit
            part = normalize_label(v)
            if part and canonical_unit(part) and parts:  # a row of units under the headers
                unit = canonical_unit(part)
                continue
            if part and (not parts or parts[-1] != part):
                parts.append(part)
        col_code = line_value(view.raw(code_row, c)) if code_row is not None else None
        columns.append(Column(c, tuple(parts), col_code, unit))
    return columns


def locate_table(
    sheet: Sheet, view: SheetView | None = None, headers: HeaderCache | None = None
) -> Table | None:
    """Describe the table on a sheet, or None when the sheet holds no table of figures.
    With `headers`, a header block seen before in the batch is not analysed again. The
    table is worked out once per view (the school's name, the year check and the layout
    all ask for it); what comes back is not to be changed."""
    if view is not None and view.located is not _NOT_LOCATED:
        return view.located
    view = view or SheetView(sheet)
    view.located = _locate(sheet, view, headers)
    return view.located


def _locate(sheet: Sheet, view: SheetView, headers: HeaderCache | None) -> Table | None:
    layout = headers.layout(sheet, view) if headers is not None else _analyse_header(sheet, view)
    if layout is None:
        return None
    header_rows, code_row, data_start = list(layout.header_rows), layout.code_row, layout.data_start
    label_col, line_col, columns = layout.label_col, layout.line_col, list(layout.columns)

    # Data rows, up to notes or the end.
    rows_with_cells: list[tuple[int, list[tuple[int, Any]]]] = []
    notes_row = None
    for r in range(data_start, sheet.n_rows):
        cells = view.row_values(r)
        if not cells:
            continue
        if NOTE_RE.match(normalize_text(cells[0][1])):
            notes_row = r
            break
        rows_with_cells.append((r, cells))

    if label_col is None:
        label_col = _guess_label_col(view, rows_with_cells, line_col)

    data_rows = []
    for r, cells in rows_with_cells:
        label = normalize_label(view.filled(r, label_col)) if label_col is not None else ""
        raw_label = view.filled(r, label_col) if label_col is not None else None
        if not label:  # e.g. `合计` typed into the 序号 column
            raw_label = next((v for c, v in cells if c != line_col and not looks_numeric(v)), None)
            label = normalize_label(raw_label)
        line = line_value(view.raw(r, line_col)) if line_col is not None else None
        data_rows.append(
            Row(r, label, line, unit_in_label(raw_label) if isinstance(raw_label, str) else None)
        )

    data_columns = [col for col in columns if col.index != line_col]
    unit_col = _unit_column(data_columns, rows_with_cells, sheet)
    table = Table(
        sheet=sheet,
        header_rows=header_rows,
        data_rows=data_rows,
        columns=data_columns,
        code_row=code_row,
        label_col=label_col,
        line_col=line_col,
        grid_label_row=view.grid_row,
        grid_label_col=view.grid_col,
        units=find_sheet_units(sheet),
        notes_row=notes_row,
        unit_col=unit_col,
    )
    table._view = view
    return table


def _guess_label_col(
    view: SheetView, rows: list[tuple[int, list[tuple[int, Any]]]], line_col: int | None
) -> int | None:
    """The leftmost column whose data cells are mostly text labels."""
    if not rows:
        return None
    for c in range(view.sheet.n_cols):
        if c in (view.grid_col, line_col):
            continue
        texts = 0
        filled = 0
        for r, _ in rows:
            v = view.filled(r, c)
            if v in (None, ""):
                continue
            filled += 1
            if not looks_numeric(v):
                texts += 1
        if texts >= 0.5 * len(rows):
            return c
    return None
