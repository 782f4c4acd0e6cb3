"""Each school's and each 旗县区's main indicators beside the city's: one table of all of
them, and one sheet each while there are not too many."""

from __future__ import annotations

from ..display import Shown, change, show
from ..tables import Report
from .formats import (
    Formats,
    fit_row,
    page_setup,
    sheet_name,
    write_header,
    write_shown,
    write_title,
)

_WIDTHS = [26.0, 8.0, 12.0, 12.0, 12.0, 16.0, 10.0]

MAX_PROFILE_SHEETS = (
    120  # beyond this, only the one-table views (a province has hundreds of schools)
)


def _profile_values(report: Report, by: str) -> dict[tuple[str, int], dict[str, float | None]]:
    eng, prof = report.engine, report.spec.profile
    assert prof is not None
    return {
        (iid, y): eng.grouped(iid, y, prof.scope, by)
        for iid in prof.indicators
        for y in (report.prev, report.year)
    }


def _additive(report: Report, iid: str) -> bool:
    """Whether a school's figure is a part of the city's (a sum of counts or amounts): then
    its share of the city's means something; a ratio's or a per-student amount's does not."""
    ind = report.engine.defs.indicators[iid]
    return (
        ind.formula is None
        and ind.agg in ("sum", "count_positive", "count_schools")
        and not ind.is_rate
    )


def write_profile(
    wb,
    report: Report,
    title: str,
    key: str,
    values,
    city: dict[str, float | None],
    fm: Formats,
    name: str,
) -> None:
    """One school's (or one 旗县区's) figures beside the city's, of the same scope (said in
    the header); the share of the city's only where a share means something."""
    prof = report.spec.profile
    assert prof is not None
    ws = wb.add_worksheet(name)
    for i, w in enumerate(_WIDTHS):
        ws.set_column(i, i, w)
    write_title(ws, 0, title, _WIDTHS, fm)
    scope = report.engine.defs.scopes[prof.scope].title
    head = [
        "指标",
        "单位",
        f"{report.prev}年",
        f"{report.year}年",
        "变化",
        f"全市{report.year}年（{scope}）",
        "占全市",
    ]
    ws.write_row(2, 0, head, fm.header)
    fit_row(ws, 2, list(zip(head, _WIDTHS, strict=True)))
    for r, iid in enumerate(prof.indicators, 3):
        ind = report.engine.defs.indicators[iid]
        cur, prev, whole = (
            values[(iid, report.year)].get(key),
            values[(iid, report.prev)].get(key),
            city[iid],
        )
        ws.write_string(r, 0, ind.title, fm.text)
        ws.write_string(r, 1, ind.unit, fm.text)
        write_shown(ws, r, 2, show(ind, prev), fm)
        write_shown(ws, r, 3, show(ind, cur), fm)
        write_shown(ws, r, 4, change(ind, cur, prev), fm, is_change=True)
        write_shown(ws, r, 5, show(ind, whole), fm)
        share = (
            round(cur / whole, 4) if _additive(report, iid) and whole and cur is not None else None
        )
        write_shown(ws, r, 6, Shown(share, "0.00%", "" if share is None else f"{share:.2%}"), fm)
        fit_row(ws, r, [(ind.title, _WIDTHS[0])])
    note = f"全市数字与本表口径相同：{scope}；比率和生均数不计“占全市”。"
    ws.merge_range(4 + len(prof.indicators), 0, 4 + len(prof.indicators), 6, note, fm.note)
    page_setup(ws, _WIDTHS, 2)


def write_profile_table(
    wb,
    report: Report,
    name: str,
    stub: tuple[str, ...],
    rows: list[tuple[str, tuple[str, ...]]],
    values,
    fm: Formats,
) -> None:
    """Every school (or 旗县区) in one table: the profile's indicators this year and their change."""
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
    ws = wb.add_worksheet(name)
    widths = [14.0] * len(stub) + [10.0] * len(columns)
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    write_title(
        ws,
        0,
        f"{name}（{report.year}年，{report.engine.defs.scopes[prof.scope].title}）",
        widths,
        fm,
    )
    first = write_header(ws, 2, stub, columns, fm, widths)
    for r, (key, labels) in enumerate(rows, first):
        for i, label in enumerate(labels):
            ws.write_string(r, i, label, fm.stub)
        fit_row(ws, r, [(label, widths[i]) for i, label in enumerate(labels)])
        for j, ind in enumerate(inds):
            cur, prev = (
                values[(ind.id, report.year)].get(key),
                values[(ind.id, report.prev)].get(key),
            )
            write_shown(ws, r, len(stub) + 2 * j, show(ind, cur), fm)
            write_shown(ws, r, len(stub) + 2 * j + 1, change(ind, cur, prev), fm, is_change=True)
    ws.freeze_panes(first, len(stub))
    ws.autofilter(first - 1, 0, first - 1 + len(rows), len(stub) + len(columns) - 1)
    page_setup(ws, widths, first - 1)


def write_profiles(wb, report: Report, fm: Formats, taken: set[str]) -> None:
    eng, prof = report.engine, report.spec.profile
    assert prof is not None
    roster = eng.facts.roster.sort("school_id")
    by_school, by_district = (
        _profile_values(report, "school_id"),
        _profile_values(report, "district"),
    )
    city = {iid: eng.figure(iid, report.year, prof.scope).value for iid in prof.indicators}
    schools = [
        (
            r["school_id"],
            (
                r["school_id"],
                r["school_name"],
                r["district"] or "",
                r["school_type"] or "",
                r["sponsor"] or "",
            ),
        )
        for r in roster.iter_rows(named=True)
    ]
    districts = sorted({r["district"] for r in roster.iter_rows(named=True) if r["district"]})
    write_profile_table(
        wb,
        report,
        sheet_name("各校主要指标", taken),
        ("学校代码", "学校", "旗县区", "办学类型", "举办者"),
        schools,
        by_school,
        fm,
    )
    write_profile_table(
        wb,
        report,
        sheet_name("各旗县区主要指标", taken),
        ("旗县区",),
        [(d, (d,)) for d in districts],
        by_district,
        fm,
    )
    if len(schools) + len(districts) > MAX_PROFILE_SHEETS:
        return
    for sid, (_, sname, *_rest) in schools:
        write_profile(
            wb,
            report,
            f"{sname}（{sid}）主要指标",
            sid,
            by_school,
            city,
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
            fm,
            sheet_name(f"旗县区-{d}", taken),
        )
