import pytest

from tongji.errors import RosterError
from tongji.extraction.roster import load_roster


def test_roster_columns_and_aliases(roster):
    assert len(roster.schools) == 4
    s = roster.by_id["1504000001"]
    assert s.aliases == ("农牧学校", "赤峰市农牧学校")
    assert s.levels == ("国家级示范", "国家级重点")
    assert s.sponsor == "公办" and s.district == "红山区"
    assert roster.by_id["1504000099"].is_technical


@pytest.mark.parametrize(
    "text, school_id, how",
    [
        ("赤峰农牧学校", "1504000001", "名称"),
        ("赤 峰 农 牧 学 校", "1504000001", "名称"),
        ("赤峰市农牧学校", "1504000001", "别名"),
        ("2020年松山区职业教育中心统计报表", "1504000002", "包含"),
    ],
)
def test_resolve(roster, text, school_id, how):
    r = roster.resolve(text)
    assert r.school.school_id == school_id and r.how == how


def test_unknown_name_lists_closest(roster):
    r = roster.resolve("赤峰第一职业学校")
    assert r.school is None and r.candidates[0] == "赤峰第一职业中专"


def test_name_containing_two_schools_is_ambiguous(roster):
    r = roster.resolve("赤峰农牧学校与松山区职教中心合并表")
    assert r.school is None and r.ambiguous


def test_csv_roster_and_errors(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("学校代码,学校名称,别名\n001,甲校,甲\n002,乙校,\n", encoding="utf-8-sig")
    r = load_roster(p)
    assert r.resolve("甲").school.school_id == "001"  # a code stays text: 001 not 1
    p.write_text("学校代码,学校名称\n001,甲校\n001,乙校\n", encoding="utf-8")
    with pytest.raises(RosterError, match="重复"):
        load_roster(p)
    p.write_text("名称\n甲校\n", encoding="utf-8")
    with pytest.raises(RosterError, match="学校代码"):
        load_roster(p)
    with pytest.raises(RosterError, match="不存在"):
        load_roster(tmp_path / "none.xlsx")


def test_roster_names_are_cleaned_where_they_enter(tmp_path):
    """A control character pasted into a name, or quotes typed around it, would corrupt the
    summary workbook (a sheet name may not hold them): the roster takes them off."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from builders import SheetSpec, write_xlsx

    s = SheetSpec("名录")
    s.row(0, ["学校代码", "学校名称", "旗县区"])
    s.row(1, ["'1504000001", "赤峰农牧\x01学校", "红山区\x0b"])
    s.row(2, ["1504000002", "'松山区职教中心'", "松山区"])
    s.row(3, ["1504000003", "“赤峰卫生学校”", "红山区"])
    roster = load_roster(write_xlsx(tmp_path / "r.xlsx", [s]))
    assert [(x.school_id, x.name, x.district) for x in roster.schools] == [
        ("1504000001", "赤峰农牧学校", "红山区"),
        ("1504000002", "松山区职教中心", "松山区"),
        ("1504000003", "赤峰卫生学校", "红山区"),
    ]


def test_two_schools_of_one_name_are_a_roster_error_naming_both_rows(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("学校代码,学校名称,别名\n001,甲校,\n002,乙校,\n003,甲校,\n", encoding="utf-8")
    with pytest.raises(RosterError) as caught:
        load_roster(p)
    assert (
        "第 4 行" in str(caught.value)
        and "第 2 行" in str(caught.value)
        and "甲校" in str(caught.value)
    )
    p.write_text("学校代码,学校名称,别名\n001,甲校,职教中心\n002,乙校,职教中心\n", encoding="utf-8")
    with pytest.raises(RosterError, match="职教中心"):
        load_roster(p)
