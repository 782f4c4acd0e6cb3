"""tongji（统计）: extract, check and publish education statistics from school returns."""

from loguru import logger

__version__ = "0.1.0"

# A library stays quiet; the command line turns logging on (cli.setup_logging).
logger.disable("tongji")
