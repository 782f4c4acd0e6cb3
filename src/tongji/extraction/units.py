"""Units of measure found in education statistics forms, and conversions between them.

A unit belongs to a family; two units convert only within one family, by the ratio of
their factors (万元 → 元 is × 10000). Unit names are matched after NFKC normalisation.
"""

from __future__ import annotations

import re
import unicodedata

# family -> {unit name: factor relative to the family's base unit}
_FAMILIES: dict[str, dict[str, float]] = {
    "money": {"元": 1.0, "千元": 1e3, "万元": 1e4, "亿元": 1e8},
    "people": {"人": 1.0, "万人": 1e4, "名": 1.0},
    "visits": {"人次": 1.0, "万人次": 1e4},
    "area": {"平方米": 1.0, "m2": 1.0, "万平方米": 1e4, "亩": 666.6667},
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
_SHEET_UNIT_RE = re.compile(r"单位[:：]\s*([^\s,，;；]*)")


def canonical_unit(text: str | None) -> str | None:
    """The unit's canonical name, or None when `text` is not a known unit."""
    if text is None:
        return None
    name = unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "")
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


def unit_in_sheet_text(text: str) -> str | None:
    """The unit named by a `单位：万元` marker in a cell's text, if any.

    A bare `单位:` (mixed-unit forms) or an unknown unit gives None.
    """
    norm = unicodedata.normalize("NFKC", text)
    m = _SHEET_UNIT_RE.search(norm)
    if not m:
        return None
    return canonical_unit(m.group(1))


def known_units() -> list[str]:
    return list(_UNIT_FAMILY)
