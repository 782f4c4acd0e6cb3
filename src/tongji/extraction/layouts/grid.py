"""The national form (grid): each figure at a row (label or 行次) × a column (header path
or column code). With `[records]`, the rows are records instead (one per 专业大类, say),
and each field is a column."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...errors import LocateError
from ..locate import Column, Row, Table, find_column, find_row
from ..records import Part, Place, record_figure, record_sum
from .base import CellPlacement, Layout, SheetJob, column_placement, header_path, labels, line_text
from .rows import extract_rows

if TYPE_CHECKING:
    from ...config.datasets import FieldDef
    from ...config.mapping import FieldEntry
    from ...config.toml import Section


class GridLayout(Layout):
    name = "grid"
    title = "国家报表式"
    records = "optional"

    def placement(self, entry: FieldEntry, sec: Section, common: dict[str, Any], has_records: bool):
        if has_records:
            return column_placement(entry, sec, common)
        if not (entry.row or entry.line is not None):
            sec.problem("row", "国家报表式（grid）的字段需要 row（行标签）或 line（行次）")
        if not (entry.column or entry.code is not None):
            sec.problem(
                "column", "国家报表式（grid）的字段需要 column（列标题路径）或 code（列代码）"
            )
        if entry.sum and len(entry.row) < 2 and len(entry.column) < 2:
            sec.problem("sum", "sum = true 时 row 或 column 应列出两个或更多要相加的行或列")
        return CellPlacement(
            **common,
            row=labels(entry.row),
            line=line_text(entry.line),
            column=tuple(header_path(t) for t in entry.column),
            code=line_text(entry.code),
            sum=entry.sum,
        )

    def extract(self, job: SheetJob) -> None:
        table = job.table()
        if table is None:
            return
        if job.mapping.records is None:
            extract_cells(job, table)
        else:
            # rows that are not a known value of the dimension (其中 rows …) are left out
            extract_rows(job, table, unknown_keys_are_errors=False)


def extract_cells(job: SheetJob, table: Table) -> None:
    """One record: each field at (row label or 行次) × (header path or column code)."""
    place = job.place(job.school_id, job.mapping.keys)
    for p in job.mapping.fields:
        assert isinstance(p, CellPlacement)
        fdef = job.dataset.fields[p.field]
        try:
            if p.sum:
                _record_cell_sum(job, table, place, p, fdef)
                continue
            row = find_row(table, job.year_texts(p.row), p.line)
            col = find_column(table, job.year_texts(p.column), p.code)
        except LocateError as exc:
            job.missing_field(p, fdef, exc.message)
            continue
        unit = job.source_unit(p, fdef, col, table, row)
        record_figure(
            place,
            fdef,
            row.index,
            col.index,
            table.value(row.index, col.index),
            unit,
            _where(row, col),
        )


def _where(row: Row, col: Column) -> str:
    return (
        f"行“{row.label}”"
        + (f"（行次 {row.line}）" if row.line else "")
        + f" × 列“{col.path}”"
        + (f"（代码 {col.code}）" if col.code else "")
    )


def _record_cell_sum(
    job: SheetJob, table: Table, place: Place, p: CellPlacement, fdef: FieldDef
) -> None:
    """Every row × every column given, each of them found (else the field is not found)."""
    rows = (
        [find_row(table, (label,)) for label in job.year_texts(p.row)]
        if p.row
        else [find_row(table, (), p.line)]
    )
    cols = (
        [find_column(table, (path,)) for path in job.year_texts(p.column)]
        if p.column
        else [find_column(table, (), p.code)]
    )
    parts = [
        Part(r.index, c.index, table.value(r.index, c.index), job.source_unit(p, fdef, c, table, r))
        for r in rows
        for c in cols
    ]
    record_sum(place, fdef, parts, " + ".join(_where(r, c) for r in rows for c in cols))
