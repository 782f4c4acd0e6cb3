"""Looking a field up in a described table: the column a header path or a column code names,
the row a label or a 行次 names; a name that fits several, or none, is a LocateError that
says which cells were there."""

from __future__ import annotations

from ..errors import LocateError
from .locate import Column, Row, Table, line_value
from .read import column_letter


def _suffix_match(parts: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    return len(wanted) <= len(parts) and parts[len(parts) - len(wanted) :] == wanted


def find_column(table: Table, paths: tuple[str, ...] = (), code: str | None = None) -> Column:
    """The column a field names, by column code or header path (full, or its last parts)."""
    if code is not None:
        hits = [c for c in table.columns if c.code == line_value(code)]
        if len(hits) == 1:
            return hits[0]
        if not paths:
            have = "、".join(c.code for c in table.columns if c.code) or "（本表没有列代码行）"
            raise LocateError(
                f"找不到列代码“{code}”；本表的列代码：{have}", code="column_not_found"
            )
    for wanted_path in paths:
        wanted = tuple(wanted_path.split("/"))
        exact = [c for c in table.columns if c.parts == wanted]
        if len(exact) == 1:
            return exact[0]
        hits = [c for c in table.columns if _suffix_match(c.parts, wanted)]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            listing = "；".join(f"{column_letter(c.index)} 列“{c.path}”" for c in hits)
            raise LocateError(
                f"列标题“{wanted_path}”对应多列：{listing}；请在映射中写出完整的标题路径",
                code="column_ambiguous",
            )
    have = (
        "；".join(f"{column_letter(c.index)}“{c.path}”" for c in table.columns if c.path)
        or "（未识别出表头）"
    )
    raise LocateError(
        f"找不到列“{' 或 '.join(paths)}”；本表的列标题：{have}", code="column_not_found"
    )


def find_row(table: Table, labels: tuple[str, ...] = (), line: str | None = None) -> Row:
    if line is not None:
        hits = [r for r in table.data_rows if r.line == line_value(line)]
        if len(hits) == 1:
            return hits[0]
        if not labels:
            raise LocateError(f"找不到行次“{line}”", code="row_not_found")
    for label in labels:
        hits = [r for r in table.data_rows if r.label == label]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            rows = "、".join(str(r.index + 1) for r in hits)
            raise LocateError(
                f"行标签“{label}”出现在多行（第 {rows} 行）；请在映射中用 line（行次）指定",
                code="row_ambiguous",
            )
    have = "、".join(r.label for r in table.data_rows if r.label) or "（未识别出行标签）"
    raise LocateError(
        f"找不到行“{' 或 '.join(labels)}”；本表的行标签：{have}", code="row_not_found"
    )
