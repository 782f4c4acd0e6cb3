"""tongji.extraction.sheetfacts: hidden rows and columns, formula cells, OpenDocument merges
and the recalculate-on-open flag, read from a workbook's bytes; each position checked
against where python-calamine (read.parse_sheets) puts the cell."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
import xlwt

from tongji.extraction.read import parse_sheets, sniff_format
from tongji.extraction.sheetfacts import (
    EMPTY,
    SheetFacts,
    WorkbookFacts,
    workbook_facts,
    xls,
    xlsx_sheet_facts,
)


def facts_of(path: Path) -> WorkbookFacts:
    data = path.read_bytes()
    return workbook_facts(data, sniff_format(data, path.suffix))


def where(path: Path) -> dict[str, dict[Any, tuple[int, int]]]:
    """Every sheet's values → their (row, col) as calamine reads them."""
    out: dict[str, dict[Any, tuple[int, int]]] = {}
    for sheet in parse_sheets(path.read_bytes()):
        cells = out.setdefault(sheet.name, {})
        for r, row in enumerate(sheet.rows):
            for c, v in enumerate(row):
                if v not in ("", None):
                    cells[v] = (r, c)
    return out


# ---------------------------------------------------------------- xlsx


def test_xlsxwriter_hidden_rows_cols_formulas_and_recalc(tmp_path: Path) -> None:
    path = tmp_path / "w.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("表1 & <甲>")
    ws.write(2, 1, "top")  # data starts at B3
    ws.write(5, 2, "in hidden row")
    ws.set_row(5, None, None, {"hidden": True})
    ws.set_row(7, None, None, {"hidden": True})  # a hidden row with nothing in it
    ws.write(3, 4, "in hidden col")
    ws.set_column(4, 5, None, None, {"hidden": True})
    ws.write(8, 1, 1)
    ws.write(9, 1, 2)
    ws.write_formula(10, 1, "=SUM(B9:B10)", None, 3)
    ws.write_array_formula(8, 3, 10, 3, "{=B9:B11*2}")
    other = wb.add_worksheet("plain")
    other.write(0, 0, "nothing hidden")
    wb.close()

    facts = facts_of(path)
    assert facts.recalc_on_open  # XlsxWriter always asks for it
    assert set(facts.sheets) == {"表1 & <甲>", "plain"}
    f = facts.sheet("表1 & <甲>")
    at = where(path)["表1 & <甲>"]
    assert f.hidden_rows == {5, 7}
    assert at["in hidden row"][0] in f.hidden_rows
    assert f.hidden_cols == {4, 5}
    assert at["in hidden col"][1] in f.hidden_cols
    assert at[3] == (10, 1)  # the formula's cached result, where calamine puts it
    assert f.formulas == {(10, 1), (8, 3), (9, 3), (10, 3)}  # the array formula fills D9:D11
    assert f.merges is None
    assert facts.sheet("plain") == EMPTY
    assert facts.sheet("no such sheet") == EMPTY


def test_openpyxl_hidden_rows_cols_formulas(tmp_path: Path) -> None:
    path = tmp_path / "o.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "数据"
    ws["B2"] = "head"
    ws["A4"] = "hidden row"
    ws.row_dimensions[4].hidden = True
    ws["C1"] = "hidden col"
    ws.column_dimensions["C"].hidden = True
    ws["B5"] = 4
    ws["B6"] = 5
    ws["B7"] = "=SUM(B5:B6)"
    wb.save(path)

    facts = facts_of(path)
    f = facts.sheet("数据")
    at = where(path)["数据"]
    assert f.hidden_rows == {at["hidden row"][0]} == {3}
    assert f.hidden_cols == {at["hidden col"][1]} == {2}
    assert f.formulas == {(6, 1)}
    # openpyxl writes <calcPr fullCalcOnLoad="1"/> unless told not to (and keeps no results)
    assert facts.recalc_on_open

    wb.calculation.fullCalcOnLoad = False
    wb.save(path)
    assert not facts_of(path).recalc_on_open


SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def sheet_xml(body: str, head: str = "", tail: str = "") -> bytes:
    return SHEET_HEAD + f"{head}<sheetData>{body}</sheetData>{tail}</worksheet>".encode()


# what Excel writes after the rows for a rule of a newer version: formulas of its own
EXTENSION = (
    '<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:conditionalFormattings><x14:conditionalFormatting xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:cfRule type="expression" priority="1"><xm:f>Sheet2!$A$1&gt;0</xm:f></x14:cfRule>'
    "<xm:sqref>A1:C3</xm:sqref></x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>"
)


def test_xlsx_shared_formulas_true_and_zero_width() -> None:
    xml = sheet_xml(
        '<row r="1" spans="1:3"><c r="A1"><v>1</v></c><c r="B1"><f t="shared" ref="B1:B3" si="0">A1*2</f><v>2</v></c></row>'
        '<row r="2" hidden="true"><c r="A2"><v>2</v></c><c r="B2"><f t="shared" si="0"/><v>4</v></c></row>'
        "<row r='3' ht='12' hidden='1'><c r='B3' s='1'>\n  <f t='shared' si='0'/><v>6</v></c>"
        '<c r="C3" t="inlineStr"><is><t>hidden="1" &lt;f&gt; in text</t></is></c></row>'
        '<row r="10"><c r="AA10" t="str"><f>"x"</f><v>x</v></c></row>',
        head='<dimension ref="A1:AA10"/><cols><col min="2" max="2" width="0" customWidth="1"/>'
        '<col min="4" max="16384" hidden="1"/></cols>',
    )
    f = xlsx_sheet_facts(xml)
    assert f.hidden_rows == {1, 2}
    assert f.formulas == {(0, 1), (1, 1), (2, 1), (9, 26)}
    # zero width hides column B; the range out to XFD stops at the used range (or column IV)
    assert f.hidden_cols == {1} | set(range(3, 256))


def test_xlsx_cells_and_rows_without_positions(tmp_path: Path) -> None:
    """Rows and cells may leave out `r`: each is then the one after the last (a cell's `r`
    gives its row too), where calamine puts them."""
    xml = sheet_xml(
        "<row><c><v>1</v></c><c><f>A1+1</f><v>2</v></c></row>"
        '<row hidden="1"><c r="C2"><v>3</v></c><c><f>C2</f><v>4</v></c></row>'
        '<row r="5"><c r="B5"><v>5</v></c></row>'
        '<row hidden="1"><c><f>1</f><v>6</v></c><c r="D7"><f>1</f><v>7</v></c></row>'
        '<row r="9"><c><v>9</v></c></row>',
        tail=EXTENSION,
    )
    f = xlsx_sheet_facts(xml)
    assert f.hidden_rows == {1, 5}
    assert f.formulas == {(0, 1), (1, 3), (5, 0), (6, 3)}
    path = tmp_path / "r.xlsx"
    path.write_bytes(package({"s": xml}))
    at = where(path)["s"]
    assert {at[v] for v in (2.0, 4.0, 6.0, 7.0)} == f.formulas
    assert at[3.0][0] in f.hidden_rows and at[6.0][0] in f.hidden_rows
    assert at[9.0] == (8, 0)


def test_xlsx_attributes_in_any_order() -> None:
    xml = sheet_xml(
        '<row hidden="1" spans="1:2" r="3"><c s="2" t="n" r="B3"><f ca="1">NOW()</f></c></row>'
        '<row r="4"><c r="A4"><v>1</v></c></row>',
        tail=EXTENSION,
    )
    assert xlsx_sheet_facts(xml) == SheetFacts(
        hidden_rows=frozenset({2}), formulas=frozenset({(2, 1)})
    )


def test_xlsx_zero_height_hides_the_rows_not_listed() -> None:
    xml = sheet_xml(
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="3" hidden="1"><c r="A3"><v>3</v></c></row>'
        '<row r="4" customHeight="1" ht="15"><c r="A4"><v>4</v></c></row>',
        head='<sheetFormatPr defaultRowHeight="15" zeroHeight="1"/>',
    )
    assert xlsx_sheet_facts(xml).hidden_rows == {1, 2}


def test_xlsx_prefixed_part() -> None:
    xml = (
        b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<x:cols><x:col min="1" max="1" hidden="1"/></x:cols><x:sheetData>'
        b'<x:row r="2" hidden="1"><x:c r="B2"><x:f>1+1</x:f><x:v>2</x:v></x:c></x:row>'
        b"</x:sheetData></x:worksheet>"
    )
    assert xlsx_sheet_facts(xml) == SheetFacts(
        frozenset({1}), frozenset({0}), None, frozenset({(1, 1)})
    )


def test_xlsx_nothing_to_find() -> None:
    assert xlsx_sheet_facts(sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')) == EMPTY
    assert xlsx_sheet_facts(b"") == EMPTY
    assert xlsx_sheet_facts(b"<<<\x00\xff not xml") == EMPTY


def package(sheets: dict[str, bytes], book_extra: str = "", absolute: bool = False) -> bytes:
    """A hand-made xlsx: sheets by (XML-escaped) name."""
    entries = "".join(
        f'<sheet name="{name}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
        for i, name in enumerate(sheets)
    )
    rels = "".join(
        f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        f'Target="{"/xl/" if absolute else ""}worksheets/sheet{i + 1}.xml"/>'
        for i in range(len(sheets))
    )
    types = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(len(sheets))
    )
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{types}</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f"<sheets>{entries}</sheets>{book_extra}</workbook>",
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{rels}</Relationships>",
        )
        for i, xml in enumerate(sheets.values()):
            z.writestr(f"xl/worksheets/sheet{i + 1}.xml", xml)
    return b.getvalue()


def test_xlsx_sheet_names_parts_and_given_parts(tmp_path: Path) -> None:
    hidden = sheet_xml('<row r="2" hidden="1"><c r="A2" t="inlineStr"><is><t>h</t></is></c></row>')
    plain = sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>p</t></is></c></row>')
    data = package({"A&amp;B &#x6570;": hidden, "二": plain}, absolute=True)
    (tmp_path / "p.xlsx").write_bytes(data)
    assert [s.name for s in parse_sheets(data)] == ["A&B 数", "二"]  # the names calamine gives
    facts = workbook_facts(data, "xlsx")
    assert not facts.recalc_on_open  # no <calcPr>
    assert facts.sheets == {"A&B 数": SheetFacts(hidden_rows=frozenset({1})), "二": EMPTY}
    assert where(tmp_path / "p.xlsx")["A&B 数"]["h"] == (1, 0)
    # parts already unzipped are used as given
    given = {"xl/worksheets/sheet2.xml": hidden}
    assert workbook_facts(data, "xlsm", given).sheet("二").hidden_rows == {1}
    recalc = package({"s": plain}, book_extra='<calcPr calcId="191029" fullCalcOnLoad="true"/>')
    assert workbook_facts(recalc, "xlsx").recalc_on_open


# ---------------------------------------------------------------- xls


def xls_workbook(path: Path) -> None:
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("基础表")
    ws.write(1, 1, "top")
    ws.write(4, 2, "in hidden row")
    ws.row(4).hidden = True
    ws.row(6).hidden = True
    ws.write(0, 3, "in hidden col")
    ws.col(3).hidden = True
    ws.col(5).hidden = True
    ws.write(7, 1, 10)
    ws.write(8, 1, 20)
    ws.write(9, 1, xlwt.Formula("B8+B9"))
    ws.write(9, 2, xlwt.Formula('"x"&"y"'))
    other = wb.add_sheet("Sheet2")
    other.write(0, 0, "plain")
    wb.save(str(path))


def test_xls_hidden_rows_cols_formulas(tmp_path: Path) -> None:
    path = tmp_path / "b.xls"
    xls_workbook(path)
    facts = facts_of(path)
    assert not facts.recalc_on_open
    assert list(facts.sheets) == [s.name for s in parse_sheets(path.read_bytes())]
    f = facts.sheet("基础表")
    at = where(path)["基础表"]
    assert f.hidden_rows == {4, 6}
    assert at["in hidden row"][0] in f.hidden_rows
    assert f.hidden_cols == {3, 5}
    assert at["in hidden col"][1] in f.hidden_cols
    assert f.formulas == {(9, 1), (9, 2)}
    assert f.merges is None
    assert facts.sheet("Sheet2") == EMPTY


def test_xls_rows_hidden_by_default(tmp_path: Path) -> None:
    """DEFAULTROWHEIGHT's fDyZero: the rows without a ROW record of their own are hidden."""
    wb = xlwt.Workbook()
    ws = wb.add_sheet("s")
    ws.row_default_hidden = 1
    ws.write(0, 0, "shown")
    ws.write(3, 0, "also shown")
    ws.row(2).hidden = True
    path = tmp_path / "d.xls"
    wb.save(str(path))
    assert facts_of(path).sheet("s").hidden_rows == {1, 2}


def records(stream: bytes) -> bytes:
    """A BIFF stream without the zeros xlwt pads it with to 4 KB."""
    pos = 0
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        if kind == 0 and length == 0:
            break
        pos += 4 + length
    return stream[:pos]


def compound_file(name: str, stream: bytes) -> bytes:
    """A compound file (version 3) holding one stream in its mini stream (a stream under
    4 KB is kept there): sector 0 the FAT, 1 the directory, 2 the mini FAT, then the mini
    stream's sectors."""
    end, free, fat_sect = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    minis = (len(stream) + 63) // 64
    assert minis <= 128
    container = stream.ljust(minis * 64, b"\0").ljust(((minis * 64 + 511) // 512) * 512, b"\0")
    n = len(container) // 512
    fat = [fat_sect, end, end] + [3 + i + 1 for i in range(n - 1)] + [end]
    fat += [free] * (128 - len(fat))
    mini_fat = [i + 1 for i in range(minis - 1)] + [end]
    mini_fat += [free] * (128 - len(mini_fat))

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        return (
            raw.ljust(64, b"\0")
            + struct.pack("<HBB3I", len(raw), kind, 1, free, free, child)
            + b"\0" * 36
            + struct.pack("<III", start, size, 0)
        )

    directory = entry("Root Entry", 5, 1, 3, minis * 64) + entry(name, 2, free, 0, len(stream))
    directory = directory.ljust(512, b"\0")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, 2, 1, end, 0)
        + struct.pack("<109I", 0, *[free] * 108)
    )
    assert len(header) == 512
    return (
        header
        + struct.pack("<128I", *fat)
        + directory
        + struct.pack("<128I", *mini_fat)
        + container
    )


def test_xls_stream_in_the_mini_stream(tmp_path: Path) -> None:
    path = tmp_path / "big.xls"
    xls_workbook(path)
    stream = records(xls._ole_stream(path.read_bytes(), ("Workbook",)) or b"")
    assert 0 < len(stream) < 4096
    small = tmp_path / "small.xls"
    small.write_bytes(compound_file("Workbook", stream))
    assert where(small) == where(path)  # calamine reads it as the same workbook
    assert facts_of(small) == facts_of(path)


# ---------------------------------------------------------------- ods

NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.2"'
)


def ods(tables: list[tuple[str, str]]) -> bytes:
    """An OpenDocument spreadsheet: (name, the table's inner XML) each."""
    body = "".join(f'<table:table table:name="{n}">{x}</table:table>' for n, x in tables)
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {NS}><office:body>'
        f"<office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return b.getvalue()


def text(v: str, rep: int = 1, **attrs: Any) -> str:
    return cell(f'office:value-type="string"><text:p>{v}</text:p', rep, **attrs)


def num(v: float, rep: int = 1, formula: str = "", **attrs: Any) -> str:
    f = f' table:formula="{formula}"' if formula else ""
    return cell(
        f'office:value-type="float" office:value="{v}"{f}><text:p>{v}</text:p', rep, **attrs
    )


def cell(inner: str, rep: int = 1, tag: str = "table:table-cell", **attrs: Any) -> str:
    extra = "".join(f' table:{k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    if rep > 1:
        extra += f' table:number-columns-repeated="{rep}"'
    if inner.endswith("/"):
        return f"<{tag}{extra}/>"
    return f"<{tag}{extra} {inner}></{tag}>"


def empty(rep: int = 1) -> str:
    return cell("/", rep)


def covered(rep: int = 1) -> str:
    return cell("/", rep, tag="table:covered-table-cell")


def row(*cells: str, rep: int = 1, hidden: str = "") -> str:
    extra = f' table:number-rows-repeated="{rep}"' if rep > 1 else ""
    extra += f' table:visibility="{hidden}"' if hidden else ""
    return f"<table:table-row{extra}>{''.join(cells)}</table:table-row>"


def column(rep: int = 1, hidden: str = "") -> str:
    extra = f' table:number-columns-repeated="{rep}"' if rep > 1 else ""
    extra += f' table:visibility="{hidden}"' if hidden else ""
    return f'<table:table-column table:style-name="co1"{extra}/>'


def test_ods_positions_agree_with_calamine(tmp_path: Path) -> None:
    """Empty leading rows and columns, repeated empty rows, a repeated row, merges and the
    cells they cover, hidden rows and columns (repeated), formulas (repeated): every
    position as calamine reads the sheet with skip_empty_area=False."""
    columns = (
        column(2)
        + column(1, "collapse")
        + "<table:table-columns>"
        + column(1)
        + column(2, "collapse")
        + "</table:table-columns>"
        + column(16377, "collapse")  # out to the last column, as LibreOffice writes
    )
    rows = (
        row(empty(1024), rep=3)  # rows 0-2: nothing
        + row(empty(2), text("first"), num(1), empty(1020))  # row 3: C4, D4
        + row(empty(5), rep=2)  # rows 4-5
        + row(
            empty(1),
            text("merged", number_columns_spanned=3, number_rows_spanned=2),
            covered(2),
            text("hidden col"),
        )  # row 6
        + row(empty(1), covered(3), text("after cover"), hidden="collapse")  # row 7
        + "<table:table-header-rows>"
        + row(text("repeated"), empty(2), num(2, formula="of:=1+1"), rep=3, hidden="filter")  # 8-10
        + "</table:table-header-rows>"
        + row(empty(3), rep=4)  # rows 11-14
        + row(empty(4), rep=1)  # row 15
        + row(num(5, rep=2, formula="of:=[.A1]"), text("last", number_columns_spanned=2))  # 16
        + row(empty(1024), rep=1048559, hidden="collapse")  # to the sheet's end
    )
    data = ods([("表一", columns + rows), ("plain", row(text("x")))])
    path = tmp_path / "s.ods"
    path.write_bytes(data)
    (sheet, plain) = parse_sheets(data)
    assert sheet.merges == []  # calamine has none for .ods: they come from here
    at = where(path)["表一"]
    assert at["first"] == (3, 2) and at[1.0] == (3, 3)
    assert at["merged"] == (6, 1) and at["hidden col"] == (6, 4)
    assert at["after cover"] == (7, 4)
    assert [r[0] for r in sheet.rows[8:11]] == ["repeated"] * 3
    assert at[2.0] == (10, 3)
    assert sheet.rows[16][:3] == [5.0, 5.0, "last"]
    assert len(sheet.rows) == 17 and len(sheet.rows[0]) == 5

    facts = facts_of(path)
    f = facts.sheet("表一")
    assert f.merges == ((6, 1, 7, 3), (16, 2, 16, 3))
    assert f.hidden_rows == {7, 8, 9, 10}  # the rows hidden to the sheet's end are cut
    assert f.hidden_cols == {2, 4}  # cut at the last column that holds anything
    assert f.formulas == {(8, 3), (9, 3), (10, 3), (16, 0), (16, 1)}
    assert facts.sheet("plain") == SheetFacts(merges=())
    assert not facts.recalc_on_open


def test_ods_broken_table_keeps_the_others() -> None:
    good = ("好", row(text("a", number_columns_spanned=2), covered()))
    bad = (
        "坏",
        row(text("b"))
        + row(text("b")).replace("-row>", '-row table:number-rows-repeated="-3">', 1),
    )
    facts = workbook_facts(ods([good, bad, ("后", row(text("c"), hidden="collapse"))]), "ods")
    assert facts.sheet("好").merges == ((0, 0, 0, 1),)
    assert facts.sheets["坏"] == EMPTY
    assert facts.sheet("后").hidden_rows == {0}


def test_ods_with_a_dtd_gives_nothing() -> None:
    data = ods([("s", row(text("a"), hidden="collapse"))])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        content = z.read("content.xml")
    content = content.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaa">]>', 1)
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
    assert workbook_facts(b.getvalue(), "ods") == WorkbookFacts({})


# ---------------------------------------------------------------- anything else


@pytest.mark.parametrize("fmt", ["xlsx", "xlsm", "xlsb", "xls", "ods", "csv"])
def test_garbage_gives_empty_facts(fmt: str, tmp_path: Path) -> None:
    for data in (
        b"",
        b"not a workbook at all",
        b"PK\x03\x04" + b"\0" * 100,
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 600,
    ):
        assert workbook_facts(data, fmt) == WorkbookFacts({})


def test_cut_off_files_never_raise(tmp_path: Path) -> None:
    xls = tmp_path / "b.xls"
    xls_workbook(xls)
    xlsx = tmp_path / "w.xlsx"
    wb = xlsxwriter.Workbook(xlsx)
    wb.add_worksheet().write_formula(0, 0, "=1+1")
    wb.close()
    for path, fmt in ((xls, "xls"), (xlsx, "xlsx")):
        data = path.read_bytes()
        for cut in range(0, len(data), 97):
            workbook_facts(data[:cut], fmt)
            workbook_facts(data[:cut] + b"\0" * 600, fmt)
    # a compound file whose FAT sends a chain round in a loop
    data = bytearray(xls.read_bytes())
    fat_sector = struct.unpack_from("<I", data, 0x4C)[0]
    first_dir = struct.unpack_from("<I", data, 0x30)[0]
    struct.pack_into("<I", data, (fat_sector + 1) * 512 + 4 * first_dir, first_dir)
    assert workbook_facts(bytes(data), "xls") == WorkbookFacts({})


def test_xlsb_and_csv_have_no_facts() -> None:
    assert workbook_facts(b"a,b\n1,2\n", "csv") == WorkbookFacts({})
    assert workbook_facts(package({"s": sheet_xml("")}), "xlsb") == WorkbookFacts({})
