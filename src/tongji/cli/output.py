"""What the commands print: logs on stderr (coloured on a terminal, `NO_COLOR` honoured),
results on stdout (a summary for people, `--json` for scripts), a progress bar while files
are read on a terminal."""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import sys
from collections.abc import Iterator
from typing import Any

import click
from loguru import logger

from ..progress import Progress


def colour(stream=None) -> bool:
    """Whether to colour what goes to `stream`: a terminal, unless NO_COLOR is set."""
    stream = stream or sys.stdout
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def console_safe() -> None:
    """stdout and stderr write what their encoding cannot hold as `?` (a redirected console
    on Chinese Windows is GBK; a file name may hold 📊) instead of failing mid-summary."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(errors="replace")


def _console_format(record) -> str:
    """One line per message on the console: a traceback (a worker's MemoryError, an
    internal error) is for the log file, never the screen."""
    return "<level>{message}</level>\n"


def setup_logging(verbose: bool = False, log_file: str | None = None, quiet: bool = False) -> None:
    """Logs to stderr: progress and notes (INFO), or only problems (`-q`), or every detail
    (`-v`), one line each, without tracebacks; a log file, when asked for, gets every
    detail."""
    console_safe()
    logger.remove()
    logger.enable("tongji")
    level = "DEBUG" if verbose else ("WARNING" if quiet else "INFO")
    logger.add(
        sys.stderr,
        level=level,
        format=_console_format,
        colorize=colour(sys.stderr),
        backtrace=False,
        diagnose=False,
        filter=lambda r: not r["extra"].get("log_only"),
    )
    if log_file:
        logger.add(
            log_file, level="DEBUG", encoding="utf-8", rotation="10 MB", retention=10, enqueue=False
        )


_STYLES = {
    "    错误": {"fg": "red"},
    "    警告": {"fg": "yellow"},
    "  错误 ": {"fg": "red", "bold": True},
    "  警告 ": {"fg": "yellow", "bold": True},
}


def echo_summary(text: str, quiet: bool = False) -> None:
    """A run's summary on stdout, its error and warning lines coloured on a terminal;
    with `-q` only its first line (how the run ended, with how many errors and warnings)."""
    lines = text.splitlines()[:1] if quiet else text.splitlines()
    use = colour()
    with reader_may_leave():
        for i, line in enumerate(lines):
            style = next((s for prefix, s in _STYLES.items() if line.startswith(prefix)), {})
            if i == 0:
                style = {"bold": True, "fg": "green" if "没有错误" in line else "yellow"}
            click.secho(line, color=use, **(style if use else {}))


def echo_json(data: Any) -> None:
    """`--json`: the result as JSON on stdout, UTF-8 whatever the console's code page (a
    script reads it: a GBK console's `?` would change the data), Chinese as it is."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
    with reader_may_leave():
        binary = click.get_binary_stream("stdout")
        if getattr(sys.stdout, "buffer", None) is not None:  # a real stream: bytes, UTF-8
            sys.stdout.flush()
            binary.write(text.encode("utf-8"))
            binary.flush()
        else:  # (a test's captured stream)
            click.echo(text, nl=False)


@contextlib.contextmanager
def reader_may_leave() -> Iterator[None]:
    """stdout's reader gone (`tongji run … | head -1`): the rest is not printed, as Unix
    tools do, and the command ends as it would have; stdout then goes to the null device,
    so that nothing fails again when Python flushes it at exit."""
    try:
        yield
    except OSError as exc:
        # a closed pipe: EPIPE on Unix; on Windows often EINVAL (or a bare OSError 22)
        if not (isinstance(exc, BrokenPipeError) or exc.errno in (errno.EPIPE, errno.EINVAL)):
            raise
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)


class Bar(Progress):
    """A progress bar on the terminal while files are read."""

    def __init__(self, label: str = "提取"):
        self.label = label

    def start(self, total: int) -> None:
        self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
        self.bar.__enter__()

    def advance(self, result) -> None:
        self.bar.update(1)

    def finish(self) -> None:
        self.bar.__exit__(None, None, None)


def bar_for(quiet: bool) -> type[Bar] | None:
    """A bar when someone watches (stderr a terminal, not `-q`); None otherwise."""
    return Bar if not quiet and sys.stderr.isatty() else None
