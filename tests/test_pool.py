"""The extraction processes stop cleanly: when `Workers` returns from closing or killing,
the pool's threads have ended, so that the interpreter's exit hook for concurrent.futures
has nothing to race (it writes to the pool's wake-up pipe; were the pool's manager thread
still closing it, an English traceback would follow the Chinese message of a Ctrl+C)."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
from builders import national_teacher_form, write_xlsx

from tongji.extraction import pool

pytestmark = pytest.mark.skipif(os.name == "nt", reason="signals and fork: POSIX")


def _items(tmp_path, n=4):
    files = [
        write_xlsx(tmp_path / f"{i}.xlsx", [national_teacher_form(school="赤峰农牧学校")])
        for i in range(n)
    ]
    return [(f, f.name, None) for f in files]


def _stopped(state: dict) -> bool:
    """The pool's manager thread has ended and its wake-up pipe is closed."""
    manager, wakeup = state["manager"], state["wakeup"]
    return not manager.is_alive() and wakeup._closed


def _state(workers: pool.Workers) -> dict:
    p = workers._pool
    return {
        "manager": p._executor_manager_thread,
        "wakeup": p._executor_manager_thread_wakeup,
        "processes": list(p._processes.values()),
    }


def test_workers_stopped_in_the_middle_of_a_year_leave_no_thread_behind(
    tmp_path, pack, roster, busy
):
    workers = pool.Workers(pack, roster, 2)
    reading = workers.read(2020, _items(tmp_path, 8))
    first = next(reading)  # the pool is busy with the rest
    state = _state(workers)
    reading.close()  # the caller stopped: the workers are killed
    assert first.file == "0.xlsx" and workers._pool is None
    assert _stopped(state)
    assert all(p.exitcode is not None for p in state["processes"])


def test_workers_closed_after_their_work_leave_no_thread_behind(tmp_path, pack, roster, busy):
    with pool.Workers(pack, roster, 2) as workers:
        done = list(workers.read(2020, _items(tmp_path)))
        state = _state(workers)
    assert [r.file for r in done] == ["0.xlsx", "1.xlsx", "2.xlsx", "3.xlsx"]
    assert all(r.n_values == 8 for r in done)
    assert _stopped(state) and all(p.exitcode == 0 for p in state["processes"])


def _slow_chunk(extractor, items, keep):
    (tmp,) = {path.parent for path, _, _ in items}
    (tmp / f"started-{os.getpid()}").touch()
    time.sleep(60)  # killed long before, unless the Ctrl+C is not acted upon


def test_ctrl_c_while_closing_kills_the_busy_workers_and_is_raised(
    tmp_path, pack, roster, monkeypatch
):
    """close() waits for the files being read; a Ctrl+C meanwhile does not wait for them."""
    assert threading.current_thread() is threading.main_thread()  # where signals are handled
    monkeypatch.setattr(pool, "_read_chunk", _slow_chunk)  # the forked workers have it
    workers = pool.Workers(pack, roster, 2)
    workers.start()
    state = _state(workers)
    try:
        for item in _items(tmp_path, 2):  # one file each
            workers._pool.submit(pool._work, 2020, [item])
        _wait_for_start(tmp_path, 2)
        real = workers._pool.shutdown

        def shutdown_then_ctrl_c(*args, **kwargs):
            real(*args, **kwargs)
            os.kill(os.getpid(), signal.SIGINT)  # while close() waits for the busy workers

        workers._pool.shutdown = shutdown_then_ctrl_c
        with pytest.raises(KeyboardInterrupt):
            workers.close()
    finally:
        workers.kill()  # (nothing left to do when the test passes)
    assert _stopped(state)
    assert all(p.exitcode == -signal.SIGKILL for p in state["processes"])


def _wait_for_start(folder, workers: int) -> None:
    deadline = time.monotonic() + 60
    while len(list(folder.glob("started-*"))) < workers:
        assert time.monotonic() < deadline, "the workers did not start"
        time.sleep(0.02)


def _half_sent(folder):
    """A worker that has sent part of a result larger than a pipe holds, and then hangs:
    the manager thread is left waiting for the rest of it."""
    import struct
    import sys

    results = sys._getframe(1).f_locals["result_queue"]  # concurrent.futures' _process_worker
    os.write(results._writer.fileno(), struct.pack("!i", 1 << 20) + b"x" * 100)
    (folder / f"started-{os.getpid()}").touch()
    time.sleep(60)


def test_workers_killed_while_one_sends_its_result_leave_no_thread_behind(
    tmp_path, pack, roster, monkeypatch
):
    monkeypatch.setattr(pool, "_STOP_SECONDS", 5.0)  # a regression fails in 5 s, not 30
    workers = pool.Workers(pack, roster, 2)
    workers.start()
    state = _state(workers)
    try:
        workers._pool.submit(_half_sent, tmp_path)
        _wait_for_start(tmp_path, 1)
    finally:
        workers.kill()
    assert _stopped(state)
    assert all(p.exitcode is not None for p in state["processes"])
