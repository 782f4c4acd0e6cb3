"""The same figure from two places, identical files and merged cells: a figure is right or
carries a finding naming its file, sheet and cell — and a run's cache entry describes its
own file only, whatever else the batch held."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from builders import SheetSpec, write_xlsx

from tongji.config import load_pack
from tongji.extraction import extract_file, extract_paths, merge_results
from tongji.extraction.roster import load_roster
from tongji.run import run_job
from tongji.run.commit import current_run

ROOT = Path(__file__).resolve().parents[1]
SCHOOL = "宁城职教中心"


@pytest.fixture(scope="module")
def pack():
    return load_pack([ROOT / "mappings"])


@pytest.fixture(scope="module")
def roster():
    return load_roster(ROOT / "samples" / "roster.xlsx")


def _job(base: Path) -> tuple[Path, Path]:
    """A job over one school's folder of 2020 returns (empty): the job file and the folder."""
    folder = base / "returns" / "2020" / SCHOOL
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "samples" / "roster.xlsx", base / "returns" / "roster.xlsx")
    job = base / "returns" / "job.toml"
    job.write_text(
        f'name = "测试"\nyear = 2020\nroster = "roster.xlsx"\nmappings = "{(ROOT / "mappings").as_posix()}"\n'
        f'report = "{(ROOT / "reports" / "annual_report.toml").as_posix()}"\noutput = "../out"\njobs = 1\n'
        '[inputs]\n2020 = ["2020"]\n',
        encoding="utf-8",
    )
    return job, folder


def _staff_rows(total: object, fulltime: object = 84) -> list[list[object]]:
    return [
        [f"{SCHOOL}教职工及专任教师情况（2020年）"],
        [],
        ["项目", "人数"],
        ["教职工总数", total],
        ["其中：专任教师", fulltime],
        ["行政人员", 14],
    ]


def _staff(path: Path, total: object, fulltime: object = 84, name: str = "教职工情况") -> Path:
    s = SheetSpec(name)
    for r, row in enumerate(_staff_rows(total, fulltime)):
        s.row(r, row)
    return write_xlsx(path, [s])


def _lineage(job: Path, field: str) -> list[tuple]:
    out = job.parent.parent / "out"
    frame = pl.read_parquet(current_run(out) / "extract" / "2020" / "lineage.parquet")
    return frame.filter(pl.col("field") == field).select("value", "status", "file", "cell").rows()


# ---------------------------------------------------------------- item 1: conflicts


def test_two_conflicting_returns_are_one_finding_and_the_cache_keeps_each_file_its_own(
    tmp_path,
):
    job, folder = _job(tmp_path)
    first = _staff(folder / f"{SCHOOL}2020年教职工.xlsx", 116)
    second = _staff(folder / f"{SCHOOL}2020年教职工（更正）.xlsx", 118)
    result = run_job(job)
    [conflict] = [i for i in result.issues if i.code == "conflicting_value"]
    assert conflict.severity == "error" and conflict.cell == "B4"
    for name in (first.name, second.name):
        assert f"{name} 教职工情况!B4" in conflict.message
    assert "“116”" in conflict.message and "“118”" in conflict.message
    assert not [i for i in result.issues if i.code == "copy_value_used"]
    [(value, status, _, _)] = _lineage(job, "staff_total")
    assert value is None and status == "error"  # neither figure is used

    second.unlink()  # the later return withdrawn: the first one's own figure, from the cache
    again = run_job(job)
    assert again.files_cached == 1 and again.files_read == 0
    assert not [i for i in again.issues if i.code == "conflicting_value"]
    assert _lineage(job, "staff_total") == [(116.0, "value", f"2020/{SCHOOL}/{first.name}", "B4")]


def test_merging_changes_none_of_the_files_results(tmp_path, pack, roster):
    a = extract_file(_staff(tmp_path / f"{SCHOOL}甲.xlsx", 116), pack, roster, 2020)
    b = extract_file(_staff(tmp_path / f"{SCHOOL}乙.xlsx", 118), pack, roster, 2020)
    before = [(v.value, v.status, v.rule) for v in a.values + b.values]
    once = merge_results([a, b], 2020)
    twice = merge_results([a, b], 2020)  # as a run does with results it has cached
    assert [(v.value, v.status, v.rule) for v in a.values + b.values] == before
    assert [i.code for i in once.issues] == [i.code for i in twice.issues]
    assert [i.code for i in twice.issues].count("conflicting_value") == 1
    [total] = [v for v in twice.values if v.field == "staff_total"]
    assert total.status == "error" and total.value is None and "118" in total.rule


def _case_twins(path: Path) -> Path:
    """A workbook with sheets `Staff` (专任教师 84) and `STAFF` (85): names that differ only
    by case, which Excel refuses but other programs write."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, fulltime in (("Staff", 84), ("STAFF_", 85)):
        ws = wb.create_sheet(name)
        for row in _staff_rows(116, fulltime):
            ws.append(row)
    plain = path.with_suffix(".tmp")
    wb.save(plain)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename in ("xl/workbook.xml", "docProps/app.xml"):
                data = data.replace(b"STAFF_", b"STAFF")
            dst.writestr(item, data)
    plain.unlink()
    return path


def test_two_sheets_whose_names_differ_by_case_conflict(tmp_path):
    job, folder = _job(tmp_path)
    twins = _case_twins(folder / f"{SCHOOL}2020年教职工.xlsx")
    result = run_job(job)
    [conflict] = [i for i in result.issues if i.code == "conflicting_value"]
    assert f"{twins.name} Staff!B5 为“84”" in conflict.message
    assert f"{twins.name} STAFF!B5 为“85”" in conflict.message
    assert not [i for i in result.issues if i.code == "copy_value_used"]
    [(value, status, _, _)] = _lineage(job, "fulltime")
    assert value is None and status == "error"


# ---------------------------------------------------------------- item 3: merged cells


def test_a_merged_cell_over_a_needed_cell_is_named(tmp_path, pack, roster):
    s = SheetSpec("教职工情况")
    s.put(0, 0, f"{SCHOOL}教职工及专任教师情况（2020年）")
    s.row(2, ["项目", "人数"])
    s.put(3, 0, "教职工总数")
    s.merge(3, 1, 4, 1, 116)  # B4:B5, over the 专任教师 row
    s.put(4, 0, "其中：专任教师")
    s.row(5, ["行政人员", 14])
    s.row(6, ["教辅人员", None])  # a blank that is only a blank
    res = extract_file(write_xlsx(tmp_path / f"{SCHOOL}.xlsx", [s]), pack, roster, 2020)
    got = {v.field: v for v in res.values}
    assert (got["staff_total"].value, got["staff_total"].status) == (116.0, "value")
    assert got["fulltime"].value is None and got["fulltime"].status == "error"
    assert got["support"].status == "empty"
    [found] = [i for i in res.issues if i.code == "merged_over_value"]
    assert (found.sheet, found.cell, found.severity) == ("教职工情况", "B5", "error")
    assert "B4:B5" in found.message and "“116”" in found.message


# ---------------------------------------------------------------- item 10: identical files


def test_two_empty_files_in_one_folder_each_keep_their_own_finding(tmp_path, pack, roster):
    job, folder = _job(tmp_path)
    for name in ("a.xlsx", "b.xlsx"):
        (folder / name).write_bytes(b"")
    expected = {f"2020/{SCHOOL}/a.xlsx", f"2020/{SCHOOL}/b.xlsx"}
    result = run_job(job)  # was: exit 3 on a cache entry written twice and moved once
    assert {i.file for i in result.issues if i.code == "empty_file"} == expected
    _staff(folder / f"{SCHOOL}2020年教职工.xlsx", 116)  # something new: the empty ones cached
    again = run_job(job)
    assert again.files_cached == 2 and again.files_read == 1
    assert {i.file for i in again.issues if i.code == "empty_file"} == expected
    # `tongji extract` as well: empty files are each empty, no copy of one another
    merged = extract_paths(sorted(folder.glob("?.xlsx")), pack, roster, 2020)
    assert sorted(i.code for i in merged.issues) == ["empty_file", "empty_file"]


def test_a_blank_copy_then_two_figures_that_disagree_is_a_conflict_only(tmp_path, pack, roster):
    """A blank copy first would make the next figure the one used (copy_value_used) — until a
    third place disagrees: then nothing is used, and no finding says one was."""
    blank = extract_file(_staff(tmp_path / f"{SCHOOL}甲.xlsx", "—"), pack, roster, 2020)
    a = extract_file(_staff(tmp_path / f"{SCHOOL}乙.xlsx", 116), pack, roster, 2020)
    b = extract_file(_staff(tmp_path / f"{SCHOOL}丙.xlsx", 118), pack, roster, 2020)
    merged = merge_results([blank, a, b], 2020)
    codes = [i.code for i in merged.issues if i.cell == "B4"]
    assert "conflicting_value" in codes and "copy_value_used" not in codes
    [total] = [v for v in merged.values if v.field == "staff_total"]
    assert total.status == "error" and total.value is None
    # with no third place, the figure of the filled copy is used and said
    merged = merge_results([blank, a], 2020)
    assert "copy_value_used" in [i.code for i in merged.issues]
