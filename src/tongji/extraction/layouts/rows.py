"""Tables read one record per data row (lists, and national forms with `[records]`).

Each row's keys come from key columns (or the row label), each field from its column.
Totals rows (合计, 小计) are not records: they are kept apart and compared with the sum
of the rows they total.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...errors import LocateError
from ...words import units
from .. import clean
from ..locate import Column, Row, Table
from ..lookup import find_column
from ..records import Part, Total, Value, record_figure, record_sum
from .base import SCHOOL_KEY, ColumnPlacement, SheetJob

if TYPE_CHECKING:
    from ...config.mapping import FieldDef

# Figures are published with at most 2–3 decimals (万元 with 3); a difference below this
# is rounding, not a disagreement.
ABS_TOLERANCE = 0.01
REL_TOLERANCE = 1e-9


def sum_parts(values) -> tuple[float | None, int]:
    """The sum of the parts that have a value, and how many had one (None when none had)."""
    present = [v for v in values if v is not None]
    if not present:
        return None, 0
    return round(sum(present), 9), len(present)


def agrees(total: float | None, parts_sum: float | None) -> bool:
    """Whether a stated total equals the sum of its parts, up to rounding."""
    if total is None or parts_sum is None:
        return total is None and parts_sum is None
    return abs(total - parts_sum) <= max(ABS_TOLERANCE, REL_TOLERANCE * abs(total))


FieldColumn = tuple[ColumnPlacement, "FieldDef", list[Column]]  # a field and its column(s)


@dataclass
class _Rows:
    """What reading the rows of one table has gathered so far."""

    seen: dict[tuple, int] = field(default_factory=dict)  # (school, keys) → row index
    group: list[dict[str, Value]] = field(default_factory=list)  # data rows since the last 小计
    everything: list[dict[str, Value]] = field(default_factory=list)
    totals: list[tuple[int, str, list[dict[str, Value]]]] = field(
        default_factory=list
    )  # checked at the end


def extract_rows(job: SheetJob, table: Table, unknown_keys_are_errors: bool) -> None:
    """One record per data row. A key that is no known value is an error in a list, and
    leaves the row out of a national form read by rows (its 其中 rows)."""
    key_cols = _key_columns(job, table)
    if key_cols is None:
        return
    field_cols = _field_columns(job, table)
    state = _Rows()
    for row in table.data_rows:
        key_texts = [(key, col, _key_cell(job, table, row, col)) for key, col in key_cols]
        total = _total_label(job, row, key_texts)
        if total is not None:
            subtotal = total.startswith("小计") or total.endswith("小计")
            state.totals.append((row.index, total, state.group if subtotal else state.everything))
            if subtotal:
                state.group = []
            continue
        if all(clean.normalize_label(raw) == "" for _, _, raw in key_texts):
            if any(
                job.sheet.cell(row.index, c.index) not in (None, "")
                for _, _, cols in field_cols
                for c in cols
            ):
                names = "、".join(k for k, _ in job.mapping.records.keys)  # type: ignore[union-attr]
                job.issue(
                    "row_without_key",
                    f"{job.line_name(row.index)}有数字但没有{names}，已跳过",
                    "请在原表中补上该行的名称。",
                    table.address(row.index, 0),
                )
            continue
        keyed = _row_keys(job, table, row, key_texts, unknown_keys_are_errors)
        if keyed is not None and _first_time(job, state, row, keyed):
            values = _record_row(job, table, row, keyed, field_cols)
            state.group.append(values)
            state.everything.append(values)
    for r, label, parts in state.totals:
        _check_total_row(job, table, field_cols, r, label, parts)


def _total_label(job: SheetJob, row: Row, key_texts: list) -> str | None:
    """The totals label of a row (合计, 小计, 全县合计, a mapping's `totals`) in any of its
    key cells or its label: a 小计 under a 专业大类 merged down its rows is no 专业."""
    labels = [clean.normalize_label(raw) for _, _, raw in key_texts] + [row.label]
    return next((label for label in labels if label and job.is_total(label)), None)


def _key_columns(job: SheetJob, table: Table) -> list[tuple[str, Column | None]] | None:
    """Per record key, its column (None: the row label); None when one is missing."""
    out: list[tuple[str, Column | None]] = []
    for key, paths in job.mapping.records.keys:  # type: ignore[union-attr]
        if not paths:
            out.append((key, None))
            continue
        try:
            out.append((key, find_column(table, job.year_texts(paths))))
        except LocateError as exc:
            job.issue(
                "key_column_not_found",
                f"找不到记录键“{key}”所在的列：{exc.message}",
                f"请修改映射 {job.mapping.file} 的 [records]。",
            )
            return None
    return out


def _field_columns(job: SheetJob, table: Table) -> list[FieldColumn]:
    """Each field's column (each of them, for a field that sums several)."""
    out = []
    for p in job.mapping.fields:
        assert isinstance(p, ColumnPlacement)
        fdef = job.dataset.fields[p.field]
        try:
            if p.sum:
                cols = [find_column(table, (path,)) for path in job.year_texts(p.column)]
            else:
                cols = [find_column(table, job.year_texts(p.column) or fdef.labels, p.code)]
        except LocateError as exc:
            job.missing_field(p, fdef, exc.message)
            continue
        out.append((p, fdef, cols))
    return out


def _key_cell(job: SheetJob, table: Table, row: Row, col: Column | None) -> Any:
    """A record's key as its row shows it: a name merged down over several rows (a school
    over its three rows) is the key of each of them."""
    column = col.index if col is not None else table.label_col
    return job.view.filled(row.index, column) if column is not None else None


def _row_keys(
    job: SheetJob, table: Table, row: Row, key_texts: list, unknown_keys_are_errors: bool
) -> tuple[str | None, tuple] | None:
    """(school, keys in the dataset's order) of a data row, or None when it is no record."""
    school_id = job.school_id
    keys: list[tuple[str, str]] = list(job.mapping.keys)
    for key, col, raw in key_texts:
        cell = table.address(row.index, col.index if col is not None else (table.label_col or 0))
        if key == SCHOOL_KEY:
            if not clean.normalize_text(raw):
                job.issue(
                    "row_without_key",
                    f"{job.line_name(row.index)}没有学校名称，已跳过",
                    "请在原表中补上该行的学校名称。",
                    cell,
                )
                return None
            res = job.roster.resolve(raw)
            if res.school is None:
                close = f"；最接近的：{'、'.join(res.candidates)}" if res.candidates else ""
                job.issue(
                    "school_unknown",
                    f"学校“{clean.normalize_text(raw)}”不在学校名录中{close}",
                    "请在学校名录中加上该校或其别名。",
                    cell,
                )
                return None
            school_id = res.school.school_id
            continue
        dim = job.dimensions[key]
        found = dim.match(raw)
        if found.value is None:
            # a code that names no value is always an error: the row would be lost
            if unknown_keys_are_errors or found.problem:
                why = f"：{found.problem}" if found.problem else ""
                job.issue(
                    "unknown_key",
                    f"“{clean.normalize_text(raw)}”不是{dim.title}的已知取值{why}",
                    f"请核对原表，或在 datasets.toml 的 [dimensions.{key}]（专业大类在 catalogues.toml）中为它加上别名。",
                    cell,
                )
            return None
        if found.edition is not None and dim.in_force is not None:
            job.issue(
                "catalogue_mismatch",
                f"“{clean.normalize_text(raw)}”是《{found.edition.title}》的{dim.title}“{found.value}”，而 {job.out.year} 年的报表应按《{dim.in_force.title}》填写；汇总时按新旧目录对照归入",
                '请学校按本年度的专业目录填报；若本市仍用旧目录，请在任务文件中写 catalogue = { 年度 = "目录" }。',
                cell,
            )
        if found.restored:
            job.issue(
                "code_zero_restored",
                f"{dim.title}代码“{clean.normalize_text(raw)}”少一位，已补回前导 0 为“{found.restored}”，归入“{found.value}”",
                "请核对原表；代码列应设为文本格式，免得丢掉前导 0。",
                cell,
            )
        keys.append((key, found.value))
    order = job.dataset.keys
    return school_id, tuple(sorted(keys, key=lambda kv: order.index(kv[0])))


def _first_time(job: SheetJob, state: _Rows, row: Row, keyed: tuple[str | None, tuple]) -> bool:
    """A record seen in an earlier row of the table is a duplicate, not a second record."""
    if keyed in state.seen:
        names = "、".join(v for _, v in keyed[1])
        job.issue(
            "duplicate_row",
            f"{names} 在第 {state.seen[keyed] + 1} 行和第 {row.index + 1} 行各出现一次",
            "请合并或删除重复的行后重新放入。",
            job.address(row.index, 0),
        )
        return False
    state.seen[keyed] = row.index
    return True


def _record_row(
    job: SheetJob,
    table: Table,
    row: Row,
    keyed: tuple[str | None, tuple],
    field_cols: list[FieldColumn],
) -> dict[str, Value]:
    school_id, key_tuple = keyed
    place = job.place(school_id, key_tuple)
    values = {}
    line = f"清单{job.line_name(row.index)}“{'、'.join(v for _, v in key_tuple) or row.label}”"
    for p, fdef, cols in field_cols:
        where = f"{line} × 列“{'”+“'.join(c.path for c in cols)}”"
        if p.sum:
            parts = [
                Part(
                    row.index,
                    c.index,
                    table.value(row.index, c.index),
                    job.source_unit(p, fdef, c, table, row_index=row.index),
                )
                for c in cols
            ]
            values[fdef.name] = record_sum(place, fdef, parts, where)
            continue
        col = cols[0]
        unit = job.source_unit(p, fdef, col, table, row_index=row.index)
        values[fdef.name] = record_figure(
            place, fdef, row.index, col.index, table.value(row.index, col.index), unit, where
        )
    return values


def _check_total_row(
    job: SheetJob,
    table: Table,
    field_cols: list[FieldColumn],
    r: int,
    label: str,
    parts: list[dict[str, Value]],
) -> None:
    """A 合计/小计 row: kept apart as a check value and compared with the rows it sums."""
    for p, fdef, cols in field_cols:
        if fdef.total == "none" or p.sum:
            continue  # a total of a sum of columns is not written anywhere to compare with
        col = cols[0]
        raw = table.value(r, col.index)
        cleaned = clean.clean_value(raw, fdef.type)
        cell = table.address(r, col.index)
        if cleaned.status == clean.ERROR:
            job.issue(
                "bad_value",
                f"{label}行“{fdef.title}”的值无法识别：{cleaned.message}（原文“{raw}”）",
                "请在原表中更正后重新放入；tongji 不会猜测数字。",
                cell,
            )
            continue
        total = cleaned.value if isinstance(cleaned.value, float) else None
        unit = cleaned.unit or job.source_unit(p, fdef, col, table, row_index=r).unit
        if total is not None and fdef.unit and unit and unit != fdef.unit:
            factor = units.conversion_factor(unit, fdef.unit)
            total = round(total * factor, 9) if factor is not None else None  # not comparable
        part_values = [row[fdef.name] for row in parts if fdef.name in row]
        parts_sum, n = sum_parts(v.value for v in part_values)
        job.out.result.totals.append(
            Total(
                job.dataset.name,
                job.school_id,
                job.out.year,
                job.mapping.keys,
                fdef.name,
                label,
                total,
                parts_sum,
                n,
                job.out.file,
                job.sheet.name,
                cell,
                ",".join(v.cell for v in part_values),
            )
        )
        if any(v.status == clean.ERROR for v in part_values):
            continue  # a part could not be read; that error is already reported
        if fdef.total == "mean":
            _check_mean(job, label, fdef, total, part_values, cell)
        elif total is not None and not agrees(total, parts_sum) and not (total == 0 and n == 0):
            # (a 0 over rows that are all blank, `—`, agrees with them.) Said once the whole
            # workbook is read: its rows may go on in a sheet of their own (教基3221续).
            first, last = (part_values[0].cell, part_values[-1].cell) if part_values else ("", "")
            job.out.unsettled.append(
                Unsettled(job, label, fdef, total, parts_sum or 0.0, n, f"{first}:{last}", cell)
            )


@dataclass(frozen=True)
class Unsettled:
    """A totals row that is not the sum of its sheet's rows (yet)."""

    job: SheetJob
    label: str
    fdef: FieldDef
    total: float
    parts_sum: float
    n: int
    span: str  # the rows summed: `D4:D8`
    cell: str


def settle_totals(out) -> None:
    """Say each totals row that is not the sum of its rows — counting the rows a workbook
    continues on other sheets of the same dataset that have no totals row of their own
    (the majors of 教基3221 go on in 教基3221续): a total that agrees with all of them is
    no mismatch."""
    own_total = {(t.dataset, t.field, t.sheet) for t in out.result.totals}
    for u in out.unsettled:
        job, name = u.job, u.fdef.name
        more = [
            v
            for v in out.result.values
            if v.dataset == job.dataset.name
            and v.field == name
            and v.school_id == job.school_id
            and v.sheet != job.sheet.name
            and (v.dataset, name, v.sheet) not in own_total
        ]
        extra, k = sum_parts(v.value for v in more)
        if more and agrees(u.total, u.parts_sum + (extra or 0)):
            continue
        rows = f"{u.span} 共 {u.n} 行"
        if k:
            sheets = "、".join(dict.fromkeys(f"“{v.sheet}”" for v in more))
            rows += f"，加上{sheets}的 {k} 行"
        whole = u.parts_sum + (extra or 0)
        job.issue(
            "total_mismatch",
            f"{u.label}行的“{u.fdef.title}”为 {u.total:g}，但各行之和为 {whole:g}（{rows}），相差 {u.total - whole:g}",
            "已采用各行数字，合计行只作核对；请向学校核实哪一个正确。",
            u.cell,
        )
    out.unsettled.clear()


def _check_mean(job: SheetJob, label: str, fdef: FieldDef, total, part_values, cell: str) -> None:
    """A totals row holding an average (月均收入, a rate): it lies between its rows' values."""
    values = [v.value for v in part_values if v.value is not None]
    if total is None or not values:
        return
    low, high = min(values), max(values)
    if low - ABS_TOLERANCE <= total <= high + ABS_TOLERANCE:
        return
    job.issue(
        "total_mismatch",
        f"{label}行的“{fdef.title}”为 {total:g}，是各行的平均数，却不在各行的最小值 {low:g} 与最大值 {high:g} 之间",
        "已采用各行数字，合计行只作核对；请向学校核实哪一个正确。",
        cell,
    )
