"""Busy CPUs for the tests that race the clock (Ctrl+C, kill, a worker's death): loops in
processes of their own, started and stopped by the test harness. A test that passes only on
an idle machine is a defect; these tests run with every CPU busy, as on an office PC that
is doing something else, and `pytest --busy-cpus N --repeat K` runs any selection so."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator

# ends by itself when the process that started it is gone (a test run killed or cancelled)
_LOOP = "import os\nparent = os.getppid()\nwhile os.getppid() == parent:\n    pass\n"


def cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # Windows, macOS
        return max(1, os.cpu_count() or 1)


@contextlib.contextmanager
def busy_cpus(count: int | None = None) -> Iterator[list[subprocess.Popen]]:
    """`count` busy loops (default: one per CPU) for the duration of the block."""
    loops: list[subprocess.Popen] = []
    try:
        for _ in range(cpus() if count is None else count):
            loops.append(
                subprocess.Popen(
                    [sys.executable, "-c", _LOOP],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        yield loops
    finally:
        for loop in loops:
            loop.kill()
        for loop in loops:
            loop.wait()
