"""Definitions in the statistician's words: an indicator's formula as a Chinese formula
over the titles of its datasets, fields and indicators (`求和（分专业学生·招生数）`,
`专任教师数 ÷ 教职工数`), its display type and a scope's conditions in Chinese."""

from __future__ import annotations

import ast

from ...config.definitions import Definitions, Indicator
from ...config.mapping import Pack

DISPLAY_TITLES = {
    "integer": "整数",
    "number": "小数",
    "percent": "百分比",
    "ratio": "比（x:1）",
    "share_ratio": "比例（甲:乙）",
}

_AGG = {
    "sum": "求和（{what}）",
    "mean": "平均（{what}）",
    "weighted_mean": "加权平均（{what}，以{weight}为权）",
    "count_positive": "计数（{what}大于 0 的记录）",
    "count_schools": "学校数（{what}有数字的学校）",
}

# The roster's attributes as its header names them (学校名录.xlsx).
ROSTER_TITLES = {
    "school_id": "学校代码",
    "school_name": "学校名称",
    "district": "旗县区",
    "school_type": "办学类型",
    "sponsor": "举办者",
    "levels": "级别",
    "is_technical": "是否技工学校",
}

_OPS = {ast.Add: " + ", ast.Sub: " − ", ast.Mult: " × ", ast.Div: " ÷ "}
_PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2}


def display_title(display: str) -> str:
    return DISPLAY_TITLES.get(display, display)


def _value(value) -> str:
    if isinstance(value, bool) or str(value).lower() in ("true", "false"):
        return "是" if str(value).lower() == "true" else "否"
    return str(value)


def conditions(where, pack: Pack | None, defs: Definitions | None) -> str:
    """`专业大类 = 农林牧渔类，是否技工学校 = 否`: a `where` in Chinese."""
    parts = []
    for key, value in where:
        if pack is not None and key in pack.dimensions:
            name = pack.dimensions[key].title
        elif defs is not None and key in defs.groups:
            name = defs.groups[key].title
        else:
            name = ROSTER_TITLES.get(key, key)
        parts.append(f"{name} = {_value(value)}")
    return "，".join(parts)


def _field_title(pack: Pack | None, dataset: str | None, field: str | None) -> str:
    if pack is None or dataset not in pack.datasets:
        return f"{dataset}.{field}"
    ds = pack.datasets[dataset]  # type: ignore[index]
    f = ds.fields.get(field or "")
    return f"{ds.title}·{f.title if f else field}"


def formula_text(text: str, defs: Definitions | None) -> str:
    """An indicator formula with indicator titles and + − × ÷ (`total(x)` → `全部x`)."""
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError:
        return text

    def name(n: str) -> str:
        ind = defs.indicators.get(n) if defs is not None else None
        return ind.title if ind is not None and ind.title else n

    def walk(node: ast.AST, parent: int = 0, right: bool = False) -> str:
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            own = _PRECEDENCE[type(node.op)]
            shown = walk(node.left, own) + _OPS[type(node.op)] + walk(node.right, own, True)
            return f"（{shown}）" if own < parent or (right and own == parent) else shown
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return "−" + walk(node.operand, 3)
        if isinstance(node, ast.Constant):
            return f"{node.value:g}" if isinstance(node.value, float) else str(node.value)
        if isinstance(node, ast.Name):
            return name(node.id)
        if isinstance(node, ast.Call) and node.args:
            return "全部" + walk(node.args[0], 3)
        return ast.unparse(node)

    return walk(tree)


def definition(ind: Indicator, defs: Definitions | None = None, pack: Pack | None = None) -> str:
    """What an indicator is, in Chinese: its own `definition` when it has one, else its
    formula over indicator titles, else its aggregation over the dataset's field."""
    if ind.definition:
        return ind.definition
    if ind.formula:
        return formula_text(ind.formula, defs)
    what = _field_title(pack, ind.dataset, ind.field)
    where = conditions(ind.where, pack, defs)
    if where:
        what += f"，{where}"
    weight = _field_title(pack, ind.dataset, ind.weight).split("·")[-1] if ind.weight else ""
    return _AGG.get(ind.agg, ind.agg + "（{what}）").format(what=what, weight=weight)
