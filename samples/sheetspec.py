"""A sheet described as cells and merges, written as .xlsx (xlsxwriter) or legacy .xls
(xlwt), so both formats hold exactly the same cells. Used by samples/generate.py and by
the tests' fixtures. Output is deterministic: fixed document properties."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter
import xlwt

_CREATED = _dt.datetime(2020, 12, 1, 8, 0, 0)


@dataclass
class SheetSpec:
    name: str
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1
    hidden: bool = False

    def put(self, row: int, col: int, value: Any) -> None:
        self.cells[(row, col)] = value

    def row(self, row: int, values: list[Any], start_col: int = 0) -> None:
        for i, v in enumerate(values):
            if v is not None:
                self.cells[(row, start_col + i)] = v

    def merge(self, r0: int, c0: int, r1: int, c1: int, value: Any) -> None:
        self.merges.append((r0, c0, r1, c1))
        self.cells[(r0, c0)] = value


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
            if (r, c) not in merged_tl:
                ws.write(r, c, v)
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
                ws.write(r, c, v)
        if spec.hidden:
            ws.visibility = 1
    wb.save(str(path))
    return path
