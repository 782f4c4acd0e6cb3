"""Chinese for the statistician: every finding code has a Chinese name (数据质量 and the
terminal show it, the code stays in its own column for scripts), indicators are defined as
Chinese formulas with Chinese types, the extract folder's CSV files are named in Chinese,
and no option of any command shows TEXT, PATH or INTEGER in --help."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import click
import pytest
import python_calamine as pc
from click.testing import CliRunner

from tongji.cli import main
from tongji.config.definitions import Indicator
from tongji.extraction.export import csv_names
from tongji.findings import FAMILIES, KINDS, code_title, kind_of, rule_titles
from tongji.project import load_project
from tongji.reporting import publish
from tongji.reporting.render.explain import DISPLAY_TITLES, definition, formula_text

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "tongji"
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _codes_in_source() -> set[str]:
    """Every code a finding is made with in the source: `issue("code", …)` and
    `out.issue("code", …)` (over lines), `ReadError("code", …)` and `code="…"` of the
    errors that become findings."""
    codes = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        codes |= set(re.findall(r'\b(?:issue|\w*Error)\(\s*"([a-z_]+)"', text))
        codes |= set(re.findall(r'\bcode="([a-z_]+)"', text))
    return codes


def test_every_finding_code_has_a_chinese_name():
    used = _codes_in_source()
    assert len(used) > 50  # the grep finds them
    errors_only = {  # LocateError codes name why a field was not found; they are not findings
        "column_not_found",
        "column_ambiguous",
        "row_not_found",
        "row_ambiguous",
    }
    unnamed = sorted(c for c in used - errors_only if c not in KINDS)
    assert unnamed == []
    for kind in KINDS.values():
        assert _CHINESE.search(kind.title) and _CHINESE.search(kind.description), kind
        assert code_title(kind.code) == kind.title
    for family in FAMILIES.values():  # check:<rule id>, yoy:<rule id>
        assert _CHINESE.search(family.title) and code_title(f"{family.code}:x") == family.title


def test_a_check_is_named_by_its_own_title_in_checks_toml():
    project = load_project(ROOT / "mappings", report=ROOT / "reports" / "annual_report.toml")
    titles = rule_titles(project.definitions)
    assert code_title("check:education_sum", titles) == (
        "核对不成立：各学历专任教师之和等于专任教师数"
    )
    assert code_title("check:education_sum") == "核对不成立"  # the rules unknown: the family
    assert code_title("yoy:students", titles).startswith("与上年相比变化异常：")
    assert all(_CHINESE.search(code_title(c, titles)) for c in titles)
    assert code_title("not_a_code") == "not_a_code"
    with pytest.raises(KeyError):
        kind_of("not_a_code")


@pytest.fixture(scope="module")
def workbook(sample_extract_dirs, tmp_path_factory):
    out = tmp_path_factory.mktemp("names") / "summary.xlsx"
    project = load_project(ROOT / "mappings", report=ROOT / "reports" / "annual_report.toml")
    publish(project, [sample_extract_dirs[2019], sample_extract_dirs[2020]], 2020, out)
    return pc.CalamineWorkbook.from_path(out)


def test_data_quality_shows_chinese_names_and_keeps_the_code_in_its_own_column(workbook):
    rows = workbook.get_sheet_by_name("数据质量").to_python()
    head = rows[0]
    assert head[7] == "问题" and head[-1] == "代码"
    named = {(r[head.index("代码")], r[head.index("问题")]) for r in rows[1:]}
    assert ("bad_value", "无法识别的数值") in named
    assert ("total_mismatch", "合计与各行之和不符") in named
    for code, name in named:
        assert _CHINESE.search(name) and name == code_title(code), (code, name)


def test_indicator_definitions_are_chinese_formulas_with_chinese_types(workbook):
    rows = workbook.get_sheet_by_name("指标定义").to_python()
    head = rows[0]
    assert head == ["指标", "单位", "类型", "定义", "说明", "代码"]
    end = next(i for i, r in enumerate(rows) if not any(r))  # the scopes follow a blank row
    indicators = rows[1:end]
    assert len(indicators) > 30
    for name, _unit, kind, text, _note, code in indicators:
        assert "（" + code + "）" not in name and _CHINESE.search(name), name
        assert kind in DISPLAY_TITLES.values(), kind
        assert _CHINESE.search(text) and not re.search(r"[a-z_]{3,}", text), text
    by_code = {r[5]: r for r in indicators}
    assert by_code["voc_enrolment"][3] == "求和（分专业学生·招生数）"
    assert by_code["voc_enrolment"][2] == "整数"
    data = workbook.get_sheet_by_name("数据").to_python()
    col = {h: i for i, h in enumerate(data[0])}
    shown = {r[col["指标"]] for r in data[1:]}
    assert "中职招生数" in shown and not any("（voc_" in s for s in shown)
    assert {r[col["指标代码"]] for r in data[1:]} >= {"voc_enrolment"}


def test_a_formula_reads_in_indicator_titles_and_chinese_operators():
    defs = SimpleNamespace(
        indicators={
            "a": SimpleNamespace(title="专任教师数"),
            "b": SimpleNamespace(title="教职工数"),
            "c": SimpleNamespace(title="在校生数"),
        }
    )
    assert formula_text("a / b", defs) == "专任教师数 ÷ 教职工数"
    assert formula_text("(a + b) / c", defs) == "（专任教师数 + 教职工数） ÷ 在校生数"
    assert formula_text("c / total(c)", defs) == "在校生数 ÷ 全部在校生数"
    assert formula_text("a * 10000 / c", defs) == "专任教师数 × 10000 ÷ 在校生数"
    weighted = Indicator(
        id="x", title="月收入", dataset="d", field="f", agg="weighted_mean", weight="w"
    )
    pack = SimpleNamespace(
        datasets={
            "d": SimpleNamespace(
                title="毕业生就业",
                fields={"f": SimpleNamespace(title="月收入"), "w": SimpleNamespace(title="人数")},
            )
        },
        dimensions={},
    )
    assert definition(weighted, None, pack) == "加权平均（毕业生就业·月收入，以人数为权）"


def test_extract_csv_files_are_named_in_chinese_and_safe_on_windows(sample_extract_dirs):
    folder = sample_extract_dirs[2020]
    csvs = sorted(p.name for p in folder.glob("*.csv") if p.name != "issues.csv")
    assert "分专业学生.csv" in csvs and "校内实习实训基地.csv" in csvs
    assert all(_CHINESE.search(n) for n in csvs), csvs
    pack = SimpleNamespace(
        datasets={
            "a": SimpleNamespace(title="学生/教师:比*"),
            "b": SimpleNamespace(title="同名"),
            "c": SimpleNamespace(title="同名"),
            "d": SimpleNamespace(title="CON"),
            "e": SimpleNamespace(title="Issues"),
            "f": SimpleNamespace(title="结尾有点. "),
        }
    )
    names = csv_names(pack, taken=("issues.csv",))
    assert names == {
        "a": "学生_教师_比_.csv",
        "b": "同名.csv",
        "c": "同名（c）.csv",
        "d": "d.csv",
        "e": "Issues（e）.csv",
        "f": "结尾有点.csv",
    }


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, cmd in group.commands.items():
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*prefix, name))


def test_no_option_shows_an_english_metavar_in_help():
    runner = CliRunner()
    english = re.compile(r"\b(TEXT|PATH|INTEGER|FLOAT|FILENAME|DIRECTORY|BOOLEAN|CHOICE)\b")
    seen = 0
    for path, _cmd in _commands(main):
        res = runner.invoke(main, [*path, "--help"])
        assert res.exit_code == 0, (path, res.output)
        assert not english.search(res.output), (path, english.findall(res.output))
        seen += 1
    assert seen >= 8
    assert "--region 地区" in runner.invoke(main, ["aggregate", "--help"]).output
