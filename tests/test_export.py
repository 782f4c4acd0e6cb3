"""The extracted data where users open it: a CSV per dataset for Excel and one SQLite file."""

from __future__ import annotations

import csv
import sqlite3
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest

from tongji.config import load_pack
from tongji.errors import UsageError
from tongji.extraction.results import ExtractResult
from tongji.extraction.roster import load_roster
from tongji.extraction.store import add_issues, folder_replaced, read_issues, write_extract
from tongji.findings import Issue

ROOT = Path(__file__).resolve().parents[1]


def _csv_rows(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads the Chinese as UTF-8
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_each_dataset_csv_has_chinese_headers_school_names_and_the_parquet_figures(
    sample_extract_dirs,
):
    folder = sample_extract_dirs[2020]
    staff = pl.read_parquet(folder / "staff.parquet")
    rows = _csv_rows(folder / "教职工与专任教师.csv")
    assert list(rows[0])[:4] == ["学校代码", "学校名称", "年度", "教职工数（人）"]
    assert len(rows) == staff.height
    by_school = {r["学校代码"]: r for r in rows}
    for record in staff.iter_rows(named=True):
        row = by_school[record["school_id"]]
        assert row["年度"] == "2020"
        assert row["专任教师（人）"] == (
            "" if record["fulltime"] is None else str(record["fulltime"])
        )
    roster = pl.read_parquet(folder / "roster.parquet")
    names = dict(zip(roster["school_id"], roster["school_name"], strict=True))
    assert all(r["学校名称"] == names[r["学校代码"]] for r in rows)


def test_a_dataset_csv_keeps_codes_as_written_and_names_its_keys(sample_extract_dirs):
    folder = sample_extract_dirs[2020]
    majors = pl.read_parquet(folder / "students_by_major.parquet")
    rows = _csv_rows(folder / "分专业学生.csv")
    assert {"专业大类", "专业", "专业代码"} <= set(rows[0])
    written = sorted(r["专业代码"] for r in rows)
    assert written == sorted(majors["major_code"].fill_null("").to_list())
    assert any(code.startswith("0") for code in written)  # 091300 stays 091300 in the file


def test_sqlite_holds_the_datasets_lineage_and_issues_with_chinese_views(sample_extract_dirs):
    folder = sample_extract_dirs[2020]
    db = sqlite3.connect(folder / "tongji.sqlite")
    staff = pl.read_parquet(folder / "staff.parquet")
    [(total,)] = db.execute("SELECT sum(fulltime) FROM staff").fetchall()
    assert total == staff["fulltime"].sum()
    [(viewed,)] = db.execute('SELECT sum("专任教师（人）") FROM "教职工与专任教师"').fetchall()
    assert viewed == total
    lineage = pl.read_parquet(folder / "lineage.parquet")
    assert db.execute("SELECT count(*) FROM lineage").fetchone()[0] == lineage.height
    # where a figure came from, by SQL
    row = lineage.filter(pl.col("field") == "fulltime").row(0, named=True)
    found = db.execute(
        "SELECT file, sheet, cell, raw FROM lineage WHERE school_id = ? AND field = 'fulltime'",
        (row["school_id"],),
    ).fetchall()
    assert (row["file"], row["sheet"], row["cell"], row["raw"]) in found
    issues = read_issues(folder)
    assert db.execute("SELECT count(*) FROM issues").fetchone()[0] == len(issues)
    labels = {r[0] for r in db.execute('SELECT "级别" FROM "数据问题"')}
    assert labels and labels <= {"错误", "警告", "提示"}
    units = dict(
        db.execute(
            "SELECT column_name, unit FROM columns WHERE table_name = 'conditions'"
        ).fetchall()
    )
    assert units["equipment_value"] == "万元"


def _extract(tmp_path: Path, result, name: str) -> Path:
    pack = load_pack(ROOT / "mappings")
    folder = tmp_path / name
    write_extract(result, pack, folder, load_roster(ROOT / "samples" / "roster.xlsx"))
    return folder


def test_the_same_extraction_writes_the_same_bytes(sample_results, tmp_path):
    one = _extract(tmp_path, sample_results[2020], "one")
    two = _extract(tmp_path, sample_results[2020], "two")
    for path in sorted(one.iterdir()):
        if path.suffix in (".csv", ".sqlite"):
            assert path.read_bytes() == (two / path.name).read_bytes(), path.name


def test_findings_added_later_reach_the_sqlite_issues_too(sample_results, tmp_path):
    result = sample_results[2020]
    own = Issue(
        "warning", "total_mismatch", "合计不符", school_id="1504000001", dataset="staff", year=2020
    )
    folder = _extract(
        tmp_path,
        ExtractResult(
            result.year,
            result.files,
            None,
            result.totals,
            [*result.issues, own],
            lineage=result.lineage(),
        ),
        "x",
    )
    before = read_issues(folder)
    later = Issue(
        "warning", "same_as_other_year", "与 2019 年完全相同", school_id="1504000001", year=2020
    )
    add_issues(folder, [later])
    db = sqlite3.connect(folder / "tongji.sqlite")
    assert db.execute("SELECT count(*) FROM issues").fetchone()[0] == len(before) + 1
    assert db.execute("SELECT year FROM issues WHERE code = 'same_as_other_year'").fetchone() == (
        2020,
    )
    # a row from before keeps its dataset and year (issues.csv has no such columns)
    assert db.execute("SELECT dataset, year FROM issues WHERE message = '合计不符'").fetchall() == [
        ("staff", 2020)
    ]
    assert not [p for p in folder.iterdir() if p.name.endswith((".tmp", "-journal"))]


def test_text_excel_would_run_as_a_formula_is_kept_as_text(sample_results, tmp_path):
    result = sample_results[2020]
    formula = '=HYPERLINK("x")'
    values = [replace(v, text=formula) if v.field == "school_name" else v for v in result.values]
    folder = _extract(
        tmp_path,
        ExtractResult(result.year, result.files, values, result.totals, result.issues),
        "f",
    )
    rows = _csv_rows(folder / "学校基本情况.csv")
    assert rows and all(r["学校名称"] == '\'=HYPERLINK("x")' for r in rows)


def test_a_folder_of_csv_returns_is_not_taken_for_an_extraction(tmp_path):
    returns = tmp_path / "2020"
    returns.mkdir()
    (returns / "分专业学生.csv").write_text("专业,人数\n", encoding="utf-8")
    with pytest.raises(UsageError, match="分专业学生.csv"), folder_replaced(returns):
        pass
    assert (returns / "分专业学生.csv").is_file()


def test_an_extraction_folder_with_its_csv_and_sqlite_is_replaced(sample_results, tmp_path):
    folder = _extract(tmp_path, sample_results[2020], "x")
    with folder_replaced(folder) as new:
        (new / "lineage.parquet").write_bytes(b"new")
    assert [p.name for p in folder.iterdir()] == ["lineage.parquet"]
