"""Cleaning: how a raw cell becomes a typed value (how a label is compared is in
`tongji.words.labels`, re-exported here for the extraction modules).

Pure functions only. Every rule here is named in `Cleaned.rule` so that the lineage of a
value says what was done to its raw text.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..words import units as _units
from ..words.labels import (  # noqa: F401  (re-exported: the extraction modules' one import)
    _nfkc,
    normalize_label,
    normalize_text,
    printable,
    restore_code,
    unit_in_label,
)

VALUE = "value"
EMPTY = "empty"
NOT_APPLICABLE = "not_applicable"
ERROR = "error"

# A yes/no answer (`是否建有校园网`): 1 or 0.
_FLAG_YES = frozenset({"是", "有", "√", "✓", "y", "yes", "true", "1", "已建", "已接入"})
_FLAG_NO = frozenset({"否", "无", "×", "✗", "n", "no", "false", "0", "未建", "未接入"})

# Written in a cell to mean "nothing here"; all become null.
SENTINELS = frozenset(
    {"", "-", "--", "—", "——", "–", "―", "/", "\\", "无", "空", "n/a", "na", "null", "none"}
)
# What a spreadsheet shows for a formula that failed (#N/A included: a lookup that found
# nothing is no blank). As text they come from a CSV or a sheet pasted as values.
_ERROR_VALUE_RE = re.compile(
    r"#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA|SPILL!|CALC!|FIELD!|BLOCKED!"
    r"|CONNECT!|BUSY!|UNKNOWN!)",
    re.I,
)
NOT_APPLICABLE_MARKS = frozenset({"*", "＊", "※"})

_WS_RE = re.compile(r"\s+")
_PLAIN_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED_NUMBER_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_RATIO_RE = re.compile(r"^([+-]?\d+(?:\.\d+)?)[:：∶]([+-]?\d+(?:\.\d+)?)$")


@dataclass(frozen=True, slots=True)
class Cleaned:
    """A raw cell made into a value. `rule` says which cleaning rules applied."""

    value: float | str | None
    status: str
    rule: str = ""
    message: str = ""
    unit: str | None = None  # a unit written in the cell itself: `856000元`
    warning: str = ""  # something done that a person should know of (a code's lost 0 restored)

    @property
    def ok(self) -> bool:
        return self.status != ERROR


def _parse_number_text(text: str) -> tuple[float | None, str]:
    """Parse numeric text. Returns (value, rule) or (None, "") when it is not a number."""
    if _PLAIN_NUMBER_RE.match(text):
        return float(text), "文本数字"
    if _GROUPED_NUMBER_RE.match(text):
        return float(text.replace(",", "")), "文本数字+千分位"
    return None, ""


def clean_value(raw: Any, field_type: str = "number", length: int | None = None) -> Cleaned:
    """Turn one raw cell (as the reader returned it) into a typed value.

    `raw` is a Python value from the workbook: float/int for numbers, str for text, None or
    '' for blank. Numbers stored as text, full-width digits, thousands separators, percent
    strings, ratio strings (`8.2:1`), sentinels and `*` are all handled; anything that
    looks numeric but is malformed (`41,8.72`) is an error, never a guess.
    """
    if field_type in ("text", "code"):
        return _clean_text(raw, field_type, length)
    if field_type == "flag":
        return _clean_flag(raw)

    if raw is None:
        return Cleaned(None, EMPTY, "空白")
    if isinstance(raw, bool):
        return Cleaned(None, ERROR, "", f"应为数字，实际为逻辑值 {raw}")
    if isinstance(raw, (int, float)):
        return _typed_number(float(raw), field_type, "数字", numeric_cell=True)
    if isinstance(raw, (_dt.date, _dt.time, _dt.timedelta)):
        return Cleaned(None, ERROR, "", f"应为数字，实际为日期/时间 {raw}")

    return _clean_number_text(str(raw), field_type)


def _clean_number_text(original: str, field_type: str) -> Cleaned:
    """A number typed as text: sentinels, `*`, ratios, percents, units typed into the cell."""
    text = _nfkc(original)
    text = text.replace("_x000D_", "")
    text = _WS_RE.sub("", text)
    rules: list[str] = []
    if text != _WS_RE.sub("", original):
        rules.append("全角转半角")
    if text.lower() in SENTINELS or text in SENTINELS:
        return Cleaned(None, EMPTY, f"占位符“{original.strip()}”视为空" if text else "空白")
    if _ERROR_VALUE_RE.fullmatch(text):
        return _error_value(text)
    if text in NOT_APPLICABLE_MARKS:
        return Cleaned(None, NOT_APPLICABLE, "“*”不适用")

    m = _RATIO_RE.match(text)
    if m:
        a, b = float(m.group(1)), float(m.group(2))
        if field_type != "ratio":
            return Cleaned(None, ERROR, "", f"应为数字，实际为比例“{original}”")
        if b == 0:
            return Cleaned(None, ERROR, "", f"比例“{original}”的后项为 0")
        return Cleaned(a / b, VALUE, "+".join([*rules, "比例"]))

    percent = False
    if text.endswith("%") or text.endswith("％"):
        percent = True
        text = text[:-1]
    cell_unit = None
    split = None if percent else _units.split_unit_suffix(text, _is_number_text)
    if split is not None:  # a unit typed into the cell: `856000元`; converted like any other
        text, cell_unit = split
        rules.append(f"去掉单位“{cell_unit}”（单元格内写明，按它换算）")
    number, rule = _parse_number_text(text)
    if number is None:
        if re.search(r"\d", text):
            return Cleaned(None, ERROR, "", f"无法识别的数字“{original}”")
        return Cleaned(None, ERROR, "", f"应为数字，实际为文本“{original}”")
    rules.append(rule)
    if percent:
        if field_type != "percent":
            return Cleaned(None, ERROR, "", f"应为数字，实际为百分数“{original}”")
        rules.append("百分数文本")
        return Cleaned(number, VALUE, "+".join(rules))
    typed = _typed_number(number, field_type, "+".join(rules), numeric_cell=False)
    return (
        Cleaned(typed.value, typed.status, typed.rule, typed.message, cell_unit)
        if cell_unit
        else typed
    )


# No figure of a school's return comes near this: a larger one is a corrupt cell, not data.
LARGEST = 1e15


def _typed_number(number: float, field_type: str, rule: str, numeric_cell: bool) -> Cleaned:
    number += 0.0  # -0 (a formula's rounding, or typed) is 0
    if not math.isfinite(number):
        return Cleaned(None, ERROR, "", f"不是有限的数字（{number}）")
    if abs(number) > LARGEST:
        return Cleaned(None, ERROR, "", f"数字大得不合理（{number:g}）")
    if field_type == "integer" and number < 0:
        return Cleaned(None, ERROR, "", f"人数、个数不能为负（{number:g}）")
    if field_type == "integer":
        if abs(number - round(number)) > 1e-9:
            return Cleaned(None, ERROR, "", f"应为整数，实际为 {number:g}")
        return Cleaned(float(round(number)), VALUE, rule)
    if field_type == "percent" and numeric_cell and abs(number) <= 1.0:
        # A percent-formatted cell stores 65.01% as 0.6501.
        return Cleaned(round(number * 100, 10), VALUE, rule + "+百分比格式数字×100")
    return Cleaned(number, VALUE, rule)


def _error_value(text: str) -> Cleaned:
    return Cleaned(None, ERROR, "", f"单元格是错误值 {text.upper()}（公式出错的结果，不是数字）")


def _clean_flag(raw: Any) -> Cleaned:
    if raw is None:
        return Cleaned(None, EMPTY, "空白")
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw in (0, 1):
        return Cleaned(float(raw), VALUE, "是否（数字）")
    text = _WS_RE.sub("", _nfkc(str(raw))).lower()
    if text in _FLAG_YES:
        return Cleaned(1.0, VALUE, f"是否：“{raw}”→1")
    if text in _FLAG_NO:
        return Cleaned(0.0, VALUE, f"是否：“{raw}”→0")
    if text in SENTINELS:
        return Cleaned(None, EMPTY, f"占位符“{raw}”视为空" if text else "空白")
    if _ERROR_VALUE_RE.fullmatch(text):
        return _error_value(text)
    return Cleaned(None, ERROR, "", f"应为“是”或“否”，实际为“{raw}”")


def _clean_text(raw: Any, field_type: str, length: int | None = None) -> Cleaned:
    if raw is None:
        return Cleaned(None, EMPTY, "空白")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # a code typed as a number: 4115 not 4115.0
    text = normalize_text(raw)
    if field_type == "code":
        text = _WS_RE.sub("", text)
    if text in SENTINELS:
        return Cleaned(None, EMPTY, "空白" if not text else f"占位符“{text}”视为空")
    if text in NOT_APPLICABLE_MARKS:
        return Cleaned(None, NOT_APPLICABLE, "“*”不适用")
    if _ERROR_VALUE_RE.fullmatch(_WS_RE.sub("", text)):
        return _error_value(_WS_RE.sub("", text))
    if field_type == "code" and length and text.isdigit():
        code, note = restore_code(text, length)
        if code is None:
            return Cleaned(None, ERROR, "", note)
        if note:
            kind = "数字" if isinstance(raw, int) else "文本"
            return Cleaned(
                code,
                VALUE,
                "文本+补回前导 0",
                warning=f"代码“{text}”（{kind}）少一位，已补回前导 0 为“{code}”",
            )
    return Cleaned(text, VALUE, "文本")


STATUS_LABEL = {VALUE: "值", EMPTY: "空", NOT_APPLICABLE: "不适用（*）", ERROR: "错误"}


def raw_text(raw: Any) -> str:
    """A raw cell as the person who typed it sees it: `100`, not `100.0`."""
    if raw is None:
        return ""
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() else repr(raw)
    return str(raw)


def looks_numeric(raw: Any) -> bool:
    """True for a cell that holds data rather than a label: a number, numeric text or `*`."""
    if raw is None or isinstance(raw, bool):
        return False
    if isinstance(raw, (int, float)):
        return True
    return _looks_numeric_text(str(raw))


@lru_cache(maxsize=1 << 16)
def _looks_numeric_text(raw: str) -> bool:
    # Returns repeat the same texts in every file: the cache makes this nearly free.
    text = _WS_RE.sub("", _nfkc(raw))
    if not text:
        return False
    if text in NOT_APPLICABLE_MARKS:
        return True
    text = text.rstrip("%")
    split = _units.split_unit_suffix(text, _is_number_text)  # `856000元`
    return _is_number_text(split[0] if split else text) or bool(_RATIO_RE.match(text))


def _is_number_text(text: str) -> bool:
    return bool(_PLAIN_NUMBER_RE.match(text) or _GROUPED_NUMBER_RE.match(text))


_BRACKETED_NUMBER_RE = re.compile(r"^[\(（][+-]?\d[\d,.]*[\)）]$")


def value_like(raw: Any) -> bool:
    """A cell that holds a figure or stands in for one, never a header: a number, numeric
    text, `*`, a none-mark (`—`, `－`, `/`), or a number in brackets (`(46)`, which cleaning
    then reports instead of guessing its sign)."""
    if raw is None or isinstance(raw, bool):
        return False
    if isinstance(raw, (int, float)):
        return True
    return isinstance(raw, str) and _value_like_text(raw)


_NONE_MARKS = (SENTINELS - {"", "无", "空", "none", "null", "na", "n/a"}) | {"－", "—", "─", "━"}


@lru_cache(maxsize=1 << 16)
def _value_like_text(raw: str) -> bool:
    if _looks_numeric_text(raw):
        return True
    text = _WS_RE.sub("", _nfkc(raw))
    return (
        text in _NONE_MARKS
        or text in _YES_NO
        or bool(_BRACKETED_NUMBER_RE.match(text))
        or bool(_ERROR_VALUE_RE.fullmatch(text))  # a figure's formula that failed
    )


_YES_NO = frozenset({"是", "否", "√", "×", "✓", "✗"})  # the answer of a yes/no field: data


def is_flag_word(raw: Any) -> bool:
    """`是`, `否`, `有`, `√` …: the answer of a yes/no field."""
    if not isinstance(raw, str):
        return False
    text = _WS_RE.sub("", _nfkc(raw)).lower()
    return text in _FLAG_YES or text in _FLAG_NO
