"""The corpus's third part (tests/badfiles2.py calls it): what other programs write in an
.xlsx or leave out of it, CSV as Chinese Windows and other programs save it, legacy and
OpenDocument files, and what else lands in a return folder."""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
from pathlib import Path

from badfiles2 import SCHOOLS, SHEET1, WORKBOOK, _biff5, _csv, _d10, rezip, sub
from builders import SheetSpec, national_teacher_form, write_xls
from sheetspec import write_ods


def files(kit) -> None:
    form, xlsx, good, put, folder = kit.form, kit.xlsx, kit.good, kit.put, kit.folder
    # CSV
    kit.csv_good("utf16_tabs.csv", _csv(kit.majors(), "\t").encode("utf-16"))
    kit.csv_good("semicolons.csv", _csv(kit.majors(), ";").encode("utf-8-sig"))
    kit.csv_good("ragged_rows.csv", _csv(kit.majors(), ragged=True).encode("gbk"))
    kit.csv_good("old_mac_line_ends.csv", _csv(kit.majors(), end="\r").encode("gbk"))
    kit.csv_good("sep_hint_line.csv", ("sep=,\r\n" + _csv(kit.majors())).encode("gbk"))
    one = "\r\n".join(["教师姓名", "张三", "李四", "王五"])  # a list, not a return
    put("single_column.csv", one.encode("gbk"), "workbook_unmatched")
    header = kit.majors()
    for r in range(3, 20):
        for c in range(8):
            header.cells.pop((r, c), None)
    put("header_only.csv", _csv(header).encode("gbk"), "table_not_found")
    for name, value in (("error_text", "#DIV/0!"), ("na_text", "#N/A")):
        spec = kit.majors()
        spec.put(3, 3, value)
        put(f"{name}.csv", _csv(spec).encode("gbk"), "bad_value", cell="D4")
    nul = _csv(kit.majors()).encode("gbk").replace(b"\r\n", b"\0\r\n", 2)
    kit.csv_good("nul_bytes.csv", nul)
    good("really_xlsx.csv", xlsx(form()))
    put("csv_named_xlsx.xlsx", _csv(kit.majors()).encode("gbk"), "not_workbook")
    # legacy and OpenDocument
    biff5 = national_teacher_form(school=SCHOOLS[-4])
    # calamine reads an Excel 95 file's GBK bytes as Latin-1: said, never read as figures
    put("excel95_gbk.xls", _biff5(biff5.cells, biff5.name), "garbled_text")
    failed = form(0, "赤峰第一职业中专")
    failed.formula(9, 3, "=E10/0", "#DIV/0!")  # LibreOffice keeps the error as the cell's text
    put(
        "error_value.ods",
        write_ods(folder / "error_value.ods", [failed]).read_bytes(),
        "bad_value",
        cell="D10",
    )
    ods = write_ods(folder / "tmp.ods", [form()])
    good("ods_named_xlsx.xlsx", ods.read_bytes())
    ods.unlink()
    xls = write_xls(folder / "tmp.xls", [form()])
    good("saved_by_wps.et", xls.read_bytes())
    xls.unlink()
    # what else is in the folder
    os.mkdir(folder / "returns.xlsx")  # a folder whose name ends like a workbook
    put(
        ".~lock.赤峰农牧学校_421.xlsx#",
        b",WIN-PC/admin,WIN-PC,01.12.2020 08:00,file:///C:/Users/admin/AppData/Roaming/LibreOffice/4;",
        None,
    )
    put("~WRL0001.tmp", os.urandom(512), None)
    put(".DS_Store", b"\0\0\0\1Bud1" + os.urandom(200), None)
    put(
        "desktop.ini",
        "[.ShellClassInfo]\r\nLocalizedResourceName=@%SystemRoot%\\system32\\shell32.dll,-21770\r\n".encode(
            "utf-16"
        ),
        None,
    )
    put("._赤峰农牧学校_421.xlsx", b"\0\5\26\7\0\2\0\0Mac OS X        " + b"\0" * 200, None)
    put("赤峰农牧学校_421.xlsx.bak", xlsx(form(100, "赤峰农牧学校")), "file_not_read", "warning")
    put("赤峰农牧学校_421.tmp", xlsx(form(100, "赤峰农牧学校")), "file_not_read", "warning")
    put("截图.xlsx", b"\xff\xd8\xff\xe0\0\x10JFIF\0" + os.urandom(300), "not_workbook")
    put("说明_named_xlsx.xlsx", b"%PDF-1.7\n" + os.urandom(300), "not_workbook")
    good("赤峰_UPPER.XLSX", xlsx(form()))
    good("教师情况📊（终稿）.xlsx", xlsx(form()))
    good("宁城_GBK名.xlsx".replace("宁城", "城").encode("gbk"), xlsx(form()))
    put("no_extension", xlsx(form(100, "赤峰农牧学校")), "file_not_read", "warning")
    if os.name != "nt":
        outside = folder.parent / "outside_the_folder.xlsx"
        outside.write_bytes(xlsx(form()))
        os.symlink(outside, folder / "link_to_file_outside.xlsx")
        kit.out.append(
            kit.out[-1].__class__("link_to_file_outside.xlsx", None, figures=(("total", 100.0),))
        )


def _with_drawing(path: Path, form: SheetSpec | None, chart: bool) -> bytes:
    """A workbook of `form` (or of one empty sheet) with a chart sheet beside it, or with
    only a picture on its sheet (the screenshot a school pastes instead of its figures)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(form.name if form else "Sheet1")
    for (r, c), v in (form.cells if form else {}).items():
        ws.write(r, c, v)
    for r0, c0, r1, c1 in form.merges if form else ():
        ws.merge_range(r0, c0, r1, c1, form.cells.get((r0, c0), ""))
    if chart:
        plot = wb.add_chart({"type": "column"})
        plot.add_series({"values": [ws.name, 9, 3, 9, 5]})
        wb.add_chartsheet("图表").set_chart(plot)
    else:
        ws.insert_image("B2", "截图.png", {"image_data": io.BytesIO(_png())})
    wb.close()
    data = path.read_bytes()
    path.unlink()
    return data


def _png() -> bytes:
    """A 1×1 PNG: the screenshot a school pastes instead of typing its figures."""
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0\xff\xff\xff"))
        + chunk(b"IEND", b"")
    )


def structure(kit) -> None:
    """What other programs write in an .xlsx, or leave out of it."""
    form, xlsx, good, put = kit.form, kit.xlsx, kit.good, kit.put
    named = 'name="中职基421_职业高中学校"'.encode()
    one = xlsx(form(7, "赤峰第一职业中专"))  # no figure checked
    good("zip64.xlsx", rezip(xlsx(form()), zip64=True))
    good("stored_not_deflated.xlsx", rezip(xlsx(form()), compression=zipfile.ZIP_STORED))
    good(
        "mac_date_system.xlsx",
        rezip(xlsx(form()), sub(WORKBOOK, (rb"<workbookPr ", b'<workbookPr date1904="1" '))),
    )
    good(
        "absolute_part_paths.xlsx",
        rezip(
            xlsx(form()),
            sub(
                "xl/_rels/workbook.xml.rels", (rb'Target="worksheets/', b'Target="/xl/worksheets/')
            ),
        ),
    )
    good("no_styles.xlsx", rezip(xlsx(form()), lambda n, d: None if n == "xl/styles.xml" else d))
    good(
        "no_content_types.xlsx",
        rezip(xlsx(form()), lambda n, d: None if n == "[Content_Types].xml" else d),
    )
    put(
        "no_shared_strings.xlsx",
        rezip(one, lambda n, d: None if n == "xl/sharedStrings.xml" else d),
        "corrupt",
    )
    put(
        "shared_string_out_of_range.xlsx",
        rezip(one, sub(SHEET1, _d10(b' t="s"><v>99999</v>'))),
        "corrupt",
    )
    school = SCHOOLS[-1]
    inline = rezip(
        xlsx(form(7, school)),
        sub(
            SHEET1,
            _d10(b' t="inlineStr"><is><t>100</t></is>'),
            (
                rb'<c r="B4"([^>]*?) t="s"><v>\d+</v></c>',
                f'<c r="B4"\\1 t="inlineStr"><is><t>学校名称：{school}</t></is></c>'.encode(),
            ),
        ),
    )
    put("inline_strings.xlsx", inline, None, figures=(("total", 100.0),))
    school = SCHOOLS[-2]
    rich = rezip(
        xlsx(form(100, school)),
        sub(
            "xl/sharedStrings.xml",
            (
                f"<si><t>学校名称：{school}</t></si>".encode(),
                f'<si><r><rPr><b/><sz val="11"/></rPr><t>学校名称：</t></r><r><rPr><sz val="11"/></rPr><t xml:space="preserve">{school} </t></r></si>'.encode(),
            ),
        ),
    )
    put("rich_text_runs.xlsx", rich, None, figures=(("total", 100.0),))
    long_name = "中职基421_职业高中学校" + "（含民办学校、成人中专及附设中职班，" * 5
    good(
        "long_sheet_name.xlsx",
        rezip(xlsx(form()), sub(WORKBOOK, (named, f'name="{long_name}"'.encode()))),
    )
    good(
        "sheet_name_quotes_brackets.xlsx",
        rezip(
            xlsx(form()),
            sub(
                WORKBOOK,
                (named, 'name="中职基421 &apos;教师&apos; [2020] &quot;终稿&quot;"'.encode()),
            ),
        ),
    )
    empties = [SheetSpec(f"Sheet{i}") for i in range(1, 301)]
    good("three_hundred_empty_sheets.xlsx", xlsx(*empties, form()))
    protect = b'</sheetData><sheetProtection password="CC1A" sheet="1" objects="1" scenarios="1"/>'
    lock = b'<workbookProtection lockStructure="1" workbookPassword="CC1A"/><bookViews>'
    good(
        "protected_sheet.xlsx",
        rezip(
            xlsx(form()),
            sub(SHEET1, (rb"</sheetData>", protect)),
            sub(WORKBOOK, (rb"<bookViews>", lock)),
        ),
    )
    vba = rezip(
        xlsx(form()),
        lambda n, d: (
            d.replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml").replace(
                b"<Default ",
                b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/><Default ',
                1,
            )
            if n == "[Content_Types].xml"
            else d.replace(
                b"</Relationships>",
                b'<Relationship Id="rId99" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>',
            )
            if n == "xl/_rels/workbook.xml.rels"
            else d
        ),
        add={
            "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + b"\0" * 504
            + b'Sub Auto_Open(): Shell "calc": End Sub'
        },
    )
    good("with_vba_project.xlsm", vba)
    hidden_too = SheetSpec("封面")
    hidden_too.put(0, 0, "封面")
    very = rezip(
        xlsx(hidden_too, form(100, "赤峰第一职业中专")),
        sub(WORKBOOK, (named, named + b' state="veryHidden"')),
    )
    put("very_hidden_sheet.xlsx", very, "hidden_sheet_skipped", "warning")
    twins = [form(84, SCHOOLS[-3]), form(85, SCHOOLS[-3])]
    twins[0].name, twins[1].name = "中职基421_a", "中职基421_b"
    twin = rezip(
        xlsx(*twins),
        sub(WORKBOOK, (b'_a"', b'_Staff"'), (b'_b"', b'_STAFF"')),
    )
    put("sheet_names_differ_by_case.xlsx", twin, "conflicting_value")
    tmp = kit.folder / "tmp_drawing.xlsx"
    good("chart_sheet_beside_form.xlsx", _with_drawing(tmp, form(), True))
    put("chart_sheet_only.xlsx", _with_drawing(tmp, None, True), "workbook_empty")
    put("screenshot_pasted.xlsx", _with_drawing(tmp, None, False), "workbook_empty")
    copied = [form(), form(100, "赤峰第一职业中专")]
    copied[1] = national_teacher_form(school=copied[0].cells[(3, 1)][5:])
    copied[1].name += " (2)"  # the sheet copied: the same figures twice
    good("sheet_copied_twice.xlsx", xlsx(*copied))
    good(
        "understated_dimension.xlsx",
        rezip(xlsx(form()), sub(SHEET1, (rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>'))),
    )
    good(
        "bom_in_parts.xlsx",
        rezip(xlsx(form()), lambda n, d: b"\xef\xbb\xbf" + d if n.endswith(".xml") else d),
    )

    def prefixed(name: str, data: bytes) -> bytes:  # as the .NET Open XML SDK writes
        if name != SHEET1:
            return data
        data = re.sub(rb"<(/?)([A-Za-z]\w*)(?=[\s>/])", rb"<\1x:\2", data)
        return data.replace(b'xmlns="', b'xmlns:x="')

    good("prefixed_namespace.xlsx", rezip(xlsx(form()), prefixed))
    strict = {
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main": b"http://purl.oclc.org/ooxml/spreadsheetml/main",
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships": b"http://purl.oclc.org/ooxml/officeDocument/relationships",
    }

    def to_strict(name: str, data: bytes) -> bytes:  # Excel's "Strict Open XML" save
        for a, b in strict.items():
            data = data.replace(a, b)
        return data

    good("strict_open_xml.xlsx", rezip(xlsx(form()), to_strict))
    good("junk_after_zip.xlsx", xlsx(form()) + b"\r\n" + os.urandom(64))
    xlsb = {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>',
        "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>',
        "xl/_rels/workbook.bin.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.bin"/></Relationships>',
        "xl/workbook.bin": bytes([0x83, 0x01, 0x00])
        + bytes([0x9C, 0x01, 0x30])
        + b"\0" * 12
        + bytes([0xFF] * 36),
        "xl/worksheets/sheet1.bin": bytes([0x81, 0x01, 0x00, 0x00, 0x01, 0x7F]) + bytes(range(100)),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in xlsb.items():
            z.writestr(n, d)
    put("damaged.xlsb", buf.getvalue(), "corrupt")
    merged = form(100)
    merged.merge(9, 3, 10, 3, 100)  # 100 spans 总计 and 双师型: what is 双师型?
    del merged.cells[(10, 3)]
    put("merge_over_figures.xlsx", xlsx(merged), "merged_over_value", cell="D11")
