"""The mapping pack and the report definition that come with tongji: `mappings/` and
`reports/` of the source tree, installed inside the package (pyproject.toml maps them
to `tongji.bundled.mappings` and `tongji.bundled.reports`), so that `tongji init` can give
a new city a copy of them however tongji was installed."""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError

_HERE = Path(__file__).resolve().parent


def _found(name: str, marker: str) -> Path:
    """The folder as installed (a wheel), else as in a source checkout (an editable install)."""
    for folder in (_HERE / name, _HERE.parents[2] / name):
        if (folder / marker).is_file():
            return folder
    raise UsageError(f"找不到随附的 {name}：tongji 的安装不完整，请重新安装")


def mappings_dir() -> Path:
    return _found("mappings", "datasets.toml")


def report_file() -> Path:
    return _found("reports", "annual_report.toml") / "annual_report.toml"
