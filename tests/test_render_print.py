"""How the summary workbook prints (issue 20, item 6) and the city's figure on the profile
sheets (item 2): tables one page wide at a legible size, wide profile tables in groups of
columns, 表10 by 产业, an empty column left out, 合计 rows bold, one decimals per
indicator in a table, the 全市 figure everywhere the report's own."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tongji.project import load_project
from tongji.reporting import publish
from tongji.reporting.render.formats import (
    LANDSCAPE_UNITS,
    MIN_SCALE,
    unit_on_own_line,
)
from tongji.reporting.render.profiles import city_figures, district_order
from tongji.reporting.render.tables import presented

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def printed(sample_extract_dirs, tmp_path_factory):
    out = tmp_path_factory.mktemp("print") / "summary.xlsx"
    project = load_project(ROOT / "mappings", report=ROOT / "reports" / "annual_report.toml")
    result = publish(
        project, [sample_extract_dirs[2019], sample_extract_dirs[2020]], 2020, out, region="赤峰市"
    )
    return result, openpyxl.load_workbook(out)


def _table(result, tid):
    t = next(t for t in result.tables if t.spec.id == tid)
    return presented(t, result.report.engine.defs)


def test_city_figure_on_profile_pages_is_the_report_tables(printed):
    result, wb = printed
    report = result.report
    shown = [presented(t, report.engine.defs) for t in result.tables]
    city = city_figures(report, shown)
    assert city["student_teacher_ratio"].source == "表4"
    table4 = _table(result, "表4")
    row = next(cells for labels, cells in table4.rows if labels == ("2020",))
    ratio = next(c for c in row if c.indicator and c.indicator.id == "student_teacher_ratio")
    assert city["student_teacher_ratio"].cur.shown.text == ratio.shown.text
    for iid, fig in city.items():  # the table's (or sentence's) 全市 figure, no other
        if fig.source.startswith("表"):
            t = next(t for t in shown if t.spec.id == fig.source)
            assert any(c is fig.cur for _, cells in t.rows for c in cells), iid
    names = {report.engine.defs.indicators[i].title: i for i in city}
    school = wb["赤峰农牧学校"]
    rows = list(school.iter_rows(min_row=4, values_only=True))
    seen = 0
    for r in rows:
        if r[0] in names:
            fig = city[names[r[0]]]
            want = fig.cur.shown.number
            assert r[5] == want, (r[0], r[5], want)
            assert r[6] == (fig.source or "报告未列")
            seen += 1
    assert seen == len(city)
    for sheet in ("各校主要指标", "各旗县区主要指标"):
        ws = wb[sheet]
        city_row = next(r for r in ws.iter_rows(values_only=True) if r[0] == "全市")
        n = 5 if sheet == "各校主要指标" else 1
        for k, iid in enumerate(report.spec.profile.indicators):
            assert city_row[n + 2 * k] == city[iid].cur.shown.number, (sheet, iid)


def test_profile_tables_print_in_column_groups_at_full_size(printed):
    _, wb = printed
    for sheet in ("各校主要指标", "各旗县区主要指标"):
        ws = wb[sheet]
        assert ws.col_breaks.brk, sheet
        assert ws.print_title_cols == "$A:$A"
        assert ws.page_setup.scale in (100, "100", None)
        assert not ws.sheet_properties.pageSetUpPr.fitToPage
    assert [r[0] for r in wb["各旗县区主要指标"].iter_rows(min_row=6, values_only=True)][:3] == [
        "红山区",
        "松山区",
        "阿鲁科尔沁旗",
    ]  # the roster's order (of each 旗县区's first school), not by code point


def test_district_order_follows_the_report_then_the_roster(printed):
    from dataclasses import replace

    result, _ = printed
    report = result.report
    spec = replace(report.spec, profile=replace(report.spec.profile, districts=("宁城县",)))
    moved = type(report)(report.engine, spec, report.year)
    assert district_order(moved)[:2] == ["宁城县", "红山区"]


def test_report_tables_fit_a_page_legibly(printed):
    _, wb = printed
    for i in range(1, 12):
        ws = wb[f"表{i}"]
        width = sum(d.width or 0 for d in ws.column_dimensions.values())
        assert ws.page_setup.paperSize in (9, "9"), ws.title
        assert width <= LANDSCAPE_UNITS / MIN_SCALE, (ws.title, width)


def test_table10_rows_grouped_by_industry(printed):
    result, wb = printed
    t = _table(result, "表10")
    groups = [labels[-1] for labels, _ in t.rows[1:]]
    assert groups.index("三产") > max(i for i, g in enumerate(groups) if g == "二产")
    assert [labels[0] for labels, _ in t.rows].index("轻纺食品类") > [
        labels[0] for labels, _ in t.rows
    ].index("交通运输类")
    ws = wb["表10"]
    assert any(str(m).startswith("B") for m in ws.merged_cells.ranges)  # 二产 merged down
    total = next(r for r in ws.iter_rows() if r[0].value == "总计")
    assert total[0].font.b and total[2].font.b


def test_empty_column_left_out_with_a_note(printed):
    result, wb = printed
    t = _table(result, "表9")
    assert not any("成人中专" in "/".join(c) for c in t.columns)
    assert any("成人中专" in n and "略去" in n for n in t.footnotes)
    texts = [c.value for row in wb["表9"].iter_rows() for c in row if isinstance(c.value, str)]
    assert "成人中专" not in texts


def test_one_indicator_one_number_of_decimals_in_a_table(printed):
    result, _ = printed
    t = _table(result, "表9")
    incomes = [
        c.shown.text
        for _, cells in t.rows
        for c in cells
        if c.indicator and c.indicator.id == "first_income" and c.shown.text
    ]
    assert incomes and all("." in x for x in incomes), incomes
    t5 = _table(result, "表5")
    bandwidth = [
        c.shown.text
        for _, cells in t5.rows
        for c in cells
        if c.indicator and c.indicator.id == "avg_bandwidth"
    ]
    assert bandwidth == ["411.26", "305.00"]


def test_chart_title_once_and_unit_on_its_own_line(printed):
    _, wb = printed
    assert unit_on_own_line("平均宽带（Mbps）", 8) == "平均宽带\n（Mbps）"
    assert unit_on_own_line("平均宽带（Mbps）", 30) == "平均宽带（Mbps）"
    header = [c.value for row in wb["表5"].iter_rows(max_row=5) for c in row if c.value]
    assert "平均宽带\n（Mbps）" in header or "平均宽带（Mbps）" in header
    assert not any("（/" in str(h) for h in header)
