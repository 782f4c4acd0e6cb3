"""`tongji mappings check --against FILE…`: what each mapping would extract from real
returns, with the values a person should look at twice.

A mapping that passes `mappings check` can still read the wrong cells: a 行次 column taken
for figures (专任教师 = 1, 2, 3 …), a 合计 row of a table that holds several schools given
to one of them, a figure far outside its field's range. Each such value is flagged here,
before a batch runs with the mapping.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..config.mapping import Mapping, Pack
from ..config.placements import CellPlacement
from ..errors import WorkbookError
from ..extraction.batch import display_path
from ..extraction.locate import is_total_label, locate_table
from ..extraction.match import Matcher, SheetText
from ..extraction.read import Sheet, Workbook, column_index, read_workbook
from ..extraction.records import Value
from ..extraction.roster import Roster
from ..extraction.workbook import try_mapping

SHOWN = 6  # values shown per field


def check_against(
    pack: Pack, files: list[str | Path], roster: Roster | None = None, year: int = 0
) -> tuple[str, int]:
    """The report for a person, and how many values it flags."""
    data = against_data(pack, files, roster, year)
    lines: list[str] = []
    for f in data["files"]:
        lines.append(f"文件：{f['file']}")
        if f["error"]:
            lines.append(f"  无法读取：{f['error']}")
        for sh in f["sheets"]:
            if sh["mapping"] is None:
                lines.append(f"  工作表“{sh['sheet']}”：{sh['problem']}")
                continue
            how = "没有映射，按含义读取" if sh.get("by_meaning") else f"映射 {sh['mapping']}"
            lines.append(f"  工作表“{sh['sheet']}” → {how}（数据集 {sh['dataset']}）")
            for fld in sh["fields"]:
                values = fld["values"]
                shown = "、".join(f"{v['cell']}={v['shown']}" for v in values[:SHOWN]) + (
                    f" …（共 {len(values)} 个）" if len(values) > SHOWN else ""
                )
                lines.append(f"    {fld['field']}（{fld['title']}）：{shown or '未取到'}")
                lines += [f"      ！可疑：{doubt}" for doubt in fld["doubts"]]
            lines += [
                f"    ！{i['message']}" + (f"（{i['cell']}）" if i["cell"] else "")
                for i in sh["issues"]
            ]
    lines.append("")
    lines.append(
        f"共标出 {data['flagged']} 个可疑的值。" if data["flagged"] else "没有发现可疑的值。"
    )
    return "\n".join(lines), data["flagged"]


def against_data(
    pack: Pack, files: list[str | Path], roster: Roster | None = None, year: int = 0
) -> dict[str, Any]:
    """What each mapping extracts from each file, with the values to look at twice, as
    plain data (`--json`)."""
    out: list[dict[str, Any]] = []
    flagged = 0
    matcher = Matcher(pack, year)
    for path in files:
        item: dict[str, Any] = {"file": str(path), "error": "", "sheets": []}
        out.append(item)
        try:
            wb = read_workbook(path)
        except WorkbookError as exc:
            item["error"] = exc.describe()
            continue
        for sheet in wb.sheets:
            if sheet.is_empty or not sheet.visible:
                continue
            choice = matcher.choose(sheet, SheetText(sheet))
            if not choice.chosen:
                readings = [] if choice.ambiguous else _by_meaning(sheet, pack, roster, year)
                for mapping in readings:  # what extraction reads there with no mapping
                    report = _mapping_report(wb, sheet, mapping, pack, roster, year)
                    report["by_meaning"] = True
                    flagged += sum(len(f["doubts"]) for f in report["fields"])
                    item["sheets"].append(report)
                if readings:
                    continue
                why = "多个映射同等相符" if choice.ambiguous else "没有相符的映射"
                item["sheets"].append(
                    {
                        "sheet": sheet.name,
                        "mapping": None,
                        "problem": f"{why}（{choice.candidates()}）",
                    }
                )
                continue
            for score in choice.chosen:
                report = _mapping_report(wb, sheet, score.mapping, pack, roster, year)
                flagged += sum(len(f["doubts"]) for f in report["fields"])
                item["sheets"].append(report)
    return {"files": out, "flagged": flagged}


def _by_meaning(sheet: Sheet, pack: Pack, roster: Roster | None, year: int) -> list[Mapping]:
    """The mappings the pack compiles from a sheet no mapping reads (its labels' meaning)."""
    from ..extraction.meaning import Reader
    from ..extraction.tables import sheet_tables
    from ..extraction.view import SheetView
    from ..words.roster import Roster as _Roster

    reader = Reader(pack, roster or _Roster([]), pack.dimensions_for(year), year)
    view = SheetView(sheet)
    return [r.mapping for r in reader.read(sheet_tables(sheet, view))]


def _mapping_report(
    wb: Workbook, sheet: Sheet, mapping: Mapping, pack: Pack, roster: Roster | None, year: int
) -> dict[str, Any]:
    result = try_mapping(wb, sheet, mapping, pack, roster, display_path(Path(wb.path)), year)
    dataset = pack.datasets[mapping.dataset]
    by_field: dict[str, list[Value]] = {}
    for v in result.values:
        by_field.setdefault(v.field, []).append(v)
    shared = _shared_cells(by_field)
    fields = []
    for p in mapping.fields:
        values = by_field.get(p.field, [])
        fields.append(
            {
                "field": p.field,
                "title": dataset.fields[p.field].title,
                "values": [
                    {
                        "cell": v.cell,
                        "value": v.text if v.text is not None else v.value,
                        "shown": _shown(v),
                    }
                    for v in values
                ],
                "doubts": _doubts(sheet, mapping, p, values, pack, year)
                + [
                    f"与字段 {other} 取自同一些单元格（{'、'.join(cells[:3])}）：两个字段不会是同一个数字"
                    for other, cells in shared.get(p.field, {}).items()
                ],
            }
        )
    issues = [{"message": i.message, "cell": i.cell} for i in result.issues]
    return {
        "sheet": sheet.name,
        "mapping": mapping.id,
        "dataset": dataset.name,
        "problem": "",
        "fields": fields,
        "issues": issues,
    }


def _shown(v: Value) -> str:
    if v.text is not None:
        return v.text
    return f"{v.value:g}" if v.value is not None else f"（{v.status}）"


def _shared_cells(by_field: dict[str, list[Value]]) -> dict[str, dict[str, list[str]]]:
    """Fields of one mapping that read the same cells: field → other field → the cells."""
    out: dict[str, dict[str, list[str]]] = {}
    cells = {f: {v.cell for v in values} for f, values in by_field.items()}
    for a in cells:
        for b in cells:
            both = sorted(cells[a] & cells[b])
            if a != b and both:
                out.setdefault(a, {})[b] = both
    return out


_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


def _other_year(p, year: int) -> list[str]:
    """A column or row named by a year that is not the one being read (`2019年` in a
    mapping run for 2020): next year it reads last year's figures. `{year}` says it."""
    texts = [*getattr(p, "column", ()), *getattr(p, "row", ()), *getattr(p, "label", ())]
    named = sorted({y for t in texts for y in _YEAR.findall(t)})
    if not named or (year and str(year) in named):
        return []
    shown = "、".join(f"“{t}”" for t in texts if _YEAR.search(t))
    return [
        f"映射写的是 {shown}，"
        + (f"而正在读的是 {year} 年的报表" if year else "这是某一年的列")
        + '：请改写为 "{year}年"（或 "{year}"），每年取当年那一列'
    ]


def _doubts(
    sheet: Sheet, mapping: Mapping, p, values: list[Value], pack: Pack, year: int = 0
) -> list[str]:
    """Why these values may not be the figures meant."""
    fdef = pack.datasets[mapping.dataset].fields[p.field]
    out = _other_year(p, year)
    numbers = [v.value for v in values if v.value is not None]
    if (
        len(numbers) >= 3
        and [int(n) for n in numbers]
        == list(range(int(numbers[0]), int(numbers[0]) + len(numbers)))
        and numbers[0] in (0, 1)
    ):
        out.append("各行的值是 1、2、3……，像是行次或序号列，不是数字")
    headers = _column_headers(sheet, values)
    if any(word in header for header in headers for word in ("行次", "序号", "编号")):
        out.append(f"取自“{'、'.join(sorted(headers))}”列，这一列是行的编号")
    if (
        isinstance(p, CellPlacement)
        and any(is_total_label(label) for label in p.row)
        and mapping.records is None
    ):
        table = locate_table(sheet)
        schools = table is not None and any(
            c.parts and c.parts[-1] in ("学校名称", "单位名称", "学校") for c in table.columns
        )
        if schools:
            out.append(
                '取自合计行，而这张表每行是一所学校：合计不属于任何一所学校；请改用 [records] school = "学校名称"'
            )
    if fdef.range is not None:
        low, high = fdef.range
        outside = [v for v in values if v.value is not None and not low <= v.value <= high]
        if outside:
            out.append(
                f"{'、'.join(f'{v.cell}={v.value:g}' for v in outside[:3])} 超出合理范围 {low:g}～{high:g}"
            )
    return out


def _column_headers(sheet: Sheet, values: list[Value]) -> set[str]:
    """The header texts (last part) of the columns these values were read from."""
    table = locate_table(sheet)
    if table is None:
        return set()
    letters = {"".join(ch for ch in v.cell.split("+")[0] if ch.isalpha()) for v in values}
    cols = {column_index(letters_) for letters_ in letters if letters_}
    return {c.parts[-1] for c in table.columns if c.index in cols and c.parts} | (
        {"行次"} if table.line_col in cols else set()
    )
