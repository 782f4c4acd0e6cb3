"""A report table's sheet: title, merged multi-row header, rows, footnotes, laid out like
the report's tables."""

from __future__ import annotations

from ..tables import BuiltTable
from .formats import Formats, page_setup, text_width, write_header, write_shown


def _column_widths(t: BuiltTable) -> list[float]:
    """Wide enough for the figures and the last header part, within bounds."""
    widths = [max([text_width(t.stub[i]) + 2] + [text_width(labels[i]) + 2 for labels, _ in t.rows if i < len(labels)] + [8]) for i in range(len(t.stub))]
    for j, col in enumerate(t.columns):
        texts = [cells[j].shown.text.split("\n")[0] for _, cells in t.rows if j < len(cells)]
        need = max([text_width(x) + 2 for x in texts] + [min(text_width(col[-1]) + 2, 14), 8])
        widths.append(min(need, 30))
    return [min(w, 30) for w in widths]


def write_table(wb, t: BuiltTable, fm: Formats, name: str) -> None:
    ws = wb.add_worksheet(name)
    n_cols = len(t.stub) + len(t.columns)
    ws.merge_range(0, 0, 0, max(n_cols - 1, 1), t.title, fm.title)
    ws.set_row(0, 28)
    widths = _column_widths(t)
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    first = write_header(ws, 2, t.stub, t.columns, fm, widths)
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
            write_shown(ws, r, len(t.stub) + j, cell.shown, fm, is_change=cell.prev is not None)
        if any("\n" in (c.shown.text or "") for c in cells):
            ws.set_row(r, 15 * (1 + max((c.shown.text or "").count("\n") for c in cells)))
        r += 1
    for r0, r1, label in runs:
        if r1 > r0:
            ws.merge_range(r0, 0, r1, 0, label, fm.stub)
    r += 1
    for note in t.footnotes:
        ws.merge_range(r, 0, r, max(n_cols - 1, 1), note, fm.note)
        r += 1
    ws.freeze_panes(first, len(t.stub))
    page_setup(ws, n_cols, first - 1)
