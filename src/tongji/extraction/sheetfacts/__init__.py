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

from .base import EMPTY, SheetFacts, WorkbookFacts
from .ods import _ods_workbook
from .xls import _xls_workbook
from .xlsx import _xlsx_workbook, xlsx_sheet_facts

__all__ = ["EMPTY", "SheetFacts", "WorkbookFacts", "workbook_facts", "xlsx_sheet_facts"]


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


INCOMPLETE = "\0incomplete"  # a key of the guard's `parts`: some worksheet part was not kept


def nothing_hidden(fmt: str, parts: dict[str, bytes]) -> bool:
    """An .xlsx whose every worksheet part (unzipped by the guard) has no hidden row or
    column and no formula: its sheet facts are empty, known without parsing them."""
    if fmt not in ("xlsx", "xlsm") or INCOMPLETE in parts:
        return False
    sheets = [x for name, x in parts.items() if name.startswith("xl/worksheets/")]
    return bool(sheets) and not any(_may_hide(x) for x in sheets)


def _may_hide(xml: bytes) -> bool:
    """`hidden`, a formula (`<f`, prefixed `x:f`), or before the rows a zero height or width."""
    if b"hidden" in xml or b"<f" in xml or b":f" in xml:
        return True
    at = xml.find(b"sheetData")
    head = xml if at < 0 else xml[:at]
    return b"zeroHeight" in head or b'width="0' in head
