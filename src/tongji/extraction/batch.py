"""Many files: which files the inputs name, extracting them (in a process pool with
`jobs > 1`), and putting their figures together. One broken file is a finding of that
file, never the end of the batch."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from loguru import logger

from ..errors import UsageError
from ..findings import issue
from ..progress import Progress
from .clean import printable
from .merge import (  # noqa: F401  (copies_among, copy_result: re-exported, as before)
    copies_among,
    copy_result,
    merge_results,
    without_copies,
)
from .pool import Item, Keep, Workers, read_here, worker_count
from .read import WORKBOOK_SUFFIXES
from .records import ExtractResult, FileResult
from .roster import Roster
from .workbook import Extractor

if TYPE_CHECKING:
    from ..config.mapping import Pack

_LOCK_PREFIXES = ("~$", ".~")  # Excel and WPS lock files of an open workbook
_SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})


@dataclass(frozen=True)
class Skipped:
    """A file in an input folder that is not read, and why. Excel's and WPS's lock files
    (`~$…`) are left out altogether: they are never returns."""

    path: Path
    reason: str
    finding: bool  # a return in a format tongji does not read (not a system file): a warning


@dataclass
class Inputs:
    files: list[Path] = field(default_factory=list)  # to read, in path order
    skipped: list[Skipped] = field(default_factory=list)


_ARCHIVES = (".zip", ".rar", ".7z", ".tar", ".gz")
_NOT_REGULAR = "不是普通文件（如管道或设备）"


def is_workbook_name(path: Path) -> bool:
    return path.suffix.lower() in WORKBOOK_SUFFIXES and not path.name.startswith(
        (*_LOCK_PREFIXES, ".")
    )


def _why_not_read(path: Path) -> Skipped | None:
    """None for a file to read; else why it is left alone."""
    name = path.name
    if name.startswith(".") or name.lower() in _SYSTEM_FILES:
        return Skipped(path, "系统文件或隐藏文件", False)
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        return Skipped(path, f"不是工作簿（扩展名为 {path.suffix or '无'}）", True)
    return None


def _walk(folder: str, found: Inputs) -> None:
    """Every file under a folder, in path order; directory entries say what is a file
    without another system call per file (a province has thousands). Linked folders are not
    followed (a link can loop); a link that leads nowhere or loops is listed, not read."""
    out: list[tuple[str, ...]] = []
    stack = [folder]
    while stack:
        current = stack.pop()
        with os.scandir(current) as entries:
            for e in entries:
                try:
                    if e.is_dir(follow_symlinks=False):
                        stack.append(e.path)
                    elif e.is_file():
                        out.append(Path(e.path).parts)
                    elif e.is_symlink():
                        why = (
                            "指向文件夹的链接（不跟随，免得循环）"
                            if os.path.isdir(e.path)
                            else "链接指向的文件不存在"
                        )
                        found.skipped.append(Skipped(Path(e.path), why, True))
                    else:  # reading a pipe would wait for ever
                        found.skipped.append(Skipped(Path(e.path), _NOT_REGULAR, True))
                except OSError as exc:  # a link that loops (ELOOP), a file that vanished
                    found.skipped.append(
                        Skipped(Path(e.path), f"无法访问（{exc.strerror or exc}）", True)
                    )
    for parts in sorted(out):
        _add(Path(*parts), found)


def _add(path: Path, found: Inputs) -> None:
    if path.name.startswith(_LOCK_PREFIXES):
        return
    skipped = _why_not_read(path)
    if skipped is None:
        found.files.append(path)
    else:
        found.skipped.append(skipped)


def find_inputs(paths: Iterable[str | Path]) -> Inputs:
    """Files, folders (recursive) and globs → the workbooks (and CSV files) to read, sorted,
    and every other file found, with the reason it is not read."""
    found = Inputs()
    for p in paths:
        text = str(p)
        path = Path(text)
        if path.is_dir():
            _walk(text, found)
        elif path.is_file():
            if not path.name.startswith(_LOCK_PREFIXES):
                found.files.append(path)
        elif any(ch in text for ch in "*?["):
            matches = [Path(m) for m in sorted(glob.glob(text, recursive=True))]
            for f in matches:
                if f.is_file():
                    _add(f, found)
                elif not f.is_dir() and is_workbook_name(f):
                    found.skipped.append(Skipped(f, _NOT_REGULAR, True))
            if not matches:
                raise UsageError(f"通配符“{text}”没有匹配到任何文件")
        elif path.exists():
            found.skipped.append(Skipped(path, _NOT_REGULAR, True))
        else:
            raise UsageError(f"路径不存在：{text}")
    found.files = list(dict.fromkeys(found.files))
    return found


def collect_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """The files to read that the paths name (see `find_inputs`)."""
    return find_inputs(paths).files


def not_read(skipped: list[Skipped], displays: list[str] | None = None) -> list[FileResult]:
    """A file that is not read is said: one finding each, and a line in files.parquet."""
    out = []
    for item, display in zip(
        skipped, displays or [display_path(s.path) for s in skipped], strict=True
    ):
        if item.path.suffix.lower() in _ARCHIVES:
            hint = "这是压缩包：请解压，把其中的报表放进输入文件夹（压缩包本身可以移走）。"
        else:
            hint = "若这是学校报来的报表，请在 Excel 中另存为 .xlsx 后放回。"
        found = (
            [issue("file_not_read", f"未读取：{item.reason}", hint, file=display)]
            if item.finding
            else []
        )
        out.append(FileResult(display, status="not_read", note=item.reason, issues=found))
    return out


def display_path(path: Path) -> str:
    """How a file is named in lineage and findings: relative to the working folder, in
    characters that can be written anywhere (a name that is not valid UTF-8 keeps a mark
    where its undecodable bytes were)."""
    try:
        shown = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        shown = str(path)
    return printable(shown)


def extract_paths(
    files: list[Path],
    pack: Pack,
    roster: Roster,
    year: int,
    jobs: int = 1,
    progress: Progress | None = None,
    displays: list[str] | None = None,
    skipped: list[Skipped] | None = None,
) -> ExtractResult:
    """Extract every file; one broken file is an issue, never the end of the batch.
    `displays` names the files in lineage and issues (default: relative to the cwd);
    `skipped` files are listed with the reason they were not read."""
    results = extract_each(files, pack, roster, year, jobs, progress, displays)
    return merge_results(without_copies(results) + not_read(skipped or []), year)


def extract_each(
    files: list[Path],
    pack: Pack,
    roster: Roster,
    year: int,
    jobs: int = 1,
    progress: Progress | None = None,
    displays: list[str] | None = None,
    keep: Keep | None = None,
    entries: list[tuple[Path, str] | None] | None = None,
    workers: Workers | None = None,
) -> list[FileResult]:
    """Every file's own result, in the files' order: nothing of one file depends on
    another's figures (copies and conflicts are the merge's, which does not change these).
    With `keep`, each file's result is also kept where `entries` says (an entry and the
    content hash the file must still have), by the process that read it. `workers` are
    processes started before (a run's, for every year); else `jobs` says how many are
    started for these files (1: none, the files are read here)."""
    items: list[Item] = list(
        zip(
            files,
            displays or [display_path(f) for f in files],
            entries or [None] * len(files),
            strict=True,
        )
    )
    progress = progress or Progress()
    progress.start(len(items))
    results: list[FileResult] = []
    own = workers is None and worker_count(jobs) > 1 and len(items) > 1
    if own:
        workers = Workers(pack, roster, jobs, keep)
    found = (
        workers.read(year, items)
        if workers is not None and workers.jobs > 1
        else read_here(items, pack, roster, year, keep)
    )
    done = False
    try:
        for res in found:
            results.append(res)
            progress.advance(res)
        done = True
    finally:
        found.close()  # stopped early (Ctrl+C, an error): the workers stop too, at once
        try:
            progress.finish()
        finally:
            if own and done:
                workers.close()  # type: ignore[union-attr]
            elif own:
                workers.kill()  # type: ignore[union-attr]
    return results


def extract_to_folder(
    paths: Iterable[str | Path],
    pack: Pack,
    roster: Roster,
    year: int,
    out: str | Path,
    jobs: int = 1,
    progress: Progress | None = None,
    corrections: str | Path | None = None,
) -> ExtractResult:
    """`tongji extract`: the workbooks the paths name (files, folders, globs), extracted,
    corrected by a corrections file when given, and written to the folder `out`, which is
    replaced whole (or, on failure, left as it was)."""
    from .corrections import apply_corrections, load_corrections
    from .store import folder_replaced, write_extract

    fixes = load_corrections(corrections) if corrections else []
    inputs = find_inputs(paths)
    if not inputs.files:
        others = (
            f"（找到 {len(inputs.skipped)} 个其他文件，都不是工作簿）" if inputs.skipped else ""
        )
        raise UsageError(f"没有找到任何工作簿（.xlsx/.xls/.xlsm/.xlsb/.ods/.csv）{others}。")
    logger.info(
        "读取 {} 个文件（映射 {} 个，名录学校 {} 所，年度 {}）",
        len(inputs.files),
        len(pack.mappings),
        len(roster.schools),
        year,
    )
    with folder_replaced(out) as new:  # checked before the reading starts
        result = extract_paths(
            inputs.files, pack, roster, year, jobs, progress, skipped=inputs.skipped
        )
        if fixes:
            result = apply_corrections(result, fixes, roster, pack, display_path(Path(corrections)))  # type: ignore[arg-type]
        write_extract(result, pack, new, roster)
    return result


def extract_file(
    path: Path, pack: Pack, roster: Roster, year: int, display: str | None = None
) -> FileResult:
    """One file on its own (a batch of one)."""
    return Extractor(pack, roster, year).extract(path, display or display_path(path))
