"""`tongji extract` checks the year of every return as `tongji run` does: its year is
required (click 8.3+ would take an explicit default=None as given and skip the check), and
a return whose title names another year is a year_mismatch."""

from __future__ import annotations

from pathlib import Path

from builders import national_teacher_form, write_xlsx
from click.testing import CliRunner

from tongji.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _return(folder: Path) -> Path:
    spec = national_teacher_form("赤峰农牧学校")
    spec.put(1, 1, "中等职业学校专任教师情况（2019年）")
    folder.mkdir(parents=True)
    return write_xlsx(folder / "专任教师.xlsx", [spec])


def test_extract_without_a_year_is_refused(tmp_path):
    _return(tmp_path / "2020")
    args = [
        str(tmp_path / "2020"),
        "-m",
        str(ROOT / "mappings"),
        "-r",
        str(ROOT / "samples/roster.xlsx"),
    ]
    res = CliRunner().invoke(main, ["extract", *args, "-o", str(tmp_path / "out")])
    assert res.exit_code == 2 and "--year" in res.output
    assert not (tmp_path / "out").exists()


def test_a_return_of_another_year_is_said_by_extract_as_by_run(tmp_path):
    _return(tmp_path / "2020")
    args = [
        str(tmp_path / "2020"),
        "-m",
        str(ROOT / "mappings"),
        "-r",
        str(ROOT / "samples/roster.xlsx"),
    ]
    res = CliRunner().invoke(main, ["extract", *args, "-y", "2020", "-o", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    issues = (tmp_path / "out" / "issues.csv").read_text(encoding="utf-8-sig")
    assert "year_mismatch" in issues and "标题写的是 2019 年" in issues
