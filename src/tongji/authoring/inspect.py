"""`tongji inspect`: what tongji sees in a workbook, for a person writing a mapping.

`inspect_data` is what it sees, as plain data (the `--json` output, for scripts);
`describe` writes that data out for a person."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..config.mapping import Mapping, Pack
from ..errors import UsageError
from ..extraction.batch import display_path
from ..extraction.clean import STATUS_LABEL
from ..extraction.locate import Table, locate_table
from ..extraction.match import Matcher, SheetText
from ..extraction.read import Sheet, Workbook, cell_address, column_letter, read_workbook
from ..extraction.roster import Roster
from ..extraction.tables import sheet_tables
from ..extraction.view import SheetView
from ..extraction.workbook import try_mapping

MAX_MERGES_SHOWN = 12


def inspect_workbook(
    path: str | Path,
    pack: Pack | None = None,
    mapping_id: str | None = None,
    roster: Roster | None = None,
    year: int = 0,
) -> str:
    return describe(read_workbook(path), pack, mapping_id, roster, year)


def describe(
    wb: Workbook,
    pack: Pack | None = None,
    mapping_id: str | None = None,
    roster: Roster | None = None,
    year: int = 0,
) -> str:
    """Every sheet's structure; with a pack, the mappings' scores; with `mapping_id`, what
    that mapping extracts and why a field is not found."""
    data = inspect_data(wb, pack, mapping_id, roster, year)
    out: list[str] = [f"文件：{data['file']}（{data['format']}，{len(data['sheets'])} 个工作表）"]
    for sheet in data["sheets"]:
        out.append("")
        out.extend(_sheet_lines(sheet))
    return "\n".join(out)


# ---------------------------------------------------------------- what tongji sees


def inspect_data(
    wb: Workbook,
    pack: Pack | None = None,
    mapping_id: str | None = None,
    roster: Roster | None = None,
    year: int = 0,
) -> dict[str, Any]:
    forced = _forced_mapping(pack, mapping_id)
    matcher = Matcher(pack, year) if pack is not None else None
    sheets = []
    for sheet in wb.sheets:
        item: dict[str, Any] = {
            "index": sheet.index + 1,
            "name": sheet.name,
            "visible": sheet.visible,
            "empty": sheet.is_empty,
            "rows": sheet.n_rows,
            "columns": sheet.n_cols,
            "merges": [
                f"{cell_address(m.first_row, m.first_col)}:{cell_address(m.last_row, m.last_col)}"
                for m in sheet.merges
            ],
        }
        if not sheet.is_empty:
            view = SheetView(sheet)
            item["grid_labels"] = {
                "row": None if view.grid_row is None else view.grid_row + 1,
                "column": None if view.grid_col is None else column_letter(view.grid_col),
            }
            item["table"] = _table_data(locate_table(sheet, view))
            item["tables"] = _tables_data(sheet, view)
            if matcher is not None:
                item["mappings"] = _mapping_data(wb, sheet, matcher, forced, roster)
        sheets.append(item)
    return {"file": str(wb.path), "format": wb.format, "sheets": sheets}


def _forced_mapping(pack: Pack | None, mapping_id: str | None) -> Mapping | None:
    if mapping_id is None or pack is None:
        return None
    forced = next((m for m in pack.mappings if m.id == mapping_id), None)
    if forced is None:
        raise UsageError(
            f"没有名为“{mapping_id}”的映射；可用：{'、'.join(m.id for m in pack.mappings)}"
        )
    return forced


def _tables_data(sheet: Sheet, view: SheetView) -> list[dict[str, Any]]:
    """The tables of a sheet of several (captions, blank rows, notes between them): each
    one's rows, caption, units and header, and whether its records run along the columns."""
    tables = sheet_tables(sheet, view)
    if len(tables.blocks) <= 1 and not (sheet.hidden_rows or sheet.hidden_cols):
        return []
    out = []
    for t in tables.tables():
        block = tables.blocks[t.block_index] if t.block_index < len(tables.blocks) else None
        out.append(
            {
                "rows": [block.top + 1, block.bottom] if block else None,
                "caption": t.caption,
                "units": list(t.units),
                "header": [c.path for c in t.columns if c.path][:8],
                "hidden_rows": [r + 1 for r in t.hidden_rows],
                "hidden_columns": [column_letter(c) for c in t.hidden_cols],
            }
        )
    return out


def _table_data(table: Table | None) -> dict[str, Any] | None:
    if table is None:
        return None
    return {
        "units": list(table.units),
        "unit_column": None if table.unit_col is None else column_letter(table.unit_col),
        "header_rows": [r + 1 for r in table.header_rows],
        "code_row": None if table.code_row is None else table.code_row + 1,
        "label_column": None if table.label_col is None else column_letter(table.label_col),
        "line_column": None if table.line_col is None else column_letter(table.line_col),
        "columns": [
            {"column": column_letter(c.index), "path": c.path, "code": c.code, "unit": c.unit}
            for c in table.columns
            if c.path or c.code
        ],
        "data_rows": [
            {"row": r.index + 1, "label": r.label, "line": r.line, "total": r.is_total}
            for r in table.data_rows
        ],
        "notes_row": None if table.notes_row is None else table.notes_row + 1,
    }


def _mapping_data(
    wb: Workbook, sheet: Sheet, matcher: Matcher, forced: Mapping | None, roster: Roster | None
) -> dict[str, Any]:
    choice = matcher.choose(sheet, SheetText(sheet), explain=True)
    data: dict[str, Any] = {
        "scores": [
            {"mapping": s.mapping.id, "score": round(s.score, 2), "fits": s.fits}
            for s in choice.scores
        ],
        "chosen": [s.mapping.id for s in choice.chosen],
        "ambiguous": choice.ambiguous,
        "summary": choice.candidates(5),
    }
    if forced is not None and sheet.visible:
        fits = any(sc.fits for sc in choice.scores if sc.mapping is forced)
        if fits or not any(
            matcher.score(SheetText(s), forced).fits
            for s in wb.sheets
            if s.visible and not s.is_empty
        ):
            data["extracted"] = _field_data(wb, sheet, forced, matcher.pack, roster)
    return data


def _field_data(
    wb: Workbook, sheet: Sheet, mapping: Mapping, pack: Pack, roster: Roster | None
) -> dict[str, Any]:
    result = try_mapping(wb, sheet, mapping, pack, roster, display_path(Path(wb.path)))
    dataset = pack.datasets[mapping.dataset]
    found: dict[str, list] = {}
    for v in result.values:
        found.setdefault(v.field, []).append(v)
    fields = []
    for p in mapping.fields:
        fdef = dataset.fields[p.field]
        values = [
            {
                "keys": [val for _, val in v.keys],
                "cell": v.cell,
                "raw": v.raw,
                "value": v.text if v.text is not None else v.value,
                "status": v.status,
                "unit": v.unit,
                "rule": v.rule,
            }
            for v in found.get(p.field, [])
        ]
        fields.append({"field": p.field, "title": fdef.title, "values": values})
    return {
        "mapping": mapping.id,
        "dataset": dataset.name,
        "school": {"id": result.school_id, "how": result.school_how or ""}
        if roster is not None
        else None,
        "fields": fields,
        "issues": [{"code": i.code, "message": i.message, "cell": i.cell} for i in result.issues],
    }


# ---------------------------------------------------------------- for a person


def _rows_span(rows: list[int]) -> str:
    if not rows:
        return "（无）"
    return f"第 {rows[0]} 行" if len(rows) == 1 else f"第 {rows[0]}–{rows[-1]} 行"


def _sheet_lines(sheet: dict[str, Any]) -> list[str]:
    flags = [] if sheet["visible"] else ["隐藏"]
    if sheet["empty"]:
        flags.append("空表")
    lines = [
        f"工作表 {sheet['index']}“{sheet['name']}”{'（' + '，'.join(flags) + '）' if flags else ''}："
        f"{sheet['rows']} 行 × {sheet['columns']} 列，合并区域 {len(sheet['merges'])} 个"
    ]
    if sheet["empty"]:
        return lines
    merges = sheet["merges"]
    if merges:
        lines.append(
            f"  合并区域：{'、'.join(merges[:MAX_MERGES_SHOWN])}{' …' if len(merges) > MAX_MERGES_SHOWN else ''}"
        )
    grid = sheet["grid_labels"]
    parts = ([f"第 {grid['row']} 行（A B C …）"] if grid["row"] is not None else []) + (
        [f"{grid['column']} 列（1 2 3 …）"] if grid["column"] is not None else []
    )
    if parts:
        lines.append(f"  导出的网格标签（已忽略）：{'、'.join(parts)}")
    if sheet.get("tables"):
        lines.append(
            f"  这张工作表中有 {len(sheet['tables'])} 张表（映射读含它的字段最多的一张，或 caption 写明的一张）："
        )
        for i, t in enumerate(sheet["tables"], 1):
            where = f"第 {t['rows'][0]}–{t['rows'][1]} 行" if t["rows"] else ""
            lines.append(
                f"    {i}. {where}“{t['caption'] or '（无标题）'}”"
                + (f"，单位 {'、'.join(t['units'])}" if t["units"] else "")
                + (f"，表头 {'、'.join(t['header'])}" if t["header"] else "")
                + (
                    f"，隐藏的行 {'、'.join(map(str, t['hidden_rows']))}（不读）"
                    if t["hidden_rows"]
                    else ""
                )
                + (
                    f"，隐藏的列 {'、'.join(t['hidden_columns'])}（不读）"
                    if t["hidden_columns"]
                    else ""
                )
            )
        lines.append("  下面是把整张工作表当作一张表时的描述：")
    lines.extend(_table_lines(sheet["table"]))
    if "mappings" in sheet:
        lines.extend(_mapping_lines(sheet["mappings"]))
    return lines


def _table_lines(table: dict[str, Any] | None) -> list[str]:
    if table is None:
        return ["  未识别出数据表（可能是键值表，如学校基本情况表）"]
    out = []
    if table["units"]:
        out.append(f"  表内单位：{'、'.join(table['units'])}")
    if table["unit_column"] is not None:
        out.append(f"  单位列：{table['unit_column']}（每行的单位写在这一列）")
    out.append(f"  表头行：{_rows_span(table['header_rows'])}")
    if table["code_row"] is not None:
        out.append(f"  列代码行：第 {table['code_row']} 行（甲 乙 1 2 3 …）")
    if table["label_column"] is not None:
        out.append(
            f"  行标签列：{table['label_column']}"
            + (f"；行次列：{table['line_column']}" if table["line_column"] is not None else "")
        )
    out.append("  列（表头路径）：")
    for col in table["columns"]:
        extra = "".join(
            [
                f"  代码 {col['code']}" if col["code"] else "",
                f"  [{col['unit']}]" if col["unit"] else "",
            ]
        )
        out.append(f"    {col['column']:>3}  {col['path'] or '（无标题）'}{extra}")
    rows = table["data_rows"]
    labels = [
        f"{r['label'] or '（空）'}"
        + (f"({r['line']})" if r["line"] else "")
        + ("〔合计行〕" if r["total"] else "")
        for r in rows
    ]
    indices = [r["row"] for r in rows]
    out.append(
        f"  数据行（{len(rows)} 行，{_rows_span(indices[:1] + indices[-1:])}）：{'、'.join(labels[:30])}{' …' if len(labels) > 30 else ''}"
    )
    if table["notes_row"] is not None:
        out.append(f"  表下注释从第 {table['notes_row']} 行开始（不读取）")
    return out


def _mapping_lines(data: dict[str, Any]) -> list[str]:
    if data["chosen"]:
        verdict = "采用 " + "、".join(data["chosen"])
    else:
        verdict = "多个映射同分，无法确定" if data["ambiguous"] else "没有相符的映射"
    out = [f"  映射得分：{data['summary']} → {verdict}"]
    if "extracted" in data:
        out.extend(_field_lines(data["extracted"]))
    return out


def _field_lines(data: dict[str, Any]) -> list[str]:
    lines = [f"  按映射 {data['mapping']}（数据集 {data['dataset']}）取值："]
    school = data["school"]
    if school is not None:
        lines.append(
            f"    学校：{school['id'] or '未能确定'}{'  ' + school['how'] if school['how'] else ''}"
        )
    for f in data["fields"]:
        hits = f["values"]
        if not hits:
            lines.append(f"    {f['field']:<24} {f['title']}：未取到")
            continue
        for v in hits[:5]:
            value = v["value"]
            shown = (
                value
                if isinstance(value, str)
                else (
                    f"{value:g}"
                    if value is not None
                    else STATUS_LABEL.get(v["status"], v["status"])
                )
            )
            keys = f" [{'、'.join(v['keys'])}]" if v["keys"] else ""
            unit = (
                " " + v["unit"]
                if v["unit"] and value is not None and not isinstance(value, str)
                else ""
            )
            lines.append(
                f"    {f['field']:<24} {f['title']}{keys}：{v['cell']} 原文“{v['raw']}” → {shown}{unit}  （{v['rule']}）"
            )
        if len(hits) > 5:
            lines.append(f"    {'':<24} … 共 {len(hits)} 行")
    for issue in data["issues"]:
        lines.append(
            f"    ！{issue['message']}" + (f"（{issue['cell']}）" if issue["cell"] else "")
        )
    return lines
