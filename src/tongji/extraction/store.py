"""The extract folder, written and read back here and nowhere else: one Parquet file per
dataset (and a CSV of it for Excel), the lineage, the totals rows, the issues (CSV for
Excel), the list of files read, the roster used, and all of it in one SQLite file
(`export.py`). Every file is written whole or not at all: to a temporary file
beside it, then renamed over the old one.

A record's keys (专业大类, 教师类别 …) are stored in the lineage as text
(`figures.encode_keys`)."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from ..errors import AggregateError
from ..files import atomic_path, ensure_replaceable, write_text
from ..findings import ISSUE_COLUMNS, ISSUE_HEADERS, SEVERITY_LABEL, Issue, sort_key
from . import clean
from .clean import printable
from .export import (
    DATABASE_FILE,
    add_database_issues,
    csv_names,
    dataset_csv_frame,
    write_database,
    write_dataset_csv,
)
from .figures import decode_keys, records_frame
from .records import ExtractResult, Total
from .roster import Roster

if TYPE_CHECKING:
    from ..config.mapping import Dataset, Pack

LINEAGE_FILE = "lineage.parquet"
TOTALS_FILE = "totals.parquet"
ISSUES_FILE = "issues.csv"
FILES_FILE = "files.parquet"
ROSTER_FILE = "roster.parquet"


@contextlib.contextmanager
def folder_replaced(path: str | Path) -> Iterator[Path]:
    """Yield a new folder beside `path`; on success it takes the place of `path` (an extract
    folder from before, or nothing), on failure it is removed. A reader never sees one
    extraction's files mixed with another's. A folder at `path` that holds anything but an
    extraction's files is not replaced: UsageError."""
    from ..errors import UsageError

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        foreign = (
            [p.name for p in path.iterdir() if not _extract_file(p)]
            if path.is_dir()
            else [path.name]
        )
        if foreign:
            raise UsageError(
                f"输出目录“{path}”中已有不是提取结果的文件（如 {'、'.join(sorted(foreign)[:3])}）：tongji 不会替换它。请指定一个新的或空的目录。"
            )
    for stale in [
        *path.parent.glob(f".{path.name}.new-*"),
        *path.parent.glob(f".{path.name}.old-*"),
    ]:
        shutil.rmtree(stale, ignore_errors=True)  # left by an extraction that was killed
    new = path.parent / f".{path.name}.new-{os.getpid()}"
    new.mkdir()
    try:
        yield new
        old = path.parent / f".{path.name}.old-{os.getpid()}"
        if path.is_dir():
            ensure_replaceable(sorted(path.iterdir()))
            _swap(path, old, path)
        try:
            _swap(new, path, path)
        except BaseException:
            if old.is_dir() and not path.exists():
                os.replace(old, path)  # the extraction from before stays
            raise
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _swap(src: Path, dst: Path, output: Path) -> None:
    """Rename a folder; a refusal (Windows: a file in it is open) names the output folder,
    not the temporary one."""
    from ..errors import OutputBusyError

    try:
        os.replace(src, dst)
    except PermissionError as exc:
        raise OutputBusyError(
            f"无法替换输出目录 {output}：其中的文件可能正被其他程序（如 Excel、WPS）打开，或没有写入权限。请关闭这些文件后重新运行；原有的提取结果未被改动。"
        ) from exc


def _extract_file(path: Path) -> bool:
    """A file an extraction writes (or its temporary): Parquet, issues.csv, tongji.sqlite,
    and a dataset's CSV (named by its title: only in a folder with the extraction's
    lineage and file list, other CSV files may be returns)."""
    name = path.name
    if not path.is_file():
        return False
    if name.endswith((".parquet", ".tmp")) or name in (ISSUES_FILE, DATABASE_FILE):
        return True
    return name.endswith(".csv") and all(
        (path.parent / f).is_file() for f in (LINEAGE_FILE, FILES_FILE)
    )


def write_parquet(df: pl.DataFrame, path: str | Path) -> None:
    with atomic_path(path) as tmp:
        df.write_parquet(tmp)


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
    return records_frame(totals, schema)


def _field_dtype(ftype: str) -> pl.DataType:
    return {"integer": pl.Int64, "flag": pl.Int64, "text": pl.Utf8, "code": pl.Utf8}.get(
        ftype, pl.Float64
    )


def key_columns(dimensions: list[str], keys: pl.Series) -> pl.DataFrame:
    """One column per dimension: each value's key in it (null when it has none). `keys` is
    the lineage's `keys` column (each value's keys as text); the few thousand distinct key
    texts are decoded once and mapped over it."""
    decoded = {t: decode_keys(t) for t in keys.unique().drop_nulls().to_list()}
    return pl.DataFrame(
        {
            d: keys.replace_strict(
                {text: found.get(d) for text, found in decoded.items()},
                default=None,
                return_dtype=pl.Utf8,
            )
            for d in dimensions
        },
        schema={d: pl.Utf8 for d in dimensions},
    )


def dataset_frame(dataset: Dataset, lineage: pl.DataFrame) -> pl.DataFrame:
    """One row per record (school, year, keys), one column per field, pivoted from the
    lineage (with its key columns); `*` cells are listed in `not_applicable`, which is how
    they differ from blanks (null) and zeros."""
    schema: dict[str, pl.DataType] = {"school_id": pl.Utf8, "year": pl.Int32}
    schema.update({k: pl.Utf8 for k in dataset.keys})
    schema.update({name: _field_dtype(f.type) for name, f in dataset.fields.items()})
    schema["not_applicable"] = pl.List(pl.Utf8)
    rows = lineage.filter(pl.col("dataset") == dataset.name)
    if rows.height == 0:
        return pl.DataFrame(schema=schema)
    index = ["school_id", "year", "keys", *dataset.keys]
    records = rows.group_by(index, maintain_order=True).agg(
        pl.col("field").filter(pl.col("status") == clean.NOT_APPLICABLE).alias("not_applicable")
    )
    textual = [n for n, f in dataset.fields.items() if f.type in ("text", "code")]
    out = records
    for is_text, source in ((False, "value"), (True, "text")):
        part = rows.filter(
            pl.col("field").is_in(textual) if is_text else ~pl.col("field").is_in(textual)
        )
        if part.height:
            wide = part.pivot(on="field", index=index, values=source, aggregate_function="first")
            out = out.join(wide, on=index, how="left", nulls_equal=True, maintain_order="left")
    columns = []
    for name, dtype in schema.items():
        if name not in out.columns:
            columns.append(pl.lit(None, dtype=dtype).alias(name))
        elif (
            dtype == pl.Int64
        ):  # cleaning keeps integers within ±1e15; never fail a whole year on one cell
            columns.append(pl.col(name).round(0).cast(pl.Int64, strict=False))
        else:
            columns.append(pl.col(name).cast(dtype))
    return out.select(columns).sort(["school_id", *dataset.keys], nulls_last=False)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    """A field Excel shows as text: one starting with = + - @ (a sheet named `=HYPERLINK(…)`)
    gets a leading ' as OWASP advises, so that opening issues.csv never runs a formula."""
    text = printable(str(value))
    return "'" + text if text.startswith(_FORMULA_START) else text


_SEVERITY_CODES = {label: code for code, label in SEVERITY_LABEL.items()}


def issues_csv(issues: list[Issue]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([ISSUE_HEADERS[c] for c in ISSUE_COLUMNS])
    for i in sorted(issues, key=sort_key):
        row = i.as_row()
        row["severity"] = SEVERITY_LABEL.get(row["severity"], row["severity"])
        w.writerow([csv_safe(row[c]) for c in ISSUE_COLUMNS])
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
            "n_values": [f.n_values for f in result.files],
            "n_errors": [sum(i.severity == "error" for i in f.issues) for f in result.files],
            "status": [f.status for f in result.files],
            "note": [f.note for f in result.files],
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
            "status": pl.Utf8,
            "note": pl.Utf8,
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


def write_extract(
    result: ExtractResult, pack: Pack, out_dir: str | Path, roster: Roster | None = None
) -> list[Path]:
    """Write every output of an extraction to `out_dir`; returns the paths written. The
    roster is kept beside the data, so that a later aggregation knows the schools as they
    were when the returns were read."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    lineage = result.lineage()
    keyed = pl.concat(
        [lineage, key_columns(list(pack.dimensions), lineage["keys"])],
        how="horizontal",
    )
    schools = roster_frame(roster) if roster is not None else None
    names = (
        dict(zip(schools["school_id"], schools["school_name"], strict=True))
        if schools is not None
        else None
    )
    tables: dict[str, pl.DataFrame] = {}
    csv_files = csv_names(pack, taken=(ISSUES_FILE,))
    for name, dataset in sorted(pack.datasets.items()):
        frame = tables[name] = dataset_frame(dataset, keyed)
        write_parquet(frame, out / f"{name}.parquet")
        with atomic_path(out / csv_files[name]) as tmp:
            write_dataset_csv(dataset_csv_frame(dataset, pack, frame, names), tmp)
        written += [out / f"{name}.parquet", out / csv_files[name]]
    for table, df, fname in (
        ("lineage", lineage, LINEAGE_FILE),
        ("totals", totals_frame(result.totals), TOTALS_FILE),
        ("files", files_frame(result), FILES_FILE),
        *((("schools", schools, ROSTER_FILE),) if schools is not None else ()),
    ):
        write_parquet(df, out / fname)
        tables[table] = df
        written.append(out / fname)
    # utf-8 with BOM: Excel on Windows opens it with the Chinese intact.
    write_text(issues_csv(result.issues), out / ISSUES_FILE, encoding="utf-8-sig")
    with atomic_path(out / DATABASE_FILE) as tmp:
        write_database(tmp, pack, tables, result.issues)
    written += [out / ISSUES_FILE, out / DATABASE_FILE]
    return written


# ---------------------------------------------------------------- reading back

# What aggregation needs of the lineage; the rest (raw text, rules) stays on disk.
FACT_COLUMNS = [
    "dataset",
    "school_id",
    "year",
    "keys",
    "field",
    "value",
    "text",
    "status",
    "file",
    "sheet",
    "cell",
]


def check_extract_dir(folder: Path) -> None:
    if not (folder / LINEAGE_FILE).is_file():
        raise AggregateError(
            f"{folder} 不是提取结果目录（没有 {LINEAGE_FILE}）；请先运行 tongji extract"
        )


def read_lineage(folder: Path, columns: list[str] = FACT_COLUMNS) -> pl.DataFrame:
    check_extract_dir(folder)
    return pl.read_parquet(folder / LINEAGE_FILE, columns=columns)


def with_key_columns(lineage: pl.DataFrame, dimensions: list[str]) -> pl.DataFrame:
    """The lineage with one column per dimension, decoded from its `keys` text (each
    distinct text once: a province's lineage repeats a few hundred of them)."""
    texts = lineage["keys"].cast(pl.Utf8).unique().drop_nulls().to_list()
    decoded = {t: decode_keys(t) for t in texts}
    keys = pl.col("keys").cast(pl.Utf8)
    return lineage.with_columns(
        keys.replace_strict(
            {t: d.get(dim) for t, d in decoded.items()}, default=None, return_dtype=pl.Utf8
        ).alias(dim)
        for dim in dimensions
    )


def read_totals(folder: Path) -> pl.DataFrame | None:
    path = folder / TOTALS_FILE
    return pl.read_parquet(path) if path.is_file() else None


def read_issues(folder: Path) -> list[Issue]:
    """issues.csv as written, the ' that kept a field from being a formula taken off."""
    path = folder / ISSUES_FILE
    if not path.is_file():
        return []
    out = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            fields = {
                k: _unsafe(row.get(ISSUE_HEADERS[k], row.get(k, "")) or "") for k in ISSUE_COLUMNS
            }
            fields["severity"] = _SEVERITY_CODES.get(fields["severity"], fields["severity"])
            out.append(Issue(**fields))
    return out


def add_issues(folder: Path, issues: list[Issue]) -> None:
    """Findings made after a year was written (across years) added to its issues.csv and
    to the issues table of its tongji.sqlite."""
    every = [*read_issues(folder), *issues]
    write_text(issues_csv(every), folder / ISSUES_FILE, encoding="utf-8-sig")
    database = folder / DATABASE_FILE
    if database.is_file():
        with atomic_path(database) as tmp:
            shutil.copyfile(database, tmp)
            add_database_issues(tmp, issues)


def _unsafe(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text


def read_roster(folder: Path) -> pl.DataFrame | None:
    path = folder / ROSTER_FILE
    return pl.read_parquet(path) if path.is_file() else None
