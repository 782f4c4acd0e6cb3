"""One error family and the exit codes, in one place.

Every failure tongji foresees is a `TongjiError`: a stable `code`, a Chinese `message`
saying what is wrong, a `hint` saying what to do, and the process `exit_code` it ends
with when it reaches the command line. What goes wrong in one workbook is not an error
of the run: it becomes a finding (`findings.Issue`) and the batch goes on.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # no problem
    DATA = 1  # some input had errors (or warnings, when strict)
    USAGE = 2  # a bad command line or a bad config
    FAILURE = 3  # the run could not be completed (the log has the details)
    INTERRUPTED = 130  # stopped with Ctrl+C


class TongjiError(Exception):
    """A failure tongji foresees and explains."""

    code = "error"
    exit_code = ExitCode.FAILURE

    def __init__(self, message: str, hint: str = "", code: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message

    def describe(self) -> str:
        """The message with its hint, as the command line prints it."""
        return f"{self}（{self.hint}）" if self.hint else str(self)

    def __reduce__(self):
        # pickled whole (a worker process sends it to the parent), whatever __init__ takes
        return (_rebuild, (type(self), self.args, self.__dict__))


def _rebuild(cls: type, args: tuple, state: dict) -> TongjiError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


@dataclass(frozen=True)
class ConfigProblem:
    """One mistake in a config file: the file, the dotted key, what is wrong."""

    file: str
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}" + (f" 键 {self.key}" if self.key else "")
        return f"{where}：{self.message}"


class ConfigError(TongjiError):
    """One or more mistakes in the configs (mappings, definitions, report spec, job file),
    all of them reported at once. `subject` names the kind of config for the message."""

    code = "config"
    exit_code = ExitCode.USAGE

    def __init__(self, problems: list[ConfigProblem], subject: str = "配置"):
        self.problems = problems
        self.subject = subject
        super().__init__("\n".join(str(p) for p in problems))

    def describe(self) -> str:
        lines = "\n".join(f"  - {p}" for p in self.problems)
        return f"{self.subject}有 {len(self.problems)} 处错误：\n{lines}"


class FormulaError(TongjiError):
    """An indicator formula that is not written in the formula language."""

    code = "formula"
    exit_code = ExitCode.USAGE


class LocateError(TongjiError):
    """A row or column that a mapping names is missing or ambiguous in a sheet. Caught by
    the layout that asked, and reported as a finding of that file."""

    code = "not_found"
    exit_code = ExitCode.DATA


class UsageError(TongjiError):
    """A command line that cannot be carried out (a path that does not exist …)."""

    code = "usage"
    exit_code = ExitCode.USAGE


class RosterError(TongjiError):
    """A school roster that cannot be used."""

    code = "roster"
    exit_code = ExitCode.USAGE

    def __init__(self, file: str, message: str, hint: str = ""):
        super().__init__(message, hint)
        self.file = file

    def __str__(self) -> str:
        return f"{self.file}：{self.message}"

    def describe(self) -> str:
        return f"学校名录有误：{super().describe()}"


class EmptyRoster(RosterError):
    """A roster with its header and no school yet (as `tongji init` writes it)."""


class WorkbookError(TongjiError):
    """A workbook that cannot be read or used. In a batch it is a finding of that file."""

    code = "workbook"
    exit_code = ExitCode.DATA
    file = ""  # the workbook, when known

    def describe(self) -> str:
        return f"{self.file}：{super().describe()}" if self.file else super().describe()


class AggregateError(TongjiError):
    """Extraction outputs that cannot be aggregated as asked (a folder that is not one …)."""

    code = "aggregate"
    exit_code = ExitCode.USAGE


class LockError(TongjiError):
    """Another run holds the output folder."""

    code = "locked"


class OutputBusyError(TongjiError):
    """An output file is open in another program (Excel locks the files it has open)."""

    code = "output_busy"


_OS_ERRORS = {
    errno.ENOSPC: ("磁盘空间不足", "请清理磁盘（或换一个输出目录）后重新运行"),
    errno.EDQUOT: ("磁盘配额已用完", "请清理磁盘（或换一个输出目录）后重新运行"),
    errno.EACCES: ("没有权限", "请检查该文件或文件夹的权限，或换一个输出目录"),
    errno.EPERM: ("不允许这样操作", "请检查该文件或文件夹的权限，或换一个输出目录"),
    errno.ENOENT: ("文件或文件夹不存在", "请检查路径"),
    errno.EROFS: ("磁盘是只读的", "请换一个可以写入的输出目录"),
    errno.EIO: ("磁盘读写出错", "请检查磁盘或网络盘是否正常"),
}


def describe_os_error(exc: OSError) -> str:
    """An operating system's error, said in Chinese with the file and what to do."""
    where = f"：{exc.filename}" if exc.filename else ""
    if (exc.errno or 0) in _OS_ERRORS:
        what, todo = _OS_ERRORS[exc.errno]  # type: ignore[index]
        return f"{what}{where}。{todo}"
    return f"读写文件时出错{where}（系统提示：{exc.strerror or exc}）。请检查磁盘和文件后重新运行"


def describe_error(exc: BaseException) -> str:
    """Any failure, in the words a user should see."""
    if isinstance(exc, TongjiError):
        return exc.describe()
    if isinstance(exc, OSError):
        return describe_os_error(exc)
    if isinstance(exc, KeyboardInterrupt):
        return "已中断（Ctrl+C）"
    return f"{type(exc).__name__}: {exc}"
