"""tongji（统计）: extract, check and publish education statistics from school returns."""

from loguru import logger

__version__ = "0.1.0"


def build() -> str:
    """This tongji's version and a fingerprint of its code: a run or a cached extraction is
    reused only by the same build (a fixed reading or a changed definition redoes them,
    whether or not the version number was raised)."""
    global _BUILD
    if _BUILD is None:
        import hashlib
        import sys
        from pathlib import Path

        digest = hashlib.sha256()
        here = Path(__file__).resolve().parent
        for path in sorted(here.rglob("*.py")):
            digest.update(path.relative_to(here).as_posix().encode())
            digest.update(path.read_bytes())
        if getattr(sys, "frozen", False):  # a one-file program has no .py: the program itself
            program = Path(sys.executable).stat()
            digest.update(f"{program.st_size}:{program.st_mtime_ns}".encode())
        _BUILD = f"{__version__}+{digest.hexdigest()[:12]}"
    return _BUILD


_BUILD: str | None = None

# A library stays quiet; the command line turns logging on (cli.setup_logging).
logger.disable("tongji")
