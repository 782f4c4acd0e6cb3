"""The output folder, and how a run's outputs replace the last run's as one step.

    manifest.json          which run is current (its `run`), and what that run was built from
    runs/<run id>/         one run's outputs, complete: extract/<year>/…, the summary
                           workbook, manifest.json with the hash of every file
    <summary>.xlsx         a copy of the current run's summary workbook, for people
    最新提取/<year>/        the current run's extract/<year>/ (CSV, tongji.sqlite, issues.csv,
                           Parquet) at a path that does not change from run to run: hard
                           links to the run's files (a copy where the disk has none)
    cache/<year>/*.json    per-file extraction results, for the next run
    logs/run_*.log         one log per run

A run writes its outputs into runs/.staging-<pid>/, renames that folder to runs/<run id>,
and then replaces manifest.json: that one atomic rename is the commit. New cache entries
are written into cache/.staging-<pid>/ and renamed into cache/<year>/ just before: every
staging folder is on the file system of the folder it is renamed into (runs/ may be a
mounted folder of its own, and a rename cannot cross file systems). Before it, readers
see the last run; after it, this one. The summary copy is prepared before the commit and
renamed right after it, and 最新提取/ is prepared beside it and swapped in right after
(Windows renames no folder over another: for a moment it is absent, never mixed). Killed
anywhere, the folder still holds one complete run's outputs; the next run clears what a
dead run left (staging folders, runs no manifest names) and mends the summary copy and
最新提取/ if a kill came between the renames.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from loguru import logger

from ..files import atomic_path, ensure_replaceable
from .manifest import LATEST, MANIFEST_FILE

RUNS = "runs"
CACHE = "cache"
_STAGING = ".staging-"
_RUN_MARK = ".run"  # in LATEST: the run it is of


def staging_dir(out: Path, under: str = RUNS) -> Path:
    """A new staging folder in `under` (runs/, or cache/ for the new cache entries): made on
    the file system its contents are renamed into, so that the renames never cross one
    (runs/ may be a mounted folder of its own)."""
    path = out / under / f"{_STAGING}{os.getpid()}"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def clear_stale(out: Path) -> None:
    """What a killed run left: staging folders and half-written files (this run holds the
    lock, so no other run is writing them), and the folders of the layout before runs/."""
    for path in [
        *(out / RUNS).glob(f"{_STAGING}*"),
        *(out / CACHE).glob(f"{_STAGING}*"),
        *out.glob(f"{_STAGING}*"),
        *out.glob(".extract.old-*"),
        *out.glob(f".{LATEST}.*"),
    ]:
        shutil.rmtree(path, ignore_errors=True)
    for path in [
        *out.glob(".*.tmp"),
        *(out / "cache").glob("*/.*.tmp"),
    ]:  # atomic_path's temporaries
        path.unlink(missing_ok=True)


def read_manifest(out: Path) -> dict[str, Any]:
    try:
        data = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def current_run(out: Path) -> Path | None:
    """The folder of the run manifest.json names, if it is there."""
    run = read_manifest(out).get("run")
    path = (
        out / RUNS / run
        if isinstance(run, str) and run and "/" not in run and "\\" not in run
        else None
    )
    return path if path is not None and path.is_dir() else None


def file_hashes(folder: Path) -> dict[str, str]:
    """Every file of a run's folder and its sha256: what a reader can check the run by."""
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST_FILE):
        out[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")


def commit(
    out: Path,
    staging: Path,
    manifest: dict[str, Any],
    summary: str,
    new_cache: list[Path],
    previous_run: str | None,
    cache_staging: Path | None = None,
) -> None:
    """Make the staged run the current one: its folder renamed into runs/, then manifest.json
    replaced (the commit) and at once the summary copy beside it, then old runs removed.
    The new cache entries (`cache_staging/cache/<year>/…`, staged inside cache/ itself, or
    in the run's staging folder) are renamed into cache/ first."""
    ensure_replaceable([out / summary])
    for f in new_cache:  # content-addressed: an entry that lands before a kill harms nothing
        target = out / f.relative_to(_staged_in(f, staging, cache_staging))
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(f, target)
    shutil.rmtree(staging / "cache", ignore_errors=True)
    manifest["files"] = file_hashes(staging)
    write_manifest(staging / MANIFEST_FILE, manifest)
    folder = out / RUNS / manifest["run"]
    os.replace(staging, folder)
    committed = False
    latest = None
    try:
        latest = _prepare_latest(out, folder, manifest["run"])
        source = folder / summary
        if source.is_file():
            # The copy is made before the commit and renamed into place right after it: the
            # manifest and the copy beside it disagree only between two renames.
            with atomic_path(out / summary) as copy:
                shutil.copyfile(source, copy)
                write_manifest(out / MANIFEST_FILE, manifest)  # the commit
                committed = True
        else:
            write_manifest(out / MANIFEST_FILE, manifest)
            committed = True
    except BaseException:
        if not committed:  # the run failed: its folder goes, the last run stays current
            shutil.rmtree(folder, ignore_errors=True)
            if latest is not None:
                shutil.rmtree(latest, ignore_errors=True)
        raise
    _swap_latest(out, latest)
    prune_runs(out, {manifest["run"], previous_run})


def _staged_in(f: Path, staging: Path, cache_staging: Path | None) -> Path:
    if cache_staging is not None and f.is_relative_to(cache_staging):
        return cache_staging
    return staging


def _prepare_latest(out: Path, folder: Path, run: str) -> Path | None:
    """The current run's extract/ as a new folder beside 最新提取/, to be swapped in: each
    file a hard link to the run's (no second copy on disk; a copy for the files people edit
    — tongji.sqlite, the CSVs — and where links cannot be
    made), and a mark naming the run."""
    source = folder / "extract"
    if not source.is_dir():
        return None
    new = out / f".{LATEST}.new-{os.getpid()}"
    shutil.rmtree(new, ignore_errors=True)
    try:
        for path in sorted(source.rglob("*")):  # (not copytree: a full disk stays an OSError)
            target = new / path.relative_to(source)
            if path.is_dir():
                target.mkdir(parents=True, exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                _link_or_copy(str(path), str(target))
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)  # nothing half-built is left beside the outputs
        raise
    (new / _RUN_MARK).write_text(run, encoding="utf-8")
    return new


# Files a person opens with a tool that may write in place (a SQLite browser saves into
# tongji.sqlite): copies, so that the committed run — which `tongji feedback` and the
# next run read back — is never changed through 最新提取/.
_EDITABLE = (".sqlite", ".csv")


def _link_or_copy(src: str, dst: str) -> None:
    if src.lower().endswith(_EDITABLE):
        shutil.copy2(src, dst)
        return
    try:
        os.link(src, dst)
    except OSError:  # no hard links here (FAT32, some network shares): a copy
        shutil.copy2(src, dst)


def _swap_latest(out: Path, new: Path | None) -> None:
    """最新提取/ replaced by `new`: the old one renamed away, the new one renamed in, the old
    one removed. A file in it open elsewhere (Windows) leaves the old one in place: the
    next run tries again."""
    if new is None:
        return
    target, old = out / LATEST, out / f".{LATEST}.old-{os.getpid()}"
    try:
        if target.exists():
            os.replace(target, old)
        os.replace(new, target)
    except OSError:
        if old.exists() and not target.exists():
            os.replace(old, target)
        shutil.rmtree(new, ignore_errors=True)
        logger.warning(
            "{} 中有文件正被其他程序打开，未能换成本次运行的提取结果（仍是上一次的）；"
            "关闭后再运行一次即可。本次的结果在 {}/ 中。",
            LATEST,
            RUNS,
        )
        return
    shutil.rmtree(old, ignore_errors=True)


def latest_run(out: Path) -> str | None:
    """The run 最新提取/ is of, if it is there."""
    try:
        return (out / LATEST / _RUN_MARK).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def refresh_copy(out: Path, folder: Path, summary: str) -> None:
    """The summary workbook beside manifest.json: a copy of the current run's, replaced whole
    (after a kill between the commit and the copy's rename); and 最新提取/, when it is not
    of the current run."""
    if latest_run(out) != folder.name:
        _swap_latest(out, _prepare_latest(out, folder, folder.name))
    source, target = folder / summary, out / summary
    if not source.is_file():
        return
    if target.is_file() and target.read_bytes() == source.read_bytes():
        return
    with atomic_path(target) as tmp:
        shutil.copyfile(source, tmp)


def prune_runs(out: Path, keep: set[str | None]) -> None:
    """Keep the current run and the one before it; any other run folder goes, a run killed
    before its commit among them."""
    for p in (out / RUNS).iterdir():
        if p.is_dir() and not p.name.startswith(".") and p.name not in keep:
            shutil.rmtree(p, ignore_errors=True)  # a file open in Excel keeps it until a later run
