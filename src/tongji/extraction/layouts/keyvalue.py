"""A key–value form (学校基本情况): each figure beside (or below) its label."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..records import SourceUnit, record_figure
from ..view import find_labelled_value
from .base import LabelPlacement, Layout, SheetJob, labels

if TYPE_CHECKING:
    from ...config.mapping import FieldEntry
    from ...config.toml import Section

DIRECTIONS = ("auto", "right", "below")


class KeyValueLayout(Layout):
    name = "keyvalue"
    title = "键值表"
    records = "never"

    def placement(self, entry: FieldEntry, sec: Section, common: dict[str, Any], has_records: bool):
        if entry.row or entry.column or entry.code is not None or entry.line is not None:
            sec.problem(
                "label", "键值表（keyvalue）的字段用 label（标签文字）定位，不用 row/column"
            )
        if entry.sum:
            sec.problem("sum", "键值表（keyvalue）的字段不能求和；请用 grid 版式")
        if entry.direction not in DIRECTIONS:
            sec.problem("direction", f"应为 right、below 或 auto，实际为“{entry.direction}”")
        return LabelPlacement(**common, label=labels(entry.label), direction=entry.direction)

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
