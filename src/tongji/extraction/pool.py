"""The processes that extract files (`jobs > 1`): started once — a run starts them before
it holds any year's figures, since a process forked later carries the parent's memory —
and given chunks of files of any year. Each chunk's results come back with their figures
as one frame of columns. A worker that dies (a file crashed the reader past every check)
leaves the files not done to be read one at a time, each in a process of its own."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loguru import logger

from ..findings import issue
from . import figures, guard
from .records import FileResult
from .roster import Roster
from .workbook import Extractor

if TYPE_CHECKING:
    from ..config.mapping import Pack

# A worker process's extractors (one a year), made as its first file of the year comes:
# each keeps what its batch learns (mapping choices, header layouts) across the files.
_worker: dict[str, Any] = {}

# Writes a file's own result where the caller keeps it (a run's cache entry), in the
# process that read the file: `keep(result, entry)`.
Keep = Callable[[FileResult, Path], None]
# A file to read: its path, its name in lineage and findings, and where its result is kept
# (an entry and the content hash the result must have to be kept there), if anywhere.
Item = tuple[Path, str, "tuple[Path, str] | None"]


def _init_worker(pack: Pack, roster: Roster, keep: Keep | None) -> None:
    guard.child_ignores_interrupts()  # first: a Ctrl+C is the parent's to handle
    _die_with_parent()
    _worker.update(pack=pack, roster=roster, keep=keep, years={})


def _ready() -> int:
    return os.getpid()


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


def _work(year: int, items: list[Item]) -> tuple[Any, list[int], list[FileResult]]:
    """A worker's chunk of files: their results, with the figures as one frame of columns
    (unpickled by the parent at once, not as one object per figure)."""
    years = _worker["years"]
    if year not in years:
        years[year] = Extractor(_worker["pack"], _worker["roster"], year)
    return _read_chunk(years[year], items, _worker["keep"])


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


def _result(future: Future) -> Any:
    """A future's result. The wait wakes up every quarter second: a Ctrl+C the system
    handed to another thread of this process (polars starts some) is only acted upon when
    the main thread runs, and would otherwise wait for the worker."""
    while True:
        try:
            return future.result(timeout=_POLL_SECONDS)
        except TimeoutError:
            continue


def _in_order(futures: list[Future]) -> Iterator[FileResult]:
    """The workers' results in the files' order."""
    for future in futures:
        frame, counts, results = _result(future)
        yield from figures.attach(results, frame, counts)


def worker_count(jobs: int) -> int:
    """How many processes read: `jobs`, or for 0 every CPU this process may run on (a
    server's cores, a container's share of them)."""
    if jobs > 0:
        return jobs
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # Windows, macOS
        return max(1, os.cpu_count() or 1)


def read_here(
    items: list[Item], pack: Pack, roster: Roster, year: int, keep: Keep | None
) -> Iterator[FileResult]:
    """The files read in this process, one after another."""
    extractor = Extractor(pack, roster, year)
    for start in range(0, len(items), _CHUNK):  # figures held as columns, as from a pool
        frame, counts, results = _read_chunk(extractor, items[start : start + _CHUNK], keep)
        yield from figures.attach(results, frame, counts)


class Workers:
    """`jobs` extraction processes, started when first given files (or by `start`) and
    kept for every year until `close`."""

    def __init__(self, pack: Pack, roster: Roster, jobs: int, keep: Keep | None = None):
        self.pack, self.roster, self.keep = pack, roster, keep
        self.jobs = worker_count(jobs)
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Fork the processes now (while this process is small)."""
        if self._pool is not None or self.jobs <= 1:
            return
        self._pool = ProcessPoolExecutor(
            max_workers=self.jobs,
            mp_context=get_context("fork" if os.name != "nt" else "spawn"),
            initializer=_init_worker,
            initargs=(self.pack, self.roster, self.keep),
        )
        with guard.interrupts_held():  # forked with every process at the first task
            ready = self._pool.submit(_ready)
        try:
            _result(ready)
        except BaseException:  # Ctrl+C while they start
            self.kill()
            raise

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        """Closed when the work ends; killed when it was stopped (Ctrl+C, an error), so that
        nothing waits for files whose results nobody will read."""
        if kind is None:
            self.close()
        else:
            self.kill()

    def read(self, year: int, items: list[Item]) -> Iterator[FileResult]:
        """The files' results in their order."""
        self.start()
        pool = self._pool
        assert pool is not None
        chunk = max(1, min(_CHUNK, len(items) // (self.jobs * 4) or 1))
        done = 0
        try:
            with guard.interrupts_held():
                futures = [
                    pool.submit(_work, year, items[i : i + chunk])
                    for i in range(0, len(items), chunk)
                ]
            for res in _in_order(futures):
                done += 1
                yield res
        except BrokenProcessPool:
            # a worker died (a file crashed the reader past every check): the files not done
            # yet are read one at a time, each in a process of its own; the next year starts
            # new workers
            logger.warning("并行读取的进程意外退出，其余 {} 个文件逐个单独读取", len(items) - done)
            self.kill()
            for path, display, entry in items[done:]:
                res, whole = _extract_alone((path, display), self.pack, self.roster, year)
                if whole:  # not a crash: that is read again next time, not kept
                    _keep(self.keep, res, entry)
                yield res
        except BaseException:  # Ctrl+C, or the caller stopped: the workers stop too, at once
            self.kill()
            raise

    def kill(self) -> None:
        """Stop the processes at once (Ctrl+C, the caller stopped reading)."""
        self._stop(kill=True)

    def close(self) -> None:
        """Stop the processes once they finish what they are doing; files not begun are
        not read (a caller that stopped early does not wait for the rest of a year)."""
        self._stop(kill=False)

    def _stop(self, kill: bool) -> None:
        pool = self._pool
        if pool is None:
            return
        parts = _Parts(pool)  # before shutdown() forgets them
        try:
            _stop(pool, parts, kill)
        except BaseException:  # a second Ctrl+C came before the first was handled
            _stop(pool, parts, kill=True)
            raise
        finally:
            self._pool = None


_STOP_SECONDS = 30.0  # how long a killed pool's manager thread may take to end


class _Parts:
    """What stopping a pool needs of it (concurrent.futures' own attributes, which
    shutdown() sets to None): its processes, its manager thread, its results pipe."""

    def __init__(self, pool: ProcessPoolExecutor):
        self.processes = list((getattr(pool, "_processes", None) or {}).values())
        self.manager = getattr(pool, "_executor_manager_thread", None)
        self.results = getattr(pool, "_result_queue", None)

    def kill(self) -> None:
        """Kill the processes, and close this process's end for writing results: a worker
        killed halfway through sending a result (one larger than a pipe holds) leaves the
        manager thread waiting for the rest, which only the end of the pipe ends."""
        for process in self.processes:
            try:
                process.kill()
            except (OSError, ValueError):  # already gone, or already closed
                pass
        writer = getattr(self.results, "_writer", None)
        if writer is not None:
            writer.close()


def _stop(pool: ProcessPoolExecutor, parts: _Parts, kill: bool) -> None:
    """Stop a pool's processes, at once (`kill`) or once they finish their files, and wait
    until the pool's manager thread has ended. That thread closes the pool's wake-up pipe
    as it ends, and at exit concurrent.futures writes to that pipe unless it is closed: if
    the two race (a loaded machine, a Ctrl+C) the interpreter prints an English traceback
    (OSError: Bad file descriptor) after our Chinese message. A Ctrl+C while waiting kills
    the processes and is raised once the pool is gone. Stopping a pool again does no harm."""
    interrupted: list[int] = []

    def interrupt(signum: int, frame: Any) -> None:
        interrupted.append(signum)
        parts.kill()

    with guard.interrupts_deferred(interrupt):
        if kill:
            parts.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        manager, deadline = parts.manager, None
        while manager is not None and manager.is_alive():
            if deadline is None and (kill or interrupted):
                deadline = time.monotonic() + _STOP_SECONDS
            if deadline is not None and time.monotonic() > deadline:
                # not seen; the interpreter's exit would then wait for it
                logger.warning(
                    "并行读取的进程停下后，管理它们的线程 {} 秒仍未结束：tongji 退出时可能停住。"
                    "若程序不再退出，请关闭窗口（输出要么是这次的、要么是上次的，不会只写一半），"
                    "再把日志发给 tongji 的维护者。",
                    _STOP_SECONDS,
                )
                break
            manager.join(_POLL_SECONDS)  # (a Ctrl+C is handled between two waits)
    if interrupted:
        raise KeyboardInterrupt


def _extract_alone(
    item: tuple[Path, str], pack: Pack, roster: Roster, year: int
) -> tuple[FileResult, bool]:
    """One file in a process of its own: if the reader kills it, the file is a finding (and
    the result is not the file's whole reading: False)."""
    path, display = item
    try:
        return guard.run_isolated(_extract_one, path, pack, roster, year, display), True
    except guard.IsolatedFailure as exc:
        found = issue(
            "too_large",
            f"读取该文件时进程意外退出：{exc}",
            "请在 Excel 中打开并另存为 .xlsx；若打不开，请向学校重新索取。",
            file=display,
        )
        return FileResult(display, issues=[found]), False


def _extract_one(path: Path, pack: Pack, roster: Roster, year: int, display: str) -> FileResult:
    return Extractor(pack, roster, year).extract(path, display)
