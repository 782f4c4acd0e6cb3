"""A CSV return as a one-sheet workbook, and the text of a text file (UTF-8, UTF-16 with
its BOM, or GBK)."""

from __future__ import annotations

import csv
import io

from . import guard
from .read import ReadError, Sheet

_TEXT_ENCODINGS = ("utf-8-sig", "gb18030")
_CSV_FIELD_LIMIT = (
    2**31 - 1
)  # the default (128 KiB) fails a long note; a C long on Windows is 32 bits


def decode_text(data: bytes) -> str:
    """A text file's text: UTF-8 (with or without BOM), UTF-16 with its BOM, or GBK (the
    Chinese Windows default, read as its superset GB18030). Raises ReadError otherwise."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in _TEXT_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReadError(
        "garbled_text",
        "文件的编码无法识别（不是 UTF-8，也不是 GBK）",
        "请在 Excel 中打开并另存为 .xlsx，或另存为 UTF-8 编码的 CSV。",
    )


def read_csv_sheet(data: bytes, name: str) -> Sheet:
    """A CSV return as a one-sheet workbook: its cells as text (`010400` keeps its zero;
    numbers are read by the cleaning step like numbers typed as text)."""
    if not data:
        raise ReadError("empty_file", "文件为空（0 字节）", "请向学校重新索取该文件。")
    text = decode_text(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    csv.field_size_limit(_CSV_FIELD_LIMIT)
    try:
        # newline="": csv sees every line end, a bare CR (Excel for Mac's CSV) too
        rows = [list(row) for row in csv.reader(io.StringIO(text, newline=""), dialect)]
    except csv.Error as exc:
        raise ReadError(
            "corrupt",
            f"CSV 文件无法按表格读取（{exc}）",
            "请在 Excel 中打开并另存为 .xlsx 后重新放入。",
        ) from exc
    width = max((len(r) for r in rows), default=0)
    if len(rows) * width > guard.MAX_CELLS:
        raise ReadError(
            "too_large",
            f"CSV 文件有 {len(rows):,} 行、最多 {width:,} 列，远超一份报表应有的大小",
            "请确认文件是否正确；若是学校报来的报表，请向学校重新索取。",
        )
    rows = [r + [""] * (width - len(r)) for r in rows]
    if not any(v.strip() for r in rows for v in r):
        raise ReadError("no_sheets", "CSV 文件中没有内容", "请向学校重新索取该文件。")
    return Sheet(name[:31], 0, True, rows, [])
