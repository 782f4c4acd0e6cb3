"""Workbook fixtures for the tests, built on samples/sheetspec.py."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "samples"))

from sheetspec import SheetSpec, write_ods, write_xls, write_xlsx  # noqa: E402,F401


def national_teacher_form(
    school: str = "赤峰农牧学校", total: Any = 100, male: Any = 40, female: Any = 60
) -> SheetSpec:
    """A 中职基421 sheet as the national statistics client exports it (DOMAIN.md):
    grid labels in row 1 and column A, a title, the code + `单位：人` cell, a 3-row merged
    header with `_x000D_` and a line break, an empty spacer row, the `甲 乙 1 2 …` row,
    行次, `*` cells and a note under the table."""
    s = SheetSpec("中职基421_职业高中学校")
    s.row(0, [None, "A", "B", "C", "D", "E", "F", "G", "H", "I"])
    for r in range(1, 15):
        s.put(r, 0, r)
    s.merge(1, 1, 1, 8, "中等职业学校专任教师情况")
    s.put(2, 1, "中职基421" + " " * 40 + "单位：人")
    s.put(3, 1, f"学校名称：{school}")
    # header block rows 4-6 (0-based), columns B..I
    s.merge(4, 1, 6, 1, "项    目")
    s.merge(4, 2, 6, 2, "编号")
    s.merge(4, 3, 6, 3, "合计")
    s.merge(4, 4, 4, 5, "按性别分")
    s.merge(5, 4, 6, 4, "男")
    s.merge(5, 5, 6, 5, "女")
    s.merge(4, 6, 4, 8, "按学历分")
    s.merge(5, 6, 6, 6, "研究生_x000D_毕业")
    s.merge(5, 7, 5, 8, "本科及\n以下")
    s.put(6, 7, "本科毕业")
    s.put(6, 8, "专科及以下")
    # row 7: empty spacer; row 8: column codes
    s.row(8, ["甲", "乙", 1, 2, 3, 4, 5, 6], start_col=1)
    s.row(9, ["总  计", "01", total, male, female, 10, 80, 10], start_col=1)
    s.row(10, ["其中：双师型", "02", 30, "*", "*", 5, 20, 5], start_col=1)
    s.row(11, ["少数民族", "03", "12", "５", "7", 1, "1,0", 1], start_col=1)
    s.put(13, 1, "注：本表由统计客户端导出。")
    return s


def key_value_form(school: str = "赤峰农牧学校", code: Any = "1504000001") -> SheetSpec:
    """A 中职基111-style key–value sheet: labels with values beside them, a label merged
    over three columns, line codes down the right margin."""
    s = SheetSpec("中职基111")
    s.merge(0, 0, 0, 5, "学校基本情况")
    s.put(1, 0, "学 校 名 称")
    s.merge(1, 1, 1, 3, school)
    s.put(1, 5, 10)
    s.put(2, 0, "学校标识码")
    s.merge(2, 1, 2, 3, code)
    s.put(2, 5, 20)
    s.merge(3, 0, 3, 2, "占地面积（万平方米）")  # the label over three columns, its value after
    s.put(3, 3, "12.5")
    s.put(3, 5, 30)
    s.put(4, 0, "教学仪器设备资产值：")
    s.put(4, 1, "3,250,000")
    s.put(4, 2, "元")
    s.put(4, 5, 40)
    return s


def retyped_major_table(
    rows: list[list[Any]] | None = None, total: list[Any] | None = None, name: str = "分专业学生"
) -> SheetSpec:
    """A per-专业 table a school typed itself: renamed and reordered columns, an extra
    column, numbers as text, full-width digits, a blank row, a totals row and notes."""
    s = SheetSpec(name)
    s.put(0, 0, "2020年赤峰农牧学校分专业学生情况")
    s.row(2, ["序号", "专业名称", "专业大类", "在校生数（人）", "招生人数", "备注", "毕业生数"])
    rows = rows or [
        [1, "计算机应用", "信息技术类", "１２０", 40, "", 35],
        [2, "电子商务", "信息技术", 80, "30", "新办", "—"],
        None,
        [3, "机电技术应用", "加工制造类", "1,050", 300, "", 280],
    ]
    r = 3
    for values in rows:
        if values is not None:
            s.row(r, values)
        r += 1
    total = total if total is not None else ["合计", None, None, 1250, 370, None, 315]
    s.row(r, total)
    s.put(r + 2, 0, "填表人：张三")
    return s


ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


def sample_job(
    base: Path, schools: tuple[str, ...] | None = None, inputs_2020: str = "2020"
) -> Path:
    """A job over sample returns copied into `base` (both years; every school, or `schools`),
    with the shipped mapping pack and report, output in `base/../out`. Returns the job file."""
    import shutil

    for year in ("2019", "2020"):
        if schools is None:
            shutil.copytree(SAMPLES / year, base / year)
        for school in schools or ():
            shutil.copytree(SAMPLES / year / school, base / year / school)
    shutil.copy(SAMPLES / "roster.xlsx", base / "roster.xlsx")
    path = base / "job.toml"
    path.write_text(
        f'name = "测试任务"\nyear = 2020\nroster = "roster.xlsx"\nmappings = "{(ROOT / "mappings").as_posix()}"\n'
        f'report = "{(ROOT / "reports" / "annual_report.toml").as_posix()}"\noutput = "../out"\njobs = 1\n'
        f'[inputs]\n2019 = ["2019"]\n2020 = ["{inputs_2020}"]\n',
        encoding="utf-8",
    )
    return path


# What click (or Python) prints in English when a message escaped the Chinese catalogue.
ENGLISH = re.compile(
    r"Error|Usage|No such|Missing|Try '|Aborted|Traceback|Did you mean|\[required\]|\[default"
    r"|Options:|Commands:|Show this|Invalid value|does not exist",
    re.MULTILINE,
)
