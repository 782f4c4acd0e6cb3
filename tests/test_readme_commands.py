"""Every command the README and a new job folder's own README give, run as written where a
statistician would run them: `tongji init` in any folder, the rest inside the folder it made
(no `-m`: the folder's 映射 is found). A command may find problems in the data (exit 1);
it never fails for a folder or an option it was told about (exit 2 or 3)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from tongji.cli import main

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"\.\.\.|\[|路径|工作簿|提取目录|映射目录|任务文件 ")


def _commands(readme: str) -> list[list[str]]:
    """The literal `tongji …` lines of a README's code blocks (not the synopses with `...`)."""
    out, inside = [], False
    for line in readme.splitlines():
        if line.strip().startswith("```"):
            inside = not inside
            continue
        text = line.strip()
        if inside and text.startswith("tongji ") and not PLACEHOLDER.search(text):
            out.append(shlex.split(text)[1:])
    return out


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """`tongji init` as the README writes it, then the roster filled in."""
    here = tmp_path_factory.mktemp("work")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [init] = [c for c in _commands(readme) if c[0] == "init"]
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(here)
        res = CliRunner().invoke(main, init)
    assert res.exit_code == 0, res.output
    folder = here / init[1]
    book = openpyxl.load_workbook(folder / "学校名录.xlsx")
    book["学校名录"].append(["1509000001", "测试市第一职业中专", "甲区", "职业高中", "公办"])
    book.save(folder / "学校名录.xlsx")
    return folder


def _in(folder: Path, args: list[str], monkeypatch) -> int:
    monkeypatch.chdir(folder)
    res = CliRunner().invoke(main, args)
    assert res.exit_code in (0, 1), (args, res.output)
    return res.exit_code


def test_the_readme_commands_work_as_written_in_a_folder_made_by_init(city, monkeypatch):
    readme = _commands((ROOT / "README.md").read_text(encoding="utf-8"))
    rest = [c for c in readme if c[0] != "init"]
    assert {"template", "feedback"} <= {c[0] for c in rest}
    _in(
        city, ["run", "tongji.toml", "-q"], monkeypatch
    )  # `tongji run 任务文件`, as the README says
    for args in rest:
        _in(city, args, monkeypatch)
    assert len(list((city / "填报模板").glob("*.xlsx"))) == 8


def test_the_job_folders_own_readme_commands_work_as_written(city, monkeypatch):
    own = _commands((city / "README.md").read_text(encoding="utf-8"))
    assert [c[0] for c in own] == ["run", "feedback"]
    for args in own:
        _in(city, args, monkeypatch)
    assert (city / "发给学校").is_dir()


@pytest.mark.parametrize("command", [["fields", "-q"], ["mappings", "check", "-q"]])
def test_commands_find_the_folders_mappings_without_being_told(city, monkeypatch, command):
    assert _in(city, command, monkeypatch) == 0


def test_a_command_outside_any_job_folder_reads_the_shipped_pack(tmp_path, monkeypatch):
    from tongji.bundled import mappings_dir
    from tongji.project import default_mapping_folders

    assert default_mapping_folders(tmp_path) == (str(mappings_dir()),)
    (tmp_path / "映射").mkdir()
    (tmp_path / "映射" / "datasets.toml").write_text("", encoding="utf-8")
    assert default_mapping_folders(tmp_path) == ("映射",)
