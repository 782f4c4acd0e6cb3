"""One run at a time per output folder.

The lock is the operating system's (filelock: fcntl on Linux and macOS, msvcrt on Windows):
it dies with the process that holds it, so a run that was killed, or a disk that filled up
while the lock was taken, never blocks the next run. Beside it a small JSON file says who
holds the lock, for the message another run shows.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import socket
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from ..errors import LockError

LOCK_FILE = ".tongji.lock"  # empty; what matters is the OS lock on it
HOLDER_FILE = ".tongji.lock.json"


def now() -> str:
    return _dt.datetime.now().isoformat(timespec="seconds")


class OutputLock:
    """One run at a time per output folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.path = folder / LOCK_FILE
        self.holder = folder / HOLDER_FILE
        self._lock = FileLock(str(self.path), timeout=0)

    def __enter__(self) -> OutputLock:
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire()
        except Timeout:
            info = self._holder()
            raise LockError(
                f"输出目录 {self.folder} 正被另一个 tongji 运行使用（{info.get('host', '?')} 上的进程 {info.get('pid', '?')}，"
                f"开始于 {info.get('started', '?')}）。请等它结束后再运行。"
            ) from None
        with contextlib.suppress(
            OSError
        ):  # who holds it is only for the message: a full disk is no reason to stop
            self.holder.write_text(
                json.dumps(
                    {"pid": os.getpid(), "host": socket.gethostname(), "started": now()},
                    ensure_ascii=False,
                ),
                encoding="utf-8",
            )
        return self

    def _holder(self) -> dict[str, Any]:
        try:
            return json.loads(self.holder.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError):
            self.holder.unlink(missing_ok=True)
        # the lock file itself stays: removing it would let two later runs lock two different files
        self._lock.release()
