"""The formula language of indicators: `students / fulltime`, `a / total(a)`.

Names are indicators; `total(x)` is x over the whole scope, whatever the row's filters;
numbers, + − × ÷ and brackets. Nothing else is allowed (it is not Python): a formula is
parsed into a tree and walked.
"""

from __future__ import annotations

import ast

from ..errors import FormulaError

_ALLOWED_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div)


def formula_names(text: str) -> tuple[set[str], set[str]]:
    """(indicators used, indicators used inside total(…)); raises FormulaError."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"公式“{text}”写法有误：{exc.msg}") from exc
    names: set[str] = set()
    totals: set[str] = set()

    def walk(node: ast.AST, in_total: bool = False) -> None:
        if isinstance(node, ast.Expression):
            walk(node.body)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, _ALLOWED_BINOPS):
            walk(node.left, in_total)
            walk(node.right, in_total)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            walk(node.operand, in_total)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, (int, float))
            and not isinstance(node.value, bool)
        ):
            pass
        elif isinstance(node, ast.Name):
            (totals if in_total else names).add(node.id)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "total"
            and len(node.args) == 1
            and not node.keywords
        ):
            walk(node.args[0], True)
        else:
            raise FormulaError(
                f"公式“{text}”中不能使用“{ast.unparse(node)}”；只能用指标名、数字、+ - * /、括号和 total(指标)"
            )

    walk(tree)
    return names, totals


def evaluate_formula(text: str, lookup) -> float | None:
    """Evaluate with `lookup(name, whole)`; None anywhere (or a division by 0) gives None."""
    tree = ast.parse(text, mode="eval")

    def ev(node: ast.AST, whole: bool = False) -> float | None:
        if isinstance(node, ast.Expression):
            return ev(node.body, whole)
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            return lookup(node.id, whole)
        if isinstance(node, ast.UnaryOp):
            v = ev(node.operand, whole)
            return None if v is None else -v
        if isinstance(node, ast.Call):
            return ev(node.args[0], True)
        assert isinstance(node, ast.BinOp)
        a, b = ev(node.left, whole), ev(node.right, whole)
        if a is None or b is None:
            return None
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        return None if b == 0 else a / b

    return ev(tree)
