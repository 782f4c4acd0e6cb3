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

import sys
from collections.abc import Callable
from typing import NoReturn

import click
from loguru import logger

from .. import __version__
from ..errors import ExitCode, TongjiError, describe_os_error
from . import zh
from .help import Group
from .output import setup_logging

zh.install()  # click's own messages (No such command, Missing option, [required]) in Chinese

_UNEXPECTED = "意外错误：{}。请把命令和日志文件发给维护者。"

__all__ = ["guarded", "main", "setup_logging"]


def _fail(message: str, code: int) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(code)


def guarded(
    work: Callable[[], int], unexpected: str = _UNEXPECTED, unchanged: str = ""
) -> NoReturn:
    """Run a command's work and exit with its code. A foreseen failure ends with its
    message and exit code; a failure of the disk or the system ends with what it means and
    what to do; what was not foreseen ends with a message and exit 3, never a traceback (the
    log file, when asked for, has it). Ctrl+C ends with 130. `unchanged` is said after a
    failure when the outputs were left as they were."""
    try:
        code = work()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        _fail("已中断（Ctrl+C）。" + unchanged, ExitCode.INTERRUPTED)
    except TongjiError as exc:
        _fail(exc.describe(), exc.exit_code)
    except PermissionError as exc:
        target = exc.filename or "输出文件"
        _fail(
            f"无法写入 {target}：文件可能正被其他程序（如 Excel）打开，或没有写入权限。请关闭它后重试。"
            + unchanged,
            ExitCode.FAILURE,
        )
    except OSError as exc:
        logger.opt(exception=True).debug("failure")
        _fail(describe_os_error(exc) + "。" + unchanged, ExitCode.FAILURE)
    except Exception as exc:
        logger.opt(exception=True).debug("failure")
        _fail(unexpected.format(f"{type(exc).__name__}: {exc}"), ExitCode.FAILURE)
    sys.exit(code)


class _Main(Group):
    """The `tongji` group, run as click runs a program, except that Ctrl+C while the
    command line is being read ends as any Ctrl+C does: in Chinese, with 130."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
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
