"""What an installation carries: every package of the source tree, the bundled mapping pack
and report definition (`tongji init` copies them), and the program's entry point. An
installation from a wheel (pipx, uv tool, PyInstaller) has only what pyproject.toml lists."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


def _package_folder(package: str) -> Path:
    """Where a listed package's files are, by the package-dir table."""
    dirs = SETUPTOOLS["package-dir"]
    if package in dirs:
        return ROOT / dirs[package]
    return ROOT / dirs[""] / Path(*package.split("."))


def test_every_package_of_the_source_tree_is_listed():
    source = ROOT / "src"
    found = {
        ".".join(init.parent.relative_to(source).parts) for init in source.rglob("__init__.py")
    }
    listed = set(SETUPTOOLS["packages"])
    assert found - listed == set(), "packages a wheel would leave out"
    assert all(_package_folder(p).is_dir() for p in listed)


def test_the_bundled_mappings_and_report_are_every_file_of_their_folders():
    for package, patterns in SETUPTOOLS["package-data"].items():
        folder = _package_folder(package)
        files = [p.name for p in folder.iterdir() if p.is_file()]
        left_out = [f for f in files if not any(fnmatch.fnmatch(f, pat) for pat in patterns)]
        assert files and left_out == [], (package, left_out)


def test_the_bundled_pack_resolves_and_loads():
    from tongji.bundled import mappings_dir, report_file
    from tongji.config import load_pack
    from tongji.config.definitions import load_definitions
    from tongji.config.report import load_report

    pack = load_pack(mappings_dir())
    assert len(pack.mappings) == len(list((ROOT / "mappings").glob("*.toml"))) - 4
    assert load_report(report_file(), pack, load_definitions(mappings_dir(), pack)).tables


def test_the_entry_point_is_the_cli():
    assert PYPROJECT["project"]["scripts"] == {"tongji": "tongji.cli:main"}
