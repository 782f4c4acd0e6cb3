"""Build the returns of 示例市, an invented second city, for 2019 and 2020, deterministically.

    python samples/example_city.py          # rebuild samples/示例市/ (roster, returns, truth.csv)

示例市 sends layouts that the Chifeng samples do not have, the kinds a statistician in
another city meets: county bureaus' summary workbooks (one row per school, a school's name
merged over its rows, 全县合计 rows), tables with two years side by side, units in their
own column (元, 千元, 万元 mixed), and CSV returns (UTF-8 and GBK, one code that lost its
leading zero). Its own mappings (samples/示例市/mappings/) were written by following
docs/编写映射.md; truth.csv says every figure and the cell it is in.
"""

from __future__ import annotations

import csv
import random
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sheetspec import SheetSpec, write_xlsx  # noqa: E402

from tongji.extraction.read import cell_address  # noqa: E402

HERE = Path(__file__).resolve().parent / "示例市"
YEARS = (2019, 2020)

# school id, roster name, name on its returns, county, type, sponsor
SCHOOLS = [
    ("1599000001", "示例市第一职业中等专业学校", "示例市第一职业中专", "东城区", "普通中专", "公办"),
    ("1599000002", "示例市卫生学校", "示例市卫生学校", "东城区", "普通中专", "公办"),
    ("1599000003", "东城区职业教育中心", "东城区职教中心", "东城区", "职业高中", "公办"),
    ("1599000004", "西山县职业教育中心", "西山县职教中心", "西山县", "职业高中", "公办"),
    ("1599000005", "西山县民族职业学校", "西山县民族职业学校", "西山县", "职业高中", "公办"),
    ("1599000006", "南湖县职业教育中心", "南湖县职教中心", "南湖县", "职业高中", "公办"),
    ("1599000007", "南湖县育英职业学校", "南湖县育英职业学校", "南湖县", "职业高中", "民办"),
    ("1599000008", "示例市华科职业学校", "示例市华科职业学校", "东城区", "职业高中", "民办"),
]
# How each school sends its 办学条件: two years side by side (text or numeric year
# headers), or an asset list with a 单位 column (the unit its equipment value is in).
CONDITIONS = {
    "1599000001": ("two_years", "text"), "1599000002": ("two_years", "numbers"), "1599000003": ("two_years", "text"),
    "1599000004": ("units", "元"), "1599000005": ("units", "万元"), "1599000006": ("units", "千元"),
    "1599000007": ("units", "元"), "1599000008": ("units", "万元"),
}  # fmt: skip
COUNTY_BUREAUS = {"西山县": "全县合计", "南湖县": "总计（人）"}  # county → its totals row label
MAJORS = [
    ("010100", "设施农业生产技术"), ("010400", "畜牧兽医"), ("051300", "机电技术应用"), ("082500", "汽车运用与维修"),
    ("090100", "计算机应用"), ("100100", "护理"), ("120100", "会计"), ("160100", "学前教育"),
]  # fmt: skip
KINDS = [("专任教师", "校内专任教师"), ("兼课人员", "校内兼课人员"), ("兼职教师", "校外兼职教师")]  # on the form → dimension
# The deliberate defect: this school's CSV export dropped the leading zero of one code.
LOST_ZERO = ("1599000004", 2020, "010400")


def _rng(*parts: object) -> random.Random:
    return random.Random("示例市:" + ":".join(map(str, parts)))


class Truth:
    def __init__(self, base: Path) -> None:
        self.base = base  # the city's folder: files are named relative to it
        self.rows: list[dict[str, object]] = []

    def add(self, year: int, sid: str, dataset: str, keys: str, field: str, value: object, file: Path, sheet: str, cell: str) -> None:
        self.rows.append(
            {"year": year, "school_id": sid, "dataset": dataset, "keys": keys, "field": field, "value": value,
             "file": file.relative_to(self.base).as_posix(), "sheet": sheet, "cell": cell}  # fmt: skip
        )

    def write(self, path: Path) -> None:
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(self.rows[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(sorted(self.rows, key=lambda r: (r["year"], r["school_id"], r["dataset"], r["keys"], r["field"])))


# ---------------------------------------------------------------- the figures


def _drift(base: float, *parts: object) -> float:
    """A school's figure of a year: its own level, moved a little from year to year."""
    return base * _rng("drift", *parts).uniform(0.95, 1.1)


def staff(sid: str, year: int) -> tuple[int, int]:
    total = round(_drift(_rng("staff", sid).randint(60, 220), "staff", sid, year))
    return total, total - _rng("fulltime", sid, year).randint(10, 20)


def kinds(sid: str, year: int) -> list[tuple[int, int, int]]:
    """(total, male, female) per kind, the 专任 total equal to the staff table's."""
    r = _rng("kinds", sid, year)
    fulltime = staff(sid, year)[1]
    out = []
    for i, _ in enumerate(KINDS):
        total = fulltime if i == 0 else r.randint(2, 30)
        male = r.randint(0, total)
        out.append((total, male, total - male))
    return out


def conditions(sid: str, year: int) -> tuple[float, float, float]:
    """占地面积 and 校舍建筑面积 (平方米), 教学仪器设备资产值 (万元, 2 decimals)."""
    r = _rng("conditions", sid)
    land = float(r.randint(40, 160) * 500)  # the same ground both years
    building = round(land * r.uniform(0.3, 0.6) * (1.0 if year == 2019 else 1.05))
    return land, building, round(_drift(r.uniform(300, 2500), "equipment", sid, year), 2)


def majors(sid: str, year: int) -> list[tuple[str, str, int, int, int]]:
    """(code, name, 招生数, 在校生数, 毕业生数) for 3–4 of the majors."""
    r = _rng("majors", sid)
    chosen = sorted(r.sample(range(len(MAJORS)), 3 + int(sid[-1]) % 2))
    out = []
    for i in chosen:
        enrolment = round(_drift(_rng("enrolment", sid, i).randint(30, 160), "enrolment", sid, i, year))
        students = enrolment * 3 - _rng("students", sid, i, year).randint(0, 20)
        out.append((*MAJORS[i], enrolment, students, round(students * 0.3)))
    return out


# ---------------------------------------------------------------- the returns


def county_workbook(county: str, year: int, truth: Truth) -> None:
    """A county bureau's summary: 教职工汇总 (one row per school, a totals row) and 分类别教师
    (each school's name merged over its rows of teacher kinds)."""
    schools = [s for s in SCHOOLS if s[3] == county]
    path = truth.base / str(year) / f"{county}教育局" / f"{county}{year}年中等职业学校汇总.xlsx"
    summary = SheetSpec("教职工汇总")
    summary.put(0, 0, f"{county}{year}年中等职业学校教职工情况汇总")
    summary.row(1, ["学校名称", "教职工数", "专任教师数"])
    totals = [0, 0]
    for i, (sid, _, shown, *_rest) in enumerate(schools):
        r = 2 + i
        total, fulltime = staff(sid, year)
        summary.row(r, [shown, total, fulltime])
        truth.add(year, sid, "staff", "", "staff_total", total, path, summary.name, cell_address(r, 1))
        truth.add(year, sid, "staff", "", "fulltime", fulltime, path, summary.name, cell_address(r, 2))
        totals = [totals[0] + total, totals[1] + fulltime]
    summary.row(2 + len(schools), [COUNTY_BUREAUS[county], *totals])
    teachers = SheetSpec("分类别教师")
    teachers.put(0, 0, f"{county}{year}年中等职业学校分类别教师")
    teachers.row(1, ["学校名称", "类别", "人数", "男", "女"])
    r = 2
    for sid, _, shown, *_rest in schools:
        teachers.merge(r, 0, r + len(KINDS) - 1, 0, shown)
        for (label, kind), (total, male, female) in zip(KINDS, kinds(sid, year), strict=True):
            teachers.row(r, [label, total, male, female], start_col=1)
            for c, (field, value) in enumerate((("total", total), ("male", male), ("female", female)), 2):
                truth.add(year, sid, "teachers_by_kind", f"teacher_kind={kind}", field, value, path, teachers.name, cell_address(r, c))
            r += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    write_xlsx(path, [summary, teachers])


def two_years_workbook(sid: str, shown: str, year: int, headers: str, truth: Truth) -> None:
    """办学条件 with last year and this year side by side; units in the title."""
    path = truth.base / str(year) / shown / f"{shown}办学条件（两年对比）.xlsx"
    s = SheetSpec("办学条件")
    s.put(0, 0, f"{shown}办学条件（单位：平方米、万元）")
    years = (year - 1, year)
    s.row(1, ["项目", *(y if headers == "numbers" else f"{y}年" for y in years)])
    rows = ("占地面积", "校舍建筑面积", "教学仪器设备资产值")
    for i, label in enumerate(rows):
        s.put(2 + i, 0, label)
        for j, y in enumerate(years):
            s.put(2 + i, 1 + j, conditions(sid, y)[i])
    for i, field in enumerate(("land_area", "building_area", "equipment_value")):
        truth.add(year, sid, "conditions", "", field, conditions(sid, year)[i], path, s.name, cell_address(2 + i, 2))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_xlsx(path, [s])


def asset_workbook(sid: str, shown: str, year: int, money_unit: str, truth: Truth) -> None:
    """资产情况: one item per row, each with its unit in a 单位 column."""
    path = truth.base / str(year) / shown / f"{shown}{year}年资产情况.xlsx"
    land, building, equipment = conditions(sid, year)
    factor = {"元": 10000, "千元": 10, "万元": 1}[money_unit]
    s = SheetSpec("资产情况")
    s.put(0, 0, f"{shown}{year}年资产情况")
    s.row(1, ["项目", "单位", "数值"])
    s.row(2, ["占地面积", "平方米", land])
    s.row(3, ["校舍建筑面积", "平方米", building])
    s.row(4, ["教学仪器设备", money_unit, round(equipment * factor, 2)])
    s.row(5, ["图书", "册", _rng("books", sid, year).randint(10000, 90000)])
    for r, field, value in ((2, "land_area", land), (3, "building_area", building), (4, "equipment_value", equipment)):
        truth.add(year, sid, "conditions", "", field, value, path, s.name, cell_address(r, 2))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_xlsx(path, [s])


def majors_csv(sid: str, shown: str, year: int, truth: Truth) -> None:
    """分专业学生 as CSV: even schools in UTF-8 with BOM, odd ones in GBK (Chinese Excel's default)."""
    path = truth.base / str(year) / shown / f"{shown}{year}年分专业学生.csv"
    rows = [["专业代码", "专业名称", "招生数", "在校生数", "毕业生数"]]
    for code, name, enrolment, students, graduates in majors(sid, year):
        written = code.lstrip("0") if (sid, year, code) == LOST_ZERO else code
        r = len(rows)
        rows.append([written, name, str(enrolment), str(students), str(graduates)])
        category = _category(code)
        keys = f"major_category={category};major={name}"
        truth.add(year, sid, "students_by_major", keys, "major_code", code, path, path.stem[:31], cell_address(r, 0))
        for c, (field, value) in enumerate((("enrolment", enrolment), ("students", students), ("graduates", graduates)), 2):
            truth.add(year, sid, "students_by_major", keys, field, value, path, path.stem[:31], cell_address(r, c))
    text = "\r\n".join(",".join(row) for row in rows) + "\r\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8-sig") if int(sid[-1]) % 2 == 0 else text.encode("gbk"))


_CATEGORIES = {"01": "农林牧渔类", "05": "加工制造类", "08": "交通运输类", "09": "信息技术类", "10": "医药卫生类", "12": "财经商贸类", "16": "教育类"}


def _category(code: str) -> str:
    return _CATEGORIES[code[:2]]


def write_roster(path: Path) -> None:
    s = SheetSpec("名录")
    s.row(0, ["学校代码", "学校名称", "别名", "旗县区", "办学类型", "举办者", "级别", "是否技工学校"])
    for i, (sid, name, shown, county, kind, sponsor) in enumerate(SCHOOLS, 1):
        s.row(i, [sid, name, shown if shown != name else "", county, kind, sponsor, "", "否"])
    write_xlsx(path, [s])


def build(out: Path = HERE) -> None:
    """Write the returns, roster and truth.csv into `out` (the mappings, job and README
    there are written by hand and kept)."""
    for year in YEARS:
        shutil.rmtree(out / str(year), ignore_errors=True)
    truth = Truth(out)
    for year in YEARS:
        for county in COUNTY_BUREAUS:
            county_workbook(county, year, truth)
        for sid, _, shown, *_ in SCHOOLS:
            how, detail = CONDITIONS[sid]
            if how == "two_years":
                two_years_workbook(sid, shown, year, detail, truth)
            else:
                asset_workbook(sid, shown, year, detail, truth)
            majors_csv(sid, shown, year, truth)
        (out / str(year) / "说明.txt").write_text("各校报表按学校分文件夹存放；县教育局的汇总表在“××县教育局”文件夹中。\n", encoding="utf-8")
    write_roster(out / "roster.xlsx")
    truth.write(out / "truth.csv")


if __name__ == "__main__":
    build()
