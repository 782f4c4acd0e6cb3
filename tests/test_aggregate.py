"""The aggregation engine on small hand-made facts: each aggregation, formula, scope,
group, display and change rule, and each kind of check."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from tongji.config import ConfigError, load_pack
from tongji.config.definitions import load_definitions
from tongji.config.formula import evaluate_formula, formula_names
from tongji.config.report import load_report
from tongji.errors import FormulaError
from tongji.extraction.figures import LINEAGE_SCHEMA
from tongji.extraction.store import ROSTER_FILE
from tongji.reporting.check import run_completeness, run_field_coverage, run_rules, run_year_on_year
from tongji.reporting.display import change, show
from tongji.reporting.engine import Engine
from tongji.reporting.facts import Filter, load_facts

ROOT = Path(__file__).resolve().parents[1]

INDICATORS = """
[scopes.all]
title = "全部"
footnote = "本表包含技工学校数据。"
[scopes.no_technical]
title = "不含技工"
where = { is_technical = false }
footnote = "本表不包含技工学校数据。"

[groups.industry]
title = "产业"
dimension = "major_category"
[groups.industry.values]
"二产" = ["加工制造类"]
"三产" = ["信息技术类"]

[groups.kind]
title = "类别"
[groups.kind.values]
"公办" = { sponsor = "公办" }
"民办" = { sponsor = "民办" }

[indicators.students]
title = "在校生"
unit = "人"
dataset = "students_by_major"
field = "students"
display = "integer"

[indicators.share]
title = "占比"
formula = "students / total(students)"
display = "percent"

[indicators.fulltime]
title = "专任教师"
dataset = "staff"
field = "fulltime"
display = "integer"

[indicators.ratio]
title = "生师比"
formula = "students / fulltime"
display = "ratio"
decimals = 2

[indicators.income]
title = "收入"
dataset = "employment"
field = "first_income"
agg = "weighted_mean"
weight = "first_job"
decimals = 1

[indicators.schools_with_students]
title = "有学生的学校数"
dataset = "students_by_major"
field = "students"
agg = "count_schools"
"""

CHECKS = """
[[checks]]
id = "fulltime_le_staff"
title = "专任教师数不超过教职工数"
left = { dataset = "staff", fields = ["fulltime"] }
op = "<="
right = { dataset = "staff", fields = ["staff_total"] }

[[checks]]
id = "sex_sum"
title = "男女之和等于总数"
per = "record"
left = { dataset = "teachers_by_kind", fields = ["male", "female"] }
op = "=="
right = { dataset = "teachers_by_kind", fields = ["total"] }

[[year_on_year]]
id = "students"
title = "在校生年增减"
dataset = "students_by_major"
field = "students"
max_change = 0.5
min_base = 10
"""

ROSTER = [
    ("A", "甲校", "红山区", "职业高中", "公办", [], False),
    ("B", "乙校", "松山区", "职业高中", "民办", [], False),
    ("T", "丙技校", "红山区", "技工学校", "公办", [], True),
]


def _fact(ds, sid, year, keys, fld, value, cell="B2"):
    return {
        "dataset": ds, "school_id": sid, "year": year, "keys": keys, "field": fld, "value": value, "text": None,
        "status": "value" if value is not None else "empty", "unit": "人", "source_unit": "人", "factor": 1.0,
        "raw": "" if value is None else str(value), "file": f"{sid}-{year}.xlsx", "sheet": ds, "cell": cell,
        "mapping": "m", "rule": "",
    }  # fmt: skip


FACTS = [
    _fact(
        "students_by_major",
        "A",
        2020,
        "major_category=加工制造类;major=数控",
        "students",
        100,
        "C3",
    ),
    _fact(
        "students_by_major",
        "A",
        2020,
        "major_category=信息技术类;major=计算机",
        "students",
        300,
        "C4",
    ),
    _fact(
        "students_by_major",
        "B",
        2020,
        "major_category=信息技术类;major=计算机",
        "students",
        200,
        "C3",
    ),
    _fact(
        "students_by_major",
        "T",
        2020,
        "major_category=加工制造类;major=数控",
        "students",
        400,
        "C3",
    ),
    _fact(
        "students_by_major",
        "A",
        2019,
        "major_category=加工制造类;major=数控",
        "students",
        100,
        "C3",
    ),
    _fact(
        "students_by_major",
        "B",
        2019,
        "major_category=信息技术类;major=计算机",
        "students",
        50,
        "C3",
    ),
    _fact("staff", "A", 2020, "", "fulltime", 40, "D10"),
    _fact("staff", "A", 2020, "", "staff_total", 30, "C10"),
    _fact("staff", "B", 2020, "", "fulltime", 10, "D10"),
    _fact("staff", "B", 2020, "", "staff_total", 12, "C10"),
    _fact("employment", "A", 2020, "", "first_income", 3000, "B5"),
    _fact("employment", "A", 2020, "", "first_job", 30, "B6"),
    _fact("employment", "B", 2020, "", "first_income", 2000, "B5"),
    _fact("employment", "B", 2020, "", "first_job", 10, "B6"),
    _fact("teachers_by_kind", "A", 2020, "teacher_kind=校内专任教师", "total", 40, "D9"),
    _fact("teachers_by_kind", "A", 2020, "teacher_kind=校内专任教师", "male", 10, "E9"),
    _fact("teachers_by_kind", "A", 2020, "teacher_kind=校内专任教师", "female", 29, "F9"),
]


@pytest.fixture
def world(tmp_path):
    pack, facts = _facts_world(tmp_path, FACTS, checks=CHECKS)
    defs = load_definitions(tmp_path / "m", pack)
    return pack, defs, facts, Engine(facts, pack, defs), tmp_path / "m"


def test_sum_respects_scope_and_carries_cells(world):
    _, _, _, eng, _ = world
    all_ = eng.figure("students", 2020, "all")
    assert all_.value == 1000 and all_.n_schools == 3
    no_tech = eng.figure("students", 2020, "no_technical")
    assert no_tech.value == 600
    assert set(no_tech.cells["cell"]) == {"C3", "C4"} and set(no_tech.cells["school_id"]) == {
        "A",
        "B",
    }


def test_dimension_group_and_school_group_filters(world):
    _, _, _, eng, _ = world
    assert eng.figure("students", 2020, "all", eng.filters((("industry", "二产"),))).value == 500
    assert (
        eng.figure("students", 2020, "all", eng.filters((("major_category", "信息技术类"),))).value
        == 500
    )
    assert eng.figure("students", 2020, "all", eng.filters((("kind", "民办"),))).value == 200
    assert eng.figure("students", 2020, "all", (Filter("roster", "school_id", "A"),)).value == 400


def test_formula_total_and_division(world):
    _, _, _, eng, _ = world
    share = eng.figure("share", 2020, "no_technical", eng.filters((("industry", "三产"),)))
    assert share.value == pytest.approx(500 / 600)
    ratio = eng.figure("ratio", 2020, "no_technical")
    assert ratio.value == pytest.approx(600 / 50)
    assert set(ratio.cells["cell"]) == {"C3", "C4", "D10"}  # cells of both operands
    assert eng.figure("ratio", 2019, "no_technical").value is None  # no 2019 staff: no ratio, not 0


def test_weighted_mean_and_count(world):
    _, _, _, eng, _ = world
    assert eng.figure("income", 2020, "all").value == pytest.approx((3000 * 30 + 2000 * 10) / 40)
    assert eng.figure("schools_with_students", 2020, "all").value == 3


def test_missing_data_is_none_not_zero(world):
    _, _, _, eng, _ = world
    assert eng.figure("students", 2018, "all").value is None
    assert eng.figure("income", 2019, "all").value is None


def test_show_and_change_formats():
    from tongji.config.definitions import Indicator

    count = Indicator("n", "人数", "人", display="integer")
    assert show(count, 14422.0).text == "14422" and show(count, 14422.0).fmt == "0"
    ch = change(count, 27351, 25947)
    assert (ch.number, ch.text) == (1404, "↑1404") and ch.fmt.startswith('"↑"')
    assert change(count, 4556, 5300).text == "↓744"
    assert change(count, 5, 5).text == "0"
    assert change(count, 5, None).number is None
    rate = Indicator("r", "对口就业率", display="percent")
    assert show(rate, 5300 / 8152).text == "65.01%" and show(
        rate, 5300 / 8152
    ).number == pytest.approx(0.6501)
    assert change(rate, 4556 / 8678, 5300 / 8152).text == "↓12.51个百分点"
    ratio = Indicator("s", "生师比", display="ratio", decimals=2)
    assert (
        show(ratio, 29916 / 3310).text == "9.04:1" and show(ratio, 29916 / 3310).fmt == '0.00":1"'
    )
    share = Indicator("v", "职普比", display="share_ratio", decimals=1)
    assert show(share, 14422 / (14422 + 27351)).text == "3.5:6.5"
    assert change(share, 14422 / 41773, 13244 / 39191).text == "↑0.1"
    money = Indicator("e", "设备值", "万元")
    assert (
        show(money, 35697.57).text == "35697.57"
        and change(money, 35697.57, 32791.822).text == "↑2905.748"
    )


def test_formulas_are_checked_and_safe():
    assert formula_names("a / (a + b) * 100") == ({"a", "b"}, set())
    assert formula_names("x / total(x)") == ({"x"}, {"x"})
    with pytest.raises(FormulaError):
        formula_names("__import__('os')")
    with pytest.raises(FormulaError):
        formula_names("a ** 2")
    assert evaluate_formula("a / b", lambda n, w: {"a": 1.0, "b": 0.0}[n]) is None
    assert evaluate_formula("a - b", lambda n, w: {"a": 1.0, "b": None}[n]) is None


def test_cross_form_and_record_rules(world):
    pack, defs, facts, _, _ = world
    issues = run_rules(facts, pack, defs, 2020, {"A": "甲校"})
    by_code = {i.code: i for i in issues}
    assert set(by_code) == {"check:fulltime_le_staff", "check:sex_sum"}
    f = by_code["check:fulltime_le_staff"]
    assert f.school_id == "A" and "40" in f.message and "30" in f.message
    assert (
        "A-2020.xlsx!staff!D10" in f.message
        and "A-2020.xlsx!staff!C10" in f.message
        and "甲校" in f.message
    )
    s = by_code["check:sex_sum"]
    assert "39" in s.message and "校内专任教师" in s.message


def test_year_on_year_rule(world):
    pack, defs, facts, _, _ = world
    a, b = run_year_on_year(facts, pack, defs, 2020, {})
    assert (
        a.school_id == "A" and "100" in a.message and "400" in a.message and "+300.0%" in a.message
    )
    assert (
        b.school_id == "B"
        and "50" in b.message
        and "200" in b.message
        and "B-2019.xlsx!students_by_major!C3" in b.message
    )


def test_completeness(world):
    pack, defs, facts, eng, _ = world
    needs = {("staff", "no_technical"): {"表4"}, ("employment", "all"): {"表9"}}
    issues = run_completeness(facts, pack, needs, eng.schools_in, 2020, {"T": "丙技校"})
    missing = {(i.school_id, i.message.split(" ")[1]) for i in issues if i.code == "missing_return"}
    assert missing == {
        ("T", "2020")
    }  # the 技工学校 returned no employment survey; staff is out of its scope
    [t] = [i for i in issues if i.code == "missing_return"]
    assert "丙技校" in t.message and "表9" in t.message
    # 2019 is loaded (students) but nobody returned staff or employment: one finding each, not one per school
    nobody = sorted(i.message for i in issues if i.code == "missing_dataset")
    assert len(nobody) == 2 and all(m.startswith("2019 年没有任何学校") for m in nobody)


def test_definition_errors_name_file_and_key(world):
    pack, _, _, _, m = world
    (m / "indicators.toml").write_text(
        INDICATORS
        + '\n[indicators.bad]\nformula = "students / nope"\n[indicators.loop1]\nformula = "loop2"\n[indicators.loop2]\nformula = "loop1"\n[indicators.odd]\ndataset = "staff"\nfield = "fulltime"\ndisplay = "pie"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as e:
        load_definitions(m, pack)
    text = "\n".join(map(str, e.value.problems))
    assert "indicators.bad.formula" in text and "nope" in text
    assert "循环引用" in text
    assert "indicators.odd.display" in text


def test_report_spec_errors(world, tmp_path):
    pack, defs, _, _, _ = world
    spec = tmp_path / "r.toml"
    spec.write_text(
        '[[tables]]\nid = "表1"\ntitle = "t"\nscope = "nowhere"\ncolumns = [{ indicator = "nope", header = "x" }]\n[[highlights]]\ntext = "{missing}人"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as e:
        load_report(spec, pack, defs)
    text = "\n".join(map(str, e.value.problems))
    assert (
        "[[tables]][1].scope" in text
        and "[[tables]][1].columns[1].indicator" in text
        and "[[highlights]][1].text" in text
    )


def _facts_world(tmp_path, facts, checks=None, year=None):
    """A mapping folder with the shipped datasets and catalogues, these indicators (and
    checks), and an extract folder holding `facts` and the roster: (pack, loaded facts),
    the facts loaded for a report of `year` when given."""
    m = tmp_path / "m"
    m.mkdir()
    shutil.copy(ROOT / "mappings" / "datasets.toml", m / "datasets.toml")
    shutil.copy(ROOT / "mappings" / "catalogues.toml", m / "catalogues.toml")
    (m / "dummy.toml").write_text(
        'dataset = "staff"\nlayout = "grid"\n[match]\nsheet_names = ["^x$"]\n[[fields]]\nfield = "fulltime"\nrow = "总计"\ncolumn = "合计"\n',
        encoding="utf-8",
    )
    (m / "indicators.toml").write_text(INDICATORS, encoding="utf-8")
    if checks:
        (m / "checks.toml").write_text(checks, encoding="utf-8")
    pack = load_pack(m)
    defs = load_definitions(m, pack)
    out = tmp_path / "extract"
    out.mkdir()
    pl.DataFrame(facts, schema=LINEAGE_SCHEMA).write_parquet(out / "lineage.parquet")
    pl.DataFrame(
        [
            dict(
                zip(
                    (
                        "school_id",
                        "school_name",
                        "district",
                        "school_type",
                        "sponsor",
                        "levels",
                        "is_technical",
                    ),
                    r,
                    strict=True,
                )
            )
            for r in ROSTER
        ]
    ).write_parquet(out / ROSTER_FILE)
    return pack, load_facts([out], pack, defs, year=year)


def test_a_change_by_the_factor_of_a_unit_mix_up_is_a_probable_unit_error(tmp_path):
    from tongji.reporting.check import run_unit_jumps

    facts = [
        _fact("conditions", "A", 2019, "", "equipment_value", 856.5, "D7"),
        _fact(
            "conditions", "A", 2020, "", "equipment_value", 8565000, "D7"
        ),  # 元 written where 万元 is asked
        _fact("conditions", "B", 2019, "", "equipment_value", 300, "D7"),
        _fact("conditions", "B", 2020, "", "equipment_value", 0.03, "D7"),  # a −99.99 % change
        _fact("conditions", "T", 2019, "", "equipment_value", 300, "D7"),
        _fact("conditions", "T", 2020, "", "equipment_value", 1500, "D7"),  # ×5: growth, not a unit
    ]
    pack, loaded = _facts_world(tmp_path, facts)
    found = run_unit_jumps(loaded, pack, 2020, {"A": "甲校", "B": "乙校"})
    assert sorted((i.school_id, i.code, i.cell) for i in found) == [
        ("A", "probable_unit_error", "D7"),
        ("B", "probable_unit_error", "D7"),
    ]
    a = next(i for i in found if i.school_id == "A")
    assert "10000 倍" in a.message and "856.5" in a.message and "8.565e+06" in a.message
    assert "1/10000" in next(i for i in found if i.school_id == "B").message


def test_a_fall_is_a_change_like_a_rise(tmp_path):
    from tongji.reporting.check import run_year_on_year

    facts = [
        _fact(
            "students_by_major",
            "A",
            2019,
            "major_category=加工制造类;major=数控",
            "students",
            1000,
            "C3",
        ),
        _fact(
            "students_by_major",
            "A",
            2020,
            "major_category=加工制造类;major=数控",
            "students",
            600,
            "C3",
        ),  # to 1/1.67
        _fact(
            "students_by_major",
            "B",
            2019,
            "major_category=加工制造类;major=数控",
            "students",
            1000,
            "C3",
        ),
        _fact(
            "students_by_major",
            "B",
            2020,
            "major_category=加工制造类;major=数控",
            "students",
            1400,
            "C3",
        ),  # ×1.4
    ]
    pack, loaded = _facts_world(tmp_path, facts)
    (tmp_path / "m" / "checks.toml").write_text(CHECKS, encoding="utf-8")
    defs = load_definitions(tmp_path / "m", pack)
    # max_change 0.5: a rise of 40 % is within it; a fall to 60 % is a change by 1.67 times
    assert [i.school_id for i in run_year_on_year(loaded, pack, defs, 2020, {})] == ["A"]


def test_amounts_per_student_outside_their_range(tmp_path):
    from tongji.reporting.check import run_per_student

    facts = [
        _fact(
            "students_by_major",
            "A",
            2020,
            "major_category=加工制造类;major=数控",
            "students",
            400,
            "C3",
        ),
        _fact(
            "students_by_major",
            "B",
            2020,
            "major_category=加工制造类;major=数控",
            "students",
            200,
            "C3",
        ),
        _fact("conditions", "A", 2020, "", "equipment_value", 400, "D7"),  # 1 万元 per student
        _fact(
            "conditions", "B", 2020, "", "equipment_value", 2000000, "D7"
        ),  # 1 万 万元 per student
    ]
    pack, loaded = _facts_world(tmp_path, facts)  # the shipped pack: per_student = [0.01, 20] 万元
    assert pack.students == ("students_by_major", "students")
    [issue] = run_per_student(loaded, pack, 2020, {"B": "乙校"})
    assert (
        issue.code == "implausible_per_student"
        and issue.school_id == "B"
        and issue.cell == "D7"
        and "每生 10000" in issue.message
    )


# ---------------------------------------------------------------- catalogues across a change


def _major(sid, year, cat, major, students, code=None, cell="C3"):
    keys = f"major_category={cat};major={major}"
    rows = [_fact("students_by_major", sid, year, keys, "students", students, cell)]
    if code is not None:
        row = _fact("students_by_major", sid, year, keys, "major_code", None, "B" + cell[1:])
        rows.append({**row, "text": code, "status": "value", "raw": code})
    return rows


def test_last_years_figures_go_into_this_years_edition(tmp_path):
    facts = [
        *_major("A", 2020, "加工制造类", "数控技术应用", 100, "052600"),  # one-to-one
        *_major("A", 2020, "教育类", "学前教育", 40, "160100", "C4"),  # merged with 体育与健身类
        *_major("B", 2020, "体育与健身类", "运动训练", 10, "150100"),
        *_major(
            "A", 2020, "土木水利类", "建筑工程施工", 30, "040100", "C5"
        ),  # split, placed by its code
        *_major(
            "B", 2020, "土木水利类", "水利工程施工", 7, None, "C6"
        ),  # split, placed by its name
        *_major("B", 2020, "土木水利类", "工程测量", 5, "041300", "C7"),  # split, not placed
        *_major("B", 2020, "其他", "民族美术", 3, "190000", "C8"),  # no counterpart
        *_major("A", 2021, "装备制造大类", "数控技术应用", 120, "660103"),
        *_major("A", 2021, "教育与体育大类", "幼儿保育", 45, "770101", "C4"),
    ]
    pack, loaded = _facts_world(tmp_path, facts, year=2021)
    students = loaded.parts[("students_by_major", "students", 2020)]
    by_category = dict(
        students.group_by(pl.col("major_category").cast(pl.Utf8))
        .agg(pl.col("value").sum())
        .iter_rows()
    )
    assert by_category == {
        "装备制造大类": 100,
        "教育与体育大类": 50,
        "土木建筑大类": 30,
        "水利大类": 7,
        "未能对应本年度目录": 8,
    }
    found = {(i.code, i.cell, i.severity) for i in loaded.crosswalk_issues}
    assert found == {
        ("crosswalk_merged", "C4", "info"), ("crosswalk_merged", "C3", "info"),  # 学前教育 (A) and 运动训练 (B)
        ("crosswalk_by_major", "C5", "info"), ("crosswalk_by_major", "C6", "info"),
        ("crosswalk_unmapped", "C7", "warning"), ("crosswalk_unmapped", "C8", "warning"),
    }  # fmt: skip
    unplaced = next(i for i in loaded.crosswalk_issues if i.cell == "C7")
    assert (
        unplaced.file == "B-2020.xlsx"
        and unplaced.year == 2020
        and "工程测量" in unplaced.message
        and "041300" in unplaced.hint
    )
    # this year's figures are in this year's edition already; the note says what was done
    assert loaded.parts[("students_by_major", "students", 2021)]["major_category"].cast(
        pl.Utf8
    ).to_list() == ["装备制造大类", "教育与体育大类"]
    note = loaded.crosswalked["major_category"].note([2020, 2021])
    assert (
        "2020 年" in note
        and "《中等职业学校专业目录（2010年修订）》" in note
        and "未能对应本年度目录" in note
    )
    assert loaded.crosswalked["major_category"].note([2021]) == ""


def test_without_a_report_year_nothing_is_moved(tmp_path):
    _, loaded = _facts_world(tmp_path, _major("A", 2020, "土木水利类", "工程测量", 5, "041300"))
    assert loaded.parts[("students_by_major", "students", 2020)]["major_category"].cast(
        pl.Utf8
    ).to_list() == ["土木水利类"]
    assert loaded.crosswalk_issues == []


def test_a_field_the_returns_do_not_carry_is_said_not_summed_silently(tmp_path):
    """2021's forms have no certificates at all; in 2020 one school's layout lacked them."""
    keys = "major_category=加工制造类;major=数控"
    facts = [
        _fact("students_by_major", "A", 2020, keys, "students", 100),
        _fact("students_by_major", "A", 2020, keys, "certificates", 20),
        _fact("students_by_major", "B", 2020, keys, "students", 50),
        _fact("students_by_major", "A", 2021, keys, "students", 110),
        _fact("students_by_major", "B", 2021, keys, "students", 55),
    ]
    pack, loaded = _facts_world(tmp_path, facts)
    needs = {("students_by_major", "certificates", "all"): {"表10"}}
    found = run_field_coverage(
        loaded, pack, needs, lambda scope: loaded.roster, 2021, {"B": "乙校"}
    )
    assert [(i.code, i.school_id, i.year) for i in found] == [
        ("field_not_returned", "B", 2020),
        ("field_not_returned", "", 2021),
    ]
    assert "乙校 2020 年" in found[0].message and "表10" in found[0].message
    assert "2021 年的报表中没有" in found[1].message and "获得职业资格证书数" in found[1].message


# --- one figure, one value: a ratio over the schools that returned both of its parts


def test_a_ratio_takes_its_parts_from_the_same_schools(tmp_path):
    """甲校 returned students but no teachers, 乙校 teachers but no students: a 生师比 of
    one school's students over another's teachers is no figure at all."""
    facts = [
        _fact("students_by_major", "A", 2020, "major_category=信息技术类;major=计算机", "students", 500, "C4"),
        _fact("staff", "B", 2020, "", "fulltime", 400, "D10"),
    ]  # fmt: skip
    pack, loaded = _facts_world(tmp_path, facts)
    eng = Engine(loaded, pack, load_definitions(tmp_path / "m", pack))
    assert eng.figure("ratio", 2020, "no_technical").value is None  # not 500 / 400 = 1.25


def test_a_ratio_leaves_out_the_school_that_returned_one_part_only(tmp_path):
    facts = [
        _fact("students_by_major", "A", 2020, "major_category=信息技术类;major=计算机", "students", 300, "C4"),
        _fact("staff", "A", 2020, "", "fulltime", 20, "D10"),
        _fact("students_by_major", "B", 2020, "major_category=信息技术类;major=计算机", "students", 900, "C3"),
    ]  # fmt: skip
    pack, loaded = _facts_world(tmp_path, facts)
    eng = Engine(loaded, pack, load_definitions(tmp_path / "m", pack))
    ratio = eng.figure("ratio", 2020, "no_technical")
    assert ratio.value == pytest.approx(300 / 20)  # not (300 + 900) / 20
    assert set(ratio.cells["school_id"]) == {"A"}  # its lineage names the schools it used
    assert eng.figure("students", 2020, "no_technical").value == 1200  # a sum keeps everyone
    # a 旗县区's ratio is worked out the same way as the city's
    by_district = eng.grouped("ratio", 2020, "no_technical", "district")
    assert by_district["红山区"] == pytest.approx(15.0) and by_district.get("松山区") is None


def test_a_share_of_the_whole_is_not_narrowed(world):
    _, _, _, eng, _ = world
    share = eng.figure("share", 2020, "all", eng.filters((("major_category", "信息技术类"),)))
    assert share.value == pytest.approx(500 / 1000)


# --- a total that misses schools says so where it is printed

REPORT = """
region = "测试市"
[[tables]]
id = "表1"
title = "{year}年收入"
scope = "no_technical"
rows = "years"
change = true
stub = ["年度"]
columns = [{ indicator = "income", header = "月收入" }, { indicator = "students", header = "在校生" }]

[[highlights]]
text = "{year}年月收入{income}元。"
scope = "no_technical"
[[highlights]]
text = "{year}年在校生{students}人。"
scope = "no_technical"
"""


def _report(tmp_path, facts):
    from tongji.reporting.tables import Report

    pack, loaded = _facts_world(tmp_path, facts)
    defs = load_definitions(tmp_path / "m", pack)
    spec_path = tmp_path / "r.toml"
    spec_path.write_text(REPORT, encoding="utf-8")
    return Report(Engine(loaded, pack, defs), load_report(spec_path, pack, defs), 2020)


def test_a_school_that_did_not_return_is_named_under_the_table_and_on_the_sentence(tmp_path):
    facts = [f for f in FACTS if not (f["dataset"] == "employment" and f["school_id"] == "B")]
    report = _report(tmp_path, facts)
    [table] = report.tables()
    assert any(
        "不含以下学校" in note and "乙校（2020 年“毕业生就业”）" in note for note in table.footnotes
    ), table.footnotes
    income, students = report.sentences()
    assert income.startswith("【待核实】") and "乙校" in income  # rests on an incomplete set
    assert not students.startswith("【待核实】")  # every school returned its students


def test_a_complete_table_has_no_such_note(tmp_path):
    report = _report(tmp_path, FACTS)
    [table] = report.tables()
    assert not any("不含以下学校" in note for note in table.footnotes)
    assert not any(s.startswith("【待核实】") for s in report.sentences())


def test_only_errors_and_warnings_cast_doubt_on_a_sentence(tmp_path):
    report = _report(tmp_path, FACTS)
    cell = ("A-2020.xlsx", "employment", "B5")
    assert report.sentence("{income}", "no_technical", {cell}).startswith("【待核实】")
    assert not report.sentence("{income}", "no_technical", set()).startswith("【待核实】")


def test_a_year_on_year_message_agrees_with_its_own_numbers():
    from tongji.reporting.check import _how_far

    assert _how_far(3.0, 400, 100, 0.5) == "变化 +300.0%，增幅超过 50%"
    assert _how_far(-0.6, 40, 100, 0.5) == "变化 -60.0%，降幅超过 50%"
    # a fall to a fifth is as large as a rise to five times: not "-78.9% 超过 ±100%"
    fell = _how_far(-0.789, 21.1, 100, 1.0)
    assert fell == "变化 -78.9%，降到上年的 21.1%，不到上年的 50%" and "±" not in fell


def test_a_school_that_left_a_part_blank_returned_it_and_stays_in_the_ratio(tmp_path):
    """乙校 returned its staff form with 专任教师 blank (none): it is not a school that did
    not return, and its students stay in the 生师比 as its blank stays in the teachers."""
    facts = [
        _fact("students_by_major", "A", 2020, "major_category=信息技术类;major=计算机", "students", 300, "C4"),
        _fact("staff", "A", 2020, "", "fulltime", 20, "D10"),
        _fact("students_by_major", "B", 2020, "major_category=信息技术类;major=计算机", "students", 900, "C3"),
        _fact("staff", "B", 2020, "", "fulltime", None, "D10"),
    ]  # fmt: skip
    pack, loaded = _facts_world(tmp_path, facts)
    eng = Engine(loaded, pack, load_definitions(tmp_path / "m", pack))
    assert eng.figure("ratio", 2020, "no_technical").value == pytest.approx(1200 / 20)
