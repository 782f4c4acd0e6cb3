"""Checks: rules that a set of figures must satisfy. Pure functions over numbers; the
callers say which cells the numbers came from."""

from __future__ import annotations

from collections.abc import Iterable

# Figures are published with at most 2–3 decimals (万元 with 3); a difference below this
# is rounding, not a disagreement.
ABS_TOLERANCE = 0.01
REL_TOLERANCE = 1e-9


def sum_parts(values: Iterable[float | None]) -> tuple[float | None, int]:
    """The sum of the parts that have a value, and how many had one (None when none had)."""
    present = [v for v in values if v is not None]
    if not present:
        return None, 0
    return round(sum(present), 9), len(present)


def agrees(total: float | None, parts_sum: float | None) -> bool:
    """Whether a stated total equals the sum of its parts, up to rounding."""
    if total is None or parts_sum is None:
        return total is None and parts_sum is None
    return abs(total - parts_sum) <= max(ABS_TOLERANCE, REL_TOLERANCE * abs(total))
