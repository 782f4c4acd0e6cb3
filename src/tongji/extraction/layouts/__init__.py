"""The layout families of source sheets, one unit each, chosen by a mapping's `layout`.

A new family is a new module here with a `Layout` subclass (its placement type and how it
finds each field), and one line in `LAYOUTS`."""

from __future__ import annotations

from .base import (
    SCHOOL_KEY,
    CellPlacement,
    ColumnPlacement,
    LabelPlacement,
    Layout,
    Placement,
    SheetJob,
)
from .grid import GridLayout
from .keyvalue import KeyValueLayout
from .listing import ListLayout

LAYOUTS: dict[str, Layout] = {
    layout.name: layout for layout in (GridLayout(), ListLayout(), KeyValueLayout())
}

__all__ = [
    "LAYOUTS",
    "SCHOOL_KEY",
    "CellPlacement",
    "ColumnPlacement",
    "LabelPlacement",
    "Layout",
    "Placement",
    "SheetJob",
]
