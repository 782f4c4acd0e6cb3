"""The shared pieces the two pipelines stand on: the findings catalogue, the error family
and its exit codes, the layout registry, the config schemas and the command line's
shared options."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from tongji.cli import main
from tongji.config.placements import LAYOUT_KINDS
from tongji.config.toml import Section, Texts, option, read
from tongji.errors import (
    AggregateError,
    ConfigError,
    ConfigProblem,
    ExitCode,
    LockError,
    RosterError,
    UsageError,
    WorkbookError,
)
from tongji.extraction.layouts import LAYOUTS
from tongji.findings import ERROR, INFO, KINDS, WARNING, Issue, exit_code, issue, kind_of

SRC = Path(__file__).resolve().parents[1] / "src" / "tongji"


def _codes_in_source() -> set[str]:
    """Every finding code the source creates a finding with."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in SRC.rglob("*.py"))
    pattern = r'(?:issue|ReadError)\(\s*(?:f?"check:|f?"yoy:)?"([a-z_]+)"'
    codes = set(re.findall(pattern, text))
    codes |= set(re.findall(r'"(school_ambiguous)" if ambiguous else "(school_unknown)"', text)[0])
    return codes


def test_every_finding_code_in_the_source_is_in_the_catalogue():
    codes = _codes_in_source()
    assert len(codes) >= 30
    assert codes <= set(KINDS), codes - set(KINDS)
    for kind in KINDS.values():
        assert kind.severity in (ERROR, WARNING, INFO) and kind.title and kind.description


def test_a_finding_takes_its_severity_from_the_catalogue_and_refuses_unknown_codes():
    assert issue("bad_value", "x").severity == ERROR
    assert issue("total_mismatch", "x").severity == WARNING
    assert issue("field_not_found", "x", severity=ERROR).severity == ERROR  # a required field
    assert kind_of("check:teachers_le_staff").title == "核对不成立"
    with pytest.raises(KeyError):
        issue("no_such_code", "x")


def test_exit_codes_come_from_one_place():
    assert exit_code([]) == ExitCode.OK
    warning = Issue(WARNING, "total_mismatch", "")
    assert (
        exit_code([warning]) == ExitCode.OK and exit_code([warning], strict=True) == ExitCode.DATA
    )
    assert exit_code([Issue(ERROR, "bad_value", "")]) == ExitCode.DATA
    assert ConfigError([ConfigProblem("a.toml", "k", "m")]).exit_code == ExitCode.USAGE
    assert (
        RosterError("r.xlsx", "m").exit_code
        == UsageError("m").exit_code
        == AggregateError("m").exit_code
        == ExitCode.USAGE
    )
    assert (
        LockError("m").exit_code == ExitCode.FAILURE
        and WorkbookError("m").exit_code == ExitCode.DATA
    )
    assert (
        RosterError("r.xlsx", "缺少列", "请补上").describe()
        == "学校名录有误：r.xlsx：缺少列（请补上）"
    )


def test_every_layout_is_one_registered_unit():
    assert set(LAYOUTS) == set(LAYOUT_KINDS) == {"grid", "list", "keyvalue"}
    for name, layout in LAYOUTS.items():
        assert (
            layout.name == name
            and layout.title
            and layout.records in ("optional", "required", "never")
        )


def test_keyvalue_with_records_is_a_config_mistake(pack_dir):
    from tongji.config import load_pack

    (pack_dir / "kv.toml").write_text(
        'dataset="majors"\nlayout="keyvalue"\n[match]\ncontains=["x"]\n[records]\nmajor_category="专业大类"\nmajor="专业"\n[[fields]]\nfield="students"\nlabel="在校生"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as e:
        load_pack(pack_dir)
    assert any(p.key == "records" and "键值表" in p.message for p in e.value.problems)


@dataclass
class _Inner:
    label: Texts = option((), required=True)


@dataclass
class _Schema:
    name: str = option("", required=True)
    count: int = 1
    inner: _Inner | None = None
    items: tuple[_Inner, ...] = ()


def test_a_schema_reads_its_keys_and_reports_the_rest_with_file_and_key():
    problems: list[ConfigProblem] = []
    data = {
        "name": "x",
        "count": "2",
        "inner": {"lable": "a"},
        "items": [{"label": "b"}, {}],
        "extra": 1,
    }
    got = read(Section(data, "f.toml", "", problems), _Schema)
    assert got.name == "x" and got.count == 1 and got.items[0].label == ("b",)
    text = "\n".join(map(str, problems))
    assert "f.toml 键 count：应为整数" in text
    assert "inner.lable：未知的键，是否应为“label”？" in text and "inner.label：缺少必填项" in text
    assert "[[items]][2].label：缺少必填项" in text
    assert "键 extra：未知的键" in text


def test_every_command_has_chinese_help_with_an_example():
    runner = CliRunner()
    for args in (
        ["extract"],
        ["aggregate"],
        ["run"],
        ["inspect"],
        ["fields"],
        ["mappings", "check"],
        ["mappings", "suggest"],
    ):
        out = runner.invoke(main, [*args, "--help"]).output
        assert "用法：" in out and "显示本帮助后退出。" in out and "Show this message" not in out, (
            args
        )
        assert "示例：" in out and "tongji " in out.split("示例：", 1)[1], args


def test_output_option_has_the_same_name_everywhere_and_old_names_still_work(
    tmp_path, pack_dir, roster_path
):
    from builders import national_teacher_form, write_xlsx

    good = tmp_path / "good"
    good.mkdir()
    write_xlsx(good / "a.xlsx", [national_teacher_form()])
    base = ["extract", str(good), "-m", str(pack_dir), "-r", str(roster_path), "-y", "2020"]
    runner = CliRunner()
    for flag in ("--output", "--out", "-o"):
        res = runner.invoke(main, [*base, flag, str(tmp_path / flag.strip("-"))])
        assert res.exit_code == 0, res.output
        assert (tmp_path / flag.strip("-") / "teachers.parquet").is_file()


def test_the_config_layer_holds_specs_and_imports_no_pipeline():
    """Config parses what the statistician writes into specs; the words every layer shares
    (units, label normalisation, the roster's names) are below it; nothing in config reaches
    up into extraction or reporting."""
    for path in (SRC / "config").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(
            r"^\s*(from|import) (\.\.|tongji\.)(extraction|reporting|run|authoring|cli)\b",
            text,
            re.M,
        ), path.name
    for path in (SRC / "words").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import) (\.\.|tongji\.)\w", text, re.M), path.name


def test_the_command_line_starts_without_the_pipelines():
    """`tongji --version`, `--help` and a mistyped command need click and loguru only: the
    pipelines, polars and the readers are imported by the command that uses them."""
    import subprocess
    import sys

    code = (
        "import sys, tongji.cli\n"
        "heavy = [m for m in sys.modules if m.startswith(('tongji.extraction', 'tongji.reporting',"
        " 'tongji.run', 'polars', 'python_calamine', 'xlsxwriter', 'openpyxl'))]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_a_one_file_program_of_another_build_is_another_build(tmp_path, monkeypatch):
    """A tongji.exe holds no .py files: its build is told by the program itself, so a fixed
    program with the same version number never reuses the last one's outputs."""
    import os
    import sys

    import tongji

    exe = tmp_path / "tongji.exe"
    exe.write_bytes(b"one build")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    monkeypatch.setattr(tongji, "_BUILD", None)
    first = tongji.build()
    exe.write_bytes(b"another build, longer")
    os.utime(exe, ns=(1, 10**18))
    monkeypatch.setattr(tongji, "_BUILD", None)
    assert tongji.build() != first
