"""`.xls` (BIFF8, BIFF5 as far as it goes): the compound file's `Workbook` stream."""

from __future__ import annotations

import codecs
import re
import struct

from .base import EMPTY, SheetFacts, WorkbookFacts

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
_BOOLERR = 0x0205
_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?",
           0x24: "#NUM!", 0x2A: "#N/A"}  # fmt: skip
_UNPACK_HEADER = struct.Struct("<HH").unpack_from


# Records that hide rows or columns, whole in the reassembled stream: ROW (0x0208, 16 bytes)
# with fDyZero (0x20) in its options, COLINFO (0x007D, 12 bytes) with fHidden (0x01),
# DEFAULTROWHEIGHT (0x0225, 4 bytes) with rows hidden by default (0x02). Bytes that only look
# like one send the workbook to the full walk, never past it.
def _byte_class(bit: int) -> bytes:
    """A regex class of the bytes with `bit` set."""
    return b"[" + b"".join(re.escape(bytes([b])) for b in range(256) if b & bit) + b"]"


_HIDDEN_MARKS = (
    re.compile(rb"\x08\x02\x10\x00.{12}" + _byte_class(0x20), re.S),  # ROW
    re.compile(rb"\x7d\x00\x0c\x00.{8}" + _byte_class(0x01), re.S),  # COLINFO
    re.compile(rb"\x25\x02\x04\x00" + _byte_class(0x02), re.S),  # DEFAULTROWHEIGHT
)


def _xls_workbook(data: bytes, wanted: frozenset[str] | None = None) -> WorkbookFacts:
    stream = _ole_stream(data, ("Workbook", "Book"))
    if stream is None or len(stream) < 8:
        return WorkbookFacts({})
    kind, length = _UNPACK_HEADER(stream, 0)
    if kind != _BOF:
        return WorkbookFacts({})
    if not any(mark.search(stream) for mark in _HIDDEN_MARKS):
        # no record that can hide a row or a column: nothing to walk the records for (a
        # legacy workbook always stores its formulas' results, so they need no finding)
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


def error_cells(data: bytes) -> dict[str, dict[tuple[int, int], str]]:
    """Cells whose stored value is an error (`#DIV/0!`), by sheet name: a FORMULA record whose
    cached result is an error, a BOOLERR record with its error flag. calamine reads them as
    blank; asked only for a needed figure that reads blank."""
    stream = _ole_stream(data, ("Workbook", "Book"))
    if stream is None or len(stream) < 8 or _UNPACK_HEADER(stream, 0)[0] != _BOF:
        return {}
    biff8 = struct.unpack_from("<H", stream, 4)[0] == 0x0600
    encoding, bound = "latin-1", []
    pos = 4 + _UNPACK_HEADER(stream, 0)[1]
    while pos + 4 <= len(stream):
        kind, length = _UNPACK_HEADER(stream, pos)
        body = stream[pos + 4 : pos + 4 + length]
        if kind == _EOF or kind == _FILEPASS:
            break
        if kind == _CODEPAGE and len(body) >= 2:
            encoding = _codepage(struct.unpack_from("<H", body)[0])
        elif kind == _BOUNDSHEET and len(body) >= 8:
            bound.append((body[6:], struct.unpack_from("<I", body)[0], body[5]))
        pos += 4 + length
    out: dict[str, dict[tuple[int, int], str]] = {}
    for raw, offset, sheet_type in bound:
        name = _biff_name(raw, biff8, encoding)
        if name is not None and sheet_type == 0:
            try:
                out[name] = _errors_of(stream, offset)
            except (struct.error, ValueError):
                out[name] = {}
    return out


def _errors_of(stream: bytes, offset: int) -> dict[tuple[int, int], str]:
    if _UNPACK_HEADER(stream, offset)[0] != _BOF:
        return {}
    out: dict[tuple[int, int], str] = {}
    depth, pos = 1, offset + 4 + _UNPACK_HEADER(stream, offset)[1]
    while pos + 4 <= len(stream):
        kind, length = _UNPACK_HEADER(stream, pos)
        at, pos = pos + 4, pos + 4 + length
        if depth == 1 and kind == _FORMULA and length >= 14:
            result = stream[at + 6 : at + 14]
            if result[6:8] == b"\xff\xff" and result[0] == 2:  # an error, its code in byte 2
                out[_UNPACK_HEADER(stream, at)] = _ERRORS.get(result[2], "#错误")
        elif depth == 1 and kind == _BOOLERR and length >= 8 and stream[at + 7] == 1:
            out[_UNPACK_HEADER(stream, at)] = _ERRORS.get(stream[at + 6], "#错误")
        elif kind == _BOF:
            depth += 1
        elif kind == _EOF:
            depth -= 1
            if depth == 0:
                break
    return out
