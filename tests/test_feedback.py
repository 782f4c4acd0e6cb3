"""Letters back to the schools (`tongji run`, `tongji feedback`): on the bundled samples,
which schools get one, what a problem row says, the figures beside last year's."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner

import tongji.reporting.feedback as feedback
from tongji.cli import main
from tongji.findings import issue
from tongji.project import load_project
from tongji.reporting.feedback import FEEDBACK_DIR, letter_name, school_fixable
from tongji.run import run_job
from tongji.run.commit import current_run

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
YEAR = 2020
# The deliberate problems of samples/tongji.toml, each a school's to fix.
WITH_LETTERS = {"宁城职教中心", "赤峰新华职业技术学校", "敖汉职教中心"}
CORRECTED = "赤峰建筑工程学校"  # its malformed number was corrected by the bureau: nothing to fix


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory) -> tuple[Path, object]:
    """samples/tongji.toml (its returns, roster and corrections) run once, output beside it."""
    root = tmp_path_factory.mktemp("feedback")
    base = root / "samples"
    for year in ("2019", "2020"):
        shutil.copytree(SAMPLES / year, base / year)
    for name in ("roster.xlsx", "更正.csv"):
        shutil.copy(SAMPLES / name, base / name)
    text = (SAMPLES / "tongji.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^mappings = .*$", f'mappings = "{(ROOT / "mappings").as_posix()}"', text)
    text = re.sub(
        r"(?m)^report = .*$",
        f'report = "{(ROOT / "reports" / "annual_report.toml").as_posix()}"',
        text,
    )
    text = re.sub(r"(?m)^jobs = .*$", "jobs = 1", text)
    job = base / "tongji.toml"
    job.write_text(text, encoding="utf-8")
    return job, run_job(job)


def _letters(folder: Path) -> dict[str, Path]:
    suffix = f"{YEAR}年报表问题反馈.xlsx"
    return {p.name.removesuffix(suffix): p for p in sorted(folder.glob(f"*{suffix}"))}


def _run_folder(job: Path) -> Path:
    folder = current_run(job.parent.parent / "out")
    assert folder is not None
    return folder


def _rows(path: Path, sheet: str) -> list[tuple]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return [tuple(r) for r in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()


def test_the_run_writes_a_letter_to_each_school_with_something_to_fix(sample_run):
    job, result = sample_run
    folder = _run_folder(job) / FEEDBACK_DIR
    assert set(_letters(folder)) == WITH_LETTERS
    assert result.manifest["feedback"]["folder"].endswith(f"/{FEEDBACK_DIR}")
    assert len(result.manifest["feedback"]["schools"]) == 3
    line = next(x for x in result.summary.splitlines() if "反馈给学校" in x)
    assert "3 所学校" in line and str(folder) in line
    # the letters are among the run's files, committed with it (hashed in its manifest)
    assert any(k.startswith(f"{FEEDBACK_DIR}/") for k in result.manifest["files"])


def test_a_school_with_nothing_to_fix_gets_none(sample_run):
    job, _ = sample_run
    schools = set(_letters(_run_folder(job) / FEEDBACK_DIR))
    assert CORRECTED not in schools  # its error was corrected: an info finding now
    assert len(schools) == 3  # of 26 schools in the roster
    names = {"s1": "甲校"}
    assert school_fixable(issue("total_mismatch", "x", school_id="s1"), names)
    assert school_fixable(issue("missing_return", "x", school_id="s1", year=2019), names)
    assert not school_fixable(issue("corrected", "x", school_id="s1"), names)  # info
    assert not school_fixable(issue("total_mismatch", "x"), names)  # no school
    assert not school_fixable(issue("missing_dataset", "x", school_id="s1"), names)
    assert not school_fixable(issue("correction_unmatched", "x", school_id="s1"), names)
    assert not school_fixable(issue("sheet_ambiguous", "x", school_id="s1"), names)  # mappings
    assert not school_fixable(issue("total_mismatch", "x", school_id="s9"), names)  # not in roster


def test_each_problem_row_names_its_file_sheet_and_cell(sample_run):
    job, _ = sample_run
    letters = _letters(_run_folder(job) / FEEDBACK_DIR)
    rows = _rows(letters["宁城职教中心"], "需要核实的问题")
    head = rows[1]
    assert head[:6] == ("序号", "级别", "年度", "文件", "工作表", "单元格")
    assert head[6] == "发现的情况" and "请怎样处理" in head[7]
    (problem,) = [r for r in rows[2:] if r[0] is not None]
    assert problem[1:6] == ("警告", "2020", "宁城职教中心2020年分专业学生.xlsx", "分专业学生", "D9")
    assert "848" in problem[6] and "838" in problem[6] and "合计" in problem[7]
    (hidden,) = [r for r in _rows(letters["敖汉职教中心"], "需要核实的问题")[2:] if r[0]]
    assert hidden[3] == "敖汉职教中心2020年教育统计报表.xlsx"
    assert hidden[4] == "中职基411(2019年旧表)" and hidden[5] == "—"  # a whole sheet
    assert "隐藏" in hidden[7]
    (missing,) = [r for r in _rows(letters["赤峰新华职业技术学校"], "需要核实的问题")[2:] if r[0]]
    assert missing[2] == "2019" and missing[3] == "（没有收到报表）"
    assert "补报 2019 年的“毕业生就业”" in missing[7]
    cover = "\n".join(str(r[0]) for r in _rows(letters["宁城职教中心"], "说明") if r[0])
    assert "学校名称：宁城职教中心" in cover and "年度：2020 年" in cover
    assert "生成日期：" in cover and "联系：赤峰市教育局" in cover


def test_this_years_figures_stand_beside_last_years(sample_run):
    job, _ = sample_run
    run = _run_folder(job)
    rows = _rows(_letters(run / FEEDBACK_DIR)["宁城职教中心"], "本校主要数字")
    assert rows[1][:7] == ("报表", "项目", "指标", "单位", "2020年", "2019年", "变化")
    figures = [r for r in rows[2:] if r[0]]
    row = next(r for r in figures if r[1] == "加工制造类 / 数控技术应用" and r[2] == "在校生数")
    assert row[3:7] == ("人", 208, 193, 15)
    assert row[7] == "宁城职教中心2020年分专业学生.xlsx!分专业学生!D4"
    both = [r for r in figures if isinstance(r[4], int | float) and isinstance(r[5], int | float)]
    assert len(both) > 20 and all(r[6] == pytest.approx(r[4] - r[5]) for r in both)
    # only the figures the school returned: as many as its numbers in this year's lineage
    lineage = pl.read_parquet(run / "extract" / "2020" / "lineage.parquet")
    returned = lineage.filter((pl.col("school_id") == "1504000008") & pl.col("value").is_not_null())
    assert sum(isinstance(r[4], int | float) for r in figures) == returned.height
    # a return not sent last year: this year's figures beside a dash
    xinhua = _rows(_letters(run / FEEDBACK_DIR)["赤峰新华职业技术学校"], "本校主要数字")
    employment = [r for r in xinhua[2:] if r[0] == "毕业生就业"]
    assert employment and all(r[5] == "—" and r[4] is not None for r in employment)


def test_the_same_problems_stay_in_the_quality_sheet(sample_run):
    job, _ = sample_run
    summary = job.parent.parent / "out" / "赤峰市2020年质量年报数据.xlsx"
    rows = _rows(summary, "数据质量")
    code = rows[0].index("代码")
    codes = {r[code] for r in rows[1:]}
    assert {"total_mismatch", "missing_return", "hidden_sheet_skipped"} <= codes


def test_tongji_feedback_writes_them_again_from_the_last_run(sample_run, tmp_path):
    job, _ = sample_run
    target = tmp_path / "发给学校"
    target.mkdir()
    (target / f"某校{YEAR}年报表问题反馈.xlsx").write_bytes(b"stale")  # a school since put right
    (target / "说明.txt").write_text("not ours", encoding="utf-8")
    out = CliRunner().invoke(
        main, ["feedback", str(job), "-o", str(target), "--contact", "统计科 张老师 0476-1234567"]
    )
    assert out.exit_code == 0, out.output
    assert "给 3 所学校写了问题反馈" in out.output
    assert set(_letters(target)) == WITH_LETTERS
    assert (target / "说明.txt").is_file() and not list(target.glob(".*.tmp"))
    cover = [r[0] for r in _rows(_letters(target)["宁城职教中心"], "说明")]
    assert "联系：统计科 张老师 0476-1234567" in cover


def test_tongji_feedback_without_a_run_says_to_run_first(sample_run, tmp_path):
    job, _ = sample_run
    other = tmp_path / "job.toml"
    text = job.read_text(encoding="utf-8").replace('output = "../out"', 'output = "无输出"')
    other.write_text(
        text.replace('"2019"]', f'"{(job.parent / "2019").as_posix()}"]').replace(
            '"2020"]', f'"{(job.parent / "2020").as_posix()}"]'
        ),
        encoding="utf-8",
    )
    for name in ("roster.xlsx", "更正.csv"):
        shutil.copy(job.parent / name, tmp_path / name)
    out = CliRunner().invoke(main, ["feedback", str(other)])
    assert out.exit_code == 2
    assert "没有 2020 年的运行结果" in out.output and "tongji run" in out.output


def test_a_letter_half_written_never_remains(sample_run, tmp_path, monkeypatch):
    job, _ = sample_run
    written = []

    def failing(path, letter):
        Path(path).write_bytes(b"PK half")
        written.append(letter.name)
        if len(written) == 2:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(feedback, "write_letter", failing)
    target = tmp_path / "反馈"
    with pytest.raises(OSError):
        feedback.write_feedback(
            _run_folder(job), target, load_project(ROOT / "mappings").pack, YEAR
        )
    assert [p.name for p in target.iterdir()] == [letter_name(written[0], YEAR)]


def test_letter_names_are_safe_on_windows():
    assert letter_name('新华/职校:*?"<>|\\', 2020) == "新华职校2020年报表问题反馈.xlsx"
    assert letter_name("  ..", 2020) == "学校2020年报表问题反馈.xlsx"


def test_a_run_with_nothing_changed_keeps_its_letters(sample_run):
    job, first = sample_run
    again = run_job(job)
    assert "沿用上次的输出" in again.summary
    assert again.manifest["feedback"] == first.manifest["feedback"]
    line = next(x for x in again.summary.splitlines() if "反馈给学校" in x)
    assert "3 所学校" in line and set(_letters(_run_folder(job) / FEEDBACK_DIR)) == WITH_LETTERS


def test_a_years_letters_never_remove_another_years(tmp_path):
    from tongji.reporting.feedback import write_letters

    old = tmp_path / "甲校2020年报表问题反馈.xlsx"
    stale = tmp_path / "乙校2021年报表问题反馈.xlsx"
    old.write_bytes(b"x")
    stale.write_bytes(b"x")
    assert write_letters(tmp_path, [], 2021) == []
    assert old.exists() and not stale.exists()  # 2021's school with nothing to fix now: gone
