"""The command line: a thin layer over the library functions.

Each command parses its options, calls one library function and turns what comes back
into an exit code (`errors.ExitCode`): 0 clean; 1 some input had errors (with --strict,
warnings too); 2 bad usage or a bad config; 3 the run could not be completed; 130
interrupted. Every foreseen failure is a `TongjiError` that says what to do; `guarded`
prints it and exits with its code, in one place for every command. The commands live in
`data` (extract, aggregate, run), `authoring` (mappings, fields, inspect, template) and
`start` (init); everything they print, in Chinese, goes through `output`.
"""

from __future__ import annotations

import errno
import sys
from collections.abc import Callable
from typing import NoReturn

import click
from loguru import logger

from .. import __version__
from ..errors import ExitCode, TongjiError, describe_os_error
from . import zh
from .help import Group
from .output import console_safe, setup_logging

zh.install()  # click's own messages (No such command, Missing option, [required]) in Chinese

_UNEXPECTED = "意外错误：{}。请把命令和日志文件发给维护者。"

__all__ = ["guarded", "main", "setup_logging"]


def _fail(message: str, code: int) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(code)


def guarded(
    work: Callable[[], int],
    unexpected: str = _UNEXPECTED,
    unchanged: str | Callable[[BaseException], str] = "",
) -> NoReturn:
    """Run a command's work and exit with its code. A foreseen failure ends with its
    message and exit code; a failure of the disk or the system ends with what it means and
    what to do (a full disk too when a library wraps it in an error of its own); what was
    not foreseen ends with one line and exit 3, never a traceback (the log file, when asked
    for, has it). Ctrl+C ends with 130. `unchanged` is said after a failure about the
    outputs: a text, or what the failure tells (a run that failed after its commit did
    change them)."""
    try:
        code = work()
    except SystemExit:
        raise
    except BaseException as exc:
        after = unchanged(exc) if callable(unchanged) else unchanged
        _failed(exc, unexpected, after)
    sys.exit(code)


def _failed(exc: BaseException, unexpected: str, after: str) -> NoReturn:
    if isinstance(exc, KeyboardInterrupt):
        _fail("已中断（Ctrl+C）。" + after, ExitCode.INTERRUPTED)
    if isinstance(exc, TongjiError):
        _fail(exc.describe(), exc.exit_code)
    if not isinstance(exc, Exception):
        raise exc
    logger.bind(log_only=True).opt(exception=exc).debug("命令失败")  # for a log file, if any
    cause = os_cause(exc)
    if isinstance(cause, PermissionError):
        target = cause.filename or "输出文件"
        _fail(
            f"无法写入 {target}：文件可能正被其他程序（如 Excel）打开，或没有写入权限。请关闭它后重试。"
            + after,
            ExitCode.FAILURE,
        )
    if cause is not None:
        _fail(describe_os_error(cause) + "。" + after, ExitCode.FAILURE)
    first = (str(exc).strip().splitlines() or [""])[0]  # one line: sqlite adds "query was: …"
    _fail(unexpected.format(f"{type(exc).__name__}: {first}", after), ExitCode.FAILURE)


# How libraries say that the disk is full when they wrap the system's error in their own
# (polars: "os error 28"; sqlite: "database or disk is full"; xlsxwriter: FileCreateError).
_DISK_FULL = (
    "no space left on device",
    "os error 28",
    "errno 28",
    "database or disk is full",
    "disk quota exceeded",
)


def os_cause(exc: BaseException) -> OSError | None:
    """The operating system's error behind a failure: the failure itself, one it wraps (as
    an argument) or was raised from, or — when a library kept only its text — a full disk it names."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        for candidate in (current, *current.args):
            if isinstance(candidate, OSError) and candidate.errno is not None:
                return candidate
        if any(words in str(current).lower() for words in _DISK_FULL):
            return OSError(
                errno.ENOSPC, "No space left on device", getattr(current, "filename", None)
            )
        if isinstance(current, OSError) and not isinstance(current, BrokenPipeError):
            return current
        current = current.__cause__  # raised from it; not whatever was being handled
    return None


class _Main(Group):
    """The `tongji` group, run as click runs a program, except that Ctrl+C while the
    command line is being read ends as any Ctrl+C does: in Chinese, with 130."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        console_safe()  # a GBK console: `?` for what it cannot show, never a failure
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Abort:
            _fail("已中断（Ctrl+C）。", ExitCode.INTERRUPTED)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        sys.exit(0)


@click.group(cls=_Main)
@click.version_option(
    __version__, "-V", "--version", message="tongji %(version)s", help="显示版本号后退出。"
)
def main() -> None:
    """tongji（统计）：从各校的教育统计报表中提取数字，汇总成质量年报的数据表。"""


from . import authoring, data, start  # noqa: E402,F401  (the commands register themselves on `main`)

if __name__ == "__main__":  # pragma: no cover
    main()
