"""What every layout shares: the layout interface and `SheetJob`, one sheet being read
with one mapping. The placements a mapping's `[[fields]]` give are config specs
(`tongji.config.placements`); a layout finds each of them in a sheet."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ...config.placements import (  # noqa: F401  (re-exported for the layouts)
    LAYOUT_KINDS,
    SCHOOL_KEY,
    CellPlacement,
    ColumnPlacement,
    LabelPlacement,
    LayoutKind,
    Placement,
    header_path,
    labels,
)
from ...errors import LocateError
from ...words import units as units_module
from ..locate import Column, Row, Table, is_total_label
from ..lookup import find_column
from ..match import expand_year
from ..read import column_letter
from ..records import ALL, FileOutput, Place, SourceUnit
from ..tables import choose_table, sheet_tables

if TYPE_CHECKING:
    from ...config.mapping import Dataset, Dimension, FieldDef, Mapping
    from ..locate import HeaderCache
    from ..read import Sheet
    from ..roster import Roster
    from ..view import SheetView

# ---------------------------------------------------------------- the layout interface


class Layout:
    """One layout kind's reading of a sheet (its name, title and whether it reads records
    are the config's `LayoutKind`)."""

    name = ""

    @property
    def kind(self) -> LayoutKind:
        return LAYOUT_KINDS[self.name]

    @property
    def title(self) -> str:
        return self.kind.title

    @property
    def records(self) -> str:
        return self.kind.records

    def extract(self, job: SheetJob) -> None:
        """Record every field of the job's mapping found in its sheet."""
        raise NotImplementedError


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
    preset: Table | None = None  # the table to read, when it was chosen already (by meaning)
    read_hidden: bool = False  # the job says rows and columns hidden in Excel are data

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
        return Place(
            self.out,
            self.sheet.name,
            self.mapping.id,
            self.dataset.name,
            school_id,
            keys,
            self.sheet.transposed,
        )

    def issue(
        self, code: str, message: str, hint: str = "", cell: str = "", severity: str | None = None
    ) -> None:
        self.out.issue(code, message, hint, self.sheet.name, cell, self.mapping.id, severity)

    def missing_field(self, p: Placement, fdef: FieldDef, message: str) -> None:
        if p.optional:
            return  # the mapping says some returns have no such column
        self.issue(
            "field_not_found",
            f"{'必填' if p.required else ''}字段“{fdef.title}”（{fdef.name}）未找到：{message}",
            f"请用 tongji inspect {Path(self.out.wb.path).name} --mapping {self.mapping.id} 查看表头，并修改映射 {self.mapping.file}。",
            severity="error" if p.required else "warning",
        )

    def table(self) -> Table | None:
        """The table of the sheet this mapping reads (the job then works on that table's
        window of the sheet), or None with a finding when there is none."""
        if self.preset is not None:
            self.sheet, self.view = self.preset.sheet, self.preset.view
            self.hidden_note(self.preset)
            return self.preset
        tables = sheet_tables(
            self.sheet, self.view, self.headers, self.mapping.read_hidden or self.read_hidden
        )
        choice = choose_table(tables, self.mapping, self.dataset, self.year_texts)
        if choice.ambiguous:
            for fit in choice.ambiguous:  # claimed: not read by meaning either
                self.out.table_read(self.sheet.name, fit.table.block_index, ALL)
            listing = "；".join(
                f"第 {t.table.header_rows[0] + 1 if t.table.header_rows else t.table.data_rows[0].index + 1} 行起的表"
                + (f"“{t.table.caption}”" if t.table.caption else "")
                for t in choice.ambiguous
            )
            self.issue(
                "table_ambiguous",
                f"工作表中有几张表同样符合映射，未读取：{listing}",
                f"请在映射 {self.mapping.file} 的 [match] 中用 caption 写明要读的表（表的标题文字）。",
            )
            return None
        table = choice.table
        if table is None:
            self.issue(
                "table_not_found",
                "工作表中找不到数据表（没有识别出表头和数据行）",
                f"请用 tongji inspect 查看该表，并检查映射 {self.mapping.file}。",
            )
            return None
        self.out.table_read(self.sheet.name, table.block_index, self.dataset.name)
        self.sheet, self.view = table.sheet, table.view
        self.hidden_note(table)
        return table

    def hidden_note(self, table: Table) -> None:
        """Rows or columns hidden in Excel inside the table: not read, and said once."""
        if not (table.hidden_rows or table.hidden_cols):
            return
        key = (self.sheet.name, table.block_index)
        if key in self.out.hidden_said:
            return
        self.out.hidden_said.add(key)
        parts = []
        if table.hidden_rows:
            parts.append("第 " + "、".join(str(r + 1) for r in table.hidden_rows) + " 行")
        if table.hidden_cols:
            parts.append(" ".join(column_letter(c) for c in table.hidden_cols) + " 列")
        self.issue(
            "hidden_cells_skipped",
            f"表中隐藏的{'和'.join(parts)}有内容，未读取（隐藏的行列常是上一年的旧数字）",
            "若其中是本年度要报的数字，请在 Excel 中取消隐藏并删去旧数字后重新放入。",
        )

    def address(self, row: int, col: int) -> str:
        return self.sheet.address(row, col)

    def line_name(self, index: int) -> str:
        """A record's line as the sheet shows it: `第 5 行`, or `D 列` when the records run
        along the columns."""
        return f"{column_letter(index)} 列" if self.sheet.transposed else f"第 {index + 1} 行"

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
        declared = declared_for(table.units, fdef.unit) if table is not None else None
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


def declared_for(units: tuple[str, ...], target: str | None) -> str | None:
    """Of the units a sheet declares, the one for a field in `target`: one of its family,
    else one tongji does not know (so the conversion fails with a finding), else the first —
    but an amount's unit (`金额单位：万元`) says nothing of a field counted in something else
    (基地数 in 个 beside 设备总值 in 万元)."""
    return _declared_for(tuple(units), target) if units else None


@lru_cache(maxsize=1024)
def _declared_for(units: tuple[str, ...], target: str | None) -> str | None:
    family = units_module.family(target) if target else None
    same = [u for u in units if family and units_module.family(u) == family]
    unknown = [u for u in units if units_module.family(u) is None]
    rest = [
        u for u in units if not (family and family != "money" and units_module.family(u) == "money")
    ]
    found = same or unknown or rest
    return found[0] if found else None
