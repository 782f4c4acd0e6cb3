"""Units of measure found in education statistics forms, and conversions between them.

A unit belongs to a family; two units convert only within one family, by the ratio of
their factors (万元 → 元 is × 10000). Unit names are matched after NFKC normalisation.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# family -> {unit name: factor relative to the family's base unit}
_FAMILIES: dict[str, dict[str, float]] = {
    "money": {"元": 1.0, "千元": 1e3, "万元": 1e4, "亿元": 1e8},
    "people": {"人": 1.0, "万人": 1e4, "名": 1.0},
    "visits": {"人次": 1.0, "万人次": 1e4},
    "area": {"平方米": 1.0, "m2": 1.0, "万平方米": 1e4, "亩": 2000 / 3},
    "items": {"台套": 1.0, "台": 1.0, "套": 1.0, "台(套)": 1.0, "件": 1.0},
    "places": {"个": 1.0, "处": 1.0, "所": 1.0, "间": 1.0, "家": 1.0, "门": 1.0, "项": 1.0},
    "days": {"天": 1.0, "日": 1.0},
    "bandwidth": {"M": 1.0, "Mbps": 1.0, "兆": 1.0, "G": 1000.0, "Gbps": 1000.0},
    "percent": {"%": 1.0, "百分比": 1.0},
    "books": {"册": 1.0, "万册": 1e4},
}

_UNIT_FAMILY: dict[str, str] = {u: fam for fam, units in _FAMILIES.items() for u in units}
_UNIT_FACTOR: dict[str, float] = {u: f for units in _FAMILIES.values() for u, f in units.items()}

# Longest names first, so that 万元 wins over 元 when searching text.
_UNIT_NAMES = sorted(_UNIT_FAMILY, key=len, reverse=True)
_UNIT_ENDINGS = frozenset(name[-1] for name in _UNIT_NAMES)  # most texts end otherwise: no loop
_SHEET_UNIT_RE = re.compile(r"单位[:：]\s*([^\s,，;；()（）\[\]【】]*)")
# `填报单位：××学校` names an organisation, not a unit of measure.
_ORGANISATION_MARKS = (
    "填报",
    "报送",
    "填表",
    "制表",
    "统计",
    "主管",
    "所在",
    "工作",
    "上报",
    "审核",
    "隶属",
)
# Words that can never be a unit, in a `单位：` cell (a seal line, a school's name).
_NOT_A_UNIT = ("盖章", "签字", "学校", "公司", "中心", "学院", "部门", "教育局", "(", "（")
# Headers of a column (or a label beside a cell) that holds the unit of a row or sheet.
UNIT_HEADERS = frozenset({"单位", "计量单位", "金额单位", "计量单位名称", "单位名称"})


def canonical_unit(text: str | None) -> str | None:
    """The unit's canonical name, or None when `text` is not a known unit."""
    if text is None:
        return None
    return _canonical_unit(str(text))


@lru_cache(maxsize=1 << 14)
def _canonical_unit(text: str) -> str | None:
    name = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    name = name.replace("（", "(").replace("）", ")")
    if name in _UNIT_FAMILY:
        return name
    if name.lower() in ("mbps", "m"):
        return "Mbps"
    return None


def is_unit(text: str | None) -> bool:
    return canonical_unit(text) is not None


def family(unit: str) -> str | None:
    return _UNIT_FAMILY.get(unit)


def conversion_factor(source: str, target: str) -> float | None:
    """Multiply a value in `source` by this to get it in `target`; None if they do not convert."""
    if source == target:
        return 1.0
    fam = _UNIT_FAMILY.get(source)
    if fam is None or fam != _UNIT_FAMILY.get(target):
        return None
    return _UNIT_FACTOR[source] / _UNIT_FACTOR[target]


def units_in_sheet_text(text: str) -> list[str]:
    """The units a cell declares with `单位：万元` markers, in order: every marker counts
    (`填报单位：××学校    金额单位：千元` declares 千元), a marker may list several
    (`单位：人、万元`), and a bare `单位:` (mixed-unit forms) declares none. A unit tongji
    does not know is returned as written, so that converting to it fails with a finding
    instead of the figure being taken as the field's unit."""
    norm = unicodedata.normalize("NFKC", text)
    out: list[str] = []
    for m in _SHEET_UNIT_RE.finditer(norm):
        if norm[max(0, m.start() - 2) : m.start()] in _ORGANISATION_MARKS:
            continue
        for token in re.split(r"[、/／]", m.group(1)):
            unit = declared_unit(token)
            if unit and unit not in out:
                out.append(unit)
    return out


def unit_in_sheet_text(text: str) -> str | None:
    """The first known unit a cell declares (None for a bare `单位:` or only unknown ones)."""
    return next((u for u in units_in_sheet_text(text) if u in _UNIT_FAMILY), None)


def declared_unit(text: object) -> str | None:
    """A unit as a cell declares it: its canonical name, or the text itself when it looks
    like a unit tongji does not know (short, no name or seal in it); None for no unit."""
    if text is None:
        return None
    token = unicodedata.normalize("NFKC", str(text)).strip()
    if not token:
        return None
    known = canonical_unit(token)
    if known:
        return known
    if (
        len(token) <= 4
        and not any(word in token for word in _NOT_A_UNIT)
        and not any(ch.isdigit() for ch in token)
    ):
        return token
    return None


def split_unit_suffix(text: str, is_number) -> tuple[str, str] | None:
    """(number text, unit) when a cell's text is a number followed by a known unit
    (`856000元`, `12.5万平方米`, `100Mbps`); the longest unit name wins."""
    if not text or text[-1] not in _UNIT_ENDINGS:
        return None
    for name in _UNIT_NAMES:
        if len(text) > len(name) and text.endswith(name) and is_number(text[: -len(name)]):
            return text[: -len(name)], name
    return None


def confusion_factors(unit: str) -> list[float]:
    """By how much a figure in `unit` is off when it was written in another unit of its
    family (元 for 万元: 10000): the factors a unit mix-up multiplies by, each ≥ 5."""
    fam = _UNIT_FAMILY.get(unit)
    if fam is None:
        return []
    factors = {
        max(f, _UNIT_FACTOR[unit]) / min(f, _UNIT_FACTOR[unit]) for f in _FAMILIES[fam].values()
    }
    return sorted(f for f in factors if f >= 5)


def known_units() -> list[str]:
    return list(_UNIT_FAMILY)
