"""Many files: which files the inputs name, extracting them (in a process pool with
`jobs > 1`), and putting their figures together. One broken file is a finding of that
file, never the end of the batch."""

from __future__ import annotations

import glob
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loguru import logger

from ..errors import UsageError
from ..findings import issue
from ..progress import Progress
from . import figures, guard
from .clean import printable
from .merge import (  # noqa: F401  (copies_among, copy_result: re-exported, as before)
    copies_among,
    copy_result,
    merge_results,
    without_copies,
)
from .read import WORKBOOK_SUFFIXES
from .records import ExtractResult, FileResult
from .roster import Roster
from .workbook import Extractor

if TYPE_CHECKING:
    from ..config.mapping import Pack

_LOCK_PREFIXES = ("~$", ".~")  # Excel and WPS lock files of an open workbook
_SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})


@dataclass(frozen=True)
class Skipped:
    """A file in an input folder that is not read, and why. Excel's and WPS's lock files
    (`~$…`) are left out altogether: they are never returns."""

    path: Path
    reason: str
    finding: bool  # a return in a format tongji does not read (not a system file): a warning


@dataclass
class Inputs:
    files: list[Path] = field(default_factory=list)  # to read, in path order
    skipped: list[Skipped] = field(default_factory=list)


_ARCHIVES = (".zip", ".rar", ".7z", ".tar", ".gz")
_NOT_REGULAR = "不是普通文件（如管道或设备）"


def is_workbook_name(path: Path) -> bool:
    return path.suffix.lower() in WORKBOOK_SUFFIXES and not path.name.startswith(
        (*_LOCK_PREFIXES, ".")
    )


def _why_not_read(path: Path) -> Skipped | None:
    """None for a file to read; else why it is left alone."""
    name = path.name
    if name.startswith(".") or name.lower() in _SYSTEM_FILES:
        return Skipped(path, "系统文件或隐藏文件", False)
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        return Skipped(path, f"不是工作簿（扩展名为 {path.suffix or '无'}）", True)
    return None


def _walk(folder: str, found: Inputs) -> None:
    """Every file under a folder, in path order; directory entries say what is a file
    without another system call per file (a province has thousands). Linked folders are not
    followed (a link can loop); a link that leads nowhere or loops is listed, not read."""
    out: list[tuple[str, ...]] = []
    stack = [folder]
    while stack:
        current = stack.pop()
        with os.scandir(current) as entries:
            for e in entries:
                try:
                    if e.is_dir(follow_symlinks=False):
                        stack.append(e.path)
                    elif e.is_file():
                        out.append(Path(e.path).parts)
                    elif e.is_symlink():
                        why = (
                            "指向文件夹的链接（不跟随，免得循环）"
                            if os.path.isdir(e.path)
                            else "链接指向的文件不存在"
                        )
                        found.skipped.append(Skipped(Path(e.path), why, True))
                    else:  # reading a pipe would wait for ever
                        found.skipped.append(Skipped(Path(e.path), _NOT_REGULAR, True))
                except OSError as exc:  # a link that loops (ELOOP), a file that vanished
                    found.skipped.append(
                        Skipped(Path(e.path), f"无法访问（{exc.strerror or exc}）", True)
                    )
    for parts in sorted(out):
        _add(Path(*parts), found)


def _add(path: Path, found: Inputs) -> None:
    if path.name.startswith(_LOCK_PREFIXES):
        return
    skipped = _why_not_read(path)
    if skipped is None:
        found.files.append(path)
    else:
        found.skipped.append(skipped)


def find_inputs(paths: Iterable[str | Path]) -> Inputs:
    """Files, folders (recursive) and globs → the workbooks (and CSV files) to read, sorted,
    and every other file found, with the reason it is not read."""
    found = Inputs()
    for p in paths:
        text = str(p)
        path = Path(text)
        if path.is_dir():
            _walk(text, found)
        elif path.is_file():
            if not path.name.startswith(_LOCK_PREFIXES):
                found.files.append(path)
        elif any(ch in text for ch in "*?["):
            matches = [Path(m) for m in sorted(glob.glob(text, recursive=True))]
            for f in matches:
                if f.is_file():
                    _add(f, found)
                elif not f.is_dir() and is_workbook_name(f):
                    found.skipped.append(Skipped(f, _NOT_REGULAR, True))
            if not matches:
                raise UsageError(f"通配符“{text}”没有匹配到任何文件")
        elif path.exists():
            found.skipped.append(Skipped(path, _NOT_REGULAR, True))
        else:
            raise UsageError(f"路径不存在：{text}")
    found.files = list(dict.fromkeys(found.files))
    return found


def collect_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """The files to read that the paths name (see `find_inputs`)."""
    return find_inputs(paths).files


def not_read(skipped: list[Skipped], displays: list[str] | None = None) -> list[FileResult]:
    """A file that is not read is said: one finding each, and a line in files.parquet."""
    out = []
    for item, display in zip(
        skipped, displays or [display_path(s.path) for s in skipped], strict=True
    ):
        if item.path.suffix.lower() in _ARCHIVES:
            hint = "这是压缩包：请解压，把其中的报表放进输入文件夹（压缩包本身可以移走）。"
        else:
            hint = "若这是学校报来的报表，请在 Excel 中另存为 .xlsx 后放回。"
        found = (
            [issue("file_not_read", f"未读取：{item.reason}", hint, file=display)]
            if item.finding
            else []
        )
        out.append(FileResult(display, status="not_read", note=item.reason, issues=found))
    return out


def display_path(path: Path) -> str:
    """How a file is named in lineage and findings: relative to the working folder, in
    characters that can be written anywhere (a name that is not valid UTF-8 keeps a mark
    where its undecodable bytes were)."""
    try:
        shown = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        shown = str(path)
    return printable(shown)


# ---------------------------------------------------------------- the pool

# A worker process's extractor, set once by the pool's initializer: each worker keeps what
# its batch learns (mapping choices, header layouts) across the files it is given.
_worker_extractor: Extractor | None = None
_worker_keep: Keep | None = None

# Writes a file's own result where the caller keeps it (a run's cache entry), in the
# process that read the file: `keep(result, entry)`.
Keep = Callable[[FileResult, Path], None]
# A file to read: its path, its name in lineage and findings, and where its result is kept
# (an entry and the content hash the result must have to be kept there), if anywhere.
Item = tuple[Path, str, "tuple[Path, str] | None"]


def _init_worker(pack: Pack, roster: Roster, year: int, keep: Keep | None) -> None:
    global _worker_extractor, _worker_keep
    guard.child_ignores_interrupts()  # first: a Ctrl+C is the parent's to handle
    _die_with_parent()
    _worker_extractor, _worker_keep = Extractor(pack, roster, year), keep


def _die_with_parent() -> None:
    """A worker ends when the batch's process is killed (Linux), instead of finishing its files."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before the line above
        os._exit(1)


def _work(items: list[Item]) -> tuple[Any, list[int], list[FileResult]]:
    """A worker's chunk of files: their results, with the figures as one frame of columns
    (unpickled by the parent at once, not as one object per figure)."""
    assert _worker_extractor is not None
    return _read_chunk(_worker_extractor, items, _worker_keep)


def _keep(keep: Keep | None, res: FileResult, entry: tuple[Path, str] | None) -> None:
    """Keep a file's result, unless the file was replaced since it was hashed (then it is
    read again next time)."""
    if keep is not None and entry is not None and res.sha256 in ("", entry[1]):
        keep(res, entry[0])


def _read_chunk(
    extractor: Extractor, items: list[Item], keep: Keep | None
) -> tuple[Any, list[int], list[FileResult]]:
    results = []
    for path, display, entry in items:
        res = extractor.extract(path, display)
        _keep(keep, res, entry)
        results.append(res)
    frame, counts = figures.split_off(results)
    return frame, counts, results


_CHUNK = 25  # files a worker is given at a time
_POLL_SECONDS = 0.25  # how soon a Ctrl+C is seen while a worker is busy


def _in_order(futures: list) -> Iterator[FileResult]:
    """The workers' results in the files' order. The wait wakes up every quarter second: a
    Ctrl+C the system handed to another thread of this process (polars starts some) is only
    acted upon when the main thread runs, and would otherwise wait for a whole chunk."""
    for future in futures:
        while True:
            try:
                frame, counts, results = future.result(timeout=_POLL_SECONDS)
                break
            except TimeoutError:
                continue
        yield from figures.attach(results, frame, counts)


def extract_paths(
    files: list[Path],
    pack: Pack,
    roster: Roster,
    year: int,
    jobs: int = 1,
    progress: Progress | None = None,
    displays: list[str] | None = None,
    skipped: list[Skipped] | None = None,
) -> ExtractResult:
    """Extract every file; one broken file is an issue, never the end of the batch.
    `displays` names the files in lineage and issues (default: relative to the cwd);
    `skipped` files are listed with the reason they were not read."""
    results = extract_each(files, pack, roster, year, jobs, progress, displays)
    return merge_results(without_copies(results) + not_read(skipped or []), year)


def extract_each(
    files: list[Path],
    pack: Pack,
    roster: Roster,
    year: int,
    jobs: int = 1,
    progress: Progress | None = None,
    displays: list[str] | None = None,
    keep: Keep | None = None,
    entries: list[tuple[Path, str] | None] | None = None,
) -> list[FileResult]:
    """Every file's own result, in the files' order: nothing of one file depends on
    another's figures (copies and conflicts are the merge's, which does not change these).
    With `keep`, each file's result is also kept where `entries` says (an entry and the
    content hash the file must still have), by the process that read it."""
    items: list[Item] = list(
        zip(
            files,
            displays or [display_path(f) for f in files],
            entries or [None] * len(files),
            strict=True,
        )
    )
    progress = progress or Progress()
    progress.start(len(items))
    results: list[FileResult] = []
    try:
        for res in _extract_items(items, pack, roster, year, jobs, keep):
            results.append(res)
            progress.advance(res)
    finally:
        progress.finish()
    return results


def worker_count(jobs: int) -> int:
    """How many processes read: `jobs`, or for 0 every CPU this process may run on (a
    server's cores, a container's share of them)."""
    if jobs > 0:
        return jobs
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # Windows, macOS
        return max(1, os.cpu_count() or 1)


def _extract_items(
    items: list[Item], pack: Pack, roster: Roster, year: int, jobs: int, keep: Keep | None
) -> Iterator[FileResult]:
    jobs = worker_count(jobs)
    if jobs <= 1 or len(items) <= 1:
        extractor = Extractor(pack, roster, year)
        for start in range(0, len(items), _CHUNK):  # figures held as columns, as from a pool
            frame, counts, results = _read_chunk(extractor, items[start : start + _CHUNK], keep)
            yield from figures.attach(results, frame, counts)
        return
    chunk = max(1, min(_CHUNK, len(items) // (jobs * 4) or 1))
    context = get_context("fork" if os.name != "nt" else "spawn")
    pool = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_init_worker,
        initargs=(pack, roster, year, keep),
    )
    done = 0
    try:
        with guard.interrupts_held():  # the workers are forked as the files are handed out
            futures = [
                pool.submit(_work, items[i : i + chunk]) for i in range(0, len(items), chunk)
            ]
        for res in _in_order(futures):
            done += 1
            yield res
    except BrokenProcessPool:
        # a worker died (a file crashed the reader past every check): the files not done yet
        # are read one at a time, each in a process of its own
        logger.warning("并行读取的进程意外退出，其余 {} 个文件逐个单独读取", len(items) - done)
        pool.shutdown(wait=False, cancel_futures=True)
        for path, display, entry in items[done:]:
            res = _extract_alone((path, display), pack, roster, year)
            _keep(keep, res, entry)
            yield res
    except BaseException:  # Ctrl+C, or the caller stopped: the workers stop too, at once
        workers = list((getattr(pool, "_processes", None) or {}).values())  # shutdown clears it
        pool.shutdown(wait=False, cancel_futures=True)
        for process in workers:
            process.kill()
        raise
    else:
        pool.shutdown()


def _extract_alone(item: tuple[Path, str], pack: Pack, roster: Roster, year: int) -> FileResult:
    """One file in a process of its own: if the reader kills it, the file is a finding."""
    path, display = item
    try:
        return guard.run_isolated(extract_file, path, pack, roster, year, display)
    except guard.IsolatedFailure as exc:
        found = issue(
            "too_large",
            f"读取该文件时进程意外退出：{exc}",
            "请在 Excel 中打开并另存为 .xlsx；若打不开，请向学校重新索取。",
            file=display,
        )
        return FileResult(display, issues=[found])


def extract_to_folder(
    paths: Iterable[str | Path],
    pack: Pack,
    roster: Roster,
    year: int,
    out: str | Path,
    jobs: int = 1,
    progress: Progress | None = None,
    corrections: str | Path | None = None,
) -> ExtractResult:
    """`tongji extract`: the workbooks the paths name (files, folders, globs), extracted,
    corrected by a corrections file when given, and written to the folder `out`, which is
    replaced whole (or, on failure, left as it was)."""
    from .corrections import apply_corrections, load_corrections
    from .store import folder_replaced, write_extract

    fixes = load_corrections(corrections) if corrections else []
    inputs = find_inputs(paths)
    if not inputs.files:
        others = (
            f"（找到 {len(inputs.skipped)} 个其他文件，都不是工作簿）" if inputs.skipped else ""
        )
        raise UsageError(f"没有找到任何工作簿（.xlsx/.xls/.xlsm/.xlsb/.ods/.csv）{others}。")
    logger.info(
        "读取 {} 个文件（映射 {} 个，名录学校 {} 所，年度 {}）",
        len(inputs.files),
        len(pack.mappings),
        len(roster.schools),
        year,
    )
    with folder_replaced(out) as new:  # checked before the reading starts
        result = extract_paths(
            inputs.files, pack, roster, year, jobs, progress, skipped=inputs.skipped
        )
        if fixes:
            result = apply_corrections(result, fixes, roster, pack, display_path(Path(corrections)))  # type: ignore[arg-type]
        write_extract(result, pack, new, roster)
    return result


def extract_file(
    path: Path, pack: Pack, roster: Roster, year: int, display: str | None = None
) -> FileResult:
    """One file on its own (a batch of one)."""
    return Extractor(pack, roster, year).extract(path, display or display_path(path))
