"""What extraction gives: a `Value` is one figure with its lineage (file, sheet, cell, raw
text, mapping, rule, unit conversion); a `Total` is a 合计/小计 row kept apart as a check; a
`FileResult` is what one file gives, an `ExtractResult` a year's files put together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..findings import Issue


@dataclass(slots=True)
class Value:
    """One extracted figure and where it came from."""

    dataset: str
    school_id: str | None
    year: int
    keys: tuple[tuple[str, str], ...]
    field: str
    value: float | None
    text: str | None
    status: str
    unit: str | None
    source_unit: str | None
    factor: float
    raw: str
    file: str
    sheet: str
    cell: str
    mapping: str
    rule: str

    @property
    def record_key(self) -> tuple:
        return (self.dataset, self.school_id, self.year, self.keys)

    def __reduce__(self):
        # A plain tuple pickles (from a worker process to the parent) much faster than a
        # dataclass's state.
        return (
            _value,
            (
                self.dataset,
                self.school_id,
                self.year,
                self.keys,
                self.field,
                self.value,
                self.text,
                self.status,
                self.unit,
                self.source_unit,
                self.factor,
                self.raw,
                self.file,
                self.sheet,
                self.cell,
                self.mapping,
                self.rule,
            ),
        )


def _value(*args) -> Value:
    return Value(*args)


@dataclass(slots=True)
class Total:
    """A totals row (合计/小计) of a return: kept apart from the data, used as a check."""

    dataset: str
    school_id: str | None
    year: int
    keys: tuple[tuple[str, str], ...]
    field: str
    label: str
    value: float | None
    parts_sum: float | None
    n_parts: int
    file: str
    sheet: str
    cell: str
    part_cells: str


class _Figures:
    """Figures held either as `Value` objects (while a file is read, or when a step changes
    single figures) or as one frame of lineage columns (polars: how figures cross from a
    worker process, are merged and written); each form is made from the other on demand."""

    __slots__ = ("_values", "_figures")

    def _hold(self, values: list[Value] | None, figures: Any) -> None:
        self._figures = figures
        self._values = values if values is not None or figures is not None else []

    @property
    def values(self) -> list[Value]:
        if self._values is None:  # objects asked for: the list is the figures from now on
            from .figures import values_of

            self._values, self._figures = values_of(self._figures), None
        return self._values

    @values.setter
    def values(self, values: list[Value]) -> None:
        self._values, self._figures = values, None

    @property
    def n_values(self) -> int:
        return len(self._values) if self._values is not None else self._figures.height

    def figures(self) -> Any:
        """The figures as a lineage frame."""
        if self._figures is not None:
            return self._figures
        from .figures import figures_frame

        return figures_frame(self._values)  # type: ignore[arg-type]

    def columns(self) -> dict[str, list]:
        """The figures as one list a lineage column."""
        if self._figures is not None:
            return self._figures.to_dict(as_series=False)
        from .figures import columns_of

        return columns_of(self._values)  # type: ignore[arg-type]

    def pack(self, figures: Any = None) -> Any:
        """Hold the figures as a frame (`figures`, when already built: a slice of a bigger
        one); the objects are let go."""
        self._figures = figures if figures is not None else self.figures()
        self._values = None
        return self


class FileResult(_Figures):
    """What one file gives: its figures, totals rows and findings. The figures are held
    either as `Value` objects (while the file is read) or, once `pack`ed, as one frame of
    lineage columns (how they cross from a worker process and are merged); `values` turns a
    packed result back into objects when a step needs them one by one."""

    __slots__ = (
        "file", "sha256", "format", "school_id", "school_how", "sheets", "totals", "issues",
        "status", "note",
    )  # fmt: skip

    def __init__(
        self,
        file: str,
        sha256: str = "",
        format: str = "",
        school_id: str | None = None,
        school_how: str = "",
        sheets: list[tuple[str, str]] | None = None,  # (sheet, mapping id)
        values: list[Value] | None = None,
        totals: list[Total] | None = None,
        issues: list[Issue] | None = None,
        status: str = "read",  # read | not_read (a file in an input folder, not a workbook)
        note: str = "",  # why a file was not read
        figures: Any = None,  # a lineage frame (polars), instead of `values`
    ):
        self.file, self.sha256, self.format = file, sha256, format
        self.school_id, self.school_how = school_id, school_how
        self.sheets = sheets if sheets is not None else []
        self.totals = totals if totals is not None else []
        self.issues = issues if issues is not None else []
        self.status, self.note = status, note
        self._hold(values, figures)

    _STATE = (*__slots__, "_values", "_figures")

    def __getstate__(self) -> tuple:
        return tuple(getattr(self, name) for name in self._STATE)

    def __setstate__(self, state: tuple) -> None:
        for name, item in zip(self._STATE, state, strict=True):
            setattr(self, name, item)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FileResult):
            return NotImplemented
        mine = [getattr(self, n) for n in self.__slots__]
        return mine == [getattr(other, n) for n in self.__slots__] and (self.values == other.values)

    def __repr__(self) -> str:
        return f"FileResult({self.file!r}, school_id={self.school_id!r}, {self.n_values} 个数字)"


class ExtractResult(_Figures):
    """A year's files put together: the figures (objects, or a lineage frame), totals rows
    and findings."""

    __slots__ = ("year", "files", "totals", "issues")

    def __init__(
        self,
        year: int,
        files: list[FileResult],
        values: list[Value] | None,
        totals: list[Total],
        issues: list[Issue],
        lineage: Any = None,
    ):
        self.year, self.files, self.totals, self.issues = year, files, totals, issues
        self._hold(values, lineage)

    def lineage(self) -> Any:
        """The figures as a lineage frame (polars)."""
        return self.figures()
