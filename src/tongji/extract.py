"""Extraction: one workbook in, figures with lineage and issues out.

`extract_file` is a pure-ish function of (file, mapping pack, roster, year): it reads the
workbook, picks a mapping for each sheet, locates each field's cell, cleans and converts
the value and records where it came from. `extract_paths` runs it over many files (in a
process pool with `jobs > 1`) and merges the results; nothing here writes files.
"""

from __future__ import annotations

import dataclasses
import glob
import os
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from loguru import logger

from . import clean, units
from .check import agrees, sum_parts
from .config import SCHOOL_KEY, Dataset, FieldDef, Mapping, Pack, Placement
from .issues import ERROR, INFO, WARNING, Issue
from .locate import (
    Column,
    LookupError_,
    Row,
    SheetView,
    Table,
    find_column,
    find_labelled_value,
    find_row,
    is_total_label,
    locate_table,
)
from .match import SheetText, choose_mapping
from .read import WORKBOOK_SUFFIXES, ReadError, Sheet, Workbook, cell_address, read_workbook
from .roster import Roster


@dataclass(slots=True)
class Value:
    """One extracted figure and where it came from."""

    dataset: str
    school_id: str | None
    year: int
    keys: tuple[tuple[str, str], ...]
    field: str
    value: float | None
    text: str | None
    status: str
    unit: str | None
    source_unit: str | None
    factor: float
    raw: str
    file: str
    sheet: str
    cell: str
    mapping: str
    rule: str

    @property
    def record_key(self) -> tuple:
        return (self.dataset, self.school_id, self.year, self.keys)

    def __reduce__(self):
        # A plain tuple pickles (from a worker process to the parent) much faster than a
        # dataclass's state.
        return (_value, (self.dataset, self.school_id, self.year, self.keys, self.field, self.value, self.text, self.status, self.unit, self.source_unit, self.factor, self.raw, self.file, self.sheet, self.cell, self.mapping, self.rule))


def _value(*args) -> Value:
    return Value(*args)


@dataclass(slots=True)
class Total:
    """A totals row (合计/小计) of a return: kept apart from the data, used as a check."""

    dataset: str
    school_id: str | None
    year: int
    keys: tuple[tuple[str, str], ...]
    field: str
    label: str
    value: float | None
    parts_sum: float | None
    n_parts: int
    file: str
    sheet: str
    cell: str
    part_cells: str


@dataclass
class FileResult:
    file: str
    sha256: str = ""
    format: str = ""
    school_id: str | None = None
    school_how: str = ""
    sheets: list[tuple[str, str]] = field(default_factory=list)  # (sheet, mapping id)
    values: list[Value] = field(default_factory=list)
    totals: list[Total] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


@dataclass
class ExtractResult:
    year: int
    files: list[FileResult]
    values: list[Value]
    totals: list[Total]
    issues: list[Issue]


# ---------------------------------------------------------------- inputs


class UsageError(Exception):
    pass


def is_workbook_name(path: Path) -> bool:
    return path.suffix.lower() in WORKBOOK_SUFFIXES and not path.name.startswith(("~$", ".~", "."))


def _walk_workbooks(folder: str) -> list[Path]:
    """Workbook files under a folder, in path order; directory entries say what is a
    file without another system call per file (a province has thousands)."""
    out: list[tuple[str, ...]] = []
    stack = [folder]
    while stack:
        current = stack.pop()
        with os.scandir(current) as entries:
            for e in entries:
                if e.is_dir(follow_symlinks=False):
                    stack.append(e.path)
                elif e.is_file() and e.name.lower().endswith(WORKBOOK_SUFFIXES) and not e.name.startswith(("~$", ".~", ".")):
                    out.append(Path(e.path).parts)
    return [Path(*parts) for parts in sorted(out)]


def collect_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """Files, folders (recursive) and globs → workbook files, sorted, lock files skipped."""
    found: dict[Path, None] = {}
    for p in paths:
        text = str(p)
        path = Path(text)
        if path.is_dir():
            for f in _walk_workbooks(text):
                found.setdefault(f, None)
        elif path.is_file():
            if not path.name.startswith("~$"):
                found.setdefault(path, None)
        elif any(ch in text for ch in "*?["):
            matches = [Path(m) for m in sorted(glob.glob(text, recursive=True))]
            for f in matches:
                if f.is_file() and is_workbook_name(f):
                    found.setdefault(f, None)
            if not matches:
                raise UsageError(f"通配符“{text}”没有匹配到任何文件")
        else:
            raise UsageError(f"路径不存在：{text}")
    return list(found)


def display_path(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


# ---------------------------------------------------------------- one file


class _FileContext:
    """State shared while extracting one workbook."""

    def __init__(self, wb: Workbook, display: str, pack: Pack, roster: Roster, year: int):
        self.wb, self.file, self.pack, self.roster, self.year = wb, display, pack, roster, year
        self.result = FileResult(display, wb.sha256, wb.format)

    def issue(self, severity: str, code: str, message: str, hint: str = "", sheet: str = "", cell: str = "", mapping: str = "") -> None:
        self.result.issues.append(
            Issue(severity, code, message, hint, self.file, sheet, cell, self.result.school_id or "", mapping)
        )


def extract_file(path: Path, pack: Pack, roster: Roster, year: int, display: str | None = None) -> FileResult:
    display = display or display_path(path)
    try:
        wb = read_workbook(path)
    except ReadError as exc:
        return FileResult(display, issues=[Issue(ERROR, exc.code, exc.message, exc.hint, display)])
    ctx = _FileContext(wb, display, pack, roster, year)
    try:
        _extract_workbook(ctx)
    except Exception as exc:  # a bug must not stop the batch; it is reported with its file
        logger.exception("内部错误：{}", display)
        ctx.issue(ERROR, "internal_error", f"处理该文件时发生内部错误：{type(exc).__name__}: {exc}", "请把该文件和日志发给 tongji 的维护者。")
    return ctx.result


def _extract_workbook(ctx: _FileContext) -> None:
    matched: list[tuple[Sheet, Mapping, SheetView]] = []
    unmatched_visible = 0
    for sheet in ctx.wb.sheets:
        if sheet.is_empty:
            continue
        text = SheetText(sheet)
        choice = choose_mapping(sheet, ctx.pack, text)
        if not sheet.visible:
            if choice.mapping is not None:
                ctx.issue(
                    WARNING,
                    "hidden_sheet_skipped",
                    f"隐藏的工作表与映射“{choice.mapping.name}”相符，已跳过（隐藏表常是旧版副本）",
                    "若该表才是要报的数据，请在 Excel 中取消隐藏，并删除或隐藏旧表后重新放入。",
                    sheet=sheet.name,
                    mapping=choice.mapping.id,
                )
            continue
        if choice.ambiguous:
            ctx.issue(
                ERROR,
                "sheet_ambiguous",
                f"工作表同时与多个映射同等相符：{choice.candidates()}",
                "请在其中一个映射的 [match] 中加上 exclude 或更具体的 sheet_names/contains。",
                sheet=sheet.name,
            )
            continue
        if choice.mapping is None:
            unmatched_visible += 1
            ctx.issue(
                WARNING,
                "sheet_unmatched",
                f"工作表不符合任何映射，未提取；得分最高的映射：{choice.candidates()}",
                "若该表含需要的数据，请用 tongji inspect 查看其表头，并新增或修改映射配置。",
                sheet=sheet.name,
            )
            continue
        matched.append((sheet, choice.mapping, SheetView(sheet)))
        ctx.result.sheets.append((sheet.name, choice.mapping.id))

    if not matched:
        if unmatched_visible:
            ctx.result.issues = [i for i in ctx.result.issues if i.code != "sheet_unmatched"] + [
                Issue(
                    ERROR,
                    "workbook_unmatched",
                    "工作簿中没有任何工作表符合映射，未提取任何数据；"
                    + "；".join(f"“{i.sheet}”：{i.message.split('：', 1)[-1]}" for i in ctx.result.issues if i.code == "sheet_unmatched"),
                    "请用 tongji inspect 查看该文件，为这种版式新增映射配置。",
                    ctx.file,
                )
            ]
        elif not any(i.severity == ERROR for i in ctx.result.issues):
            ctx.issue(ERROR, "workbook_empty", "工作簿中没有可见的、有内容的工作表", "请向学校重新索取该文件。")
        return

    needs_school = any(
        ctx.pack.datasets[m.dataset].entity == "school" and not (m.records and m.records.by_school) for _, m, _ in matched
    )
    if needs_school:
        _resolve_school(ctx, matched)
        if ctx.result.school_id is None:
            return
        sid = ctx.result.school_id
        ctx.result.issues = [i if i.school_id else dataclasses.replace(i, school_id=sid) for i in ctx.result.issues]

    for sheet, mapping, view in matched:
        dataset = ctx.pack.datasets[mapping.dataset]
        before = len(ctx.result.values)
        if mapping.layout == "keyvalue":
            _extract_keyvalue(ctx, sheet, view, mapping, dataset)
        else:
            _extract_table(ctx, sheet, view, mapping, dataset)
        logger.debug("{} [{}] → {}：{} 个值", ctx.file, sheet.name, mapping.id, len(ctx.result.values) - before)


def _resolve_school(ctx: _FileContext, matched: list[tuple[Sheet, Mapping, SheetView]]) -> None:
    """Which school returned this workbook: its own words first, then file and folder names."""
    inside: list[tuple[str, Sheet, str]] = []
    for sheet, mapping, view in matched:
        if mapping.school_label:
            found = find_labelled_value(sheet, mapping.school_label, view=view)
            if found is not None and clean.normalize_text(found.raw):
                name = clean.normalize_text(found.raw)
                inside.append((name, sheet, cell_address(found.row, found.col)))
                if ctx.roster.resolve(name).school is not None:
                    break  # the workbook names a known school: no need to read its other sheets for it
    path = Path(ctx.wb.path)
    titles = [
        (clean.normalize_text(v), "表头文字")
        for sheet, _, view in matched
        for r in range(min(3, sheet.n_rows))
        for c, v in view.row_values(r)
        if isinstance(v, str) and len(v.strip()) >= 4
    ]
    outside = [*titles, (path.stem, "文件名"), *((p.name, "文件夹名") for p in list(path.parents)[:2] if p.name)]

    for name, sheet, cell in inside:
        res = ctx.roster.resolve(name)
        if res.school is not None:
            ctx.result.school_id = res.school.school_id
            ctx.result.school_how = f"表内学校名称“{name}”（{sheet.name}!{cell}，按{res.how}匹配）"
            return
    for name, how in outside:
        res = ctx.roster.resolve(name)
        if res.school is not None:
            ctx.result.school_id = res.school.school_id
            ctx.result.school_how = f"{how}“{name}”（按{res.how}匹配）"
            if inside:
                name0, sheet0, cell0 = inside[0]
                ctx.issue(
                    WARNING,
                    "school_name_not_in_roster",
                    f"表内学校名称“{name0}”不在学校名录中；按{how}认定为“{res.school.name}”",
                    f"请在名录中为“{res.school.name}”加上别名“{name0}”。",
                    sheet=sheet0.name,
                    cell=cell0,
                )
            return
    tried = [f"表内“{n}”（{s.name}!{c}）" for n, s, c in inside] + [f"{how}“{n}”" for n, how in outside if how != "表头文字"]
    close: list[str] = []
    ambiguous = False
    for name in [n for n, _, _ in inside] + [n for n, _ in outside]:
        res = ctx.roster.resolve(name)
        ambiguous = ambiguous or res.ambiguous
        close.extend(c for c in res.candidates if c not in close)
    sheet0 = inside[0][1].name if inside else ""
    cell0 = inside[0][2] if inside else ""
    ctx.issue(
        ERROR,
        "school_ambiguous" if ambiguous else "school_unknown",
        f"无法确定是哪所学校的报表：{'；'.join(tried)}"
        + ("同时含有多所学校的名称" if ambiguous else " 均不在学校名录中")
        + (f"；最接近的名录学校：{'、'.join(close[:3])}" if close else ""),
        "请在学校名录中为该校加上别名，或把文件名改为名录中的学校名称。",
        sheet=sheet0,
        cell=cell0,
    )


# ---------------------------------------------------------------- layouts


def _source_unit(
    p: Placement, col: Column | None, table: Table | None, mapping: Mapping, fdef: FieldDef, row: Row | None = None
) -> tuple[str | None, str]:
    """The unit a figure is written in: the mapping's word for the field, else what the
    sheet says (column header, row label, `单位：` cell), else the mapping's default."""
    if p.unit:
        return p.unit, "映射指定"
    if col is not None and col.unit:
        return col.unit, "表头"
    if row is not None and row.unit:
        return row.unit, "行标签"
    if table is not None and table.unit:
        return table.unit, "表内“单位”"
    if mapping.unit:
        return mapping.unit, "映射默认"
    return fdef.unit, ""


def _emit(
    ctx: _FileContext,
    sheet: Sheet,
    mapping: Mapping,
    dataset: Dataset,
    fdef: FieldDef,
    school_id: str | None,
    keys: tuple[tuple[str, str], ...],
    row: int,
    col: int,
    raw: Any,
    source_unit: str | None,
    unit_how: str,
    where: str,
    inline: bool = False,
) -> Value:
    cell = cell_address(row, col)
    cleaned = clean.clean_value(raw, fdef.type)
    rule = f"{where}；{cleaned.rule}" if cleaned.rule else where
    value: float | None = None
    text: str | None = None
    factor = 1.0
    status = cleaned.status
    if cleaned.status == clean.VALUE:
        if fdef.type in ("text", "code"):
            text = str(cleaned.value)
        else:
            value = float(cleaned.value)  # type: ignore[arg-type]
            if fdef.unit and source_unit and source_unit != fdef.unit:
                f = units.conversion_factor(source_unit, fdef.unit)
                if f is None:
                    status = clean.ERROR
                    value = None
                    ctx.issue(
                        ERROR,
                        "unit_mismatch",
                        f"“{fdef.title}”的单位为“{source_unit}”（{unit_how}），无法换算为“{fdef.unit}”",
                        "请核对原表的单位，或在映射中为该字段写明 unit。",
                        sheet.name,
                        cell,
                        mapping.id,
                    )
                else:
                    factor = f
                    value = round(value * f, 9)
                    rule += f"；单位换算 {source_unit}→{fdef.unit}（×{f:g}，{unit_how}）"
    elif cleaned.status == clean.ERROR:
        ctx.issue(
            ERROR,
            "bad_value",
            f"“{fdef.title}”的值无法识别：{cleaned.message}（原文“{clean.raw_text(raw)}”）",
            "请在原表中更正后重新放入；tongji 不会猜测数字。",
            sheet.name,
            cell,
            mapping.id,
        )
    elif cleaned.status == clean.EMPTY and ctx.wb.format in ("xlsx", "xlsm") and not inline:
        cause = ctx.wb.blank_cell_causes(sheet.name).get((row, col))
        if cause == "formula":
            ctx.issue(
                WARNING,
                "formula_no_cached_value",
                f"“{fdef.title}”是公式，但文件中没有保存计算结果，按空值处理",
                "请在 Excel 中打开该文件、按 F9 重新计算并保存后重新放入。",
                sheet.name,
                cell,
                mapping.id,
            )
            rule += "；公式无缓存值"
        elif cause:
            ctx.issue(
                ERROR,
                "cell_error_value",
                f"“{fdef.title}”是错误值 {cause}，按空值处理",
                "请在原表中修正该公式后重新放入。",
                sheet.name,
                cell,
                mapping.id,
            )
            status = clean.ERROR
    v = Value(
        dataset=dataset.name,
        school_id=school_id,
        year=ctx.year,
        keys=keys,
        field=fdef.name,
        value=value,
        text=text,
        status=status,
        unit=fdef.unit,
        source_unit=source_unit,
        factor=factor,
        raw=clean.raw_text(raw),
        file=ctx.file,
        sheet=sheet.name,
        cell=cell,
        mapping=mapping.id,
        rule=rule,
    )
    ctx.result.values.append(v)
    return v


def _missing_field(ctx: _FileContext, sheet: Sheet, mapping: Mapping, fdef: FieldDef, p: Placement, message: str, code: str) -> None:
    severity = ERROR if p.required else WARNING
    ctx.issue(
        severity,
        code,
        f"{'必填' if p.required else ''}字段“{fdef.title}”（{fdef.name}）未找到：{message}",
        f"请用 tongji inspect {Path(ctx.wb.path).name} --mapping {mapping.id} 查看表头，并修改映射 {mapping.file}。",
        sheet.name,
        mapping=mapping.id,
    )


def _school_of(ctx: _FileContext, dataset: Dataset) -> str | None:
    return ctx.result.school_id if dataset.entity == "school" else None


def _extract_keyvalue(ctx: _FileContext, sheet: Sheet, view: SheetView, mapping: Mapping, dataset: Dataset) -> None:
    school_id = _school_of(ctx, dataset)
    for p in mapping.fields:
        fdef = dataset.fields[p.field]
        labels = p.label or fdef.labels
        found = find_labelled_value(sheet, labels, p.direction, view)
        if found is None:
            _missing_field(ctx, sheet, mapping, fdef, p, f"表中没有标签“{' 或 '.join(labels)}”或其旁边没有值", "field_not_found")
            continue
        unit, how = _source_unit(p, None, None, mapping, fdef)
        if found.label_unit and not p.unit:
            unit, how = found.label_unit, "标签"
        where = f"键值：标签“{labels[0]}”{'（同格）' if found.inline else ''}"
        _emit(ctx, sheet, mapping, dataset, fdef, school_id, mapping.keys, found.row, found.col, found.raw, unit, how, where, found.inline)


def _extract_table(ctx: _FileContext, sheet: Sheet, view: SheetView, mapping: Mapping, dataset: Dataset) -> None:
    table = locate_table(sheet, view)
    if table is None or not table.data_rows:
        ctx.issue(
            ERROR,
            "table_not_found",
            "工作表中找不到数据表（没有识别出表头和数据行）",
            f"请用 tongji inspect 查看该表，并检查映射 {mapping.file}。",
            sheet.name,
            mapping=mapping.id,
        )
        return
    if mapping.records is None:
        _extract_cells(ctx, sheet, table, mapping, dataset)
    else:
        _extract_records(ctx, sheet, table, mapping, dataset)


def _extract_cells(ctx: _FileContext, sheet: Sheet, table: Table, mapping: Mapping, dataset: Dataset) -> None:
    """Grid form, one record: each field at (row label or 行次) × (header path or column code)."""
    school_id = _school_of(ctx, dataset)
    for p in mapping.fields:
        fdef = dataset.fields[p.field]
        try:
            row = find_row(table, p.row, p.line)
            col = find_column(table, p.column, p.code)
        except LookupError_ as exc:
            _missing_field(ctx, sheet, mapping, fdef, p, exc.message, "field_not_found")
            continue
        unit, how = _source_unit(p, col, table, mapping, fdef, row)
        where = f"行“{row.label}”" + (f"（行次 {row.line}）" if row.line else "") + f" × 列“{col.path}”" + (f"（代码 {col.code}）" if col.code else "")
        _emit(ctx, sheet, mapping, dataset, fdef, school_id, mapping.keys, row.index, col.index, table.value(row.index, col.index), unit, how, where)


def _extract_records(ctx: _FileContext, sheet: Sheet, table: Table, mapping: Mapping, dataset: Dataset) -> None:
    """List table (or a grid whose rows are a dimension): one record per data row."""
    assert mapping.records is not None
    key_cols: list[tuple[str, Column | None]] = []
    for key, paths in mapping.records.keys:
        if not paths:
            key_cols.append((key, None))
            continue
        try:
            key_cols.append((key, find_column(table, paths)))
        except LookupError_ as exc:
            ctx.issue(ERROR, "key_column_not_found", f"找不到记录键“{key}”所在的列：{exc.message}", f"请修改映射 {mapping.file} 的 [records]。", sheet.name, mapping=mapping.id)
            return
    field_cols: list[tuple[Placement, FieldDef, Column]] = []
    for p in mapping.fields:
        fdef = dataset.fields[p.field]
        try:
            col = find_column(table, p.column or fdef.labels, p.code)
        except LookupError_ as exc:
            _missing_field(ctx, sheet, mapping, fdef, p, exc.message, "field_not_found")
            continue
        field_cols.append((p, fdef, col))

    strict_keys = mapping.layout == "list"
    seen: dict[tuple, int] = {}
    group: list[dict[str, Value]] = []  # data rows since the last 小计
    everything: list[dict[str, Value]] = []
    pending_totals: list[tuple[int, str, list[dict[str, Value]]]] = []  # checked once all rows are read
    for row in table.data_rows:
        key_texts = []
        for key, col in key_cols:
            raw = sheet.cell(row.index, col.index) if col is not None else table.value(row.index, table.label_col) if table.label_col is not None else None
            key_texts.append((key, col, raw))
        first_label = clean.normalize_label(key_texts[0][2]) if key_texts else row.label
        if is_total_label(first_label) or is_total_label(row.label):
            subtotal = first_label.startswith("小计") or row.label.startswith("小计")
            pending_totals.append((row.index, first_label or row.label, group if subtotal else everything))
            if subtotal:
                group = []
            continue
        if all(clean.normalize_label(raw) == "" for _, _, raw in key_texts):
            if any(sheet.cell(row.index, c.index) not in (None, "") for _, _, c in field_cols):
                ctx.issue(WARNING, "row_without_key", f"第 {row.index + 1} 行有数字但没有{'、'.join(k for k, _ in mapping.records.keys)}，已跳过", "请在原表中补上该行的名称。", sheet.name, cell_address(row.index, 0), mapping.id)
            continue
        school_id = _school_of(ctx, dataset)
        keys: list[tuple[str, str]] = list(mapping.keys)
        skip = False
        for key, col, raw in key_texts:
            cell = cell_address(row.index, col.index if col is not None else (table.label_col or 0))
            if key == SCHOOL_KEY:
                res = ctx.roster.resolve(raw)
                if res.school is None:
                    ctx.issue(ERROR, "school_unknown", f"学校“{clean.normalize_text(raw)}”不在学校名录中" + (f"；最接近的：{'、'.join(res.candidates)}" if res.candidates else ""), "请在学校名录中加上该校或其别名。", sheet.name, cell, mapping.id)
                    skip = True
                    break
                school_id = res.school.school_id
                continue
            dim = ctx.pack.dimensions[key]
            value = dim.resolve(raw)
            if value is None:
                if strict_keys:
                    ctx.issue(ERROR, "unknown_key", f"“{clean.normalize_text(raw)}”不是{dim.title}的已知取值", f"请核对原表，或在 datasets.toml 的 [dimensions.{key}] 中为它加上别名。", sheet.name, cell, mapping.id)
                skip = True
                break
            keys.append((key, value))
        if skip:
            continue
        key_tuple = tuple(sorted(keys, key=lambda kv: dataset.keys.index(kv[0])))  # the dataset's key order
        if (school_id, key_tuple) in seen:
            ctx.issue(ERROR, "duplicate_row", f"{'、'.join(v for _, v in key_tuple)} 在第 {seen[(school_id, key_tuple)] + 1} 行和第 {row.index + 1} 行各出现一次", "请合并或删除重复的行后重新放入。", sheet.name, cell_address(row.index, 0), mapping.id)
            continue
        seen[(school_id, key_tuple)] = row.index
        values = {}
        for p, fdef, col in field_cols:
            unit, how = _source_unit(p, col, table, mapping, fdef)
            where = f"清单第 {row.index + 1} 行“{'、'.join(v for _, v in key_tuple) or row.label}” × 列“{col.path}”"
            values[fdef.name] = _emit(ctx, sheet, mapping, dataset, fdef, school_id, key_tuple, row.index, col.index, table.value(row.index, col.index), unit, how, where)
        group.append(values)
        everything.append(values)
    for r, label, parts in pending_totals:
        _check_total_row(ctx, sheet, table, mapping, dataset, field_cols, r, label, parts)


def _check_total_row(
    ctx: _FileContext,
    sheet: Sheet,
    table: Table,
    mapping: Mapping,
    dataset: Dataset,
    field_cols: list[tuple[Placement, FieldDef, Column]],
    r: int,
    label: str,
    parts: list[dict[str, Value]],
) -> None:
    """A 合计/小计 row: kept apart as a check value and compared with the rows it sums."""
    school_id = _school_of(ctx, dataset)
    for p, fdef, col in field_cols:
        if fdef.type in ("text", "code"):
            continue
        raw = table.value(r, col.index)
        cleaned = clean.clean_value(raw, fdef.type)
        cell = cell_address(r, col.index)
        if cleaned.status == clean.ERROR:
            ctx.issue(ERROR, "bad_value", f"{label}行“{fdef.title}”的值无法识别：{cleaned.message}（原文“{raw}”）", "请在原表中更正后重新放入；tongji 不会猜测数字。", sheet.name, cell, mapping.id)
            continue
        total = cleaned.value if isinstance(cleaned.value, float) else None
        unit, _ = _source_unit(p, col, table, mapping, fdef)
        if total is not None and fdef.unit and unit and unit != fdef.unit:
            total = round(total * (units.conversion_factor(unit, fdef.unit) or 1.0), 9)
        part_values = [row[fdef.name] for row in parts if fdef.name in row]
        parts_sum, n = sum_parts(v.value for v in part_values)
        cells = ",".join(v.cell for v in part_values)
        ctx.result.totals.append(
            Total(dataset.name, school_id, ctx.year, mapping.keys, fdef.name, label, total, parts_sum, n, ctx.file, sheet.name, cell, cells)
        )
        if any(v.status == clean.ERROR for v in part_values):
            continue  # a part could not be read; that error is already reported
        if total is not None and not agrees(total, parts_sum):
            first, last = (part_values[0].cell, part_values[-1].cell) if part_values else ("", "")
            ctx.issue(
                WARNING,
                "total_mismatch",
                f"{label}行的“{fdef.title}”为 {total:g}，但各行之和为 {parts_sum if parts_sum is not None else 0:g}（{first}:{last} 共 {n} 行），相差 {total - (parts_sum or 0):g}",
                "已采用各行数字，合计行只作核对；请向学校核实哪一个正确。",
                sheet.name,
                cell,
                mapping.id,
            )


def try_mapping(wb: Workbook, sheet: Sheet, mapping: Mapping, pack: Pack, roster: Roster | None, year: int = 0) -> FileResult:
    """Apply one mapping to one sheet, whatever its score: what `tongji inspect --mapping` shows."""
    ctx = _FileContext(wb, display_path(Path(wb.path)), pack, roster or Roster([]), year)
    view = SheetView(sheet)
    if roster is not None:
        _resolve_school(ctx, [(sheet, mapping, view)])
    dataset = pack.datasets[mapping.dataset]
    if mapping.layout == "keyvalue":
        _extract_keyvalue(ctx, sheet, view, mapping, dataset)
    else:
        _extract_table(ctx, sheet, view, mapping, dataset)
    return ctx.result


# ---------------------------------------------------------------- many files

_WORKER: dict[str, Any] = {}


def _init_worker(pack: Pack, roster: Roster, year: int) -> None:
    _WORKER.update(pack=pack, roster=roster, year=year)


def _work(item: tuple[Path, str]) -> FileResult:
    path, display = item
    return extract_file(path, _WORKER["pack"], _WORKER["roster"], _WORKER["year"], display)


def extract_paths(
    files: list[Path],
    pack: Pack,
    roster: Roster,
    year: int,
    jobs: int = 1,
    progress: Callable[[FileResult], None] | None = None,
    displays: list[str] | None = None,
) -> ExtractResult:
    """Extract every file; one broken file is an issue, never the end of the batch.
    `displays` names the files in lineage and issues (default: relative to the cwd)."""
    items = list(zip(files, displays or [display_path(f) for f in files], strict=True))
    results: list[FileResult] = []
    if jobs > 1 and len(items) > 1:
        chunk = max(1, min(25, len(items) // (jobs * 4) or 1))
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork" if os.name != "nt" else "spawn"), initializer=_init_worker, initargs=(pack, roster, year)) as pool:
            for res in pool.map(_work, items, chunksize=chunk):
                results.append(res)
                if progress:
                    progress(res)
    else:
        for path, display in items:
            res = extract_file(path, pack, roster, year, display)
            results.append(res)
            if progress:
                progress(res)
    return merge_results(results, year)


def merge_results(results: list[FileResult], year: int) -> ExtractResult:
    """Put the files' figures together; the same figure from two places is a conflict."""
    values: list[Value] = []
    issues: list[Issue] = []
    totals: list[Total] = []
    owner: dict[tuple, Value] = {}
    conflicts: set[tuple] = set()
    for res in results:
        issues.extend(res.issues)
        totals.extend(res.totals)
        for v in res.values:
            # the same rule text recurs for every school: one copy of each, not one per figure
            v.rule, v.cell = sys.intern(v.rule), sys.intern(v.cell)
            k = (*v.record_key, v.field)
            first = owner.get(k)
            if first is None:
                owner[k] = v
                values.append(v)
                continue
            same = (first.value, first.text, first.status) == (v.value, v.text, v.status)
            if same:
                issues.append(Issue(INFO, "duplicate_value", f"同一数字在两处重复报送且一致：{first.file} {first.sheet}!{first.cell}", "", v.file, v.sheet, v.cell, v.school_id or "", v.mapping))
                continue
            conflicts.add(k)
            issues.append(
                Issue(
                    ERROR,
                    "conflicting_value",
                    f"“{v.dataset}.{v.field}”在两处的值不一致：{first.file} {first.sheet}!{first.cell} 为“{first.raw}”，此处为“{v.raw}”；两者都不采用",
                    "请确认哪份是最新的报表，删除或更正另一份后重新运行。",
                    v.file,
                    v.sheet,
                    v.cell,
                    v.school_id or "",
                    v.mapping,
                )
            )
    if conflicts:
        for v in values:
            if (*v.record_key, v.field) in conflicts:
                v.value, v.text, v.status = None, None, clean.ERROR
                v.rule += "；与另一份报表冲突，不采用"
    return ExtractResult(year, results, values, totals, issues)
