"""Where a figure came from, in a minute: 来源 holds one row per figure × school × cell with
the value read there (filters, frozen header); 数据 points to it in a short cell; links to
the returns are relative to the workbook's folder, so they survive moving the folder; the
latest run's extraction has a path that does not change from run to run."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
import python_calamine as pc

from tongji.project import load_project
from tongji.reporting import publish
from tongji.reporting.render.sources import Linker
from tongji.run import commit

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def published(sample_extract_dirs, tmp_path_factory):
    out = tmp_path_factory.mktemp("sources") / "报告" / "summary.xlsx"
    out.parent.mkdir()
    return _publish(sample_extract_dirs, out)


def _publish(extract_dirs: dict, out: Path) -> Path:
    project = load_project(ROOT / "mappings", report=ROOT / "reports" / "annual_report.toml")
    publish(
        project,
        [extract_dirs[2019], extract_dirs[2020]],
        2020,
        out,
        region="赤峰市",
        base=Path.cwd(),
    )
    return out


def _rows(path: Path, sheet: str) -> list[list]:
    return pc.CalamineWorkbook.from_path(path).get_sheet_by_name(sheet).to_python()


def test_sources_has_a_row_per_school_and_cell_whose_values_make_the_figure(published):
    rows = _rows(published, "来源")
    head = rows[0]
    assert head == [
        "表号",
        "行",
        "列",
        "年度",
        "指标",
        "学校",
        "值",
        "文件",
        "工作表",
        "单元格",
        "状态",
    ]
    col = {h: i for i, h in enumerate(head)}
    enrolment = [
        r
        for r in rows[1:]
        if (r[col["表号"]], r[col["行"]], r[col["列"]]) == ("表1", "2020", "中职招生数（人）")
    ]
    assert sum(r[col["值"]] for r in enrolment if r[col["状态"]] == "采用") == 14422
    assert all(r[col["文件"]] and r[col["工作表"]] and r[col["单元格"]] for r in enrolment)
    assert len({r[col["学校"]] for r in enrolment}) == 26
    change = [
        r for r in rows[1:] if (r[col["表号"]], r[col["行"]]) == ("表1", "变化")
    ]  # a change lists both years' cells
    assert {r[col["年度"]] for r in change} == {"2019", "2020"}


def test_sources_filters_and_keeps_its_header_in_view(published):
    ws = openpyxl.load_workbook(published, read_only=False)["来源"]
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:K")
    assert ws.freeze_panes == "A2"


def test_the_data_sheet_says_how_many_cells_in_a_short_cell_linked_to_sources(published):
    data = _rows(published, "数据")
    col = {h: i for i, h in enumerate(data[0])}
    pointers = [r[col["来源"]] for r in data[1:] if r[col["来源"]]]
    assert pointers and all(len(p) < 30 for p in pointers)
    assert all(re.fullmatch(r"(\d+ 所学校、)?\d+ 个单元格", p) for p in pointers)
    ws = openpyxl.load_workbook(published)["数据"]
    links = [
        c.hyperlink.location
        for row in ws.iter_rows(min_col=12, max_col=12)
        for c in row
        if c.hyperlink
    ]
    assert links and all(loc.startswith("'来源'!A") for loc in links)
    # the figure's first row in 来源 is where the link goes
    sources = _rows(published, "来源")
    first = int(links[0].split("!A")[1])
    assert sources[first - 1][0] == data[1][col["表号"]]


def _targets(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        rels = [
            z.read(n).decode() for n in z.namelist() if n.endswith(".rels") and "worksheets" in n
        ]
    return [t for r in rels for t in re.findall(r'Target="([^"]+)" TargetMode="External"', r)]


def test_links_to_the_returns_are_relative_to_the_workbook(published):
    targets = _targets(published)
    assert targets, "the returns are linked"
    assert not any(t.startswith("file:") or re.match(r"^[A-Za-z]:|^[\\/]", t) for t in targets)
    for target in set(targets[:50]):
        assert (published.parent / target.replace("\\", "/")).resolve().is_file(), target


def test_a_link_survives_moving_the_folder_with_the_returns(tmp_path):
    here = tmp_path / "2020年报"
    (here / "报表").mkdir(parents=True)
    (here / "报表" / "甲校.xlsx").write_bytes(b"x")
    (here / "输出").mkdir()
    link = Linker(here, here / "输出")
    assert link("报表/甲校.xlsx", "中职基411", "F9") == "external:../报表/甲校.xlsx#'中职基411'!F9"
    assert link("报表/甲校.xlsx", "O'Neil", "A1").endswith("#'O''Neil'!A1")
    assert link("报表/甲校.xlsx", "表", "D4+D5") == "external:../报表/甲校.xlsx"  # no one cell
    assert link("报表/没有.xlsx") == "" and link("") == ""
    moved = tmp_path / "别处" / "2020年报"
    shutil.move(here, moved)
    # the same relative text points to the same file from the moved folder
    assert (moved / "输出" / "../报表/甲校.xlsx").resolve().is_file()


def test_the_latest_extraction_has_a_stable_path_replaced_whole(tmp_path):
    out = tmp_path / "out"
    for run, text in (("r1", "一"), ("r2", "二")):
        folder = out / commit.RUNS / run
        (folder / "extract" / "2020").mkdir(parents=True)
        (folder / "extract" / "2020" / "分专业学生.csv").write_text(text, encoding="utf-8")
        (folder / "s.xlsx").write_bytes(text.encode())
        commit.refresh_copy(out, folder, "s.xlsx")
        latest = out / commit.LATEST / "2020" / "分专业学生.csv"
        assert latest.read_text(encoding="utf-8") == text
        assert commit.latest_run(out) == run
    assert not list(out.glob(f".{commit.LATEST}.*"))  # nothing half-done left beside it
    shutil.rmtree(out / commit.RUNS / "r1")  # an old run pruned: the latest is untouched
    assert (out / commit.LATEST / "2020" / "分专业学生.csv").read_text(encoding="utf-8") == "二"


def test_editing_the_latest_database_in_place_leaves_the_committed_run_as_it_was(tmp_path):
    """A SQLite browser writes into 最新提取/…/tongji.sqlite: the run's own copy, which the
    next run and `tongji feedback` read back, stays as committed."""
    out = tmp_path / "out"
    folder = out / commit.RUNS / "r1"
    (folder / "extract" / "2020").mkdir(parents=True)
    db = folder / "extract" / "2020" / "tongji.sqlite"
    db.write_bytes(b"committed")
    (folder / "extract" / "2020" / "lineage.parquet").write_bytes(b"data")
    (folder / "s.xlsx").write_bytes(b"x")
    commit.refresh_copy(out, folder, "s.xlsx")
    with open(out / commit.LATEST / "2020" / "tongji.sqlite", "r+b") as f:  # in place
        f.write(b"EDITED!!!")
    assert db.read_bytes() == b"committed"


def test_a_sources_list_too_long_for_a_sheet_is_a_csv_of_every_row(
    published, sample_extract_dirs, tmp_path, monkeypatch
):
    """A province's 来源 has millions of rows: past a sheet's useful length they go, all of
    them, to a CSV file the workbook names (and 数据 says where each figure starts in it)."""
    from tongji.reporting.render import sources

    in_sheet = _rows(published, "来源")
    monkeypatch.setattr(sources, "SHEET_ROWS", 50)
    monkeypatch.setattr(sources, "_CSV_CHUNK", 7)  # written in parts: one header, one BOM
    out = _publish(sample_extract_dirs, tmp_path / "summary.xlsx")
    csv_file = tmp_path / "summary_来源.csv"
    import csv

    with open(csv_file, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == in_sheet[0] and len(rows) == len(in_sheet)

    # the same rows as the sheet had, value for value (numbers as text in a CSV)
    def shown(row: list) -> list[str]:
        value = row[6]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return [str(x) for x in (*row[:6], value, *row[7:])]

    assert sorted(rows[1:]) == sorted(shown(r) for r in in_sheet[1:])
    note = _rows(out, "来源")[1][0]
    assert "summary_来源.csv" in note and f"{len(rows) - 1:,}" in note
    data = _rows(out, "数据")
    pointers = [(r[:3], r[11]) for r in data[1:] if r[11]]
    assert pointers and all("summary_来源.csv 第 " in p for _, p in pointers)
    for (table, row, col), pointer in pointers:  # the line named is that figure's first
        line = int(re.search(r"第 (\d+) 行起", pointer).group(1))
        assert rows[line - 1][:3] == [table, row, col]
        assert line == 2 or rows[line - 2][:3] != [table, row, col]
    # smaller again: the sheet holds it, and the CSV of the earlier run is gone
    monkeypatch.setattr(sources, "SHEET_ROWS", 10**9)
    _publish(sample_extract_dirs, out)
    assert not csv_file.exists() and len(_rows(out, "来源")) == len(in_sheet)


def test_the_sources_csv_keeps_numbers_as_numbers_and_text_harmless(tmp_path):
    """-5 stays a number Excel can sum; a cell's text that Excel would run is made text; a
    figure of the whole city (no school) says 全市, as the sheet does."""
    from types import SimpleNamespace

    import polars as pl

    from tongji.reporting.render.sources import Sources, write_sources_csv

    cell = SimpleNamespace(indicator=SimpleNamespace(title="收入"))
    frame = pl.DataFrame(
        {
            "school_id": ["1", "", None],
            "file": ["a.xlsx", "b.xlsx", "=c.xlsx"],
            "sheet": ["表1"] * 3,
            "cell": ["B2", "B3", "B4"],
            "figure": [0, 0, 0],
            "year": [2020] * 3,
            "used": [True, True, False],
            "value": [-5.0, 2.5, None],
            "text": [None, None, "=HYPERLINK(1)"],
            "status": ["value"] * 3,
        },
        schema_overrides={"figure": pl.Int32, "year": pl.Int32},
    )
    path = tmp_path / "s.csv"
    write_sources_csv(
        [("表1", "行", "列", cell, "")], Sources(frame, {0: 0}, {0: (1, 3)}), {"1": "甲校"}, path
    )
    import csv

    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert [r[5:8] for r in rows[1:]] == [
        ["甲校", "-5", "a.xlsx"],
        ["全市", "2.5", "b.xlsx"],
        ["全市", "'=HYPERLINK(1)", "'=c.xlsx"],
    ]
