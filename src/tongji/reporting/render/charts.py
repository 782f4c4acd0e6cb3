"""A chart's sheet: the chart (pie, column, bar) beside the figures it plots."""

from __future__ import annotations

from ..display import show
from ..tables import BodyCell, Report, expand, numbered
from .formats import FONT, Formats, page_setup, write_shown, write_title

_WIDTHS = [
    14.0,
    12.0,
    12.0,
    12.0,
    8.43,
    8.43,
    8.43,
    8.43,
    8.43,
    8.43,
    8.43,
    8.43,
]  # the figures, then the chart beside them

Published = tuple[str, str, str, BodyCell, str]  # table id, row, column, cell, scope title


def write_chart_sheet(wb, report: Report, chart, fm: Formats, name: str) -> list[Published]:
    """A chart with the figures it plots beside it; returns the figures for the 数据 sheet."""
    eng = report.engine
    ws = wb.add_worksheet(name)
    title = numbered(chart.id, expand(chart.title, report.year, report.spec.region))
    write_title(ws, 0, title, _WIDTHS, fm)
    published: list[Published] = []
    scope_title = eng.defs.scopes[chart.scope].title
    if chart.series:  # one slice per series, this year
        ws.write_row(2, 0, ["类别", f"{report.year}年", "占比"], fm.header)
        figs = [
            eng.figure(s.indicator, report.year, chart.scope, eng.filters(s.filters))
            for s in chart.series
        ]
        total = sum(f.value or 0 for f in figs)
        for i, (s, fig) in enumerate(zip(chart.series, figs, strict=True)):
            cell = BodyCell(
                show(fig.indicator, fig.value), fig.indicator, report.year, fig, column=s.label
            )
            ws.write_string(3 + i, 0, s.label, fm.stub)
            write_shown(ws, 3 + i, 1, cell.shown, fm)
            if fig.value is not None and total:
                ws.write_number(3 + i, 2, round(fig.value / total, 4), fm.number("0.00%"))
            published.append((chart.id, s.label, f"{report.year}年", cell, scope_title))
        n = len(chart.series)
        ch = wb.add_chart({"type": "pie"})
        ch.add_series(
            {
                "name": title,
                "categories": [name, 3, 0, 2 + n, 0],
                "values": [name, 3, 1, 2 + n, 1],
                "data_labels": {
                    "percentage": True,
                    "category": True,
                    "leader_lines": True,
                    "num_format": "0.00%",
                },
            }
        )
    else:  # categories × years
        group = eng.defs.groups.get(chart.categories)
        edition = eng.pack.edition(chart.categories, report.year) if not group else None
        cats = (
            list(group.order)
            if group
            else list(edition.values if edition else eng.pack.dimensions[chart.categories].values)
        )
        years = [report.prev, report.year] if chart.years == "both" else [report.year]
        ws.write_row(2, 0, ["类别", *[f"{y}年" for y in years]], fm.header)
        for i, cat in enumerate(cats):
            ws.write_string(3 + i, 0, cat, fm.stub)
            for j, y in enumerate(years):
                fig = eng.figure(
                    chart.indicator, y, chart.scope, eng.filters(((chart.categories, cat),))
                )
                cell = BodyCell(
                    show(fig.indicator, fig.value), fig.indicator, y, fig, column=f"{y}年"
                )
                write_shown(ws, 3 + i, 1 + j, cell.shown, fm)
                published.append((chart.id, cat, f"{y}年", cell, scope_title))
        n = len(cats)
        ch = wb.add_chart({"type": chart.type})
        for j in range(len(years)):
            ch.add_series(
                {
                    "name": [name, 2, 1 + j],
                    "categories": [name, 3, 0, 2 + n, 0],
                    "values": [name, 3, 1 + j, 2 + n, 1 + j],
                    "data_labels": {"value": True},
                }
            )
        ch.set_y_axis(
            {
                "num_format": "0%"
                if chart.indicator and eng.defs.indicators[chart.indicator].display == "percent"
                else "General"
            }
        )
    ch.set_title({"none": True})  # the sheet's title above says it, once
    ch.set_legend({"position": "bottom", "font": {"name": FONT}})
    ch.set_size({"width": 560, "height": 340})
    ws.insert_chart(2, 4, ch)
    for i, w in enumerate(_WIDTHS[:4]):
        ws.set_column(i, i, w)
    page_setup(ws, _WIDTHS, 0)
    return published
