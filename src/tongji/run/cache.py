"""The extraction cache: one file's result as JSON, checked field by field when it is read.

Data, not pickles: whoever can write the output folder cannot make the next run execute
code. An entry that cannot be read, or that does not have exactly the shape written here,
is no entry: its file is read again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from ..extraction import clean
from ..extraction.figures import LINEAGE_SCHEMA, encode_keys, key_pairs
from ..extraction.records import FileResult, Total
from ..files import write_text
from ..findings import ISSUE_COLUMNS, Issue

VERSION = 2  # 2: the figures as columns (one list a lineage column)
SUFFIX = ".json"

_S, _N = (str,), (type(None),)
_NUM = (int, float)
_NUMERIC = frozenset(k for k, t in LINEAGE_SCHEMA.items() if t != pl.Utf8)
# what a figure always has (school, value, text and units may be blank)
_REQUIRED = [
    c for c in LINEAGE_SCHEMA if c not in ("school_id", "value", "text", "unit", "source_unit")
]
_STATUSES = frozenset((clean.VALUE, clean.EMPTY, clean.ERROR, clean.NOT_APPLICABLE))
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
            "values": result.columns(),
            "totals": [[t.dataset, t.school_id, t.year, [list(k) for k in t.keys], t.field, t.label, t.value, t.parts_sum, t.n_parts, t.file, t.sheet, t.cell, t.part_cells] for t in result.totals],
            "issues": [[*(getattr(i, c) for c in ISSUE_COLUMNS), i.dataset, i.year] for i in result.issues],
        },
        ensure_ascii=False,
        allow_nan=False,
    )  # fmt: skip


def keep(result: FileResult, entry: Path) -> None:
    """Write a file's result as the cache entry `entry` (in the process that read the file;
    a figure JSON cannot hold leaves no entry: the file is read again next time)."""
    try:
        text = dump(result)
    except ValueError:
        return
    entry.parent.mkdir(parents=True, exist_ok=True)
    write_text(text, entry)  # whole or not at all: a worker may be stopped at any moment


def load(path: Path, display: str) -> FileResult | None:
    """The result kept in `path` for a file now named `display`, or None when the entry is
    missing, unreadable or not exactly what `dump` writes."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"), parse_constant=_no_constant)
        return _result(data, display)
    except (OSError, ValueError, _Invalid, TypeError, KeyError, IndexError):
        return None


def _no_constant(name: str) -> None:
    raise _Invalid(name)  # NaN, Infinity: never written by `dump`


def _figures(columns: Any, display: str) -> pl.DataFrame:
    """The figures' columns, exactly the lineage's (names, types, one length)."""
    if not isinstance(columns, dict) or list(columns) != list(LINEAGE_SCHEMA):
        raise _Invalid
    if len({len(c) if isinstance(c, list) else -1 for c in columns.values()}) != 1:
        raise _Invalid
    for name in _NUMERIC:  # polars would take true as 1
        if any(isinstance(x, bool) for x in columns[name]):
            raise _Invalid
    try:
        frame = pl.DataFrame(columns, schema=LINEAGE_SCHEMA, strict=True)
    except Exception as exc:  # whatever polars says of a value of the wrong kind
        raise _Invalid from exc
    if any(frame[c].null_count() for c in _REQUIRED):
        raise _Invalid
    if not frame.select(
        pl.col("value").is_finite().or_(pl.col("value").is_null()).all(),
        pl.col("factor").is_finite().all(),
        pl.col("status").is_in(list(_STATUSES)).all(),
    ).row(0) == (True, True, True):
        raise _Invalid
    texts = frame["keys"].unique().to_list()  # each as `encode_keys` writes it
    if any(encode_keys(key_pairs(t)) != t for t in texts):
        raise _Invalid
    # a copy of the same bytes under another name is read as itself
    return frame.with_columns(pl.lit(display, pl.Utf8).alias("file"))


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
    figures = _figures(data["values"], display)
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
        None,
        totals,
        issues,
        data["status"],
        data["note"],
        figures=figures,
    )  # type: ignore[arg-type]


def _total(row: list, display: str) -> Total:
    row[3] = _keys(row[3])
    row[9] = display
    return Total(*row)


def _issue(row: list, display: str) -> Issue:
    fields = dict(zip((*ISSUE_COLUMNS, "dataset", "year"), row, strict=True))
    if fields["file"]:
        fields["file"] = display
    return Issue(**fields)
