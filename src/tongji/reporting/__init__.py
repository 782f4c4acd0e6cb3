"""Reporting: extracted facts → indicators → the report's tables → checks → the workbook.

facts (the extract folders as polars frames) → engine (indicators by their declared
definitions) → display (how a figure is shown) → tables (the report's tables, charts'
data, sentences) → check (declared rules, year-on-year, completeness) → render (the
summary workbook); `publish` runs them in that order.
"""

from .publish import Published, publish

__all__ = ["Published", "publish"]
