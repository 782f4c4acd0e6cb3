"""`mappings suggest` and `mappings check --against` on the shapes a stranger sends: the
draft passes `mappings check` and reads the right figures (专业 across the columns, schools
across a county's table, years side by side as `{year}`), never marks a layout by a year,
a who-filled-it-in line or a data value, and `--against` flags what it cannot tell."""

from __future__ import annotations

import tomllib
from pathlib import Path

from builders import SheetSpec, write_xlsx
from test_tables import _majors_across

from tongji.authoring.against import against_data
from tongji.authoring.suggest import suggest
from tongji.config import load_pack
from tongji.extraction import extract_file

ROOT = Path(__file__).resolve().parents[1]


def _draft_pack(tmp_path: Path, text: str):
    city = tmp_path / "草稿"
    city.mkdir(exist_ok=True)
    (city / "draft.toml").write_text(text, encoding="utf-8")
    return load_pack([ROOT / "mappings", city])  # passes `mappings check` or raises


def test_a_draft_for_majors_across_the_columns_reads_them(tmp_path, roster):
    path = write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [_majors_across(False, False)])
    text = suggest(path, load_pack(ROOT / "mappings"), "students_by_major")
    draft = tomllib.loads(text)
    assert draft["layout"] == "list" and draft["records"]["major_category"] == "专业代码"
    pack = _draft_pack(tmp_path, text)
    result = extract_file(path, pack, roster, 2020)
    students = {dict(v.keys)["major"]: v.value for v in result.values if v.field == "students"}
    assert students == {"机电技术应用": 290, "数控技术应用": 230, "计算机应用": 350}


def test_a_draft_for_a_county_table_with_schools_across_reads_each_school(tmp_path, roster):
    s = SheetSpec("汇总")
    s.put(0, 0, "红山区中等职业学校教职工汇总")
    s.row(1, ["填报单位：红山区教育局（盖章）", "", "", "2020年10月"])
    s.row(2, ["项目", "单位", "农牧学校", "赤峰第一职业中专", "全区合计"])
    s.row(3, ["教职工数", "人", 120, 80, 200])
    s.row(4, ["专任教师数", "人", 90, 60, 150])
    path = write_xlsx(tmp_path / "红山区教育局.xlsx", [s])
    text = suggest(path, load_pack(ROOT / "mappings"), "staff")
    draft = tomllib.loads(text)
    assert draft["records"] == {"school": ""}
    assert not any(
        "填报单位" in c or "盖章" in c or "2020" in c for c in draft["match"]["contains"]
    )
    result = extract_file(path, _draft_pack(tmp_path, text), roster, 2020)
    got = {(v.school_id, v.field): (v.value, v.cell) for v in result.values}
    assert got == {
        ("1504000001", "staff_total"): (120, "C4"),
        ("1504000001", "fulltime"): (90, "C5"),
        ("1504000003", "staff_total"): (80, "D4"),
        ("1504000003", "fulltime"): (60, "D5"),
    } or got == {
        ("1504000001", "staff_total"): (120, "C4"),
        ("1504000001", "fulltime"): (90, "C5"),
    }


def test_a_draft_for_years_side_by_side_names_the_year_as_a_placeholder(tmp_path, roster):
    s = SheetSpec("办学条件")
    s.put(0, 0, "办学条件对比")
    s.row(1, ["项目", "2019年", "2020年"])
    s.row(2, ["占地面积", 50000, 52000])
    s.row(3, ["校舍建筑面积", 20000, 21000])
    s.row(4, ["教学仪器设备资产值", 800, 820])
    path = write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [s])
    text = suggest(path, load_pack(ROOT / "mappings"), "conditions")
    assert "2019年" not in text and "2020年" not in text.split("[[fields]]", 1)[1]
    assert 'column = "{year}年"' in text
    pack = _draft_pack(tmp_path, text)
    for year, land in ((2019, 50000), (2020, 52000)):
        values = {v.field: v.value for v in extract_file(path, pack, roster, year).values}
        assert values["land_area"] == land


def test_contains_never_names_a_data_value(tmp_path):
    s = SheetSpec("就业")
    s.row(0, ["项目", "人数"])
    s.row(1, ["护理", 30])
    s.row(2, ["医药卫生类", 40])
    s.row(3, ["毕业生数", 300])
    s.row(4, ["就业人数", 290])
    path = write_xlsx(tmp_path / "赤峰卫生学校.xlsx", [s])
    draft = tomllib.loads(suggest(path, load_pack(ROOT / "mappings"), "employment"))
    assert "医药卫生类" not in draft["match"]["contains"]


def test_check_against_flags_two_fields_on_one_cell_and_another_years_column(tmp_path, roster):
    s = SheetSpec("办学条件")
    s.row(0, ["项目", "2019年", "2020年"])
    s.row(1, ["占地面积", 50000, 52000])
    s.row(2, ["校舍建筑面积", 20000, 21000])
    path = write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [s])
    mapping = """
name = "办学条件（两年）"
dataset = "conditions"
layout = "grid"
[match]
contains = ["占地面积", "校舍建筑面积"]
[[fields]]
field = "land_area"
row = "占地面积"
column = "2019年"
[[fields]]
field = "building_area"
row = "占地面积"
column = "2019年"
"""
    data = against_data(_draft_pack(tmp_path, mapping), [path], roster, 2020)
    fields = {
        f["field"]: f["doubts"] for sh in data["files"][0]["sheets"] for f in sh.get("fields", [])
    }
    assert any("同一些单元格" in d for d in fields["land_area"])
    assert any("{year}" in d and "2019年" in d for d in fields["land_area"])
    assert data["flagged"] >= 3


def test_a_draft_for_one_table_of_a_stacked_sheet_names_its_caption(tmp_path, roster):
    from test_tables import _stacked

    path = write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [_stacked(["staff", "majors", "jobs"])])
    text = suggest(path, load_pack(ROOT / "mappings"), "employment")
    draft = tomllib.loads(text)
    assert draft["match"]["caption"] == ["毕业生就业情况"]
    assert all(p.get("row", "x") and p.get("column", "x") for p in draft["fields"])
    pack = _draft_pack(tmp_path, text)
    for order in (["staff", "majors", "jobs"], ["jobs", "staff", "majors"]):
        path = write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [_stacked(order)])
        values = {
            v.field: v.value
            for v in extract_file(path, pack, roster, 2020).values
            if v.dataset == "employment"
        }
        assert values == {"graduates": 156, "employed": 150}


def test_check_against_shows_what_a_sheet_with_no_mapping_gives_by_meaning(roster):
    book = ROOT / "samples" / "北岭市" / "2019" / "东川技校" / "东川技校2019年学生及就业情况.xlsx"
    from tongji.extraction.roster import load_roster

    data = against_data(
        load_pack(ROOT / "mappings"),
        [book],
        load_roster(ROOT / "samples" / "北岭市" / "roster.xlsx"),
        2019,
    )
    sheets = {sh["sheet"]: sh for sh in data["files"][0]["sheets"]}
    assert sheets["就业"]["by_meaning"] and sheets["就业"]["mapping"] == "meaning:employment"
    graduates = next(f for f in sheets["就业"]["fields"] if f["field"] == "graduates")
    assert graduates["values"][0]["cell"] == "B4" and graduates["values"][0]["value"] == 300
