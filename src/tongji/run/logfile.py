"""A run's own log file (logs/run_*.log): every detail, tracebacks too, for whoever looks.

A sink of its own rather than loguru's file sink: when the disk fills, loguru reports each
failed write on stderr ("--- Logging error in Loguru Handler …", "Record was: {…}" and a
traceback), so that a full disk floods the statistician's console. Here a write that fails
ends the log quietly; the run goes on and fails, if it must, with one line of its own.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import IO


class RunLog:
    """Append-only UTF-8 text, flushed after every message (workers forked from the run
    append to the same file). After the first failed write (a full disk, a lost share) it
    writes nothing more and says nothing."""

    def __init__(self, path: Path):
        self.path = path
        self.failed: OSError | None = None
        self._file: IO[str] | None = open(  # noqa: SIM115 (open until the run ends)
            path, "a", encoding="utf-8", errors="backslashreplace"
        )

    def write(self, message: str) -> None:
        if self._file is None:
            return
        try:
            self._file.write(message)
            self._file.flush()
        except OSError as exc:
            self.failed = exc
            self._close()

    def stop(self) -> None:
        self._close()

    def _close(self) -> None:
        file, self._file = self._file, None
        if file is not None:
            with contextlib.suppress(OSError):
                file.close()
