"""Facts about a workbook's sheets that python-calamine does not give: hidden rows and
columns, which cells hold a formula, an OpenDocument sheet's merged cells, and whether the
workbook asks to be recalculated when opened (its stored formula results may then be 0 or
stale).

Read straight from the workbook's bytes, best effort: what cannot be read (a damaged part,
an unknown layout) gives empty facts for that sheet and never raises. Row and column indices
are 0-based and agree with calamine's `to_python(skip_empty_area=False)` (the sheet's own
positions). Only positions within the sheet's used area are listed: a range of columns
hidden out to XFD, or rows hidden to the end of an OpenDocument sheet, is cut at the last
cell the sheet uses.

- `.xlsx`/`.xlsm`: byte-level regexes over each worksheet part (no XML tree: a return's sheet
  is a few hundred KB and this runs on every file); a scan is skipped when the sheet does not
  contain what it looks for (`hidden=`, `<f`).
- `.xls` (BIFF8, and BIFF5 as far as it goes): the compound file's `Workbook` stream, its ROW,
  COLINFO and FORMULA records, sheet by sheet in the order of the BOUNDSHEET records.
- `.ods`: content.xml through expat, positions counted with the repeat attributes.
- `.xlsb`, `.csv`: nothing (empty facts).
"""

from __future__ import annotations

import codecs
import io
import posixpath
import re
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.parsers import expat

__all__ = ["SheetFacts", "WorkbookFacts", "workbook_facts", "xlsx_sheet_facts", "EMPTY"]


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


def workbook_facts(
    data: bytes,
    fmt: str,
    parts: dict[str, bytes] | None = None,
    wanted: frozenset[str] | None = None,
) -> WorkbookFacts:
    """The facts of every worksheet of a workbook's bytes. `fmt` is read.sniff_format's
    (xlsx, xlsm, xlsb, xls, ods, csv); `parts`: xlsx parts already unzipped, by member name
    (`xl/worksheets/sheet1.xml`), not unzipped again. Never raises."""
    try:
        if fmt in ("xlsx", "xlsm"):
            return _xlsx_workbook(data, parts or {}, wanted)
        if fmt == "xls":
            return _xls_workbook(data, wanted)
        if fmt == "ods":
            return _ods_workbook(data)
    except Exception:
        pass
    return WorkbookFacts({})


# Cells in a formula range (an array formula's) or a repeated OpenDocument cell counted one
# by one up to this many in a sheet; a sheet that asks for more gets empty facts.
_MAX_CELLS = 2_000_000
_MAX_PART = 200 * 2**20  # an xlsx part or content.xml larger than this, unzipped, is not read
_EXCEL_LAST_COL = 16383  # XFD


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


# ---------------------------------------------------------------- xls (BIFF)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FREE = 0xFFFFFFFA  # sector ids from here up are markers (end of chain, free, FAT, DIFAT)


def _ole_stream(data: bytes, wanted: tuple[str, ...]) -> bytes | None:
    """The first of the `wanted` streams (names compared without case) of a compound file
    (MS-CFB, version 3 or 4), or None."""
    if len(data) < 512 or not data.startswith(_OLE_MAGIC):
        return None
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if shift not in (9, 12) or mini_shift != 6:
        return None
    size = 1 << shift
    n_fat, dir_start = struct.unpack_from("<II", data, 0x2C)
    cutoff, mini_fat_start, n_mini_fat, difat_start, n_difat = struct.unpack_from(
        "<IIIII", data, 0x38
    )
    per_sector = size // 4

    def sector(sid: int) -> bytes:
        start = (sid + 1) << shift
        block = data[start : start + size]
        if len(block) < size:
            raise ValueError("sector beyond the end of the file")
        return block

    difat = list(struct.unpack_from("<109I", data, 0x4C))
    sid, seen = difat_start, 0
    while sid < _FREE and seen <= n_difat:
        ids = struct.unpack(f"<{per_sector}I", sector(sid))
        difat.extend(ids[:-1])
        sid, seen = ids[-1], seen + 1
    fat: list[int] = []
    for sid in difat[:n_fat]:
        if sid >= _FREE:
            break
        fat.extend(struct.unpack(f"<{per_sector}I", sector(sid)))

    def chain(start: int, table: list[int]) -> list[int]:
        out = []
        sid = start
        while sid < _FREE:
            if sid >= len(table) or len(out) > len(table):
                raise ValueError("broken sector chain")
            out.append(sid)
            sid = table[sid]
        return out

    def read(start: int) -> bytes:
        return b"".join(sector(s) for s in chain(start, fat))

    directory = read(dir_start)
    entries = []
    for at in range(0, len(directory) - 127, 128):
        name_len = struct.unpack_from("<H", directory, at + 64)[0]
        name = directory[at : at + max(min(name_len, 64) - 2, 0)].decode("utf-16-le", "replace")
        kind = directory[at + 66]
        start, length = struct.unpack_from("<II", directory, at + 116)
        entries.append((name.lower(), kind, start, length))
    if not entries or entries[0][1] != 5:  # the root storage comes first
        return None
    for want in wanted:
        for name, kind, start, length in entries:
            if kind != 2 or name != want.lower():
                continue
            if length >= cutoff:
                return read(start)[:length]
            # a small stream lives in the mini stream (the root's), in 64-byte sectors
            mini_stream = read(entries[0][2])
            mini_fat_bytes = read(mini_fat_start) if n_mini_fat else b""
            mini_fat = list(struct.unpack(f"<{len(mini_fat_bytes) // 4}I", mini_fat_bytes))
            stream = b"".join(mini_stream[s * 64 : s * 64 + 64] for s in chain(start, mini_fat))
            if len(stream) < length:
                raise ValueError("mini stream cut short")
            return stream[:length]
    return None


_BOF, _EOF, _BOUNDSHEET, _CODEPAGE, _FILEPASS = 0x0809, 0x000A, 0x0085, 0x0042, 0x002F
_ROW, _COLINFO, _FORMULA, _DEFAULTROWHEIGHT = 0x0208, 0x007D, 0x0006, 0x0225
_UNPACK_HEADER = struct.Struct("<HH").unpack_from


def _xls_workbook(data: bytes, wanted: frozenset[str] | None = None) -> WorkbookFacts:
    stream = _ole_stream(data, ("Workbook", "Book"))
    if stream is None or len(stream) < 8:
        return WorkbookFacts({})
    kind, length = _UNPACK_HEADER(stream, 0)
    if kind != _BOF:
        return WorkbookFacts({})
    biff8 = struct.unpack_from("<H", stream, 4)[0] == 0x0600
    encoding = "latin-1"
    bound: list[tuple[bytes, int, int]] = []  # (name's bytes and flag, BOF offset, sheet type)
    pos = 4 + length
    while pos + 4 <= len(stream):
        kind, length = _UNPACK_HEADER(stream, pos)
        body = stream[pos + 4 : pos + 4 + length]
        if kind == _EOF:
            break
        if kind == _FILEPASS:  # encrypted: the records' bodies cannot be read
            return WorkbookFacts({})
        if kind == _CODEPAGE and len(body) >= 2:
            encoding = _codepage(struct.unpack_from("<H", body)[0])
        elif kind == _BOUNDSHEET and len(body) >= 8:
            offset, sheet_type = struct.unpack_from("<I", body)[0], body[5]
            bound.append((body[6:], offset, sheet_type))
        pos += 4 + length
    sheets: dict[str, SheetFacts] = {}
    for raw, offset, sheet_type in bound:
        name = _biff_name(raw, biff8, encoding)
        if name is None or sheet_type != 0:  # a chart, a macro sheet, a VBA module
            continue
        if wanted is not None and name not in wanted:
            continue  # a sheet not parsed (the report does not use it)
        try:
            sheets[name] = _biff_sheet(stream, offset)
        except Exception:
            sheets[name] = EMPTY
    return WorkbookFacts(sheets)


def _codepage(number: int) -> str:
    if number in (1200, 0x8000, 0x8001):  # UTF-16 (BIFF8 strings say so themselves), Mac Roman
        return "latin-1" if number == 1200 else "mac-roman"
    try:
        return codecs.lookup(f"cp{number}").name
    except LookupError:
        return "latin-1"


def _biff_name(raw: bytes, biff8: bool, encoding: str) -> str | None:
    """A BOUNDSHEET's name: BIFF8 a short unicode string (length, flags, characters
    compressed to one byte or UTF-16), BIFF5 a length and bytes in the workbook's code page."""
    if not raw:
        return None
    n = raw[0]
    if biff8:
        if len(raw) < 2:
            return None
        if raw[1] & 1:
            return raw[2 : 2 + 2 * n].decode("utf-16-le", "replace")
        return raw[2 : 2 + n].decode("latin-1")
    return raw[1 : 1 + n].decode(encoding, "replace")


def _biff_sheet(stream: bytes, offset: int) -> SheetFacts:
    """A worksheet's substream: from its BOF to its EOF, substreams inside it (an embedded
    chart's) left out."""
    kind, length = _UNPACK_HEADER(stream, offset)
    if kind != _BOF:
        return EMPTY
    rows: dict[int, bool] = {}  # row → hidden
    cols: set[int] = set()
    formulas: set[tuple[int, int]] = set()
    default_hidden = False
    depth = 1
    pos = offset + 4 + length
    end = len(stream)
    unpack = _UNPACK_HEADER
    while pos + 4 <= end:
        kind, length = unpack(stream, pos)
        at = pos + 4
        pos = at + length
        if kind == _FORMULA:
            if depth == 1 and length >= 4:
                formulas.add(unpack(stream, at))
        elif kind == _ROW:
            if depth == 1 and length >= 14:
                row = unpack(stream, at)[0]
                rows[row] = bool(stream[at + 12] & 0x20)  # fDyZero
        elif kind == _COLINFO:
            if depth == 1 and length >= 10 and stream[at + 8] & 1:  # fHidden
                first, last = unpack(stream, at)
                cols.update(range(first, min(last, 255) + 1))
        elif kind == _DEFAULTROWHEIGHT:
            if depth == 1 and length >= 2:
                default_hidden = bool(stream[at] & 0x02)  # fDyZero: rows not listed are hidden
        elif kind == _BOF:
            depth += 1
        elif kind == _EOF:
            depth -= 1
            if depth == 0:
                break
    hidden = {r for r, h in rows.items() if h}
    if default_hidden and rows:
        hidden.update(r for r in range(max(rows) + 1) if r not in rows)
    return SheetFacts(frozenset(hidden), frozenset(cols), None, frozenset(formulas))


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
