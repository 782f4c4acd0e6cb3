"""`tongji inspect`: what tongji sees in a workbook, for a person writing a mapping."""

from __future__ import annotations

from pathlib import Path

from .clean import STATUS_LABEL
from .config import Pack
from .extract import try_mapping
from .locate import SheetView, locate_table
from .match import SheetText, choose_mapping, score_sheet
from .read import Workbook, cell_address, column_letter, read_workbook
from .roster import Roster


def _rows_span(rows: list[int]) -> str:
    if not rows:
        return "（无）"
    return f"第 {rows[0] + 1} 行" if len(rows) == 1 else f"第 {rows[0] + 1}–{rows[-1] + 1} 行"


def inspect_workbook(path: str | Path, pack: Pack | None = None, mapping_id: str | None = None, roster: Roster | None = None) -> str:
    wb = read_workbook(path)
    return describe(wb, pack, mapping_id, roster)


def describe(wb: Workbook, pack: Pack | None = None, mapping_id: str | None = None, roster: Roster | None = None) -> str:
    out: list[str] = [f"文件：{wb.path}（{wb.format}，{len(wb.sheets)} 个工作表）"]
    forced = None
    if mapping_id is not None and pack is not None:
        forced = next((m for m in pack.mappings if m.id == mapping_id), None)
        if forced is None:
            raise KeyError(mapping_id)
    for sheet in wb.sheets:
        out.append("")
        flags = [] if sheet.visible else ["隐藏"]
        if sheet.is_empty:
            flags.append("空表")
        out.append(
            f"工作表 {sheet.index + 1}“{sheet.name}”{'（' + '，'.join(flags) + '）' if flags else ''}："
            f"{sheet.n_rows} 行 × {sheet.n_cols} 列，合并区域 {len(sheet.merges)} 个"
        )
        if sheet.is_empty:
            continue
        if sheet.merges:
            shown = "、".join(f"{cell_address(m.first_row, m.first_col)}:{cell_address(m.last_row, m.last_col)}" for m in sheet.merges[:12])
            out.append(f"  合并区域：{shown}{' …' if len(sheet.merges) > 12 else ''}")
        view = SheetView(sheet)
        if view.grid_row is not None or view.grid_col is not None:
            parts = []
            if view.grid_row is not None:
                parts.append(f"第 {view.grid_row + 1} 行（A B C …）")
            if view.grid_col is not None:
                parts.append(f"{column_letter(view.grid_col)} 列（1 2 3 …）")
            out.append(f"  导出的网格标签（已忽略）：{'、'.join(parts)}")
        table = locate_table(sheet, view)
        if table is None:
            out.append("  未识别出数据表（可能是键值表，如学校基本情况表）")
        else:
            if table.unit:
                out.append(f"  表内单位：{table.unit}")
            out.append(f"  表头行：{_rows_span(table.header_rows)}")
            if table.code_row is not None:
                out.append(f"  列代码行：第 {table.code_row + 1} 行（甲 乙 1 2 3 …）")
            if table.label_col is not None:
                out.append(f"  行标签列：{column_letter(table.label_col)}" + (f"；行次列：{column_letter(table.line_col)}" if table.line_col is not None else ""))
            out.append("  列（表头路径）：")
            for col in table.columns:
                if not (col.path or col.code):
                    continue
                extra = "".join(
                    [f"  代码 {col.code}" if col.code else "", f"  [{col.unit}]" if col.unit else ""]
                )
                out.append(f"    {column_letter(col.index):>3}  {col.path or '（无标题）'}{extra}")
            labels = [f"{r.label or '（空）'}" + (f"({r.line})" if r.line else "") + ("〔合计行〕" if r.is_total else "") for r in table.data_rows]
            out.append(f"  数据行（{len(table.data_rows)} 行，{_rows_span([r.index for r in table.data_rows][:1] + [r.index for r in table.data_rows][-1:])}）：{'、'.join(labels[:30])}{' …' if len(labels) > 30 else ''}")
            if table.notes_row is not None:
                out.append(f"  表下注释从第 {table.notes_row + 1} 行开始（不读取）")
        if pack is not None:
            choice = choose_mapping(sheet, pack, SheetText(sheet), explain=True)
            verdict = (
                f"采用 {choice.mapping.id}" if choice.mapping else ("多个映射同分，无法确定" if choice.ambiguous else "没有相符的映射")
            )
            out.append(f"  映射得分：{choice.candidates(5)} → {verdict}")
            if forced is not None and sheet.visible:
                fits = any(sc.fits for sc in choice.scores if sc.mapping is forced)
                if fits or not any(_fits(s, forced, pack) for s in wb.sheets if s.visible and not s.is_empty):
                    out.extend(_field_report(wb, sheet, forced, pack, roster))
    return "\n".join(out)


def _fits(sheet, mapping, pack: Pack) -> bool:
    return score_sheet(SheetText(sheet), mapping, pack).fits


def _field_report(wb: Workbook, sheet, mapping, pack: Pack, roster: Roster | None) -> list[str]:
    result = try_mapping(wb, sheet, mapping, pack, roster)
    dataset = pack.datasets[mapping.dataset]
    lines = [f"  按映射 {mapping.id}（数据集 {dataset.name}）取值："]
    if roster is not None:
        lines.append(f"    学校：{result.school_id or '未能确定'}{'  ' + result.school_how if result.school_how else ''}")
    found = {}
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
