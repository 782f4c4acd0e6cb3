"""`tongji mappings suggest`: a draft mapping for a workbook of a new layout.

It reads the sheet the way extraction does (header paths, row labels, key–value labels),
matches them against the dataset's field titles and aliases, and writes a TOML draft in
the layout that explains the most fields. What it could not match is listed in the draft
as comments for a person to fill in. Nothing here guesses a figure: the draft still has
to pass `tongji mappings check` and be tried with `tongji inspect --mapping`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..config.mapping import Dataset, Pack
from ..errors import UsageError, WorkbookError
from ..extraction.clean import looks_numeric, normalize_label
from ..extraction.locate import META_RE, Column, Table, is_total_label, locate_table
from ..extraction.read import Sheet, read_workbook
from ..extraction.tables import CAPTION_RE, caption_words, sheet_tables
from ..extraction.view import SheetView, find_labelled_value

SCHOOL_LABELS = ("学校名称", "单位名称", "学校")
# Columns that number or code the rows: never a figure's column.
_INDEX_WORDS = ("行次", "序号", "编号", "代码", "行号")
_YEAR_OR_DATE = re.compile(r"(19|20)\d\d|\d+月|\d+日|\d{1,2}[./-]\d{1,2}")


@dataclass
class Draft:
    layout: str
    sheet: Sheet
    fields: list[dict[str, str]] = field(default_factory=list)  # field → placement keys
    missing: list[str] = field(default_factory=list)
    records: dict[str, str] = field(default_factory=dict)
    contains: list[str] = field(default_factory=list)
    school_label: str | None = None
    caption: str | None = None  # the table of a sheet of several: words of its caption

    @property
    def score(self) -> int:
        return len(self.fields)


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _is_index_column(table: Table, col: Column) -> bool:
    """A column that numbers or codes the rows (行次, 序号, 专业代码, or 1 2 3 … down the rows)."""
    if col.parts and any(word in col.parts[-1] for word in _INDEX_WORDS):
        return True
    numbers = [table.value(r.index, col.index) for r in table.data_rows]
    whole = [
        int(v)
        for v in numbers
        if isinstance(v, (int, float)) and not isinstance(v, bool) and float(v).is_integer()
    ]
    return (
        len(whole) >= 3
        and whole == list(range(whole[0], whole[0] + len(whole)))
        and whole[0] in (0, 1)
    )


def _match_column(table: Table, labels: tuple[str, ...], figures: bool = True) -> str | None:
    """The one column whose header is one of `labels` (or contains one); for a figure never
    a column that numbers or codes the rows."""
    columns = [c for c in table.columns if c.parts and not (figures and _is_index_column(table, c))]
    exact = [c for c in columns if c.parts[-1] in labels]
    if len(exact) == 1:
        return exact[0].path
    loose = [c for c in columns if any(label and label in c.parts[-1] for label in labels)]
    if len(loose) == 1:
        return loose[0].path
    # a header that is part of the field's name (人数 for 总人数)
    within = [
        c
        for c in columns
        if len(c.parts[-1]) >= 2 and any(c.parts[-1] in label for label in labels)
    ]
    return within[0].path if len(within) == 1 else None


def _key_column(table: Table, dim) -> str | None:
    """The column of a record key: by its header (专业大类, 教师类别名称 …), else the column
    whose cells are values of the dimension (类别 | 专任教师 …)."""
    col = _match_column(
        table, (normalize_label(dim.title), normalize_label(dim.title) + "名称"), figures=False
    )
    if col is not None or dim.free:
        return col
    hits = [
        (sum(1 for r in table.data_rows if dim.resolve(table.value(r.index, c.index))), c)
        for c in table.columns
        if c.parts
    ]
    best = max(hits, key=lambda h: h[0], default=(0, None))
    return best[1].path if best[0] >= 2 and best[1] is not None else None


def _school_column(table: Table) -> str | None:
    """A column naming a school on each row: the table holds several schools."""
    return next((c.path for c in table.columns if c.parts and c.parts[-1] in SCHOOL_LABELS), None)


def _grid_drafts(sheet: Sheet, table: Table, dataset: Dataset, pack: Pack) -> list[Draft]:
    if not any(c.path for c in table.columns):
        return []  # no header: label | value pairs, a key–value draft's
    school = _school_column(table)
    if school is None and not dataset.keys and _rows_are_names(table, dataset):
        school = ""  # schools down the rows (a county's table, turned): the row label
    if dataset.keys or school is not None:  # one record per row (per school, when rows are schools)
        draft = _records_draft(sheet, table, dataset, pack, school)
        return [draft] if len(draft.records) == len(dataset.keys) + (school is not None) else []
    return [
        d
        for d in (
            _totals_row_draft(sheet, table, dataset),
            _value_column_draft(sheet, table, dataset),
        )
        if d is not None
    ]


def _rows_are_names(table: Table, dataset: Dataset) -> bool:
    """Rows that name things (schools) rather than fields, under columns that are fields,
    with a 合计 row: a county's table of schools (along its columns, as turned here)."""
    labels = {label for f in dataset.fields.values() for label in f.labels}
    rows = [r for r in table.data_rows if not is_total_label(r.label)]
    named = [c for c in table.columns if c.parts and c.parts[-1] in labels]
    return (
        len(rows) >= 2
        and len(named) >= 2
        and any(is_total_label(r.label) for r in table.data_rows)
        and not any(r.label in labels for r in rows)
    )


def _records_draft(
    sheet: Sheet, table: Table, dataset: Dataset, pack: Pack, school: str | None
) -> Draft:
    """One record per row: each key's column (or the row label), each field's column; a
    school column makes each row a school's (a county's summary: never its 合计 row)."""
    d = Draft("list" if table.code_row is None else "grid", sheet)
    if school is not None:
        d.records["school"] = school
    for key in dataset.keys:
        dim = pack.dimensions[key]
        col = _key_column(table, dim)
        if col is not None:
            d.records[key] = col
        elif not dim.free and sum(1 for r in table.data_rows if dim.resolve(r.label)) >= 2:
            d.records[key] = ""  # the row label
    for name, fdef in dataset.fields.items():
        col = _match_column(table, fdef.labels, figures=fdef.type not in ("code", "text"))
        taken = {p.get("column") for p in d.fields} | set(d.records.values())
        if col is not None and col not in taken:  # never two fields on the same cells
            d.fields.append({"field": name, "column": col})
        else:
            d.missing.append(name)
    return d


def _totals_row_draft(sheet: Sheet, table: Table, dataset: Dataset) -> Draft | None:
    """One record: the figures in a totals row, each under its column."""
    total_row = next(
        (r for r in table.data_rows if is_total_label(r.label)),
        table.data_rows[0] if table.data_rows else None,
    )
    if total_row is None or not total_row.label:
        return None  # a row without a label cannot be named in a mapping
    d = Draft("grid", sheet)
    for name, fdef in dataset.fields.items():
        col = _match_column(table, fdef.labels, figures=fdef.type not in ("code", "text"))
        if col is not None and col not in {p["column"] for p in d.fields}:
            d.fields.append({"field": name, "row": total_row.label, "column": col})
        else:
            d.missing.append(name)
    return d


def _value_column_draft(sheet: Sheet, table: Table, dataset: Dataset) -> Draft | None:
    """One record: one figure per row, in the column that holds the most numbers."""
    numeric = [
        (sum(looks_numeric(table.value(r.index, c.index)) for r in table.data_rows), c)
        for c in table.columns
        if c.path and not _is_index_column(table, c)
    ]
    numeric.sort(key=lambda x: -x[0])
    if not numeric or not numeric[0][0]:
        return None
    value_col = numeric[0][1]
    rivals = [c for n, c in numeric if n >= 0.8 * numeric[0][0]]
    totals = [c for c in rivals if c.parts and is_total_label(c.parts[-1])]
    if totals and len(rivals) - len(totals) > 1:
        return None  # columns of figures and their 合计 (schools across): which is not a guess
    d = Draft("grid", sheet)
    column = _year_placeholder(value_col.path)
    rows = {r.label: r for r in table.data_rows if r.label}
    for name, fdef in dataset.fields.items():
        hit = next((label for label in fdef.labels if label in rows), None)
        if hit is None:
            hit = next(
                (label for label in rows if any(lab and lab in label for lab in fdef.labels)), None
            )
        if hit is not None and hit not in {p["row"] for p in d.fields}:
            d.fields.append({"field": name, "row": hit, "column": column})
        else:
            d.missing.append(name)
    return d


_YEAR_PART = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


def _year_placeholder(path: str) -> str:
    """A column headed by a year (`2020年`, `2020`) as `{year}年`: the mapping then takes
    each year's own column, not this one's year for ever."""
    return _YEAR_PART.sub("{year}", path)


def _keyvalue_draft(sheet: Sheet, view: SheetView, dataset: Dataset) -> Draft:
    d = Draft("keyvalue", sheet)
    for name, fdef in dataset.fields.items():
        found = find_labelled_value(sheet, fdef.labels, view=view)
        if found is not None:
            d.fields.append({"field": name, "label": fdef.labels[0]})
        else:
            d.missing.append(name)
    return d


SCAN_ROWS = 12  # [match] scan_rows' default: a draft's contains must be within them
GENERIC = frozenset(
    {"项目", "指标", "序号", "类别", "名称", "备注", "人数", "数量", "合计", "总计", "小计"}
)


def _distinctive_texts(sheet: Sheet, table: Table | None, pack: Pack, draft: Draft) -> list[str]:
    """Two texts that mark this layout: this sheet's own words (a header or row label that
    is no field's name), so that the new mapping does not also claim sheets of the layouts
    the pack already reads."""
    known = {
        label for ds in pack.datasets.values() for f in ds.fields.values() for label in f.labels
    }
    candidates: list[str] = []
    if table is not None:
        candidates += [part for c in table.columns for part in c.parts]
        if (
            not draft.records
        ):  # a list's rows are its records (schools, 专业): not this layout's words
            candidates += [r.label for r in table.data_rows]
    else:
        # where `contains` is looked for: the first rows (scan_rows) of the sheet
        candidates += [
            normalize_label(v) for row in sheet.rows[:SCAN_ROWS] for v in row if isinstance(v, str)
        ]
    chosen = [
        t
        for t in dict.fromkeys(candidates)
        if 2 <= len(t) <= 20
        and t not in known
        and t not in GENERIC
        and not is_total_label(t)
        and not looks_numeric(t)
        and not _YEAR_OR_DATE.search(t)  # 填报日期:2020年10月 is this year's file, not this layout
        and not META_RE.search(t)  # 填报单位：…（盖章）: who sent it
        and not CAPTION_RE.match(t)  # （二）办学条件: numbered as this year's sheet has it
        and not t.startswith("单位")  # 单位：千元: a unit, in any layout
        and not _is_value(t, pack)  # 护理, 加工制造类: a row's data, not the layout
    ][:2]
    if len(chosen) < 2:
        used = [
            p.get("label") or p.get("row") or p.get("column", "").split("/")[-1]
            for p in draft.fields
        ]
        chosen += [
            u for u in dict.fromkeys(used) if u and u not in chosen and not _YEAR_OR_DATE.search(u)
        ][: 2 - len(chosen)]
    return chosen


def _is_value(text: str, pack: Pack) -> bool:
    """A text that is a value of a dimension (a 专业大类, a teacher kind): data, not layout."""
    return any(not d.free and d.resolve(text) is not None for d in pack.dimensions.values())


def draft_for(sheet: Sheet, dataset: Dataset, pack: Pack) -> Draft:
    """The best draft of a sheet for a dataset: over each of its tables, read along its rows
    and along its columns (专业 or schools across), and as a key–value form."""
    view = SheetView(sheet)
    tables = sheet_tables(sheet, view)
    found = tables.tables()
    candidates = found + [f for t in found if (f := tables.flipped(t)) is not None]
    drafts = [(d, t) for t in candidates for d in _grid_drafts(sheet, t, dataset, pack)]
    if not dataset.keys:
        drafts.append((_keyvalue_draft(sheet, view, dataset), None))
    if not drafts:
        return Draft("list" if dataset.keys else "keyvalue", sheet, missing=list(dataset.fields))
    # a table's draft before a key–value one that explains as much
    best, table = max(
        drafts, key=lambda dt: (dt[0].score, bool(dt[0].records), dt[0].layout != "keyvalue")
    )
    best.contains = _distinctive_texts(sheet, table or locate_table(sheet, view), pack, best)
    if len(tables.blocks) > 1:  # the table it reads, by its caption (never by its place)
        block = _block_of_draft(tables, view, table, best)
        if block is not None and block.caption:
            best.caption = caption_words(block.caption)
    if (
        "school" not in best.records
        and find_labelled_value(sheet, SCHOOL_LABELS, view=view) is not None
    ):
        best.school_label = next(
            label
            for label in SCHOOL_LABELS
            if find_labelled_value(sheet, (label,), view=view) is not None
        )
    return best


def _block_of_draft(tables, view: SheetView, table: Table | None, draft: Draft):
    """The block of rows a draft reads: its table's, or the one holding its labels."""
    if table is not None:
        return tables.blocks[table.block_index] if table.block_index < len(tables.blocks) else None
    exact, _ = view.label_index
    rows = [r for p in draft.fields for r, _ in exact.get(p.get("label", ""), ())]
    held = [(sum(b.top <= r < b.bottom for r in rows), b) for b in tables.blocks]
    best = max(held, key=lambda h: h[0], default=(0, None))
    return best[1] if best[0] else None


def suggest(path: str | Path, pack: Pack, dataset_name: str, sheet_name: str | None = None) -> str:
    """A draft mapping (TOML text) for the named dataset from one sheet of `path`."""
    wb = read_workbook(path)
    dataset = pack.datasets[dataset_name]
    sheets = [s for s in wb.sheets if s.visible and not s.is_empty]
    if sheet_name is not None:
        sheets = [s for s in wb.sheets if s.name == sheet_name]
        if not sheets:
            raise UsageError(f"{path} 中没有工作表“{sheet_name}”")
    if not sheets:
        error = WorkbookError("工作簿中没有可见的、有内容的工作表")
        error.file = str(path)
        raise error
    draft = max((draft_for(s, dataset, pack) for s in sheets), key=lambda d: d.score)
    return render_draft(Path(path), dataset, draft)


def render_draft(path: Path, dataset: Dataset, d: Draft) -> str:
    lines = [
        f"# 由 tongji mappings suggest 根据“{path.name}”的工作表“{d.sheet.name}”生成的草稿。",
        "# 请逐项核对，补上文末未能匹配的字段，再用 tongji mappings check 和 tongji inspect --mapping 检查。",
        f"name = {_q(f'{d.sheet.name}（{dataset.title}）')}",
        f"dataset = {_q(dataset.name)}",
        f"layout = {_q(d.layout)}",
        "",
        "[match]",
        f"# sheet_names = [{_q('^' + re.escape(d.sheet.name))}]   # 表名固定时可以用表名匹配",
        "# contains：只在这种版式中出现的文字，免得新映射也认领其他版式的工作表",
        f"contains = [{', '.join(_q(c) for c in d.contains)}]",
    ]
    if d.caption:
        lines += [
            "# 这张工作表中有几张表：读标题中有这些文字的那一张",
            f"caption = [{_q(d.caption)}]",
        ]
    if d.school_label:
        lines += ["", "[school]", f"label = [{_q(d.school_label)}]"]
    if d.records:
        lines += ["", "[records]"]
        for key, col in d.records.items():
            lines.append(f"{key} = {_q(col)}" + ("   # 取行标签" if col == "" else ""))
    for p in d.fields:
        lines += ["", "[[fields]]"]
        lines += [f"{k} = {_q(v)}" for k, v in p.items()]
    if d.missing:
        lines += [
            "",
            "# ---- 未能匹配的字段：在表中找到它们的位置后取消注释并填写，或删除这些行 ----",
        ]
        for name in d.missing:
            fdef = dataset.fields[name]
            aliases = "、".join(fdef.aliases) or "无"
            hint = {"keyvalue": 'label = ""', "list": 'column = ""'}.get(
                d.layout, 'row = ""\n# column = ""'
            )
            lines += [
                "",
                "# [[fields]]",
                f"# field = {_q(name)}   # {fdef.title}；别名：{aliases}",
                "# " + hint,
            ]
    return "\n".join(lines) + "\n"
