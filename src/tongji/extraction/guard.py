"""Guarding the batch against one file: what makes a workbook suspicious before it is parsed,
and reading a suspicious one in a process of its own that can die alone.

The parser allocates a sheet's whole bounding box: one stray cell at XFD1048576 asks for
hundreds of GiB and aborts the process; a zip bomb expands half a megabyte into gigabytes.
So before parsing, the declared sizes are looked at (the zip directory, a sheet's
`<dimension>`, a legacy sheet's DIMENSIONS record), and a workbook that declares more than
a return could hold is parsed in a child process with a memory limit and a time limit. If
the child dies, the file becomes a finding; the batch goes on.
"""

from __future__ import annotations

import contextlib
import faulthandler
import html
import io
import multiprocessing
import os
import re
import signal
import struct
import sys
import threading
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

MAX_CELLS = 2_000_000  # per sheet (a school's return has thousands)
MAX_UNCOMPRESSED = 200 * 1024 * 1024  # all parts of a workbook, unzipped
MAX_RATIO = 100  # unzipped : zipped, for a part larger than a few MB
CHILD_MEMORY = (
    160 * 1024 * 1024
)  # what an isolated read may allocate beyond the process it starts as
CHILD_SECONDS = 120

_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_XLS_DIMENSIONS = re.compile(rb"\x00\x02\x0e\x00(.{14})", re.S)


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


class Refused(Exception):
    """A workbook not to be parsed at all: too big to be a return (`too_large`), or built
    to attack its reader (`corrupt`)."""

    def __init__(self, message: str, code: str = "too_large"):
        super().__init__(message)
        self.code = code


def suspicion(
    data: bytes,
    fmt: str,
    unused: Callable[[str], str | None] | None = None,
    parts: dict[str, bytes] | None = None,
) -> str | None:
    """Why this workbook should not be parsed in the batch's own process, or None. Raises
    Refused for one that should not be parsed anywhere (unzipped, it would fill the memory).
    The extent of a sheet that `unused` gives a reason for is not looked at: it is not parsed.
    `parts` receives the worksheet parts unzipped on the way (not unzipped again later)."""
    if fmt in ("xlsx", "xlsm", "xlsb", "ods"):
        return _zip_suspicion(data, unused, parts)
    if fmt == "xls":
        return _xls_suspicion(data)
    return None


_SHEET_ENTRY = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTRIBUTE = re.compile(rb"\b([\w:]+)=\"([^\"]*)\"")


def _unused_parts(z: zipfile.ZipFile, unused: Callable[[str], str | None] | None) -> set[str]:
    """The worksheet parts (`xl/worksheets/sheet3.xml`) of sheets that will not be parsed,
    from workbook.xml and its relationships; nothing when either cannot be read."""
    if unused is None:
        return set()
    try:
        book = z.read("xl/workbook.xml")
        rels = z.read("xl/_rels/workbook.xml.rels")
    except (KeyError, OSError, zipfile.BadZipFile):
        return set()
    targets = {}
    for tag in re.findall(rb"<(?:\w+:)?Relationship\b[^>]*>", rels):
        attrs = dict(_ATTRIBUTE.findall(tag))
        target = attrs.get(b"Target", b"").decode("utf-8", "replace").lstrip("/")
        targets[attrs.get(b"Id")] = target if target.startswith("xl/") else "xl/" + target
    parts = set()
    for tag in _SHEET_ENTRY.findall(book):
        attrs = dict(_ATTRIBUTE.findall(tag))
        rid = next((v for k, v in attrs.items() if k.endswith(b":id")), None)
        name = html.unescape(attrs.get(b"name", b"").decode("utf-8", "replace"))
        if rid in targets and unused(name) is not None:
            parts.add(targets[rid])
    return parts


def _zip_suspicion(
    data: bytes,
    unused: Callable[[str], str | None] | None = None,
    parts: dict[str, bytes] | None = None,
) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            skipped = _unused_parts(z, unused)
            infos = z.infolist()
            total = sum(i.file_size for i in infos)
            if total > MAX_UNCOMPRESSED:
                raise Refused(f"解压后有 {total / 2**20:.0f} MB，远超一份报表应有的大小")
            for i in infos:
                if i.file_size > 5 * 2**20 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                    raise Refused(
                        f"其中的 {i.filename} 压缩比异常（{i.compress_size} 字节解压为 {i.file_size / 2**20:.0f} MB），像是压缩炸弹"
                    )
            packed = sum(i.compress_size for i in infos)
            if total > 20 * 2**20 and total > MAX_RATIO * max(packed, 1):
                raise Refused(
                    f"压缩比异常（{packed} 字节解压为 {total / 2**20:.0f} MB），像是压缩炸弹"
                )
            for i in infos:
                if not i.filename.endswith((".xml", ".rels")):
                    continue
                sheet = i.filename.startswith("xl/worksheets/") and i.filename not in skipped
                kept = sheet or (parts is not None and i.filename in _BOOK_PARTS)
                whole = z.read(i) if kept and i.file_size <= _READ_WHOLE else None
                if whole is not None:
                    head = whole[:4096]
                    if parts is not None:
                        parts[i.filename] = whole
                elif sheet and parts is not None:
                    parts[INCOMPLETE] = b""  # a sheet too large to keep: not all are here
                else:
                    with z.open(i) as f:
                        head = f.read(4096)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    # Office Open XML forbids DTDs (ECMA-376 Part 2, Open Packaging Conventions):
                    # no Excel writes one; entity declarations are how XML bombs are built.
                    raise Refused(
                        f"其中的 {i.filename} 含有 DTD 或实体声明（Excel 从不写入，常见于恶意构造的文件）",
                        "corrupt",
                    )
                reason = None
                if sheet:
                    reason = _declared(head) or _sheet_extent(z, i, whole)
                elif i.filename == "content.xml":
                    reason = _ods_extent(z, i)
                if reason:
                    return reason
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return None  # not this check's to say: the parser reports a broken file
    return None


def _too_many(rows: int, cols: int, what: str) -> str | None:
    if rows * cols <= MAX_CELLS:
        return None
    return f"{what} {rows:,} 行 × {cols:,} 列（约 {rows * cols:,} 格），远超一份报表应有的大小"


def _declared(head: bytes) -> str | None:
    """A sheet's `<dimension>`: the range it says it uses."""
    m = _DIMENSION.search(head)
    if not m:
        return None
    last_col, last_row = (m.group(3), m.group(4)) if m.group(3) else (m.group(1), m.group(2))
    return _too_many(
        int(last_row),
        _column(last_col),
        f"工作表声明的范围（{m.group(0)[16:-1].decode('ascii', 'replace')}）有",
    )


def _chunks(z: zipfile.ZipFile, info: zipfile.ZipInfo, size: int = 1 << 20) -> Iterator[bytes]:
    """A part's bytes in pieces that overlap a little (a tag cut in two is whole in one)."""
    tail = b""
    with z.open(info) as f:
        while piece := f.read(size):
            yield tail + piece
            tail = piece[-128:]


_ROW_NUMBER = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"(\d{1,9})\"")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")
# a cell reference of column AAA (703) and beyond; only cells' `r` attributes hold letters and
# digits, so the attribute alone is enough (and much cheaper to find than the <c> tag around it)
_FAR_COLUMN = re.compile(rb"\br=\"([A-Z]{3,})\d")
_ANY_COLUMN = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]{1,3})\d")


# The quick look: a row number of four digits or more, or a column of three letters or more,
# in an attribute `r` (only rows and cells have one; an attribute that merely ends in r only
# sends the sheet to the close look). Led by a literal, so much faster to find.
_LONG_REFERENCE = re.compile(rb"r=[\"'](?:\d{4}|[A-Z]{3})")
_QUICK_ROWS = MAX_CELLS // 702  # rows × 702 columns (ZZ) within the limit


def _clearly_small(data: bytes) -> bool:
    """A sheet part whose rows and columns are certainly within the limit: no row number
    past 999, no column past ZZ, and fewer row tags than _QUICK_ROWS. (A sheet that is not
    is looked at closely by `_sheet_extent`.)"""
    tags = data.count(b"<row") + data.count(b":row")  # at least as many as row tags
    return tags <= _QUICK_ROWS and _LONG_REFERENCE.search(data) is None


_READ_WHOLE = 8 * 2**20  # a sheet part up to this size is read in one piece
from .sheetfacts import INCOMPLETE  # noqa: E402  (marks a worksheet part not kept)

# parts kept for the sheet facts (sheetfacts.py) besides the sheets: which sheet is which
_BOOK_PARTS = frozenset({"xl/workbook.xml", "xl/_rels/workbook.xml.rels"})


def _sheet_extent(
    z: zipfile.ZipFile, info: zipfile.ZipInfo, whole: bytes | None = None
) -> str | None:
    """The rows and columns a sheet's cells really use (the parser allocates their bounding
    box), whatever its `<dimension>` says: the highest row number, or the count of rows where
    they carry none, and the farthest column. `whole`: the part's bytes, when already read."""
    if whole is not None and _clearly_small(whole):
        return None
    last_row = tags = 0
    far = 0
    for chunk in _chunks(z, info):
        last_row = max([last_row, *map(int, _ROW_NUMBER.findall(chunk))])
        tags += len(_ROW_TAG.findall(chunk))
        far = max([far, *map(_column, _FAR_COLUMN.findall(chunk))])
    rows = max(last_row, tags)
    if _too_many(rows, far or 702, "") is None:  # 702 (ZZ): a bound when no column is that far
        return None
    if not far:
        far = max(
            (_column(c) for chunk in _chunks(z, info) for c in _ANY_COLUMN.findall(chunk)),
            default=1,
        )
    return _too_many(rows, far, "工作表中的单元格用到")


_REPEATED = re.compile(rb"number-(rows|columns)-repeated=\"(\d{1,9})\"")


def _ods_extent(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> str | None:
    """An OpenDocument sheet repeats a row or a cell by a count: a small file can ask for
    billions of cells. The largest counts, multiplied, bound what the parser may allocate."""
    most = {b"rows": 1, b"columns": 1}
    for chunk in _chunks(z, info):
        for what, count in _REPEATED.findall(chunk):
            most[what] = max(most[what], int(count))
    return _too_many(most[b"rows"], most[b"columns"], "表格中重复的行和列多达")


# BIFF8 records of a fixed length that hold a cell, row and column first: NUMBER, RK,
# LABELSST, BLANK, BOOLERR; and ROW (its row, then its first column). Their type and length
# together are four bytes that rarely occur by chance.
_XLS_CELL = re.compile(
    rb"(?:\x03\x02\x0e\x00|\x7e\x02\x0a\x00|\xfd\x00\x0a\x00|\x01\x02\x06\x00|\x05\x02\x08\x00|\x08\x02\x10\x00)(..)(..)",
    re.S,
)


def _xls_suspicion(data: bytes) -> str | None:
    """A legacy workbook's DIMENSIONS records (the rows and columns a sheet says it uses), and
    the rows and columns its cell records name (what the parser will allocate). Bytes that
    only look like a record can make a good file suspicious, never a bad one pass."""
    for m in _XLS_DIMENSIONS.finditer(data):
        first_row, last_row, first_col, last_col, reserved = struct.unpack("<IIHHH", m.group(1))
        if reserved or not first_row <= last_row <= 65536 or not first_col <= last_col <= 256:
            continue  # not a DIMENSIONS record: bytes that look like one
        if last_row * last_col > MAX_CELLS:
            return _too_many(last_row, last_col, "工作表声明用到")
    rows = cols = 0
    for m in _XLS_CELL.finditer(data):
        row, col = struct.unpack("<H", m.group(1))[0], struct.unpack("<H", m.group(2))[0]
        rows, cols = max(rows, row + 1), max(cols, col + 1)
    return _too_many(rows, cols, "工作表中的单元格用到")


# ---------------------------------------------------------------- the isolated read


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """Ctrl+C held back in this thread while child processes are forked (and threads
    started): they are born with SIGINT blocked, so none dies of it before it can ignore it
    (`child_ignores_interrupts`) and only the main thread receives it; a Ctrl+C meanwhile
    arrives right after. A terminal sends Ctrl+C to every process of the group: the parent
    alone handles it, in Chinese, and stops the children."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: the child ignores it as it starts
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


@contextlib.contextmanager
def interrupts_deferred(handler: Callable[[int, Any], None]) -> Iterator[None]:
    """Ctrl+C calls `handler` instead of interrupting the block (which must then end soon:
    the handler's business is to make it end). A Ctrl+C that came just before is handled
    so too. Outside the main thread, where Python cannot set a signal handler, and where
    Ctrl+C is ignored, the block runs as it is."""
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    ):
        yield
        return
    while True:
        try:
            # (a signal that arrived before is acted upon here, by the handler it replaces)
            previous = signal.signal(signal.SIGINT, handler)
            break
        except KeyboardInterrupt:
            handler(signal.SIGINT, None)
    try:
        yield
    finally:
        # (None: a handler not set from Python; Python's own is the one to put back)
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None else previous)


def child_ignores_interrupts() -> None:
    """In a child process: Ctrl+C is the parent's to handle."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _child(conn: Any, fn: Callable[..., Any], args: tuple) -> None:
    child_ignores_interrupts()
    _quiet()
    try:
        _limit_memory()
        conn.send(("ok", fn(*args)))
    except MemoryError:
        conn.send(("memory", None))
    except BaseException as exc:  # what the parse raised goes back to the parent as it was
        try:
            conn.send(("raised", exc))
        except Exception:
            conn.send(("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def _quiet() -> None:
    """A parser that runs out of memory prints its own backtrace: not on the user's terminal
    (nor does the fault handler a parent enabled — PYTHONFAULTHANDLER, a test runner — dump
    one for a child whose end the parent reports as a finding)."""
    faulthandler.disable()
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:
        pass


@contextlib.contextmanager
def stderr_silenced() -> Iterator[None]:
    """File descriptor 2 pointed at the null device meanwhile: a panic of the Rust parser
    prints its message (`panicked at …`) there before it becomes an exception, which the
    caller turns into a finding; the user's terminal is no place for it. Where fd 2 cannot be
    duplicated (no console), nothing changes."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
        finally:
            os.close(devnull)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def quietly(fn: Callable[..., Any], *args: Any) -> Any:
    """`fn(*args)` with stderr silenced (`stderr_silenced`): for the parser, whose panics
    print before they become the exception that the caller turns into a finding."""
    with stderr_silenced():
        return fn(*args)


def _limit_memory() -> None:
    """On Linux, let this process allocate CHILD_MEMORY more than it has (RLIMIT_DATA counts
    the heap and anonymous mappings): a huge allocation then fails here, not in the batch."""
    if not sys.platform.startswith("linux"):
        return
    import resource

    try:
        status = open("/proc/self/status", encoding="ascii").read()
        data = int(re.search(r"VmData:\s+(\d+) kB", status).group(1)) * 1024  # type: ignore[union-attr]
    except (OSError, AttributeError, ValueError):
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    limit = data + CHILD_MEMORY
    if hard == resource.RLIM_INFINITY or hard > limit:
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


class IsolatedFailure(Exception):
    """The child process that read a file died, ran out of memory or out of time."""


def run_isolated(fn: Callable[..., Any], *args: Any, seconds: float = CHILD_SECONDS) -> Any:
    """`fn(*args)` in a child process with a memory and a time limit. Returns its result or
    raises what it raised; raises IsolatedFailure when the child dies or is too slow."""
    context = multiprocessing.get_context("fork" if os.name != "nt" else "spawn")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(child, fn, args))
    with interrupts_held():
        process.start()
    child.close()
    try:
        if not parent.poll(seconds):
            raise IsolatedFailure(f"读取超过 {seconds:.0f} 秒仍未完成")
        status, payload = parent.recv()
    except EOFError as exc:
        process.join(5)
        raise IsolatedFailure("读取时所需内存超出上限（读取进程已退出）") from exc
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        parent.close()
    if status == "ok":
        return payload
    if status == "raised":
        raise payload
    if status == "memory":
        raise IsolatedFailure("读取时所需内存超出上限")
    raise IsolatedFailure(str(payload))
