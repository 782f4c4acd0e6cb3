"""`tongji template`: blank returns to send to schools, one workbook per mapping that names
a template (`template = "分专业学生"`), laid out so that the same mapping reads them back.

The labels and headers written are the ones the mapping looks for (a field's own name and
unit where the mapping names none): what a school fills in is read back exactly. Only the
white cells can be changed (the sheet is protected, without a password): a number cell
takes only a number (a whole number for an integer field), a 专业大类 comes from a list of
the year's catalogue, 是/否 from a list, the school's name from the roster when given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xlsxwriter

from ..config.mapping import Mapping, Pack
from ..config.placements import ColumnPlacement, LabelPlacement
from ..errors import ConfigError, ConfigProblem
from ..extraction.roster import Roster

BLANK_ROWS = 40  # rows for a list whose records are not known in advance (专业)
INSTRUCTIONS = [
    "只在白色的格子中填写；灰色的格子（标签、表头、类别）不要改动，也不要增删行列或改工作表名。",
    "数字格只能填数字：人数等整数字段只能填整数；没有的填 0，不适用的留空。",
    "金额、面积等按表头括号中的单位填写（如 万元、平方米）。",
    "专业大类从下拉列表中选择（按本年度在用的专业目录）；专业代码按文本填 6 位（开头的 0 不能丢）。",
    "填好后按原文件名报送；不要另存为其他格式。",
]


def sheet_name_of(mapping: Mapping) -> str:
    return f"填报_{mapping.template}"


def write_templates(
    pack: Pack, year: int, folder: str | Path, roster: Roster | None = None
) -> list[Path]:
    """One blank workbook per template mapping of the pack, written to `folder`."""
    folder = Path(folder)
    chosen = [m for m in pack.mappings if m.template]
    wrong = [
        ConfigProblem(
            m.file,
            "match.sheet_names",
            f"工作表名“{sheet_name_of(m)}”不符合这个映射的 sheet_names：tongji 读不回自己写的模板",
        )
        for m in chosen
        if not any(p.search(sheet_name_of(m)) for p in m.match.sheet_names)
    ]
    if wrong:
        raise ConfigError(wrong)
    folder.mkdir(parents=True, exist_ok=True)
    return [_write(m, pack, year, folder / f"{year}年{m.template}.xlsx", roster) for m in chosen]


class _Book:
    """A template workbook: the form's sheet, its formats, and a hidden sheet holding the
    dropdown lists."""

    def __init__(self, path: Path, form: str):
        self.wb = xlsxwriter.Workbook(str(path))
        self.form = self.wb.add_worksheet(form)
        base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter", "border": 1}
        self.locked = self.wb.add_format({**base, "bg_color": "#E7E6E6", "text_wrap": True})
        self.header = self.wb.add_format(
            {**base, "bg_color": "#D9D9D9", "bold": True, "align": "center", "text_wrap": True}
        )
        self.input = self.wb.add_format({**base, "locked": False})
        self.text_input = self.wb.add_format({**base, "locked": False, "num_format": "@"})
        self.title = self.wb.add_format({"font_name": "宋体", "font_size": 14, "bold": True})
        self.lists = self.wb.add_worksheet("选项")
        self.lists.hide()
        self._n = 0

    def list_source(self, values: list[str]) -> str:
        """A range of the hidden sheet holding `values`, for a dropdown (a list written in
        the validation itself may not exceed 255 characters)."""
        col = self._n
        self._n += 1
        for r, v in enumerate(values):
            self.lists.write_string(r, col, v)
        letter = xlsxwriter.utility.xl_col_to_name(col)
        return f"=选项!${letter}$1:${letter}${max(len(values), 1)}"


def _write(m: Mapping, pack: Pack, year: int, path: Path, roster: Roster | None) -> Path:
    book = _Book(path, sheet_name_of(m))
    ws = book.form
    dataset = pack.datasets[m.dataset]
    ws.write(0, 0, f"{year}年{m.template}（填报表）", book.title)
    ws.write(2, 0, (m.school_label or ("学校名称",))[0], book.locked)
    ws.write_blank(2, 1, None, book.input)
    if roster is not None and roster.schools:
        ws.data_validation(
            2,
            1,
            2,
            1,
            {"validate": "list", "source": book.list_source([s.name for s in roster.schools])},
        )
    last = (
        _keyvalue(ws, book, m, dataset)
        if m.layout == "keyvalue"
        else _list(ws, book, m, dataset, pack, year)
    )
    for r, line in enumerate(INSTRUCTIONS, last + 2):  # under the form: a note tongji does not read
        ws.write_string(r, 0, f"注{r - last - 1}：{line}")
    ws.protect("", {"format_columns": True, "format_rows": True})
    book.wb.close()
    return path


def _label(fdef) -> str:
    return f"{fdef.title}（{fdef.unit}）" if fdef.unit else fdef.title


def _keyvalue(ws, book: _Book, m: Mapping, dataset) -> int:
    """项目 | 数值: a field per row, the value right of its label. Returns its last row."""
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 18)
    ws.write_row(4, 0, ["项目", "数值"], book.header)
    for r, p in enumerate(m.fields, 5):
        assert isinstance(p, LabelPlacement)
        fdef = dataset.fields[p.field]
        ws.write_string(r, 0, p.label[0] if p.label else _label(fdef), book.locked)
        _input_cell(ws, book, r, 1, fdef)
    return 4 + len(m.fields)


def _list(ws, book: _Book, m: Mapping, dataset, pack: Pack, year: int) -> int:
    """A record per row: the key columns first (a fixed list of values filled in, locked;
    free values left white), then a column per field. Returns its last row."""
    assert m.records is not None
    keys = [
        (name, paths[0] if paths else pack.dimensions[name].title) for name, paths in m.records.keys
    ]
    fields = [(p, dataset.fields[p.field]) for p in m.fields]
    header = [title for _, title in keys] + [
        p.column[0] if isinstance(p, ColumnPlacement) and p.column else _label(f) for p, f in fields
    ]
    top = 4
    ws.write_row(top, 0, header, book.header)
    for c, text in enumerate(header):
        ws.set_column(c, c, max(10, min(len(text) * 2 + 2, 24)))
    fixed = [
        k
        for k, _ in keys
        if pack.dimensions[k].values
        and not pack.dimensions[k].catalogues
        and not pack.dimensions[k].roster
    ]
    if len(keys) == 1 and fixed:
        rows: list[list[Any]] = [[v] for v in pack.dimensions[keys[0][0]].values]
    else:
        rows = [[None] * len(keys) for _ in range(BLANK_ROWS)]
    sources = {k: _key_source(book, pack, k, year) for k, _ in keys}
    for i, row in enumerate(rows, top + 1):
        for c, (k, _) in enumerate(keys):
            if row[c] is not None:
                ws.write_string(i, c, row[c], book.locked)
                continue
            ws.write_blank(i, c, None, book.text_input)
            if sources[k]:
                ws.data_validation(i, c, i, c, {"validate": "list", "source": sources[k]})
        for j, (_, fdef) in enumerate(fields, len(keys)):
            _input_cell(ws, book, i, j, fdef)
    ws.freeze_panes(top + 1, len(keys))
    return top + len(rows)


def _key_source(book: _Book, pack: Pack, name: str, year: int) -> str | None:
    dim = pack.dimensions[name]
    edition = dim.edition(year)
    values = list(edition.values) if edition is not None else list(dim.values)
    return book.list_source(values) if values else None


def _input_cell(ws, book: _Book, r: int, c: int, fdef) -> None:
    """A white cell that takes what the field takes."""
    if fdef.type in ("text", "code"):
        ws.write_blank(r, c, None, book.text_input)
        if fdef.type == "code" and fdef.length:
            ws.data_validation(
                r,
                c,
                r,
                c,
                {
                    "validate": "length",
                    "criteria": "==",
                    "value": fdef.length,
                    "error_message": f"{fdef.title}应为 {fdef.length} 位",
                },
            )
        return
    ws.write_blank(r, c, None, book.input)
    if fdef.type == "flag":
        ws.data_validation(r, c, r, c, {"validate": "list", "source": ["是", "否"]})
    elif fdef.type == "integer":
        ws.data_validation(
            r,
            c,
            r,
            c,
            {
                "validate": "integer",
                "criteria": ">=",
                "value": 0,
                "error_message": f"{fdef.title}应为不小于 0 的整数",
            },
        )
    else:
        ws.data_validation(
            r,
            c,
            r,
            c,
            {
                "validate": "decimal",
                "criteria": ">=",
                "value": 0,
                "error_message": f"{fdef.title}应为不小于 0 的数字",
            },
        )
