"""Reading workbooks: bytes on disk → sheets of raw cell values, merged ranges, visibility.

python-calamine does the parsing (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`). The file's
real format is sniffed from its first bytes, so a `.xls` saved under a `.xlsx` name still
reads, and a text file, an encrypted workbook or an HTML page named `.xls` is reported as
what it is. Each sheet is parsed once, with `skip_empty_area=False` so that row and column
indices are the sheet's own (they then agree with `merged_cell_ranges`).
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import python_calamine as pc

from ..errors import WorkbookError
from . import guard, sheetfacts
from .sheetfacts.xls import error_cells

UnusedReason = Callable[[str], "str | None"]  # a sheet's name → why it is not parsed, or None

# .et/.ett: WPS 表格's own format, a BIFF8 workbook (read by its content, like any other)
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv", ".et", ".ett")

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_ZIP_END = b"PK\x05\x06"  # the end-of-central-directory record every zip ends with
_WORD_STREAM = "WordDocument".encode("utf-16-le")
# The stream a legacy workbook keeps its sheets in: `Workbook` (Excel 97 and later) or
# `Book` (Excel 5/95), each a compound-file directory name in UTF-16 ended by a 0 character.
_WORKBOOK_STREAMS = tuple(n.lower().encode("utf-16-le") + b"\0\0" for n in ("Workbook", "Book"))


def _has_workbook_stream(data: bytes) -> bool:
    """Whether a compound file names a workbook stream (names compare without case)."""
    lowered = data.lower()
    return any(name in lowered for name in _WORKBOOK_STREAMS)


class ReadError(WorkbookError):
    """A file that cannot be read as a workbook. `code` is a finding code (findings.KINDS)."""

    def __init__(self, code: str, message: str, hint: str):
        super().__init__(message, hint, code)


@dataclass(frozen=True, slots=True)
class Merge:
    """A merged range, 0-based and inclusive."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int

    def __contains__(self, rc: tuple[int, int]) -> bool:
        r, c = rc
        return self.first_row <= r <= self.last_row and self.first_col <= c <= self.last_col


@dataclass
class Sheet:
    name: str
    index: int
    visible: bool
    rows: list[list[Any]]
    merges: list[Merge] = field(default_factory=list)
    unused: str = ""  # why it was not parsed: the config says the report does not use it
    hidden_rows: frozenset[int] = frozenset()  # rows hidden in Excel (0-based)
    hidden_cols: frozenset[int] = frozenset()
    formulas: frozenset[tuple[int, int]] = frozenset()  # cells holding a formula, where known
    # A table's window onto a sheet with its rows and columns swapped (records along the
    # columns read as records along rows): `address` gives the sheet's own cell.
    transposed: bool = False

    def address(self, row: int, col: int) -> str:
        """The A1 address in the workbook of this sheet's (row, col)."""
        return cell_address(col, row) if self.transposed else cell_address(row, col)

    def origin(self, row: int, col: int) -> tuple[int, int]:
        """(row, col) in the workbook's sheet."""
        return (col, row) if self.transposed else (row, col)

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @cached_property
    def n_cols(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def cell(self, row: int, col: int) -> Any:
        if 0 <= row < len(self.rows):
            r = self.rows[row]
            if 0 <= col < len(r):
                v = r[col]
                return None if v == "" else v
        return None

    @property
    def is_empty(self) -> bool:
        return not any(v not in ("", None) for r in self.rows for v in r)

    @cached_property
    def merge_at(self) -> dict[tuple[int, int], Merge]:
        """Every cell covered by a merged range → that range (within the cells the sheet has:
        a range merged down a whole column covers a million rows that hold nothing)."""
        out: dict[tuple[int, int], Merge] = {}
        for m in self.merges:
            for r in range(m.first_row, min(m.last_row, self.n_rows - 1) + 1):
                for c in range(m.first_col, min(m.last_col, self.n_cols - 1) + 1):
                    out[(r, c)] = m
        return out

    def filled(self, row: int, col: int) -> Any:
        """The cell's value, or the value of the merged range that covers it."""
        m = self.merge_at.get((row, col))
        if m is not None:
            return self.cell(m.first_row, m.first_col)
        return self.cell(row, col)


@dataclass
class Workbook:
    path: Path
    format: str
    sheets: list[Sheet]
    sha256: str
    data: bytes = field(repr=False, default=b"")
    # the workbook asks to be recalculated when opened (fullCalcOnLoad, as programs that
    # write workbooks set it): a formula's stored result may be 0 or stale
    recalc_on_open: bool = False

    def formula_at(self, sheet_name: str, row: int, col: int) -> bool:
        return (row, col) in self._formulas.get(sheet_name, ())

    @cached_property
    def _formulas(self) -> dict[str, frozenset[tuple[int, int]]]:
        return {s.name: s.formulas for s in self.sheets if s.formulas}

    @cached_property
    def recalc_risk(self) -> bool:
        """Asks to be recalculated when opened and holds formulas: their stored results may
        be 0 or stale."""
        return self.recalc_on_open and bool(self._formulas)

    @cached_property
    def _xlsx_parts(self) -> dict[str, str]:
        """Sheet name → path of its XML part (xlsx/xlsm only)."""
        if self.format not in ("xlsx", "xlsm"):
            return {}
        try:
            with zipfile.ZipFile(io.BytesIO(self.data)) as z:
                wb = z.read("xl/workbook.xml").decode("utf-8", "replace")
                rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
        except (KeyError, zipfile.BadZipFile):
            return {}
        targets = {
            m.group(1): m.group(2)
            for m in re.finditer(r'<Relationship[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)
        }
        targets.update(
            {
                m.group(2): m.group(1)
                for m in re.finditer(r'<Relationship[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)
            }
        )
        parts = {}
        for m in re.finditer(r"<sheet\b([^>]*)/?>", wb):
            attrs = m.group(1)
            name = re.search(r'name="([^"]*)"', attrs)
            rid = re.search(r'r:id="([^"]*)"', attrs)
            if name and rid and rid.group(1) in targets:
                target = targets[rid.group(1)].lstrip("/")
                parts[_xml_unescape(name.group(1))] = (
                    target if target.startswith("xl/") else "xl/" + target
                )
        return parts

    def blank_cell_causes(self, sheet_name: str) -> dict[tuple[int, int], str]:
        """Cells that read as blank but are not: formulas with no cached value, error values.

        calamine returns '' for both. `.xlsx`/`.xlsm` keep enough to tell both, `.xls` its
        error values (a legacy workbook stores every formula's result); the result
        maps (row, col) to `formula` (no cached value) or the error text (`#DIV/0!`).
        """
        cache = self.__dict__.setdefault("_blank_causes", {})
        if sheet_name in cache:
            return cache[sheet_name]
        out: dict[tuple[int, int], str] = {}
        if self.format == "xls":  # error results of formulas, error cells
            cache[sheet_name] = error_cells(self.data).get(sheet_name, {})
            return cache[sheet_name]
        part = self._xlsx_parts.get(sheet_name)
        if part:
            try:
                with zipfile.ZipFile(io.BytesIO(self.data)) as z:
                    xml = z.read(part).decode("utf-8", "replace")
            except (KeyError, zipfile.BadZipFile):
                xml = ""
            for m in re.finditer(r'<c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', xml, re.S):
                attrs, body = m.group(3), m.group(4) or ""
                rc = (int(m.group(2)) - 1, column_index(m.group(1)))
                if 't="e"' in attrs:
                    v = re.search(r"<v>(.*?)</v>", body, re.S)
                    out[rc] = v.group(1) if v else "#错误"
                elif "<f" in body and not re.search(r"<v>[^<]+</v>", body):
                    out[rc] = "formula"
        cache[sheet_name] = out
        return out


def _xml_unescape(s: str) -> str:
    return (
        s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def column_letter(col: int) -> str:
    """0-based column index → `A`, `B`, … `AA`."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def cell_address(row: int, col: int) -> str:
    """0-based (row, col) → A1 address."""
    return f"{column_letter(col)}{row + 1}"


def sniff_format(data: bytes, suffix: str) -> str:
    """The workbook format by content; raises ReadError for what is not a workbook."""
    if not data:
        raise ReadError("empty_file", "文件为空（0 字节）", "请向学校重新索取该文件。")
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_STREAM in data:
            raise ReadError(
                "encrypted",
                "工作簿设有打开密码（已加密），无法读取",
                "请学校去掉密码后重新报送，或在 Excel 中输入密码后另存为不加密的 .xlsx。",
            )
        if not _has_workbook_stream(data):
            what = (
                f"文件是 Word 文档，只是扩展名为 {suffix or '无'}"
                if _WORD_STREAM in data
                else "文件不是可读取的 Excel 工作簿：其中找不到工作簿数据（可能是其他 Office 文件改了扩展名，或文件已损坏）"
            )
            raise ReadError(
                "not_workbook",
                what,
                "请确认是否放错了文件；若是报表，请向学校重新索取 Excel 工作簿。",
            )
        return "xls"
    if data.startswith(_ZIP_MAGIC):
        if _ZIP_END not in data[-65557:]:  # the archive's directory is at its end: cut off
            raise ReadError(
                "corrupt",
                "文件不完整（压缩包的末尾缺失，多半是下载或复制时中断）",
                "请向学校重新索取该文件。",
            )
        # The common case without opening the archive: its part names are stored in clear.
        head = data[:4096]
        if b"mimetypeapplication/vnd.oasis.opendocument" in head:
            return "ods"
        if (
            b"xl/workbook.xml" in data[-65536:]
            or b"[Content_Types].xml" in head
            and b"xl/" in data[-65536:]
        ):
            if b"xl/workbook.bin" in data[-65536:]:
                return "xlsb"
            return "xlsm" if suffix == ".xlsm" else "xlsx"
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except zipfile.BadZipFile as exc:
            raise ReadError(
                "corrupt", f"文件已损坏（压缩包结构错误：{exc}）", "请向学校重新索取该文件。"
            ) from exc
        if "content.xml" in names and "mimetype" in names:
            return "ods"
        if "xl/workbook.bin" in names:
            return "xlsb"
        if "xl/workbook.xml" in names:
            return "xlsm" if suffix == ".xlsm" else "xlsx"
        raise ReadError(
            "not_workbook",
            "文件是压缩包，但不是 Excel 工作簿",
            "请确认文件内容，另存为 .xlsx 后重新放入。",
        )
    head = data[:512].lstrip().lower()
    if head.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml")) or b"<html" in head:
        raise ReadError(
            "html_as_excel",
            "文件实际是网页（HTML）格式，只是扩展名为 Excel",
            "请在 Excel 中打开后“另存为” .xlsx 工作簿，再重新放入。",
        )
    raise ReadError(
        "not_workbook",
        f"文件不是 Excel 工作簿（扩展名为 {suffix or '无'}，但内容不是）",
        "请确认是否放错了文件；若是 Excel 文件，请在 Excel 中另存为 .xlsx。",
    )


def parse_sheets(data: bytes, unused: UnusedReason | None = None) -> list[Sheet]:
    """Every worksheet of a workbook's bytes, parsed by python-calamine, but for those that
    `unused` gives a reason for (their names are known before they are parsed: they come
    back empty, with the reason). Anything the parser raises, a panic of its own included,
    is a ReadError."""
    try:
        book = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for i, meta in enumerate(book.sheets_metadata):
            if meta.typ != pc.SheetTypeEnum.WorkSheet:
                continue
            visible = meta.visible == pc.SheetVisibleEnum.Visible
            reason = unused(meta.name) if unused is not None else None
            if reason is not None:
                sheets.append(Sheet(meta.name, i, visible, [], unused=reason))
                continue
            s = book.get_sheet_by_index(i)
            rows = s.to_python(skip_empty_area=False)
            merges = [Merge(a[0], a[1], b[0], b[1]) for a, b in (s.merged_cell_ranges or [])]
            sheets.append(Sheet(meta.name, i, visible, rows, merges))
    except pc.PasswordError as exc:
        raise ReadError(
            "encrypted", "工作簿设有密码保护，无法读取", "请学校去掉密码后重新报送。"
        ) from exc
    except (pc.CalamineError, ValueError, OSError) as exc:
        raise ReadError(
            "corrupt",
            f"文件已损坏，无法解析（解析程序报告：{exc}）",
            "请在 Excel 中打开并另存为 .xlsx；若打不开，请向学校重新索取。",
        ) from exc
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # a panic of the Rust parser is a BaseException
        raise ReadError(
            "corrupt",
            f"文件无法解析（读取程序出错：{type(exc).__name__}）",
            "请在 Excel 中打开并另存为 .xlsx；若打不开，请向学校重新索取。",
        ) from exc
    return sheets


def looks_garbled(text: str) -> bool:
    """Text from an Excel 95 `.xls` whose GBK bytes were read as Latin-1/UTF-16."""
    return "\x00" in text or "\ufffd" in text


def read_workbook(path: str | Path, unused: UnusedReason | None = None) -> Workbook:
    """Read every sheet of a workbook (but those `unused` gives a reason for). Raises
    ReadError (naming the file) for anything unreadable."""
    try:
        return _read_workbook(Path(path), unused)
    except ReadError as exc:
        exc.file = str(path)
        raise


def _read_workbook(path: Path, unused: UnusedReason | None) -> Workbook:
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ReadError("missing_file", "文件不存在", "请检查路径。") from exc
    except OSError as exc:
        raise ReadError(
            "unreadable",
            f"无法打开文件：{exc.strerror or exc}",
            "请检查文件是否被其他程序占用或无读取权限。",
        ) from exc
    if path.suffix.lower() == ".csv" and data and not data.startswith((_OLE_MAGIC, _ZIP_MAGIC)):
        from . import csvfile  # (it builds on this module's Sheet and ReadError)

        return Workbook(
            path,
            "csv",
            [csvfile.read_csv_sheet(data, path.stem)],
            hashlib.sha256(data).hexdigest(),
            data,
        )
    fmt = sniff_format(data, path.suffix.lower())
    parts: dict[str, bytes] = {}
    try:
        reason = guard.suspicion(data, fmt, unused, parts)
    except guard.Refused as exc:
        raise ReadError(
            exc.code,
            f"文件不能读取：{exc}",
            "请确认文件是否正确；若是学校报来的报表，请向学校重新索取。",
        ) from exc
    if reason is None:
        sheets = guard.quietly(parse_sheets, data, unused)  # a panic's text: not on screen
    else:  # parsed where running out of memory ends one process, not the batch
        try:
            sheets = guard.run_isolated(parse_sheets, data, unused)
        except guard.IsolatedFailure as exc:
            raise ReadError(
                "too_large",
                f"文件不能读取：{reason}；{exc}",
                "多半是远处有多余的单元格或格式：请在 Excel 中删除多余的行列后另存；若文件损坏，请向学校重新索取。",
            ) from exc
    if not sheets:
        raise ReadError("no_sheets", "工作簿中没有工作表", "请向学校重新索取该文件。")
    for s in sheets:
        top = "".join([v for row in s.rows[:30] for v in row if isinstance(v, str)])
        if looks_garbled(top):
            raise ReadError(
                "garbled_text",
                f"工作表“{s.name}”中的中文无法正确读取（可能是 Excel 95 格式的旧 .xls）",
                "请在 Excel 或 WPS 中打开并另存为 .xlsx 后重新放入。",
            )
    facts = (
        sheetfacts.workbook_facts(
            data, fmt, parts, frozenset(s.name for s in sheets if not s.unused)
        )
        if reason is None and not sheetfacts.nothing_hidden(fmt, parts)
        else sheetfacts.WorkbookFacts()
    )
    for s in sheets:
        _apply_facts(s, facts.sheet(s.name))
    wb = Workbook(path, fmt, sheets, hashlib.sha256(data).hexdigest(), data)
    wb.recalc_on_open = facts.recalc_on_open
    return wb


def _apply_facts(sheet: Sheet, facts: sheetfacts.SheetFacts) -> None:
    """What calamine does not give: hidden rows and columns, formula cells, an OpenDocument
    sheet's merged (spanned) cells."""
    sheet.hidden_rows = frozenset(r for r in facts.hidden_rows if r < sheet.n_rows)
    sheet.hidden_cols = frozenset(c for c in facts.hidden_cols if c < sheet.n_cols)
    sheet.formulas = facts.formulas
    if facts.merges and not sheet.merges:
        sheet.merges = [Merge(*m) for m in facts.merges if m[0] < sheet.n_rows]
