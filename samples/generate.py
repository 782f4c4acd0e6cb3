"""Build the sample returns of 赤峰市 for 2019 and 2020, deterministically.

    python samples/generate.py                 # rebuild samples/ (roster, returns, truth.csv)
    python samples/generate.py --schools 500 --out /tmp/province
                                              # a synthetic province of 500 schools, same layouts

Every figure a return holds is first decided in a ground-truth table (per school, year,
dataset, keys and field), chosen so that the city totals equal the figures printed in the
2020 Chifeng report wherever the report agrees with itself (samples/README.md lists each
one). The returns are then written from that table in the layouts schools really send, and
the cell each figure lands in is recorded beside it in truth.csv, so a test can check
that tongji finds every figure in the right cell.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sheetspec import SheetSpec, write_xls, write_xlsx  # noqa: E402

from tongji.extraction.read import cell_address  # noqa: E402
from tongji.reporting.render import header_cells  # noqa: E402

HERE = Path(__file__).resolve().parent
YEARS = (2019, 2020)
FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")

# ---------------------------------------------------------------- the seed's figures

# 表10: per 专业大类 (2010 catalogue, code → name), 2019 and 2020:
# enrolment, students, graduates, certificates. None = the category had no 专业 that year.
CATEGORIES: dict[str, str] = {
    "01": "农林牧渔类", "02": "资源环境类", "03": "能源与新能源类", "04": "土木水利类",
    "05": "加工制造类", "06": "石油化工类", "07": "轻纺食品类", "08": "交通运输类",
    "09": "信息技术类", "10": "医药卫生类", "11": "休闲保健类", "12": "财经商贸类",
    "13": "旅游服务类", "14": "文化艺术类", "15": "体育与健身类", "16": "教育类",
    "17": "司法服务类", "18": "公共管理与服务类", "19": "其他",
}  # fmt: skip
TABLE10: dict[str, dict[int, tuple[int, int, int, int] | None]] = {
    "农林牧渔类": {2020: (701, 2411, 494, 100), 2019: (670, 1765, 702, 443)},
    "资源环境类": {2020: (47, 82, 16, 0), 2019: (41, 78, 16, 0)},
    "能源与新能源类": {2020: (172, 489, 87, 0), 2019: (161, 356, 63, 5)},
    "土木水利类": {2020: (700, 1621, 300, 130), 2019: (738, 1692, 529, 420)},
    "加工制造类": {2020: (1522, 4232, 1460, 747), 2019: (1471, 3940, 1139, 819)},
    "石油化工类": {2020: (64, 220, 88, 0), 2019: (53, 136, 56, 8)},
    "交通运输类": {2020: (2151, 4175, 660, 298), 2019: (1991, 3571, 898, 524)},
    "轻纺食品类": {2020: (44, 154, 31, 0), 2019: (37, 101, 31, 0)},
    "信息技术类": {2020: (2756, 6285, 1494, 429), 2019: (2602, 5775, 1374, 280)},
    "医药卫生类": {2020: (1588, 4692, 1174, 180), 2019: (1502, 4297, 1405, 178)},
    "休闲保健类": {2020: (41, 41, 0, 0), 2019: None},
    "财经商贸类": {2020: (645, 1434, 417, 52), 2019: (535, 1147, 476, 117)},
    "旅游服务类": {2020: (582, 1694, 401, 187), 2019: (566, 1446, 431, 232)},
    "文化艺术类": {2020: (634, 914, 418, 86), 2019: (497, 562, 195, 9)},
    "体育与健身类": {2020: (86, 151, 59, 0), 2019: (45, 144, 63, 0)},
    "教育类": {2020: (2438, 5424, 1325, 809), 2019: (2335, 4906, 1553, 1011)},
    "司法服务类": {2020: (0, 0, 0, 0), 2019: None},
    "公共管理与服务类": {2020: (0, 0, 0, 0), 2019: None},
    "其他": {2020: (251, 251, 60, 0), 2019: None},
}
MAJOR_FIELDS = ("enrolment", "students", "graduates", "certificates")
# 专业 of the 2010 catalogue per category: (专业代码, 专业名称)
MAJORS: dict[str, list[tuple[str, str]]] = {
    "农林牧渔类": [("010100", "设施农业生产技术"), ("010500", "现代农艺技术"), ("011600", "畜牧兽医")],
    "资源环境类": [("020900", "环境监测技术")],
    "能源与新能源类": [("030200", "电厂及变电站电气运行"), ("031000", "光伏工程技术与应用")],
    "土木水利类": [("040100", "建筑工程施工"), ("040300", "建筑装饰"), ("041300", "工程测量")],
    "加工制造类": [("051300", "机电技术应用"), ("051400", "电气运行与控制"), ("052600", "数控技术应用")],
    "石油化工类": [("060200", "化学工艺")],
    "交通运输类": [("082500", "汽车运用与维修"), ("082600", "汽车车身修复"), ("081300", "铁道运输管理")],
    "轻纺食品类": [("071000", "服装设计与工艺"), ("072000", "食品生物工艺")],
    "信息技术类": [("090100", "计算机应用"), ("090300", "计算机网络技术"), ("091300", "电子技术应用"), ("090800", "计算机动漫与游戏制作")],
    "医药卫生类": [("100100", "护理"), ("100700", "药剂"), ("100900", "中医护理")],
    "休闲保健类": [("110100", "美容美体")],
    "财经商贸类": [("120100", "会计"), ("121400", "电子商务")],
    "旅游服务类": [("130100", "旅游服务与管理"), ("130700", "中餐烹饪与营养膳食")],
    "文化艺术类": [("140200", "美术绘画"), ("141100", "音乐"), ("140300", "舞蹈表演")],
    "体育与健身类": [("150100", "运动训练")],
    "教育类": [("160100", "学前教育"), ("160300", "幼儿保育")],
    "司法服务类": [("170300", "法律事务")],
    "公共管理与服务类": [("180400", "社会保障事务")],
    "其他": [("190000", "民族美术")],
}
# 技工学校 students per category (表1 includes them; 34270 − 29920 = 4350 in 2020).
TECHNICAL_STUDENTS = {
    2020: {"加工制造类": 1600, "交通运输类": 1700, "信息技术类": 1050},
    2019: {"加工制造类": 1500, "交通运输类": 1450, "信息技术类": 1000},
}
# 表4 and 表11 (不含技工学校): 教职工, 专任教师 by the reading the rows support.
STAFF = {2019: 3310, 2020: 3639}
FULLTIME = {2019: 2426, 2020: 2629}
EDUCATION = {2019: (180, 2010, 236), 2020: (220, 2214, 195)}  # 研究生, 本科, 本科以下 (sum = 专任)
SPECIALTY = {2019: 1310, 2020: 1450}
DUAL = {2019: 650, 2020: 780}
# 表11: kind → year → (total, male, female, ≤35, 36–45, 46–60, ≥61)
TEACHER_KINDS = {
    "校内专任教师": {2019: (2426, 853, 1573, 899, 769, 755, 3), 2020: (2629, 985, 1644, 935, 831, 851, 12)},
    "校内兼课人员": {2019: (193, 75, 118, 112, 19, 62, 0), 2020: (143, 54, 89, 47, 39, 57, 0)},
    "校外兼职教师": {2019: (43, 25, 18, 19, 12, 12, 0), 2020: (206, 114, 92, 110, 66, 24, 6)},
    "校外兼课教师": {2019: (136, 54, 82, 109, 21, 3, 3), 2020: (54, 25, 29, 45, 8, 1, 0)},
}
AGE_BANDS = ("35岁及以下", "36-45岁", "46-60岁", "61岁及以上")
# 表3: 教学、实习仪器设备总值, 万元 with 3 decimals.
EQUIPMENT = {2019: 32791.822, 2020: 35697.57}
# 表6: per kind: (bases, equipment sets, equipment value 万元, bases built with enterprises)
TRAINING = {
    "公共实习实训基地": {2019: (22, 222, 257.00, 2), 2020: (18, 491, 418.72, 7)},
    "学校实习实训基地": {2019: (125, 24671, 32116.72, 57), 2020: (200, 31058, 41507.22, 57)},
}
# 表7: 校外实训基地: bases, 接待学生量 (人次), 使用天数
EXTERNAL = {2019: (245, 5691, 1821), 2020: (223, 7708, 1798)}
# 表5 信息化 (不含技工学校)
INFO = {
    2019: dict(teachers=2571, students=24699, campus_network=12, broadband=19, bandwidth_sum=7814, classrooms=948,
               interactive=490, interactive_online=470, display=451, display_online=271, school_spaces=8,
               teacher_spaces=1292, student_spaces=13225),
    2020: dict(teachers=2871, students=30859, campus_network=18, broadband=23, bandwidth_sum=7015, classrooms=1110,
               interactive=790, interactive_online=775, display=507, display_online=488, school_spaces=1588,
               teacher_spaces=2468, student_spaces=27036),
}  # fmt: skip
# 表8 (16 公办 schools): graduates, 就业, 对口, 直接就业, 间接就业, 升学
EMPLOYMENT_PUBLIC = {2019: (8152, 7806, 5300, 1707, 2550, 6320), 2020: (8678, 8314, 4556, 1681, 3097, 7184)}
# 表9: 初次就业生数 and the average first monthly income per school type
FIRST_JOB = {2019: 1760, 2020: 1962}
INCOME = {
    2019: {"普通中专": 2850, "公办职业高中": 2900, "民办职业高中": 2930, "附设中职班": 2840},
    2020: {"普通中专": 3200, "公办职业高中": 2705, "民办职业高中": 2984, "附设中职班": 3975},
}
INCOME_MEAN = {2019: 2880.0, 2020: 2965.2}
# 表1: 普通高中 (the city's own statistics)
GENERAL_HIGH = {2019: (25947, 77972), 2020: (27351, 78609)}
DISTRICTS = ("红山区", "元宝山区", "松山区", "阿鲁科尔沁旗", "巴林左旗", "巴林右旗", "林西县", "克什克腾旗", "翁牛特旗", "喀喇沁旗", "宁城县", "敖汉旗")

# ---------------------------------------------------------------- schools


@dataclass
class School:
    school_id: str
    name: str
    district: str
    school_type: str  # 普通中专 | 职业高中 | 附设中职班 | 技工学校
    sponsor: str  # 公办 | 民办
    levels: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    technical: bool = False
    family: str = "export"  # export | export_split | export_xls | retyped | technical
    survey: str = "kv"  # kv | by_major | indicators
    files_as: str = ""  # the name the school writes on its returns (an alias, say)
    size: float = 1.0

    @property
    def income_type(self) -> str:
        if self.school_type == "职业高中":
            return f"{self.sponsor}职业高中"
        return self.school_type

    @property
    def written_name(self) -> str:
        return self.files_as or self.name


def chifeng_schools() -> list[School]:
    rows = [
        # name, district, type, sponsor, levels, aliases, family, survey, size
        ("赤峰农牧学校", "红山区", "普通中专", "公办", ("国家级示范", "国家级重点"), ("赤峰市农牧学校",), "export", "kv", 2.2),
        ("赤峰卫生学校", "红山区", "普通中专", "公办", ("自治区级重点",), ("赤峰市卫生学校",), "export_split", "by_major", 2.0),
        ("松山区职教中心", "松山区", "职业高中", "公办", ("国家级示范", "国家级重点"), ("松山区职业教育中心",), "export", "indicators", 2.4),
        ("赤峰第一职业中专", "红山区", "职业高中", "公办", ("国家级重点",), ("赤峰市第一职业中等专业学校",), "export_xls", "kv", 1.6),
        ("阿鲁科尔沁旗民族职业教育中心", "阿鲁科尔沁旗", "职业高中", "公办", ("国家级重点",), ("阿旗民族职业教育中心", "阿旗职教中心"), "retyped", "by_major", 1.5),
        ("赤峰建筑工程学校", "喀喇沁旗", "职业高中", "公办", ("自治区级重点",), ("赤峰建工",), "export_split", "indicators", 1.9),
        ("敖汉职教中心", "敖汉旗", "职业高中", "公办", ("自治区级重点",), ("敖汉旗职业教育中心",), "export", "kv", 1.3),
        ("宁城职教中心", "宁城县", "职业高中", "公办", ("自治区级重点",), ("宁城县职业教育中心",), "retyped", "indicators", 1.3),
        ("林西职教中心", "林西县", "职业高中", "公办", ("自治区级重点",), ("林西县职业教育中心",), "export_xls", "by_major", 1.0),
        ("巴林左旗职教中心", "巴林左旗", "职业高中", "公办", (), ("巴林左旗职业教育中心",), "export", "by_major", 1.0),
        ("巴林右旗职教中心", "巴林右旗", "职业高中", "公办", (), ("巴林右旗职业教育中心",), "retyped", "kv", 0.8),
        ("克什克腾旗职教中心", "克什克腾旗", "职业高中", "公办", (), ("克旗职教中心",), "export_split", "kv", 0.8),
        ("翁牛特旗职教中心", "翁牛特旗", "职业高中", "公办", (), ("翁旗职教中心",), "export", "indicators", 1.1),
        ("元宝山区职教中心", "元宝山区", "职业高中", "公办", (), ("元宝山区职业教育中心",), "export_xls", "indicators", 0.9),
        ("赤峰工业职业技术学院附设中职班", "松山区", "附设中职班", "公办", (), ("赤峰工院中职部",), "export", "by_major", 0.7),
        ("赤峰应用技术职业学院附设中职班", "红山区", "附设中职班", "公办", (), ("赤峰应用技术学院中职部",), "retyped", "kv", 0.6),
        ("华夏职业学校", "红山区", "职业高中", "民办", ("国家级示范", "国家级重点"), ("赤峰华夏职业学校",), "export", "kv", 1.4),
        ("赤峰东方职业学校", "红山区", "职业高中", "民办", (), (), "export_split", "by_major", 0.6),
        ("赤峰育才职业学校", "松山区", "职业高中", "民办", (), (), "retyped", "indicators", 0.5),
        ("赤峰新华职业技术学校", "红山区", "职业高中", "民办", (), (), "export", "kv", 0.5),
        ("红山区博文职业学校", "红山区", "职业高中", "民办", (), (), "export_xls", "by_major", 0.4),
        ("松山区蓝天职业学校", "松山区", "职业高中", "民办", (), (), "retyped", "kv", 0.4),
        ("喀喇沁旗德艺职业学校", "喀喇沁旗", "职业高中", "民办", (), (), "export_split", "indicators", 0.4),
        ("赤峰北方民族技工学校", "阿鲁科尔沁旗", "技工学校", "公办", (), ("北方民族技工学校",), "technical", "", 1.0),
        ("赤峰市高级技工学校", "红山区", "技工学校", "公办", (), ("赤峰高级技工学校",), "technical", "", 1.2),
        ("宁城县技工学校", "宁城县", "技工学校", "公办", (), (), "technical", "", 0.6),
    ]
    schools = []
    for i, (name, district, stype, sponsor, levels, aliases, family, survey, size) in enumerate(rows, 1):
        schools.append(
            School(f"15040{i:05d}", name, district, stype, sponsor, levels, aliases, stype == "技工学校", family, survey, size=size)
        )
    # Defect: this school's returns name it only by an alias that the roster knows.
    next(s for s in schools if s.name.startswith("阿鲁科尔沁旗")).files_as = "阿旗职教中心"
    return schools


# ---------------------------------------------------------------- splitting totals


def split_int(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to `weights` that add up to `total` (largest remainder)."""
    if not weights:
        return []
    s = sum(weights)
    if s <= 0:
        weights, s = [1.0] * len(weights), float(len(weights))
    shares = [total * w / s for w in weights]
    out = [int(x) for x in shares]
    rest = total - sum(out)
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - out[i]), i))
    for i in order[:rest]:
        out[i] += 1
    return out


def split_dec(total: float, weights: list[float], places: int) -> list[float]:
    unit = 10**places
    return [round(v / unit, places) for v in split_int(round(total * unit), weights)]


def fill_matrix(row_totals: list[int], col_totals: list[int]) -> list[list[int]]:
    """A non-negative integer matrix with the given row and column sums."""
    assert sum(row_totals) == sum(col_totals), (sum(row_totals), sum(col_totals))
    remaining = list(row_totals)
    cols = []
    for target in col_totals[:-1]:
        col = split_int(target, [float(r) for r in remaining]) if sum(remaining) else [0] * len(remaining)
        col = [min(c, r) for c, r in zip(col, remaining, strict=True)]
        short = target - sum(col)
        for i in range(len(col)):  # capacity left by capping
            take = min(short, remaining[i] - col[i])
            col[i] += take
            short -= take
        remaining = [r - c for r, c in zip(remaining, col, strict=True)]
        cols.append(col)
    cols.append(remaining)
    return [list(row) for row in zip(*cols, strict=True)]


# ---------------------------------------------------------------- ground truth


@dataclass
class Truth:
    """Figures per (year, school_id, dataset, keys, field). school_id '' is the city."""

    values: dict[tuple, float | str] = field(default_factory=dict)
    by_record: dict[tuple, dict[tuple, dict[str, Any]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(dict)))

    def set(self, year: int, school_id: str, dataset: str, keys: tuple[tuple[str, str], ...], name: str, value: Any) -> None:
        self.values[(year, school_id, dataset, keys, name)] = value
        self.by_record[(year, school_id, dataset)][keys][name] = value

    def get(self, year: int, school_id: str, dataset: str, keys: tuple, name: str) -> Any:
        return self.values.get((year, school_id, dataset, keys, name))

    def records(self, year: int, school_id: str, dataset: str) -> dict[tuple, dict[str, Any]]:
        return dict(sorted(self.by_record.get((year, school_id, dataset), {}).items()))


def build_truth(schools: list[School], rng: random.Random) -> Truth:
    t = Truth()
    regular = [s for s in schools if not s.technical]
    technical = [s for s in schools if s.technical]
    weight = {s.school_id: s.size * rng.uniform(0.85, 1.15) for s in schools}

    # which school teaches which category (the same both years)
    offers: dict[str, list[School]] = {}
    cats = list(TABLE10)
    for i, cat in enumerate(cats):
        if cat in TECHNICAL_STUDENTS[2020]:
            pool, k = regular, 6
        elif TABLE10[cat][2019] is None:
            # a category new in 2020 opens at one of the largest schools, whose size barely changes
            pool, k = sorted(regular, key=lambda s: -s.size)[:4], 1
        elif sum(TABLE10[cat][2020]) < 300:
            pool, k = regular, 1
        else:
            pool, k = regular, 3 + (i % 4)
        chosen = sorted(rng.sample(pool, k), key=lambda s: s.school_id)
        offers[cat] = chosen
    for s in technical:
        for cat in TECHNICAL_STUDENTS[2020]:
            offers[cat].append(s)
    majors_of: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for cat, offering in offers.items():
        for s in offering:
            options = MAJORS[cat]
            n = 1 if len(options) == 1 or weight[s.school_id] < 1.0 else 2
            start = int(s.school_id[-2:]) % len(options)
            majors_of[(s.school_id, cat)] = [options[(start + j) % len(options)] for j in range(n)]

    students_by_school: dict[tuple[int, str], int] = defaultdict(int)
    for year in YEARS:
        for cat, by_year in TABLE10.items():
            totals = by_year[year]
            if totals is None:
                continue
            offering = offers[cat]
            tech = [s for s in offering if s.technical]
            reg = [s for s in offering if not s.technical]
            tech_students = TECHNICAL_STUDENTS[year].get(cat, 0)
            for fname, total in zip(MAJOR_FIELDS, totals, strict=True):
                tech_total = round(total * tech_students / totals[1]) if tech and totals[1] else 0
                shares = dict(zip((s.school_id for s in tech), split_int(tech_total, [weight[s.school_id] for s in tech]), strict=True))
                shares.update(zip((s.school_id for s in reg), split_int(total - tech_total, [weight[s.school_id] for s in reg]), strict=True))
                for sid, value in shares.items():
                    majors = majors_of[(sid, cat)]
                    for (code, mname), v in zip(majors, split_int(value, [1.0 + 0.5 * j for j in range(len(majors))]), strict=True):
                        t.set(year, sid, "students_by_major", (("major_category", cat), ("major", mname)), fname, v)
                        t.set(year, sid, "students_by_major", (("major_category", cat), ("major", mname)), "major_code", code)
                        if fname == "students":
                            students_by_school[(year, sid)] += v

    for year in YEARS:
        for s in regular:
            t.set(year, s.school_id, "school_info", (), "school_name", s.name)
            t.set(year, s.school_id, "school_info", (), "school_code", s.school_id)
            t.set(year, s.school_id, "school_info", (), "students", students_by_school[(year, s.school_id)])

        w = [float(students_by_school[(year, s.school_id)]) + 50 for s in regular]
        staff_w = [float(students_by_school[(2019, s.school_id)]) + 50 for s in regular]  # staff follow last year's size
        fulltime = split_int(FULLTIME[year], staff_w)
        other = split_int(STAFF[year] - FULLTIME[year], staff_w)
        edu = fill_matrix(fulltime, list(EDUCATION[year]))
        specialty = split_int(SPECIALTY[year], [float(f) for f in fulltime])
        dual = split_int(DUAL[year], [float(x) for x in specialty])
        for i, s in enumerate(regular):
            admin, support, workers = split_int(other[i], [0.45, 0.25, 0.30])
            rec = {
                "staff_total": fulltime[i] + other[i], "fulltime": fulltime[i], "admin": admin, "support": support,
                "workers": workers, "postgrad": edu[i][0], "bachelor": edu[i][1], "below_bachelor": edu[i][2],
                "specialty": specialty[i], "dual": dual[i],
            }  # fmt: skip
            for k, v in rec.items():
                t.set(year, s.school_id, "staff", (), k, v)

        for kind, by_year in TEACHER_KINDS.items():
            total, male, female, *ages = by_year[year]
            kind_totals = fulltime if kind == "校内专任教师" else split_int(total, [weight[s.school_id] for s in regular])
            sexes = fill_matrix(kind_totals, [male, female])
            age = fill_matrix(kind_totals, list(ages))
            for i, s in enumerate(regular):
                keys = (("teacher_kind", kind),)
                t.set(year, s.school_id, "teachers_by_kind", keys, "total", kind_totals[i])
                t.set(year, s.school_id, "teachers_by_kind", keys, "male", sexes[i][0])
                t.set(year, s.school_id, "teachers_by_kind", keys, "female", sexes[i][1])
                for band, v in zip(("age_35_below", "age_36_45", "age_46_60", "age_61_above"), age[i], strict=True):
                    t.set(year, s.school_id, "teachers_by_kind", keys, band, v)

        equipment = split_dec(EQUIPMENT[year], w, 3)
        for i, s in enumerate(regular):
            t.set(year, s.school_id, "conditions", (), "equipment_value", equipment[i])
            t.set(year, s.school_id, "conditions", (), "land_area", round(20000 + 60000 * weight[s.school_id] + rng.randint(0, 999), 0))
            t.set(year, s.school_id, "conditions", (), "building_area", round(8000 + 25000 * weight[s.school_id] + rng.randint(0, 999), 0))

        public_sites = [s for s in regular if s.sponsor == "公办" and weight[s.school_id] >= 1.3]
        for kind, by_year in TRAINING.items():
            sites = public_sites if kind == "公共实习实训基地" else regular
            sw = [weight[s.school_id] for s in sites]
            bases, sets, value, coop = by_year[year]
            cols = [split_int(bases, sw), split_int(sets, sw), split_dec(value, sw, 2), split_int(coop, sw)]
            for i, s in enumerate(sites):
                keys = (("base_type", kind),)
                for fname, col in zip(("bases", "equipment_sets", "equipment_value", "coop_bases"), cols, strict=True):
                    t.set(year, s.school_id, "training_bases", keys, fname, col[i])
        ext = [split_int(v, w) for v in EXTERNAL[year]]
        for i, s in enumerate(regular):
            for fname, col in zip(("external_bases", "external_visits", "external_days"), ext, strict=True):
                t.set(year, s.school_id, "external_bases", (), fname, col[i])

        info = INFO[year]
        order = sorted(regular, key=lambda s: -weight[s.school_id])
        network = {s.school_id for s in order[: info["campus_network"]]}
        broadband = {s.school_id for s in order[: info["broadband"]]}
        connected = [s for s in regular if s.school_id in broadband]
        bw = dict(zip((s.school_id for s in connected), split_int(info["bandwidth_sum"], [weight[s.school_id] for s in connected]), strict=True))
        teachers_it = split_int(info["teachers"], w)
        students_it = split_int(info["students"], w)
        classrooms = split_int(info["classrooms"], w)
        interactive = split_int(info["interactive"], [float(c) for c in classrooms])
        interactive_online = split_int(info["interactive_online"], [float(c) for c in interactive])
        display = split_int(info["display"], [float(c) for c in classrooms])
        display_online = split_int(info["display_online"], [float(c) for c in display])
        school_spaces = split_int(info["school_spaces"], w)
        teacher_spaces = split_int(info["teacher_spaces"], [float(x) for x in teachers_it])
        student_spaces = split_int(info["student_spaces"], [float(x) for x in students_it])
        for i, s in enumerate(regular):
            rec = {
                "teachers": teachers_it[i], "students": students_it[i], "campus_network": int(s.school_id in network),
                "broadband": int(s.school_id in broadband), "bandwidth": bw.get(s.school_id, 0), "classrooms": classrooms[i],
                "interactive": interactive[i], "interactive_online": interactive_online[i], "display": display[i],
                "display_online": display_online[i], "school_spaces": school_spaces[i], "teacher_spaces": teacher_spaces[i],
                "student_spaces": student_spaces[i],
            }  # fmt: skip
            for k, v in rec.items():
                t.set(year, s.school_id, "informatization", (), k, v)

        _employment(t, year, regular, weight, rng)

        for district, (enrol, students) in zip(DISTRICTS, zip(*(split_int(v, [3.0 if d == "红山区" else 1.0 + (i % 3) * 0.4 for i, d in enumerate(DISTRICTS)]) for v in GENERAL_HIGH[year]), strict=True), strict=True):
            t.set(year, "", "general_high", (("district", district),), "enrolment", enrol)
            t.set(year, "", "general_high", (("district", district),), "students", students)
    return t


# Defect: this school did not return its 2019 employment survey.
MISSING_SURVEY = (2019, "赤峰新华职业技术学校")


def _employment(t: Truth, year: int, regular: list[School], weight: dict[str, float], rng: random.Random) -> None:
    surveyed = [s for s in regular if (year, s.name) != MISSING_SURVEY]
    public = [s for s in surveyed if s.sponsor == "公办"]
    private = [s for s in surveyed if s.sponsor == "民办"]
    graduates = {}
    for group, totals in ((public, EMPLOYMENT_PUBLIC[year]), (private, None)):
        if totals is None:
            grads = [int(300 * weight[s.school_id]) + rng.randint(0, 40) for s in group]
            totals = (sum(grads), round(sum(grads) * 0.93), round(sum(grads) * 0.6), round(sum(grads) * 0.2), round(sum(grads) * 0.3), round(sum(grads) * 0.55))
        g = split_int(totals[0], [weight[s.school_id] for s in group])
        employed = split_int(totals[1], [float(x) for x in g])
        matched = split_int(totals[2], [float(x) for x in employed])
        direct = split_int(totals[3], [float(x) for x in g])
        indirect = split_int(totals[4], [float(x) for x in g])
        study = split_int(totals[5], [float(x) for x in g])
        for i, s in enumerate(group):
            graduates[s.school_id] = g[i]
            rec = {"graduates": g[i], "employed": employed[i], "matched": matched[i], "direct": direct[i], "indirect": indirect[i], "further_study": study[i]}
            for k, v in rec.items():
                t.set(year, s.school_id, "employment", (), k, v)

    # 表9: first-job counts per school type, chosen so that the count-weighted mean income
    # equals the report's 均收入 (2880 in 2019, 2965.2 in 2020).
    types = INCOME[year]
    members = {ty: [s for s in surveyed if s.income_type == ty] for ty in types}
    counts = _solve_counts(FIRST_JOB[year], list(types.values()), INCOME_MEAN[year], [len(m) for m in members.values()])
    for (ty, avg), n in zip(types.items(), counts, strict=True):
        group = members[ty]
        ns = split_int(n, [float(graduates[s.school_id]) for s in group])
        incomes = _incomes(avg, ns, rng)
        for s, k, inc in zip(group, ns, incomes, strict=True):
            t.set(year, s.school_id, "employment", (), "first_job", k)
            t.set(year, s.school_id, "employment", (), "first_income", inc)


def _solve_counts(total: int, incomes: list[int], mean: float, sizes: list[int]) -> list[int]:
    """Counts per type adding up to `total` whose income-weighted mean rounds to `mean`."""
    target = round(mean * total)
    base = split_int(total, [float(x) for x in sizes])
    best = None
    # walk counts between types until the weighted sum is as close to the target as it gets
    n = len(incomes)
    for _ in range(20000):
        cur = sum(c * v for c, v in zip(base, incomes, strict=True))
        diff = target - cur
        if best is None or abs(diff) < abs(best[0]):
            best = (diff, list(base))
        if abs(diff) <= total * 0.04:  # |mean error| < 0.04 → rounds to the target at 1 decimal
            return base
        moves = [(i, j) for i in range(n) for j in range(n) if i != j and base[j] > 1]
        i, j = min(moves, key=lambda ij: abs(diff - (incomes[ij[0]] - incomes[ij[1]])))
        base[i] += 1
        base[j] -= 1
    return best[1]  # pragma: no cover


def _incomes(avg: int, counts: list[int], rng: random.Random) -> list[float]:
    """Per-school average incomes whose count-weighted mean is exactly `avg`."""
    if len(counts) == 1:
        return [float(avg)]
    out = [float(avg + rng.choice((-1, 1)) * rng.randint(20, 180)) for _ in counts[:-1]]
    rest = avg * sum(counts) - sum(c * x for c, x in zip(counts, out, strict=False))
    out.append(round(rest / counts[-1], 2) if counts[-1] else float(avg))
    return out


# ---------------------------------------------------------------- writing returns


class Sink:
    """Where a layout writes: cells of one sheet, recording each truth figure's cell."""

    def __init__(self, truth: Truth, year: int, school: School | None, spec: SheetSpec, style: str):
        self.truth, self.year, self.school, self.spec, self.style = truth, year, school, spec, style
        self.placed: list[tuple[tuple, int, int]] = []
        self.n = 0

    def value(self, dataset: str, keys: tuple, name: str, r: int, c: int, written: Any = None) -> None:
        sid = self.school.school_id if self.school else ""
        v = self.truth.get(self.year, sid, dataset, keys, name)
        if v is None:
            raise KeyError((self.year, sid, dataset, keys, name))
        self.spec.put(r, c, self.render(v) if written is None else written)
        self.placed.append(((self.year, sid, dataset, keys, name), r, c))

    def render(self, v: Any) -> Any:
        """How this kind of return writes a number: as a number, or as text the way people type."""
        if isinstance(v, str) or self.style == "export":
            return v
        self.n += 1
        if isinstance(v, float) and not float(v).is_integer():
            return f"{v:,.2f}" if self.n % 5 == 0 and v >= 1000 else v
        iv = int(v)
        k = self.n % 6
        if k == 1:
            return str(iv)
        if k == 3:
            return str(iv).translate(FULLWIDTH)
        if k == 5 and iv >= 1000:
            return f"{iv:,}"
        return iv


def _grid_header(spec: SheetSpec, top: int, first_col: int, paths: list[tuple[str, ...]], depth: int) -> None:
    """Merged multi-row header cells from header paths (the same rule tongji's workbook uses)."""
    for r0, c0, r1, c1, text in header_cells(paths, depth):
        if (r0, c0) == (r1, c1):
            spec.put(top + r0, first_col + c0, text)
        else:
            spec.merge(top + r0, first_col + c0, top + r1, first_col + c1, text)


@dataclass
class GridForm:
    """A national form as the statistics client exports it."""

    code: str
    title: str
    unit: str  # 人 | 万元 | '' (mixed units: a bare `单位:`)
    label_header: str
    columns: list[tuple[str, ...]]


def export_sheet(sink_factory: Callable[[SheetSpec], Sink], sheet_name: str, form: GridForm, school_name: str, rows: list[tuple[str, str, list[Any]]], note: str = "注：本表由教育统计客户端导出。") -> Sink:
    """Write a grid form: grid labels (row 1 letters, column A numbers), title, code + unit
    cell, school name, merged header block, spacer row, `甲 乙 1 2 …` row, data rows, note.
    `rows` holds (label, 行次, cells) where a cell is a value or a callable(sink, r, c)."""
    spec = SheetSpec(sheet_name)
    sink = sink_factory(spec)
    depth = max(len(p) for p in form.columns)
    ncols = 2 + len(form.columns)
    spec.put(1, 1, form.title)
    spec.merges.append((1, 1, 1, ncols))
    spec.put(2, 1, f"{form.code}{' ' * 60}单位：{form.unit}")
    spec.put(3, 1, f"学校名称：{school_name}")
    top = 4
    spec.merge(top, 1, top + depth - 1, 1, form.label_header)
    spec.merge(top, 2, top + depth - 1, 2, "编号")
    _grid_header(spec, top, 3, form.columns, depth)
    code_row = top + depth + 1  # one empty spacer row
    spec.row(code_row, ["甲", "乙", *range(1, len(form.columns) + 1)], start_col=1)
    r = code_row + 1
    for label, line, cells in rows:
        spec.put(r, 1, label)
        spec.put(r, 2, line)
        for j, cell in enumerate(cells):
            if callable(cell):
                cell(sink, r, 3 + j)
            elif cell is not None:
                spec.put(r, 3 + j, cell)
        r += 1
    spec.put(r + 1, 1, note)
    last_row = r + 1
    letters = [chr(65 + i) for i in range(ncols + 1)]
    spec.row(0, letters, start_col=1)
    for rr in range(1, last_row + 1):
        spec.put(rr, 0, rr)
    return sink


def V(dataset: str, keys: tuple, name: str) -> Callable[[Sink, int, int], None]:
    """A truth figure written into a cell; truth.csv records the cell."""
    return lambda sink, r, c: sink.value(dataset, keys, name, r, c)


def C(dataset: str, keys: tuple, name: str) -> Callable[[Sink, int, int], None]:
    """A copy of a figure that the return repeats elsewhere (not the cell tongji reads)."""

    def put(sink: Sink, r: int, c: int) -> None:
        sid = sink.school.school_id if sink.school else ""
        sink.spec.put(r, c, sink.render(sink.truth.get(sink.year, sid, dataset, keys, name)))

    return put


def _kv_sheet(sink_factory, name: str, title: str, items: list[tuple[str, Callable | Any]], beside_unit: dict[int, str] | None = None) -> Sink:
    spec = SheetSpec(name)
    sink = sink_factory(spec)
    spec.merge(0, 0, 0, 4, title)
    for i, (label, cell) in enumerate(items):
        r = 2 + i
        spec.put(r, 0, label)
        spec.merges.append((r, 1, r, 2))
        if callable(cell):
            cell(sink, r, 1)
        else:
            spec.put(r, 1, cell)
        spec.put(r, 4, (i + 1) * 10)  # line codes down the right margin
    return sink


# --- the forms of the national client (layout family a and c) ------------------------------


def f111(sf, school: School, year: int) -> Sink:
    return _kv_sheet(
        sf,
        "中职基111",
        "中等职业学校基本情况",
        [
            ("学 校 名 称", V("school_info", (), "school_name")),
            ("学校标识码", V("school_info", (), "school_code")),
            ("办学类型", school.school_type),
            ("举办者", school.sponsor),
            ("所在地区", f"内蒙古自治区赤峰市{school.district}"),
            ("在校生数（人）", V("school_info", (), "students")),
        ],
    )


def f311(sf, school: School, year: int, truth: Truth, blank: tuple[str, ...] = ()) -> Sink:
    if year == 2019:
        cols = [("专业代码",), ("学生数", "招生数"), ("学生数", "在校生数"), ("学生数", "毕业生数"), ("获得职业资格证书人数",)]
        order = ["major_code", "enrolment", "students", "graduates", "certificates"]
        name = "中职基311"
    else:  # 2020: graduates moved before enrolment and renamed; certificates renamed
        cols = [("专业代码",), ("毕(结)业生数",), ("学生数", "招生数"), ("学生数", "在校生数"), ("获得职业资格证书数",)]
        order = ["major_code", "graduates", "enrolment", "students", "certificates"]
        name = "中职基311_" + ("中等技术学校" if school.school_type == "普通中专" else "职业高中学校")
    form = GridForm("中职基311", "中等职业教育分专业学生情况", "人", "专业名称", cols)
    records = truth.records(year, school.school_id, "students_by_major")
    rows = []
    totals = [None] + [None if f in blank else sum(rec[f] for rec in records.values()) for f in order[1:]]
    rows.append(("总  计", "01", totals))
    for i, keys in enumerate(records, 2):
        cells = [None if f in blank else V("students_by_major", keys, f) for f in order]
        rows.append((dict(keys)["major"], f"{i:02d}", cells))
    return export_sheet(sf, name, form, school.written_name, rows)


def f411(sf, school: School, year: int) -> Sink:
    group = "校本部教职工" if year == 2019 else "校本部教职工数"
    cols = [("合计",), (group, "计"), (group, "专任教师"), (group, "行政人员"), (group, "教辅人员"), (group, "工勤人员"), ("代课教师",), ("兼任教师",)]
    form = GridForm("中职基411", "中等职业学校教职工情况", "人", "项目", cols)
    k = ()
    total_row = ("总  计", "01", [V("staff", k, "staff_total"), C("staff", k, "staff_total"), V("staff", k, "fulltime"), V("staff", k, "admin"), V("staff", k, "support"), V("staff", k, "workers"), 0, 3])
    female = ("其中：女", "02", ["*", "*", 0, 0, 0, 0, 0, 0])
    minority = ("少数民族", "03", ["*", "*", 0, 0, 0, 0, 0, 0])
    rows = [total_row, female, minority] if year == 2019 else [total_row, minority, female]  # 2020: a row moved
    return export_sheet(sf, "中职基411", form, school.written_name, rows)


def f421(sf, school: School, year: int) -> Sink:
    cols = [("合计",), ("按学历分", "研究生毕业"), ("按学历分", "本科毕业"), ("按学历分", "专科及以下")]
    form = GridForm("中职基421", "中等职业学校专任教师情况", "人", "项目", cols)
    k = ()
    rows = [
        ("专任教师合计", "01", [C("staff", k, "fulltime"), V("staff", k, "postgrad"), V("staff", k, "bachelor"), V("staff", k, "below_bachelor")]),
        ("其中：双师型教师", "02", [V("staff", k, "dual"), "*", "*", "*"]),
        ("专业课教师", "03", [V("staff", k, "specialty"), "*", "*", "*"]),
    ]
    return export_sheet(sf, "中职基421", form, school.written_name, rows)


def f422(sf, school: School, year: int) -> Sink:
    cols = [("合计",), ("按性别分", "男"), ("按性别分", "女")] + [("按年龄分", a) for a in AGE_BANDS]
    form = GridForm("中职基422", "中等职业学校教师分类别情况", "人", "教师类别", cols)
    fields = ["total", "male", "female", "age_35_below", "age_36_45", "age_46_60", "age_61_above"]
    rows = [(kind, f"{i:02d}", [V("teachers_by_kind", (("teacher_kind", kind),), f) for f in fields]) for i, kind in enumerate(TEACHER_KINDS, 1)]
    return export_sheet(sf, "中职基422", form, school.written_name, rows)


def f521(sf, school: School, year: int) -> Sink:
    cols = [("合计",), ("其中", "产权属于学校"), ("其中", "非学校产权")]
    form = GridForm("中职基521", "中等职业学校办学条件", "", "项目", cols)
    k = ()

    def owned(name: str, share: float) -> Callable:
        def put(sink, r, c):
            v = sink.truth.get(year, school.school_id, "conditions", k, name)
            sink.spec.put(r, c, round(v * share, 3))

        return put

    rows = [
        ("占地面积（平方米）", "01", [V("conditions", k, "land_area"), owned("land_area", 1.0), 0]),
        ("校舍建筑面积（平方米）", "02", [V("conditions", k, "building_area"), owned("building_area", 1.0), 0]),
        ("教学仪器设备资产值（万元）", "03", [V("conditions", k, "equipment_value"), owned("equipment_value", 1.0), 0]),
    ]
    return export_sheet(sf, "中职基521", form, school.written_name, rows)


# --- the schools' own tables (layout family b, and the sheets every school makes) -----------


def _list_sheet(sf, name: str, title: str, header: list[str], rows: list[list[Any]], total: list[Any] | None, notes: list[str]) -> Sink:
    spec = SheetSpec(name)
    sink = sf(spec)
    spec.put(0, 0, title)
    spec.row(2, header)
    r = 3
    for i, row in enumerate(rows):
        if i == 2:
            r += 1  # a blank row typed in the middle
        for c, cell in enumerate(row):
            if callable(cell):
                cell(sink, r, c)
            elif cell is not None:
                spec.put(r, c, cell)
        r += 1
    if total is not None:
        for c, cell in enumerate(total):
            if callable(cell):
                cell(sink, r, c)
            elif cell is not None:
                spec.put(r, c, cell)
        r += 1
    for note in notes:
        r += 1
        spec.put(r, 0, note)
    return sink


def r_students(sf, school: School, year: int, truth: Truth, wrong_total: int = 0) -> Sink:
    records = truth.records(year, school.school_id, "students_by_major")
    if year == 2019:
        header = ["序号", "专业名称", "专业大类", "招生人数", "在校生数（人）", "毕业人数", "取得职业资格证书人数", "备注"]
        fields = ["enrolment", "students", "graduates", "certificates"]
    else:
        header = ["序号", "专业大类", "专业名称", "在校学生数（人）", "本年招生数", "毕(结)业生数", "备注", "获得职业资格证书人数"]
        fields = ["students", "enrolment", "graduates", None, "certificates"]
    rows = []
    for i, (keys, _rec) in enumerate(records.items(), 1):
        cat, major = dict(keys)["major_category"], dict(keys)["major"]
        short = cat.removesuffix("类") if i % 2 == 0 else cat  # the 类 is often left off
        cells = [V("students_by_major", keys, f) if f else "" for f in fields]
        rows.append([i, major, short, *cells] if year == 2019 else [i, short, major, *cells])
    sums = {f: sum(r[f] for r in records.values()) for f in MAJOR_FIELDS}
    total_cells = [sums[f] if f else None for f in fields]
    if wrong_total:
        total_cells[0] += wrong_total
    total = ["合计", None, None, *total_cells]
    title = f"{year}年{school.written_name}分专业学生情况统计表"
    return _list_sheet(sf, "分专业学生", title, header, rows, total, ["填表人：教务处", "说明：专业按《中等职业学校专业目录（2010年修订）》填写。"])


def r_staff(sf, school: School, year: int) -> Sink:
    spec = SheetSpec("教职工情况")
    sink = sf(spec)
    spec.put(0, 0, f"{school.written_name}教职工及专任教师情况（{year}年）")
    spec.row(2, ["项目", "人数", "备注"])
    items = [
        ("教职工总数", "staff_total"), ("其中：专任教师", "fulltime"), ("行政人员", "admin"), ("教辅人员", "support"),
        ("工勤人员", "workers"), ("研究生学历", "postgrad"), ("本科学历", "bachelor"), ("专科及以下学历", "below_bachelor"),
        ("“双师型”教师", "dual"), ("专业课教师", "specialty"),
    ]  # fmt: skip
    for i, (label, name) in enumerate(items):
        spec.put(3 + i, 0, label)
        sink.value("staff", (), name, 3 + i, 1)
    spec.put(3 + len(items) + 1, 0, "注：专任教师学历按最高学历统计。")
    return sink


def r_kinds(sf, school: School, year: int) -> Sink:
    header = ["教师类别", "总人数", "男", "女", "35岁及以下", "36至45岁", "46至60岁", "61岁及以上"]
    fields = ["total", "male", "female", "age_35_below", "age_36_45", "age_46_60", "age_61_above"]
    rows = [[kind, *[V("teachers_by_kind", (("teacher_kind", kind),), f) for f in fields]] for kind in TEACHER_KINDS]
    return _list_sheet(sf, "教师分类情况", f"{school.written_name}{year}年教师队伍情况", header, rows, None, [])


def r_conditions(sf, school: School, year: int) -> Sink:
    spec = SheetSpec("办学条件")
    sink = sf(spec)
    spec.put(0, 0, f"{school.written_name}办学条件（{year}）")
    spec.row(2, ["项目", "数量"])
    spec.put(3, 0, "占地面积（平方米）")
    sink.value("conditions", (), "land_area", 3, 1)
    spec.put(4, 0, "校舍建筑面积（平方米）")
    sink.value("conditions", (), "building_area", 4, 1)
    spec.put(5, 0, "教学、实习仪器设备总值（元）")
    v = sink.truth.get(year, school.school_id, "conditions", (), "equipment_value")
    sink.value("conditions", (), "equipment_value", 5, 1, written=f"{round(v * 10000):,}")  # 元, not 万元
    return sink


def s_training(sf, school: School, year: int, truth: Truth, typo: bool = False) -> Sink:
    records = truth.records(year, school.school_id, "training_bases")
    header = ["类别", "实习实训基地数（个）", "设备总量（台套）", "设备总值（万元）", "与企业合作共建基地数"]
    fields = ["bases", "equipment_sets", "equipment_value", "coop_bases"]
    rows = []
    for keys, rec in records.items():
        cells = [V("training_bases", keys, f) for f in fields]
        if typo and dict(keys)["base_type"] == "公共实习实训基地":
            value = rec["equipment_value"]
            text = f"{value:.2f}"
            typed_wrong = text[0] + "," + text[1:]  # `18.72` typed as `1,8.72`
            cells[2] = lambda sink, r, c, keys=keys, typed_wrong=typed_wrong: sink.value("training_bases", keys, "equipment_value", r, c, written=typed_wrong)
        rows.append([dict(keys)["base_type"], *cells])
    total = ["合计", *[round(sum(rec[f] for rec in records.values()), 2) for f in fields]]
    return _list_sheet(sf, "校内实训基地", f"{school.written_name}校内实习实训基地情况（{year}年）", header, rows, total, [])


def s_external(sf, school: School, year: int) -> Sink:
    k = ()
    return _kv_sheet(
        sf,
        "校外实训基地",
        f"{school.written_name}校外实习实训基地情况",
        [("校外实训基地数（个）", V("external_bases", k, "external_bases")), ("接待学生量（人次）", V("external_bases", k, "external_visits")), ("使用天数（天）", V("external_bases", k, "external_days"))],
    )


def s_info(sf, school: School, year: int) -> Sink:
    k = ()

    def yesno(name: str) -> Callable:
        return lambda sink, r, c: sink.value("informatization", k, name, r, c, written="是" if sink.truth.get(year, school.school_id, "informatization", k, name) else "否")

    items = [
        ("教师数（人）", V("informatization", k, "teachers")),
        ("学生数（人）", V("informatization", k, "students")),
        ("是否建有校园网", yesno("campus_network")),
        ("是否接入宽带网", yesno("broadband")),
        ("接入带宽（Mbps）", V("informatization", k, "bandwidth")),
        ("教室数（间）", V("informatization", k, "classrooms")),
        ("具有交互型设备的教室数", V("informatization", k, "interactive")),
        ("其中能上网的交互型教室数", V("informatization", k, "interactive_online")),
        ("具有展示型设备的教室数", V("informatization", k, "display")),
        ("其中能上网的展示型教室数", V("informatization", k, "display_online")),
        ("学校空间数", V("informatization", k, "school_spaces")),
        ("教师空间数", V("informatization", k, "teacher_spaces")),
        ("学生空间数", V("informatization", k, "student_spaces")),
    ]
    return _kv_sheet(sf, "信息化", f"{school.written_name}数字校园建设情况（{year}年）", items)


EMPLOYMENT_LABELS = [
    ("graduates", "毕业生数"), ("employed", "就业人数"), ("matched", "对口就业人数"), ("direct", "直接就业人数"),
    ("indirect", "间接就业人数"), ("further_study", "升学人数"), ("first_job", "初次就业人数"),
    ("first_income", "初次就业月平均收入（元）"),
]  # fmt: skip


def s_survey(sf, school: School, year: int, truth: Truth) -> Sink:
    k = ()
    title = f"{school.written_name}{year}届毕业生就业情况调查表"
    if school.survey == "kv":
        items = [("学校名称：", school.written_name)] + [(label, V("employment", k, name)) for name, label in EMPLOYMENT_LABELS]
        return _kv_sheet(sf, "就业情况", title, items)
    if school.survey == "indicators":
        spec = SheetSpec("就业统计")
        sink = sf(spec)
        spec.put(0, 0, title)
        spec.row(2, ["指标", "人数", "占毕业生比例"])
        grads = truth.get(year, school.school_id, "employment", k, "graduates")
        labels = {"graduates": "毕业生总数", "employed": "就业", "matched": "其中：对口就业", "direct": "直接就业", "indirect": "间接就业", "further_study": "升学", "first_job": "初次就业"}
        r = 3
        for name, label in labels.items():
            spec.put(r, 0, label)
            sink.value("employment", k, name, r, 1)
            v = truth.get(year, school.school_id, "employment", k, name)
            spec.put(r, 2, f"{100 * v / grads:.2f}%" if grads else "—")
            r += 1
        spec.put(r, 0, "初次就业月均收入（元）")
        sink.value("employment", k, "first_income", r, 1)
        spec.put(r, 2, "—")
        return sink
    # by_major: rows per 专业 and a 合计 row that holds the school's figures
    majors = [dict(keys)["major"] for keys in truth.records(year, school.school_id, "students_by_major")][:4] or ["全校"]
    fields = [name for name, _ in EMPLOYMENT_LABELS]
    spec = SheetSpec("毕业生就业")
    sink = sf(spec)
    spec.put(0, 0, title)
    spec.row(2, ["专业", "毕业生数", "就业人数", "其中：对口就业", "直接就业", "间接就业", "升学", "初次就业人数", "月均收入（元）"])
    school_values = {f: truth.get(year, school.school_id, "employment", k, f) for f in fields}
    parts = {f: split_int(int(school_values[f]), [1.0 + i for i in range(len(majors))]) for f in fields if f != "first_income"}
    r = 3
    for i, major in enumerate(majors):
        spec.put(r, 0, major)
        for j, f in enumerate(fields):
            spec.put(r, 1 + j, parts[f][i] if f != "first_income" else round(school_values[f] + (i - 1) * 35))
        r += 1
    spec.put(r, 0, "合计")
    for j, f in enumerate(fields):
        sink.value("employment", k, f, r, 1 + j)
    spec.put(r + 2, 0, "注：月均收入为初次就业学生的平均月收入。")
    return sink


def city_high_school(sf, year: int, truth: Truth) -> Sink:
    header = ["旗县区", "普通高中学校数（所）", "招生数（人）", "在校生数（人）"]
    rows = []
    for i, d in enumerate(DISTRICTS):
        keys = (("district", d),)
        rows.append([d, 2 + i % 4, V("general_high", keys, "enrolment"), V("general_high", keys, "students")])
    recs = truth.records(year, "", "general_high")
    total = ["合计", sum(2 + i % 4 for i in range(len(DISTRICTS))), sum(r["enrolment"] for r in recs.values()), sum(r["students"] for r in recs.values())]
    return _list_sheet(sf, "普通高中", f"赤峰市{year}年普通高中分旗县区基本情况", header, rows, total, ["数据来源：赤峰市教育统计年报。"])


# ---------------------------------------------------------------- assembling files

HIDDEN_COPY = (2020, "敖汉职教中心")  # defect: a hidden sheet holds last year's 中职基411
TOTAL_TYPO = (2020, "宁城职教中心")  # defect: the 合计 row of 分专业学生 is off by 10
NUMBER_TYPO = (2020, "赤峰建筑工程学校")  # defect: `1,8.72`-style malformed number


def school_sheets(school: School, year: int, truth: Truth, sf_for: Callable[[str], Callable]) -> list[tuple[str, Sink]]:
    """(form, sheet) pairs this school returns for the year."""
    out: list[tuple[str, Sink]] = []
    exp, typed = sf_for("export"), sf_for("typed")
    if school.technical:
        out.append(("分专业学生", r_students(typed, school, year, truth)))
        return out
    if school.family == "retyped":
        wrong = 10 if (year, school.name) == TOTAL_TYPO else 0
        out += [
            ("分专业学生", r_students(typed, school, year, truth, wrong_total=wrong)),
            ("教职工", r_staff(typed, school, year)),
            ("教师分类", r_kinds(typed, school, year)),
            ("办学条件", r_conditions(typed, school, year)),
        ]
    else:
        out += [
            ("中职基111", f111(exp, school, year)),
            ("中职基311", f311(exp, school, year, truth)),
            ("中职基411", f411(exp, school, year)),
            ("中职基421", f421(exp, school, year)),
            ("中职基422", f422(exp, school, year)),
            ("中职基521", f521(exp, school, year)),
        ]
    typo = (year, school.name) == NUMBER_TYPO
    out += [
        ("校内实训基地", s_training(typed, school, year, truth, typo=typo)),
        ("校外实训基地", s_external(typed, school, year)),
        ("信息化", s_info(typed, school, year)),
    ]
    if (year, school.name) != MISSING_SURVEY:
        out.append(("就业调查", s_survey(typed, school, year, truth)))
    return out


def write_school(root: Path, school: School, year: int, truth: Truth, placed: list[tuple[tuple, str, str, int, int]], one_workbook: bool = False) -> list[Path]:
    """Write one school's returns for a year, the way that school packages them (or, with
    `one_workbook`, every form and the survey as sheets of one workbook)."""

    def sf_for(style: str) -> Callable[[SheetSpec], Sink]:
        return lambda spec: Sink(truth, year, school, spec, style)

    sheets = school_sheets(school, year, truth, sf_for)
    folder = root / str(year) / school.written_name
    folder.mkdir(parents=True, exist_ok=True)
    written = []

    def emit(path: Path, sinks: list[Sink], writer) -> None:
        specs = [s.spec for s in sinks]
        if (year, school.name) == HIDDEN_COPY and any(s.spec.name == "中职基411" for s in sinks):
            stale = f411(lambda spec: Sink(truth, year - 1, school, spec, "export"), school, year - 1).spec
            stale.name, stale.hidden = "中职基411(2019年旧表)", True
            specs.append(stale)
        writer(path, specs)
        written.append(path)
        rel = path.relative_to(root).as_posix()
        for s in sinks:
            for key, r, c in s.placed:
                placed.append((key, rel, s.spec.name, r, c))

    survey = [s for form, s in sheets if form == "就业调查"]
    forms = [(form, s) for form, s in sheets if form != "就业调查"]
    if one_workbook:
        forms, survey = [(form, s) for form, s in sheets], []
    stem = f"{school.written_name}{year}年"
    if school.family in ("export", "export_xls"):
        ext, writer = (".xls", write_xls) if school.family == "export_xls" else (".xlsx", write_xlsx)
        emit(folder / f"{stem}教育统计报表{ext}", [s for _, s in forms], writer)
    else:
        for form, s in forms:
            emit(folder / f"{stem}{form}.xlsx", [s], write_xlsx)
    if survey:
        emit(folder / f"{stem}毕业生就业情况调查.xlsx", survey, write_xlsx)
    return written


def write_roster(path: Path, schools: list[School]) -> None:
    s = SheetSpec("学校名录")
    s.row(0, ["学校代码", "学校名称", "别名", "旗县区", "办学类型", "举办者", "级别", "是否技工学校"])
    for i, sc in enumerate(schools, 1):
        s.row(i, [sc.school_id, sc.name, "；".join(sc.aliases), sc.district, sc.school_type, sc.sponsor, "、".join(sc.levels), "是" if sc.technical else "否"])
    write_xlsx(path, [s])


def write_truth(path: Path, truth: Truth, placed: list[tuple[tuple, str, str, int, int]]) -> None:
    where: dict[tuple, tuple[str, str, str]] = {}
    for key, file, sheet, r, c in placed:
        where.setdefault(key, (file, sheet, c if isinstance(c, str) else cell_address(r, c)))  # "D10+E10": a sum
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["year", "school_id", "dataset", "keys", "field", "value", "file", "sheet", "cell"])
        for key in sorted(truth.values, key=lambda k: (k[0], k[1], k[2], k[3], k[4])):
            year, sid, dataset, keys, name = key
            if key not in where:
                continue  # decided but not returned (a form the school did not send)
            value = truth.values[key]
            w.writerow([year, sid, dataset, ";".join(f"{a}={b}" for a, b in keys), name, _fmt(value), *where[key]])


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v)


def build_chifeng(root: Path) -> None:
    rng = random.Random(20201201)
    schools = chifeng_schools()
    truth = build_truth(schools, rng)
    for year in YEARS:
        shutil.rmtree(root / str(year), ignore_errors=True)
    placed: list[tuple[tuple, str, str, int, int]] = []
    for year in YEARS:
        for school in schools:
            write_school(root, school, year, truth, placed)
        city = root / str(year) / "市教育局"
        city.mkdir(parents=True, exist_ok=True)
        sink = city_high_school(lambda spec, y=year: Sink(truth, y, None, spec, "typed"), year, truth)
        path = city / f"赤峰市{year}年普通高中基本情况.xlsx"
        write_xlsx(path, [sink.spec])
        placed += [(key, path.relative_to(root).as_posix(), sink.spec.name, r, c) for key, r, c in sink.placed]
    write_roster(root / "roster.xlsx", schools)
    write_truth(root / "truth.csv", truth, placed)
    new_layout_example(root)
    from current_forms import build_current  # the current forms (2021, 2024, 2025), grown from 2020

    build_current(root, schools, truth)


# ---------------------------------------------------------------- a layout the pack does not know

NEW_LAYOUT_EXAMPLE = "新版式示例/松山区蓝天职业学校2020年教职工统计.xlsx"


def new_layout_example(root: Path) -> Path:
    """A school's staff table in a layout the mapping pack does not read: the example that
    docs/编写映射.md walks through."""
    s = SheetSpec("Sheet1")
    s.put(0, 0, "松山区蓝天职业学校教职工统计（2020年）")
    s.row(2, ["类别", "人数（人）", "其中：女"])
    rows = [
        ("全校教职工", 64, 40), ("专任教师", 45, 31), ("行政人员", 8, 4), ("教辅人员", 5, 3), ("工勤人员", 6, 2),
        ("研究生学历", 3, 2), ("本科学历", 38, 27), ("专科及以下学历", 4, 2), ("双师型教师", 12, 7), ("专业课教师", 25, 16),
    ]  # fmt: skip
    for i, row in enumerate(rows, 3):
        s.row(i, list(row))
    s.put(len(rows) + 4, 0, "填表人：办公室")
    path = root / NEW_LAYOUT_EXAMPLE
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_xlsx(path, [s])


# ---------------------------------------------------------------- a synthetic province


def synthetic_schools(n: int, rng: random.Random) -> list[School]:
    families = ("export", "export_split", "export_xls", "retyped")
    surveys = ("kv", "by_major", "indicators")
    out = []
    for i in range(1, n + 1):
        stype = rng.choice(("普通中专", "职业高中", "职业高中", "职业高中", "附设中职班"))
        out.append(
            School(
                f"99{i:08d}",
                f"第{i}职业学校",
                rng.choice(DISTRICTS),
                stype,
                rng.choice(("公办", "公办", "民办")),
                family=families[i % len(families)] if i % 10 else "export",
                survey=surveys[i % 3],
                size=rng.uniform(0.3, 2.5),
            )
        )
    return out


def build_synthetic(root: Path, n: int, one_workbook: bool = True) -> None:
    """N schools with random figures, in the same layouts; one workbook per school and year."""
    rng = random.Random(n)
    schools = synthetic_schools(n, rng)
    truth = Truth()
    for year in YEARS:
        for s in schools:
            _synthetic_truth(truth, year, s, rng)
    placed: list = []
    for year in YEARS:
        for school in schools:
            if one_workbook and school.family not in ("export", "export_xls"):
                school.family = "export"
            write_school(root, school, year, truth, placed, one_workbook=one_workbook)
    write_roster(root / "roster.xlsx", schools)
    write_truth(root / "truth.csv", truth, placed)


def _synthetic_truth(t: Truth, year: int, s: School, rng: random.Random, categories: int = 3, per_category: int = 1) -> None:
    """A school's figures for a year: `categories` 专业大类 with up to `per_category` 专业 each."""
    sid = s.school_id
    students = 0
    offered = [(cat, major) for cat in rng.sample(list(MAJORS), categories) for major in MAJORS[cat][:per_category]]
    for cat, (code, mname) in offered:
        keys = (("major_category", cat), ("major", mname))
        vals = dict(enrolment=rng.randint(20, 300), students=rng.randint(60, 900), graduates=rng.randint(10, 300), certificates=rng.randint(0, 200))
        students += vals["students"]
        for k, v in vals.items():
            t.set(year, sid, "students_by_major", keys, k, v)
        t.set(year, sid, "students_by_major", keys, "major_code", code)
    t.set(year, sid, "school_info", (), "school_name", s.name)
    t.set(year, sid, "school_info", (), "school_code", sid)
    t.set(year, sid, "school_info", (), "students", students)
    full = rng.randint(40, 200)
    edu = split_int(full, [0.1, 0.8, 0.1])
    rec = dict(staff_total=full + 30, fulltime=full, admin=12, support=8, workers=10, postgrad=edu[0], bachelor=edu[1], below_bachelor=edu[2], specialty=full // 2, dual=full // 4)
    for k, v in rec.items():
        t.set(year, sid, "staff", (), k, v)
    for kind in TEACHER_KINDS:
        total = full if kind == "校内专任教师" else rng.randint(0, 20)
        male = total // 3
        ages = split_int(total, [0.35, 0.3, 0.3, 0.05])
        for k, v in zip(("total", "male", "female", "age_35_below", "age_36_45", "age_46_60", "age_61_above"), (total, male, total - male, *ages), strict=True):
            t.set(year, sid, "teachers_by_kind", (("teacher_kind", kind),), k, v)
    for k, v in dict(equipment_value=round(rng.uniform(100, 3000), 3), land_area=float(rng.randint(20000, 90000)), building_area=float(rng.randint(8000, 40000))).items():
        t.set(year, sid, "conditions", (), k, v)
    for kind in TRAINING:
        for k, v in dict(bases=rng.randint(1, 12), equipment_sets=rng.randint(10, 2000), equipment_value=round(rng.uniform(5, 2000), 2), coop_bases=rng.randint(0, 4)).items():
            t.set(year, sid, "training_bases", (("base_type", kind),), k, v)
    for k, v in dict(external_bases=rng.randint(2, 20), external_visits=rng.randint(50, 600), external_days=rng.randint(20, 150)).items():
        t.set(year, sid, "external_bases", (), k, v)
    cls = rng.randint(20, 80)
    info = dict(teachers=full + 20, students=students, campus_network=1, broadband=1, bandwidth=rng.randint(100, 1000), classrooms=cls, interactive=cls // 2, interactive_online=cls // 3, display=cls // 3, display_online=cls // 4, school_spaces=rng.randint(1, 100), teacher_spaces=full, student_spaces=students // 2)
    for k, v in info.items():
        t.set(year, sid, "informatization", (), k, v)
    grads = rng.randint(100, 600)
    emp = dict(graduates=grads, employed=int(grads * 0.95), matched=int(grads * 0.6), direct=int(grads * 0.2), indirect=int(grads * 0.3), further_study=int(grads * 0.5), first_job=int(grads * 0.2), first_income=float(rng.randint(2400, 4200)))
    for k, v in emp.items():
        t.set(year, sid, "employment", (), k, v)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="生成样例报表（赤峰市 2019、2020 年）或 N 所学校的合成数据。")
    ap.add_argument("--schools", type=int, help="生成 N 所学校的合成数据（用于基准测试）。")
    ap.add_argument("--out", type=Path, help="输出目录（默认：samples/ 本身）。")
    args = ap.parse_args(argv)
    if args.schools:
        out = args.out or Path(f"province_{args.schools}")
        build_synthetic(out, args.schools)
        print(f"已生成 {args.schools} 所学校的合成数据：{out}")
    else:
        out = args.out or HERE
        build_chifeng(out)
        print(f"已生成赤峰市样例：{out}")


if __name__ == "__main__":
    main()
