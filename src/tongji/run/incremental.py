"""Incremental extraction: a file whose content and configs have not changed since the
last run is not read again; its result comes from the cache.

A file's cache entry is named by its content hash and by the key of everything else its
extraction depends on (tool version, mapping files, roster, year), so a corrected return
or a changed mapping is read again and nothing else is.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loguru import logger

from .. import build
from ..config.job import Job
from ..config.mapping import Pack
from ..errors import ConfigError, ConfigProblem, UsageError
from ..extraction import (
    FileResult,
    Inputs,
    Progress,
    copies_among,
    copy_result,
    find_inputs,
    not_read,
)
from ..extraction.batch import extract_each
from ..extraction.clean import printable
from ..extraction.pool import Workers
from ..extraction.roster import Roster
from ..findings import ERROR, WARNING
from . import cache


class Hasher:
    """Files' content hashes, each read once per run for the same size and modification
    time (the no-change check and the run that follows it look at the same files)."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, int, int], str] = {}

    def sha256(self, path: Path) -> str:
        st = path.stat()
        key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
        if key not in self._known:
            self._known[key] = hash_file(path)
        return self._known[key]


def hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def config_key(
    pack_files: dict[str, str],
    roster_sha: str,
    year: int,
    edition: str | None = None,
    read_hidden: bool = False,
) -> str:
    """What an extraction depends on besides the file itself (a catalogue edition the job
    names for the year among it, and whether hidden rows are data)."""
    given = {"version": build(), "mappings": pack_files, "roster": roster_sha, "year": year}
    if edition is not None:
        given["catalogue"] = edition
    if read_hidden:
        given["read_hidden"] = True
    text = json.dumps(given, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class InputRecord:
    year: int
    file: str
    sha256: str
    size: int
    mtime_ns: int
    status: str  # read | cached
    school_id: str | None = None
    n_values: int = 0
    n_errors: int = 0
    n_warnings: int = 0


def display_name(path: Path, base: Path) -> str:
    """How a run names a file: relative to the job file's folder when it is inside it, in
    characters that can be written anywhere."""
    resolved = Path(os.path.realpath(path))  # what Path.resolve does, without its overhead
    try:
        shown = resolved.relative_to(base).as_posix()
    except ValueError:
        shown = resolved.as_posix()
    return printable(shown)


@dataclass
class _Planned:
    path: Path
    display: str
    sha256: str
    size: int
    mtime_ns: int
    cache_file: Path | None  # the cache entry that holds this file's result, if there is one


@dataclass
class YearInputs:
    """One year's inputs: each file's result (fresh or cached) and record, in input order."""

    results: list[FileResult]
    records: list[InputRecord]
    new_cache: list[Path]  # cache entries written into the staging folder
    not_read: list[
        dict[str, str]
    ]  # files in the input folders that are not workbooks: file, reason


class YearExtraction:
    """Extract one year's inputs of a job, re-using unchanged files' results. Every input is
    hashed on every run: a corrected return with the same size and time is still new."""

    def __init__(
        self,
        job: Job,
        year: int,
        pack: Pack,
        roster: Roster,
        roster_sha: str,
        previous: dict[str, Any],
        hasher: Hasher,
    ):
        self.job, self.year, self.pack, self.roster = job, year, pack, roster
        self.previous, self.hasher = previous, hasher
        self.key = config_key(
            pack.files, roster_sha, year, pack.catalogue_years.get(year), pack.read_hidden
        )

    def cache_name(self, sha256: str) -> str:
        return f"{sha256[:24]}_{self.key[:16]}{cache.SUFFIX}"

    def _inputs(self) -> Inputs:
        patterns = [
            str(self.job.base / p) if not Path(p).is_absolute() else p
            for p in self.job.inputs[self.year]
        ]
        try:
            found = find_inputs(patterns)
        except (
            UsageError
        ) as exc:  # a folder the job names that is not there is a mistake in the job file
            raise ConfigError(
                [
                    ConfigProblem(
                        str(self.job.file),
                        f"inputs.{self.year}",
                        f"{exc.message}；请检查任务文件中的路径（相对于任务文件所在的文件夹）",
                    )
                ]
            ) from exc
        # The output folder inside an input folder: its workbooks, caches and logs are not returns.
        inside = os.path.join(os.path.abspath(self.job.output), "")
        found.files = [f for f in found.files if not os.path.abspath(f).startswith(inside)]
        found.skipped = [k for k in found.skipped if not os.path.abspath(k.path).startswith(inside)]
        return found

    def plan(self) -> tuple[list[_Planned], list[FileResult]]:
        """Every input file with its hash and its cache entry (when one exists); and, as
        results of their own, the files not read: not workbooks, or the same bytes as an
        input before them (a backup copy)."""
        cache_dir = self.job.output / "cache" / str(self.year)
        inputs = self._inputs()
        hashed = []
        for f in inputs.files:
            st = f.stat()
            hashed.append((f, display_name(f, self.job.base), st, self.hasher.sha256(f)))
        copy_of = copies_among((display, sha) for _, display, _, sha in hashed)
        plan: list[_Planned] = []
        copies: list[FileResult] = []
        for f, display, st, sha in hashed:
            if display in copy_of:
                copies.append(copy_result(display, copy_of[display], sha))
                continue
            cache_file = cache_dir / self.cache_name(sha)
            plan.append(
                _Planned(
                    f,
                    display,
                    sha,
                    st.st_size,
                    st.st_mtime_ns,
                    cache_file if cache_file.is_file() else None,
                )
            )
        unread = not_read(
            inputs.skipped, [display_name(s.path, self.job.base) for s in inputs.skipped]
        )
        return plan, unread + copies

    def current_inputs(self) -> tuple[list[InputRecord], list[dict[str, str]]]:
        """The inputs as they are now, each hashed, and the files not read, without opening a
        cache entry: what the no-change check compares with the last run's manifest."""
        plan, unread = self.plan()
        records = [
            InputRecord(self.year, i.display, i.sha256, i.size, i.mtime_ns, "cached") for i in plan
        ]
        return records, [{"year": self.year, "file": r.file, "reason": r.note} for r in unread]

    def run(
        self,
        staging: Path | None,
        progress: Progress | None = None,
        workers: Workers | None = None,
    ) -> YearInputs:
        """Read what the cache does not hold (nothing at all when `staging` is None: a dry
        run or the no-change check), with the run's `workers` when given, and write the new
        cache entries into `staging`."""
        plan, unread = self.plan()
        results: dict[str, FileResult] = {}
        records: dict[str, InputRecord] = {}
        to_read: list[_Planned] = []
        for item in plan:
            cached = cache.load(item.cache_file, item.display) if item.cache_file else None
            status = "cached" if cached is not None else "read"
            records[item.display] = InputRecord(
                self.year, item.display, item.sha256, item.size, item.mtime_ns, status
            )
            if cached is not None:
                results[item.display] = cached
            else:
                to_read.append(item)  # not in the cache, or an entry that is damaged: read again
        new_cache: list[Path] = []
        if to_read and staging is not None:
            logger.info(
                "{} 年：新读 {} 个文件，沿用上次结果 {} 个", self.year, len(to_read), len(results)
            )
            # each file's own result, not the merged batch's: that is what the cache keeps;
            # files with the same bytes (empty ones) share one entry, written once
            cache_dir = staging / "cache" / str(self.year)
            entries: list[tuple[Path, str] | None] = []
            named: set[str] = set()
            for item in to_read:
                name = self.cache_name(item.sha256)
                entries.append(None if name in named else (cache_dir / name, item.sha256))
                named.add(name)
            fresh = extract_each(
                [i.path for i in to_read],
                self.pack,
                self.roster,
                self.year,
                self.job.jobs,
                progress,
                [i.display for i in to_read],
                keep=cache.keep,
                entries=entries,
                workers=workers,
            )
            for item, res, entry in zip(to_read, fresh, entries, strict=True):
                results[item.display] = res
                if res.sha256 and res.sha256 != item.sha256:
                    # replaced while this run read it (a school uploading again): the figures
                    # are of the bytes read, and so is the record; the next run looks again
                    logger.warning("{}：读取期间文件被替换，按读到的内容处理", item.display)
                    records[item.display].sha256 = res.sha256
                elif entry is not None and entry[0].is_file():
                    new_cache.append(entry[0])
        ordered = [results[i.display] for i in plan if i.display in results]
        for res in ordered:
            _count(records[res.file], res)
        listed = [{"year": self.year, "file": r.file, "reason": r.note} for r in unread]
        return YearInputs(ordered + unread, [records[i.display] for i in plan], new_cache, listed)


def _count(record: InputRecord, res: FileResult) -> None:
    record.school_id, record.n_values = res.school_id, res.n_values
    record.n_errors = sum(i.severity == ERROR for i in res.issues)
    record.n_warnings = sum(i.severity == WARNING for i in res.issues)
