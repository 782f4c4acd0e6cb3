"""A key–value form (学校基本情况): each figure beside (or below) its label."""

from __future__ import annotations

from ..records import SourceUnit, record_figure
from ..view import find_labelled_value
from .base import LabelPlacement, Layout, SheetJob


class KeyValueLayout(Layout):
    name = "keyvalue"

    def extract(self, job: SheetJob) -> None:
        place = job.place(job.school_id, job.mapping.keys)
        for p in job.mapping.fields:
            assert isinstance(p, LabelPlacement)
            fdef = job.dataset.fields[p.field]
            wanted = job.year_texts(p.label) or fdef.labels
            found = find_labelled_value(job.sheet, wanted, p.direction, job.view)
            if found is None:
                job.missing_field(p, fdef, f"表中没有标签“{' 或 '.join(wanted)}”或其旁边没有值")
                continue
            unit = job.source_unit(p, fdef)
            if found.label_unit and not p.unit:
                unit = SourceUnit(found.label_unit, "标签")
            where = f"键值：标签“{wanted[0]}”{'（同格）' if found.inline else ''}"
            record_figure(place, fdef, found.row, found.col, found.raw, unit, where, found.inline)
