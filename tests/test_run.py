"""`tongji run`: the December batch on a copy of the samples — incremental re-runs,
corrected returns, failed runs, concurrent runs and exit codes."""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner

import tongji.config.project
import tongji.extraction.workbook
import tongji.run.batch
from tongji.cli import main
from tongji.errors import LockError
from tongji.extraction.store import atomic_path
from tongji.run import LOCK_FILE, OutputLock, run_job

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
FIXED_FILE = "2020/赤峰建筑工程学校/赤峰建筑工程学校2020年校内实训基地.xlsx"


@pytest.fixture
def job(tmp_path: Path) -> Path:
    base = tmp_path / "returns"
    base.mkdir()
    for year in ("2019", "2020"):
        shutil.copytree(SAMPLES / year, base / year)
    shutil.copy(SAMPLES / "roster.xlsx", base / "roster.xlsx")
    path = base / "job.toml"
    path.write_text(
        f'name = "测试任务"\nyear = 2020\nroster = "roster.xlsx"\nmappings = "{(ROOT / "mappings").as_posix()}"\n'
        f'report = "{(ROOT / "reports" / "annual_report.toml").as_posix()}"\noutput = "../out"\njobs = 1\n'
        '[inputs]\n2019 = ["2019"]\n2020 = ["2020/**/*.xls*"]\n',
        encoding="utf-8",
    )
    return path


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file() and "logs" not in p.parts}


def _fix_malformed_number(base: Path) -> None:
    path = base / FIXED_FILE
    wb = openpyxl.load_workbook(path)
    wb["校内实训基地"]["D4"] = 67.99
    wb.save(path)


def test_first_run_writes_everything(job):
    result = run_job(job)
    out = job.parent.parent / "out"
    assert result.exit_code == 1  # the samples' malformed number
    assert result.files_read == 251 and result.files_cached == 0
    assert (out / "质量年报数据_2020.xlsx").is_file()
    assert (out / "extract" / "2019" / "students_by_major.parquet").is_file()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] and manifest["counts"]["files"] == 251 and manifest["exit_code"] == 1
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert "mappings/national_311.toml" in manifest["configs"] and "extract_2020" in manifest["timings_s"]
    assert manifest["counts"]["schools_missing"] == {"赤峰新华职业技术学校": ["2019 年毕业生就业"]}
    assert len(list((out / "logs").glob("run_*.log"))) == 1
    assert not (out / LOCK_FILE).exists() and not list(out.glob(".staging-*"))
    assert "报齐 25 所" in result.summary and "赤峰新华职业技术学校" in result.summary and "bad_value 1" in result.summary


def test_rerun_with_nothing_changed_reads_no_workbook(job, monkeypatch):
    run_job(job)
    out = job.parent.parent / "out"
    before = _digest(out)

    def no_reading(*args, **kwargs):
        raise AssertionError("a workbook was read")

    monkeypatch.setattr(tongji.extraction.workbook, "read_workbook", no_reading)
    again = run_job(job)
    assert again.exit_code == 1 and again.files_read == 0 and again.files_cached == 251
    assert "没有变化" in again.summary
    after = _digest(out)
    assert {k: v for k, v in after.items() if k != "manifest.json"} == {k: v for k, v in before.items() if k != "manifest.json"}
    # a changed config re-aggregates, still without reading a workbook
    report = job.parent / "report.toml"
    report.write_text((ROOT / "reports" / "annual_report.toml").read_text(encoding="utf-8").replace("数据表", "数据汇总"), encoding="utf-8")
    job.write_text(job.read_text(encoding="utf-8").replace(f'"{(ROOT / "reports" / "annual_report.toml").as_posix()}"', '"report.toml"'), encoding="utf-8")
    third = run_job(job)
    assert third.files_read == 0 and "没有变化" not in third.summary


def test_corrected_return_replaces_its_earlier_version(job):
    first = run_job(job)
    assert any(i.code == "bad_value" for i in first.issues)
    _fix_malformed_number(job.parent)
    second = run_job(job)
    assert second.files_read == 1 and [i.file for i in second.inputs if i.status == "read"] == [FIXED_FILE]
    assert not any(i.code == "bad_value" for i in second.issues)
    assert second.exit_code == 0  # only warnings are left
    out = job.parent.parent / "out"
    bases = pl.read_parquet(out / "extract" / "2020" / "training_bases.parquet")
    assert bases["equipment_value"].sum() == pytest.approx(418.72 + 41507.22)
    lineage = pl.read_parquet(out / "extract" / "2020" / "lineage.parquet")
    assert lineage.filter(pl.col("file") == FIXED_FILE).filter(pl.col("cell") == "D4")["value"].to_list() == [67.99]
    caches = list((out / "cache" / "2020").glob("*.pkl"))
    assert len(caches) == 126  # the old version's cache entry is gone


def test_a_failed_run_leaves_previous_outputs(job, monkeypatch):
    run_job(job)
    out = job.parent.parent / "out"
    before = _digest(out)
    _fix_malformed_number(job.parent)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(tongji.run.batch, "publish", broken)
    with pytest.raises(RuntimeError):
        run_job(job)
    assert _digest(out) == before
    assert not (out / LOCK_FILE).exists() and not list(out.glob(".staging-*"))


def test_interrupted_write_leaves_no_partial_file(tmp_path):
    target = tmp_path / "a.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as tmp:
        tmp.write_bytes(b"half of the new")
        raise KeyboardInterrupt
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.xlsx"]


def test_two_runs_at_once(job, monkeypatch):
    started, release = threading.Event(), threading.Event()
    real_publish = tongji.run.batch.publish

    def slow_publish(*args, **kwargs):
        started.set()
        release.wait(30)
        return real_publish(*args, **kwargs)

    monkeypatch.setattr(tongji.run.batch, "publish", slow_publish)
    results = {}
    first = threading.Thread(target=lambda: results.setdefault("first", run_job(job)))
    first.start()
    assert started.wait(60)
    with pytest.raises(LockError, match="正被另一个 tongji 运行使用"):
        run_job(job)
    release.set()
    first.join(60)
    assert results["first"].exit_code == 1
    out = job.parent.parent / "out"
    assert not (out / LOCK_FILE).exists()
    # a lock left by a process that died is taken over
    (out / LOCK_FILE).write_text(json.dumps({"pid": 2**22 + 12345, "host": __import__("socket").gethostname(), "started": "x"}), encoding="utf-8")
    with OutputLock(out):
        pass


def test_dry_run_writes_nothing(job):
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
    strict.write_text(job.read_text(encoding="utf-8").replace("jobs = 1", "jobs = 1\nstrict = true"), encoding="utf-8")
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

    monkeypatch.setattr(tongji.config.project, "load_roster", crash)
    res = runner.invoke(main, ["run", str(job)])
    assert res.exit_code == 3 and "上次的输出未被改动" in res.output and "Traceback" not in res.output


def test_an_output_open_in_excel_stops_the_run_before_anything_changes(job, monkeypatch):
    run_job(job)
    out = job.parent.parent / "out"
    before = _digest(out)
    _fix_malformed_number(job.parent)
    summary = out / "质量年报数据_2020.xlsx"
    monkeypatch.setattr(tongji.run.batch, "_in_use", lambda path: path == summary)  # Excel holds a lock on it
    res = CliRunner().invoke(main, ["run", str(job)])
    assert res.exit_code == 3 and "正被其他程序打开" in res.output and "质量年报数据_2020.xlsx" in res.output
    assert _digest(out) == before


def test_a_file_that_is_not_a_workbook_is_named_in_the_summary_and_the_manifest(job):
    (job.parent / "2019" / "说明.docx").write_bytes(b"PK\x03\x04 not a workbook")
    result = run_job(job)
    assert "未读取的文件：2019/说明.docx（不是工作簿（扩展名为 .docx））" in result.summary
    manifest = json.loads((job.parent.parent / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["not_read"] == [{"year": 2019, "file": "2019/说明.docx", "reason": "不是工作簿（扩展名为 .docx）"}]
    assert any(i.code == "file_not_read" and i.file == "2019/说明.docx" for i in result.issues)
    # nothing changed: the next run says so, with the same list
    again = run_job(job)
    assert again.files_read == 0 and "未读取的文件：2019/说明.docx" in again.summary
