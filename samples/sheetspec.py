"""A sheet described as cells and merges, written as .xlsx (xlsxwriter), legacy .xls
(xlwt) or OpenDocument .ods (written by hand), so every format holds exactly the same
cells. Used by samples/generate.py, samples/example_city.py, samples/beiling_city.py and
by the tests' fixtures. Output is deterministic: fixed document properties and zip dates.

Besides values and merges a sheet can have hidden rows and columns, be hidden itself, and
have formula cells with a cached value (the value is what a reader without a calculation
engine sees; .xls gets the value only)."""

from __future__ import annotations

import datetime as _dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import xlsxwriter
import xlwt

_CREATED = _dt.datetime(2020, 12, 1, 8, 0, 0)


@dataclass
class SheetSpec:
    name: str
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1
    hidden: bool = False
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # "=SUM(B3:D3)", Excel style

    def put(self, row: int, col: int, value: Any) -> None:
        self.cells[(row, col)] = value

    def row(self, row: int, values: list[Any], start_col: int = 0) -> None:
        for i, v in enumerate(values):
            if v is not None:
                self.cells[(row, start_col + i)] = v

    def merge(self, r0: int, c0: int, r1: int, c1: int, value: Any) -> None:
        self.merges.append((r0, c0, r1, c1))
        self.cells[(r0, c0)] = value

    def formula(self, row: int, col: int, formula_text: str, cached_value: Any) -> None:
        """A formula cell (Excel syntax, leading '=') whose cached value is `cached_value`."""
        self.formulas[(row, col)] = formula_text if formula_text.startswith("=") else "=" + formula_text
        self.cells[(row, col)] = cached_value


def write_xlsx(path: Path, sheets: list[SheetSpec]) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": _CREATED, "author": "tongji samples"})
    for spec in sheets:
        ws = wb.add_worksheet(spec.name)
        merged_tl = set()
        for r0, c0, r1, c1 in spec.merges:
            ws.merge_range(r0, c0, r1, c1, spec.cells.get((r0, c0), ""))
            merged_tl.add((r0, c0))
        for (r, c), v in spec.cells.items():
            if (r, c) in spec.formulas:
                ws.write_formula(r, c, spec.formulas[(r, c)], None, v)
            elif (r, c) not in merged_tl:
                ws.write(r, c, v)
        for r in sorted(spec.hidden_rows):
            ws.set_row(r, None, None, {"hidden": True})
        for c in sorted(spec.hidden_cols):
            ws.set_column(c, c, None, None, {"hidden": True})
        if spec.hidden:
            ws.hide()
    wb.close()
    return path


def write_xls(path: Path, sheets: list[SheetSpec]) -> Path:
    wb = xlwt.Workbook(encoding="utf-8")
    for spec in sheets:
        ws = wb.add_sheet(spec.name, cell_overwrite_ok=True)
        merged_tl = set()
        for r0, c0, r1, c1 in spec.merges:
            ws.write_merge(r0, r1, c0, c1, spec.cells.get((r0, c0), ""))
            merged_tl.add((r0, c0))
        for (r, c), v in spec.cells.items():
            if (r, c) not in merged_tl:
                ws.write(r, c, v)  # formulas: the cached value only
        for r in spec.hidden_rows:
            ws.row(r).hidden = True
        for c in spec.hidden_cols:
            ws.col(c).hidden = True
        if spec.hidden:
            ws.visibility = 1
    wb.save(str(path))
    return path


# ---------------------------------------------------------------- OpenDocument (.ods)

_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.2"'
)
_MIME = "application/vnd.oasis.opendocument.spreadsheet"
_XML = '<?xml version="1.0" encoding="UTF-8"?>\n'


def _of_formula(formula: str) -> str:
    """Excel-style '=SUM(B3:D3)/2' → OpenFormula 'of:=SUM([.B3:.D3])/2'."""
    ref = r"\$?[A-Z]{1,3}\$?[0-9]+"
    body = re.sub(rf"({ref}):({ref})", r"[.\1:.\2]", formula.lstrip("="))
    body = re.sub(rf"(?<![.A-Z])({ref})(?![0-9:\]])", r"[.\1]", body)
    return "of:=" + body.replace(",", ";")


def _ods_number(v: float) -> str:
    return str(int(v)) if isinstance(v, int) or float(v).is_integer() else repr(float(v))


def _ods_cell(spec: SheetSpec, r: int, c: int, span: tuple[int, int] | None) -> str:
    attrs = ""
    if span:
        attrs += f' table:number-rows-spanned="{span[0]}" table:number-columns-spanned="{span[1]}"'
    if (r, c) in spec.formulas:
        attrs += f" table:formula={quoteattr(_of_formula(spec.formulas[(r, c)]))}"
    v = spec.cells.get((r, c))
    if v is None or v == "":
        return f"<table:table-cell{attrs}/>"
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        n = _ods_number(v)
        return f'<table:table-cell{attrs} office:value-type="float" office:value="{n}"><text:p>{n}</text:p></table:table-cell>'
    paras = "".join(f"<text:p>{escape(line)}</text:p>" for line in str(v).split("\n"))
    return f'<table:table-cell{attrs} office:value-type="string">{paras}</table:table-cell>'


def _ods_table(spec: SheetSpec) -> str:
    spans = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in spec.merges}
    covered = {(r, c) for r0, c0, r1, c1 in spec.merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - set(spans)
    used = set(spec.cells) | covered | set(spans)
    nrows = max((r for r, _ in used), default=0) + 1
    ncols = max((c for _, c in used), default=0) + 1
    style = "ta2" if spec.hidden else "ta1"
    out = [f"<table:table table:name={quoteattr(spec.name)} table:style-name=\"{style}\">"]
    for c in range(ncols):
        vis = ' table:visibility="collapse"' if c in spec.hidden_cols else ""
        out.append(f'<table:table-column table:style-name="co1"{vis}/>')
    for r in range(nrows):
        vis = ' table:visibility="collapse"' if r in spec.hidden_rows else ""
        cells, empty = [], 0
        for c in range(ncols):
            if (r, c) in covered:
                xml = "<table:covered-table-cell/>"
            elif spec.cells.get((r, c)) in (None, "") and (r, c) not in spans and (r, c) not in spec.formulas:
                empty += 1
                continue
            else:
                xml = _ods_cell(spec, r, c, spans.get((r, c)))
            if empty:
                cells.append(f'<table:table-cell table:number-columns-repeated="{empty}"/>')
                empty = 0
            cells.append(xml)
        if empty:
            cells.append(f'<table:table-cell table:number-columns-repeated="{empty}"/>')
        out.append(f"<table:table-row{vis}>{''.join(cells)}</table:table-row>")
    out.append("</table:table>")
    return "".join(out)


def write_ods(path: Path, sheets: list[SheetSpec]) -> Path:
    content = (
        f"{_XML}<office:document-content {_NS}><office:automatic-styles>"
        '<style:style style:name="ta1" style:family="table" style:master-page-name="Default">'
        '<style:table-properties table:display="true"/></style:style>'
        '<style:style style:name="ta2" style:family="table" style:master-page-name="Default">'
        '<style:table-properties table:display="false"/></style:style>'
        '<style:style style:name="co1" style:family="table-column">'
        '<style:table-column-properties style:column-width="2.5cm"/></style:style>'
        "</office:automatic-styles><office:body><office:spreadsheet>"
        + "".join(_ods_table(s) for s in sheets)
        + "</office:spreadsheet></office:body></office:document-content>"
    )
    styles = (
        f"{_XML}<office:document-styles {_NS}><office:styles/><office:automatic-styles>"
        '<style:page-layout style:name="pm1"/></office:automatic-styles><office:master-styles>'
        '<style:master-page style:name="Default" style:page-layout-name="pm1"/>'
        "</office:master-styles></office:document-styles>"
    )
    meta = (
        f"{_XML}<office:document-meta {_NS}><office:meta><meta:generator>tongji samples</meta:generator>"
        f"<meta:creation-date>{_CREATED.isoformat()}</meta:creation-date></office:meta></office:document-meta>"
    )
    manifest = (
        f'{_XML}<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="{_MIME}"/>'
        + "".join(f'<manifest:file-entry manifest:full-path="{n}" manifest:media-type="text/xml"/>' for n in ("content.xml", "styles.xml", "meta.xml"))
        + "</manifest:manifest>"
    )
    date = _CREATED.timetuple()[:6]
    with zipfile.ZipFile(path, "w") as z:
        for name, data, method in (
            ("mimetype", _MIME, zipfile.ZIP_STORED),
            ("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED),
            ("content.xml", content, zipfile.ZIP_DEFLATED),
            ("styles.xml", styles, zipfile.ZIP_DEFLATED),
            ("meta.xml", meta, zipfile.ZIP_DEFLATED),
        ):
            info = zipfile.ZipInfo(name, date_time=date)
            info.compress_type = method
            info.external_attr = 0o644 << 16
            z.writestr(info, data.encode("utf-8"))
    return path
