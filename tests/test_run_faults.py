"""Faults around a run: killed at any moment, a full disk, a damaged cache, Ctrl+C. Whatever
happens, the output folder holds one complete run's outputs, and the next run works."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from builders import ENGLISH, sample_job

import tongji.run.batch
import tongji.run.commit
from tongji.errors import ExitCode
from tongji.run import run_job
from tongji.run.commit import current_run, read_manifest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SCHOOLS = ("赤峰建筑工程学校",)
FIXED = "2020/赤峰建筑工程学校/赤峰建筑工程学校2020年校内实训基地.xlsx"
SUMMARY = "质量年报数据_2020.xlsx"

pytestmark = pytest.mark.skipif(
    os.name == "nt", reason="kills and signals as on the Linux server that runs the December batch"
)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> Path:
    """Returns of one school and the outputs of a run over them (exit 1: a malformed number)."""
    root = tmp_path_factory.mktemp("first_run")
    path = sample_job(root / "returns", SCHOOLS)
    result = run_job(path)
    assert result.exit_code == 1 and _published_d4(_out(path)) == [None]
    return root


@pytest.fixture
def job(first_run: Path, tmp_path: Path) -> Path:
    """A copy of the returns and of the first run's outputs, for one test to break."""
    shutil.copytree(first_run, tmp_path / "w", symlinks=True)
    return tmp_path / "w" / "returns" / "job.toml"


def _out(job: Path) -> Path:
    return job.parent.parent / "out"


def _fix_the_malformed_number(job: Path) -> None:
    path = job.parent / FIXED
    wb = openpyxl.load_workbook(path)
    wb["校内实训基地"]["D4"] = 67.99
    wb.save(path)


def _published_d4(out: Path) -> list:
    run = current_run(out)
    lineage = pl.read_parquet(run / "extract" / "2020" / "lineage.parquet")
    return lineage.filter((pl.col("file") == FIXED) & (pl.col("cell") == "D4"))["value"].to_list()


def assert_one_complete_run(out: Path) -> str:
    """manifest.json names a run whose folder holds exactly the files its own manifest lists,
    byte for byte; the summary beside them is a whole copy of a run's summary; nothing half
    written lies around. Returns the run's id."""
    manifest = read_manifest(out)
    run = current_run(out)
    assert run is not None and run.name == manifest["run"]
    own = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert own["run"] == manifest["run"]
    assert {(i["file"], i["sha256"]) for i in own["inputs"]} == {
        (i["file"], i["sha256"]) for i in manifest["inputs"]
    }
    on_disk = {
        p.relative_to(run).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in run.rglob("*")
        if p.is_file() and p.name != "manifest.json"
    }
    assert on_disk == own["files"]
    copies = {
        hashlib.sha256(p.read_bytes()).hexdigest() for p in (out / "runs").glob(f"*/{SUMMARY}")
    }
    assert hashlib.sha256((out / SUMMARY).read_bytes()).hexdigest() in copies
    return manifest["run"]


# Runs `tongji run JOB` with one function replaced by one that kills the process (SIGKILL,
# as `kill -9` or a power cut would) at its n-th call, before or after the real call.
_KILLER = """
import importlib, os, signal, sys
target, nth, when, job = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
module_name, name = target.rsplit(".", 1)
module = importlib.import_module(module_name)
real, calls = getattr(module, name), [0]
def hooked(*args, **kwargs):
    calls[0] += 1
    if calls[0] == nth and when == "before":
        os.kill(os.getpid(), signal.SIGKILL)
    result = real(*args, **kwargs)
    if calls[0] == nth and when == "after":
        os.kill(os.getpid(), signal.SIGKILL)
    return result
setattr(module, name, hooked)
from tongji.cli import main
main(["run", job])
"""

MOMENTS = [
    ("tongji.run.batch.write_extract", 2, "before"),  # one year extracted, the other not
    ("tongji.run.batch.publish", 1, "before"),  # extracted, nothing aggregated
    ("tongji.run.commit.file_hashes", 1, "before"),  # the cache moved in, the run not yet
    ("tongji.run.commit.write_manifest", 2, "before"),  # the run's folder in runs/, not committed
    ("tongji.run.commit.write_manifest", 2, "after"),  # committed, the summary copy not renamed
    ("tongji.run.commit.prune_runs", 1, "before"),  # committed, old runs not removed
]


@pytest.mark.parametrize(
    "target,nth,when", MOMENTS, ids=[f"{t.rsplit('.', 1)[1]}-{n}-{w}" for t, n, w in MOMENTS]
)
def test_killed_at_any_moment_the_outputs_are_one_runs_and_the_next_run_works(
    job, target, nth, when
):
    out = _out(job)
    before = assert_one_complete_run(out)
    _fix_the_malformed_number(job)
    killed = subprocess.run(
        [sys.executable, "-c", _KILLER, target, str(nth), when, str(job)],
        capture_output=True,
        timeout=300,
    )
    assert killed.returncode == -signal.SIGKILL
    now = assert_one_complete_run(out)
    assert _published_d4(out) == ([None] if now == before else [67.99])
    again = run_job(job)
    assert again.exit_code == 0
    assert assert_one_complete_run(out) != before and _published_d4(out) == [67.99]
    assert (out / SUMMARY).read_bytes() == (current_run(out) / SUMMARY).read_bytes()
    assert not list(out.rglob(".staging-*")) and not list(out.rglob("*.tmp"))
    assert len(list((out / "runs").iterdir())) <= 2


def test_a_full_disk_leaves_the_last_outputs_and_the_next_run_works(job, monkeypatch):
    out = _out(job)
    before = {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and "logs" not in p.parts
    }
    _fix_the_malformed_number(job)
    real_copy = shutil.copyfile

    def disk_full(src, dst, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(dst))

    monkeypatch.setattr(
        tongji.run.commit.shutil, "copyfile", disk_full
    )  # the last write before the commit
    result = subprocess_free_run(job)
    assert isinstance(result, OSError) and result.errno == errno.ENOSPC
    after = {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and "logs" not in p.parts
    }
    assert {k for k in after if not k.startswith("cache/")} == {
        k for k in before if not k.startswith("cache/")
    }
    assert all(after[k] == v for k, v in before.items() if not k.startswith("cache/"))
    assert not list(out.rglob(".staging-*")) and not list(out.rglob("*.tmp"))
    monkeypatch.setattr(tongji.run.commit.shutil, "copyfile", real_copy)  # space again
    again = run_job(job)
    assert again.exit_code == 0 and _published_d4(out) == [67.99]
    assert_one_complete_run(out)


def subprocess_free_run(job: Path) -> object:
    try:
        return run_job(job)
    except OSError as exc:
        return exc


def test_the_cli_says_a_full_disk_in_chinese_and_the_log_has_the_cause(job, monkeypatch):
    from click.testing import CliRunner

    from tongji.cli import main

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    _fix_the_malformed_number(job)
    monkeypatch.setattr(tongji.run.batch, "publish", disk_full)
    res = CliRunner().invoke(main, ["run", str(job)])
    assert (
        res.exit_code == 3
        and "磁盘空间不足" in res.output
        and "Traceback" not in res.output
        and "Errno" not in res.output
    )
    log = sorted((_out(job) / "logs").glob("run_*.log"))[-1].read_text(encoding="utf-8")
    assert (
        "磁盘空间不足" in log and "Traceback" in log
    )  # the cause and where it came from, for whoever looks


def test_a_damaged_or_foreign_cache_is_read_again_not_trusted(job, monkeypatch):
    out = _out(job)
    entries = sorted((out / "cache" / "2020").glob("*.json"))
    entries[0].write_bytes(b"\x00garbage")
    entries[1].write_text(json.dumps({"version": "x", "files": "not a list"}), encoding="utf-8")
    entries[2].write_text("", encoding="utf-8")
    pickle = out / "cache" / "2020" / "old_entry.pkl"  # what an older tongji (or an attacker) left
    pickle.write_bytes(b"cos\nsystem\n(S'touch /tmp/tongji_pwned'\ntR.")
    # nothing changed: the last run's outputs stand (they never came from the cache)
    same = run_job(job)
    assert same.files_read == 0 and same.exit_code == 1 and not Path("/tmp/tongji_pwned").exists()
    # one return corrected: the run reads it, and the three files whose entries are damaged
    fixed_before = hashlib.sha256((job.parent / FIXED).read_bytes()).hexdigest()[:24]
    _fix_the_malformed_number(job)
    again = run_job(job)
    damaged_of_others = sum(not e.name.startswith(fixed_before) for e in entries[:3])
    assert again.files_read == damaged_of_others + 1 and again.exit_code == 0
    assert not pickle.exists() and not Path("/tmp/tongji_pwned").exists()
    assert_one_complete_run(out)
    kept = {p.name for p in (out / "cache" / "2020").iterdir()}
    assert kept >= {e.name for e in entries if not e.name.startswith(fixed_before)}


def _bump_xls_cell(data: bytes, row: int, col: int) -> bytes:
    """A legacy workbook with one number cell's value raised by one, in place: a NUMBER
    record (an 8-byte double) or an RK record (an integer × 4 + 2), the size unchanged."""
    at = data.find(b"\x03\x02\x0e\x00" + struct.pack("<HH", row, col))
    if at >= 0:
        value = struct.unpack_from("<d", data, at + 10)[0]
        return data[: at + 10] + struct.pack("<d", value + 1) + data[at + 18 :]
    at = data.find(b"\x7e\x02\x0a\x00" + struct.pack("<HH", row, col))
    assert at >= 0, "the cell is neither a NUMBER nor an RK record"
    rk = struct.unpack_from("<i", data, at + 10)[0]
    assert rk & 3 == 2, "an RK integer"
    return data[: at + 10] + struct.pack("<i", ((rk >> 2) + 1) << 2 | 2) + data[at + 14 :]


def test_a_corrected_return_with_the_same_size_and_time_is_read_again(tmp_path):
    """A school corrects one figure; the new file has the old one's size and (copied with
    its time kept) its modification time. tongji hashes every input: it reads it again."""
    base = tmp_path / "returns"
    job = sample_job(base, ("赤峰第一职业中专",))
    out = _out(job)
    run_job(job)
    lineage = pl.read_parquet(current_run(out) / "extract" / "2020" / "lineage.parquet")
    figure = lineage.filter(
        pl.col("file").str.ends_with(".xls")
        & (pl.col("status") == "value")
        & (pl.col("value") >= 10)
        & (pl.col("factor") == 1)
    ).row(0, named=True)
    path = base / figure["file"]
    st = path.stat()
    col = (
        sum(
            (ord(ch) - 64) * 26**i
            for i, ch in enumerate(reversed("".join(c for c in figure["cell"] if c.isalpha())))
        )
        - 1
    )
    row = int("".join(c for c in figure["cell"] if c.isdigit())) - 1
    path.write_bytes(_bump_xls_cell(path.read_bytes(), row, col))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    again = run_job(job)
    assert again.files_read == 1 and "没有变化" not in again.summary
    lineage = pl.read_parquet(current_run(out) / "extract" / "2020" / "lineage.parquet")
    same = lineage.filter(
        (pl.col("file") == figure["file"])
        & (pl.col("cell") == figure["cell"])
        & (pl.col("field") == figure["field"])
    )
    assert same["value"].to_list() == [figure["value"] + 1]


def _slowed(
    target: str, announce: str, seconds: float, argv: list[str], **popen
) -> subprocess.Popen:
    """tongji as a process of its own whose `module:attribute` first writes `announce` and its
    pid (one write: two workers' lines do not mix), then waits `seconds`: a moment to
    interrupt or kill it at."""
    module, path = target.split(":")
    *owner, name = path.split(".")
    script = f"""
import importlib, os, sys, time
owner = importlib.import_module({module!r})
for part in {owner!r}:
    owner = getattr(owner, part)
real = getattr(owner, {name!r})
def slow(*a, **k):
    os.write(1, f"{announce} {{os.getpid()}}\\n".encode())
    time.sleep({seconds})
    return real(*a, **k)
setattr(owner, {name!r}, slow)
from tongji.cli import main
main(sys.argv[1:])
"""
    popen = {
        "stdout": subprocess.PIPE,
        "stderr": subprocess.PIPE,
        "text": True,
        "encoding": "utf-8",
        **popen,
    }
    return subprocess.Popen([sys.executable, "-c", script, *argv], **popen)


def test_ctrl_c_exits_130_and_leaves_nothing_behind(job, busy):
    out = _out(job)
    before = {
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and "logs" not in p.parts
    }
    _fix_the_malformed_number(job)
    proc = _slowed("tongji.run.batch:publish", "publishing", 60, ["run", str(job)])
    assert proc.stdout.readline().startswith("publishing")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "已中断" in err and not ENGLISH.search(err), err
    after = {
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and "logs" not in p.parts
    }
    assert after == before and not list(out.rglob(".staging-*"))


def test_ctrl_c_in_a_terminal_during_a_parallel_extraction_is_said_in_chinese(job, tmp_path, busy):
    """A terminal's Ctrl+C reaches the whole process group, workers too: one Chinese line,
    exit 130, no output folder, no worker left — with every CPU busy (a loaded office PC),
    where the pool's threads and the interpreter's exit race."""
    out = tmp_path / "提取"
    args = ["extract", str(job.parent / "2020"), "-m", str(ROOT / "mappings"), "-y", "2020"]
    args += ["-r", str(SAMPLES / "roster.xlsx"), "-o", str(out), "-j", "2"]
    proc = _slowed(
        "tongji.extraction.batch:Extractor.extract", "extracting", 1, args, start_new_session=True
    )
    workers = _ctrl_c_in_a_terminal(proc, "extracting")
    assert not out.exists() and not list(tmp_path.glob(".提取.*"))
    assert workers and not _outlived(workers)


# Moments of a two-process run: a worker starting, a worker reading, the run between
# years with its workers idle, the run merging a year its workers have read.
RUN_MOMENTS = [
    "tongji.extraction.pool:_ready",
    "tongji.extraction.pool:_work",
    "tongji.run.batch:_extract_year",
    "tongji.run.batch:merge_results",
]


@pytest.mark.parametrize("target", RUN_MOMENTS, ids=[t.rsplit(":", 1)[1] for t in RUN_MOMENTS])
def test_ctrl_c_in_a_terminal_at_any_moment_of_a_parallel_run(job, busy, target):
    """Ctrl+C to the whole process group of `tongji run` with two workers, at each moment
    the pool is in a different state: one Chinese line, exit 130, the last outputs as they
    were, no worker left, and the next run works."""
    out = _out(job)
    shutil.rmtree(out / "cache")  # nothing cached: the workers read every file
    _edit_jobs(job, 2)
    before = assert_one_complete_run(out)
    proc = _slowed(target, "slowed", 60, ["run", str(job)], start_new_session=True)
    workers = _ctrl_c_in_a_terminal(proc, "slowed")
    assert len(workers) == 2 and not _outlived(workers)
    assert assert_one_complete_run(out) == before
    assert not list(out.rglob(".staging-*"))
    again = run_job(job)  # the first run's data error (a malformed number) is still there
    assert again.exit_code == ExitCode.DATA and assert_one_complete_run(out) != before


def _ctrl_c_in_a_terminal(proc: subprocess.Popen, announce: str) -> list[int]:
    """Once `proc` announces its moment, Ctrl+C as a terminal sends it: to the whole process
    group. It must end with exit 130 and one Chinese line, nothing in English. Returns the
    child processes it had at that moment."""
    assert proc.stdout.readline().startswith(announce)
    children = _children(proc.pid)
    os.killpg(proc.pid, signal.SIGINT)
    rest, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "已中断" in err, err
    assert not ENGLISH.search(err + rest), err + rest
    return children


def _edit_jobs(job: Path, jobs: int) -> None:
    text = job.read_text(encoding="utf-8")
    assert "jobs = 1" in text
    job.write_text(text.replace("jobs = 1", f"jobs = {jobs}"), encoding="utf-8")


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in found.read_text().split()] if found.is_file() else []


def test_pool_workers_die_with_the_run(job, busy):
    """`kill -9` of a run with two workers: the workers do not live on."""
    shutil.rmtree(_out(job))  # nothing cached: every file is read
    _edit_jobs(job, 2)
    proc = _slowed(
        "tongji.extraction.pool:_work", "worker", 60, ["run", str(job)], stderr=subprocess.DEVNULL
    )
    workers = {int(proc.stdout.readline().split()[1]) for _ in range(2)}
    proc.kill()
    proc.wait(30)
    assert not _outlived(workers)


def _outlived(pids: list[int] | set[int], seconds: float = 30) -> list[int]:
    """The processes still alive after up to `seconds` (a killed process needs a moment,
    longer on a busy machine, before the system has ended it)."""
    deadline = time.monotonic() + seconds
    while (alive := [pid for pid in pids if _alive(pid)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False
