"""Loading the school roster (学校名录) from a workbook or CSV; the roster itself (names,
aliases, how a name becomes a `school_id`) is `tongji.words.roster`."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from ..errors import EmptyRoster, RosterError
from ..words.roster import Resolution, Roster, School  # noqa: F401  (re-exported)
from .clean import normalize_label, normalize_text
from .read import ReadError, Sheet, read_workbook

# roster column → the header labels it may have
COLUMNS: dict[str, tuple[str, ...]] = {
    "school_id": ("学校代码", "代码", "学校标识码", "标识码", "编码"),
    "name": ("学校名称", "名称", "学校"),
    "aliases": ("别名", "曾用名", "其他名称", "简称"),
    "district": ("旗县区", "所在旗县区", "区县", "所在地"),
    "school_type": ("办学类型", "学校类型", "类型"),
    "sponsor": ("举办者", "举办者类型", "办学性质", "公办民办"),
    "level": ("级别", "学校级别", "示范重点级别"),
    "is_technical": ("是否技工学校", "技工学校"),
}
REQUIRED = ("school_id", "name")
_ALIAS_SPLIT = re.compile(r"[;；、,，|/]")
_YES = frozenset({"是", "y", "yes", "true", "1", "√", "技工学校"})


def load_roster(path: str | Path) -> Roster:
    """Read a roster from `.xlsx`/`.xls` (first sheet with the name column) or `.csv`."""
    path = Path(path)
    shown = str(path)
    if not path.is_file():
        raise RosterError(
            shown, "学校名录文件不存在", "请用 --roster 指定学校名录（.xlsx 或 .csv）。"
        )
    if path.suffix.lower() == ".csv":
        records = _csv_records(path)
    else:
        try:
            wb = read_workbook(path)
        except ReadError as exc:
            raise RosterError(shown, exc.message, exc.hint) from exc
        records = None
        for sheet in wb.sheets:
            if sheet.visible:
                records = _sheet_records(sheet)
                if records is not None:
                    break
        if records is None:
            raise RosterError(
                shown,
                "找不到含“学校名称”列的工作表",
                "名录第一行应为表头：学校代码、学校名称、别名、旗县区……",
            )
    return _build(records, shown)


def _sheet_records(sheet: Sheet) -> list[tuple[dict[str, Any], str]] | None:
    """Rows under the first row (of the first ten) that has a school-name header."""
    for r in range(min(10, sheet.n_rows)):
        header = {c: normalize_label(v) for c, v in enumerate(sheet.rows[r]) if v not in ("", None)}
        if any(h in COLUMNS["name"] for h in header.values()):
            return [
                ({h: sheet.cell(rr, c) for c, h in header.items()}, f"第 {rr + 1} 行")
                for rr in range(r + 1, sheet.n_rows)
                if any(sheet.cell(rr, c) is not None for c in header)
            ]
    return None


def _csv_records(path: Path) -> list[tuple[dict[str, Any], str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = path.read_text(encoding=encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterError(str(path), "无法识别文件编码", "请另存为 UTF-8 编码的 CSV。")
    reader = csv.reader(text.splitlines())
    rows = list(reader)
    if not rows:
        raise RosterError(str(path), "文件为空")
    header = [normalize_label(h) for h in rows[0]]
    return [
        (
            {header[i]: (v if v != "" else None) for i, v in enumerate(row) if i < len(header)},
            f"第 {n + 2} 行",
        )
        for n, row in enumerate(rows[1:])
        if any(v.strip() for v in row)
    ]


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _columns(records: list[tuple[dict[str, Any], str]], file: str) -> dict[str, str]:
    """Roster field → the header it is under; the required ones must be there."""
    headers = set(records[0][0])
    colmap: dict[str, str] = {}
    for key, labels in COLUMNS.items():
        for label in labels:
            if label in headers:
                colmap[key] = label
                break
    missing = [COLUMNS[k][0] for k in REQUIRED if k not in colmap]
    if missing:
        raise RosterError(
            file, f"缺少列：{'、'.join(missing)}", f"现有列：{'、'.join(h for h in headers if h)}"
        )
    return colmap


def _cell_text(value: Any) -> str:
    """A roster cell as text: no control characters, no quotes around it (`'1504000001` typed
    to keep a code's zeros is the code)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize_text(_CONTROL.sub("", normalize_text(value))).strip("'\"“”‘’ ")


def _build(records: list[tuple[dict[str, Any], str]], file: str) -> Roster:
    if not records:
        raise EmptyRoster(file, "名录中没有学校")
    colmap = _columns(records, file)

    def get(rec: dict[str, Any], key: str) -> str:
        col = colmap.get(key)
        return _cell_text(rec.get(col) if col else None)

    schools: list[School] = []
    seen: dict[str, str] = {}
    names: dict[str, str] = {}  # a normalised name or alias → where it was first given
    for rec, where in records:
        sid, name = get(rec, "school_id"), get(rec, "name")
        if not sid and not name:
            continue
        if not sid or not name:
            raise RosterError(file, f"{where}：学校代码和学校名称都必须填写")
        if sid in seen:
            raise RosterError(file, f"{where}：学校代码 {sid} 与{seen[sid]}重复")
        seen[sid] = where
        aliases = tuple(a.strip() for a in _ALIAS_SPLIT.split(get(rec, "aliases")) if a.strip())
        for label in (name, *aliases):
            key = normalize_label(label)
            if key in names and names[key] != where:
                raise RosterError(
                    file,
                    f"{where}：学校名称或别名“{label}”与{names[key]}重复",
                    "一个名称只能指一所学校：请改用全称，或删去重复的别名。",
                )
            names[key] = where
        schools.append(
            School(
                school_id=sid,
                name=name,
                aliases=aliases,
                district=get(rec, "district"),
                school_type=get(rec, "school_type"),
                sponsor=get(rec, "sponsor"),
                levels=tuple(a.strip() for a in _ALIAS_SPLIT.split(get(rec, "level")) if a.strip()),
                is_technical=get(rec, "is_technical").lower() in _YES,
            )
        )
    return Roster(schools, file)
