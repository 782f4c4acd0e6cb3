"""The tables of a sheet: one table model for every layout.

A sheet holds one or more tables. They are found from the rows themselves (unpivotr's
`partition`): a caption (`一、…`, `（二）…`, `表3 …`) starts a table; so does a title or a
header row after a blank gap or a note (`注：…`) once the table before it has figures. Each
table is then described by `locate` on a window of the sheet that holds its rows only (the
sheet's own row and column numbers kept), so its header, labels, units, notes and totals are
its own: a `单位：千元` line above one table, or a caption's `（金额单位：万元）`, says nothing
about the next. Rows and columns hidden in Excel are not data: a window leaves them out and
the table lists them (a finding says which). A table whose records run along its columns
(专业 across, schools across) is read through a transposed window: the same description,
rows and columns swapped, every address still the sheet's own cell.

A mapping addresses a table by its caption (`[match] caption`) or by its own labels (the
table where its fields are), never by the table's place in the sheet."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import LocateError
from ..words.labels import normalize_label, normalize_text
from ..words.units import units_in_sheet_text
from .clean import value_like
from .locate import META_RE, NOTE_RE, Table, locate_table
from .lookup import find_column, find_row
from .read import Merge, Sheet
from .view import SheetView

if TYPE_CHECKING:
    from .locate import HeaderCache

# 一、  （二）  (3)  表4  附表  第一部分
CAPTION_RE = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十\d]{1,3}[）)]|"
    r"表\s*[0-9一二三四五六七八九十]{1,3}(?![0-9])|附表|第[一二三四五六七八九十]{1,3}部分)"
)

EMPTY, NOTE, CAPTION, TITLE, BODY = "empty", "note", "caption", "title", "body"


@dataclass
class Block:
    """The rows of one table: from its caption (or title) to the next table."""

    top: int
    bottom: int = 0  # one past its last row
    body: int | None = None  # the first row of its header and data
    caption: str = ""  # the caption as written (numbering kept)
    has_data: bool = False


def caption_words(text: str) -> str:
    """A caption without its numbering and its unit: `（二）办学条件（金额单位：万元）` →
    `办学条件`; what a mapping's `caption` is compared with."""
    label = normalize_label(text)
    return CAPTION_RE.sub("", label, count=1)


def _distinct(view: SheetView, r: int) -> set[str]:
    return {normalize_label(v) for v in view.filled_row(r) if v is not None} - {""}


def _has_figure(view: SheetView, r: int) -> bool:
    return any(value_like(v) for _, v in view.row_values(r)) or bool(view.blank_formulas(r))


def _kind(view: SheetView, r: int) -> str:
    cells = view.row_values(r)
    if not cells:
        return BODY if view.blank_formulas(r) else EMPTY
    first = normalize_text(cells[0][1])
    if NOTE_RE.match(first):
        return NOTE
    if len(cells) >= 3:  # a caption or a title is one text (merged across, at most)
        return BODY
    if any(isinstance(v, str) and META_RE.search(normalize_text(v)) for _, v in cells):
        return TITLE  # `填报单位：…（盖章）  2019年10月`: who filled it in, not the table
    # (one or two cells: their own texts tell, without filling the row's merged cells)
    one_text = len({normalize_label(v) for _, v in cells} - {""}) <= 1
    if one_text and not any(value_like(v) for _, v in cells):
        return CAPTION if CAPTION_RE.match(re.sub(r"\s+", "", first)) else TITLE
    return BODY


def partition(view: SheetView) -> tuple[list[Block], int | None]:
    """The blocks of rows holding one table each (those with figures), and where the
    sheet's preamble ends (rows above the first caption that belong to every table: a
    title, a `单位：` line), None when there is none."""
    blocks: list[Block] = []
    cur: Block | None = None
    gap = after_note = False
    preamble_end = None
    for r in range(view.sheet.n_rows):
        if cur is not None and cur.body is not None and not (gap or after_note):
            # inside a table's rows only a caption or a note can end it: the rest is quick
            cells = view.row_values(r)
            # a caption or a note is one or two cells: a row of more is the table's own
            if len(cells) > 2 or (cells and not _may_end(cells[0][1])):
                cur.has_data = cur.has_data or _has_figure(view, r)
                continue
        kind = _kind(view, r)
        if kind == EMPTY:
            gap = True
            continue
        if cur is None:
            cur = Block(r)
        elif kind == CAPTION and cur.body is None and not blocks and preamble_end is None:
            preamble_end = r  # the sheet's title and units, above its first caption
            cur = Block(r)
        elif (
            (kind == CAPTION and cur.body is not None)
            or (kind == TITLE and cur.has_data and (gap or after_note))
            or (kind == BODY and cur.has_data and (gap or after_note) and _header_like(view, r))
        ):
            cur.bottom = r
            blocks.append(cur)
            cur = Block(r)
        if kind == CAPTION and not cur.caption:
            cur.caption = str(view.row_values(r)[0][1]).strip()  # as written (（二）, not (二))
        elif kind == BODY:
            if cur.body is None:
                cur.body = r
            cur.has_data = cur.has_data or _has_figure(view, r)
        after_note = kind == NOTE or (after_note and kind != BODY)
        gap = False
    if cur is not None:
        cur.bottom = view.sheet.n_rows
        blocks.append(cur)
    return [b for b in blocks if b.body is not None and b.has_data], preamble_end


_ENDING_STARTS = frozenset("一二三四五六七八九十（(表附第注说备填数单审报制统 　")


def _may_end(first: Any) -> bool:
    """Whether a row whose first cell is `first` may be a caption or a note."""
    if not isinstance(first, str) or not first or first[0] not in _ENDING_STARTS:
        return False
    text = normalize_text(first)
    return bool(NOTE_RE.match(text) or CAPTION_RE.match(re.sub(r"\s+", "", text)))


def _no_gap_nor_caption(view: SheetView) -> bool:
    """A sheet whose rows run without a blank one from its first to its last, none of them a
    caption after the first: one table, whatever its shape."""
    rows = [r for r in range(view.sheet.n_rows) if view.row_values(r)]
    # a title (one cell, no caption) and blank rows may stand above the table's first row
    body = next((i for i, r in enumerate(rows) if len(view.row_values(r)) >= 2), 0)
    if any(_may_end(view.row_values(r)[0][1]) for r in rows[:body]):
        return False
    rows = rows[body:]
    if not rows or rows[-1] - rows[0] + 1 != len(rows):
        return False
    return not any(
        len(view.row_values(r)) <= 2
        and isinstance(first := view.row_values(r)[0][1], str)
        and first[:1] in _ENDING_STARTS
        and CAPTION_RE.match(re.sub(r"\s+", "", normalize_text(first)))
        for r in rows[1:]
    )


def _top(table: Table) -> int:
    """The first row of a table's header (or of its data, when it has no header)."""
    code = [table.code_row] if table.code_row is not None else []
    return min([*table.header_rows, *code, table.data_rows[0].index])


def _plainly_one(table: Table, view: SheetView) -> bool:
    """Whether a sheet whose table `locate` has described already plainly holds that one
    table only (most do; `partition` is then not needed): nothing but one- or two-cell lines
    above its header, its data rows without a gap or a caption among them, and nothing but
    notes after them."""
    rows = table.data_rows
    if not rows or rows[-1].index - rows[0].index + 1 != len(rows):
        return False  # a blank row between data rows: perhaps a table below
    if any(len(view.row_values(r)) > 2 for r in range(_top(table))):
        return False
    if any(
        len(view.row_values(r.index)) <= 2 and _may_end(view.row_values(r.index)[0][1])
        for r in rows
    ):
        return False
    after = rows[-1].index + 1
    return all(
        len(view.row_values(r)) <= 2 or _kind(view, r) == NOTE
        for r in range(after, view.sheet.n_rows)
    )


def _header_like(view: SheetView, r: int) -> bool:
    """A row that starts a new table's header: two or more texts and no figure."""
    return len(_distinct(view, r)) >= 2 and not _has_figure(view, r)


# ---------------------------------------------------------------- windows


def window(
    sheet: Sheet, top: int, bottom: int, transposed: bool = False, hidden: bool = False
) -> Sheet:
    """The sheet with only rows top…bottom-1 (hidden rows and columns blanked unless
    `hidden`: read them), the sheet's own numbering kept; transposed: rows and columns
    swapped."""
    hidden_c = frozenset() if hidden else sheet.hidden_cols
    hidden_r = frozenset() if hidden else sheet.hidden_rows
    empty: list[Any] = []

    def live(r: int) -> list[Any]:
        if r < top or r >= bottom or r in hidden_r:
            return empty
        row = sheet.rows[r]
        if hidden_c and any(c < len(row) for c in hidden_c):
            row = ["" if c in hidden_c else v for c, v in enumerate(row)]
        return row

    merges = [
        m
        for m in sheet.merges
        if top <= m.first_row < bottom
        and m.first_row not in hidden_r
        and m.first_col not in hidden_c
    ]
    if not transposed:
        rows = [live(r) for r in range(sheet.n_rows)]
        out = Sheet(sheet.name, sheet.index, sheet.visible, rows, merges)
        out.__dict__["n_cols"] = sheet.n_cols
    else:
        grid = [live(r) for r in range(sheet.n_rows)]
        rows = [
            [grid[r][c] if c < len(grid[r]) else "" for r in range(sheet.n_rows)]
            for c in range(sheet.n_cols)
        ]
        merges = [
            Merge(m.first_col, m.first_row, m.last_col, min(m.last_row, bottom - 1)) for m in merges
        ]
        out = Sheet(sheet.name, sheet.index, sheet.visible, rows, merges, transposed=True)
        out.__dict__["n_cols"] = sheet.n_rows
    out.formulas = frozenset((c, r) for r, c in sheet.formulas) if transposed else sheet.formulas
    return out


# ---------------------------------------------------------------- the tables of a sheet


@dataclass
class SheetTables:
    """The tables of one sheet, worked out once and shared by every mapping that reads it."""

    sheet: Sheet
    view: SheetView
    headers: HeaderCache | None = None
    read_hidden: bool = False  # hidden rows and columns are data (a mapping says so)
    blocks: list[Block] = field(default_factory=list)
    preamble_units: tuple[str, ...] = ()
    _tables: list[Table | None] | None = None
    _flipped: dict[int, Table | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        located = self.view.located
        if isinstance(located, Table) and _plainly_one(located, self.view):
            self.blocks = [Block(0, self.sheet.n_rows, _top(located), "", True)]
            return
        if _no_gap_nor_caption(self.view):  # a form of label | value rows, say: one block
            body = next((r for r in range(self.sheet.n_rows) if _kind(self.view, r) == BODY), 0)
            self.blocks = [Block(0, self.sheet.n_rows, body, "", True)]
            return
        self.blocks, preamble_end = partition(self.view)
        if preamble_end is not None:
            self.preamble_units = tuple(
                u
                for r in range(preamble_end)
                for _, v in self.view.row_values(r)
                if isinstance(v, str)
                for u in units_in_sheet_text(v)
            )

    @property
    def single(self) -> bool:
        """One table, no hidden rows or columns to leave out: the sheet is its own window."""
        return len(self.blocks) <= 1 and (
            self.read_hidden or not (self.sheet.hidden_rows or self.sheet.hidden_cols)
        )

    def tables(self) -> list[Table]:
        """Every table of the sheet, top to bottom, records along rows."""
        if self._tables is None:
            if self.single:
                self._tables = [locate_table(self.sheet, self.view, self.headers)]
            else:
                self._tables = [self._table(i, False) for i in range(len(self.blocks))]
        return [t for t in self._tables if t is not None and t.data_rows]

    def flipped(self, table: Table) -> Table | None:
        """The same block read with its records along the columns."""
        i = table.block_index
        if i not in self._flipped:
            self._flipped[i] = self._table(i, True) if self.blocks else None
        found = self._flipped[i]
        return found if found is not None and found.data_rows else None

    def _table(self, i: int, transposed: bool) -> Table | None:
        block = self.blocks[i] if self.blocks else Block(0, self.sheet.n_rows, 0)
        top = block.top if not transposed else (block.body or block.top)
        bottom = block.bottom
        if transposed:  # the notes under the table are not part of its body
            bottom = next(
                (
                    r
                    for r in range(top, block.bottom)
                    if self.view.row_values(r)
                    and NOTE_RE.match(normalize_text(self.view.row_values(r)[0][1]))
                ),
                block.bottom,
            )
        win = window(self.sheet, top, bottom, transposed, self.read_hidden)
        grid = (self.view.grid_row, self.view.grid_col)
        view = SheetView(win, grid=grid[::-1] if transposed else grid)
        table = locate_table(win, view, None)
        if table is None:
            return None
        # the units its own rows declare above its data (a 单位 line, its caption's 金额单位)
        table.units = self._block_units(block) or self.preamble_units
        table.block_index, table.caption = i, block.caption
        if self.read_hidden:
            return table
        table.hidden_rows = tuple(
            r
            for r in sorted(self.sheet.hidden_rows)
            if block.top <= r < block.bottom
            and any(v not in ("", None) for v in self.sheet.rows[r])
        )
        table.hidden_cols = tuple(
            c
            for c in sorted(self.sheet.hidden_cols)
            if any(
                c < len(self.sheet.rows[r]) and self.sheet.rows[r][c] not in ("", None)
                for r in range(block.top, block.bottom)
            )
        )
        return table

    def _block_units(self, block: Block) -> tuple[str, ...]:
        out: list[str] = []
        for r in range(block.top, (block.body or block.top) + 1):
            for _, v in self.view.row_values(r):
                if isinstance(v, str):
                    out += [u for u in units_in_sheet_text(v) if u not in out]
        return tuple(out)


def sheet_tables(
    sheet: Sheet, view: SheetView, headers: HeaderCache | None = None, read_hidden: bool = False
) -> SheetTables:
    """The tables of a sheet, worked out once per view (and once more for a mapping that
    reads hidden rows)."""
    if read_hidden:
        if view.tables_with_hidden is None:
            view.tables_with_hidden = SheetTables(sheet, view, headers, read_hidden=True)
        return view.tables_with_hidden
    found = view.tables
    if found is None:
        found = view.tables = SheetTables(sheet, view, headers)
    return found


# ---------------------------------------------------------------- which table a mapping reads


@dataclass(frozen=True)
class Fit:
    table: Table
    found: int  # how many of the mapping's fields (and record keys) are in the table
    keys_found: bool = True  # every record key's column is there


def _fit(table: Table, mapping: Any, dataset: Any, texts: Any) -> Fit:
    """How much of a mapping a table holds. `texts` puts `{year}` into a mapping's texts."""
    from ..config.placements import CellPlacement, ColumnPlacement

    keys_found = True
    found = 0
    if mapping.records is not None:
        for _key, paths in mapping.records.keys:
            if paths:
                try:
                    find_column(table, texts(paths))
                    found += 1
                except LocateError:
                    keys_found = False
    for p in mapping.fields:
        fdef = dataset.fields.get(p.field)
        try:
            if isinstance(p, CellPlacement):
                if p.row or p.line is not None:
                    find_row(
                        table,
                        texts(p.row[:1]) if p.sum else texts(p.row),
                        None if p.sum else p.line,
                    )
                find_column(
                    table,
                    texts(p.column[:1]) if p.sum else texts(p.column),
                    None if p.sum else p.code,
                )
            elif isinstance(p, ColumnPlacement):
                paths = texts(p.column) or (fdef.labels if fdef is not None else ())
                find_column(table, paths[:1] if p.sum else paths, None if p.sum else p.code)
            found += 1
        except LocateError:
            continue
    return Fit(table, found, keys_found)


class TableChoice:
    """The table a mapping reads, or why none: `ambiguous` lists equally good ones."""

    def __init__(self, fit: Fit | None, ambiguous: list[Fit] | None = None):
        self.fit = fit
        self.ambiguous = ambiguous or []

    @property
    def table(self) -> Table | None:
        return self.fit.table if self.fit is not None else None


def choose_table(tables: SheetTables, mapping: Any, dataset: Any, texts: Any) -> TableChoice:
    """The table of a sheet that a mapping reads: the one whose caption the mapping names,
    and of those the one holding most of its fields (a records mapping: all its keys); read
    along the columns when that is where its record keys and fields are. Two tables that
    hold it equally well are ambiguous: neither is read."""
    candidates = tables.tables()
    wanted = mapping.match.caption
    if wanted:
        candidates = [
            t for t in candidates if any(w in caption_words(t.caption) for w in texts(wanted))
        ]
    if not candidates:
        return TableChoice(None)
    records = mapping.records is not None
    if (
        len(candidates) == 1
        and tables.single
        and (not records or _reads_along_rows(candidates[0], mapping, dataset, texts))
    ):
        return TableChoice(Fit(candidates[0], len(mapping.fields)))
    fits: list[Fit] = []
    for t in candidates:
        fit = _fit(t, mapping, dataset, texts)
        if records and (not fit.keys_found or fit.found <= _key_columns(mapping)):
            flipped = tables.flipped(t)
            if flipped is not None:
                other = _fit(flipped, mapping, dataset, texts)
                if (other.keys_found, other.found) > (fit.keys_found, fit.found):
                    fit = other
        fits.append(fit)
    if records:
        usable = [f for f in fits if f.keys_found] or fits
    else:
        usable = fits
    best = max(f.found for f in usable)
    top = [f for f in usable if f.found == best]
    if len(top) > 1 and best > 0:
        return TableChoice(None, top)
    return TableChoice(top[0])


def _reads_along_rows(table: Table, mapping: Any, dataset: Any, texts: Any) -> bool:
    """The quick answer for a sheet of one table: a records mapping reads it along its rows
    when its key columns are there and so is one of its fields (the rest is the layout's)."""
    from ..config.placements import ColumnPlacement

    try:
        for _key, paths in mapping.records.keys:
            if paths:
                find_column(table, texts(paths))
    except LocateError:
        return False
    for p in mapping.fields:
        if not isinstance(p, ColumnPlacement):
            continue
        fdef = dataset.fields.get(p.field)
        paths = texts(p.column) or (fdef.labels if fdef is not None else ())
        try:
            find_column(table, paths[:1] if p.sum else paths, None if p.sum else p.code)
            return True
        except LocateError:
            continue
    return False


def _key_columns(mapping: Any) -> int:
    return sum(1 for _, paths in mapping.records.keys if paths)
