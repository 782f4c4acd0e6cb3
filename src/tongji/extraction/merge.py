"""Putting many files' figures together: a file with the bytes of another is a copy, the
same figure from two places is a duplicate (equal) or a conflict (different).

Merging is pure: the files' results it is given are what a run caches, one entry a file,
and each must describe its own file only, whatever else the batch held. A figure the merge
changes (a conflict) is a new `Value` in the merged result; the files' own are untouched.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace
from itertools import chain, repeat
from pathlib import PurePath

import polars as pl

from ..findings import Issue, issue
from . import clean, figures
from .records import ExtractResult, FileResult, Value

# Empty files hold the same (no) bytes and are each said as empty, never as a copy.
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def copies_among(files: Iterable[tuple[str, str | None]]) -> dict[str, str]:
    """Which inputs (display name, sha256 or None) hold the same bytes as another, and which
    of them is read: copy → the one read. Of identical files the one with the shortest name
    is read (a copy is `X - 副本.xlsx`, `X(1).xlsx`, `备份_X.xlsx`), then the first in order.
    Empty files are no copies of each other."""
    groups: dict[str, list[str]] = {}
    for name, sha256 in files:
        if sha256 and sha256 != EMPTY_SHA256:
            groups.setdefault(sha256, []).append(name)
    out: dict[str, str] = {}
    for names in groups.values():
        kept = min(names, key=lambda n: len(PurePath(n).name))  # min keeps the first of equals
        out.update({n: kept for n in names if n != kept})
    return out


def copy_result(display: str, original: str, sha256: str, fmt: str = "") -> FileResult:
    """An input with exactly the bytes of another: said, and its figures not counted twice."""
    found = issue(
        "duplicate_file",
        f"与“{original}”内容完全相同（可能是备份副本），未重复读取",
        "请确认哪一份该留下，删去另一份。",
        file=display,
    )
    return FileResult(
        display, sha256, fmt, status="not_read", note=f"与 {original} 内容相同", issues=[found]
    )


def without_copies(results: list[FileResult]) -> list[FileResult]:
    """The results, each copy of an earlier file replaced by a result that says so."""
    copy_of = copies_among((res.file, res.sha256) for res in results)
    return [
        copy_result(res.file, copy_of[res.file], res.sha256, res.format)
        if res.file in copy_of
        else res
        for res in results
    ]


_RECORD = ["dataset", "school_id", "year", "keys", "field"]  # one figure of one record


def merge_results(results: list[FileResult], year: int) -> ExtractResult:
    """Put the files' figures together; the same figure from two places with different
    values is a conflict: one finding naming both places, and neither figure is used. The
    results given are not changed (they are what the cache keeps).

    The figures are merged as columns: only those of a record and field that more than one
    place gives become objects, and are judged one by one (`_judge`)."""
    totals = [t for res in results for t in res.totals]
    frames = [res.figures() for res in results]
    everything = figures.concat(frames)
    if not everything.height:  # no figures at all
        issues = [i for res in results for i in res.issues]
        return ExtractResult(year, results, None, totals, issues, lineage=everything)
    file_no = chain.from_iterable(repeat(n, f.height) for n, f in enumerate(frames))
    everything = everything.with_columns(
        pl.Series("_file", list(file_no), dtype=pl.Int32)
    ).with_row_index("_row")
    twice = everything.select(pl.struct(_RECORD).is_duplicated()).to_series()
    if not twice.any():
        issues = [i for res in results for i in res.issues]
        lineage = everything.drop("_row", "_file")
        return ExtractResult(year, results, None, totals, issues, lineage=lineage)
    shared = everything.filter(twice)
    places = zip(
        figures.values_of(shared.drop("_row", "_file")),
        shared["_file"].to_list(),
        shared["_row"].to_list(),
        strict=True,
    )
    chosen, said, copies = _judge(places)
    issues = [i for n, res in enumerate(results) for i in (*res.issues, *said.get(n, ()))]
    issues += copies
    kept = figures.figures_frame([v for _, v in chosen]).with_columns(
        pl.Series("_row", [row for row, _ in chosen], dtype=everything["_row"].dtype)
    )
    once = everything.filter(~twice).drop("_file").select(kept.columns)
    lineage = pl.concat([once, kept], how="vertical").sort("_row").drop("_row")
    return ExtractResult(year, results, None, totals, issues, lineage=lineage)


def _judge(
    places: Iterable[tuple[Value, int, int]],
) -> tuple[list[tuple[int, Value]], dict[int, list[Issue]], list[Issue]]:
    """Figures given by more than one place, in the files' order (value, file number, row):
    the figure used for each (at the row of its first place), the findings said with each
    file, and the copies used (said last, unless the figure turned out in conflict)."""
    values: list[Value] = []
    rows: list[int] = []
    said: dict[int, list[Issue]] = {}
    at: dict[tuple, int] = {}  # (record key, field) -> its index in values
    conflicts: dict[tuple, list[Value]] = {}  # (record key, field) -> the other places
    copies: dict[tuple, list[Issue]] = {}  # copy_value_used, said unless a conflict follows
    for v, file_no, row in places:
        k = (*v.record_key, v.field)
        if k not in at:
            at[k] = len(values)
            values.append(v)
            rows.append(row)
            continue
        first = values[at[k]]
        if first.status == clean.VALUE and v.status == clean.VALUE:
            if (first.value, first.text) == (v.value, v.text):
                said.setdefault(file_no, []).append(_duplicate(first, v))
            else:
                conflicts.setdefault(k, []).append(v)
                said.setdefault(file_no, []).append(_conflict(first, v))
        elif k in conflicts:
            continue  # already two figures that disagree: neither is used, and that is said
        elif first.status == clean.VALUE or v.status == clean.VALUE:
            # One copy holds a figure, the other a blank or a cell already reported as
            # unreadable: the figure is the one a reader can use, and it says so.
            used, other = (first, v) if first.status == clean.VALUE else (v, first)
            values[at[k]] = used
            copies.setdefault(k, []).append(_copy_used(used, other))
        elif first.status == clean.EMPTY and v.status == clean.ERROR:
            values[at[k]] = v  # an unreadable cell is not a blank: the figure stays missing
    copies_used = [i for k, found in copies.items() if k not in conflicts for i in found]
    for k, others in conflicts.items():
        first = values[at[k]]
        elsewhere = "、".join(f"{_place(o)}（“{o.raw}”）" for o in others)
        values[at[k]] = replace(
            first,
            value=None,
            text=None,
            status=clean.ERROR,
            rule=f"{first.rule}；与 {elsewhere} 冲突，不采用",
        )
    return list(zip(rows, values, strict=True)), said, copies_used


def _place(v: Value) -> str:
    return f"{v.file} {v.sheet}!{v.cell}"


def _duplicate(first: Value, v: Value) -> Issue:
    return issue(
        "duplicate_value",
        f"同一数字在两处重复报送且一致：{_place(first)}",
        **_at(v),
    )


def _conflict(first: Value, v: Value) -> Issue:
    return issue(
        "conflicting_value",
        f"“{v.dataset}.{v.field}”在两处的值不一致：{_place(first)} 为“{first.raw}”，"
        f"{_place(v)} 为“{v.raw}”；两者都不采用",
        "请确认哪份是最新的报表，删除或更正另一份后重新运行。",
        **_at(v),
    )


def _copy_used(used: Value, other: Value) -> Issue:
    state = {clean.EMPTY: "为空", clean.ERROR: f"无法识别（“{other.raw}”）"}.get(
        other.status, f"为“{other.raw}”"
    )
    return issue(
        "copy_value_used",
        f"“{used.dataset}.{used.field}”在两处报送：{_place(other)} {state}，采用此处的“{used.raw}”",
        "请确认哪份是最新的报表，删除另一份后重新运行。",
        **_at(used),
    )


def _at(v: Value) -> dict[str, str]:
    """Where a finding about a value is: its file, sheet and cell."""
    return {
        "file": v.file,
        "sheet": v.sheet,
        "cell": v.cell,
        "school_id": v.school_id or "",
        "mapping": v.mapping,
    }
