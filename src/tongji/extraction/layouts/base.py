"""What every layout shares: the typed placements of a field, the layout interface, and
`SheetJob`, one sheet being read with one mapping.

A layout is one unit: it says which keys a `[[fields]]` entry of its mappings uses (and
turns them into its own placement type), whether it reads one record per row, and how it
finds each field's cell in a sheet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import LocateError
from .. import units as units_module
from ..clean import normalize_label
from ..locate import Column, Row, Table, find_column, is_total_label, locate_table
from ..match import expand_year
from ..records import FileOutput, Place, SourceUnit

if TYPE_CHECKING:
    from ...config.mapping import Dataset, Dimension, FieldDef, FieldEntry, Mapping
    from ...config.toml import Section
    from ..locate import HeaderCache
    from ..read import Sheet
    from ..roster import Roster
    from ..view import SheetView

SCHOOL_KEY = "school"  # a [records] key naming the column that holds the school


# ---------------------------------------------------------------- placements


@dataclass(frozen=True, kw_only=True)
class Placement:
    """Where one field's figure is in a sheet of some layout."""

    field: str
    unit: str | None = None  # the source unit, when the sheet does not say it
    required: bool = False
    unit_column: tuple[str, ...] = ()  # header path(s) of a column holding each row's unit

    def expected_labels(self) -> tuple[tuple[str, ...], ...]:
        """What a sheet of this mapping shows around the figure, for choosing a mapping: groups
        of alternative texts, one of each group present (a row label and a column header)."""
        return ()


@dataclass(frozen=True, kw_only=True)
class CellPlacement(Placement):
    """A national-form cell: row label(s) or 行次 × header path(s) or column code."""

    row: tuple[str, ...] = ()
    line: str | None = None
    column: tuple[str, ...] = ()
    code: str | None = None
    sum: bool = False  # the figure is the sum of every row × column given, not the first found

    def expected_labels(self) -> tuple[tuple[str, ...], ...]:
        return tuple(group for group in (self.row, last_parts(self.column)) if group)


@dataclass(frozen=True, kw_only=True)
class ColumnPlacement(Placement):
    """A column of a table read one record per row: header path(s) or column code."""

    column: tuple[str, ...] = ()
    code: str | None = None
    sum: bool = False  # the figure is the sum of every column given, not the first found

    def expected_labels(self) -> tuple[tuple[str, ...], ...]:
        return (last_parts(self.column),) if self.column else ()


@dataclass(frozen=True, kw_only=True)
class LabelPlacement(Placement):
    """A key–value form: the value beside (or below) a label."""

    label: tuple[str, ...] = ()
    direction: str = "auto"  # right | below | auto

    def expected_labels(self) -> tuple[tuple[str, ...], ...]:
        return (self.label,) if self.label else ()


def last_parts(paths: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(path.split("/")[-1] for path in paths)


def labels(texts: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(normalize_label(t) for t in texts)


def header_path(text: str) -> str:
    """A header path as written in a config (`按学历分/本科毕业`), normalised per part."""
    return "/".join(
        normalize_label(part) for part in re.split(r"[/／>]", text) if normalize_label(part)
    )


def line_text(value: str | int | None) -> str | None:
    return str(value) if value is not None else None


# ---------------------------------------------------------------- the layout interface


class Layout:
    """One layout family of source sheets."""

    name = ""
    title = ""  # how messages name it: 国家报表式
    records = "optional"  # [records]: optional | required | never

    def placement(
        self, entry: FieldEntry, sec: Section, common: dict[str, Any], has_records: bool
    ) -> Placement:
        """This layout's placement for a `[[fields]]` entry; mistakes go to `sec`. By
        default a column of a table read one record per row."""
        return column_placement(entry, sec, common)

    def extract(self, job: SheetJob) -> None:
        """Record every field of the job's mapping found in its sheet."""
        raise NotImplementedError


def column_placement(entry: FieldEntry, sec: Section, common: dict[str, Any]) -> ColumnPlacement:
    """The placement of a field in a table read one record per row."""
    if entry.row or entry.line is not None:
        sec.problem("row", "按行取记录（[records]）时，字段只给出列（column/code），不给出行")
    if entry.sum and len(entry.column) < 2:
        sec.problem("sum", "sum = true 时 column 应列出两个或更多要相加的列")
    return ColumnPlacement(
        **common,
        column=tuple(header_path(t) for t in entry.column),
        code=line_text(entry.code),
        sum=entry.sum,
    )


# ---------------------------------------------------------------- one sheet, one mapping


@dataclass
class SheetJob:
    """One sheet read with one mapping: what a layout works with."""

    sheet: Sheet
    view: SheetView
    mapping: Mapping
    dataset: Dataset
    out: FileOutput
    roster: Roster
    dimensions: dict[str, Dimension]
    headers: HeaderCache | None = None

    @property
    def school_id(self) -> str | None:
        """The workbook's school, for a dataset of school figures (city figures have none)."""
        return self.out.result.school_id if self.dataset.entity == "school" else None

    def year_texts(self, texts: tuple[str, ...]) -> tuple[str, ...]:
        """A mapping's labels and header paths with `{year}`/`{prev}` put in: the column of
        the year being extracted, when years stand side by side."""
        return tuple(expand_year(t, self.out.year) for t in texts)

    def is_total(self, label: str) -> bool:
        """A totals row: 合计, 总计, 全县合计 … or a label the mapping declares in `totals`."""
        return is_total_label(label) or label in self.mapping.totals

    def place(self, school_id: str | None, keys: tuple[tuple[str, str], ...]) -> Place:
        return Place(self.out, self.sheet.name, self.mapping.id, self.dataset.name, school_id, keys)

    def issue(
        self, code: str, message: str, hint: str = "", cell: str = "", severity: str | None = None
    ) -> None:
        self.out.issue(code, message, hint, self.sheet.name, cell, self.mapping.id, severity)

    def missing_field(self, p: Placement, fdef: FieldDef, message: str) -> None:
        self.issue(
            "field_not_found",
            f"{'必填' if p.required else ''}字段“{fdef.title}”（{fdef.name}）未找到：{message}",
            f"请用 tongji inspect {Path(self.out.wb.path).name} --mapping {self.mapping.id} 查看表头，并修改映射 {self.mapping.file}。",
            severity="error" if p.required else "warning",
        )

    def table(self) -> Table | None:
        """The sheet's table, or None with a finding when it has none."""
        table = locate_table(self.sheet, self.view, self.headers)
        if table is None or not table.data_rows:
            self.issue(
                "table_not_found",
                "工作表中找不到数据表（没有识别出表头和数据行）",
                f"请用 tongji inspect 查看该表，并检查映射 {self.mapping.file}。",
            )
            return None
        return table

    def source_unit(
        self,
        p: Placement,
        fdef: FieldDef,
        col: Column | None = None,
        table: Table | None = None,
        row: Row | None = None,
        row_index: int | None = None,
    ) -> SourceUnit:
        """The unit a figure is written in: the mapping's word for the field, else what the
        sheet says (the row's cell in a unit column, the column header, the row label, a
        `单位：` cell), else the mapping's default. A unit the figure's own cell names
        (`856000元`) overrides all of these when the figure is recorded. `row` is a grid's
        row (its label may name a unit); `row_index` the row of a record, for the unit column."""
        if p.unit:
            return SourceUnit(p.unit, "映射指定")
        index = row.index if row is not None else row_index
        if index is not None and table is not None:
            in_row = table.unit_in(index, self.unit_column(table, p))
            if in_row:
                return SourceUnit(in_row, "单位列")
        if col is not None and col.unit:
            return SourceUnit(col.unit, "表头")
        if row is not None and row.unit:
            return SourceUnit(row.unit, "行标签")
        declared = _declared_for(table.units, fdef.unit) if table is not None else None
        if declared:
            return SourceUnit(declared, "表内“单位”")
        if self.mapping.unit:
            return SourceUnit(self.mapping.unit, "映射默认")
        return SourceUnit(fdef.unit, "")

    def unit_column(self, table: Table, p: Placement) -> int | None:
        """The column holding each row's unit: the one the mapping names, else one headed
        单位 or 计量单位 (found by `locate`)."""
        paths = p.unit_column or self.mapping.unit_column
        if not paths:
            return table.unit_col
        try:
            return find_column(table, self.year_texts(paths)).index
        except LocateError:
            return None


def _declared_for(units: tuple[str, ...], target: str | None) -> str | None:
    """Of the units a sheet declares, the one for a field in `target`: one of its family,
    else one tongji does not know (so the conversion fails with a finding), else the first."""
    if not units:
        return None
    family = units_module.family(target) if target else None
    same = [u for u in units if family and units_module.family(u) == family]
    unknown = [u for u in units if units_module.family(u) is None]
    return (same or unknown or list(units))[0]
