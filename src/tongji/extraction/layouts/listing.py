"""A list (清单表): one record per data row, its keys from columns (or the row label),
each field a column. A key that is not a known value is an error."""

from __future__ import annotations

from .base import Layout, SheetJob
from .rows import extract_rows


class ListLayout(Layout):
    name = "list"

    def extract(self, job: SheetJob) -> None:
        table = job.table()
        if table is not None:
            extract_rows(job, table, unknown_keys_are_errors=True)
