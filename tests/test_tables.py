"""One table model: several tables in a sheet, records along rows or along columns, units,
totals and subtotals of a table, none-marks in the first data row. Each test builds its
own workbook and reads it with the shipped pack and, where a layout needs one, a small
city folder written here (issue: any layout a city sends)."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import SheetSpec, write_xls, write_xlsx

from tongji.config import load_pack
from tongji.extraction import extract_file

ROOT = Path(__file__).resolve().parents[1]


def _pack(tmp_path: Path, **mappings: str):
    city = tmp_path / "本市映射"
    city.mkdir(exist_ok=True)
    for name, text in mappings.items():
        (city / f"{name}.toml").write_text(text, encoding="utf-8")
    return load_pack([ROOT / "mappings", city])


def _values(result) -> dict[tuple, tuple]:
    return {
        (v.dataset, ";".join(f"{k}={x}" for k, x in v.keys), v.field): (v.value, v.cell)
        for v in result.values
    }


def _codes(result) -> list[tuple[str, str]]:
    return sorted((i.code, i.cell) for i in result.issues)


# ---------------------------------------------------------------- several tables in one sheet

STAFF_BLOCK = """
name = "基本情况：教职工"
dataset = "staff"
layout = "grid"
[match]
contains = ["基本情况"]
caption = ["教职工情况"]
[[fields]]
field = "staff_total"
row = "教职工总数"
column = "人数"
[[fields]]
field = "fulltime"
row = "专任教师"
column = "人数"
"""

EMPLOYMENT_BLOCK = """
name = "基本情况：就业"
dataset = "employment"
layout = "grid"
[match]
contains = ["基本情况"]
[[fields]]
field = "graduates"
row = "毕业生数"
column = "人数"
[[fields]]
field = "employed"
row = "就业人数"
column = "人数"
"""

MAJORS_BLOCK = """
name = "基本情况：分专业"
dataset = "students_by_major"
layout = "list"
[match]
contains = ["基本情况"]
[records]
major_category = "专业大类"
major = "专业名称"
[[fields]]
field = "students"
column = "在校生数"
[[fields]]
field = "graduates"
column = "毕业生数"
"""


def _stacked(order: list[str]) -> SheetSpec:
    """A school's 基本情况 sheet: three tables under captions, with notes and blank rows
    between them, in the given order; 毕业生数 is a column of one and a row of another."""
    s = SheetSpec("基本情况")
    s.put(0, 0, "赤峰农牧学校基本情况")
    r = 2
    for name in order:
        if name == "staff":
            s.put(r, 0, "一、教职工情况")
            s.row(r + 1, ["项目", "人数"])
            s.row(r + 2, ["教职工总数", 120])
            s.row(r + 3, ["专任教师", 90])
            s.put(r + 4, 0, "注：含外聘人员。")
            r += 6
        elif name == "majors":
            s.put(r, 0, "（二）分专业学生")
            s.row(r + 1, ["专业名称", "专业大类", "在校生数", "毕业生数"])
            s.row(r + 2, ["机电技术应用", "加工制造类", 300, 95])
            s.row(r + 3, ["计算机应用", "信息技术类", 200, 61])
            r += 5
        else:
            s.put(r, 0, "表3 毕业生就业情况")
            s.row(r + 1, ["项目", "人数"])
            s.row(r + 2, ["毕业生数", 156])
            s.row(r + 3, ["就业人数", 150])
            r += 5
    return s


def test_each_table_of_a_stacked_sheet_is_read_from_its_own_block_in_any_order(tmp_path, roster):
    pack = _pack(tmp_path, staff=STAFF_BLOCK, employment=EMPLOYMENT_BLOCK, majors=MAJORS_BLOCK)
    seen = []
    for i, order in enumerate((["staff", "majors", "jobs"], ["jobs", "majors", "staff"])):
        path = write_xlsx(tmp_path / f"赤峰农牧学校{i}.xlsx", [_stacked(order)])
        result = extract_file(path, pack, roster, 2020)
        values = _values(result)
        assert result.issues == [], result.issues
        got = {k: v[0] for k, v in values.items()}
        assert got == {
            ("staff", "", "staff_total"): 120,
            ("staff", "", "fulltime"): 90,
            ("employment", "", "graduates"): 156,
            ("employment", "", "employed"): 150,
            ("students_by_major", "major_category=加工制造类;major=机电技术应用", "students"): 300,
            ("students_by_major", "major_category=加工制造类;major=机电技术应用", "graduates"): 95,
            ("students_by_major", "major_category=信息技术类;major=计算机应用", "students"): 200,
            ("students_by_major", "major_category=信息技术类;major=计算机应用", "graduates"): 61,
        }
        seen.append(values)
    # the cells follow the blocks: 毕业生数 is read from the 就业 block wherever it stands
    assert seen[0][("employment", "", "graduates")][1] == "B16"
    assert seen[1][("employment", "", "graduates")][1] == "B5"


def test_two_tables_that_fit_a_mapping_equally_are_reported_not_guessed(tmp_path, roster):
    s = SheetSpec("基本情况")
    for top, caption, figure in ((0, "一、本年", 120), (6, "二、上年", 118)):
        s.put(top, 0, caption)
        s.row(top + 1, ["项目", "人数"])
        s.row(top + 2, ["教职工总数", figure])
        s.row(top + 3, ["专任教师", figure - 30])
    no_caption = STAFF_BLOCK.replace('caption = ["教职工情况"]\n', "").replace(
        'contains = ["基本情况"]', 'sheet_names = ["^基本情况"]'
    )
    pack = _pack(tmp_path, staff=no_caption)
    result = extract_file(write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [s]), pack, roster, 2020)
    assert [v for v in result.values if v.dataset == "staff"] == []
    assert [i.code for i in result.issues] == ["table_ambiguous"]
    assert "一、本年" in result.issues[0].message and "二、上年" in result.issues[0].message
    # the mapping that names its table's caption reads it
    named = _pack(tmp_path, staff=no_caption.replace("[match]", '[match]\ncaption = ["本年"]'))
    result = extract_file(write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [s]), named, roster, 2020)
    assert _values(result)[("staff", "", "staff_total")] == (120, "B3")


# ---------------------------------------------------------------- units of a block

EQUIPMENT_KV = """
name = "办学条件（键值）"
dataset = "conditions"
layout = "keyvalue"
[match]
contains = ["办学条件"]
[[fields]]
field = "equipment_value"
label = "教学仪器设备资产值"
[[fields]]
field = "land_area"
label = "占地面积"
"""


def test_a_unit_line_above_a_key_value_block_and_a_unit_cell_beside_a_value_convert(
    tmp_path, roster
):
    s = SheetSpec("办学条件")
    s.put(0, 0, "一、学生情况（金额单位：万元）")
    s.row(1, ["项目", "人数"])
    s.row(2, ["在校生数", 800])
    s.put(4, 0, "二、办学条件")
    s.put(5, 0, "单位：千元")
    s.row(6, ["教学仪器设备资产值", 8560])
    s.row(7, ["占地面积", 30, "亩"])
    pack = _pack(tmp_path, kv=EQUIPMENT_KV)
    result = extract_file(write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [s]), pack, roster, 2020)
    values = {v.field: v for v in result.values}
    assert values["equipment_value"].value == pytest.approx(856.0)  # 千元 → 万元, not ×10
    assert values["equipment_value"].cell == "B7" and "千元→万元" in values["equipment_value"].rule
    assert values["land_area"].value == pytest.approx(20000.0)  # 30 亩
    assert "亩→平方米" in values["land_area"].rule


def test_a_unit_cell_between_label_and_value_is_the_unit_not_the_value(tmp_path, roster):
    s = SheetSpec("办学条件")
    s.put(0, 0, "办学条件")
    s.row(1, ["占地面积", "亩", 45])
    s.row(2, ["教学仪器设备资产值", "万元", 560])
    pack = _pack(tmp_path, kv=EQUIPMENT_KV)
    result = extract_file(write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [s]), pack, roster, 2020)
    values = {v.field: (round(v.value, 3), v.cell) for v in result.values}
    assert values == {"land_area": (30000.0, "C2"), "equipment_value": (560.0, "C3")}


# ---------------------------------------------------------------- records along the columns

MAJORS_ACROSS = """
name = "分专业学生（专业横排）"
dataset = "students_by_major"
layout = "list"
[match]
contains = ["专业代码", "专业名称"]
[records]
major_category = "专业代码"
major = "专业名称"
[[fields]]
field = "major_code"
column = "专业代码"
[[fields]]
field = "enrolment"
column = "招生数"
[[fields]]
field = "students"
column = "在校生数"
[[fields]]
field = "graduates"
column = "毕业生数"
"""


def _majors_across(total_first: bool, group_row: bool) -> SheetSpec:
    """专业 across the columns: a 专业代码 row and a 专业名称 row over them (a merged
    专业大类 row above, sometimes), 招生数 / 在校生数 (其中 一、二、三年级) / 毕业生数 as rows,
    a 合计 column first or last."""
    s = SheetSpec("分专业学生")
    s.put(0, 0, "赤峰农牧学校2020年分专业学生情况")
    majors = [("051300", "机电技术应用", 100, 290, 90), ("051400", "数控技术应用", 80, 230, 70), ("090100", "计算机应用", 120, 350, 110)]  # fmt: skip
    total = [sum(m[i] for m in majors) for i in (2, 3, 4)]
    cols = list(range(2, 5)) if total_first else list(range(1, 4))
    total_col = 1 if total_first else 4
    r = 1
    if group_row:
        s.put(r, 0, "专业大类")
        s.merge(r, cols[0], r, cols[1], "加工制造类")
        s.put(r, cols[2], "信息技术类")
        r += 1
    s.put(r, 0, "专业代码")
    s.put(r, total_col, "合计")
    s.put(r + 1, 0, "专业名称")
    labels = ["招生数", "在校生数", "其中：一年级", "二年级", "三年级", "毕业生数"]
    for i, label in enumerate(labels):
        s.put(r + 2 + i, 0, label)
    for c, (code, name, enrol, students, grads) in zip(cols, majors, strict=True):
        s.put(r, c, code)
        s.put(r + 1, c, name)
        per_grade = [students // 3, students // 3, students - 2 * (students // 3)]
        for i, v in enumerate([enrol, students, *per_grade, grads]):
            s.put(r + 2 + i, c, v)
    grades = [sum(m[3] // 3 for m in majors), sum(m[3] // 3 for m in majors), sum(m[3] - 2 * (m[3] // 3) for m in majors)]  # fmt: skip
    for i, v in enumerate([total[0], total[1], *grades, total[2]]):
        s.put(r + 2 + i, total_col, v)
    return s


@pytest.mark.parametrize("total_first", [True, False])
@pytest.mark.parametrize("group_row", [True, False])
def test_majors_across_the_columns_are_read_as_records(tmp_path, roster, total_first, group_row):
    pack = _pack(tmp_path, across=MAJORS_ACROSS)
    path = write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [_majors_across(total_first, group_row)])
    result = extract_file(path, pack, roster, 2020)
    values = _values(result)
    key = "major_category=加工制造类;major=数控技术应用"
    first = 3 if total_first else 2  # the column of the first major (C or B)
    offset = 1 if group_row else 0
    assert values[("students_by_major", key, "students")] == (
        230,
        f"{'CDE'[first - 2] if total_first else 'C'}{5 + offset}",
    )
    assert values[("students_by_major", key, "major_code")][1].startswith(
        "D" if total_first else "C"
    )
    assert {k[1] for k in values} == {
        "major_category=加工制造类;major=机电技术应用",
        "major_category=加工制造类;major=数控技术应用",
        "major_category=信息技术类;major=计算机应用",
    }
    assert result.issues == []  # the 合计 column agrees with its majors: no finding
    assert {(t.field, t.value) for t in result.totals} >= {
        ("students", 870.0),
        ("graduates", 270.0),
    }


SCHOOLS_ACROSS = """
name = "县汇总（学校横排）"
dataset = "conditions"
layout = "list"
[match]
contains = ["指标", "占地面积"]
[records]
school = ""
[[fields]]
field = "land_area"
column = "占地面积"
[[fields]]
field = "equipment_value"
column = "教学仪器设备资产值"
"""


def test_a_county_table_with_schools_as_columns_and_a_unit_column(tmp_path, roster):
    s = SheetSpec("汇总")
    s.put(0, 0, "红山区中等职业学校办学条件汇总")
    s.row(1, ["指标", "单位", "农牧学校", "赤峰第一职业中专", "全区合计"])
    s.row(2, ["占地面积", "亩", 30, 45, 75])
    s.row(3, ["教学仪器设备资产值", "千元", 8560, 4000, 12560])
    pack = _pack(tmp_path, county=SCHOOLS_ACROSS)
    result = extract_file(write_xlsx(tmp_path / "红山区教育局汇总.xlsx", [s]), pack, roster, 2020)
    got = {(v.school_id, v.field): (round(v.value, 3), v.cell) for v in result.values}
    assert got == {
        ("1504000001", "land_area"): (20000.0, "C3"),
        ("1504000001", "equipment_value"): (856.0, "C4"),
        ("1504000003", "land_area"): (30000.0, "D3"),
        ("1504000003", "equipment_value"): (400.0, "D4"),
    }
    assert result.school_id is None  # a county's table is nobody's
    assert result.issues == []


# ---------------------------------------------------------------- subtotals and averages

MAJORS_WITH_GROUPS = """
name = "分专业（大类合并，小计）"
dataset = "students_by_major"
layout = "list"
[match]
contains = ["专业大类", "专业名称", "在校生数"]
[records]
major_category = "专业大类"
major = "专业名称"
[[fields]]
field = "students"
column = "在校生数"
"""


def test_subtotal_rows_under_a_merged_group_are_totals_not_majors(tmp_path, roster):
    s = SheetSpec("分专业")
    s.row(0, ["专业大类", "专业名称", "在校生数"])
    s.merge(1, 0, 3, 0, "加工制造类")
    s.row(1, ["机电技术应用", 300], start_col=1)
    s.row(2, ["数控技术应用", 250], start_col=1)
    s.row(3, ["小计", 560], start_col=1)  # wrong: the parts are right
    s.merge(4, 0, 5, 0, "信息技术类")
    s.row(4, ["计算机应用", 200], start_col=1)
    s.row(5, ["小计", 200], start_col=1)
    s.row(6, ["合计", "", 750])
    pack = _pack(tmp_path, groups=MAJORS_WITH_GROUPS)
    path = write_xls(tmp_path / "赤峰农牧学校.xls", [s])
    result = extract_file(path, pack, roster, 2020)
    majors = sorted(dict(v.keys)["major"] for v in result.values)
    assert majors == ["数控技术应用", "机电技术应用", "计算机应用"]
    assert sum(v.value for v in result.values) == 750
    assert _codes(result) == [("total_mismatch", "C4")]
    assert "560" in result.issues[0].message and "550" in result.issues[0].message


EMPLOYMENT_BY_MAJOR_TOTAL = """
name = "就业（合计行）"
dataset = "employment"
layout = "grid"
[match]
contains = ["毕业生数", "月均收入"]
[[fields]]
field = "graduates"
row = "合计"
column = "毕业生数"
[[fields]]
field = "first_income"
row = "合计"
column = "月均收入"
"""


def test_a_totals_row_holding_an_average_is_checked_as_an_average(tmp_path, roster):
    s = SheetSpec("就业")
    s.row(0, ["专业", "毕业生数", "月均收入"])
    s.row(1, ["机电技术应用", 90, 3200])
    s.row(2, ["计算机应用", 110, 3600])
    s.row(3, ["合计", 200, 3420])
    pack = _pack(tmp_path, employment=EMPLOYMENT_BY_MAJOR_TOTAL)
    result = extract_file(write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [s]), pack, roster, 2020)
    assert {v.field: v.value for v in result.values} == {"graduates": 200, "first_income": 3420}
    assert result.issues == []


def test_an_average_outside_its_rows_is_a_finding(tmp_path, roster):
    from tongji.extraction.layouts.rows import _check_mean  # noqa: F401  (the rule under test)

    s = SheetSpec("就业")
    s.row(0, ["专业名称", "专业大类", "毕业生数", "月均收入"])
    s.row(1, ["机电技术应用", "加工制造类", 90, 3200])
    s.row(2, ["计算机应用", "信息技术类", 110, 3600])
    s.row(3, ["合计", "", 200, 6800])  # a sum of averages: no average
    mapping = MAJORS_BLOCK.replace('contains = ["基本情况"]', 'contains = ["月均收入"]')
    mapping += '[[fields]]\nfield = "graduates"\ncolumn = "毕业生数"\n'
    city = tmp_path / "本市映射"
    city.mkdir()
    # first_income is an employment field; the per-专业 table of 就业 is checked the same way
    (city / "jobs.toml").write_text(
        """
name = "就业（分专业）"
dataset = "employment"
layout = "list"
[match]
contains = ["月均收入"]
[records]
school = "学校"
[[fields]]
field = "first_income"
column = "月均收入"
""",
        encoding="utf-8",
    )
    s2 = SheetSpec("就业")
    s2.row(0, ["学校", "毕业生数", "月均收入"])
    s2.row(1, ["赤峰农牧学校", 90, 3200])
    s2.row(2, ["松山区职教中心", 110, 3600])
    s2.row(3, ["合计", 200, 6800])
    pack = load_pack([ROOT / "mappings", city])
    result = extract_file(write_xlsx(tmp_path / "汇总.xlsx", [s2]), pack, roster, 2020)
    assert _codes(result) == [("total_mismatch", "C4")]
    assert "平均数" in result.issues[0].message


# ---------------------------------------------------------------- the first data row


def test_none_marks_and_bracketed_numbers_in_the_first_data_row_stay_data(tmp_path, roster):
    s = SheetSpec("分专业")
    s.row(0, ["专业名称", "专业大类", "在校生数", "毕业生数"])
    s.row(1, ["护理", "医药卫生类", "—", "／"])
    s.row(2, ["机电技术应用", "加工制造类", "(46)", 95])
    s.row(3, ["计算机应用", "信息技术类", "200", "61"])
    pack = _pack(
        tmp_path, majors=MAJORS_BLOCK.replace('contains = ["基本情况"]', 'contains = ["专业名称"]')
    )
    result = extract_file(write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [s]), pack, roster, 2020)
    values = _values(result)
    assert values[
        ("students_by_major", "major_category=信息技术类;major=计算机应用", "students")
    ] == (200, "C4")
    assert values[("students_by_major", "major_category=医药卫生类;major=护理", "students")] == (
        None,
        "C2",
    )
    assert values[
        ("students_by_major", "major_category=加工制造类;major=机电技术应用", "graduates")
    ] == (95, "D3")
    assert _codes(result) == [("bad_value", "C3")]  # (46): said, never guessed


# ---------------------------------------------------------------- precedence of mapping folders

CITY_STAFF = """
name = "本市教职工情况"
dataset = "staff"
layout = "grid"
[match]
contains = ["教职工总数"]
[[fields]]
field = "staff_total"
row = "教职工总数"
column = "本年"
[[fields]]
field = "fulltime"
row = "专任教师"
column = "本年"
"""


def _staff_sheet() -> SheetSpec:
    """The pack's 教职工情况 (项目 | 人数) and a city's own columns (本年 | 上年) in one sheet."""
    s = SheetSpec("教职工")
    s.row(0, ["项目", "人数", "本年", "上年"])
    s.row(1, ["教职工总数", 120, 120, 118])
    s.row(2, ["专任教师", 90, 90, 88])
    return s


def test_a_city_mapping_wins_a_tie_with_the_pack_and_can_switch_a_pack_mapping_off(
    tmp_path, roster
):
    path = write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [_staff_sheet()])
    pack = _pack(tmp_path, city_staff=CITY_STAFF)
    result = extract_file(path, pack, roster, 2020)
    assert {v.mapping for v in result.values} == {"city_staff"}
    assert {v.cell for v in result.values} == {"C2", "C3"}
    assert not [i for i in result.issues if i.code == "sheet_ambiguous"]
    # switched off: the pack's mapping is not even scored
    off = _pack(
        tmp_path, city_staff=CITY_STAFF.replace("[match]", 'replaces = ["school_staff"]\n[match]')
    )
    assert "school_staff" not in {m.id for m in off.mappings}


def test_a_tie_within_one_folder_is_reported_with_what_tells_the_two_apart(tmp_path, roster):
    path = write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [_staff_sheet()])
    twin = CITY_STAFF.replace('column = "本年"', 'column = "上年"')
    pack = _pack(tmp_path, city_a=CITY_STAFF, city_b=twin)
    result = extract_file(path, pack, roster, 2020)
    assert result.values == []
    (found,) = [i for i in result.issues if i.code == "sheet_ambiguous"]
    assert "city_a" in found.message and "city_b" in found.message
    assert (
        "只有 city_a 要找的：本年" in found.message and "只有 city_b 要找的：上年" in found.message
    )
    assert "replaces" in found.hint


def test_replacing_a_mapping_that_is_not_there_is_a_config_mistake_naming_the_key(tmp_path):
    from tongji.errors import ConfigError

    with pytest.raises(ConfigError) as e:
        _pack(tmp_path, city=CITY_STAFF.replace("[match]", 'replaces = ["no_such"]\n[match]'))
    (problem,) = e.value.problems
    assert (
        problem.key == "replaces"
        and "no_such" in problem.message
        and "school_staff" in problem.message
    )


# ---------------------------------------------------------------- hidden rows, formulas, .ods


def test_hidden_rows_and_columns_are_not_data_and_are_said(tmp_path, roster):
    import xlsxwriter

    path = tmp_path / "赤峰农牧学校.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("分专业")
    ws.write_row(0, 0, ["专业名称", "专业大类", "在校生数", "上年在校生数", "毕业生数"])
    ws.write_row(1, 0, ["机电技术应用", "加工制造类", 300, 280, 95])
    ws.write_row(2, 0, ["机电技术应用", "加工制造类", 280, 260, 90])  # last year's, hidden
    ws.set_row(2, None, None, {"hidden": True})
    ws.write_row(3, 0, ["计算机应用", "信息技术类", 200, 190, 61])
    ws.write_row(4, 0, ["护理", "医药卫生类", 50, 40, 10])  # a 专业 only in hidden rows
    ws.set_row(4, None, None, {"hidden": True})
    ws.set_column(3, 3, None, None, {"hidden": True})
    wb.close()
    pack = _pack(
        tmp_path, majors=MAJORS_BLOCK.replace('contains = ["基本情况"]', 'contains = ["专业名称"]')
    )
    result = extract_file(path, pack, roster, 2020)
    got = {(dict(v.keys)["major"], v.field): (v.value, v.cell) for v in result.values}
    assert got == {
        ("机电技术应用", "students"): (300, "C2"),
        ("机电技术应用", "graduates"): (95, "E2"),
        ("计算机应用", "students"): (200, "C4"),
        ("计算机应用", "graduates"): (61, "E4"),
    }
    (said,) = [i for i in result.issues if i.code == "hidden_cells_skipped"]
    assert "第 3、5 行" in said.message and "D 列" in said.message and said.severity == "info"
    assert not [i for i in result.issues if i.code == "duplicate_row"]


def test_hidden_rows_of_a_legacy_xls_are_not_data(tmp_path, roster):
    import xlwt

    path = tmp_path / "赤峰农牧学校.xls"
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("分专业")
    for r, row in enumerate(
        [
            ["专业名称", "专业大类", "在校生数", "毕业生数"],
            ["机电技术应用", "加工制造类", 280, 90],
            ["机电技术应用", "加工制造类", 300, 95],
        ]
    ):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    ws.row(1).hidden = True
    wb.save(str(path))
    pack = _pack(
        tmp_path, majors=MAJORS_BLOCK.replace('contains = ["基本情况"]', 'contains = ["专业名称"]')
    )
    result = extract_file(path, pack, roster, 2020)
    assert {(v.field, v.value, v.cell) for v in result.values} == {
        ("students", 300, "C3"),
        ("graduates", 95, "D3"),
    }


def test_formulas_of_a_workbook_that_asks_to_be_recalculated_are_said_per_cell(tmp_path, roster):
    import xlsxwriter

    path = tmp_path / "赤峰农牧学校.xlsx"
    wb = xlsxwriter.Workbook(str(path))  # XlsxWriter always asks for a recalculation on open
    ws = wb.add_worksheet("教职工")
    ws.write_row(0, 0, ["项目", "人数"])
    ws.write_row(1, 0, ["专任教师", 90])
    ws.write_row(2, 0, ["行政人员", 20])
    ws.write(3, 0, "教职工总数")
    ws.write_formula(3, 1, "=B2+B3", None, 110)  # stored result right, but who knows
    wb.close()
    result = extract_file(path, load_pack(ROOT / "mappings"), roster, 2020)
    values = {v.field: (v.value, v.cell) for v in result.values}
    assert values["staff_total"] == (110, "B4") and values["fulltime"] == (90, "B2")
    recalc = [(i.code, i.cell) for i in result.issues if i.code == "formula_recalc_needed"]
    assert recalc == [("formula_recalc_needed", "B4")]


def test_a_row_of_formulas_without_stored_results_is_data_not_header(tmp_path, roster):
    import openpyxl

    path = tmp_path / "赤峰农牧学校.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "分专业"
    ws.append(["专业名称", "专业大类", "在校生数", "毕业生数"])
    ws.append(["机电技术应用", "加工制造类", "=100+200", "=90+5"])  # no stored result
    ws.append(["计算机应用", "信息技术类", 200, 61])
    wb.save(path)
    pack = _pack(
        tmp_path, majors=MAJORS_BLOCK.replace('contains = ["基本情况"]', 'contains = ["专业名称"]')
    )
    result = extract_file(path, pack, roster, 2020)
    got = {(dict(v.keys)["major"], v.field): (v.value, v.cell) for v in result.values}
    assert got[("计算机应用", "students")] == (200, "C3")
    assert got[("机电技术应用", "students")] == (None, "C2")  # blank, and said at the cell
    codes = {(i.code, i.cell) for i in result.issues}
    assert ("formula_no_cached_value", "C2") in codes and ("formula_no_cached_value", "D2") in codes


def test_a_mapping_may_say_that_hidden_rows_are_data(tmp_path, roster):
    s = SheetSpec("分专业")
    s.row(0, ["专业名称", "专业大类", "在校生数", "毕业生数"])
    s.row(1, ["机电技术应用", "加工制造类", 300, 95])
    s.row(2, ["计算机应用", "信息技术类", 200, 61])
    s.hidden_rows = {2}
    path = write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [s])
    mapping = MAJORS_BLOCK.replace('contains = ["基本情况"]', 'contains = ["专业名称"]')
    hidden_too = mapping.replace('layout = "list"', 'layout = "list"\nread_hidden = true')
    for text, majors in ((mapping, {"机电技术应用"}), (hidden_too, {"机电技术应用", "计算机应用"})):
        result = extract_file(path, _pack(tmp_path, majors=text), roster, 2020)
        assert {dict(v.keys)["major"] for v in result.values} == majors
        said = [i for i in result.issues if i.code == "hidden_cells_skipped"]
        assert bool(said) == (text is mapping)


def test_an_ods_return_merges_spans_and_leaves_hidden_rows_out(tmp_path, roster):
    from builders import write_ods

    s = SheetSpec("分专业")
    s.put(0, 0, "赤峰农牧学校分专业学生")
    s.row(1, ["专业大类", "专业名称", "在校生数"])
    s.merge(2, 0, 3, 0, "加工制造类")  # a spanned cell over two rows
    s.row(2, ["机电技术应用", 300], start_col=1)
    s.row(3, ["数控技术应用", 250], start_col=1)
    s.row(4, ["加工制造类", "数控技术应用", 240])  # last year's, hidden
    s.hidden_rows = {4}
    path = write_ods(tmp_path / "赤峰农牧学校.ods", [s])
    mapping = """
name = "分专业（ods）"
dataset = "students_by_major"
layout = "list"
[match]
contains = ["专业大类", "专业名称", "在校生数"]
[records]
major_category = "专业大类"
major = "专业名称"
[[fields]]
field = "students"
column = "在校生数"
"""
    result = extract_file(path, _pack(tmp_path, ods=mapping), roster, 2020)
    got = {
        (dict(v.keys)["major_category"], dict(v.keys)["major"]): (v.value, v.cell)
        for v in result.values
    }
    assert got == {
        ("加工制造类", "机电技术应用"): (300, "C3"),
        ("加工制造类", "数控技术应用"): (250, "C4"),
    }
    assert [i.code for i in result.issues] == ["hidden_cells_skipped"]


def test_a_county_table_whose_mapping_reads_one_dataset_gives_its_others_by_meaning(
    tmp_path, roster
):
    s = SheetSpec("汇总")
    s.row(0, ["指标", "单位", "农牧学校", "赤峰第一职业中专", "全区合计"])
    s.row(1, ["教职工数", "人", 120, 80, 200])
    s.row(2, ["专任教师数", "人", 90, 60, 150])
    s.row(3, ["占地面积", "亩", 30, 45, 75])
    s.row(4, ["教学仪器设备资产值", "万元", 856, 400, 1256])
    staff_only = """
name = "县汇总：教职工"
dataset = "staff"
layout = "list"
[match]
contains = ["指标", "教职工数"]
[records]
school = ""
[[fields]]
field = "staff_total"
column = "教职工数"
[[fields]]
field = "fulltime"
column = "专任教师数"
"""
    pack = _pack(tmp_path, county=staff_only)
    result = extract_file(write_xlsx(tmp_path / "红山区教育局.xlsx", [s]), pack, roster, 2020)
    got = {(v.school_id, v.field, v.mapping) for v in result.values}
    assert ("1504000001", "staff_total", "county") in got
    assert ("1504000003", "land_area", "meaning:conditions") in got
    assert ("1504000003", "equipment_value", "meaning:conditions") in got
    assert len(got) == 8


def test_a_lower_tables_unit_line_and_caption_are_its_own(tmp_path, roster):
    s = SheetSpec("基本情况")
    s.put(0, 0, "一、教职工情况")
    s.row(1, ["项目", "人数"])
    s.row(2, ["教职工总数", 120])
    s.row(3, ["专任教师", 90])
    for i in range(4, 14):  # a long first table: the 单位 line below is far from the top
        s.row(i, [f"其他{i}", i])
    s.put(15, 0, "（二）实训基地情况（金额单位：千元）")
    s.row(16, ["基地类别", "基地数", "设备总值"])
    s.row(17, ["学校实训基地", 8, 10566])
    s.row(18, ["公共实训基地", 2, 1574.3])
    result = extract_file(
        write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [s]), load_pack(ROOT / "mappings"), roster, 2020
    )
    bases = {
        (dict(v.keys)["base_type"], v.field): v.value
        for v in result.values
        if v.dataset == "training_bases"
    }
    assert bases[("学校实习实训基地", "equipment_value")] == pytest.approx(1056.6)  # 千元 → 万元
    assert bases[("学校实习实训基地", "bases")] == 8  # a count: the 金额单位 says nothing of it
    assert not [i for i in result.issues if i.severity == "error"]


def test_a_key_value_mapping_reads_the_table_its_caption_names(tmp_path, roster):
    s = SheetSpec("基本情况")
    s.put(0, 0, "一、上年办学条件")
    s.row(1, ["教学仪器设备资产值", 800])
    s.row(2, ["占地面积", 50000])
    s.put(4, 0, "二、本年办学条件")
    s.row(5, ["教学仪器设备资产值", 820])
    s.row(6, ["占地面积", 52000])
    kv = EQUIPMENT_KV.replace(
        'contains = ["办学条件"]', 'contains = ["办学条件"]\ncaption = ["本年"]'
    )
    result = extract_file(
        write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [s]), _pack(tmp_path, kv=kv), roster, 2020
    )
    assert {v.field: (v.value, v.cell) for v in result.values} == {
        "equipment_value": (820, "B6"),
        "land_area": (52000, "B7"),
    }
    nowhere = EQUIPMENT_KV.replace(
        'contains = ["办学条件"]', 'contains = ["办学条件"]\ncaption = ["下年"]'
    )
    result = extract_file(
        write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [s]), _pack(tmp_path, kv=nowhere), roster, 2020
    )
    assert result.values == [] or all(v.mapping.startswith("meaning") for v in result.values)
    assert {i.code for i in result.issues} >= {"field_not_found"}


def test_a_job_may_say_that_hidden_rows_are_data_for_every_mapping(tmp_path, roster):
    from dataclasses import replace

    from tongji.config import load_job

    s = SheetSpec("分专业")
    s.row(0, ["专业名称", "专业大类", "在校生数", "毕业生数"])
    s.row(1, ["机电技术应用", "加工制造类", 300, 95])
    s.row(2, ["计算机应用", "信息技术类", 200, 61])
    s.hidden_rows = {2}
    path = write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [s])
    pack = _pack(
        tmp_path, majors=MAJORS_BLOCK.replace('contains = ["基本情况"]', 'contains = ["专业名称"]')
    )
    result = extract_file(path, replace(pack, read_hidden=True), roster, 2020)
    assert {dict(v.keys)["major"] for v in result.values} == {"机电技术应用", "计算机应用"}
    assert not [i for i in result.issues if i.code == "hidden_cells_skipped"]
    (tmp_path / "2020").mkdir()
    job = tmp_path / "tongji.toml"
    root = ROOT.as_posix()
    job.write_text(
        f'year = 2020\nroster = "{root}/samples/roster.xlsx"\nmappings = "{root}/mappings"\n'
        f'report = "{root}/reports/annual_report.toml"\noutput = "o"\nread_hidden = true\n'
        '[inputs]\n2020 = ["2020"]\n',
        encoding="utf-8",
    )
    assert load_job(job).read_hidden is True
