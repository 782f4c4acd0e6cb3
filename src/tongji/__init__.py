"""tongji（统计）: extract, check and publish education statistics from school returns."""

__version__ = "0.1.0"
