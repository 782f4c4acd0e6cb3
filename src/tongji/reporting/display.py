"""How a figure is published: the number written to Excel, its number format, and the
text a reader sees (`11.38:1`, `52.50%`, `↑1178`). A change is computed from the rounded
published values, so an arrow always agrees with the numbers beside it."""

from __future__ import annotations

from dataclasses import dataclass

from ..config.definitions import Indicator

ARROWS = ("↑", "↓")


@dataclass
class Shown:
    """How a figure is published: the number written to Excel, its format, and as text."""

    number: float | None
    fmt: str
    text: str


def _decimals(ind: Indicator) -> int | None:
    if ind.decimals is not None:
        return ind.decimals
    return {"integer": 0, "percent": 2, "ratio": 2, "share_ratio": 1}.get(ind.display)


def _num_fmt(decimals: int | None) -> str:
    if decimals is None:
        return "General"
    return "0" if decimals == 0 else "0." + "0" * decimals


def _plain(v: float, decimals: int | None) -> str:
    if decimals is None:  # as many decimals as the figure has, up to 6: 35697.57, 32791.822
        return f"{v:.6f}".rstrip("0").rstrip(".")
    return f"{v:.{decimals}f}"


def show(ind: Indicator, value: float | None, keep: bool = False) -> Shown:
    """`keep`: a whole figure keeps the indicator's decimals (2965.2 and 2880.0 in one
    table), where another figure of the same indicator beside it has a fraction."""
    d = _decimals(ind)
    if value is None:
        return Shown(None, "General", "")
    if ind.display == "percent":
        number = round(value, (d or 0) + 2)
        return Shown(number, "0" + ("." + "0" * d if d else "") + "%", f"{number * 100:.{d}f}%")
    if ind.display == "ratio":
        number = round(value, d)
        return Shown(number, _num_fmt(d) + '":1"', f"{number:.{d}f}:1")
    if ind.display == "share_ratio":
        a = round(value * 10, d)
        return Shown(a, "@", f"{a:.{d}f}:{10 - a:.{d}f}")
    number = round(value, d) if d is not None else round(value, 6)
    if d and number == int(number) and not keep:  # 2850, not 2850.0: whole amounts whole
        return Shown(number, "0", _plain(number, 0))
    return Shown(number, _num_fmt(d), _plain(number, d))


def change(ind: Indicator, cur: float | None, prev: float | None, keep: bool = False) -> Shown:
    """This year minus last year, in the units the table shows (percentage points for
    rates), from the rounded published values: the arrow always matches the numbers.
    `keep`: a whole difference keeps the indicator's decimals (as `show`)."""
    if cur is None or prev is None:
        return Shown(None, "General", "")
    a, b = show(ind, cur).number, show(ind, prev).number
    assert a is not None and b is not None
    d = _decimals(ind)
    unit = ""
    if ind.display == "percent":
        diff = round((a - b) * 100, d)
        unit = "个百分点"
    else:
        diff = round(a - b, d if d is not None else 6)
        if d and diff == int(diff) and not keep:  # ↑376, not ↑376.0 (as a whole figure shows)
            d = 0
    body = _num_fmt(d)
    fmt = f'"↑"{body}"{unit}";"↓"{body}"{unit}";"0"' if unit else f'"↑"{body};"↓"{body};"0"'
    if diff == 0:
        return Shown(0.0, fmt, "0")
    text = f"{ARROWS[0] if diff > 0 else ARROWS[1]}{_plain(abs(diff), d)}{unit}"
    return Shown(diff, fmt, text)


def has_fraction(shown: Shown) -> bool:
    """Whether a published number shows decimals (2965.2, not 2880)."""
    return shown.number is not None and shown.fmt != "@" and shown.number != int(shown.number)
