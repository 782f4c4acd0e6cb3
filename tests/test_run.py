"""`tongji run`: the December batch on a copy of the samples — incremental re-runs,
corrected returns, failed runs, concurrent runs and exit codes."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from builders import sample_job
from click.testing import CliRunner

import tongji.extraction.workbook
import tongji.files
import tongji.project
import tongji.run.batch
import tongji.run.commit
from tongji.cli import main
from tongji.errors import LockError
from tongji.files import atomic_path
from tongji.run import LOCK_FILE, OutputLock, run_job
from tongji.run.commit import current_run

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
FIXED_FILE = "2020/赤峰建筑工程学校/赤峰建筑工程学校2020年校内实训基地.xlsx"


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> tuple[Path, object]:
    """The sample returns of both years and the outputs of one run over them."""
    root = tmp_path_factory.mktemp("first_run")
    path = sample_job(root / "returns", inputs_2020="2020/**/*.xls*")
    return root, run_job(path)


@pytest.fixture
def job(first_run, tmp_path: Path) -> Path:
    """A copy of the returns and of the first run's outputs, for one test to change."""
    shutil.copytree(first_run[0], tmp_path / "w", symlinks=True)
    return tmp_path / "w" / "returns" / "job.toml"


@pytest.fixture
def fresh_job(job: Path) -> Path:
    """The returns with no outputs yet."""
    shutil.rmtree(job.parent.parent / "out")
    return job


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "logs" not in p.parts
    }


def _lock_is_free(out: Path) -> bool:
    """No run holds the output folder (the lock file may stay: the OS lock is what counts)."""
    try:
        with OutputLock(out):
            return True
    except LockError:
        return False


def _fix_malformed_number(base: Path) -> None:
    path = base / FIXED_FILE
    wb = openpyxl.load_workbook(path)
    wb["校内实训基地"]["D4"] = 67.99
    wb.save(path)


def test_first_run_writes_everything(job, first_run):
    result = first_run[1]
    out = job.parent.parent / "out"
    assert result.exit_code == 1  # the samples' malformed number
    assert result.files_read == 251 and result.files_cached == 0
    assert (out / "质量年报数据_2020.xlsx").is_file()
    assert (current_run(out) / "extract" / "2019" / "students_by_major.parquet").is_file()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] and manifest["counts"]["files"] == 251 and manifest["exit_code"] == 1
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert (
        "mappings/national_311.toml" in manifest["configs"]
        and "extract_2020" in manifest["timings_s"]
    )
    assert manifest["counts"]["schools_missing"] == {"赤峰新华职业技术学校": ["2019 年毕业生就业"]}
    assert len(list((out / "logs").glob("run_*.log"))) == 1
    assert _lock_is_free(out) and not list(out.rglob(".staging-*"))
    assert (
        "报齐 25 所" in result.summary
        and "赤峰新华职业技术学校" in result.summary
        and "无法识别的数值 1" in result.summary  # by its Chinese name
    )


def test_rerun_with_nothing_changed_reads_no_workbook(job, monkeypatch):
    out = job.parent.parent / "out"
    before = _digest(out)

    def no_reading(*args, **kwargs):
        raise AssertionError("a workbook was read")

    monkeypatch.setattr(tongji.extraction.workbook, "read_workbook", no_reading)
    again = run_job(job)
    assert again.exit_code == 1 and again.files_read == 0 and again.files_cached == 251
    assert "没有变化" in again.summary
    after = _digest(out)
    assert {k: v for k, v in after.items() if k != "manifest.json"} == {
        k: v for k, v in before.items() if k != "manifest.json"
    }
    # a changed config re-aggregates, still without reading a workbook
    report = job.parent / "report.toml"
    report.write_text(
        (ROOT / "reports" / "annual_report.toml")
        .read_text(encoding="utf-8")
        .replace("数据表", "数据汇总"),
        encoding="utf-8",
    )
    job.write_text(
        job.read_text(encoding="utf-8").replace(
            f'"{(ROOT / "reports" / "annual_report.toml").as_posix()}"', '"report.toml"'
        ),
        encoding="utf-8",
    )
    third = run_job(job)
    assert third.files_read == 0 and "没有变化" not in third.summary
    # another build of tongji (its code changed, the version number or not) redoes everything
    monkeypatch.undo()  # workbooks may be read again
    monkeypatch.setattr(tongji, "_BUILD", "0.1.0+another")
    fourth = run_job(job)
    assert fourth.files_read == 251 and "没有变化" not in fourth.summary
    assert not any(i.code == "internal_error" for i in fourth.issues)


def test_corrected_return_replaces_its_earlier_version(job, first_run):
    first = first_run[1]
    assert any(i.code == "bad_value" for i in first.issues)
    _fix_malformed_number(job.parent)
    second = run_job(job)
    assert second.files_read == 1 and [i.file for i in second.inputs if i.status == "read"] == [
        FIXED_FILE
    ]
    assert not any(i.code == "bad_value" for i in second.issues)
    assert second.exit_code == 0  # only warnings are left
    out = job.parent.parent / "out"
    bases = pl.read_parquet(current_run(out) / "extract" / "2020" / "training_bases.parquet")
    assert bases["equipment_value"].sum() == pytest.approx(418.72 + 41507.22)
    lineage = pl.read_parquet(current_run(out) / "extract" / "2020" / "lineage.parquet")
    assert lineage.filter(pl.col("file") == FIXED_FILE).filter(pl.col("cell") == "D4")[
        "value"
    ].to_list() == [67.99]
    caches = list((out / "cache" / "2020").glob("*.json"))
    assert len(caches) == 126  # the old version's cache entry is gone


def test_a_failed_run_leaves_previous_outputs(job, monkeypatch):
    out = job.parent.parent / "out"
    before = _digest(out)
    _fix_malformed_number(job.parent)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(tongji.run.batch, "publish", broken)
    with pytest.raises(RuntimeError):
        run_job(job)
    assert _digest(out) == before
    assert _lock_is_free(out) and not list(out.rglob(".staging-*"))


def test_interrupted_write_leaves_no_partial_file(tmp_path):
    target = tmp_path / "a.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as tmp:
        tmp.write_bytes(b"half of the new")
        raise KeyboardInterrupt
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.xlsx"]


def test_two_runs_at_once(job, monkeypatch):
    _fix_malformed_number(job.parent)  # the first run has something to do
    started, release = threading.Event(), threading.Event()
    real_publish = tongji.run.batch.publish

    def slow_publish(*args, **kwargs):
        started.set()
        release.wait()  # until the second run has been refused, however long that takes
        return real_publish(*args, **kwargs)

    monkeypatch.setattr(tongji.run.batch, "publish", slow_publish)
    results: dict = {}

    def first_run():
        try:
            results["first"] = run_job(job)
        except BaseException as exc:  # said below, not lost in the thread
            results["failed"] = exc
        finally:
            started.set()

    first = threading.Thread(target=first_run)
    first.start()
    try:
        started.wait()
        assert "failed" not in results, results
        with pytest.raises(LockError, match="正被另一个 tongji 运行使用"):
            run_job(job)
    finally:
        release.set()
        first.join()
    assert "failed" not in results, results
    assert results["first"].exit_code == 0
    out = job.parent.parent / "out"
    assert _lock_is_free(out)
    # the files a process that died left do not block
    (out / LOCK_FILE).write_bytes(b"")
    (out / ".tongji.lock.json").write_text(
        json.dumps(
            {"pid": 2**22 + 12345, "host": __import__("socket").gethostname(), "started": "x"}
        ),
        encoding="utf-8",
    )
    with OutputLock(out):
        pass


def test_dry_run_writes_nothing(fresh_job):
    job = fresh_job
    result = run_job(job, dry_run=True)
    out = job.parent.parent / "out"
    assert not out.exists()
    assert result.files_read == 251 and "试运行" in result.summary


def test_exit_codes(job, monkeypatch):
    runner = CliRunner()
    assert runner.invoke(main, ["run", str(job)]).exit_code == 1
    _fix_malformed_number(job.parent)
    assert runner.invoke(main, ["run", str(job)]).exit_code == 0
    strict = job.with_name("strict.toml")
    strict.write_text(
        job.read_text(encoding="utf-8").replace("jobs = 1", "jobs = 1\nstrict = true"),
        encoding="utf-8",
    )
    assert runner.invoke(main, ["run", str(strict)]).exit_code == 1  # warnings count with strict
    bad = job.with_name("bad.toml")
    bad.write_text('year = 2020\nroster = "nope.xlsx"\n', encoding="utf-8")
    res = runner.invoke(main, ["run", str(bad)])
    assert res.exit_code == 2 and "bad.toml" in res.output and "inputs" in res.output
    out = job.parent.parent / "out"
    with OutputLock(out):
        res = runner.invoke(main, ["run", str(job)])
    assert res.exit_code == 3 and "正被另一个 tongji 运行使用" in res.output

    def crash(*args, **kwargs):
        raise MemoryError("boom")

    monkeypatch.setattr(tongji.project, "load_roster", crash)
    res = runner.invoke(main, ["run", str(job)])
    assert (
        res.exit_code == 3 and "上次的输出未被改动" in res.output and "Traceback" not in res.output
    )


def test_an_output_open_in_excel_stops_the_run_before_anything_changes(job, monkeypatch):
    out = job.parent.parent / "out"
    before = _digest(out)
    _fix_malformed_number(job.parent)
    summary = out / "质量年报数据_2020.xlsx"
    monkeypatch.setattr(
        tongji.files, "_in_use", lambda path: path == summary
    )  # Excel holds a lock on it
    res = CliRunner().invoke(main, ["run", str(job)])
    assert (
        res.exit_code == 3
        and "正被其他程序打开" in res.output
        and "质量年报数据_2020.xlsx" in res.output
    )
    assert _digest(out) == before


def test_a_file_that_is_not_a_workbook_is_named_in_the_summary_and_the_manifest(job):
    (job.parent / "2019" / "说明.docx").write_bytes(b"PK\x03\x04 not a workbook")
    result = run_job(job)
    assert "未读取的文件：2019/说明.docx（不是工作簿（扩展名为 .docx））" in result.summary
    manifest = json.loads((job.parent.parent / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["not_read"] == [
        {"year": 2019, "file": "2019/说明.docx", "reason": "不是工作簿（扩展名为 .docx）"}
    ]
    assert any(i.code == "file_not_read" and i.file == "2019/说明.docx" for i in result.issues)
    # nothing changed: the next run says so, with the same list
    again = run_job(job)
    assert again.files_read == 0 and "未读取的文件：2019/说明.docx" in again.summary


def test_a_backup_copy_is_a_warning_naming_both_and_the_run_goes_on(job):
    original = job.parent / "2020" / "赤峰农牧学校" / "赤峰农牧学校2020年教育统计报表.xlsx"
    copy = original.with_name(
        "赤峰农牧学校2020年教育统计报表 - 副本.xlsx"
    )  # as Windows names a copy
    shutil.copy(copy.parent / original.name, copy)
    result = run_job(job)
    assert result.exit_code == 1  # the samples' malformed number, as before
    [found] = [i for i in result.issues if i.code == "duplicate_file"]
    assert (
        found.severity == "warning"
        and found.file.endswith("副本.xlsx")
        and original.name in found.message
    )
    lineage = pl.read_parquet(
        current_run(job.parent.parent / "out") / "extract" / "2020" / "lineage.parquet"
    )
    assert not lineage.filter(
        pl.col("file").str.ends_with("副本.xlsx")
    ).height  # its figures are not counted twice
    assert lineage.filter(pl.col("file").str.ends_with(original.name)).height


def test_last_years_folder_given_as_this_years_is_said_file_by_file(job):
    job.write_text(
        job.read_text(encoding="utf-8").replace('2020 = ["2020/**/*.xls*"]', '2020 = ["2019"]'),
        encoding="utf-8",
    )
    result = run_job(job)
    same = [i for i in result.issues if i.code == "same_as_other_year"]
    assert len(same) == 2 * 125 and all(
        i.severity == "warning" for i in same
    )  # each file, in both years
    assert any(
        i.code == "year_mismatch" and i.year == 2020 for i in result.issues
    )  # their names say 2019


def test_an_empty_lock_file_left_by_a_full_disk_does_not_block(job):
    out = job.parent.parent / "out"
    (out / LOCK_FILE).write_bytes(b"")
    (out / ".tongji.lock.json").write_bytes(b"")
    assert run_job(job).exit_code == 1


def test_an_input_folder_that_is_not_there_is_a_config_error(job):
    job.write_text(
        job.read_text(encoding="utf-8").replace('2019 = ["2019"]', '2019 = ["2019年报表"]'),
        encoding="utf-8",
    )
    res = CliRunner().invoke(main, ["run", str(job)])
    assert (
        res.exit_code == 2
        and "job.toml" in res.output
        and "inputs.2019" in res.output
        and "2019年报表" in res.output
    )


def test_run_outputs_are_readable_by_colleagues(job):
    out = job.parent.parent / "out"
    mask = os.umask(0o022)
    os.umask(mask)
    for path in [
        out / "质量年报数据_2020.xlsx",
        out / "manifest.json",
        *current_run(out).rglob("*"),
    ]:
        if path.is_file():
            assert path.stat().st_mode & 0o777 == 0o666 & ~mask, path


def test_an_output_folder_inside_the_input_folder_is_not_read_as_returns(job):
    job.write_text(
        job.read_text(encoding="utf-8").replace('output = "../out"', 'output = "2019/汇总结果"'),
        encoding="utf-8",
    )
    first = run_job(job)
    again = run_job(job)  # the first run's workbooks, cache and logs now lie in 2019/
    assert again.exit_code == first.exit_code == 1 and again.files_read == 0
    assert not any("汇总结果" in i.file for i in again.issues) and not any(
        "汇总结果" in i.file for i in again.inputs
    )


def test_the_summary_lists_the_first_errors_with_school_file_sheet_and_cell_once_each():
    from tongji.findings import Issue
    from tongji.run.manifest import _issue_lines, top_issues

    names = {"1504000006": "赤峰建筑工程学校", "1504000009": "赤峰新华职业技术学校"}
    found = [
        Issue(
            "warning",
            "hidden_sheet_skipped",
            "隐藏的工作表已跳过",
            file="a.xlsx",
            sheet="旧表",
            school_id="1504000006",
            year=2020,
        ),
        Issue(
            "error",
            "bad_value",
            "无法识别的数字“6,7.99”",
            file="b.xlsx",
            sheet="校内实训基地",
            cell="D4",
            school_id="1504000006",
            year=2020,
        ),
        Issue(
            "error",
            "missing_return",
            "赤峰新华职业技术学校 2019 年没有报来报表",
            school_id="1504000009",
            year=2019,
        ),
    ]
    manifest = {"top_issues": top_issues(found, names), "counts": {"errors": 2, "warnings": 1}}
    lines = _issue_lines(manifest)
    assert "共 3 个" in lines[0]
    missing, malformed, hidden = lines[1:]
    assert missing.count("赤峰新华职业技术学校") == 1  # the message names it already
    assert (
        "错误" in malformed and "赤峰建筑工程学校，b.xlsx，校内实训基地!D4：无法识别" in malformed
    )
    assert hidden.startswith("    警告") and "a.xlsx，旧表：" in hidden


def test_a_run_whose_sources_are_too_long_for_a_sheet_puts_them_in_its_own_folder(
    fresh_job, monkeypatch
):
    import python_calamine as pc

    from tongji.reporting.render import sources

    monkeypatch.setattr(sources, "SHEET_ROWS", 50)
    result = run_job(fresh_job)
    out = fresh_job.parent.parent / "out"
    [kept] = (out / "runs").glob("*/来源_2020.csv")  # the run's own: row numbers are its own
    assert result.exit_code in (0, 1) and not (out / "最新提取" / "来源_2020.csv").exists()
    assert len(kept.read_text(encoding="utf-8-sig").splitlines()) > 51
    note = pc.CalamineWorkbook.from_path(out / "质量年报数据_2020.xlsx").get_sheet_by_name("来源")
    assert f"runs/{kept.parent.name}/来源_2020.csv" in note.to_python()[1][0]
