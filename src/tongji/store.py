"""Writing extraction results: one Parquet file per dataset, the lineage, the totals rows,
the issues (CSV for Excel) and the list of files read. Every file is written whole or not
at all: to a temporary file beside it, then renamed over the old one."""

from __future__ import annotations

import contextlib
import csv
import io
import operator
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from . import clean
from .config import Dataset, Pack
from .extract import ExtractResult, Total, Value
from .issues import ISSUE_COLUMNS, Issue, sort_key
from .roster import Roster

LINEAGE_FILE = "lineage.parquet"
TOTALS_FILE = "totals.parquet"
ISSUES_FILE = "issues.csv"
FILES_FILE = "files.parquet"
ROSTER_FILE = "roster.parquet"


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path; on success it replaces `path`, on failure it is removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_parquet(df: pl.DataFrame, path: str | Path) -> None:
    with atomic_path(path) as tmp:
        df.write_parquet(tmp)


def write_text(text: str, path: str | Path, encoding: str = "utf-8") -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding=encoding, newline="")


def keys_text(keys: tuple[tuple[str, str], ...]) -> str:
    return ";".join(f"{k}={v}" for k, v in keys)


LINEAGE_SCHEMA = {
    "dataset": pl.Utf8,
    "school_id": pl.Utf8,
    "year": pl.Int32,
    "keys": pl.Utf8,
    "field": pl.Utf8,
    "value": pl.Float64,
    "text": pl.Utf8,
    "status": pl.Utf8,
    "unit": pl.Utf8,
    "source_unit": pl.Utf8,
    "factor": pl.Float64,
    "raw": pl.Utf8,
    "file": pl.Utf8,
    "sheet": pl.Utf8,
    "cell": pl.Utf8,
    "mapping": pl.Utf8,
    "rule": pl.Utf8,
}


def _records_frame(items: list, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Dataclass records → a frame, one tuple per record (much faster than per cell)."""
    fetch = operator.attrgetter(*schema)
    keys_at = list(schema).index("keys")
    rows = []
    for item in items:
        row = list(fetch(item))
        row[keys_at] = keys_text(row[keys_at])
        rows.append(row)
    return pl.DataFrame(rows, schema=schema, orient="row")


def lineage_frame(values: list[Value]) -> pl.DataFrame:
    return _records_frame(values, LINEAGE_SCHEMA)


def totals_frame(totals: list[Total]) -> pl.DataFrame:
    schema = {
        "dataset": pl.Utf8,
        "school_id": pl.Utf8,
        "year": pl.Int32,
        "keys": pl.Utf8,
        "field": pl.Utf8,
        "label": pl.Utf8,
        "value": pl.Float64,
        "parts_sum": pl.Float64,
        "n_parts": pl.Int32,
        "file": pl.Utf8,
        "sheet": pl.Utf8,
        "cell": pl.Utf8,
        "part_cells": pl.Utf8,
    }
    return _records_frame(totals, schema)


def _field_dtype(ftype: str) -> pl.DataType:
    return {"integer": pl.Int64, "flag": pl.Int64, "text": pl.Utf8, "code": pl.Utf8}.get(ftype, pl.Float64)


def dataset_frame(dataset: Dataset, values: list[Value]) -> pl.DataFrame:
    """One row per record (school, year, keys), one column per field; `*` cells are listed
    in `not_applicable`, which is how they differ from blanks (null) and zeros."""
    records: dict[tuple, dict] = {}
    for v in values:
        if v.dataset != dataset.name:
            continue
        rec = records.setdefault(
            (v.school_id or "", v.keys),
            {"school_id": v.school_id, "year": v.year, **dict(v.keys), "not_applicable": []},
        )
        if v.status == clean.NOT_APPLICABLE:
            rec["not_applicable"].append(v.field)
        rec[v.field] = v.text if dataset.fields[v.field].type in ("text", "code") else v.value
    schema: dict[str, pl.DataType] = {"school_id": pl.Utf8, "year": pl.Int32}
    schema.update({k: pl.Utf8 for k in dataset.keys})
    schema.update({name: _field_dtype(f.type) for name, f in dataset.fields.items()})
    schema["not_applicable"] = pl.List(pl.Utf8)
    rows = [records[k] for k in sorted(records, key=lambda k: (k[0], k[1]))]
    cols: dict[str, list] = {name: [] for name in schema}
    for rec in rows:
        for name in schema:
            value = rec.get(name)
            if schema[name] == pl.Int64 and value is not None:
                value = int(round(value))
            cols[name].append(value)
    return pl.DataFrame(cols, schema=schema)


def issues_csv(issues: list[Issue]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(ISSUE_COLUMNS)
    for i in sorted(issues, key=sort_key):
        row = i.as_row()
        w.writerow([row[c] for c in ISSUE_COLUMNS])
    return buf.getvalue()


def files_frame(result: ExtractResult) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "file": [f.file for f in result.files],
            "sha256": [f.sha256 for f in result.files],
            "format": [f.format for f in result.files],
            "school_id": [f.school_id for f in result.files],
            "school_how": [f.school_how for f in result.files],
            "sheets": [";".join(f"{s}→{m}" for s, m in f.sheets) for f in result.files],
            "n_values": [len(f.values) for f in result.files],
            "n_errors": [sum(i.severity == "error" for i in f.issues) for f in result.files],
        },
        schema={
            "file": pl.Utf8,
            "sha256": pl.Utf8,
            "format": pl.Utf8,
            "school_id": pl.Utf8,
            "school_how": pl.Utf8,
            "sheets": pl.Utf8,
            "n_values": pl.Int32,
            "n_errors": pl.Int32,
        },
    )


def roster_frame(roster: Roster) -> pl.DataFrame:
    return pl.DataFrame(
        roster.rows(),
        schema={
            "school_id": pl.Utf8,
            "school_name": pl.Utf8,
            "district": pl.Utf8,
            "school_type": pl.Utf8,
            "sponsor": pl.Utf8,
            "levels": pl.List(pl.Utf8),
            "is_technical": pl.Boolean,
        },
    )


def write_extract(result: ExtractResult, pack: Pack, out_dir: str | Path, roster: Roster | None = None) -> list[Path]:
    """Write every output of an extraction to `out_dir`; returns the paths written. The
    roster is kept beside the data, so that a later aggregation knows the schools as they
    were when the returns were read."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    by_dataset: dict[str, list[Value]] = {}
    for v in result.values:
        by_dataset.setdefault(v.dataset, []).append(v)
    for name, dataset in sorted(pack.datasets.items()):
        path = out / f"{name}.parquet"
        write_parquet(dataset_frame(dataset, by_dataset.get(name, [])), path)
        written.append(path)
    for df, fname in (
        (lineage_frame(result.values), LINEAGE_FILE),
        (totals_frame(result.totals), TOTALS_FILE),
        (files_frame(result), FILES_FILE),
        *(((roster_frame(roster), ROSTER_FILE),) if roster is not None else ()),
    ):
        write_parquet(df, out / fname)
        written.append(out / fname)
    # utf-8 with BOM: Excel on Windows opens it with the Chinese intact.
    write_text(issues_csv(result.issues), out / ISSUES_FILE, encoding="utf-8-sig")
    written.append(out / ISSUES_FILE)
    return written
