"""Each school's and each 旗县区's main indicators beside the city's: one table of all of
them, and one sheet each while there are not too many.

The city's figure of an indicator is the report's own: the 全市 figure of the first table
that prints it (表4's 生师比, in 表4's scope), else of the key sentences; a 旗县区's figures
are in that scope too, so they add up to it. The one-table views print in groups of
columns, each on its own pages with the name repeated, at 100%."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..display import Shown, change, show
from ..tables import BodyCell, BuiltTable, Report
from .formats import (
    LANDSCAPE_UNITS,
    Formats,
    fit_row,
    page_setup,
    sheet_name,
    text_width,
    write_header,
    write_note,
    write_shown,
    write_title,
)

_UNLISTED = "报告未列"  # an indicator only the profiles show: the city's figure in their scope
MAX_PROFILE_SHEETS = (
    120  # beyond this, only the one-table views (a province has hundreds of schools)
)


@dataclass
class CityFigure:
    """An indicator's 全市 figure as the report publishes it, this year and last."""

    cur: BodyCell
    prev: BodyCell
    scope: str  # the scope of the table (or sentence) it is taken from
    source: str  # 表4, 要点, or "" (the report does not print it: the profile's scope)

    @property
    def value(self) -> float | None:
        return self.cur.figure.value if self.cur.figure is not None else None

    def change(self) -> Shown:
        ind, a, b = self.cur.indicator, self.cur.figure, self.prev.figure
        if ind is None or a is None or b is None:
            return Shown(None, "General", "")
        return change(ind, a.value, b.value)


def _whole_rows(t: BuiltTable, year: int) -> list[list[BodyCell]]:
    """The rows of a table that hold its figures over the whole scope for `year`: the
    year's row, the total row, or the one labelled row (表7)."""
    r = t.spec.rows
    if r.filters:
        return []
    if r.kind == "years":
        return [cells for labels, cells in t.rows if labels == (str(year),)]
    if r.kind == "label":
        return [cells for _, cells in t.rows]
    if r.total:
        return [cells for labels, cells in t.rows if labels and labels[0] == r.total]
    return []


def _unfiltered(t: BuiltTable, cell: BodyCell) -> bool:
    """Whether a cell's column is its indicator over the whole table (not 表9's 普通中专)."""
    if cell.indicator is None:
        return False
    for c in t.spec.columns:
        head = "/".join(c.header)
        if c.indicator == cell.indicator.id and not c.filters:
            if cell.column == head or cell.column.startswith(head + "/"):
                return True
    return False


def _whole_cell(t: BuiltTable, iid: str, year: int) -> BodyCell | None:
    return next(
        (
            c
            for cells in _whole_rows(t, year)
            for c in cells
            if c.indicator is not None
            and c.indicator.id == iid
            and c.year == year
            and c.prev is None
            and _unfiltered(t, c)
        ),
        None,
    )


def city_figures(report: Report, tables: list[BuiltTable]) -> dict[str, CityFigure]:
    """The 全市 figure of each indicator of the profile, as the report publishes it."""
    prof = report.spec.profile
    assert prof is not None
    out: dict[str, CityFigure] = {}
    for iid in prof.indicators:
        for t in tables:
            cur, prev = (_whole_cell(t, iid, y) for y in (report.year, report.prev))
            if cur is not None:
                prev = prev or report.cell(iid, report.prev, t.spec.scope, (), "")
                out[iid] = CityFigure(cur, prev, t.spec.scope, t.spec.id)
                break
        else:
            said = re.compile(r"\{" + re.escape(iid) + r"(\.[a-z_]+)?\}")
            scope = next((h.scope for h in report.spec.highlights if said.search(h.text)), None)
            source = "要点" if scope else ""
            scope = scope or prof.scope
            out[iid] = CityFigure(
                report.cell(iid, report.year, scope, (), ""),
                report.cell(iid, report.prev, scope, (), ""),
                scope,
                source,
            )
    return out


def _additive(report: Report, iid: str) -> bool:
    """Whether a school's figure is a part of the city's (a sum of counts or amounts): then
    its share of the city's means something; a ratio's or a per-student amount's does not."""
    ind = report.engine.defs.indicators[iid]
    return (
        ind.formula is None
        and ind.agg in ("sum", "count_positive", "count_schools")
        and not ind.is_rate
    )


def _scopes_note(report: Report, city: dict[str, CityFigure]) -> str:
    """`表1、表10：全部中职学校（含技工学校）；表3、表4：…`: the scope of each source."""
    by_scope: dict[str, list[str]] = {}
    for c in city.values():
        names = by_scope.setdefault(c.scope, [])
        if (c.source or _UNLISTED) not in names:
            names.append(c.source or _UNLISTED)
    scopes = report.engine.defs.scopes
    return "；".join(
        f"{'、'.join(names)}：{scopes[s].title}"
        for s, names in sorted(by_scope.items(), key=lambda kv: list(scopes).index(kv[0]))
    )


Values = dict[tuple[str, int], dict[str, float | None]]


def _text(v) -> str:
    return v.text if isinstance(v, Shown) else v


def write_profile(
    wb,
    report: Report,
    title: str,
    key: str,
    values: Values,
    city: dict[str, CityFigure],
    members: dict[str, set[str]],
    fm: Formats,
    name: str,
) -> None:
    """One school's (or one 旗县区's) figures beside the city's as the report prints it,
    and which table that is; the share of the city's only where a share means something
    and the school is one of those the city's figure counts (`members`, by scope)."""
    prof = report.spec.profile
    assert prof is not None
    ws = wb.add_worksheet(name)
    head = [
        "指标",
        "单位",
        f"{report.prev}年",
        f"{report.year}年",
        "变化",
        f"全市{report.year}年",
        "全市数字出处",
        "占全市",
    ]
    rows = []
    for iid in prof.indicators:
        ind = report.engine.defs.indicators[iid]
        cur, prev = values[(iid, report.year)].get(key), values[(iid, report.prev)].get(key)
        whole = city[iid].value
        counted = key in members.get(city[iid].scope, {key})
        share = (
            round(cur / whole, 4)
            if _additive(report, iid) and counted and whole and cur is not None
            else None
        )
        rows.append(
            (
                ind.title,
                ind.unit,
                show(ind, prev),
                show(ind, cur),
                change(ind, cur, prev),
                city[iid].cur.shown,
                city[iid].source or _UNLISTED,
                Shown(share, "0.00%", "" if share is None else f"{share:.2%}"),
            )
        )
    widths = [
        float(min(max([text_width(h) + 2] + [text_width(_text(r[i])) + 2 for r in rows]), 30))
        for i, h in enumerate(head)
    ]
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    write_title(ws, 0, title, widths, fm)
    ws.write_row(2, 0, head, fm.header)
    fit_row(ws, 2, list(zip(head, widths, strict=True)))
    for r, row in enumerate(rows, 3):
        for c, v in enumerate(row):
            if isinstance(v, Shown):
                write_shown(ws, r, c, v, fm, is_change=c == 4)
            else:
                ws.write_string(r, c, v, fm.text)
        fit_row(ws, r, [(row[0], widths[0])])
    note = (
        "全市数字即报告中该指标的全市数字，口径与所在的表相同（"
        + _scopes_note(report, city)
        + "）；比率和生均数不计“占全市”。"
    )
    write_note(ws, 4 + len(rows), note, widths, fm)
    page_setup(ws, widths, 2)


def write_profile_table(
    wb,
    report: Report,
    name: str,
    stub: tuple[str, ...],
    rows: list[tuple[str, tuple[str, ...]]],
    values: Values,
    city: dict[str, CityFigure],
    fm: Formats,
) -> None:
    """Every school (or 旗县区) in one table under the city's row: the profile's indicators
    this year and their change. Printed in groups of columns, each on its own pages with
    the first stub column (the name) repeated, at 100%."""
    prof = report.spec.profile
    assert prof is not None
    inds = [report.engine.defs.indicators[i] for i in prof.indicators]
    columns = [
        path
        for ind in inds
        for path in (
            (f"{ind.title}（{ind.unit}）" if ind.unit else ind.title, f"{report.year}年"),
            (f"{ind.title}（{ind.unit}）" if ind.unit else ind.title, "变化"),
        )
    ]
    body: list[tuple[tuple[str, ...], list[Shown], bool]] = [
        (
            ("全市", *[""] * (len(stub) - 1)),
            [s for ind in inds for s in (city[ind.id].cur.shown, city[ind.id].change())],
            True,
        )
    ]
    for key, labels in rows:
        cells = []
        for ind in inds:
            cur = values[(ind.id, report.year)].get(key)
            prev = values[(ind.id, report.prev)].get(key)
            cells += [show(ind, cur), change(ind, cur, prev)]
        body.append((labels, cells, False))
    widths = [
        float(min(max([text_width(h) + 2] + [text_width(b[0][i]) + 2 for b in body] + [6]), 34))
        for i, h in enumerate(stub)
    ]
    widths += [
        float(max([text_width(col[-1]) + 2] + [text_width(b[1][j].text) + 2 for b in body]))
        for j, col in enumerate(columns)
    ]
    n = len(stub)
    for j in range(0, len(columns), 2):  # an indicator's title on two lines at most
        need = -(-text_width(columns[j][0]) // 2) + 2 - widths[n + j] - widths[n + j + 1]
        if need > 0:
            widths[n + j] += need / 2
            widths[n + j + 1] += need / 2
    breaks, page = [], sum(widths[:n])
    for j in range(n, len(widths), 2):
        pair = widths[j] + widths[j + 1]
        if page + pair > LANDSCAPE_UNITS and page > widths[0]:
            breaks.append(j)
            page = widths[0]
        page += pair
    first_page = widths[: (breaks or [len(widths)])[0]]
    ws = wb.add_worksheet(name)
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    write_title(ws, 0, f"{name}（{report.year}年）", first_page, fm)
    first = write_header(ws, 2, stub, columns, fm, widths)
    for r, (labels, cells, bold) in enumerate(body, first):
        for i, label in enumerate(labels):
            ws.write_string(r, i, label, fm.stub_bold if bold else fm.stub)
        fit_row(ws, r, [(label, widths[i]) for i, label in enumerate(labels)])
        for j, shown in enumerate(cells):
            write_shown(ws, r, n + j, shown, fm, is_change=j % 2 == 1, bold=bold)
    r = first + len(body) + 1
    notes = [
        f"“全市”一行即报告中各指标的全市数字，口径与所在的表相同（{_scopes_note(report, city)}）。",
        "学校的数字不分口径；旗县区的数字与全市的同口径，是辖区内这些学校的合计。",
    ]
    for note in notes:
        write_note(ws, r, note, first_page, fm)
        r += 1
    ws.freeze_panes(first, 1)
    ws.autofilter(first, 0, first + len(body) - 1, len(widths) - 1)
    page_setup(ws, widths, first - 1, breaks=breaks, repeat=1)


def district_order(report: Report) -> list[str]:
    """旗县区 in the order the report sets (`[profile] districts`), the rest as the roster
    lists them (in the order of their first school), not by code point."""
    prof = report.spec.profile
    assert prof is not None
    roster = list(dict.fromkeys(d for d in report.engine.facts.roster["district"].to_list() if d))
    first = [d for d in prof.districts if d in roster]
    return first + [d for d in roster if d not in first]


def write_profiles(
    wb, report: Report, tables: list[BuiltTable], fm: Formats, taken: set[str]
) -> None:
    eng, prof = report.engine, report.spec.profile
    assert prof is not None
    city = city_figures(report, tables)
    years = (report.prev, report.year)
    by_school: Values = {
        (iid, y): eng.grouped(iid, y, prof.scope, "school_id")
        for iid in prof.indicators
        for y in years
    }
    by_district: Values = {
        (iid, y): eng.grouped(iid, y, city[iid].scope, "district")
        for iid in prof.indicators
        for y in years
    }
    members = {c.scope: set(eng.schools_in(c.scope)["school_id"].to_list()) for c in city.values()}
    roster = eng.facts.roster.sort("school_id")
    schools = [
        (
            r["school_id"],
            (
                r["school_name"],
                r["school_id"],
                r["district"] or "",
                r["school_type"] or "",
                r["sponsor"] or "",
            ),
        )
        for r in roster.iter_rows(named=True)
    ]
    districts = district_order(report)
    write_profile_table(
        wb,
        report,
        sheet_name("各校主要指标", taken),
        ("学校", "学校代码", "旗县区", "办学类型", "举办者"),
        schools,
        by_school,
        city,
        fm,
    )
    write_profile_table(
        wb,
        report,
        sheet_name("各旗县区主要指标", taken),
        ("旗县区",),
        [(d, (d,)) for d in districts],
        by_district,
        city,
        fm,
    )
    if len(schools) + len(districts) > MAX_PROFILE_SHEETS:
        return
    for sid, (sname, *_rest) in schools:
        write_profile(
            wb,
            report,
            f"{sname}（{sid}）主要指标",
            sid,
            by_school,
            city,
            members,
            fm,
            sheet_name(sname, taken),
        )
    for d in districts:
        write_profile(
            wb,
            report,
            f"{d}主要指标（辖区内学校合计）",
            d,
            by_district,
            city,
            {},
            fm,
            sheet_name(f"旗县区-{d}", taken),
        )
