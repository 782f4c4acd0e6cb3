"""The extraction cache: one file's result as JSON, checked field by field when it is read.

Data, not pickles: whoever can write the output folder cannot make the next run execute
code. An entry that cannot be read, or that does not have exactly the shape written here,
is no entry: its file is read again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..extraction.records import FileResult, Total, Value
from ..findings import ISSUE_COLUMNS, Issue

VERSION = 1
SUFFIX = ".json"

_S, _N = (str,), (type(None),)
_NUM = (int, float)
# Each field of a record: the JSON types it may have.
_VALUE = (
    _S,
    _S + _N,
    (int,),
    (list,),
    _S,
    _NUM + _N,
    _S + _N,
    _S,
    _S + _N,
    _S + _N,
    _NUM,
    _S,
    _S,
    _S,
    _S,
    _S,
    _S,
)
_TOTAL = (_S, _S + _N, (int,), (list,), _S, _S, _NUM + _N, _NUM + _N, (int,), _S, _S, _S, _S)
_ISSUE = (_S,) * len(ISSUE_COLUMNS) + (_S, (int,) + _N)


class _Invalid(Exception):
    pass


def dump(result: FileResult) -> str:
    """A file's result as JSON text (raises ValueError for a value JSON cannot hold)."""
    return json.dumps(
        {
            "version": VERSION,
            "file": result.file, "sha256": result.sha256, "format": result.format, "school_id": result.school_id,
            "school_how": result.school_how, "status": result.status, "note": result.note,
            "sheets": [list(s) for s in result.sheets],
            "values": [[v.dataset, v.school_id, v.year, [list(k) for k in v.keys], v.field, v.value, v.text, v.status, v.unit, v.source_unit, v.factor, v.raw, v.file, v.sheet, v.cell, v.mapping, v.rule] for v in result.values],
            "totals": [[t.dataset, t.school_id, t.year, [list(k) for k in t.keys], t.field, t.label, t.value, t.parts_sum, t.n_parts, t.file, t.sheet, t.cell, t.part_cells] for t in result.totals],
            "issues": [[*(getattr(i, c) for c in ISSUE_COLUMNS), i.dataset, i.year] for i in result.issues],
        },
        ensure_ascii=False,
        allow_nan=False,
    )  # fmt: skip


def load(path: Path, display: str) -> FileResult | None:
    """The result kept in `path` for a file now named `display`, or None when the entry is
    missing, unreadable or not exactly what `dump` writes."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return _result(data, display)
    except (OSError, ValueError, _Invalid, TypeError, KeyError, IndexError):
        return None


def _check(row: Any, kinds: tuple) -> list:
    if not isinstance(row, list) or len(row) != len(kinds):
        raise _Invalid
    for value, allowed in zip(row, kinds, strict=True):
        if not isinstance(value, allowed) or isinstance(value, bool):
            raise _Invalid
    return row


def _keys(raw: list) -> tuple[tuple[str, str], ...]:
    if not all(
        isinstance(k, list) and len(k) == 2 and all(isinstance(x, str) for x in k) for k in raw
    ):
        raise _Invalid
    return tuple((k[0], k[1]) for k in raw)


def _result(data: Any, display: str) -> FileResult:
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise _Invalid
    head = [data[k] for k in ("file", "sha256", "format", "school_how", "status", "note")]
    if not all(isinstance(x, str) for x in head) or not isinstance(
        data["school_id"], (str, type(None))
    ):
        raise _Invalid
    values = [_value(_check(row, _VALUE), display) for row in data["values"]]
    totals = [_total(_check(row, _TOTAL), display) for row in data["totals"]]
    issues = [_issue(_check(row, _ISSUE), display) for row in data["issues"]]
    sheets = [tuple(_check(s, (_S, _S))) for s in data["sheets"]]
    return FileResult(
        display,
        data["sha256"],
        data["format"],
        data["school_id"],
        data["school_how"],
        sheets,
        values,
        totals,
        issues,
        data["status"],
        data["note"],
    )  # type: ignore[arg-type]


def _value(row: list, display: str) -> Value:
    row[3] = _keys(row[3])
    row[5] = float(row[5]) if row[5] is not None else None
    row[10] = float(row[10])
    row[12] = display  # a copy of the same bytes under another name is read as itself
    return Value(*row)


def _total(row: list, display: str) -> Total:
    row[3] = _keys(row[3])
    row[9] = display
    return Total(*row)


def _issue(row: list, display: str) -> Issue:
    fields = dict(zip((*ISSUE_COLUMNS, "dataset", "year"), row, strict=True))
    if fields["file"]:
        fields["file"] = display
    return Issue(**fields)
