"""What the commands print: logs on stderr (coloured on a terminal, `NO_COLOR` honoured),
results on stdout (a summary for people, `--json` for scripts), a progress bar while files
are read on a terminal."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import click
from loguru import logger

from ..extraction import Progress


def colour(stream=None) -> bool:
    """Whether to colour what goes to `stream`: a terminal, unless NO_COLOR is set."""
    stream = stream or sys.stdout
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def setup_logging(verbose: bool = False, log_file: str | None = None, quiet: bool = False) -> None:
    """Logs to stderr: progress and notes (INFO), or only problems (`-q`), or every detail
    (`-v`); a log file, when asked for, gets every detail."""
    logger.remove()
    logger.enable("tongji")
    level = "DEBUG" if verbose else ("WARNING" if quiet else "INFO")
    logger.add(
        sys.stderr,
        level=level,
        format="<level>{message}</level>",
        colorize=colour(sys.stderr),
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
    for i, line in enumerate(lines):
        style = next((s for prefix, s in _STYLES.items() if line.startswith(prefix)), {})
        if i == 0:
            style = {"bold": True, "fg": "green" if "没有错误" in line else "yellow"}
        click.secho(line, color=use, **(style if use else {}))


def echo_json(data: Any) -> None:
    """`--json`: the result as JSON on stdout (UTF-8, Chinese as it is)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


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
