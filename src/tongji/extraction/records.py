"""Records: how one cell becomes one recorded figure (the types it becomes are in
`results.py`).

`FileOutput` collects what one workbook gives while it is read; `record_figure` takes a raw
cell through the steps clean → convert the unit → explain a blank → record, each a small
function here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..findings import issue
from ..words import units
from . import clean
from .read import Merge, Workbook, cell_address
from .results import ExtractResult, FileResult, Total, Value  # noqa: F401  (re-exported)

if TYPE_CHECKING:
    from ..config.mapping import FieldDef


ALL = "*"  # in FileOutput.tables_read: a table claimed whole (two mappings' tie): read by none


class FileOutput:
    """Where the figures and findings of one workbook go while it is extracted."""

    def __init__(self, wb: Workbook, display: str, year: int):
        self.wb, self.file, self.year = wb, display, year
        self.result = FileResult(display, wb.sha256, wb.format)
        self.hidden_said: set[tuple[str, int]] = set()  # tables whose hidden rows were reported
        # (sheet, table) → the datasets mappings read from it (ALL: claimed, read by none)
        self.tables_read: dict[tuple[str, int], set[str]] = {}
        # totals rows not the sum of their sheet's rows, said once every sheet is read
        self.unsettled: list[Any] = []
        self._sheets: dict[str, Any] | None = None  # the workbook's sheets by name, once asked

    def merge_over(self, sheet: str, row: int, col: int) -> tuple[Merge, Any] | None:
        """The merged range of the workbook's sheet that covers (row, col) without starting
        there, and its content: the cell reads blank, the content stands in its first cell."""
        if self._sheets is None:
            self._sheets = {}
            for s in self.wb.sheets:
                self._sheets.setdefault(s.name, s)
        found = self._sheets.get(sheet)
        m = found.merge_at.get((row, col)) if found is not None and found.merges else None
        if m is None or (m.first_row, m.first_col) == (row, col):
            return None
        return m, found.cell(m.first_row, m.first_col)  # type: ignore[union-attr]

    def table_read(self, sheet: str, table: int, dataset: str) -> None:
        self.tables_read.setdefault((sheet, table), set()).add(dataset)

    def issue(
        self,
        code: str,
        message: str,
        hint: str = "",
        sheet: str = "",
        cell: str = "",
        mapping: str = "",
        severity: str | None = None,
    ) -> None:
        self.result.issues.append(
            issue(
                code,
                message,
                hint,
                severity=severity,
                file=self.file,
                sheet=sheet,
                cell=cell,
                school_id=self.result.school_id or "",
                mapping=mapping,
                year=self.year or None,
            )
        )

    def attribute(self, school_id: str, how: str) -> None:
        """The workbook is this school's: earlier findings get its id too."""
        self.result.school_id, self.result.school_how = school_id, how
        self.result.issues = [
            i if i.school_id else replace(i, school_id=school_id) for i in self.result.issues
        ]


@dataclass(frozen=True)
class Place:
    """Where a figure is being recorded from: the sheet, the mapping, the record."""

    out: FileOutput
    sheet: str
    mapping: str
    dataset: str
    school_id: str | None
    keys: tuple[tuple[str, str], ...]
    flip: bool = False  # read through a transposed window: (row, col) are the sheet's (col, row)

    def address(self, row: int, col: int) -> str:
        return cell_address(col, row) if self.flip else cell_address(row, col)

    def origin(self, row: int, col: int) -> tuple[int, int]:
        return (col, row) if self.flip else (row, col)


@dataclass(frozen=True)
class SourceUnit:
    unit: str | None
    how: str  # where the unit was read: 映射指定, 表头, 行标签, 表内“单位”, 映射默认, 标签


def record_figure(
    place: Place,
    fdef: FieldDef,
    row: int,
    col: int,
    raw: Any,
    unit: SourceUnit,
    where: str,
    inline: bool = False,
) -> Value:
    """Clean one raw cell, convert it to the field's unit, explain a blank, and record it."""
    cell = cell_address(col, row) if place.flip else cell_address(row, col)
    cleaned = clean.clean_value(raw, fdef.type, fdef.length)
    if cleaned.warning:
        place.out.issue(
            "code_zero_restored",
            f"“{fdef.title}”：{cleaned.warning}",
            "请核对原表；代码列应设为文本格式，免得丢掉前导 0。",
            place.sheet,
            cell,
            place.mapping,
        )
    if place.out.wb.recalc_risk:
        _check_recalc(place, fdef, row, col, cell, cleaned)
    if cleaned.unit:  # the cell says its own unit: `856000元`
        unit = SourceUnit(cleaned.unit, "单元格内")
    rule = f"{where}；{cleaned.rule}" if cleaned.rule else where
    value: float | None = None
    text: str | None = None
    factor, status = 1.0, cleaned.status
    if cleaned.status == clean.VALUE and fdef.type in ("text", "code"):
        text = str(cleaned.value)
    elif cleaned.status == clean.VALUE:
        value, factor, status, rule = _convert(place, fdef, float(cleaned.value), unit, cell, rule)  # type: ignore[arg-type]
    elif cleaned.status == clean.ERROR:
        _bad_value(place, f"“{fdef.title}”", cell, cleaned, raw)
    elif cleaned.status == clean.EMPTY and not inline:
        merged = _merged_over(place, fdef, row, col, cell)
        if merged:
            status, rule = clean.ERROR, f"{rule}；{merged}"
        else:
            status, rule = _explain_blank(place, fdef, row, col, cell, status, rule)
    _check_range(place, fdef, value, cell)
    v = Value(
        place.dataset,
        place.school_id,
        place.out.year,
        place.keys,
        fdef.name,
        value,
        text,
        status,
        fdef.unit,
        unit.unit,
        factor,
        clean.raw_text(raw),
        place.out.file,
        place.sheet,
        cell,
        place.mapping,
        rule,
    )
    place.out.result.values.append(v)
    return v


def _check_recalc(
    place: Place, fdef: FieldDef, row: int, col: int, cell: str, cleaned: clean.Cleaned
) -> None:
    """A figure that is a formula in a workbook asking to be recalculated when opened (as
    programs that write workbooks do): its stored result may be 0 or stale. Said per cell."""
    wb = place.out.wb
    if wb.recalc_risk and wb.formula_at(place.sheet, *place.origin(row, col)):
        place.out.issue(
            "formula_recalc_needed",
            f"“{fdef.title}”是公式，而工作簿要求打开时重新计算；文件中保存的结果"
            f"（{clean.raw_text(cleaned.value) if cleaned.value is not None else '空'}）可能是 0 或旧值",
            "请在 Excel 或 WPS 中打开该文件，确认数字后保存，再重新放入。",
            place.sheet,
            cell,
            place.mapping,
        )


def _bad_value(place: Place, what: str, cell: str, cleaned: clean.Cleaned, raw: Any) -> None:
    """A cell that is no number tongji can read: said at the cell, never guessed."""
    place.out.issue(
        "bad_value",
        f"{what}的值无法识别：{cleaned.message}（原文“{clean.raw_text(raw)}”）",
        "请在原表中更正后重新放入；tongji 不会猜测数字。",
        place.sheet,
        cell,
        place.mapping,
    )


def _check_range(place: Place, fdef: FieldDef, value: float | None, cell: str) -> None:
    """A figure outside the range a field declares as plausible is kept and said."""
    if value is None or fdef.range is None or fdef.range[0] <= value <= fdef.range[1]:
        return
    low, high = fdef.range
    place.out.issue(
        "value_out_of_range",
        f"“{fdef.title}”为 {value:g}{fdef.unit or ''}，超出合理范围 {low:g}～{high:g}",
        "请向学校核实这个数字（是否填错了单位或多打了 0）。",
        place.sheet,
        cell,
        place.mapping,
    )


def _convert(
    place: Place, fdef: FieldDef, value: float, unit: SourceUnit, cell: str, rule: str
) -> tuple[float | None, float, str, str]:
    """(value, factor, status, rule) in the field's unit; a unit that does not convert is
    an error, never a guess."""
    if not (fdef.unit and unit.unit and unit.unit != fdef.unit):
        return value, 1.0, clean.VALUE, rule
    factor = units.conversion_factor(unit.unit, fdef.unit)
    if factor is None:
        place.out.issue(
            "unit_mismatch",
            f"“{fdef.title}”的单位为“{unit.unit}”（{unit.how}），无法换算为“{fdef.unit}”",
            "请核对原表的单位，或在映射中为该字段写明 unit。",
            place.sheet,
            cell,
            place.mapping,
        )
        return None, 1.0, clean.ERROR, rule
    return (
        round(value * factor, 9),
        factor,
        clean.VALUE,
        rule + f"；单位换算 {unit.unit}→{fdef.unit}（×{factor:g}，{unit.how}）",
    )


def _merged_over(place: Place, fdef: FieldDef, row: int, col: int, cell: str) -> str:
    """A blank cell inside a merged range whose content (a figure, or what was meant as
    one) stands in the range's first cell, in another row or column: whose figure that is
    cannot be told. Said at the cell, and not read as blank (nor as the merge's content,
    which the other row already counts). Returns the lineage note, or "" for no such range."""
    over = place.out.merge_over(place.sheet, *place.origin(row, col))
    if over is None:
        return ""
    m, raw = over
    if clean.clean_value(raw, fdef.type).status not in (clean.VALUE, clean.ERROR):
        return ""  # an empty merged range (or one marked 不适用): blank is what it says
    span = f"{cell_address(m.first_row, m.first_col)}:{cell_address(m.last_row, m.last_col)}"
    anchor = cell_address(m.first_row, m.first_col)
    place.out.issue(
        "merged_over_value",
        f"“{fdef.title}”的单元格 {cell} 在合并单元格 {span} 之内，合并后的内容“{clean.raw_text(raw)}”"
        f"写在 {anchor}；{cell} 的数字无法确定，未采用",
        f"请在原表中取消 {span} 的合并，在每一格分别填写数字后重新放入。",
        place.sheet,
        cell,
        place.mapping,
    )
    return f"在合并单元格 {span} 之内（内容在 {anchor}），未采用"


def _explain_blank(
    place: Place, fdef: FieldDef, row: int, col: int, cell: str, status: str, rule: str
) -> tuple[str, str]:
    """A cell that reads as blank may be a formula without its result or an error value
    (only .xlsx keeps enough to tell): each is a finding."""
    wb = place.out.wb
    if wb.format not in ("xlsx", "xlsm", "xls"):
        return status, rule
    cause = wb.blank_cell_causes(place.sheet).get(place.origin(row, col))
    if cause == "formula":
        place.out.issue(
            "formula_no_cached_value",
            f"“{fdef.title}”是公式，但文件中没有保存计算结果，按空值处理",
            "请在 Excel 中打开该文件、按 F9 重新计算并保存后重新放入。",
            place.sheet,
            cell,
            place.mapping,
        )
        return status, rule + "；公式无缓存值"
    if cause:
        place.out.issue(
            "cell_error_value",
            f"“{fdef.title}”是错误值 {cause}，按空值处理",
            "请在原表中修正该公式后重新放入。",
            place.sheet,
            cell,
            place.mapping,
        )
        return clean.ERROR, rule
    return status, rule


@dataclass(frozen=True)
class Part:
    """One cell of a figure that is the sum of several."""

    row: int
    col: int
    raw: Any
    unit: SourceUnit


def record_sum(place: Place, fdef: FieldDef, parts: list[Part], where: str) -> Value:
    """One figure that is the sum of several cells (专科及以下 = 专科 + 高中阶段 + 高中阶段以下):
    each cell cleaned and converted on its own; all of them in the lineage. A cell that
    cannot be read makes the sum an error; blank cells add nothing; all blank is blank."""
    cells = [place.address(part.row, part.col) for part in parts]
    total, status, rules, units_seen = 0.0, clean.EMPTY, [], set()
    for part, cell in zip(parts, cells, strict=True):
        cleaned = clean.clean_value(part.raw, fdef.type)
        unit = SourceUnit(cleaned.unit, "单元格内") if cleaned.unit else part.unit
        units_seen.add(unit.unit)
        if cleaned.status == clean.ERROR:
            _bad_value(
                place, f"“{fdef.title}”（{len(parts)} 格之和）中 {cell} ", cell, cleaned, part.raw
            )
            status = clean.ERROR
        elif cleaned.status == clean.VALUE and status != clean.ERROR:
            value, _, part_status, rule = _convert(
                place, fdef, float(cleaned.value), unit, cell, f"{cell}：{cleaned.rule}"
            )  # type: ignore[arg-type]
            status = clean.ERROR if part_status == clean.ERROR else clean.VALUE
            total += value or 0.0
            rules.append(rule)
        elif cleaned.status == clean.NOT_APPLICABLE and status == clean.EMPTY:
            status = clean.NOT_APPLICABLE
        elif cleaned.status == clean.EMPTY and _merged_over(place, fdef, part.row, part.col, cell):
            status = clean.ERROR  # a blank part that is not known to be blank
            rules.append(f"{cell}：在合并单元格之内，未采用")
    value = round(total, 9) if status == clean.VALUE else None
    _check_range(place, fdef, value, "+".join(cells))
    source = (
        units_seen.pop() if len(units_seen) == 1 else "、".join(sorted(u for u in units_seen if u))
    )
    rule = f"{where}；求和 {'+'.join(cells)}" + (f"（{'；'.join(rules)}）" if rules else "")
    v = Value(
        place.dataset,
        place.school_id,
        place.out.year,
        place.keys,
        fdef.name,
        value,
        None,
        status,
        fdef.unit,
        source,
        1.0,
        " + ".join(clean.raw_text(part.raw) for part in parts),
        place.out.file,
        place.sheet,
        "+".join(cells),
        place.mapping,
        rule,
    )
    place.out.result.values.append(v)
    return v
