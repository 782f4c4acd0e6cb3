"""`.xlsx`/`.xlsm`: byte-level regexes over each worksheet part."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile

from .base import _EXCEL_LAST_COL, _MAX_CELLS, _MAX_PART, EMPTY, SheetFacts, WorkbookFacts

# ---------------------------------------------------------------- xlsx / xlsm

_Q = rb"[\"']"  # an attribute's quote
_ATTRIBUTE = re.compile(rb"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_SHEET_ENTRY = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_CALC_PR = re.compile(
    rb"<(?:\w+:)?calcPr\b[^>]*?\sfullCalcOnLoad\s*=\s*" + _Q + rb"(?:1|true)" + _Q
)

_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\sref\s*=\s*" + _Q + rb"([^\"']*)" + _Q)
_ZERO_HEIGHT = re.compile(
    rb"<(?:\w+:)?sheetFormatPr\b[^>]*?\szeroHeight\s*=\s*" + _Q + rb"(?:1|true)" + _Q
)
_COL = re.compile(rb"<(?:\w+:)?col\b([^>]*)>")
_HIDDEN_TRUE = re.compile(rb"hidden\s*=\s*" + _Q + rb"(?:1|true)" + _Q)
_ROW_START = re.compile(rb"<(?:\w+:)?row\s")
# a row's opening tag up to an attribute, its `r` read on the way
_ROW_R = re.compile(rb"<(?:\w+:)?row\s[^>]*?(?<=\s)r\s*=\s*" + _Q + rb"(\d{1,7})" + _Q)
_F = re.compile(rb"<f(?=[\s>/])([^>]*)>")  # a formula element's opening tag
_PREFIXED_F = re.compile(rb"<\w+:f(?=[\s>/])([^>]*)>")
# a cell's opening tag, its `r` read on the way, up to its first child
_CELL_R = re.compile(
    rb"<(?:\w+:)?c\s[^>]*?(?<=\s)r\s*=\s*" + _Q + rb"([A-Z]{1,3})(\d{1,7})" + _Q + rb"[^>]*>\s*"
)
_COLUMNS: dict[bytes, int] = {}  # column letters → index, as they are met
# every row, cell and formula tag, for a sheet whose rows or cells do not all say where they are
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_TOKEN = re.compile(rb"<(?:\w+:)?(row|c|f)\b([^>]*)>")
_R = re.compile(rb"\sr\s*=\s*" + _Q + rb"([^\"']*)" + _Q)
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})")


def _attrs(tag: bytes) -> dict[bytes, bytes]:
    return {k: a if a or not b else b for k, a, b in _ATTRIBUTE.findall(tag)}


def _true(value: bytes | None) -> bool:
    return value is not None and value.strip().lower() in (b"1", b"true")


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _cell_ref(text: bytes | str) -> tuple[int, int] | None:
    """`B4` → (3, 1); None for anything else."""
    if isinstance(text, bytes):
        text = text.decode("ascii", "replace")
    m = _REF.fullmatch(text.strip())
    if not m:
        return None
    return int(m.group(2)) - 1, _column_index(m.group(1))


def _range_ref(text: bytes) -> tuple[int, int, int, int] | None:
    """`A1:C3` (or `A1`) → (first_row, first_col, last_row, last_col)."""
    first, _, last = text.decode("ascii", "replace").partition(":")
    a = _cell_ref(first)
    b = _cell_ref(last) if last else a
    if a is None or b is None:
        return None
    return min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])


def xlsx_sheet_facts(xml: bytes) -> SheetFacts:
    """The hidden rows and columns and the formula cells of one xlsx worksheet part (its
    bytes, unzipped). Never raises: a part it cannot make sense of gives empty facts."""
    try:
        return _xlsx_sheet(xml)
    except Exception:
        return EMPTY


def _xlsx_sheet(xml: bytes) -> SheetFacts:
    data_at = xml.find(b"sheetData")  # <sheetData>, or <x:sheetData> in a prefixed part
    if data_at < 0:
        data_at = len(xml)
    prefixed = xml[data_at - 1 : data_at] != b"<"
    # the rows end at </sheetData> (after it, an <xm:f> of an extension is no cell's formula)
    data_end = xml.rfind(b"sheetData")  # found from the end: what follows the rows is short
    if data_end <= data_at:
        data_end = len(xml)

    # Before <sheetData>: the used range, whether rows are hidden by default, the columns.
    hidden_cols: set[int] = set()
    if xml.find(b"hidden", 0, data_at) >= 0 or _ZERO_WIDTH.search(xml, 0, data_at):
        hidden_cols = _hidden_cols(xml, data_at)

    # Each scan starts from what it looks for, found by a search led by a literal (`hidden`,
    # `<f`), and looks back at the tag around it: a regex over every row or cell tag costs
    # several times as much. A tag that does not say where it is (no `r`) sends its scan to
    # the slow one, which counts positions as calamine does.
    if _ZERO_HEIGHT.search(xml, 0, data_at):  # rows are hidden but those listed as shown
        hidden_rows = _rows_in_order(xml, data_at, data_end, True)
    elif xml.find(b"hidden", data_at, data_end) >= 0:
        hidden_rows = _hidden_rows(xml, data_at, data_end)
    else:
        hidden_rows = set()
    formulas: set[tuple[int, int]] = set()
    if prefixed or xml.find(b"<f", data_at, data_end) >= 0:
        formulas = _formulas(xml, data_at, data_end, prefixed)
    return SheetFacts(frozenset(hidden_rows), frozenset(hidden_cols), None, frozenset(formulas))


_ZERO_WIDTH = re.compile(rb'width="0(?:\.0*)?"')


def _hidden_cols(xml: bytes, data_at: int) -> set[int]:
    """Columns hidden (or of width 0) in the `<cols>` before the rows."""
    dim = _DIMENSION.search(xml, 0, data_at)
    extent = _range_ref(dim.group(1)) if dim else None
    # hidden columns out to XFD are cut at the used range (which a writer may understate:
    # never before column IV)
    last_col = max(extent[3], 255) if extent else _EXCEL_LAST_COL
    hidden_cols: set[int] = set()
    for m in _COL.finditer(xml, 0, data_at):
        a = _attrs(m.group(1))
        width = a.get(b"width")
        if not (_true(a.get(b"hidden")) or width is not None and _is_zero(width)):
            continue
        lo, hi = int(a.get(b"min", b"0")), int(a.get(b"max", a.get(b"min", b"0")))
        hidden_cols.update(range(max(lo - 1, 0), min(hi - 1, last_col) + 1))
    return hidden_cols


def _hidden_rows(xml: bytes, data_at: int, data_end: int) -> set[int]:
    hidden = set()
    for m in _HIDDEN_TRUE.finditer(xml, data_at, data_end):
        start = xml.rfind(b"<", 0, m.start())
        row = _ROW_R.match(xml, start, xml.find(b">", m.end()) + 1)
        if row is None:
            if _ROW_START.match(xml, start):  # a row that does not say which it is
                return _rows_in_order(xml, data_at, data_end, False)
            continue  # not a row's attribute (text in a cell, say)
        hidden.add(int(row.group(1)) - 1)
    return hidden


def _rows_in_order(xml: bytes, data_at: int, data_end: int, zero_height: bool) -> set[int]:
    """The hidden rows from every row tag: a row without `r` is the one after the last.
    `zero_height`: the rows not listed are hidden too (up to the last row listed)."""
    hidden: set[int] = set()
    shown: set[int] = set()
    row = -1
    for m in _ROW_TAG.finditer(xml, data_at, data_end):
        tag = m.group(1)
        r = _R.search(tag)
        row = int(r.group(1)) - 1 if r and r.group(1).strip().isdigit() else row + 1
        (hidden if _HIDDEN_TRUE.search(tag) else shown).add(row)
    if zero_height and row >= 0:
        hidden.update(set(range(max(hidden | shown) + 1)) - shown)
    return hidden


def _formulas(xml: bytes, data_at: int, data_end: int, prefixed: bool) -> set[tuple[int, int]]:
    formulas: set[tuple[int, int]] = set()
    columns = _COLUMNS
    for m in (_PREFIXED_F if prefixed else _F).finditer(xml, data_at, data_end):
        at = m.start()
        cell = _CELL_R.match(xml, xml.rfind(b"<", 0, at), at)
        if cell is None or cell.end() != at:  # not the first child of a cell that says where
            return _formulas_in_order(xml, data_at, data_end)
        letters, digits = cell.groups()
        col = columns.get(letters)
        if col is None:
            col = columns[letters] = _column_index(letters.decode("ascii"))
        rc = (int(digits) - 1, col)
        formulas.add(rc)
        if b"ref" in m.group(1):
            _formula_range(formulas, rc, m.group(1))
    return formulas


def _is_zero(value: bytes) -> bool:
    try:
        return float(value) == 0
    except ValueError:
        return False


def _formula_range(out: set[tuple[int, int]], rc: tuple[int, int], f_tag: bytes) -> None:
    """An array formula (or a data table) is written in its first cell only, with the range
    it fills: every cell of that range holds the formula's result."""
    a = _attrs(f_tag)
    if a.get(b"t") not in (b"array", b"dataTable") or b"ref" not in a:
        return
    box = _range_ref(a[b"ref"])
    if box is None:
        return
    r0, c0, r1, c1 = box
    if (r1 - r0 + 1) * (c1 - c0 + 1) > _MAX_CELLS:
        raise ValueError("formula range too large")
    out.update((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1))


def _formulas_in_order(xml: bytes, data_at: int, data_end: int) -> set[tuple[int, int]]:
    """The formula cells from every row, cell and formula tag in order, positions counted as
    calamine does: a cell that says where it is (`r`) is there, its row too; one that does
    not is after the last cell of its row, and a row that does not is after the last row."""
    formulas: set[tuple[int, int]] = set()
    row = col = -1
    cell: tuple[int, int] | None = None
    for m in _TOKEN.finditer(xml, data_at, data_end):
        kind, tag = m.group(1), m.group(2)
        if kind == b"row":
            r = _R.search(tag)
            row = int(r.group(1)) - 1 if r and r.group(1).strip().isdigit() else row + 1
            col, cell = -1, None
        elif kind == b"c":
            r = _R.search(tag)
            rc = _cell_ref(r.group(1)) if r else None
            col = rc[1] if rc else col + 1
            cell = rc or (row, col)
        elif cell is not None:  # <f>: in the cell last opened
            formulas.add(cell)
            _formula_range(formulas, cell, tag)
            cell = None
    return formulas


def _xlsx_workbook(
    data: bytes, parts: dict[str, bytes], wanted: frozenset[str] | None = None
) -> WorkbookFacts:
    with _LazyZip(data) as z:

        def read(member: str) -> bytes | None:
            if member in parts:
                return parts[member]
            infos, folded = z.infos()
            name = member if member in infos else folded.get(member.lower())
            if name is None or infos[name].file_size > _MAX_PART:
                return None
            return z.read(name)

        book_path = "xl/workbook.xml"
        book = read(book_path)
        if book is None:  # the workbook part where the package's relationships say it is
            for target, kind in _relationships(read("_rels/.rels") or b"", "").values():
                if kind.endswith("/officeDocument"):
                    book_path = target
                    book = read(book_path)
                    break
        if book is None:
            return WorkbookFacts({})
        folder, base = posixpath.split(book_path)
        rels = read(posixpath.join(folder, "_rels", base + ".rels")) or b""
        targets = _relationships(rels, folder)
        sheets: dict[str, SheetFacts] = {}
        for tag in _SHEET_ENTRY.findall(book):
            a = _attrs(tag)
            rid = next((v for k, v in a.items() if k.endswith(b":id")), None)
            if rid is None or b"name" not in a:
                continue
            name = _xml_unescape(a[b"name"].decode("utf-8", "replace"))
            target, kind = targets.get(rid.decode("utf-8", "replace"), ("", ""))
            if not kind.endswith("/worksheet") or (wanted is not None and name not in wanted):
                continue  # not a worksheet, or one that is not parsed
            try:
                xml = read(target)
            except Exception:
                xml = None
            sheets[name] = xlsx_sheet_facts(xml) if xml else EMPTY
        return WorkbookFacts(sheets, _CALC_PR.search(book) is not None)


class _LazyZip:
    """A workbook's zip, opened only when a part is not among those already unzipped."""

    def __init__(self, data: bytes):
        self.data, self._zip = data, None

    def __enter__(self) -> _LazyZip:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._zip is not None:
            self._zip.close()

    def infos(self) -> tuple[dict[str, zipfile.ZipInfo], dict[str, str]]:
        if self._zip is None:
            self._zip = zipfile.ZipFile(io.BytesIO(self.data))
            self._infos = {i.filename: i for i in self._zip.infolist()}
            self._folded = {name.lower(): name for name in self._infos}
        return self._infos, self._folded

    def read(self, name: str) -> bytes:
        self.infos()
        return self._zip.read(name)  # type: ignore[union-attr]


def _relationships(rels: bytes, folder: str) -> dict[str, tuple[str, str]]:
    """A relationships part: Id → (the target's member name, the relationship's type)."""
    out = {}
    for tag in _RELATIONSHIP.findall(rels):
        a = {k.decode(): v.decode("utf-8", "replace") for k, v in _attrs(tag).items()}
        if a.get("TargetMode", "").lower() == "external" or "Id" not in a:
            continue
        target = _xml_unescape(a.get("Target", ""))
        target = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        out[a["Id"]] = (posixpath.normpath(target), a.get("Type", ""))
    return out


_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def _xml_unescape(s: str) -> str:
    def one(m: re.Match[str]) -> str:
        e = m.group(1)
        if e[0] != "#":
            return _NAMED[e]
        try:
            return chr(int(e[2:], 16) if e[1] in "xX" else int(e[1:]))
        except (ValueError, OverflowError):
            return m.group(0)

    return _ENTITY.sub(one, s) if "&" in s else s
