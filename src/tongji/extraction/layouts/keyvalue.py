"""A key–value form (学校基本情况): each figure beside (or below) its label.

The labels are looked for in the table of the sheet that holds most of the mapping's labels
(a sheet of several tables may repeat a label in another one); the unit of a figure is the
one the sheet says for that table: a unit cell beside the value (`占地面积 | 30 | 亩`), a unit
in the label (`占地面积（亩）`), or a `单位：千元` line above the label in its table."""

from __future__ import annotations

from ...words.units import canonical_unit
from ..records import SourceUnit, record_figure
from ..tables import Block, caption_words, sheet_tables
from ..view import Found, find_labelled_value
from .base import LabelPlacement, Layout, SheetJob, declared_for


class KeyValueLayout(Layout):
    name = "keyvalue"

    def extract(self, job: SheetJob) -> None:
        place = job.place(job.school_id, job.mapping.keys)
        tables = sheet_tables(job.sheet, job.view, job.headers)
        wanted_by_field = {
            p.field: job.year_texts(p.label) or job.dataset.fields[p.field].labels
            for p in job.mapping.fields
        }
        block = _block_of(job, tables.blocks, wanted_by_field)
        if block is None or block in tables.blocks:  # (not: a caption naming no table)
            index = tables.blocks.index(block) if block is not None else 0
            job.out.table_read(job.sheet.name, index, job.dataset.name)
        rows = (block.top, block.bottom) if block is not None else None
        for p in job.mapping.fields:
            assert isinstance(p, LabelPlacement)
            fdef = job.dataset.fields[p.field]
            wanted = wanted_by_field[p.field]
            found = find_labelled_value(job.sheet, wanted, p.direction, job.view, rows)
            if found is None:
                job.missing_field(p, fdef, f"表中没有标签“{' 或 '.join(wanted)}”或其旁边没有值")
                continue
            found, beside = _unit_beside(job, found)
            unit = _unit(job, p, fdef, found, beside, block, tables.preamble_units)
            where = f"键值：标签“{wanted[0]}”{'（同格）' if found.inline else ''}"
            record_figure(place, fdef, found.row, found.col, found.raw, unit, where, found.inline)


def _block_of(
    job: SheetJob, blocks: list[Block], wanted: dict[str, tuple[str, ...]]
) -> Block | None:
    """The table (rows) holding most of the mapping's labels, of those whose caption the
    mapping names (`[match] caption`); None: the whole sheet (one table)."""
    wanted_caption = job.year_texts(job.mapping.match.caption)
    if wanted_caption:
        blocks = [b for b in blocks if any(w in caption_words(b.caption) for w in wanted_caption)]
        if not blocks:
            return Block(0, 0)  # no table of that caption: nothing is found (and said)
    if len(blocks) <= 1:
        return blocks[0] if wanted_caption else None
    exact, prefix = job.view.label_index
    cells = [
        (r, c)
        for labels in wanted.values()
        for label in labels
        for index in (exact, prefix)
        for r, c in index.get(label, ())
    ]

    def held(b: Block) -> int:
        return sum(
            1
            for labels in wanted.values()
            if any(
                b.top <= r < b.bottom
                for label in labels
                for index in (exact, prefix)
                for r, _ in index.get(label, ())
            )
        )

    best = max(blocks, key=held)
    return best if cells and held(best) else None


def _unit_beside(job: SheetJob, found: Found) -> tuple[Found, str | None]:
    """A unit written in a cell of its own beside the value: `占地面积 | 30 | 亩` (the unit
    after the value) or `占地面积 | 亩 | 30` (before it: the value is the next cell)."""
    if found.inline or not isinstance(found.raw, str) and found.raw is not None:
        after = job.view.raw(found.row, found.col + 1)
        unit = canonical_unit(after) if isinstance(after, str) else None
        return found, unit
    unit = canonical_unit(found.raw) if isinstance(found.raw, str) else None
    if unit is None:
        return found, None
    for c in range(found.col + 1, min(found.col + 4, job.sheet.n_cols)):
        v = job.view.raw(found.row, c)
        if v not in (None, ""):
            return Found(found.row, c, v, label_unit=found.label_unit), unit
    return found, None


def _unit(
    job: SheetJob,
    p,
    fdef,
    found: Found,
    beside: str | None,
    block: Block | None,
    preamble: tuple[str, ...],
) -> SourceUnit:
    """The mapping's unit for the field, else a unit cell beside the value, the label's unit,
    a `单位：` line above the label in its table, the mapping's default, the field's unit."""
    if p.unit:
        return SourceUnit(p.unit, "映射指定")
    if beside:
        return SourceUnit(beside, "单位列")
    if found.label_unit:
        return SourceUnit(found.label_unit, "标签")
    top = block.top if block is not None else 0
    lines = job.view.unit_lines  # the nearest `单位：` line above the label, in its table
    above = max((r for r in lines if top <= r < found.row), default=None)
    declared = lines[above] if above is not None else ()
    unit = declared_for(declared or preamble, fdef.unit)
    if unit:
        return SourceUnit(unit, "表内“单位”")
    return job.source_unit(p, fdef)
