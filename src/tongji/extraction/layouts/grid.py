"""The national form (grid): each figure at a row (label or 行次) × a column (header path
or column code). With `[records]`, the rows are records instead (one per 专业大类, say),
and each field is a column."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...errors import LocateError
from ..locate import Column, Row, Table
from ..lookup import find_column, find_row
from ..records import Part, Place, record_figure, record_sum
from .base import CellPlacement, Layout, SheetJob
from .rows import extract_rows

if TYPE_CHECKING:
    from ...config.datasets import FieldDef


class GridLayout(Layout):
    name = "grid"

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
