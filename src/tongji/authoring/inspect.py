"""`tongji inspect`: what tongji sees in a workbook, for a person writing a mapping."""

from __future__ import annotations

from pathlib import Path

from ..config.mapping import Mapping, Pack
from ..errors import UsageError
from ..extraction.batch import display_path
from ..extraction.clean import STATUS_LABEL
from ..extraction.locate import Table, locate_table
from ..extraction.match import Matcher, SheetText
from ..extraction.read import Sheet, Workbook, cell_address, column_letter, read_workbook
from ..extraction.roster import Roster
from ..extraction.view import SheetView
from ..extraction.workbook import try_mapping


def _rows_span(rows: list[int]) -> str:
    if not rows:
        return "（无）"
    return f"第 {rows[0] + 1} 行" if len(rows) == 1 else f"第 {rows[0] + 1}–{rows[-1] + 1} 行"


def inspect_workbook(path: str | Path, pack: Pack | None = None, mapping_id: str | None = None, roster: Roster | None = None, year: int = 0) -> str:
    return describe(read_workbook(path), pack, mapping_id, roster, year)


def describe(wb: Workbook, pack: Pack | None = None, mapping_id: str | None = None, roster: Roster | None = None, year: int = 0) -> str:
    """Every sheet's structure; with a pack, the mappings' scores; with `mapping_id`, what
    that mapping extracts and why a field is not found."""
    forced = _forced_mapping(pack, mapping_id)
    matcher = Matcher(pack, year) if pack is not None else None
    out: list[str] = [f"文件：{wb.path}（{wb.format}，{len(wb.sheets)} 个工作表）"]
    for sheet in wb.sheets:
        out.append("")
        out.extend(_sheet_heading(sheet))
        if sheet.is_empty:
            continue
        view = SheetView(sheet)
        out.extend(_grid_labels(view))
        out.extend(_table_lines(locate_table(sheet, view)))
        if matcher is not None:
            out.extend(_mapping_lines(wb, sheet, matcher, forced, roster))
    return "\n".join(out)


def _forced_mapping(pack: Pack | None, mapping_id: str | None) -> Mapping | None:
    if mapping_id is None or pack is None:
        return None
    forced = next((m for m in pack.mappings if m.id == mapping_id), None)
    if forced is None:
        raise UsageError(f"没有名为“{mapping_id}”的映射；可用：{'、'.join(m.id for m in pack.mappings)}")
    return forced


def _sheet_heading(sheet: Sheet) -> list[str]:
    flags = [] if sheet.visible else ["隐藏"]
    if sheet.is_empty:
        flags.append("空表")
    lines = [
        f"工作表 {sheet.index + 1}“{sheet.name}”{'（' + '，'.join(flags) + '）' if flags else ''}："
        f"{sheet.n_rows} 行 × {sheet.n_cols} 列，合并区域 {len(sheet.merges)} 个"
    ]
    if sheet.merges and not sheet.is_empty:
        shown = "、".join(f"{cell_address(m.first_row, m.first_col)}:{cell_address(m.last_row, m.last_col)}" for m in sheet.merges[:12])
        lines.append(f"  合并区域：{shown}{' …' if len(sheet.merges) > 12 else ''}")
    return lines


def _grid_labels(view: SheetView) -> list[str]:
    parts = []
    if view.grid_row is not None:
        parts.append(f"第 {view.grid_row + 1} 行（A B C …）")
    if view.grid_col is not None:
        parts.append(f"{column_letter(view.grid_col)} 列（1 2 3 …）")
    return [f"  导出的网格标签（已忽略）：{'、'.join(parts)}"] if parts else []


def _table_lines(table: Table | None) -> list[str]:
    if table is None:
        return ["  未识别出数据表（可能是键值表，如学校基本情况表）"]
    out = []
    if table.units:
        out.append(f"  表内单位：{'、'.join(table.units)}")
    if table.unit_col is not None:
        out.append(f"  单位列：{column_letter(table.unit_col)}（每行的单位写在这一列）")
    out.append(f"  表头行：{_rows_span(table.header_rows)}")
    if table.code_row is not None:
        out.append(f"  列代码行：第 {table.code_row + 1} 行（甲 乙 1 2 3 …）")
    if table.label_col is not None:
        out.append(f"  行标签列：{column_letter(table.label_col)}" + (f"；行次列：{column_letter(table.line_col)}" if table.line_col is not None else ""))
    out.append("  列（表头路径）：")
    for col in table.columns:
        if not (col.path or col.code):
            continue
        extra = "".join([f"  代码 {col.code}" if col.code else "", f"  [{col.unit}]" if col.unit else ""])
        out.append(f"    {column_letter(col.index):>3}  {col.path or '（无标题）'}{extra}")
    labels = [f"{r.label or '（空）'}" + (f"({r.line})" if r.line else "") + ("〔合计行〕" if r.is_total else "") for r in table.data_rows]
    indices = [r.index for r in table.data_rows]
    out.append(f"  数据行（{len(table.data_rows)} 行，{_rows_span(indices[:1] + indices[-1:])}）：{'、'.join(labels[:30])}{' …' if len(labels) > 30 else ''}")
    if table.notes_row is not None:
        out.append(f"  表下注释从第 {table.notes_row + 1} 行开始（不读取）")
    return out


def _mapping_lines(wb: Workbook, sheet: Sheet, matcher: Matcher, forced: Mapping | None, roster: Roster | None) -> list[str]:
    choice = matcher.choose(sheet, SheetText(sheet), explain=True)
    if choice.chosen:
        verdict = "采用 " + "、".join(s.mapping.id for s in choice.chosen)
    else:
        verdict = "多个映射同分，无法确定" if choice.ambiguous else "没有相符的映射"
    out = [f"  映射得分：{choice.candidates(5)} → {verdict}"]
    if forced is not None and sheet.visible:
        fits = any(sc.fits for sc in choice.scores if sc.mapping is forced)
        if fits or not any(matcher.score(SheetText(s), forced).fits for s in wb.sheets if s.visible and not s.is_empty):
            out.extend(_field_report(wb, sheet, forced, matcher.pack, roster))
    return out


def _field_report(wb: Workbook, sheet: Sheet, mapping: Mapping, pack: Pack, roster: Roster | None) -> list[str]:
    result = try_mapping(wb, sheet, mapping, pack, roster, display_path(Path(wb.path)))
    dataset = pack.datasets[mapping.dataset]
    lines = [f"  按映射 {mapping.id}（数据集 {dataset.name}）取值："]
    if roster is not None:
        lines.append(f"    学校：{result.school_id or '未能确定'}{'  ' + result.school_how if result.school_how else ''}")
    found: dict[str, list] = {}
    for v in result.values:
        found.setdefault(v.field, []).append(v)
    for p in mapping.fields:
        fdef = dataset.fields[p.field]
        hits = found.get(p.field, [])
        if not hits:
            lines.append(f"    {p.field:<24} {fdef.title}：未取到")
            continue
        for v in hits[:5]:
            shown = v.text if v.text is not None else (f"{v.value:g}" if v.value is not None else STATUS_LABEL.get(v.status, v.status))
            keys = f" [{'、'.join(val for _, val in v.keys)}]" if v.keys else ""
            lines.append(f"    {p.field:<24} {fdef.title}{keys}：{v.cell} 原文“{v.raw}” → {shown}{' ' + v.unit if v.unit and v.value is not None else ''}  （{v.rule}）")
        if len(hits) > 5:
            lines.append(f"    {'':<24} … 共 {len(hits)} 行")
    for issue in result.issues:
        lines.append(f"    ！{issue.message}" + (f"（{issue.cell}）" if issue.cell else ""))
    return lines
