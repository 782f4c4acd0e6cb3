"""A report table's sheet: title, merged multi-row header, rows, footnotes, laid out like
the report's tables and set up to print: every text on rows high enough for it, A4, one
page wide, the header repeated on each page.

Before it is written a table is put as the report prints it (`presented`): a column with
no figure in any year is left out and said so under the table, rows in a group (表10's
产业) are kept together in the group's order, and the figures of one indicator show one
number of decimals throughout the table."""

from __future__ import annotations

from dataclasses import replace

from ...config.definitions import Definitions, Group
from ..display import change, has_fraction, show
from ..tables import BodyCell, BuiltTable
from .formats import (
    LANDSCAPE_UNITS,
    PORTRAIT_UNITS,
    Formats,
    fit_row,
    page_setup,
    text_width,
    write_header,
    write_note,
    write_shown,
    write_title,
)

TOTAL_LABELS = ("合计", "总计")


def presented(t: BuiltTable, defs: Definitions) -> BuiltTable:
    """The table as the report prints it (see the module's doc); its figures unchanged."""
    return _same_decimals(_grouped(_without_empty_columns(t), defs))


def _without_empty_columns(t: BuiltTable) -> BuiltTable:
    """Leave out a column of the spec (with its year sub-columns) that has no figure in
    any row or year (表9's 成人中专 in a city without one), with a footnote that says so."""
    per_spec = len(t.columns) // max(len(t.spec.columns), 1)
    if per_spec * len(t.spec.columns) != len(t.columns):
        return t
    empty: list[int] = []
    for k, spec in enumerate(t.spec.columns):
        idx = range(k * per_spec, (k + 1) * per_spec)
        cells = [cells[j] for _, cells in t.rows for j in idx if j < len(cells)]
        if spec.indicator and all(c.shown.number is None and not c.shown.text for c in cells):
            empty.append(k)
    if not empty or len(empty) == len(t.spec.columns):
        return t
    keep = [j for j in range(len(t.columns)) if j // per_spec not in empty]
    headers = ["/".join(t.spec.columns[k].header) for k in empty]
    notes = [n for n in t.footnotes if not any(n.startswith(f"“{h}”") for h in headers)]
    notes.append(
        "“"
        + "”“".join(headers)
        + "”：两个年度都没有数据（没有这类学校，或都未填报），本表略去此列。"
    )
    return replace(
        t,
        columns=[t.columns[j] for j in keep],
        rows=[(labels, [cells[j] for j in keep]) for labels, cells in t.rows],
        footnotes=notes,
    )


def _grouped(t: BuiltTable, defs: Definitions) -> BuiltTable:
    """Rows beside a group (表10's 产业) together, in the group's order, each group's rows in
    the table's order; the total row stays first (or last), rows in no group (其他) last."""
    group = defs.groups.get(t.spec.rows.group or "")
    if group is None or not t.rows:
        return t
    order = {name: i for i, name in enumerate(group.members)}
    totals = [row for row in t.rows if is_total(t, row[0])]
    body = [row for row in t.rows if not is_total(t, row[0])]
    body.sort(key=lambda row: order.get(_group_label(row[0], group), len(order)))
    if t.spec.rows.total_position == "first":
        return replace(t, rows=[*totals, *body])
    return replace(t, rows=[*body, *totals])


def _group_label(labels: tuple[str, ...], group: Group) -> str:
    return labels[-1] if labels and labels[-1] in group.members else ""


def _same_decimals(t: BuiltTable) -> BuiltTable:
    """2880.0 beside 2965.2: where a figure of an indicator shows decimals, the whole ones
    of that indicator in the table (and their changes) show them too."""
    fractional = {
        c.indicator.id
        for _, cells in t.rows
        for c in cells
        if c.indicator is not None and has_fraction(c.shown)
    }
    if not fractional:
        return t

    def again(c: BodyCell) -> BodyCell:
        ind = c.indicator
        if ind is None or ind.id not in fractional or c.figure is None:
            return c
        if c.prev is not None:
            return replace(c, shown=change(ind, c.figure.value, c.prev.value, keep=True))
        return replace(c, shown=show(ind, c.figure.value, keep=True))

    return replace(t, rows=[(labels, [again(c) for c in cells]) for labels, cells in t.rows])


def is_total(t: BuiltTable, labels: tuple[str, ...]) -> bool:
    """A 合计 (总计) row: printed bold."""
    return bool(labels) and (labels[0] in TOTAL_LABELS or labels[0] == t.spec.rows.total)


def _figure_width(text: str) -> float:
    """Units a figure needs: a unit per digit, more for a sign (%, ↑, :) drawn wider than a
    digit, and the cell's padding (Excel shows ### in a number's column too narrow)."""
    return text_width(text) + 1.2 + 0.5 * sum(not ch.isdigit() and ch != "." for ch in text)


def _column_widths(t: BuiltTable) -> list[float]:
    """Stub columns as wide as their labels (within bounds); figure columns as wide as
    their widest figure, and enough that the header's last part wraps to a few lines: three
    while the table fits a landscape page at 100%, more (up to eight, as the report's own
    narrow columns do) for a wide table such as 表5. A table narrower than its title is
    widened, up to a page, so the title fits on a line."""
    stub = [
        min(
            max(
                [text_width(t.stub[i]) + 2]
                + [text_width(labels[i]) + 2 for labels, _ in t.rows if i < len(labels)]
                + [6]
            ),
            30,
        )
        for i in range(len(t.stub))
    ]
    figures = []
    for j in range(len(t.columns)):
        texts = [
            line
            for _, cells in t.rows
            if j < len(cells)
            for line in (cells[j].shown.text or "").split("\n")
        ]
        figures.append(max([_figure_width(x) for x in texts] + [6]))
    widths: list[float] = []
    for lines in (3, 4, 5, 6, 8):
        widths = [float(w) for w in stub] + [
            float(min(max(f, -(-text_width(col[-1]) // lines) + 1.5), 30))
            for f, col in zip(figures, t.columns, strict=True)
        ]
        if sum(widths) <= LANDSCAPE_UNITS:  # fits at 100%
            break
    title = min(text_width(t.title) * 1.4 + 3, PORTRAIT_UNITS)
    if sum(widths) < title:
        grow = title / sum(widths)
        widths = [round(w * grow, 1) for w in widths]
    return widths


def write_table(wb, t: BuiltTable, fm: Formats, name: str) -> None:
    ws = wb.add_worksheet(name)
    widths = _column_widths(t)
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    write_title(ws, 0, t.title, widths, fm)
    first = write_header(ws, 2, t.stub, t.columns, fm, widths)
    n_stub = len(t.stub)
    r = first
    # merge equal labels in the first stub column (表11) and in a group's column (表10)
    runs: dict[int, list[tuple[int, int, str, bool]]] = {}
    merged = [0] if n_stub > 1 else []
    if t.spec.rows.group and n_stub > 1:
        merged.append(n_stub - 1)
    for labels, cells in t.rows:
        bold = is_total(t, labels)
        for i, label in enumerate(labels):
            ws.write_string(r, i, label, fm.stub_bold if bold else fm.stub)
        for i in merged:
            if i >= len(labels):
                continue
            col = runs.setdefault(i, [])
            if col and col[-1][2] == labels[i] and col[-1][1] == r - 1 and labels[i]:
                col[-1] = (col[-1][0], r, labels[i], bold)
            else:
                col.append((r, r, labels[i], bold))
        for j, cell in enumerate(cells):
            write_shown(
                ws, r, n_stub + j, cell.shown, fm, is_change=cell.prev is not None, bold=bold
            )
        texts = [(label, widths[i]) for i, label in enumerate(labels)]
        texts += [
            (c.shown.text, widths[n_stub + j])
            for j, c in enumerate(cells)
            if c.shown.number is None or "\n" in (c.shown.text or "")
        ]
        fit_row(ws, r, texts)
        r += 1
    for i, col in runs.items():
        for r0, r1, label, bold in col:
            if r1 > r0:
                ws.merge_range(r0, i, r1, i, label, fm.stub_bold if bold else fm.stub)
    r += 1
    for note in t.footnotes:
        write_note(ws, r, note, widths, fm)
        r += 1
    ws.freeze_panes(first, n_stub)
    page_setup(ws, widths, first - 1)
