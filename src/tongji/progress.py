"""Told how many files a batch has and each file's result as it is done: a progress bar on
a terminal, a log line now and then in a scheduled run. Its own module, free of the
pipelines, so that a command that shows one imports nothing it does not use."""

from __future__ import annotations

from typing import Any


class Progress:
    """Told how many files a batch has and each file's result as it is done. This one says
    nothing."""

    def start(self, total: int) -> None:
        pass

    def advance(self, result: Any) -> None:
        pass

    def finish(self) -> None:
        pass
