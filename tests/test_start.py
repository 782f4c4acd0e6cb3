"""A new city from nothing: `tongji init` makes the job folder, `tongji template` the blank
returns, a script fills them as schools would, a corrections file fixes what a phone call
settled, and `tongji run` gives every figure back exactly, the corrections said."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner

from tongji.cli import main
from tongji.cli.start import this_report_year
from tongji.run.commit import current_run

SCHOOLS = [
    ("1509000001", "测试市第一职业中专", "甲区", "职业高中", "公办"),
    ("1509000002", "测试市卫生学校", "乙县", "普通中专", "公办"),
]


def _fill(
    path: Path, school: str, numbers: dict[str, object], rows: list[list[object]] | None = None
) -> None:
    """What a school does with a blank return: its name, then the white cells."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    ws["B3"] = school
    header = [c.value for c in ws[5]]
    if header[:2] == ["项目", "数值"]:
        for r in range(6, ws.max_row + 1):
            label = ws.cell(r, 1).value
            if label in numbers:
                ws.cell(r, 2).value = numbers[label]
    elif rows is not None:  # records the school adds (its 专业)
        for i, row in enumerate(rows):
            for c, v in enumerate(row, 1):
                ws.cell(6 + i, c).value = v
    else:  # one row per fixed category: every white cell of it
        for r in range(6, ws.max_row + 1):
            if ws.cell(r, 1).value and not str(ws.cell(r, 1).value).startswith("注"):
                for c in range(2, len(header) + 1):
                    ws.cell(r, c).value = numbers[header[c - 1]] + r
    wb.save(path)


def test_a_new_city_from_init_to_figures_with_corrections(tmp_path):
    runner = CliRunner()
    city = tmp_path / "测试市"
    res = runner.invoke(main, ["init", str(city), "-y", "2025", "--region", "测试市"])
    assert res.exit_code == 0, res.output
    assert {p.name for p in city.iterdir()} >= {
        "tongji.toml",
        "学校名录.xlsx",
        "2024",
        "2025",
        "映射",
        "报告",
        "更正.csv",
        "README.md",
    }
    assert runner.invoke(main, ["init", str(city)]).exit_code == 2  # never over an existing folder

    roster = openpyxl.load_workbook(city / "学校名录.xlsx")
    for row in SCHOOLS:
        roster["学校名录"].append([*row, "", "否"][:5] + ["", "", "否"])
    roster.save(city / "学校名录.xlsx")
    res = runner.invoke(
        main,
        [
            "template",
            str(city / "映射"),
            "-y",
            "2025",
            "-o",
            str(city / "填报模板"),
            "--roster",
            str(city / "学校名录.xlsx"),
        ],
    )
    assert res.exit_code == 0, res.output
    blanks = sorted((city / "填报模板").glob("*.xlsx"))
    assert len(blanks) == 8

    staff = {
        "教职工数（人）": 120,
        "专任教师（人）": 90,
        "行政人员（人）": 12,
        "教辅人员（人）": 8,
        "工勤人员（人）": 10,
        "研究生毕业（人）": 9,
        "本科毕业（人）": 70,
        "专科及以下（人）": 11,
        "双师型教师（人）": 30,
        "专业课教师（人）": 50,
    }
    conditions = {
        "占地面积（平方米）": "5,0000,0",
        "校舍建筑面积（平方米）": 32000.5,
        "教学仪器设备资产值（万元）": 1234.567,
    }
    kinds = {
        "总人数（人）": 10,
        "男（人）": 4,
        "女（人）": 6,
        "35岁及以下（人）": 1,
        "36-45岁（人）": 2,
        "46-60岁（人）": 3,
        "61岁及以上（人）": 4,
    }
    majors = [
        ["电子与信息大类", "计算机应用", "710201", 40, 120, 35, 20],
        ["医药卫生大类", "护理", "720201", 60, 180, 50, 45],
    ]
    for sid, name, *_ in SCHOOLS:
        folder = city / "2025" / name
        folder.mkdir(parents=True)
        for blank in blanks:
            shutil.copy(blank, folder / blank.name)
        _fill(folder / "2025年教职工.xlsx", name, staff)
        _fill(
            folder / "2025年办学条件.xlsx",
            name,
            conditions if sid.endswith("1") else {**conditions, "占地面积（平方米）": 48000},
        )
        _fill(folder / "2025年教师分类.xlsx", name, kinds)
        _fill(folder / "2025年分专业学生.xlsx", name, {}, majors)
        for other in ("毕业生就业", "信息化", "校外实习实训基地", "校内实习实训基地"):
            (folder / f"2025年{other}.xlsx").unlink()  # not asked for this year
    # the malformed 占地面积 of the first school, settled by phone; the second school's staff count re-reported
    (city / "更正.csv").write_text(
        "学校,年度,文件,工作表,单元格,数据集,字段,键,值,原因,更正人\n"
        "测试市第一职业中专,2025,2025年办学条件.xlsx,填报_办学条件,B6,,,,50000,电话核实：多打了逗号,王老师\n"
        "测试市卫生学校,2025,,,,staff,staff_total,,121,学校 12 月 3 日更正,李老师\n",
        encoding="utf-8-sig",
    )

    res = runner.invoke(main, ["run", str(city / "tongji.toml")])
    assert res.exit_code == 0, res.output  # what remains are warnings (no 2024 returns)
    out = current_run(city / "输出")
    lineage = pl.read_parquet(out / "extract" / "2025" / "lineage.parquet")
    got = {
        (r["school_id"], r["field"], r["keys"]): (r["value"], r["text"])
        for r in lineage.iter_rows(named=True)
    }
    first, second = SCHOOLS[0][0], SCHOOLS[1][0]
    assert got[(first, "staff_total", "")] == (120, None) and got[(second, "staff_total", "")] == (
        121,
        None,
    )
    assert got[(first, "land_area", "")] == (50000, None) and got[(second, "land_area", "")] == (
        48000,
        None,
    )
    assert got[(first, "equipment_value", "")] == (pytest.approx(1234.567), None)
    assert got[(first, "major_code", "major_category=电子与信息大类;major=计算机应用")] == (
        None,
        "710201",
    )
    assert got[(second, "students", "major_category=医药卫生大类;major=护理")] == (180, None)
    assert got[(first, "age_61_above", "teacher_kind=校外兼课教师")] == (
        4 + 9,
        None,
    )  # row 9 of the form
    for label, field in (
        ("教职工数（人）", "staff_total"),
        ("专科及以下（人）", "below_bachelor"),
        ("双师型教师（人）", "dual"),
    ):
        assert got[(first, field, "")][0] == staff[label]
    corrected = lineage.filter(pl.col("rule").str.contains("人工更正"))
    assert corrected.height == 2 and corrected.filter(pl.col("field") == "land_area")[
        "raw"
    ].to_list() == ["5,0000,0"]
    quality = openpyxl.load_workbook(
        city / "输出" / "测试市2025年质量年报数据.xlsx", read_only=True
    )["数据质量"]
    rows = [r for r in quality.iter_rows(values_only=True)]
    assert any(r[10] == "corrected" and "王老师" in r[8] for r in rows)
    assert any(
        r[10] == "bad_value" and r[0] == "提示" and "已更正" in r[8] for r in rows
    )  # kept, no longer an error


def test_a_correction_that_names_nothing_is_an_error(tmp_path):
    from tongji.extraction.corrections import apply_corrections, load_corrections
    from tongji.extraction.records import ExtractResult

    path = tmp_path / "更正.csv"
    path.write_text(
        "学校,年度,文件,工作表,单元格,值,原因\n,2025,无此文件.xlsx,表,B2,3,核实\n", encoding="utf-8"
    )
    fixes = load_corrections(path)
    result = apply_corrections(ExtractResult(2025, [], [], [], []), fixes, None, None, "更正.csv")  # type: ignore[arg-type]
    [found] = result.issues
    assert (
        found.code == "correction_unmatched"
        and found.severity == "error"
        and "第 2 行" in found.message
    )
    path.write_text(
        "学校,年度,文件,工作表,单元格,值,原因\n,二〇二五,a.xlsx,表,B2,3,\n", encoding="utf-8"
    )
    from tongji.config import ConfigError

    with pytest.raises(ConfigError) as caught:
        load_corrections(path)
    assert caught.value.problems[0].key == "第 2 行" and "年度" in caught.value.problems[0].message


def test_a_corrections_row_split_by_an_unquoted_comma_is_an_error_naming_the_row(tmp_path):
    from tongji.config import ConfigError
    from tongji.extraction.corrections import load_corrections

    path = tmp_path / "更正.csv"
    path.write_text(
        "学校,年度,文件,工作表,单元格,数据集,字段,键,值,原因,更正人\n"
        "甲校,2020,a.xlsx,表,D4,,,,67.99,电话核实：“6,7.99”多打了逗号,统计科\n"
        '乙校,2020,b.xlsx,表,D5,,,,3,"电话核实：“3,0”多打了逗号",统计科\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_corrections(path)
    [problem] = caught.value.problems
    assert (
        problem.key == "第 2 行" and "12 个字段" in problem.message and "11 列" in problem.message
    )
    assert "双引号" in problem.message  # what to do
    path.write_text(
        path.read_text(encoding="utf-8")
        .replace("电话核实：“6,7.99”", '"电话核实：“6,7.99”')
        .replace("多打了逗号,统计科\n乙", '多打了逗号",统计科\n乙'),
        encoding="utf-8",
    )
    first, second = load_corrections(path)
    assert first.reason == "电话核实：“6,7.99”多打了逗号" and first.who == "统计科"
    assert second.reason == "电话核实：“3,0”多打了逗号"


@pytest.mark.parametrize("month,year", [(12, 2026), (9, 2026), (3, 2025)])
def test_the_report_year_is_this_autumns(month, year):
    import datetime

    assert this_report_year(datetime.date(2026, month, 1)) == year


def test_the_sample_job_reproduces_table_6_with_its_correction(tmp_path):
    """samples/更正.csv settles the malformed `6,7.99` by phone: 表6 gives the report's 41925.94."""
    import python_calamine as pc

    samples = Path(__file__).resolve().parents[1] / "samples"
    job = tmp_path / "job.toml"
    text = (samples / "tongji.toml").read_text(encoding="utf-8")
    for name in (
        "roster.xlsx",
        "更正.csv",
        "2019",
        "2020",
        "../mappings",
        "../reports/annual_report.toml",
    ):
        text = text.replace(f'"{name}"', f'"{(samples / name).resolve().as_posix()}"')
    job.write_text(text.replace('"../out"', f'"{(tmp_path / "out").as_posix()}"'), encoding="utf-8")
    res = CliRunner().invoke(main, ["run", str(job), "-q"])
    assert res.exit_code == 0 and res.output.startswith(
        "赤峰市中职质量年报（2020 年）：完成，没有错误"
    )  # -q: the first line only
    rows = (
        pc.CalamineWorkbook.from_path(tmp_path / "out" / "赤峰市2020年质量年报数据.xlsx")
        .get_sheet_by_name("表6")
        .to_python()
    )
    total = next(r for r in rows if r[0] == "合计")
    assert total[6] == 41925.94
    book = pc.CalamineWorkbook.from_path(tmp_path / "out" / "赤峰市2020年质量年报数据.xlsx")
    points = [r[1] for r in book.get_sheet_by_name("要点").to_python()[1:]]
    bases = next(p for p in points if "校内实习实训基地" in p)
    assert "41925.94" in bases and not bases.startswith("【待核实】")  # corrected: not in doubt
    quality = [" ".join(map(str, r)) for r in book.get_sheet_by_name("数据质量").to_python()]
    said = next(r for r in quality if "第 2 行更正" in r)
    assert "“6,7.99”是录入时多打了逗号（市教育局统计科）" in said  # the reason, whole
    sources = book.get_sheet_by_name("来源").to_python()
    status = sources[0].index("状态")
    fixed = [r for r in sources[1:] if str(r[status]).startswith("已更正")]
    assert fixed and all(r[6] == 67.99 and "市教育局统计科" in r[status] for r in fixed)
    again = CliRunner().invoke(main, ["run", str(job)])  # nothing changed: the summary again
    assert "更正：按 更正.csv 更正了 1 个数字" in again.output, again.output


def test_two_corrections_of_one_figure_that_disagree_apply_neither(tmp_path):
    from tongji.config import load_pack
    from tongji.extraction.corrections import apply_corrections, load_corrections
    from tongji.extraction.records import ExtractResult, Value
    from tongji.extraction.roster import load_roster

    root = Path(__file__).resolve().parents[1]
    pack, roster = load_pack(root / "mappings"), load_roster(root / "samples" / "roster.xlsx")
    school = roster.schools[0]
    read = Value(
        "training_bases", school.school_id, 2020, (("base_type", "公共实习实训基地"),),
        "equipment_value", None, None, "error", "万元", "万元", 1.0, "6,7.99",
        "2020/a/实训基地.xlsx", "校内实训基地", "D4", "m", "",
    )  # fmt: skip
    path = tmp_path / "更正.csv"
    head = "学校,年度,文件,工作表,单元格,数据集,字段,键,值,原因,更正人\n"
    by_cell = ",2020,实训基地.xlsx,校内实训基地,D4,,,,{v},电话核实,甲\n"
    by_record = f"{school.name},2020,,,,training_bases,equipment_value,base_type=公共实习实训基地,{{v}},再次核实,乙\n"
    result = ExtractResult(2020, [], [read], [], [])

    path.write_text(head + by_cell.format(v=67.99) + by_record.format(v=76.99), encoding="utf-8")
    out = apply_corrections(result, load_corrections(path), roster, pack, "更正.csv")
    [conflict] = [i for i in out.issues if i.code == "correction_conflict"]
    assert conflict.severity == "error" and "第 2 行改为 67.99" in conflict.message
    assert (conflict.file, conflict.sheet, conflict.cell) == (read.file, read.sheet, read.cell)
    assert "第 3 行改为 76.99" in conflict.message
    assert out.values == [read] and not [i for i in out.issues if i.code == "corrected"]

    path.write_text(head + by_cell.format(v=67.99) + by_record.format(v="67.990"), encoding="utf-8")
    out = apply_corrections(result, load_corrections(path), roster, pack, "更正.csv")
    [fixed] = out.values
    assert fixed.value == 67.99 and [i.code for i in out.issues] == ["corrected"]  # agree: once
