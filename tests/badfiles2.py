"""The corpus's second half (tests/badfiles.py builds the first): cell error values, the
parts of an .xlsx that other programs write or leave out, CSV as Chinese Windows saves it,
and what else lands in a return folder in December. Each kind whose file must read as a good
return is about a school of its own (`SCHOOLS`, in the test's roster), so that its figures
can be checked in the lineage."""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

from builders import SheetSpec, national_teacher_form, retyped_major_table, write_xls, write_xlsx

# Schools of the kinds whose figures are checked (one each: a school's figure that two
# files report is kept from one of them only).
SCHOOLS = [
    f"{place}{kind}"
    for kind in ("职业技术学校", "职业中专")
    for place in (
        "宁城县",
        "林西县",
        "巴林左旗",
        "巴林右旗",
        "阿鲁科尔沁旗",
        "克什克腾旗",
        "翁牛特旗",
        "喀喇沁旗",
        "敖汉旗",
        "元宝山区",
        "红山区",
        "平庄",
        "大板",
        "天山",
        "经棚",
        "乌丹",
        "锦山",
        "新惠",
        "八里罕",
        "大营子",
        "小城子",
        "桥头",
        "美林",
        "岗子",
        "五分地",
        "风水沟",
        "乌兰",
        "太平地",
        "浩尔吐",
        "白音",
        "达来",
        "西拉木伦",
    )
]

# Kinds tongji still handles wrongly, with what is wrong and where it is to be fixed; the
# corpus says what is right for them (the test skips them with this reason).
KNOWN_WRONG: dict[str, str] = {}  # kinds tongji still gets wrong: name → where to fix

Edit = Callable[[str, bytes], bytes | None]


def rezip(
    data: bytes, *edits: Edit, add: dict[str, bytes] | None = None, zip64=False, **kw
) -> bytes:
    """An .xlsx's parts, each passed through the `edits` (`edit(name, data)`; None: left
    out), `add`ed after; `kw` for the new archive (compression), `zip64`: every entry in the
    zip64 format (as a library writing large files does)."""
    buf = io.BytesIO()
    kw.setdefault("compression", zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w", **kw) as out:
        parts = [(info.filename, src.read(info)) for info in src.infolist()]
        for name, part in [*parts, *(add or {}).items()]:
            for edit in edits:
                part = edit(name, part) if part is not None else None
            if part is None:
                continue
            with out.open(
                zipfile.ZipInfo(name, (2020, 12, 1, 8, 0, 0)), "w", force_zip64=zip64
            ) as f:
                f.write(part)
    return buf.getvalue()


def sub(part: str, *pairs: tuple[bytes, bytes]) -> Edit:
    """An edit of one part by regular expressions."""

    def edit(name: str, data: bytes) -> bytes | None:
        if name == part:
            for pattern, replacement in pairs:
                data = re.sub(pattern, replacement, data, flags=re.S)
        return data

    return edit


SHEET1 = "xl/worksheets/sheet1.xml"
WORKBOOK = "xl/workbook.xml"
D10 = rb'<c r="D10"([^>]*?)( t="\w+")?><v>[^<]*</v></c>'  # the 专任教师 合计 cell


def _xlsx(folder: Path, sheets: list[SheetSpec]) -> bytes:
    path = write_xlsx(folder / "tmp_plain.xlsx", sheets)
    data = path.read_bytes()
    path.unlink()
    return data


def _d10(cell: bytes) -> tuple[bytes, bytes]:
    return D10, b'<c r="D10"\\1' + cell + b"</c>"


def _biff5(cells: dict[tuple[int, int], object], name: str, codepage: int = 936) -> bytes:
    """An Excel 95 (BIFF5) .xls of one sheet: byte strings in the workbook's code page, no
    shared strings, no merges; in a compound file whose stream is named `Book`."""

    def rec(kind: int, body: bytes) -> bytes:
        return struct.pack("<HH", kind, len(body)) + body

    def text(s: str) -> bytes:
        return s.encode("gbk" if codepage == 936 else "latin-1", "replace")

    sheet = [rec(0x0809, struct.pack("<HHHH", 0x0500, 0x0010, 0x0DBB, 0x07CC))]
    rows = max(r for r, _ in cells) + 1
    cols = max(c for _, c in cells) + 1
    sheet.append(rec(0x0200, struct.pack("<HHHHH", 0, rows, 0, cols, 0)))
    for (r, c), v in sorted(cells.items()):
        if isinstance(v, (int, float)):
            sheet.append(rec(0x0203, struct.pack("<HHHd", r, c, 15, float(v))))
        else:
            b = text(str(v))
            sheet.append(rec(0x0204, struct.pack("<HHHH", r, c, 15, len(b)) + b))
    sheet.append(rec(0x000A, b""))
    head = [
        rec(0x0809, struct.pack("<HHHH", 0x0500, 0x0005, 0x0DBB, 0x07CC)),
        rec(0x0042, struct.pack("<H", codepage)),
    ]
    font = rec(0x0031, struct.pack("<HHHHHBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0) + b"\x05Arial")
    head += [font] * 5
    xf = rec(0x00E0, struct.pack("<HHHHHHHH", 0, 0, 0xFFF5, 0x20, 0, 0, 0, 0))
    head += [xf] * 15 + [rec(0x00E0, struct.pack("<HHHHHHHH", 0, 0, 0x0001, 0x20, 0, 0, 0, 0))]
    bname = text(name)
    sheet_entry_len = 4 + 6 + 1 + len(bname)
    globals_len = sum(map(len, head)) + sheet_entry_len + 4
    head.append(rec(0x0085, struct.pack("<IBBB", globals_len, 0, 0, len(bname)) + bname))
    head.append(rec(0x000A, b""))
    stream = b"".join(head) + b"".join(sheet)
    from xlwt.CompoundDoc import XlsDoc

    out = io.BytesIO()
    XlsDoc().save(out, stream)
    book = out.getvalue()
    at = book.index("Workbook".encode("utf-16-le") + b"\0\0")
    entry = "Book".encode("utf-16-le")
    return book[:at] + entry + b"\0" * (64 - len(entry)) + b"\x0a\x00" + book[at + 66 :]


def _csv(spec: SheetSpec, sep: str = ",", end: str = "\r\n", ragged: bool = False) -> str:
    rows = []
    width = max(c for _, c in spec.cells) + 1
    for r in range(max(r for r, _ in spec.cells) + 1):
        row = [str(spec.cells.get((r, c), "")) for c in range(width)]
        while ragged and row and not row[-1]:
            row.pop()
        rows.append(sep.join(f'"{v}"' if sep in v or '"' in v else v for v in row))
    return end.join(rows) + end


def build_more(folder: Path) -> list:
    from badfiles import Bad

    out: list[Bad] = []
    schools = iter(SCHOOLS)

    def form(total: object = 100, school: str | None = None) -> SheetSpec:
        return national_teacher_form(school=school or next(schools), total=total)

    def put(name: str | bytes, data: bytes, code: str | None, severity: str = "error", **kw):
        path = os.path.join(os.fsencode(folder), name) if isinstance(name, bytes) else folder / name
        with open(path, "wb") as f:
            f.write(data)
        if isinstance(name, bytes):
            name = name.decode("utf-8", "replace")
        out.append(Bad(name, code, severity, **kw))

    def good(name: str | bytes, data: bytes, total: float = 100.0) -> None:
        put(name, data, None, figures=(("total", total),))

    def xlsx(*sheets: SheetSpec) -> bytes:
        return _xlsx(folder, list(sheets))

    def majors() -> SheetSpec:
        s = retyped_major_table()
        s.put(0, 0, f"2020年{next(schools)}分专业学生情况")
        return s

    def csv_good(name: str, data: bytes) -> None:
        put(name, data, None, figures=(("students", 120.0), ("students", 1050.0)))

    plain = xlsx(form(100, "赤峰第一职业中专"))  # a school whose figures are not checked
    # cell error values and the like, where a figure belongs: a finding at the cell
    for name, value in (("error_ref", b"#REF!"), ("error_na", b"#N/A"), ("error_name", b"#NAME?")):
        put(
            f"{name}.xlsx",
            rezip(plain, sub(SHEET1, _d10(b' t="e"><v>' + value + b"</v>"))),
            "cell_error_value",
            cell="D10",
        )
    put(
        "error_cached_by_formula.xlsx",
        rezip(plain, sub(SHEET1, _d10(b' t="e"><f>E10/0</f><v>#DIV/0!</v>'))),
        "cell_error_value",
        cell="D10",
    )
    xls_error = form(0)
    import xlwt

    xls_error.put(9, 3, xlwt.Formula("E10/0"))
    data = write_xls(folder / "tmp.xls", [xls_error]).read_bytes()
    (folder / "tmp.xls").unlink()
    put(
        "error_cached.xls",
        data.replace(b"\x03\x00\x00\x00\x00\x00\xff\xff", b"\x02\x00\x07\x00\x00\x00\xff\xff"),
        "cell_error_value",
        cell="D10",
    )
    put(
        "boolean_for_number.xlsx",
        rezip(plain, sub(SHEET1, _d10(b' t="b"><v>1</v>'))),
        "bad_value",
        cell="D10",
    )
    for name, value in (
        ("nan_text", "NaN"),
        ("inf_text", "-Infinity"),
        ("chinese_numeral", "一百"),
        ("decimal_count", 100.5),
        ("percent_for_count", "100%"),
    ):
        put(f"{name}.xlsx", xlsx(form(value, "赤峰第一职业中专")), "bad_value", cell="D10")

    # a date where a number belongs: 100 formatted as a date reads as 1900-04-09
    def date_style(name: str, data: bytes) -> bytes:
        if name == "xl/styles.xml":
            xfs = re.search(rb'<cellXfs count="(\d+)">', data)
            n = int(xfs.group(1))
            data = data.replace(xfs.group(0), b'<cellXfs count="%d">' % (n + 1))
            data = data.replace(
                b"</cellXfs>",
                b'<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>',
            )
            date_style.index = n
        return data

    dated = rezip(plain, date_style)
    dated = rezip(
        dated, sub(SHEET1, (rb'<c r="D10"[^>]*?><v>', b'<c r="D10" s="%d"><v>' % date_style.index))
    )
    put("date_for_number_cell.xlsx", dated, "bad_value", cell="D10")
    # numbers a school types that are numbers
    good("fullwidth_digits.xlsx", xlsx(form("１００")))
    good("number_with_unit.xlsx", xlsx(form("100人")))
    good("spaces_around_number.xlsx", xlsx(form("\u3000100\u00a0")))
    good("negative_zero.xlsx", rezip(xlsx(form(7)), sub(SHEET1, _d10(b"><v>-0</v>"))), 0.0)
    good(
        "formula_text_result.xlsx",
        rezip(xlsx(form(7)), sub(SHEET1, _d10(b' t="str"><f>TEXT(E10+F10,"0")</f><v>100</v>'))),
    )
    good(
        "external_link_formula.xlsx",
        rezip(xlsx(form(7)), sub(SHEET1, _d10(b"><f>[1]Sheet1!D10</f><v>100</v>"))),
    )
    from types import SimpleNamespace

    from badfiles3 import files, structure

    kit = SimpleNamespace(
        folder=folder,
        out=out,
        form=form,
        put=put,
        good=good,
        xlsx=xlsx,
        majors=majors,
        csv_good=csv_good,
    )
    structure(kit)
    files(kit)
    return out
