import pytest

from tongji.extraction import clean
from tongji.extraction.clean import (
    EMPTY,
    ERROR,
    NOT_APPLICABLE,
    VALUE,
    clean_value,
    normalize_label,
)
from tongji.words import units


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("学 校 名 称", "学校名称"),
        ("总  计", "总计"),
        ("研究生_x000D_毕业", "研究生毕业"),
        ("研究生\r毕业", "研究生毕业"),  # calamine decodes _x000D_ to \r
        ("本科及\n以下", "本科及以下"),
        ("设备总值（万元）", "设备总值"),
        ("在校生(人)", "在校生"),
        ("在校生（单位：人）", "在校生"),
        ("毕(结)业生数", "毕(结)业生数"),  # not a unit: kept
        ("其中：女", "女"),
        ("ＡＢＣ１２３", "ABC123"),  # NFKC
        ("\u3000教职工数\u3000", "教职工数"),
        (10.0, "10"),
        (None, ""),
    ],
)
def test_normalize_label(raw, expected):
    assert normalize_label(raw) == expected


def test_unit_in_label():
    assert clean.unit_in_label("设备总值（万元）") == "万元"
    assert clean.unit_in_label("占地面积(平方米)") == "平方米"
    assert clean.unit_in_label("在校生（单位：人）") == "人"
    assert clean.unit_in_label("毕(结)业生数") is None


@pytest.mark.parametrize(
    "raw, ftype, value, rule_part",
    [
        (10.0, "integer", 10.0, "数字"),
        (10, "integer", 10.0, "数字"),
        ("123", "integer", 123.0, "文本数字"),
        (" 123 ", "integer", 123.0, "文本数字"),
        ("1,234", "integer", 1234.0, "千分位"),
        ("41,507.22", "number", 41507.22, "千分位"),
        ("１２３", "integer", 123.0, "全角转半角"),
        ("３２．５", "number", 32.5, "全角转半角"),
        ("65.01%", "percent", 65.01, "百分数文本"),
        ("６５％", "percent", 65.0, "百分数文本"),
        (0.6501, "percent", 65.01, "百分比格式数字"),
        (52.5, "percent", 52.5, "数字"),
        ("8.2:1", "ratio", 8.2, "比例"),
        ("3.5：6.5", "ratio", 3.5 / 6.5, "比例"),
        ("2965元", "number", 2965.0, "去掉单位"),
    ],
)
def test_clean_numbers(raw, ftype, value, rule_part):
    c = clean_value(raw, ftype)
    assert c.status == VALUE
    assert c.value == pytest.approx(value)
    assert rule_part in c.rule


@pytest.mark.parametrize("raw", [None, "", "  ", "—", "-", "/", "无", "——", "－"])
def test_sentinels_are_null(raw):
    c = clean_value(raw, "integer")
    assert c.status == EMPTY and c.value is None


@pytest.mark.parametrize("raw", ["*", "＊"])
def test_star_is_not_applicable_not_null_not_zero(raw):
    c = clean_value(raw, "integer")
    assert c.status == NOT_APPLICABLE
    assert c.value is None
    assert clean_value(0, "integer").status == VALUE


@pytest.mark.parametrize(
    "raw, ftype, message_part",
    [
        ("41,8.72", "number", "无法识别的数字"),
        ("1,0", "integer", "无法识别的数字"),
        ("12.5", "integer", "应为整数"),
        ("abc", "number", "应为数字"),
        ("50%", "integer", "百分数"),
        ("8.2:1", "integer", "比例"),
        ("3:0", "ratio", "后项为 0"),
        (True, "number", "逻辑值"),
    ],
)
def test_malformed_values_are_errors_never_guesses(raw, ftype, message_part):
    c = clean_value(raw, ftype)
    assert c.status == ERROR
    assert c.value is None
    assert message_part in c.message


def test_text_and_code_fields():
    assert clean_value(4115.0, "code").value == "4115"
    assert clean_value(" 赤峰农牧学校 ", "text").value == "赤峰农牧学校"
    assert clean_value("00123", "code").value == "00123"  # codes stay text
    assert clean_value("—", "text").status == EMPTY
    assert clean_value("*", "text").status == NOT_APPLICABLE


def test_looks_numeric():
    assert clean.looks_numeric(3.0)
    assert clean.looks_numeric("1,234")
    assert clean.looks_numeric("*")
    assert clean.looks_numeric("45.6%")
    assert not clean.looks_numeric("总计")
    assert not clean.looks_numeric(None)


def test_units():
    assert units.conversion_factor("万元", "元") == 10000
    assert units.conversion_factor("元", "万元") == pytest.approx(1e-4)
    assert units.conversion_factor("人", "万元") is None
    assert units.unit_in_sheet_text("基础基4211      单位：人") == "人"
    assert units.unit_in_sheet_text("单位：万元") == "万元"
    assert units.unit_in_sheet_text("单位:") is None  # mixed-unit forms
    assert units.canonical_unit("ｍ２") == "m2"
    assert units.canonical_unit("公顷") is None


@pytest.mark.parametrize(
    "raw, value", [("是", 1.0), ("否", 0.0), ("有", 1.0), ("无", 0.0), (1, 1.0), ("√", 1.0)]
)
def test_flags(raw, value):
    c = clean_value(raw, "flag")
    assert c.status == VALUE and c.value == value


def test_flag_rejects_other_text():
    assert clean_value("也许", "flag").status == ERROR
    assert clean_value("", "flag").status == EMPTY
