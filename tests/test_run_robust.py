"""`tongji run` when the job, the disk or the console is not what it should be (issue 21):
an output folder that holds the inputs, a worker's MemoryError, a full disk, a damaged
.xlsb whose parser panics, a GBK console, a closed pipe, a failure after the commit, and
runs/ on a file system of its own. Each says one Chinese line, tells the truth about the
outputs, and the next run works. A run over one school's returns takes a second or two."""

from __future__ import annotations

import errno
import io
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from builders import ENGLISH, sample_job
from click.testing import CliRunner
from xlsxwriter.exceptions import FileCreateError

import tongji.run.batch
from tongji.cli import main
from tongji.run import run_job
from tongji.run.commit import current_run, read_manifest

SCHOOL = "赤峰建筑工程学校"
FIXED = f"2020/{SCHOOL}/{SCHOOL}2020年校内实训基地.xlsx"
ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(os.name == "nt", reason="file descriptors, pipes and fork")


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> Path:
    """One school's returns (2019 and 2020) and a run over them (exit 1: a malformed number)."""
    root = tmp_path_factory.mktemp("robust")
    assert run_job(sample_job(root / "returns", (SCHOOL,))).exit_code == 1
    return root


@pytest.fixture
def job(first_run: Path, tmp_path: Path) -> Path:
    """A copy of the returns and of the first run's outputs, for one test to change."""
    shutil.copytree(first_run, tmp_path / "w", symlinks=True)
    return tmp_path / "w" / "returns" / "job.toml"


def _out(job: Path) -> Path:
    return job.parent.parent / "out"


def _fix_the_malformed_number(job: Path) -> None:
    """The return corrected: the next run reads it and ends without errors (exit 0)."""
    path = job.parent / FIXED
    wb = openpyxl.load_workbook(path)
    wb["校内实训基地"]["D4"] = 67.99
    wb.save(path)


def _edit(job: Path, old: str, new: str) -> None:
    text = job.read_text(encoding="utf-8")
    assert old in text
    job.write_text(text.replace(old, new), encoding="utf-8")


def _tongji(*args: str, env: dict | None = None, **popen) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tongji", *args],
        capture_output=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        **popen,
    )


def _last_log(job: Path) -> str:
    return sorted((_out(job) / "logs").glob("run_*.log"))[-1].read_text(encoding="utf-8")


# ---------------------------------------------------------------- 2. a run that reads nothing


def test_an_output_folder_holding_the_inputs_is_refused_naming_output(job):
    _edit(job, 'output = "../out"', 'output = "."')
    res = CliRunner().invoke(main, ["run", str(job)])
    assert res.exit_code == 2, res.output
    assert "output" in res.output and "2019" in res.output and "../out" in res.output
    assert not (job.parent / "manifest.json").exists() and not (job.parent / "runs").exists()


def test_a_year_with_files_but_no_return_read_is_an_error(job):
    _fix_the_malformed_number(job)  # otherwise a clean run
    notes = job.parent / "说明"
    notes.mkdir()
    (notes / "填报说明.pdf").write_bytes(b"%PDF-1.4\n")
    _edit(job, '2019 = ["2019"]', '2019 = ["说明"]')
    result = run_job(job)
    assert result.exit_code == 1
    nothing = [i for i in result.issues if i.code == "nothing_read"]
    assert [(i.year, i.severity) for i in nothing] == [(2019, "error")]
    assert "一个报表也没有读到" in result.summary


# ---------------------------------------------------------------- 6. no traceback on the screen

# Runs `tongji run JOB` with the reading of one file ending in a MemoryError, in a worker.
_MEMORY = """
import sys
import tongji.extraction.workbook as w
real = w.Extractor._extract_workbook
def hungry(self, out):
    if out.file.startswith("2020/") and "中职基111" in out.file:
        raise MemoryError()
    return real(self, out)
w.Extractor._extract_workbook = hungry
from tongji.cli import main
main(["run", sys.argv[1]])
"""


def test_a_workers_memory_error_is_one_line_naming_the_file_and_the_log_has_the_traceback(job):
    shutil.rmtree(_out(job))  # every file read, by two workers
    _edit(job, "jobs = 1", "jobs = 2")
    res = subprocess.run(
        [sys.executable, "-c", _MEMORY, str(job)], capture_output=True, timeout=120
    )
    err = res.stderr.decode("utf-8")
    assert res.returncode == 1, err
    assert "Traceback" not in err and 'File "' not in err and "MemoryError()" not in err, err
    said = [line for line in err.splitlines() if "中职基111" in line]
    assert len(said) == 1 and "内部错误" in said[0], err
    assert len(err.splitlines()) <= 8, err
    log = _last_log(job)
    assert "Traceback" in log and "MemoryError" in log


# Runs `tongji run JOB` on a disk that is full under OUT: every write to a file opened there
# fails with ENOSPC (the run's log, the cache, the summary workbook), as on a real full disk.
_FULL_DISK = """
import builtins, errno, io, os, sys
job, out = sys.argv[1], os.path.realpath(sys.argv[2])
real_open = builtins.open

class Full:
    def __init__(self, f):
        self._f = f
    def write(self, *a):
        raise OSError(errno.ENOSPC, "No space left on device")
    def __getattr__(self, name):
        return getattr(self._f, name)
    def __enter__(self):
        return self
    def __exit__(self, *a):
        self._f.close()
    def __iter__(self):
        return iter(self._f)

def full_open(file, mode="r", *a, **k):
    f = real_open(file, mode, *a, **k)
    path = file if isinstance(file, (str, bytes, os.PathLike)) else None
    if path is not None and any(m in mode for m in "wax+"):
        if os.path.realpath(os.fsdecode(path)).startswith(out + os.sep):
            return Full(f)
    return f

builtins.open = io.open = full_open
from tongji.cli import main
main(["run", job])
"""


def test_a_full_disk_is_one_chinese_line_and_the_next_run_works(job):
    _fix_the_malformed_number(job)
    out = _out(job)
    before = read_manifest(out)["run"]
    res = subprocess.run(
        [sys.executable, "-c", _FULL_DISK, str(job), str(out)], capture_output=True, timeout=120
    )
    err = res.stderr.decode("utf-8")
    assert res.returncode == 3, err
    assert "Logging error" not in err and "Record was" not in err and "Traceback" not in err, err
    last = err.strip().splitlines()[-1]
    assert "磁盘空间不足" in last and "上次的输出未被改动" in last and not ENGLISH.search(err), err
    assert read_manifest(out)["run"] == before
    again = run_job(job)  # space again
    assert again.exit_code == 0 and read_manifest(out)["run"] != before
    assert not list(out.rglob(".staging-*")) and not list(out.rglob("*.tmp"))


# What the libraries raise when the disk fills while they write (polars, sqlite, xlsxwriter,
# an OSError that kept only the text of the system's error).
WRAPPED = {
    "polars": lambda: pl.exceptions.ComputeError(
        "parquet: File out of specification: underlying IO error: No space left on device (os error 28)"
    ),
    "sqlite": lambda: sqlite3.OperationalError("database or disk is full\n\nquery was: COMMIT"),
    "xlsxwriter": lambda: FileCreateError(OSError(errno.ENOSPC, "No space left on device")),
    "text": lambda: OSError("No space left on device (os error 28)"),
}


@pytest.mark.parametrize("library", list(WRAPPED))
def test_a_full_disk_said_by_a_library_is_one_chinese_line_and_the_next_run_works(
    job, monkeypatch, library
):
    _fix_the_malformed_number(job)

    def disk_full(*args, **kwargs):
        raise WRAPPED[library]()

    monkeypatch.setattr(tongji.run.batch, "publish", disk_full)
    res = CliRunner().invoke(main, ["run", str(job)])
    last = res.output.strip().splitlines()[-1]
    assert res.exit_code == 3 and "磁盘空间不足" in last and "上次的输出未被改动" in last, (
        res.output
    )
    assert not ENGLISH.search(res.output) and "query was" not in res.output, res.output
    monkeypatch.undo()
    assert run_job(job).exit_code == 0


def _damaged_xlsb() -> bytes:
    """An .xlsb whose cell points at shared string 99 of none: calamine panics on it."""

    def rec(kind: int, data: bytes = b"") -> bytes:  # a record: its type and size as varints
        kind_bytes = bytes([kind]) if kind < 0x80 else bytes([kind & 0x7F | 0x80, kind >> 7])
        return kind_bytes + bytes([len(data)]) + data  # every record here is under 128 bytes

    def wide(text: str) -> bytes:
        return struct.pack("<I", len(text)) + text.encode("utf-16-le")

    book = rec(0x83) + rec(0x8F) + rec(0x9C, struct.pack("<II", 0, 1) + wide("rId1") + wide("表1"))
    book += rec(0x90) + rec(0x84)
    sheet = rec(0x81) + rec(0x94, struct.pack("<IIII", 0, 0, 0, 1)) + rec(0x91)
    sheet += rec(0x00, b"\0" * 17) + rec(0x07, struct.pack("<IHBBI", 0, 0, 0, 0, 99))
    sheet += rec(0x92) + rec(0x82)
    rels = (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"'
        ' Target="worksheets/sheet1.bin"/></Relationships>'
    )
    types = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
        "</Types>"
    )
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("xl/_rels/workbook.bin.rels", rels)
        z.writestr("xl/workbook.bin", book)
        z.writestr("xl/worksheets/sheet1.bin", sheet)
    return data.getvalue()


def test_a_damaged_xlsb_is_a_finding_without_the_parsers_panic_on_the_screen(job):
    _fix_the_malformed_number(job)
    (job.parent / "2020" / SCHOOL / "损坏的报表.xlsb").write_bytes(_damaged_xlsb())
    res = _tongji("run", str(job), env={"RUST_BACKTRACE": "1"})
    err = res.stderr.decode("utf-8")
    assert res.returncode == 1, err
    assert "panicked" not in err and "stack backtrace" not in err and ".rs:" not in err, err
    found = [i for i in read_manifest(_out(job))["top_issues"] if i["file"].endswith(".xlsb")]
    assert [i["code"] for i in found] == ["corrupt"]


# ---------------------------------------------------------------- 8. the truth about the commit


def test_a_gbk_console_and_a_name_it_cannot_show_print_the_summary_with_question_marks(job):
    _fix_the_malformed_number(job)
    (job.parent / "2020" / SCHOOL / "📊统计说明.pdf").write_bytes(b"%PDF-1.4\n")
    before = read_manifest(_out(job))["run"]
    res = _tongji("run", str(job), env={"PYTHONIOENCODING": "gbk"})
    out, err = res.stdout.decode("gbk"), res.stderr.decode("gbk", "replace")
    manifest = read_manifest(_out(job))
    assert manifest["run"] != before and res.returncode == manifest["exit_code"] == 0, err
    assert "?统计说明.pdf" in out and "完成" in out.splitlines()[0]
    assert "未被改动" not in err + out and not ENGLISH.search(err), err


def test_a_closed_pipe_ends_quietly_with_the_runs_exit_code(job):
    _fix_the_malformed_number(job)
    before = read_manifest(_out(job))["run"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "tongji", "run", str(job)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # the reader gone before the summary (`| head -0`)
    err = proc.stderr.read().decode("utf-8")
    proc.wait(120)
    manifest = read_manifest(_out(job))
    assert manifest["run"] != before and proc.returncode == manifest["exit_code"] == 0, err
    assert "未被改动" not in err and "Broken pipe" not in err and "Exception" not in err, err


def test_a_failure_after_the_commit_does_not_say_the_outputs_are_unchanged(job, monkeypatch):
    _fix_the_malformed_number(job)
    before = read_manifest(_out(job))["run"]

    def fails(*args, **kwargs):
        raise RuntimeError("after the commit")

    monkeypatch.setattr(tongji.run.batch, "_prune_cache", fails)
    res = CliRunner().invoke(main, ["run", str(job)])
    now = read_manifest(_out(job))["run"]
    assert res.exit_code == 3 and now != before, res.output
    assert "未被改动" not in res.output and f"本次运行（{now}）的输出已经写出" in res.output
    assert "after the commit" in _last_log(job)


# ---------------------------------------------------------------- 9. runs/ on another file system


def test_runs_on_a_file_system_of_its_own(job, monkeypatch):
    """A rename or a hard link between runs/ and the rest of the output folder fails as it
    does across file systems (EXDEV)."""
    out = _out(job)
    runs = os.path.realpath(out / "runs")

    def inside(path) -> bool:
        real = os.path.realpath(os.fsdecode(path))
        return real == runs or real.startswith(runs + os.sep)

    def across(real):
        def call(src, dst, *args, **kwargs):
            if inside(src) != inside(dst):
                raise OSError(errno.EXDEV, "Invalid cross-device link", os.fsdecode(src))
            return real(src, dst, *args, **kwargs)

        return call

    for name in ("replace", "rename", "link"):
        monkeypatch.setattr(os, name, across(getattr(os, name)))
    _fix_the_malformed_number(job)
    result = run_job(job)
    assert result.exit_code == 0 and result.files_read == 1
    assert current_run(out).name == read_manifest(out)["run"]
    again = run_job(job)  # nothing changed: the cache and the outputs serve
    assert again.exit_code == 0 and again.files_read == 0
    _edit(job, "jobs = 1", "jobs = 1  # changed")  # a new run, every file from the cache
    third = run_job(job)
    assert third.exit_code == 0 and third.files_read == 0 and third.files_cached == 20
    assert not list(out.rglob(".staging-*"))
