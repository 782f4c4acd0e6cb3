"""A corpus of bad inputs, built by the tests themselves: what a statistician's December
meets — files saved by odd software, backup copies, broken and hostile files. Each entry
says which finding tongji must report for it (or that it must read it as a good file)."""

from __future__ import annotations

import csv
import io
import os
import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

from builders import (
    SheetSpec,
    key_value_form,
    national_teacher_form,
    retyped_major_table,
    write_xls,
    write_xlsx,
)


@dataclass(frozen=True)
class Bad:
    name: str  # the file's name in the folder (bytes for a name that is not valid UTF-8)
    code: str | None  # the finding its file gets; None: no finding for it
    severity: str = "error"
    cell: str = ""  # the cell its finding must name, when it is about one
    figures: tuple[tuple[str, float], ...] = ()  # (field, value) it must give (a good file)


def _patched_xlsx(
    path: Path,
    sheet: SheetSpec,
    replace: dict[bytes, bytes],
    part: str = "xl/worksheets/sheet1.xml",
) -> Path:
    """An xlsx written by xlsxwriter, then one part's XML edited by regular expressions
    (what no writer would write); a part edited to None is left out."""
    plain = write_xlsx(path.with_suffix(".tmp.xlsx"), [sheet])
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == part:
                for pattern, replacement in replace.items():
                    if replacement is None:
                        break
                    data = re.sub(pattern, replacement, data)
                else:
                    out.writestr(info, data)
                continue
            out.writestr(info, data)
    plain.unlink()
    return path


def _renamed_stream(xls: bytes, old: str, new: str) -> bytes:
    """A legacy .xls whose compound-file directory entry `old` is renamed `new` (the name
    field is 64 bytes of UTF-16, then its byte length with the terminator)."""
    at = xls.index(old.encode("utf-16-le") + b"\0\0")
    name = new.encode("utf-16-le")
    entry = name + b"\0" * (64 - len(name)) + (len(name) + 2).to_bytes(2, "little")
    return xls[:at] + entry + xls[at + 66 :]


def _teacher(total: object, school: str = "赤峰第一职业中专") -> SheetSpec:
    """A 421 form of a school none of the good returns is about (their figures stay apart)."""
    return national_teacher_form(school=school, total=total)


def _ods(path: Path, spec: SheetSpec, rows_xml: str | None = None) -> Path:
    """An OpenDocument spreadsheet (as LibreOffice saves) of a sheet's cells, merges left out;
    or of the rows given as XML."""
    from xml.sax.saxutils import escape

    if rows_xml is None:
        rows = []
        for r in range(max(r for r, _ in spec.cells) + 1):
            cells = []
            for c in range(max(c for _, c in spec.cells) + 1):
                v = spec.cells.get((r, c))
                if isinstance(v, (int, float)):
                    cells.append(
                        f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
                    )
                elif v:
                    cells.append(
                        f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'
                    )
                else:
                    cells.append("<table:table-cell/>")
            rows.append(f"<table:table-row>{''.join(cells)}</table:table-row>")
        rows_xml = "".join(rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{escape(spec.name)}">{rows_xml}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "mimetype",
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)
    return path


def build(folder: Path) -> list[Bad]:
    """Write the corpus into `folder`; return what each file must give."""
    folder.mkdir(parents=True, exist_ok=True)
    out: list[Bad] = []

    def raw(name: str, data: bytes, code: str | None, severity: str = "error") -> None:
        (folder / name).write_bytes(data)
        out.append(Bad(name, code, severity))

    good = write_xlsx(folder / "good_source.xlsx", [_teacher(100)])  # to cut in half
    good_bytes = good.read_bytes()
    good.unlink()
    # what is not a workbook at all
    raw("empty.xlsx", b"", "empty_file")
    raw("text_named_xlsx.xlsx", "只是一个文本文件".encode(), "not_workbook")
    raw("corrupt_zip.xlsx", b"PK\x03\x04" + os.urandom(200), "corrupt")
    raw(
        "page.xls", b"<html><body><table><tr><td>1</td></tr></table></body></html>", "html_as_excel"
    )
    raw("truncated.xlsx", good_bytes[: len(good_bytes) // 2], "corrupt")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    raw("zip_not_workbook.xlsx", buf.getvalue(), "not_workbook")
    raw("random.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(4000), "not_workbook")
    raw("binary_junk.xlsx", os.urandom(3000), "not_workbook")
    raw("empty.csv", b"", "empty_file")
    raw("undecodable.csv", bytes(range(128, 256)) * 20, "garbled_text")
    # hostile or huge
    # one stray cell in the sheet's last corner (written into the XML: a writer would walk
    # a million empty rows to get there)
    big = SheetSpec("中职基421")
    big.put(0, 0, "学校名称：赤峰农牧学校")
    stray = {
        rb"</sheetData>": b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>',
        rb'<dimension ref="A1"/>': b'<dimension ref="A1:XFD1048576"/>',
    }
    _patched_xlsx(folder / "huge_dimension.xlsx", big, stray)
    out.append(Bad("huge_dimension.xlsx", "too_large"))
    small = SheetSpec("S")
    small.put(0, 0, "x")
    small.put(65535, 255, 1)
    write_xls(folder / "huge_dimension.xls", [small])
    out.append(Bad("huge_dimension.xls", "too_large"))
    _patched_xlsx(
        folder / "stray_cell_no_dimension.xlsx", big, {**stray, rb"<dimension [^>]*/>": b""}
    )
    out.append(Bad("stray_cell_no_dimension.xlsx", "too_large"))
    lying = write_xls(folder / "tmp_lying.xls", [small]).read_bytes()
    (folder / "tmp_lying.xls").unlink()
    lying = re.sub(
        rb"\x00\x02\x0e\x00.{14}",
        b"\x00\x02\x0e\x00" + struct.pack("<IIHHH", 0, 2, 0, 2, 0),
        lying,
        flags=re.S,
    )
    raw("stray_cell_lying_dimension.xls", lying, "too_large")
    repeated = '<table:table-row table:number-rows-repeated="10000"><table:table-cell table:number-columns-repeated="9000" office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>'
    _ods(folder / "repeated_cells.ods", SheetSpec("S"), repeated)
    out.append(Bad("repeated_cells.ods", "too_large"))
    with zipfile.ZipFile(folder / "zip_bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr(
            "xl/worksheets/sheet1.xml", b"<worksheet>" + b" " * (60 * 2**20) + b"</worksheet>"
        )
    out.append(Bad("zip_bomb.xlsx", "too_large"))
    with zipfile.ZipFile(folder / "zip_bomb_in_parts.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(6):  # each part small enough to pass alone
            z.writestr(
                f"xl/worksheets/sheet{i + 1}.xml",
                b"<worksheet>" + b" " * (4 * 2**20) + b"</worksheet>",
            )
    out.append(Bad("zip_bomb_in_parts.xlsx", "too_large"))
    # numbers no return holds
    _patched_xlsx(folder / "nan.xlsx", _teacher(7), {b"<v>7</v>": b"<v>NaN</v>"})
    out.append(Bad("nan.xlsx", "bad_value"))
    _patched_xlsx(folder / "infinity.xlsx", _teacher(7), {b"<v>7</v>": b"<v>INF</v>"})
    out.append(Bad("infinity.xlsx", "bad_value"))
    _patched_xlsx(folder / "huge_number.xlsx", _teacher(7), {b"<v>7</v>": b"<v>1E+308</v>"})
    out.append(Bad("huge_number.xlsx", "bad_value"))
    write_xlsx(folder / "integer_1e20.xlsx", [_teacher(1e20)])
    out.append(Bad("integer_1e20.xlsx", "bad_value"))
    write_xlsx(folder / "negative_count.xlsx", [_teacher(-5)])
    out.append(Bad("negative_count.xlsx", "bad_value"))
    write_xlsx(folder / "malformed_number.xlsx", [_teacher("1,0,0")])
    out.append(Bad("malformed_number.xlsx", "bad_value"))
    write_xlsx(folder / "date_for_number.xlsx", [_teacher("二〇二〇年")])
    out.append(Bad("date_for_number.xlsx", "bad_value"))
    _patched_xlsx(
        folder / "error_value.xlsx",
        _teacher(7),
        {rb'(<c r="D10"[^>]*?)><v>7</v>': rb'\1 t="e"><v>#DIV/0!</v>'},
    )
    out.append(Bad("error_value.xlsx", "cell_error_value"))
    _patched_xlsx(
        folder / "formula_no_cache.xlsx", _teacher("=E10+F10"), {rb"</f><v>0</v>": b"</f>"}
    )
    out.append(Bad("formula_no_cache.xlsx", "formula_no_cached_value", "warning"))
    # saved by odd software, or not what the name says
    xls = write_xls(folder / "tmp.xls", [_teacher(100)])
    xls_bytes = xls.read_bytes()
    xls.unlink()
    raw("xls_named_xlsx.xlsx", xls_bytes, None)
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = write_xlsx(folder / "tmp_plain.xlsx", [_teacher(100)])
    with open(plain, "rb") as f, open(folder / "password.xlsx", "wb") as locked:
        OOXMLFile(f).encrypt("123456", locked)
    plain.unlink()
    out.append(Bad("password.xlsx", "encrypted"))
    raw("encrypted.xls", _renamed_stream(xls_bytes, "Workbook", "EncryptedPackage"), "encrypted")
    raw(
        "word_named_xls.xls", _renamed_stream(xls_bytes, "Workbook", "WordDocument"), "not_workbook"
    )
    write_xlsx(folder / "macros.xlsm", [_teacher(100, school="赤峰北方民族技工学校")])
    out.append(Bad("macros.xlsm", None))
    _patched_xlsx(folder / "no_sheet_part.xlsx", _teacher(100), {b"": None})
    out.append(Bad("no_sheet_part.xlsx", "corrupt"))
    laughs = (
        b'<!DOCTYPE lolz [<!ENTITY a "'
        + b"a" * 1000
        + b'">'
        + b"".join(
            b'<!ENTITY %s "%s">' % (chr(98 + i).encode(), (b"&" + chr(97 + i).encode() + b";") * 10)
            for i in range(9)
        )
        + b"]>"
    )
    _patched_xlsx(
        folder / "entity_bomb.xlsx",
        _teacher(100),
        {rb"^(<\?xml[^>]*>)": rb"\1" + laughs, rb"<v>100</v>": b"<v>&j;</v>"},
    )
    out.append(Bad("entity_bomb.xlsx", "corrupt"))
    long_text = _teacher(100, school="赤峰北方民族技工学校")
    long_text.put(13, 1, "注：" + "很长的说明。" * 8000)
    write_xlsx(folder / "long_text.xlsx", [long_text])
    out.append(Bad("long_text.xlsx", None))
    _patched_xlsx(
        folder / "whole_column_merge.xlsx",
        _teacher(100, school="赤峰北方民族技工学校"),
        {
            rb"</mergeCells>": b'<mergeCell ref="K1:K1048576"/><mergeCell ref="A20:XFD20"/></mergeCells>'
        },
    )
    out.append(Bad("whole_column_merge.xlsx", None))
    majors = retyped_major_table()
    majors.put(0, 0, "2020年赤峰北方民族技工学校分专业学生情况")
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    for r in range(max(r for r, _ in majors.cells) + 1):
        writer.writerow([majors.cells.get((r, c), "") for c in range(7)])
    _ods(
        folder / "libreoffice.ods", key_value_form(school="赤峰北方民族技工学校", code="1504000004")
    )
    out.append(Bad("libreoffice.ods", None))
    raw(
        "北方民族_分专业学生.csv", text.getvalue().encode("gbk"), None
    )  # as Excel saves "CSV" in China
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    for r in range(max(r for r, _ in majors.cells) + 1):
        writer.writerow([majors.cells.get((r, c), "") for c in range(7)])
    writer.writerow(
        ["注：" + "专业设置说明。" * 40000]
    )  # one field longer than the csv module allows by default
    raw("北方民族_分专业学生_附说明.csv", text.getvalue().encode("utf-8-sig"), None)
    # sheets that are not what they seem
    hidden = _teacher(100)
    hidden.hidden = True
    visible = SheetSpec("封面")
    visible.put(0, 0, "封面")
    write_xlsx(folder / "only_hidden.xlsx", [visible, hidden])
    out.append(Bad("only_hidden.xlsx", "hidden_sheet_skipped", "warning"))
    write_xlsx(folder / "blank_sheet.xlsx", [SheetSpec("Sheet1")])
    out.append(Bad("blank_sheet.xlsx", "workbook_empty"))
    other = SheetSpec("食堂")
    other.row(0, ["食堂", "面积"])
    other.row(1, ["一食堂", 300])
    write_xlsx(folder / "unknown_layout.xlsx", [other])
    out.append(Bad("unknown_layout.xlsx", "workbook_unmatched"))
    write_xlsx(folder / "unknown_school.xlsx", [_teacher(100, school="不存在的学校")])
    out.append(Bad("unknown_school.xlsx", "school_unknown"))
    write_xlsx(folder / "中职基421_2019年旧表.xlsx", [_teacher(100, school="赤峰第一职业中专")])
    out.append(Bad("中职基421_2019年旧表.xlsx", "year_mismatch", "warning"))
    injected = _teacher(100, school="=不在名录的学校")
    injected.name = "=HYPERLINK(1)"
    write_xlsx(folder / "=cmd.xlsx", [injected])
    out.append(Bad("=cmd.xlsx", "school_unknown"))
    controls = _teacher(100, school="赤峰北方民族技工学校")
    controls.put(13, 1, "注：\x0b含控制字符\x01的说明")
    write_xlsx(folder / "control_chars.xlsx", [controls])
    out.append(Bad("control_chars.xlsx", None))
    # the file system
    raw("报表说明.pdf", b"%PDF-1.4 not a return", "file_not_read", "warning")
    raw("Thumbs.db", b"\x00" * 64, None)
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as z:
        z.writestr("赤峰第一职业中专_421.xlsx", good_bytes)
    raw("学校报表.zip", packed.getvalue(), "file_not_read", "warning")  # sent packed, not unpacked
    raw("~$赤峰农牧学校.xlsx", b"lock", None)
    raw("empty_too.xlsx", b"", "empty_file")
    (folder / "backup_copy.xlsx").write_bytes((folder / "nan.xlsx").read_bytes())
    out.append(Bad("backup_copy.xlsx", "duplicate_file", "warning"))
    if os.name != "nt":
        os.symlink("loop_b", folder / "loop_a.xlsx")
        os.symlink("loop_a.xlsx", folder / "loop_b")
        out.append(Bad("loop_a.xlsx", "file_not_read", "warning"))
        out.append(Bad("loop_b", "file_not_read", "warning"))
        os.symlink("nowhere.xlsx", folder / "dangling.xlsx")
        out.append(Bad("dangling.xlsx", "file_not_read", "warning"))
        os.symlink(folder, folder / "link_to_folder")
        out.append(Bad("link_to_folder", "file_not_read", "warning"))
        os.mkfifo(folder / "pipe.xlsx")  # reading it would wait for ever
        out.append(Bad("pipe.xlsx", "file_not_read", "warning"))
        weird = os.path.join(os.fsencode(folder), b"\xff\xfe_gbk_name.xlsx")
        with open(weird, "wb") as f:
            f.write(b"")
        out.append(Bad("\ufffd\ufffd_gbk_name.xlsx", "empty_file"))
    return out


def write_good(folder: Path) -> list[Path]:
    """Returns that are right: their figures must come out the same beside any bad file."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_xlsx(folder / "赤峰农牧学校_421.xlsx", [national_teacher_form()]),
        write_xls(
            folder / "松山区职教中心_421.xls",
            [national_teacher_form(school="松山区职教中心", total=50, male=20, female=30)],
        ),
        write_xlsx(folder / "赤峰农牧学校_专业.xlsx", [retyped_major_table()]),
        write_xlsx(folder / "赤峰农牧学校_111.xlsx", [key_value_form()]),
    ]
