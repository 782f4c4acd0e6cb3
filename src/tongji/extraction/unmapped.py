"""What a workbook holds that its mappings did not read, for the meaning reader: the tables
of a sheet no mapping read (a sheet of several tables, or one whose mappings found none), and
the datasets of a county's table beside the one its city mapping reads. Never a guess: two
tables giving the same field of one school's record are reported, neither is read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .meaning import Reader, Reading
from .records import ALL, FileOutput
from .tables import SheetTables

if TYPE_CHECKING:
    from ..config.mapping import Mapping
    from .read import Sheet


def left_by_mappings(
    out: FileOutput, sheet: Sheet, tables: SheetTables, schools: set[str], reader: Reader
) -> list[Reading]:
    """The readings by meaning of what a sheet that mappings read holds besides: its tables
    no mapping read, and the datasets of a table of schools (`schools`: the datasets its
    mappings of schools-as-records read) that they did not. Each is said."""
    read = {i: ds for (name, i), ds in out.tables_read.items() if name == sheet.name}
    if read and len(tables.blocks) <= 1 and not schools:
        return []  # one table, read by its mappings: the sheet is theirs
    # a table that mappings of one school's figures read is theirs; a county's table
    # (schools as records) may hold more datasets than its mappings read
    read = {i: (ds if ds & schools else ds | {ALL}) for i, ds in read.items()}
    given = {v.dataset for v in out.result.values}  # one record a school: a mapping's
    readings = [
        r
        for r in reader.read(tables, read)
        if r.mapping.records is not None or r.mapping.dataset not in given
    ]
    kept = one_table_each(out, sheet, readings)
    for r in kept:
        out.result.sheets.append((sheet.name, r.mapping.id))
        said_by_meaning(out, sheet, r)
    return kept


def by_school(mapping: Mapping) -> bool:
    return mapping.records is not None and mapping.records.by_school


def one_table_each(out: FileOutput, sheet: Sheet, readings: list[Reading]) -> list[Reading]:
    """Readings by meaning, but none of a dataset of one record per school that two tables
    of the sheet both give (this year's and last year's, say): which is meant is not a
    guess, and both are reported."""
    by_dataset: dict[str, list[Reading]] = {}
    for r in readings:
        if r.mapping.records is None:
            by_dataset.setdefault(r.mapping.dataset, []).append(r)
    doubled = {
        d
        for d, rs in by_dataset.items()
        if sum(len(r.mapping.fields) for r in rs)
        > len({p.field for r in rs for p in r.mapping.fields})  # a field read twice
    }
    for d in sorted(doubled):
        listing = "；".join(
            f"第 {(r.table.header_rows or [r.table.data_rows[0].index])[0] + 1} 行起的表"
            + (f"“{r.table.caption}”" if r.table.caption else "")
            for r in by_dataset[d]
        )
        out.issue(
            "table_ambiguous",
            f"工作表中有几张表都可按含义读取为“{by_dataset[d][0].dataset_title}”，未读取：{listing}",
            "请为这种版式写一个映射，在 [match] 中用 caption 写明要读的表。",
            sheet=sheet.name,
        )
    return [
        r for r in readings if r.mapping.records is not None or r.mapping.dataset not in doubled
    ]


def said_by_meaning(out: FileOutput, sheet: Sheet, r: Reading) -> None:
    """A table read by what its labels mean: said, with what it did not explain."""
    t = r.table
    top = t.header_rows[0] if t.header_rows else t.data_rows[0].index
    start = t.address(top, t.label_col if t.label_col is not None else 0)
    where = (f"表“{t.caption}”" if t.caption else "表") + f"（自 {start} 起）"
    along = "（记录按列排）" if t.sheet.transposed else ""
    out.issue(
        "read_by_meaning",
        f"没有映射的{where}{along}按标签的含义读取为“{r.dataset_title}”的 {r.explained} 个字段{r.how}"
        + (f"；未识别的列：{'、'.join(r.unexplained)}" if r.unexplained else ""),
        "请核对“数据”表中这些数字的来源；要固定读法，可为这种版式写一个映射（tongji mappings suggest）。",
        sheet=sheet.name,
        mapping=r.mapping.id,
    )
