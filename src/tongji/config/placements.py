"""Where a field's figure is, as a mapping says it: the typed placements of `[[fields]]`
entries, and the layout kinds a mapping may name. These are specs only; extraction
compiles them against a sheet's tables (`tongji.extraction.layouts`).

A layout kind says which keys a `[[fields]]` entry uses and whether its mappings read one
record per row (`[records]`): `grid` (a national form: row label or 行次 × header path or
column code), `list` (one record per row, each field a column), `keyvalue` (each figure
beside its label)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..words.labels import normalize_label

if TYPE_CHECKING:
    from .mapping import FieldEntry
    from .toml import Section

SCHOOL_KEY = "school"  # a [records] key naming the column that holds the school


@dataclass(frozen=True)
class LayoutKind:
    name: str
    title: str  # how messages name it: 国家报表式
    records: str  # [records]: optional | required | never


LAYOUT_KINDS: dict[str, LayoutKind] = {
    kind.name: kind
    for kind in (
        LayoutKind("grid", "国家报表式", "optional"),
        LayoutKind("list", "清单表", "required"),
        LayoutKind("keyvalue", "键值表", "never"),
    )
}
DIRECTIONS = ("auto", "right", "below")


# ---------------------------------------------------------------- placements


@dataclass(frozen=True, kw_only=True)
class Placement:
    """Where one field's figure is in a sheet of some layout."""

    field: str
    unit: str | None = None  # the source unit, when the sheet does not say it
    required: bool = False
    optional: bool = False  # a column some returns have and others not: its absence is no finding
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


# ---------------------------------------------------------------- from `[[fields]]`


def placement(
    layout: str, entry: FieldEntry, sec: Section, common: dict[str, Any], has_records: bool
) -> Placement:
    """The placement a layout's `[[fields]]` entry gives; mistakes go to `sec`."""
    for key in ("row", "column", "label", "unit_column"):
        if any(not normalize_label(t) for t in getattr(entry, key)):
            sec.problem(key, "不能是空文字；不用这个键时删去这一行")
    if layout == "keyvalue":
        return _label_placement(entry, sec, common)
    if layout == "grid" and not has_records:
        return _cell_placement(entry, sec, common)
    return column_placement(entry, sec, common)


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


def _cell_placement(entry: FieldEntry, sec: Section, common: dict[str, Any]) -> CellPlacement:
    if not (entry.row or entry.line is not None):
        sec.problem("row", "国家报表式（grid）的字段需要 row（行标签）或 line（行次）")
    if not (entry.column or entry.code is not None):
        sec.problem("column", "国家报表式（grid）的字段需要 column（列标题路径）或 code（列代码）")
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


def _label_placement(entry: FieldEntry, sec: Section, common: dict[str, Any]) -> LabelPlacement:
    if entry.row or entry.column or entry.code is not None or entry.line is not None:
        sec.problem("label", "键值表（keyvalue）的字段用 label（标签文字）定位，不用 row/column")
    if entry.sum:
        sec.problem("sum", "键值表（keyvalue）的字段不能求和；请用 grid 版式")
    return LabelPlacement(**common, label=labels(entry.label), direction=entry.direction)
