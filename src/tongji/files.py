"""Writing a file whole or not at all, and refusing to replace one another program holds
open: what every output of tongji (extractions, workbooks, letters, the job folder) is
written with."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path; on success it replaces `path`, on failure it is removed."""
    path = Path(path)
    ensure_replaceable([path])
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it 0600: colleagues could not open it
    try:
        yield Path(tmp)
        try:
            os.replace(tmp, path)
        except (
            PermissionError
        ) as exc:  # Windows: `path` is open in Excel or WPS; name it, not the temp file
            raise PermissionError(exc.errno, exc.strerror, str(path)) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _in_use(path: Path) -> bool:
    try:
        with open(path, "r+b"):
            return False
    except FileNotFoundError:
        return False
    except OSError:
        return True


def ensure_replaceable(paths: list[Path]) -> None:
    """Stop before anything changes when an output to be replaced is open elsewhere (on
    Windows, Excel and WPS hold a lock on a workbook they show)."""
    from .errors import OutputBusyError

    busy = [p for p in paths if p.is_file() and _in_use(p)]
    if busy:
        raise OutputBusyError(
            "这些输出文件正被其他程序打开（如 Excel、WPS），无法替换："
            + "、".join(str(p) for p in busy)
            + "。请关闭它们后重新运行；上次的输出未被改动。"
        )


def write_text(text: str, path: str | Path, encoding: str = "utf-8") -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding=encoding, newline="")
