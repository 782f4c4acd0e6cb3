"""A report table's sheet: title, merged multi-row header, rows, footnotes, laid out like
the report's tables and set up to print: every text on rows high enough for it, A4, one
page wide, the header repeated on each page."""

from __future__ import annotations

from ..tables import BuiltTable
from .formats import (
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


def _column_widths(t: BuiltTable) -> list[float]:
    """Stub columns as wide as their labels (within bounds); figure columns as wide as
    their widest figure, and enough that the header's last part wraps to six lines at most
    (as the report's own narrow columns do: 表5's twenty columns print one page wide). A
    table narrower than its title is widened, up to a page, so the title fits on a line."""
    widths = [
        min(
            max(
                [text_width(t.stub[i]) + 2]
                + [text_width(labels[i]) + 2 for labels, _ in t.rows if i < len(labels)]
                + [8]
            ),
            30,
        )
        for i in range(len(t.stub))
    ]
    for j, col in enumerate(t.columns):
        texts = [
            line
            for _, cells in t.rows
            if j < len(cells)
            for line in (cells[j].shown.text or "").split("\n")
        ]
        figures = max([text_width(x) + 2 for x in texts] + [8])
        header = -(-text_width(col[-1]) // 6) + 2
        widths.append(float(min(max(figures, header), 30)))
    title = min(text_width(t.title) * 1.4 + 3, PORTRAIT_UNITS)
    if sum(widths) < title:
        grow = title / sum(widths)
        widths = [round(w * grow, 1) for w in widths]
    return [float(w) for w in widths]


def write_table(wb, t: BuiltTable, fm: Formats, name: str) -> None:
    ws = wb.add_worksheet(name)
    widths = _column_widths(t)
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    write_title(ws, 0, t.title, widths, fm)
    first = write_header(ws, 2, t.stub, t.columns, fm, widths)
    n_stub = len(t.stub)
    r = first
    runs: list[tuple[int, int, str]] = []  # merge equal labels in the first stub column (表11)
    for labels, cells in t.rows:
        for i, label in enumerate(labels):
            ws.write_string(r, i, label, fm.stub)
        if runs and runs[-1][2] == labels[0] and len(labels) > 1:
            runs[-1] = (runs[-1][0], r, labels[0])
        else:
            runs.append((r, r, labels[0]))
        for j, cell in enumerate(cells):
            write_shown(ws, r, n_stub + j, cell.shown, fm, is_change=cell.prev is not None)
        texts = [(label, widths[i]) for i, label in enumerate(labels)]
        texts += [
            (c.shown.text, widths[n_stub + j])
            for j, c in enumerate(cells)
            if c.shown.number is None or "\n" in (c.shown.text or "")
        ]
        fit_row(ws, r, texts)
        r += 1
    for r0, r1, label in runs:
        if r1 > r0:
            ws.merge_range(r0, 0, r1, 0, label, fm.stub)
    r += 1
    for note in t.footnotes:
        write_note(ws, r, note, widths, fm)
        r += 1
    ws.freeze_panes(first, n_stub)
    page_setup(ws, widths, first - 1)
