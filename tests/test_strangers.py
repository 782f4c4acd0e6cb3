"""Returns tongji has not seen before: each cause by which a stranger's layout could give a
silently wrong figure, with a fixture the test builds itself, and the right figure or a
named finding asserted (issue: never silently wrong on a stranger's returns)."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import SheetSpec, write_xlsx

from tongji.config import load_pack
from tongji.extraction import extract_file, extract_paths


def _pack(pack_dir: Path, **mappings: str):
    for name, text in mappings.items():
        (pack_dir / f"{name}.toml").write_text(text, encoding="utf-8")
    return load_pack(pack_dir)


def _values(result) -> dict[tuple, object]:
    return {(v.school_id, v.dataset, v.keys, v.field): v for v in result.values}


# ---------------------------------------------------------------- results never depend on file order

TEACHERS_BY_PATH = """
name = "专任教师（学历在上层表头下）"
dataset = "teachers"
layout = "grid"
[match]
sheet_names = ["^专任教师"]
[[fields]]
field = "total"
row = "总计"
column = "合计"
[[fields]]
field = "bachelor"
row = "总计"
column = "按学历分/本科毕业"
"""


def _teacher_sheet(extra_header: bool, total: int) -> SheetSpec:
    """The same header rows and column-code row; one return has one more header row above
    them (the 学历 grouping), the other a title there instead."""
    s = SheetSpec("专任教师")
    if extra_header:
        s.row(0, ["学历", "全部", "按学历分"])
    else:
        s.put(0, 0, "专任教师情况")
    s.row(1, ["项目", "合计", "本科毕业"])
    s.row(2, ["甲", 1, 2])
    s.row(3, ["总计", total, total - 20])
    return s


def test_results_do_not_depend_on_the_order_of_files_or_the_number_of_jobs(
    tmp_path, pack_dir, roster
):
    pack = _pack(pack_dir, teachers_by_path=TEACHERS_BY_PATH)
    plain = write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [_teacher_sheet(False, 100)])
    grouped = write_xlsx(tmp_path / "松山区职教中心.xlsx", [_teacher_sheet(True, 50)])
    runs = [
        extract_paths([plain, grouped], pack, roster, 2020),
        extract_paths([grouped, plain], pack, roster, 2020),
        extract_paths([plain, grouped], pack, roster, 2020, jobs=2),
        extract_paths([grouped], pack, roster, 2020),
    ]

    def seen(result):
        values = sorted((v.school_id, v.field, v.value, v.cell) for v in result.values)
        issues = sorted((i.code, Path(i.file).name, i.message) for i in result.issues)
        return values, issues

    assert seen(runs[0]) == seen(runs[1]) == seen(runs[2])
    # the return with the 按学历分 header gives its 本科 figure whatever was read before it
    assert ("1504000002", "bachelor", 30.0, "C4") in seen(runs[0])[0]
    assert seen(runs[3])[0] == [v for v in seen(runs[0])[0] if v[0] == "1504000002"]


# ---------------------------------------------------------------- a pack for strangers' layouts

STRANGER_DATASETS = """
[dimensions.major_category]
title = "专业大类"
code_digits = 2
code_length = 6
[dimensions.major_category.values]
"农林牧渔类" = ["农林牧渔", "01"]
"加工制造类" = ["加工制造", "05"]
"医药卫生类" = ["医药卫生", "10"]

[dimensions.item]
title = "项目"
[dimensions.item.values]
"教学仪器设备" = []
"图书" = []

[datasets.conditions]
title = "办学条件"
[datasets.conditions.fields]
equipment_value = { title = "教学仪器设备资产值", type = "number", unit = "万元", aliases = ["设备总值"] }
land_area = { title = "占地面积", type = "number", unit = "平方米" }

[datasets.assets]
title = "资产（分项目）"
keys = ["item"]
[datasets.assets.fields]
value = { title = "金额", type = "number", unit = "万元" }

[dimensions.kind]
title = "教师类别"
[dimensions.kind.values]
"专任教师" = []
"兼课教师" = []
"兼职教师" = []

[datasets.staff]
title = "教职工"
[datasets.staff.fields]
staff_total = { title = "教职工数", type = "integer", unit = "人" }
fulltime = { title = "专任教师数", type = "integer", unit = "人" }

[datasets.teacher_kinds]
title = "分类别教师"
keys = ["kind"]
[datasets.teacher_kinds.fields]
total = { title = "人数", type = "integer", unit = "人" }

[datasets.info]
title = "学校基本情况"
[datasets.info.fields]
students = { title = "在校生数", type = "integer", unit = "人" }

[datasets.majors]
title = "分专业学生"
keys = ["major_category"]
[datasets.majors.fields]
major_code = { title = "专业代码", type = "code", length = 6 }
students = { title = "在校生数", type = "integer", unit = "人" }
"""


@pytest.fixture
def stranger_dir(tmp_path: Path) -> Path:
    d = tmp_path / "stranger"
    d.mkdir()
    (d / "datasets.toml").write_text(STRANGER_DATASETS, encoding="utf-8")
    return d


def _conditions_sheet(unit_cell: str, value) -> SheetSpec:
    s = SheetSpec("办学条件")
    s.put(0, 0, "赤峰农牧学校办学条件")
    s.put(1, 0, unit_cell)
    s.row(2, ["项目", "数值"])
    s.row(3, ["设备总值", value])
    s.row(4, ["占地面积", 12000])
    return s


CONDITIONS_BY_ROW = """
dataset = "conditions"
layout = "grid"
[match]
sheet_names = ["^办学条件"]
[[fields]]
field = "equipment_value"
row = "设备总值"
column = "数值"
"""


@pytest.mark.parametrize(
    "unit_cell, raw, expected",
    [
        (
            "填报单位：赤峰农牧学校        金额单位：千元",
            8560,
            856.0,
        ),  # the second marker of the cell
        ("单位：元", 8560000, 856.0),
        ("单位：万元", 856, 856.0),
        ("", "8560000元", 856.0),  # a unit written in the cell itself
        ("单位：千元", "8560000元", 856.0),  # the cell's own unit wins over the sheet's
    ],
)
def test_units_declared_anywhere_are_converted(
    tmp_path, stranger_dir, roster, unit_cell, raw, expected
):
    pack = _pack(stranger_dir, conditions=CONDITIONS_BY_ROW)
    res = extract_file(
        write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [_conditions_sheet(unit_cell, raw)]),
        pack,
        roster,
        2020,
    )
    [v] = [v for v in res.values if v.field == "equipment_value"]
    assert v.value == pytest.approx(expected) and v.unit == "万元" and res.issues == []
    assert "单位换算" in v.rule or unit_cell == "单位：万元"


def test_a_unit_tongji_does_not_know_is_an_error_not_a_guess(tmp_path, stranger_dir, roster):
    pack = _pack(stranger_dir, conditions=CONDITIONS_BY_ROW)
    res = extract_file(
        write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [_conditions_sheet("金额单位：美元", 100)]),
        pack,
        roster,
        2020,
    )
    [v] = [v for v in res.values if v.field == "equipment_value"]
    assert v.value is None and v.status == "error"
    [issue] = res.issues
    assert issue.code == "unit_mismatch" and "美元" in issue.message and issue.cell == "B4"


def test_unit_in_the_cell_beside_a_label(tmp_path, stranger_dir, roster):
    pack = _pack(stranger_dir, conditions=CONDITIONS_BY_ROW)
    s = _conditions_sheet("", 8560)
    s.row(1, ["计量单位", "千元"])
    res = extract_file(write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [s]), pack, roster, 2020)
    [v] = [v for v in res.values if v.field == "equipment_value"]
    assert v.value == pytest.approx(856.0) and v.source_unit == "千元"


ASSETS_WITH_UNIT_COLUMN = """
dataset = "assets"
layout = "list"
[match]
contains = ["项目", "金额"]
[records]
item = "项目"
[[fields]]
field = "value"
column = "金额"
"""


def test_a_unit_column_gives_each_row_its_unit(tmp_path, stranger_dir, roster):
    pack = _pack(stranger_dir, assets=ASSETS_WITH_UNIT_COLUMN)
    s = SheetSpec("资产")
    s.row(0, ["项目", "单位", "金额"])
    s.row(1, ["教学仪器设备", "元", 8560000])
    s.row(2, ["图书", "万元", 12.5])
    res = extract_file(write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [s]), pack, roster, 2020)
    got = {dict(v.keys)["item"]: (v.value, v.source_unit) for v in res.values}
    assert got == {"教学仪器设备": (pytest.approx(856.0), "元"), "图书": (12.5, "万元")}
    assert res.issues == []
    # a column with another header is named in the mapping
    named = 'unit_column = "计价单位"\n' + ASSETS_WITH_UNIT_COLUMN
    pack = _pack(stranger_dir, assets=named)
    s.row(0, ["项目", "计价单位", "金额"])
    res = extract_file(write_xlsx(tmp_path / "赤峰农牧学校2.xlsx", [s]), pack, roster, 2020)
    assert {dict(v.keys)["item"]: v.value for v in res.values}["教学仪器设备"] == pytest.approx(
        856.0
    )


# ---------------------------------------------------------------- codes keep their leading zero

MAJORS_BY_CODE = """
dataset = "majors"
layout = "grid"
[match]
sheet_names = ["^分专业"]
[records]
major_category = "专业代码"
[[fields]]
field = "major_code"
column = "专业代码"
[[fields]]
field = "students"
column = "在校生数"
"""


def test_a_code_stored_as_a_number_gets_its_zero_back_and_a_code_that_resolves_nowhere_is_an_error(
    tmp_path, stranger_dir, roster
):
    pack = _pack(stranger_dir, majors=MAJORS_BY_CODE)
    s = SheetSpec("分专业学生")
    s.row(0, ["专业名称", "专业代码", "在校生数"])
    s.row(1, ["畜牧兽医", 10400, 538])  # 010400 typed into a number cell: the 0 is gone
    s.row(2, ["护理", "100100", 300])
    s.row(3, ["某专业", "990100", 12])  # no 专业大类 has code 99
    s.row(4, ["其中：女生", None, 100])  # a form row that is not a record
    res = extract_file(write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [s]), pack, roster, 2020)
    got = {
        dict(v.keys)["major_category"]: {
            w.field: w.text if w.text is not None else w.value
            for w in res.values
            if w.keys == v.keys
        }
        for v in res.values
    }
    assert got == {
        "农林牧渔类": {"major_code": "010400", "students": 538.0},
        "医药卫生类": {"major_code": "100100", "students": 300.0},
    }
    codes = sorted((i.code, i.cell) for i in res.issues)
    assert codes == [
        ("code_zero_restored", "B2"),
        ("code_zero_restored", "B2"),
        ("row_without_key", "A5"),
        ("unknown_key", "B4"),
    ]
    unknown = next(i for i in res.issues if i.code == "unknown_key")
    assert unknown.severity == "error" and "990100" in unknown.message and "99" in unknown.message


def test_a_code_field_of_the_wrong_length_is_an_error(tmp_path, stranger_dir, roster):
    pack = _pack(stranger_dir, majors=MAJORS_BY_CODE)
    s = SheetSpec("分专业学生")
    s.row(0, ["专业名称", "专业代码", "在校生数"])
    s.row(1, ["护理", 1001, 300])
    res = extract_file(write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [s]), pack, roster, 2020)
    assert res.values == []
    [issue] = res.issues
    assert issue.code == "unknown_key" and "应为 6 位代码" in issue.message


# ---------------------------------------------------------------- a county's workbook is not one school's

COUNTY_STAFF = """
dataset = "staff"
layout = "list"
totals = ["全县汇总"]
[match]
contains = ["学校名称", "教职工数"]
[records]
school = "学校名称"
[[fields]]
field = "staff_total"
[[fields]]
field = "fulltime"
"""

SCHOOL_INFO = """
dataset = "info"
layout = "keyvalue"
[match]
sheet_names = ["^基本情况"]
[school]
label = "学校名称"
[[fields]]
field = "students"
label = "在校生数"
"""


def _county_workbook(path: Path, total_label: str = "全县合计") -> Path:
    summary = SheetSpec("汇总")
    summary.put(0, 0, "宁城县2020年中等职业学校教职工汇总")
    summary.row(1, ["学校名称", "教职工数", "专任教师数"])
    summary.row(2, ["赤峰农牧学校", 120, 90])  # a school's name near the top of the sheet
    summary.row(3, ["松山区职教中心", 80, 60])
    summary.row(4, [total_label, 200, 150])
    info = SheetSpec("基本情况")
    info.row(0, ["学校名称", None])  # the county filled no school here
    info.row(1, ["在校生数", 900])
    return write_xlsx(path, [summary, info])


@pytest.mark.parametrize("total_label", ["全县合计", "全旗合计", "总计（人）", "全县汇总"])
def test_a_county_workbook_is_read_one_record_per_school_and_credited_to_no_school(
    tmp_path, stranger_dir, roster, total_label
):
    pack = _pack(stranger_dir, county_staff=COUNTY_STAFF, school_info=SCHOOL_INFO)
    res = extract_file(
        _county_workbook(tmp_path / "宁城县教育局汇总.xlsx", total_label), pack, roster, 2020
    )
    got = {(v.school_id, v.field): v.value for v in res.values}
    assert got == {
        ("1504000001", "staff_total"): 120,
        ("1504000001", "fulltime"): 90,
        ("1504000002", "staff_total"): 80,
        ("1504000002", "fulltime"): 60,
    }
    assert res.school_id is None  # the whole workbook is nobody's
    [unknown] = [i for i in res.issues if i.severity == "error"]
    assert (
        unknown.code == "school_unknown"
        and "赤峰农牧学校" not in unknown.message.split("：", 1)[1].split("；")[0]
    )
    assert {(t.label, t.value) for t in res.totals if t.field == "staff_total"} == {
        (_norm(total_label), 200.0)
    }


def _norm(label: str) -> str:
    from tongji.extraction.clean import normalize_label

    return normalize_label(label)


TEACHER_KINDS_BY_SCHOOL = """
dataset = "teacher_kinds"
layout = "list"
[match]
contains = ["学校名称", "类别"]
[records]
school = "学校名称"
kind = "类别"
[[fields]]
field = "total"
"""


@pytest.mark.parametrize("writer", ["xlsx", "xls"])
def test_a_school_name_merged_over_its_rows_is_the_school_of_each_row(
    tmp_path, stranger_dir, roster, writer
):
    from builders import write_xls

    pack = _pack(stranger_dir, kinds=TEACHER_KINDS_BY_SCHOOL)
    s = SheetSpec("分类别教师")
    s.row(0, ["学校名称", "类别", "人数"])
    s.merge(1, 0, 3, 0, "赤峰农牧学校")
    s.row(1, ["专任教师", 90], start_col=1)
    s.row(2, ["兼课教师", 10], start_col=1)
    s.row(3, ["兼职教师", 5], start_col=1)
    s.merge(4, 0, 5, 0, "松山区职教中心")
    s.row(4, ["专任教师", 60], start_col=1)
    s.row(5, ["兼职教师", 3], start_col=1)
    s.row(6, [None, "兼课教师", 7])  # no school at all: said, not guessed
    write = write_xlsx if writer == "xlsx" else write_xls
    res = extract_file(write(tmp_path / f"汇总.{writer}", [s]), pack, roster, 2020)
    got = {(v.school_id, dict(v.keys)["kind"]): v.value for v in res.values}
    assert got == {
        ("1504000001", "专任教师"): 90, ("1504000001", "兼课教师"): 10, ("1504000001", "兼职教师"): 5,
        ("1504000002", "专任教师"): 60, ("1504000002", "兼职教师"): 3,
    }  # fmt: skip
    [issue] = res.issues
    assert issue.code == "row_without_key" and "学校名称" in issue.message and issue.cell == "A7"


# ---------------------------------------------------------------- one sheet, several mappings

STAFF_ON_SHEET = """
dataset = "staff"
layout = "grid"
[match]
contains = ["教职工数"]
[[fields]]
field = "staff_total"
row = "教职工数"
column = "数值"
[[fields]]
field = "fulltime"
row = "专任教师数"
column = "数值"
"""

EQUIPMENT_ON_SHEET = """
dataset = "conditions"
layout = "grid"
[match]
contains = ["设备总值"]
[[fields]]
field = "equipment_value"
row = "设备总值"
column = "数值"
"""


def _mixed_sheet() -> SheetSpec:
    s = SheetSpec("基本数据")
    s.put(0, 0, "单位：人、万元")
    s.row(1, ["项目", "数值"])
    s.row(2, ["教职工数", 120])
    s.row(3, ["专任教师数", 90])
    s.row(4, ["设备总值", 856.5])
    return s


def test_a_sheet_feeds_every_mapping_that_asks_for_other_fields(tmp_path, stranger_dir, roster):
    pack = _pack(stranger_dir, staff=STAFF_ON_SHEET, equipment=EQUIPMENT_ON_SHEET)
    res = extract_file(
        write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [_mixed_sheet()]), pack, roster, 2020
    )
    assert {(v.dataset, v.field): v.value for v in res.values} == {
        ("staff", "staff_total"): 120, ("staff", "fulltime"): 90, ("conditions", "equipment_value"): 856.5,
    }  # fmt: skip
    assert res.issues == [] and sorted(m for _, m in res.sheets) == ["equipment", "staff"]


def test_mappings_that_compete_for_the_same_fields_are_told_apart_by_their_fields_not_their_contains(
    tmp_path, stranger_dir, roster
):
    # A lists many texts every such sheet has; B lists one, and its fields are the ones on the sheet.
    generic = STAFF_ON_SHEET.replace(
        'contains = ["教职工数"]', 'contains = ["项目", "数值", "教职工数", "单位"]'
    ).replace("专任教师数", "专任教师人数")
    pack = _pack(stranger_dir, a_generic=generic, b_specific=STAFF_ON_SHEET)
    res = extract_file(
        write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [_mixed_sheet()]), pack, roster, 2020
    )
    assert [m for _, m in res.sheets] == ["b_specific"]
    assert {(v.field, v.value) for v in res.values} == {("staff_total", 120), ("fulltime", 90)}
    # two of one folder that find the same fields and name as many texts are too close to
    # call: reported, nothing guessed
    pack = _pack(
        stranger_dir,
        a_generic=STAFF_ON_SHEET.replace('contains = ["教职工数"]', 'contains = ["项目"]'),
    )
    res = extract_file(
        write_xlsx(tmp_path / "赤峰农牧学校2.xlsx", [_mixed_sheet()]), pack, roster, 2020
    )
    [issue] = res.issues
    assert (
        issue.code == "sheet_ambiguous"
        and "a_generic" in issue.message
        and "b_specific" in issue.message
    )
    assert res.values == []


# ---------------------------------------------------------------- years side by side

YEARS_SIDE_BY_SIDE = """
dataset = "conditions"
layout = "grid"
[match]
contains = ["设备总值"]
[[fields]]
field = "equipment_value"
row = "设备总值"
column = "{year}年"
[[fields]]
field = "land_area"
row = "占地面积"
column = "{year}年"
"""


@pytest.mark.parametrize("as_numbers", [False, True])
def test_the_column_of_the_year_being_extracted(tmp_path, stranger_dir, roster, as_numbers):
    mapping = (
        YEARS_SIDE_BY_SIDE.replace('"{year}年"', '"{year}"') if as_numbers else YEARS_SIDE_BY_SIDE
    )
    pack = _pack(stranger_dir, conditions=mapping)
    s = SheetSpec("两年对比")
    s.put(0, 0, "赤峰农牧学校办学条件（单位：万元、平方米）")
    s.row(1, ["项目", 2019, 2020] if as_numbers else ["项目", "2019年", "2020年"])
    s.row(2, ["设备总值", 800, 856.5])
    s.row(3, ["占地面积", 12000, 12500])
    path = write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [s])
    for year, (equipment, land) in {2020: (856.5, 12500), 2019: (800, 12000)}.items():
        res = extract_file(path, pack, roster, year)
        got = {v.field: (v.value, v.cell) for v in res.values}
        column = "C" if year == 2020 else "B"
        assert got == {
            "equipment_value": (equipment, f"{column}3"),
            "land_area": (land, f"{column}4"),
        }, year
        assert res.issues == []


# ---------------------------------------------------------------- one figure from several cells

STAFF_EDUCATION = """
dataset = "teachers"
layout = "grid"
[match]
sheet_names = ["^专任教师"]
[[fields]]
field = "below_bachelor"
row = "总计"
column = ["按学历分/专科", "按学历分/高中阶段", "按学历分/高中阶段以下"]
sum = true
[[fields]]
field = "total"
row = "总计"
column = "合计"
"""


def test_a_figure_can_be_the_sum_of_several_cells_all_in_its_lineage(tmp_path, pack_dir, roster):
    pack = _pack(pack_dir, staff_education=STAFF_EDUCATION)
    s = SheetSpec("专任教师")
    s.merge(0, 0, 1, 0, "项目")
    s.merge(0, 1, 1, 1, "合计")
    s.merge(0, 2, 0, 5, "按学历分")
    s.row(1, ["本科", "专科", "高中阶段", "高中阶段以下"], start_col=2)
    s.row(2, ["总计", 100, 80, 12, "5", None])
    res = extract_file(write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [s]), pack, roster, 2020)
    v = next(v for v in res.values if v.field == "below_bachelor")
    assert v.value == 17 and v.cell == "D3+E3+F3" and v.raw == "12 + 5 + "
    assert "求和 D3+E3+F3" in v.rule
    # a part that cannot be read makes the sum an error, named at its cell
    s.row(2, ["总计", 100, 80, 12, "5,,", None])
    res = extract_file(write_xlsx(tmp_path / "赤峰农牧学校2.xlsx", [s]), pack, roster, 2020)
    v = next(v for v in res.values if v.field == "below_bachelor")
    assert v.value is None and v.status == "error"
    [issue] = res.issues
    assert issue.code == "bad_value" and issue.cell == "E3"
    # a part that is missing from the sheet: the field is not found, never a partial sum
    s.row(1, ["本科", "专科", "高中阶段", "其他"], start_col=2)
    res = extract_file(write_xlsx(tmp_path / "赤峰农牧学校3.xlsx", [s]), pack, roster, 2020)
    assert not [v for v in res.values if v.field == "below_bachelor"]
    [issue] = res.issues
    assert issue.code == "field_not_found" and "高中阶段以下" in issue.message


# ---------------------------------------------------------------- CSV returns; nothing left unsaid

CSV_MAJORS = """
dataset = "majors"
layout = "list"
[match]
contains = ["专业代码", "在校生数"]
[records]
major_category = "专业代码"
[[fields]]
field = "major_code"
column = "专业代码"
[[fields]]
field = "students"
column = "在校生数"
"""


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_a_csv_return_is_read_as_a_one_sheet_workbook(tmp_path, stranger_dir, roster, encoding):
    pack = _pack(stranger_dir, majors=CSV_MAJORS)
    path = tmp_path / "赤峰农牧学校2020年分专业学生.csv"
    path.write_bytes(
        '专业名称,专业代码,在校生数\n畜牧兽医,010400,538\n护理,100100,"1,200"\n'.encode(encoding)
    )
    res = extract_file(path, pack, roster, 2020)
    got = {(dict(v.keys)["major_category"], v.field): v.text or v.value for v in res.values}
    assert got == {
        ("农林牧渔类", "major_code"): "010400",
        ("农林牧渔类", "students"): 538,
        ("医药卫生类", "major_code"): "100100",
        ("医药卫生类", "students"): 1200,
    }
    assert res.issues == [] and res.format == "csv" and res.school_id == "1504000001"
    assert {v.cell for v in res.values} == {"B2", "C2", "B3", "C3"}


def test_files_that_are_not_read_are_listed_with_their_reason(tmp_path, stranger_dir, roster):
    import polars as pl

    from tongji.extraction import extract_to_folder

    pack = _pack(stranger_dir, majors=CSV_MAJORS)
    folder = tmp_path / "2020"
    folder.mkdir()
    (folder / "赤峰农牧学校.csv").write_text("专业代码,在校生数\n100100,300\n", encoding="utf-8")
    (folder / "松山区职教中心报表.pdf").write_bytes(b"%PDF-1.4")
    (folder / "Thumbs.db").write_bytes(b"x")
    (folder / "~$赤峰农牧学校.xlsx").write_bytes(b"lock")
    out = tmp_path / "out"
    result = extract_to_folder([folder], pack, roster, 2020, out)
    files = pl.read_parquet(out / "files.parquet").sort("file")
    listed = {
        (Path(f).name, s, n) for f, s, n in files.select("file", "status", "note").iter_rows()
    }
    assert listed == {
        ("赤峰农牧学校.csv", "read", ""),
        ("松山区职教中心报表.pdf", "not_read", "不是工作簿（扩展名为 .pdf）"),
        ("Thumbs.db", "not_read", "系统文件或隐藏文件"),
    }  # the lock file of an open workbook is not an input at all
    [issue] = result.issues
    assert (
        issue.code == "file_not_read"
        and issue.severity == "warning"
        and issue.file.endswith(".pdf")
    )


def test_a_figure_outside_its_plausible_range_is_kept_and_said(tmp_path, stranger_dir, roster):
    text = (stranger_dir / "datasets.toml").read_text(encoding="utf-8")
    text = text.replace(
        'equipment_value = { title = "教学仪器设备资产值"',
        'equipment_value = { range = [0, 50000], title = "教学仪器设备资产值"',
    )
    (stranger_dir / "datasets.toml").write_text(text, encoding="utf-8")
    pack = _pack(stranger_dir, conditions=CONDITIONS_BY_ROW)
    res = extract_file(
        write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [_conditions_sheet("单位：万元", 8560000)]),
        pack,
        roster,
        2020,
    )
    [v] = [v for v in res.values if v.field == "equipment_value"]
    assert v.value == 8560000
    [issue] = res.issues
    assert issue.code == "value_out_of_range" and issue.cell == "B4" and "0～50000" in issue.message


# ---------------------------------------------------------------- drafting and trying mappings


def test_suggest_never_takes_a_line_number_column_for_figures_nor_year_specific_match_text(
    tmp_path, stranger_dir
):
    from tongji.authoring.suggest import suggest

    pack = _pack(stranger_dir, conditions=CONDITIONS_BY_ROW)
    s = SheetSpec("教职工")
    s.put(0, 0, "填报日期:2020年10月")
    s.row(1, ["类别", "行次", "人数"])
    s.row(2, ["教职工数", 1, 120])
    s.row(3, ["专任教师数", 2, 90])
    s.row(4, ["行政人员", 3, 12])
    draft = suggest(write_xlsx(tmp_path / "x.xlsx", [s]), pack, "staff")
    assert 'column = "人数"' in draft and 'column = "行次"' not in draft
    assert "2020" not in draft.split("contains = ", 1)[1].split("\n", 1)[0]


def test_suggest_reads_a_county_summary_one_record_per_school_never_its_total(
    tmp_path, stranger_dir
):
    from tongji.authoring.suggest import suggest

    pack = _pack(stranger_dir, conditions=CONDITIONS_BY_ROW)
    draft = suggest(_county_workbook(tmp_path / "县汇总.xlsx"), pack, "staff", "汇总")
    assert '[records]\nschool = "学校名称"' in draft
    assert "合计" not in draft.split("[records]", 1)[1]
    assert 'column = "教职工数"' in draft and 'column = "专任教师数"' in draft


def test_mappings_check_against_real_returns_flags_line_numbers(tmp_path, stranger_dir, roster):
    from click.testing import CliRunner

    from tongji.cli import main

    bad = """
dataset = "staff"
layout = "grid"
[match]
contains = ["类别", "序号"]
[[fields]]
field = "staff_total"
row = "教职工数"
column = "序号"
"""
    _pack(stranger_dir, bad=bad)
    s = SheetSpec("教职工")
    s.row(0, ["类别", "序号", "人数"])
    s.row(1, ["教职工数", 1, 120])
    s.row(2, ["专任教师数", 2, 90])
    path = write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [s])
    res = CliRunner().invoke(main, ["mappings", "check", str(stranger_dir), "--against", str(path)])
    assert res.exit_code == 1, res.output
    assert "staff_total（教职工数）：B2=1" in res.output and "行的编号" in res.output
