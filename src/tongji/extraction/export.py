"""The extracted data where a statistician can open it without Python: every dataset as a
CSV named by its Chinese title (UTF-8 with BOM, Chinese headers, one row per record) that
Excel and WPS open as it is,
and the whole extraction as one SQLite file, `tongji.sqlite`, that DB Browser for SQLite,
DBeaver, Excel's ODBC import or any SQL tool can query.

The SQLite file holds one table per dataset (the Parquet columns, names as in the
mappings), `lineage` (a view: file, sheet, cell and raw text of every figure; its repeated
texts are stored once, in `texts`, and by number in `lineage_ids`), `totals`, `files`,
`schools` (the roster used), `issues` and `columns` (every column's Chinese title and
unit); and one view per dataset under its Chinese title with Chinese column names and the
school's name, and `数据问题`, the issues as 数据质量 shows them, for browsing. Both are written whole or not at all, like the Parquet files,
and are byte-identical for the same extraction."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import adbc_driver_sqlite.dbapi as adbc_sqlite
import polars as pl

from ..findings import ISSUE_COLUMNS, ISSUE_HEADERS, SEVERITY_LABEL, Issue, sort_key
from ..words.labels import file_stem

if TYPE_CHECKING:
    from ..config.mapping import Dataset, Pack

DATABASE_FILE = "tongji.sqlite"
ISSUES_VIEW = "数据问题"

# Chinese headers of the identifying columns (a dataset's keys take their dimension's title).
COLUMN_TITLES = {
    "school_id": "学校代码",
    "school_name": "学校名称",
    "year": "年度",
    "not_applicable": "不适用（*）的项目",
}
_FORMULA = r"^[=+\-@\t\r]"  # Excel would run these as formulas: a leading ' keeps them text


def column_titles(dataset: Dataset, pack: Pack) -> dict[str, tuple[str, str]]:
    """Each column of a dataset's table → (Chinese title, unit)."""
    titles: dict[str, tuple[str, str]] = {"school_id": (COLUMN_TITLES["school_id"], "")}
    titles["year"] = (COLUMN_TITLES["year"], "")
    for key in dataset.keys:
        dim = pack.dimensions.get(key)
        titles[key] = (dim.title if dim else key, "")
    for name, field in dataset.fields.items():
        titles[name] = (field.title, field.unit or "")
    titles["not_applicable"] = (COLUMN_TITLES["not_applicable"], "")
    return titles


_ROSTER_NAME = "\x00roster_name"  # never a field's name (fields are identifiers)


def roster_name_title(dataset: Dataset) -> str:
    """The header of the school's name from the roster: 学校名称, or 名录学校名称 when the
    dataset has a field of that title (the name the return itself gives)."""
    title = COLUMN_TITLES["school_name"]
    return "名录" + title if any(f.title == title for f in dataset.fields.values()) else title


def headers(titles: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Column → its header, `title（unit）`; two columns of one header (two fields of one
    title) told apart by the column's name."""
    shown = {c: f"{title}（{unit}）" if unit else title for c, (title, unit) in titles.items()}
    seen = list(shown.values())
    return {c: h if seen.count(h) == 1 else f"{h}[{c}]" for c, h in shown.items()}


def dataset_csv_frame(
    dataset: Dataset, pack: Pack, frame: pl.DataFrame, names: dict[str, str] | None
) -> pl.DataFrame:
    """A dataset's table as its CSV shows it: school name beside the code (when the roster is
    known), not-applicable fields by title, Chinese headers with units, text that Excel
    would take for a formula kept as text."""
    titles = column_titles(dataset, pack)
    field_titles = {name: f.title for name, f in dataset.fields.items()}
    na = pl.col("not_applicable")
    out = frame.with_columns(
        pl.when(na.list.len() > 0).then(
            na.list.eval(pl.element().replace(field_titles)).list.join("、")
        )
    )
    if names is not None:
        school_name = pl.col("school_id").replace_strict(names, default=None, return_dtype=pl.Utf8)
        out = out.select("school_id", school_name.alias(_ROSTER_NAME), pl.exclude("school_id"))
        titles = {
            "school_id": titles["school_id"],
            _ROSTER_NAME: (roster_name_title(dataset), ""),
            **titles,
        }
    return formula_safe(out).rename(headers({c: titles[c] for c in out.columns}))


def formula_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """Text Excel would run as a formula (= + - @ first) gets a leading ' in every text
    column."""
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(_FORMULA))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c, dtype in frame.schema.items()
        if dtype == pl.Utf8
    )


def csv_names(pack: Pack, taken: Iterable[str] = ()) -> dict[str, str]:
    """Each dataset → the file name of its CSV: its Chinese title (`分专业学生.csv`), safe on
    Windows (no `\\ / : * ? " < > |`, no trailing dot or space, no reserved device name);
    a title two datasets share, or a name already `taken` (issues.csv), gets the dataset's
    own name in brackets. Windows compares names without case: so does this."""
    used = {t.lower() for t in taken}
    out: dict[str, str] = {}
    for name, dataset in sorted(pack.datasets.items()):
        stem = file_stem(dataset.title or "", name)
        file = f"{stem}.csv"
        if file.lower() in used:
            file = f"{stem}（{name}）.csv"
        used.add(file.lower())
        out[name] = file
    return out


def write_dataset_csv(frame: pl.DataFrame, path: Path) -> None:
    """UTF-8 with BOM and CRLF: what Excel on Windows opens with the Chinese intact."""
    frame.write_csv(path, include_bom=True, line_terminator="\r\n", quote_style="necessary")


# ---------------------------------------------------------------- SQLite

_SQL_TYPES = {pl.Int64: "INTEGER", pl.Int32: "INTEGER", pl.Boolean: "INTEGER", pl.Float64: "REAL"}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists (not-applicable fields, a school's levels) as `a;b` text: SQLite has no lists."""
    lists = [pl.col(c).list.join(";") for c, t in frame.schema.items() if isinstance(t, pl.List)]
    return frame.with_columns(lists) if lists else frame


def _add_table(db: Any, table: str, frame: pl.DataFrame) -> None:
    """A table with declared column types, and its rows through ADBC (`db` is its cursor),
    as Arrow columns in one go."""
    frame = _sqlite_frame(frame)
    columns = ", ".join(
        f"{_quote(c)} {_SQL_TYPES.get(t.base_type(), 'TEXT')}" for c, t in frame.schema.items()
    )
    db.execute(f"CREATE TABLE {_quote(table)} ({columns})")
    if frame.height:
        db.adbc_ingest(table, frame, mode="append")


# Lineage columns whose texts repeat from figure to figure (a province's lineage repeats a
# few thousand file names and rule texts 900,000 times): kept once in `texts`, by number in
# `lineage_ids`; the view `lineage` puts them back, so a query reads as on the Parquet file.
_SHARED_TEXTS = (
    "dataset",
    "keys",
    "field",
    "status",
    "unit",
    "source_unit",
    "file",
    "sheet",
    "mapping",
    "rule",
)


def _add_lineage(db: Any, lineage: pl.DataFrame) -> None:
    texts = sorted(
        set().union(*(lineage[c].drop_nulls().unique().to_list() for c in _SHARED_TEXTS))
    )
    number = {text: i for i, text in enumerate(texts, 1)}
    _add_table(
        db,
        "texts",
        pl.DataFrame(
            {"id": range(1, len(texts) + 1), "text": texts},
            schema={"id": pl.Int64, "text": pl.Utf8},
        ),
    )
    ids = lineage.with_columns(
        pl.col(c).replace_strict(number, default=None, return_dtype=pl.Int64) for c in _SHARED_TEXTS
    )
    _add_table(db, "lineage_ids", ids)
    db.execute("CREATE INDEX lineage_by_school ON lineage_ids (school_id)")
    shown, joins = [], []
    for i, c in enumerate(lineage.columns):
        if c in _SHARED_TEXTS:
            shown.append(f"t{i}.text AS {_quote(c)}")
            joins.append(f"LEFT JOIN texts AS t{i} ON t{i}.id = l.{_quote(c)}")
        else:
            shown.append(f"l.{_quote(c)}")
    db.execute(
        f"CREATE VIEW lineage AS SELECT {', '.join(shown)} FROM lineage_ids AS l {' '.join(joins)}"
    )


def issues_frame(issues: Iterable[Issue]) -> pl.DataFrame:
    rows = sorted(issues, key=sort_key)
    columns = {c: [getattr(i, c) for i in rows] for c in ISSUE_COLUMNS}
    columns["dataset"] = [i.dataset for i in rows]
    columns["year"] = [i.year for i in rows]
    schema = {c: pl.Utf8 for c in columns} | {"year": pl.Int32}
    return pl.DataFrame(columns, schema=schema)


def _add_views(db: Any, pack: Pack, has_schools: bool) -> list[tuple[str, str, str, str]]:
    """A view per dataset named by its Chinese title, with Chinese column names; returns
    the rows of the `columns` table for the datasets' tables."""
    described: list[tuple[str, str, str, str]] = []
    tables = (
        *pack.datasets,
        "lineage",
        "lineage_ids",
        "texts",
        "totals",
        "files",
        "schools",
        "issues",
        "columns",
    )
    taken = {name.lower() for name in (*tables, ISSUES_VIEW)}
    for name, dataset in sorted(pack.datasets.items()):
        titles = column_titles(dataset, pack)
        described += [(name, column, title, unit) for column, (title, unit) in titles.items()]
        if dataset.title.lower() in taken:
            continue  # two datasets of one title: their tables are there, the view is not
        taken.add(dataset.title.lower())
        join = ""
        if has_schools:
            titles = {
                "school_id": titles["school_id"],
                _ROSTER_NAME: (roster_name_title(dataset), ""),
                **titles,
            }
            join = " LEFT JOIN schools AS s ON s.school_id = d.school_id"
        shown = [
            f"{'s.school_name' if c == _ROSTER_NAME else 'd.' + _quote(c)} AS {_quote(h)}"
            for c, h in headers(titles).items()
        ]
        db.execute(
            f"CREATE VIEW {_quote(dataset.title)} AS SELECT {', '.join(shown)} FROM {_quote(name)} AS d{join}"
        )
    labels = " ".join(
        f"WHEN {_text(code)} THEN {_text(label)}" for code, label in SEVERITY_LABEL.items()
    )
    shown = [f"CASE severity {labels} ELSE severity END AS {_quote(ISSUE_HEADERS['severity'])}"]
    shown += [
        f"{_quote(c)} AS {_quote(ISSUE_HEADERS[c])}" for c in ISSUE_COLUMNS if c != "severity"
    ]
    db.execute(f"CREATE VIEW {_quote(ISSUES_VIEW)} AS SELECT {', '.join(shown)} FROM issues")
    return described


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def write_database(
    path: Path,
    pack: Pack,
    tables: dict[str, pl.DataFrame],
    issues: list[Issue],
) -> None:
    """Write `tongji.sqlite` at `path` (a new file): `tables` are the datasets' tables and
    lineage, totals, files and schools (when a roster was used). The rows go in through
    ADBC (adbc-driver-sqlite) as Arrow columns: a province's lineage is a million rows,
    which Python's sqlite3 inserts one by one at about a third of the speed."""
    with adbc_sqlite.connect(str(path)) as conn, conn.cursor() as db:
        db.execute("PRAGMA journal_mode = OFF")  # a new file, renamed into place when whole
        for table, frame in tables.items():
            if table == "lineage":
                _add_lineage(db, frame)
            else:
                _add_table(db, table, frame)
        _add_table(db, "issues", issues_frame(issues))
        described = _add_views(db, pack, "schools" in tables)
        _add_table(
            db,
            "columns",
            pl.DataFrame(
                described, schema=["table_name", "column_name", "title", "unit"], orient="row"
            ),
        )
        conn.commit()


def add_database_issues(path: Path, issues: list[Issue]) -> None:
    """Findings made across years, after a year was written, added to the issues table of
    its `tongji.sqlite` (a copy being prepared: written without a journal), kept in the
    order issues.csv has."""
    names = [*ISSUE_COLUMNS, "dataset", "year"]
    with contextlib.closing(sqlite3.connect(path)) as reader:  # ADBC reads only into pyarrow
        rows = reader.execute(f"SELECT {', '.join(names)} FROM issues").fetchall()
    before = [Issue(**dict(zip(names, row, strict=True))) for row in rows]
    with adbc_sqlite.connect(str(path)) as conn, conn.cursor() as db:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("DROP TABLE issues")
        _add_table(db, "issues", issues_frame([*before, *issues]))
        conn.commit()
