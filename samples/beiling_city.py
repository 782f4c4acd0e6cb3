"""Build the returns of 北岭市, an invented third city, for 2019 and 2020, deterministically.

    python samples/beiling_city.py          # rebuild samples/北岭市/ (roster, returns, truth.csv)

北岭市's schools and county bureaus send layouts the other samples do not have: 专业 across the
columns (codes and names as header rows, 其中 一年级… rows, a 合计 column first or last, a merged
专业大类 row); county bureaus' tables with the schools as columns, a 单位 column and a 全县合计
column; several tables stacked in one sheet with captions, 注 lines and their own units; 专业
lists with 小计/合计 rows; hidden stale rows, a hidden stale column and a hidden sheet; formula
cells with cached values; .ods and .csv returns. README.md in the output folder describes each
file; truth.csv says every figure and the one cell it is in (hidden cells are never truth).
"""

from __future__ import annotations

import csv
import random
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sheetspec import SheetSpec, write_ods, write_xls, write_xlsx  # noqa: E402

HERE = Path(__file__).resolve().parent / "北岭市"
YEARS = (2019, 2020)
S1, S2, S3, S4, S5, S6, S7, S8, S9 = (f"159800000{i}" for i in range(1, 10))

# id, roster name, aliases (the first is the school's folder), county, type, sponsor, level, 技工学校
SCHOOLS = [
    (S1, "北岭市第一职业中等专业学校", "北岭一职专、北岭市第一职业中专", "北岭区", "普通中专", "公办", "国家级重点", "否"),
    (S2, "北岭市卫生学校", "北岭卫校", "北岭区", "普通中专", "公办", "省级重点", "否"),
    (S3, "北岭市北岭区职业教育中心", "北岭区职教中心、北岭职教中心", "北岭区", "职业高中", "公办", "", "否"),
    (S4, "北岭市华远职业技术学校", "华远职校、华远职业学校", "北岭区", "职业高中", "民办", "", "否"),
    (S5, "东川县职业教育中心", "东川职教、东川县职教中心", "东川县", "职业高中", "公办", "省级重点", "否"),
    (S6, "东川县民族职业中学", "东川民族职中、民族职中", "东川县", "职业高中", "公办", "", "否"),
    (S7, "东川县技工学校", "东川技校", "东川县", "技工学校", "公办", "", "是"),
    (S8, "石门县职业教育中心", "石门职教、石门县职教中心", "石门县", "职业高中", "公办", "省级重点", "否"),
    (S9, "石门县农业职业学校", "石门农职、石门农校", "石门县", "职业高中", "公办", "", "否"),
]
FOLDER = {s[0]: s[2].split("、")[0] for s in SCHOOLS}
MAJORS = {
    "010100": "设施农业生产技术", "010500": "现代农艺技术", "011600": "畜牧兽医", "051300": "机电技术应用",
    "052600": "数控技术应用", "082500": "汽车运用与维修", "082600": "汽车车身修复", "090100": "计算机应用",
    "090300": "计算机网络技术", "090800": "计算机动漫与游戏制作", "100100": "护理", "100700": "药剂", "100900": "中医护理",
    "110100": "美容美体", "120100": "会计", "121400": "电子商务", "130100": "旅游服务与管理",
    "130700": "中餐烹饪与营养膳食", "140200": "美术绘画", "141100": "音乐", "160100": "学前教育", "160300": "幼儿保育",
}  # fmt: skip
CATEGORY = {"01": "农林牧渔类", "05": "加工制造类", "08": "交通运输类", "09": "信息技术类", "10": "医药卫生类", "11": "休闲保健类",
            "12": "财经商贸类", "13": "旅游服务类", "14": "文化艺术类", "16": "教育类"}  # fmt: skip
# (code, first year of enrolment[, last year]): a major has graduates from its fourth year on
SCHOOL_MAJORS = {
    S1: [("051300", 2008), ("052600", 2010), ("082500", 2009), ("090100", 2006)],
    S2: [("100100", 2000), ("100700", 2004), ("100900", 2009, 2019), ("110100", 2018)],
    S3: [("051300", 2010), ("082500", 2011), ("120100", 2005), ("160100", 2012)],
    S4: [("090100", 2012), ("090800", 2014), ("121400", 2015), ("130100", 2013)],
    S5: [("051300", 2009), ("120100", 2007), ("121400", 2014), ("130700", 2013), ("160100", 2011)],
    S6: [("090100", 2010), ("140200", 2008), ("141100", 2012), ("160300", 2019)],
    S7: [("051300", 2011), ("052600", 2012), ("082500", 2010), ("082600", 2014)],
    S8: [("082500", 2010), ("082600", 2013), ("090300", 2012), ("120100", 2008)],
    S9: [("010100", 2010), ("010500", 2008), ("011600", 2009), ("121400", 2016)],
}
KINDS = ("校内专任教师", "校内兼课人员", "校外兼职教师", "校外兼课教师")
BASES = ("学校实习实训基地", "公共实习实训基地")
LOST_ZERO = (S5, 2020, "051300")  # written as the number 51300
DEFECTS = [
    {"file": "2019/北岭卫校/北岭市卫生学校2019年招生在校生毕业生统计.xls", "sheet": "学生", "cell": "D7",
     "what": "医药卫生类“小计”的招生人数比三个专业之和多 10（各专业的数字是对的，标准答案取各专业）"},
    {"file": "2020/石门农职/石门农职2020年学生统计表.xls", "sheet": "学生", "cell": "D7",
     "what": "畜牧兽医的在校学生数写成“(46)”（会计记法的负数？）：不计入 truth.csv，须由人确认"},
    {"file": "2020/东川职教/东川县职教中心2020年学生及教师情况.ods", "sheet": "分专业学生", "cell": "C3",
     "what": "机电技术应用的专业代码存成数字 51300，丢了前导 0：标准答案为 051300"},
    {"file": "2019/华远职校/华远职校2019年统计报表.xls", "sheet": "基本数据", "cell": "B8",
     "what": "教学仪器设备资产值写成“856000元”（文本带单位）：标准答案换算为 85.6 万元"},
]  # fmt: skip


def _rng(*parts: object) -> random.Random:
    return random.Random("北岭市:" + ":".join(map(str, parts)))


def _drift(base: float, *parts: object) -> float:
    return base * _rng("drift", *parts).uniform(0.93, 1.1)


def a1(r: int, c: int) -> str:
    letters = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{r + 1}"


# ---------------------------------------------------------------- the figures


def majors(sid: str, year: int) -> list[dict]:
    out = []
    for code, start, *end in SCHOOL_MAJORS[sid]:
        if year < start or (end and year > end[0]):
            continue
        r, size = _rng("major", sid, code, year), _rng("size", sid, code).randint(25, 140)
        cohort = [round(_drift(size, sid, code, year - k)) for k in range(4)]  # enrolment of year, year-1, …
        y1 = cohort[0] - r.randint(0, 3)
        y2 = cohort[1] - r.randint(1, 6) if year - 1 >= start else 0
        y3 = cohort[2] - r.randint(2, 9) if year - 2 >= start else 0
        grads = cohort[3] - r.randint(3, 12) if year - 3 >= start else None
        m = {"code": code, "name": MAJORS[code], "cat": CATEGORY[code[:2]], "enrol": cohort[0], "y1": y1, "y2": y2, "y3": y3,
             "grads": grads, "certs": round(grads * r.uniform(0.55, 0.92)) if grads is not None else None}  # fmt: skip
        if (sid, year, code) == (S9, 2020, "011600"):  # the small major whose 46 is written “(46)”
            m.update(enrol=16, y1=16, y2=15, y3=15, grads=14, certs=9)
        m["students"] = m["y1"] + m["y2"] + m["y3"]
        out.append(m)
    return out


def keys(m: dict) -> str:
    return f"major_category={m['cat']};major={m['name']}"


def staff(sid: str, year: int) -> dict:
    r = _rng("staff", sid, year)
    fulltime = round(_drift(_rng("size", sid).randint(45, 150), "fulltime", sid, year))
    admin, support, workers = r.randint(6, 16), r.randint(2, 8), r.randint(3, 12)
    return {"staff_total": fulltime + admin + support + workers, "fulltime": fulltime, "admin": admin, "support": support,
            "workers": workers, "dual": round(fulltime * r.uniform(0.3, 0.6))}  # fmt: skip


def kinds(sid: str, year: int) -> dict[str, dict]:
    r, out = _rng("kinds", sid, year), {}
    for kind in KINDS:
        total = staff(sid, year)["fulltime"] if kind == "校内专任教师" else r.randint(0 if kind == "校外兼课教师" else 2, 24)
        male = r.randint(total // 4, total * 3 // 4)
        young, middle = round(total * r.uniform(0.25, 0.45)), round(total * r.uniform(0.2, 0.35))
        old = r.randint(0, min(2, total - young - middle)) if kind.startswith("校外") else 0
        out[kind] = {"total": total, "male": male, "female": total - male, "age_35_below": young, "age_36_45": middle,
                     "age_46_60": total - young - middle - old, "age_61_above": old}  # fmt: skip
    return out


def conditions(sid: str, year: int) -> dict:
    r = _rng("conditions", sid)
    mu = 96 if sid == S4 else 3 * r.randint(25, 90)  # 亩, a multiple of 3: in 平方米 (1 亩 = 2000/3 平方米) it is whole
    land = mu * 2000 // 3
    equipment = round(_drift(r.uniform(300, 2200), "equipment", sid, year), 2)
    if sid == S4:
        equipment = {2019: 85.6, 2020: 95.87}[year]  # written “856000元” in 2019
    return {"mu": mu, "land_area": land, "building_area": round(land * r.uniform(0.3, 0.55) * (1 if year == 2019 else 1.04)),
            "equipment_value": equipment, "books": round(r.uniform(2, 9), 1), "computers": r.randint(120, 600),
            "assets": round(equipment * 31.7, 1), "sports": round(land * 0.18)}  # fmt: skip  (the last two as written: 千元, 平方米)


def bases(sid: str, year: int) -> dict[str, dict]:
    r = _rng("bases", sid, year)
    n = r.randint(0, 2)
    return {
        "学校实习实训基地": {"bases": (b := r.randint(4, 14)), "equipment_sets": r.randint(150, 900),
                       "equipment_value": round(r.uniform(150, 1500), 2), "coop_bases": r.randint(1, b)},
        "公共实习实训基地": {"bases": n, "equipment_sets": r.randint(30, 200) if n else 0,
                       "equipment_value": round(r.uniform(50, 400), 2) if n else 0, "coop_bases": r.randint(0, n)},
    }  # fmt: skip


def external(sid: str, year: int) -> dict:
    r = _rng("external", sid, year)
    return {"external_bases": r.randint(5, 25), "external_visits": r.randint(200, 1500), "external_days": r.randint(60, 240)}


def info(sid: str, year: int) -> dict:
    r = _rng("info", sid, year)
    rooms, inter, disp = r.randint(30, 90), r.randint(5, 20), r.randint(10, 30)
    return {"campus_network": 1, "broadband": 1, "bandwidth": r.choice([100, 200, 300, 500, 1000]), "classrooms": rooms,
            "interactive": inter, "interactive_online": inter - r.randint(0, 4), "display": disp,
            "display_online": disp - r.randint(0, 6), "teacher_spaces": r.randint(20, 120), "student_spaces": r.randint(100, 900)}  # fmt: skip


def employment(sid: str, year: int) -> tuple[dict, list[dict]]:
    """The school's figures and one row per 专业 with graduates (月均收入 averaging to whole 元)."""
    rows = []
    for m in majors(sid, year):
        if not m["grads"]:
            continue
        r, g = _rng("employment", sid, year, m["code"]), m["grads"]
        employed = g - r.randint(0, max(1, g // 12))
        further = round(employed * r.uniform(0.1, 0.35))
        indirect = min(employed, further + r.randint(0, 3))
        rows.append({"name": m["name"], "graduates": g, "employed": employed, "matched": round(employed * r.uniform(0.7, 0.9)),
                     "direct": employed - indirect, "indirect": indirect, "further_study": further,
                     "first_income": r.randrange(2400, 4200, 10)})  # fmt: skip
    rows[-1]["first_income"] += -sum(e["first_income"] for e in rows) % len(rows)
    total = {f: sum(e[f] for e in rows) for f in rows[0] if f not in ("name", "first_income")}
    total["first_income"] = sum(e["first_income"] for e in rows) // len(rows)
    return total, rows


def facts(sid: str, year: int) -> dict:
    """A school's figures that are one number each (key-value tables and county tables take them from here)."""
    return {**staff(sid, year), **conditions(sid, year), **external(sid, year), **info(sid, year), **employment(sid, year)[0]}


EMP_FIELDS = ["graduates", "employed", "matched", "direct", "indirect", "further_study", "first_income"]
DATASET = {**dict.fromkeys(staff(S1, 2019), "staff"), **dict.fromkeys(["land_area", "building_area", "equipment_value"], "conditions"),
           **dict.fromkeys(external(S1, 2019), "external_bases"), **dict.fromkeys(info(S1, 2019), "informatization"),
           **dict.fromkeys(EMP_FIELDS, "employment")}  # fmt: skip  (a field outside it is written but is no figure of ours)


def in_unit(value: float, unit: str) -> float:
    """A figure in the dataset's unit, as written in `unit` (亩: the figures are multiples of 3 亩)."""
    factor = {"亩": 3 / 2000, "千元": 10, "元": 10000}.get(unit, 1)
    v = round(value * factor, 4)
    return int(v) if float(v).is_integer() else v


# ---------------------------------------------------------------- truth and books


class Truth:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.rows: list[dict[str, object]] = []
        self.written: list[tuple[object, str]] = []  # per row: what its cell holds and in which unit (for checking)
        self.flagged: list[tuple[str, str, str]] = []  # the deliberate defects' cells, as made

    def add(self, year: int, sid: str, dataset: str, keys: str, field: str, value: object, file: Path, sheet: str, cell: str,
            raw: object, unit: str) -> None:  # fmt: skip
        self.rows.append({"year": year, "school_id": sid, "dataset": dataset, "keys": keys, "field": field, "value": value,
                          "file": file.relative_to(self.base).as_posix(), "sheet": sheet, "cell": cell})  # fmt: skip
        self.written.append((raw, unit))

    def write(self, path: Path) -> None:
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(self.rows[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(sorted(self.rows, key=lambda r: (r["year"], r["school_id"], r["dataset"], r["keys"], r["field"], r["file"])))


_SAME = object()


class Book:
    """One returned file: its sheets, and the truth rows of the figures put into it."""

    def __init__(self, truth: Truth, year: int, sid: str | None, rel: str) -> None:
        self.truth, self.year, self.sid = truth, year, sid
        self.path = truth.base / str(year) / (rel if "/" in rel else f"{FOLDER[sid]}/{rel}")
        self.sheets: list[SheetSpec] = []

    def sheet(self, name: str = "", head: str = "", note: str = "", width: int = 6, header: list | None = None) -> SheetSpec:
        """A new sheet (a CSV's is named after the file): a title merged over row 1, a note in row 2, a header in row 3."""
        s = SheetSpec(name or self.path.stem)
        if head:
            s.merge(0, 0, 0, width - 1, head)
        if note:
            s.put(1, 0, note)
        if header:
            s.row(2, header)
        self.sheets.append(s)
        return s

    def fig(self, s: SheetSpec, r: int, c: int, dataset: str, field: str, value: object, keys: str = "", raw: object = _SAME,
            unit: str = "", sid: str | None = None, formula: str | None = None) -> None:  # fmt: skip
        """Write a figure (as `raw` if given; a formula with `raw` cached) and, unless value is None, its truth row."""
        raw = value if raw is _SAME else raw
        s.formula(r, c, formula, raw) if formula else s.put(r, c, raw)
        if value is not None:
            self.truth.add(self.year, sid or self.sid, dataset, keys, field, value, self.path, s.name, a1(r, c), raw, unit)

    def flag(self, s: SheetSpec, r: int, c: int) -> None:
        self.truth.flagged.append((self.path.relative_to(self.truth.base).as_posix(), s.name, a1(r, c)))

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.suffix == ".csv":  # one sheet; GBK as Chinese Excel saves it (东川技校), or UTF-8 with BOM
            s = self.sheets[0]
            nrows, ncols = max(r for r, _ in s.cells) + 1, max(c for _, c in s.cells) + 1
            text = "".join(",".join(str(s.cells.get((r, c), "")) for c in range(ncols)) + "\r\n" for r in range(nrows))
            self.path.write_bytes(text.encode("gbk") if self.sid == S7 else text.encode("utf-8-sig"))
        else:
            {".xlsx": write_xlsx, ".xls": write_xls, ".ods": write_ods}[self.path.suffix](self.path, self.sheets)


# ---------------------------------------------------------------- layout pieces (each returns the next free row)

GRADES = [("　　其中：一年级", "y1", None), ("　　　　　二年级", "y2", None), ("　　　　　三年级", "y3", None)]
ROWS_A = [("招生数", "enrol", "enrolment"), ("在校生数", "students", "students"), *GRADES, ("毕业生数", "grads", "graduates")]
CERTS = ("获得职业资格证书数", "certs", "certificates")
LIST_COLS = [("专业代码", "code", "major_code"), ("专业名称", "name", None), ("招生数", "enrol", "enrolment"),
             ("在校生数", "students", "students"), ("毕业生数", "grads", "graduates")]  # fmt: skip


def majors_across(b: Book, s: SheetSpec, top: int, ms: list[dict], rows: list, *, total_first: bool, cat_row: bool,
                  numeric_codes: bool = False, formulas: bool = False, facts: bool = True) -> int:  # fmt: skip
    """专业 along the columns: [专业大类,] 专业代码, 专业名称 header rows, then a row per figure; a 合计 column.
    numeric_codes: codes typed as numbers (a leading 0 survives only where someone retyped it, except LOST_ZERO)."""
    n, r = len(ms), top
    first, tcol = (2, 1) if total_first else (1, n + 1)
    if cat_row:
        s.put(r, 0, "专业大类")
        i = 0
        while i < n:
            j = next((j for j in range(i, n) if ms[j]["cat"] != ms[i]["cat"]), n)
            s.merge(r, first + i, r, first + j - 1, ms[i]["cat"]) if j - i > 1 else s.put(r, first + i, ms[i]["cat"])
            i = j
        r += 1
    s.merge(top, tcol, r + 1, tcol, "合计")
    s.row(r, ["专业代码"]), s.row(r + 1, ["专业名称"])
    for i, m in enumerate(ms):
        lost = (b.sid, b.year, m["code"]) == LOST_ZERO
        raw = int(m["code"]) if numeric_codes and (lost or not m["code"].startswith("0")) else m["code"]
        b.fig(s, r, first + i, "students_by_major", "major_code", m["code"] if facts else None, keys(m), raw)
        if lost and numeric_codes:
            b.flag(s, r, first + i)
        s.put(r + 1, first + i, m["name"])
    for rr, (label, attr, field) in enumerate(rows, r + 2):
        s.put(rr, 0, label)
        for i, m in enumerate(ms):
            v = m[attr]
            b.fig(s, rr, first + i, "students_by_major", field, v if field and facts else None, keys(m), "—" if v is None else v)
        total = sum(m[attr] or 0 for m in ms)
        s.formula(rr, tcol, f"=SUM({a1(rr, first)}:{a1(rr, first + n - 1)})", total) if formulas else s.put(rr, tcol, total)
    return r + 2 + len(rows)


def majors_list(b: Book, s: SheetSpec, r: int, ms: list[dict], cols: list, *, text_first: bool = False, marks: str = "—") -> int:
    """One row per 专业: cols are (header, attr, field); text_first: the first row's figures typed as text."""
    s.row(r, [h for h, _, _ in cols])
    for i, m in enumerate(ms, r + 1):
        for c, (_, attr, field) in enumerate(cols):
            v = m[attr]
            if (b.sid, b.year, m["code"], attr) == (S9, 2020, "011600", "students"):
                s.put(i, c, f"({v})")  # defect: no truth row, a person must confirm it
                b.flag(s, i, c)
            else:
                raw = marks if v is None else str(v) if text_first and i == r + 1 else v
                b.fig(s, i, c, "students_by_major", field, v if field else None, keys(m), raw)
    return r + 1 + len(ms)


def majors_grouped(b: Book, s: SheetSpec, r: int, ms: list[dict], cols: list, *, formulas: bool, subtotal_col: int, wrong: int = 0,
                   stale: list[dict] | None = None, text_first: bool = False, marks: str = "—") -> int:  # fmt: skip
    """专业大类 merged down its rows, a 小计 row after each 大类 and a 合计 row; cols (header, attr, field) follow the 大类
    column. Stale rows (last year's, hidden) follow their live row; a 专业 only in `stale` has only a hidden row.
    wrong: added to the first 大类's first 小计 (its parts stay right)."""
    s.row(r, ["专业大类", *(h for h, _, _ in cols)])
    r += 1
    first_row, sub_rows, figure_cols = r, [], [c for c, (_, a, _) in enumerate(cols, 1) if a not in ("code", "name")]
    old = {m["code"]: m for m in stale or []}
    for cat in dict.fromkeys(CATEGORY[c[:2]] for c in [*(m["code"] for m in ms), *old]):
        top, live = r, {m["code"]: m for m in ms if m["cat"] == cat}
        for code in sorted(set(live) | {k for k, m in old.items() if m["cat"] == cat}):
            for m, hidden in ((live.get(code), False), (old.get(code), True)):
                if m is None:
                    continue
                if hidden:
                    s.hidden_rows.add(r)
                for c, (_, attr, field) in enumerate(cols, 1):
                    v = m[attr]
                    raw = marks if v is None else str(v) if text_first and r == first_row else v
                    b.fig(s, r, c, "students_by_major", field, None if hidden or not field else v, keys(m), raw)
                r += 1
        s.merge(r, 1, r, 2, "小计") if subtotal_col == 1 else s.put(r, 2, "小计")
        for c in figure_cols:
            v = sum(m[cols[c - 1][1]] or 0 for m in live.values())
            if wrong and c == figure_cols[0] and not sub_rows:
                v += wrong
                b.flag(s, r, c)
            visible = [a1(x, c) for x in range(top, r) if x not in s.hidden_rows]
            s.formula(r, c, "=" + "+".join(visible), v) if formulas else s.put(r, c, v)
        s.merge(top, 0, r, 0, cat)
        sub_rows.append(r)
        r += 1
    s.merge(r, 0, r, 2, "合计")
    for c in figure_cols:
        v = sum(m[cols[c - 1][1]] or 0 for m in ms)
        s.formula(r, c, "=" + "+".join(a1(x, c) for x in sub_rows), v) if formulas else s.put(r, c, v)
    return r + 1


KIND_FIELDS = [("合计", "total"), ("男", "male"), ("女", "female"), ("35岁及以下", "age_35_below"), ("36-45岁", "age_36_45"),
               ("46-60岁", "age_46_60"), ("61岁及以上", "age_61_above")]  # fmt: skip
KIND_SHORT = ["专任教师", "兼课人员", "兼职教师", "外聘兼课教师"]  # the dimension's aliases, as many forms say them


def kinds_list(b: Book, s: SheetSpec, r: int, labels: list[str], fields: int = 7, *, stale: bool = False,
               formula_total: bool = False, header: str = "类别") -> int:  # fmt: skip
    """One row per 教师类别 (labels in KINDS order); stale: last year's row hidden right under each live one."""
    s.row(r, [header, *(h for h, _ in KIND_FIELDS[:fields])])
    now, before = kinds(b.sid, b.year), kinds(b.sid, b.year - 1)
    r += 1
    for label, kind in zip(labels, KINDS, strict=True):
        s.put(r, 0, label)
        for c, (_, f) in enumerate(KIND_FIELDS[:fields], 1):
            formula = f"={a1(r, 2)}+{a1(r, 3)}" if formula_total and f == "total" else None
            b.fig(s, r, c, "teachers_by_kind", f, now[kind][f], f"teacher_kind={kind}", formula=formula)
        if stale:
            s.row(r + 1, [label, *(before[kind][f] for _, f in KIND_FIELDS[:fields])])
            s.hidden_rows.add(r + 1)
        r += 1 + stale
    return r


def kv(b: Book, s: SheetSpec, r: int, items: list, *, unit_col: bool = False) -> int:
    """Label [| 单位] | value rows. items: (label, field[, unit[, raw[, formula]]]); the figure is facts()[field] in its
    dataset's unit, written in `unit` (or as `raw`); a field outside DATASET is written as it is and is no figure."""
    values = facts(b.sid, b.year)
    for label, field, *rest in items:
        unit, raw, formula = (list(rest) + ["", _SAME, None][len(rest):])[:3]
        v = values[field]
        if raw is _SAME:
            raw = ("是" if v else "否") if field in ("campus_network", "broadband") else in_unit(v, unit) if field in DATASET else v
        s.row(r, [label, unit] if unit_col else [label])
        b.fig(s, r, 1 + unit_col, DATASET.get(field, ""), field, v if field in DATASET else None, raw=raw, unit=unit, formula=formula)
        r += 1
    return r


def bases_list(b: Book, s: SheetSpec, r: int, labels: list[str], cols: list, *, total: bool = True, stale_col: int | None = None) -> int:
    """One row per 基地类别, cols (header, field); stale_col: last year's copy of that column, hidden, just before it."""
    now, before = bases(b.sid, b.year), bases(b.sid, b.year - 1)
    out = [(h, f, False) for h, f in cols]
    if stale_col is not None:
        out.insert(stale_col, (*cols[stale_col], True))
        s.hidden_cols.add(stale_col + 1)
    s.row(r, ["基地类别", *(h for h, _, _ in out)])
    for i, (label, kind) in enumerate(zip(labels, BASES, strict=True), r + 1):
        s.put(i, 0, label)
        for c, (_, f, stale) in enumerate(out, 1):
            s.put(i, c, before[kind][f]) if stale else b.fig(s, i, c, "training_bases", f, now[kind][f], f"base_type={kind}")
    if total:
        s.put(r + 3, 0, "合计")
        for c in range(1, len(out) + 1):
            s.formula(r + 3, c, f"=SUM({a1(r + 1, c)}:{a1(r + 2, c)})", round(s.cells[(r + 1, c)] + s.cells[(r + 2, c)], 2))
    return r + 3 + total


def employment_by_major(b: Book, s: SheetSpec, r: int, heads: list[str], *, formulas: bool) -> int:
    """序号 | 专业 | a column per EMP_FIELDS; the 合计 row holds the school's figures (月均收入: the average, not a sum)."""
    total, rows = employment(b.sid, b.year)
    s.row(r, ["序号", "专业名称", *heads])
    for i, e in enumerate(rows, 1):
        s.row(r + i, [i, e["name"], *(e[f] for f in EMP_FIELDS)])
    t = r + len(rows) + 1
    s.merge(t, 0, t, 1, "合计")
    for c, f in enumerate(EMP_FIELDS, 2):
        fn = "AVERAGE" if f == "first_income" else "SUM"
        b.fig(s, t, c, "employment", f, total[f], formula=f"={fn}({a1(r + 1, c)}:{a1(t - 1, c)})" if formulas else None)
    return t + 1


def emp_items(labels: list[str]) -> list:
    return [(label, f) for label, f in zip(labels, EMP_FIELDS, strict=True) if label]


# ---------------------------------------------------------------- the returns

STAFF_KV = [("教职工总数", "staff_total"), ("专任教师", "fulltime"), ("行政人员", "admin"), ("教辅人员", "support"),
            ("工勤人员", "workers"), ("双师型教师", "dual")]  # fmt: skip
INFO_KV = [("是否建有校园网", "campus_network"), ("是否接入宽带网", "broadband"), ("接入带宽（Mbps）", "bandwidth"),
           ("教室数", "classrooms"), ("具有交互型设备的教室数", "interactive"), ("其中能上网的交互型教室数", "interactive_online"),
           ("具有展示型设备的教室数", "display"), ("其中能上网的展示型教室数", "display_online"),
           ("教师空间数", "teacher_spaces"), ("学生空间数", "student_spaces")]  # fmt: skip
AREAS = [("占地面积", "land_area", "平方米"), ("校舍建筑面积", "building_area", "平方米")]


def beiling_first(truth: Truth, year: int) -> None:
    """北岭一职专: 专业 across the columns; staff, kinds (2020: last year's rows hidden), 亩, bases; employment per 专业."""
    ms = majors(S1, year)
    b = Book(truth, year, S1, f"北岭市第一职业中专{year}年分专业学生情况.xlsx")
    s = b.sheet("分专业学生" if year == 2019 else f"{year}年", f"北岭市第一职业中等专业学校{year}年分专业学生情况", width=len(ms) + 2)
    s.row(1, ["填报单位：北岭市第一职业中等专业学校（盖章）", *[None] * len(ms), "单位：人"])
    if year == 2019:
        majors_across(b, s, 3, ms, [*ROWS_A, CERTS], total_first=True, cat_row=False, formulas=True)
    else:
        rows = [("本年招生数", "enrol", "enrolment"), *ROWS_A[1:5], ("毕(结)业生数", "grads", "graduates"), ("取得职业资格证书人数", "certs", "certificates")]
        r = majors_across(b, s, 3, ms, rows, total_first=False, cat_row=True, formulas=True)
        s.put(r + 1, 0, "注：在校生数含一、二、三年级学生；毕(结)业生数为2020年夏季毕业人数。")
    b.save()

    b = Book(truth, year, S1, f"北岭一职专{year}年教职工及办学条件.xlsx")
    kv(b, b.sheet("教职工", f"北岭一职专{year}年教职工情况", width=2, header=["项目", "人数"]), 3, STAFF_KV)
    kinds_list(b, b.sheet("分类别教师", "分类别教师情况（单位：人）", width=8), 2, list(KINDS), stale=year == 2020)
    s = b.sheet("办学条件", f"北岭市第一职业中等专业学校{year}年办学条件", width=3, header=["项目", "单位", "数量"])
    kv(b, s, 3, [("占地面积", "land_area", "亩"), AREAS[1], ("教学仪器设备资产值", "equipment_value", "万元"), ("图书", "books", "万册")], unit_col=True)
    s = b.sheet("实训基地", "校内实习实训基地", width=5)
    heads = [("基地数（个）", "bases"), ("设备总量（台套）", "equipment_sets"), ("设备总值（万元）", "equipment_value"), ("与企业合作共建基地数（个）", "coop_bases")]
    r = bases_list(b, s, 1, ["学校实习实训基地", "公共实习实训基地"], heads)
    s.put(r + 1, 0, "校外实习实训基地")
    kv(b, s, r + 2, [("校外实训基地数（个）", "external_bases"), ("接待学生量（人次）", "external_visits"), ("使用天数（天）", "external_days")])
    b.save()

    b = Book(truth, year, S1, f"北岭一职专{year}届毕业生就业情况统计.xlsx")
    s = b.sheet("就业情况", f"北岭市第一职业中等专业学校{year}届毕业生就业情况", width=9)
    heads = ["毕业生数", "就业人数", "对口就业人数", "直接就业人数", "间接就业人数", "升学人数", "初次就业月均收入（元）"]
    employment_by_major(b, s, 2, heads, formulas=year == 2020)
    b.save()


def beiling_health(truth: Truth, year: int) -> None:
    """北岭卫校: a 专业 list with 小计/合计 (.xls; 2019 a wrong 小计, 2020 last year's rows hidden); an .ods of staff, 元, 就业."""
    b = Book(truth, year, S2, f"北岭市卫生学校{year}年招生在校生毕业生统计.xls")
    s = b.sheet("学生", f"北岭市卫生学校{year}年分专业招生、在校生、毕业生统计表", "单位：人", width=6)
    cols = [*LIST_COLS[:2], ("招生人数", "enrol", "enrolment"), ("在校学生数", "students", "students"), ("毕业人数", "grads", "graduates")]
    r = majors_grouped(b, s, 2, majors(S2, year), cols, formulas=False, subtotal_col=2, wrong=10 if year == 2019 else 0,
                       stale=majors(S2, 2019) if year == 2020 else None, marks="—" if year == 2019 else "－")  # fmt: skip
    s.put(r + 1, 0, "填表人：            审核人：            填报日期：")
    b.save()

    b = Book(truth, year, S2, f"北岭卫校{year}年基本情况.ods")
    s = b.sheet("教职工", "北岭市卫生学校教职工情况", width=4, header=["项目", "人数"])
    items = [("教职工数", "staff_total", "", _SAME, "=SUM(B5:B8)" if year == 2020 else None), ("专任教师数", "fulltime"), *STAFF_KV[2:]]
    kinds_list(b, s, kv(b, s, 3, items) + 1, KIND_SHORT, 3, header="教师类别")
    s = b.sheet("办学条件", f"北岭市卫生学校{year}年办学条件", width=3, header=["项目", "单位", "数值"])
    kv(b, s, 3, [*AREAS, ("教学仪器设备资产值", "equipment_value", "元")], unit_col=True)
    s = b.sheet("就业", f"北岭卫校{year}届毕业生就业情况", width=2, header=["项目", "人数"])
    kv(b, s, 3, emp_items(["毕业生总数", "就业人数", "对口就业人数", "", "", "升学人数", "初次就业月均收入（元）"]))
    b.save()


def beiling_district(truth: Truth, year: int) -> None:
    """北岭区职教中心: one sheet of stacked blocks, in another order in 2020; 单位：千元 line; （金额单位：万元） caption."""
    b = Book(truth, year, S3, f"北岭区职教中心{year}年基本情况表.xlsx")
    s = b.sheet("基本情况" if year == 2019 else "基本情况表", f"北岭市北岭区职业教育中心{year}年基本情况", f"填报日期：{year}年9月30日")
    st = staff(S3, year)

    def people(r: int) -> int:  # label | value pairs, two to a row
        pairs = [("教职工数", "staff_total"), ("专任教师数", "fulltime"), ("行政人员", "admin"), ("教辅人员", "support"),
                 ("工勤人员", "workers"), ("双师型教师", "dual")]  # fmt: skip
        for i, (label, f) in enumerate(pairs):
            rr, cc = r + i // 2, 2 * (i % 2)
            s.put(rr, cc, label)
            formula = f"={a1(r, 3)}+{a1(r + 1, 1)}+{a1(r + 1, 3)}+{a1(r + 2, 1)}" if f == "staff_total" and year == 2020 else None
            b.fig(s, rr, cc + 1, "staff", f, st[f], formula=formula)
        return r + 3

    def ground(r: int) -> int:
        return kv(b, s, r, [("占地面积（平方米）", "land_area"), ("校舍建筑面积（平方米）", "building_area"), ("运动场面积（平方米）", "sports")])

    def assets(r: int) -> int:
        s.put(r, 0, "单位：千元")
        return kv(b, s, r + 1, [("固定资产总值", "assets"), ("教学仪器设备资产值", "equipment_value", "千元")])

    def students(r: int) -> int:
        s.put(r := majors_list(b, s, r, majors(S3, year), LIST_COLS), 0, "注：专业代码按《中等职业学校专业目录（2010年修订）》填写。")
        return r + 1

    def jobs(r: int) -> int:
        r = kv(b, s, r, emp_items(["毕业生数", "就业人数", "对口就业人数", "直接就业人数", "间接就业人数", "升学人数", "初次就业月平均收入（元）"]))
        s.put(r, 0, "注：就业人数含升学人数；月平均收入以元为单位。")
        return r + 1

    def training(r: int) -> int:
        labels = ["学校实训基地" if year == 2019 else "校内实习实训基地", "公共实训基地"]
        return bases_list(b, s, r, labels, [("基地数", "bases"), ("设备总值", "equipment_value"), ("设备总量（台套）", "equipment_sets")], total=False)

    blocks = {2019: [(people, "一、教职工情况"), (ground, "（二）办学条件"), (assets, "（三）资产情况"), (students, "表4 分专业学生情况"),
                     (jobs, "五、毕业生就业情况"), (training, "（六）实训基地情况（金额单位：万元）")],
              2020: [(students, "表1 专业设置与学生情况"), (jobs, "二、毕业生就业"), (people, "三、教职工"),
                     (training, "（四）校内实训基地（金额单位：万元）"), (ground, "（五）办学条件"), (assets, "六、固定资产")]}  # fmt: skip
    r = 3
    for block, caption in blocks[year]:
        s.put(r, 0, caption)
        r = block(r + 1) + 1
    b.save()


def huayuan(truth: Truth, year: int) -> None:
    """华远职校: 2019 an .xls of three small sheets (“856000元”); 2020 one sheet of stacked blocks."""
    ms, money = majors(S4, year), ("教学仪器设备资产值", "equipment_value")
    if year == 2019:
        b = Book(truth, year, S4, "华远职校2019年统计报表.xls")
        s = b.sheet("基本数据", "北岭市华远职业技术学校2019年基本数据", width=2, header=["项目", "数值"])
        r = kv(b, s, 3, [("教职工数", "staff_total"), ("专任教师数", "fulltime"), ("占地面积（平方米）", "land_area"),
                         ("校舍建筑面积（平方米）", "building_area"), (*money, "元", "856000元")])  # fmt: skip
        b.flag(s, r - 1, 1)
        s = b.sheet("学生情况")
        s.put(0, 0, "学校名称：北岭市华远职业技术学校")
        majors_list(b, s, 1, ms, [*LIST_COLS[:2], ("本年招生数", "enrol", "enrolment"), *LIST_COLS[3:]])
        kinds_list(b, b.sheet("教师分类"), 0, ["专任教师", "校内兼课教师", "兼职教师", "外聘兼课教师"], 3, header="教师类别")
        return b.save()
    b = Book(truth, year, S4, "北岭市华远职业技术学校2020年度报表汇总.xlsx")
    s = b.sheet("汇总", "北岭市华远职业技术学校2020年度报表汇总", width=7)
    s.row(2, ["一、学校基本情况"]), s.row(3, ["项目", "单位", "数值"])
    r = kv(b, s, 4, [("教职工数", "staff_total", "人"), ("专任教师数", "fulltime", "人"), *AREAS, (*money, "万元")], unit_col=True)
    s.put(r + 1, 0, "二、分专业学生情况")
    r = majors_list(b, s, r + 2, ms, LIST_COLS)
    s.put(r + 1, 0, "三、校内实习实训基地（金额单位：万元）")
    cols = [("基地数", "bases"), ("设备总量（台套）", "equipment_sets"), ("设备总值", "equipment_value"), ("与企业合作共建基地数", "coop_bases")]
    r = bases_list(b, s, r + 2, ["学校实习实训基地", "公共实习实训基地"], cols)
    s.put(r + 1, 0, "四、信息化建设情况")
    r = kv(b, s, r + 2, INFO_KV[:8])
    s.put(r + 1, 0, "五、分类别教师（单位：人）")
    kinds_list(b, s, r + 2, list(KINDS), 3)
    b.save()


def dongchuan(truth: Truth, year: int) -> None:
    """东川职教: an .ods of 专业 across the columns (2020: codes as numbers, last year's sheet hidden), teachers
    (2020: last year's rows hidden, totals as formulas), 就业."""
    ms = majors(S5, year)
    b = Book(truth, year, S5, f"东川县职教中心{year}年学生及教师情况.ods")
    s = b.sheet("分专业学生", f"东川县职业教育中心{year}年分专业学生情况", width=len(ms) + 2)
    if year == 2019:
        majors_across(b, s, 2, ms, ROWS_A, total_first=False, cat_row=True, formulas=True)
    else:
        majors_across(b, s, 2, ms, [*ROWS_A, CERTS], total_first=True, cat_row=False, numeric_codes=True, formulas=True)
    kinds_list(b, b.sheet("教师"), 0, list(KINDS), stale=year == 2020, formula_total=year == 2020)
    s = b.sheet("就业")
    s.row(0, ["指标", "数值"])
    kv(b, s, 1, emp_items(["毕业生数", "就业", "对口就业", "直接就业", "间接就业", "升学", "月均收入"]))
    if year == 2020:
        s = b.sheet("2019年")
        s.hidden = True
        majors_across(b, s, 0, majors(S5, 2019), ROWS_A, total_first=False, cat_row=True, facts=False)
    b.save()


def minzu(truth: Truth, year: int) -> None:
    """东川民族职中: 专业 list with 小计 formulas (2020: text numbers first), kinds, bases (2020: a hidden stale column)."""
    b = Book(truth, year, S6, f"东川县民族职业中学{year}年统计报表.xlsx")
    s = b.sheet("专业设置及学生", f"东川县民族职业中学{year}年专业设置及学生情况", "单位：人")
    majors_grouped(b, s, 2, majors(S6, year), LIST_COLS, formulas=True, subtotal_col=1, text_first=year == 2020, marks="－" if year == 2019 else "/")
    kinds_list(b, b.sheet("教师", f"东川县民族职业中学{year}年分类别教师", width=8), 2, list(KINDS))
    s = b.sheet("实训基地", "实训基地情况", width=5)
    cols = [("基地数", "bases"), ("设备总值（万元）", "equipment_value"), ("设备总量（台套）", "equipment_sets")]
    bases_list(b, s, 2, ["校内实习实训基地", "公共实习实训基地"], cols, stale_col=1 if year == 2020 else None)
    b.save()


def jigong(truth: Truth, year: int) -> None:
    """东川技校: students (2019 .xlsx, 2020 a GBK .csv) and 就业 as indicator rows with a 比例 column."""
    ms, cols = majors(S7, year), [*LIST_COLS, ("取得职业资格证书人数", "certs", "certificates")]
    if year == 2019:
        b = Book(truth, year, S7, "东川技校2019年学生及就业情况.xlsx")
        majors_list(b, b.sheet("学生", "东川县技工学校2019年分专业学生情况"), 1, ms, cols)
    else:
        b = Book(truth, year, S7, "东川县技工学校2020年分专业学生.csv")
        majors_list(b, b.sheet(), 0, ms, [(h.replace("生数", "生人数"), a, f) for h, a, f in cols])
        b.save()
        b = Book(truth, year, S7, "东川技校2020年毕业生就业情况.xlsx")
    s = b.sheet("就业", f"东川县技工学校{year}届毕业生就业情况", width=3, header=["指标", "人数", "占毕业生比例"])
    total = employment(S7, year)[0]
    for r, (label, f) in enumerate([("毕业生数", "graduates"), ("就业人数", "employed"), ("对口就业人数", "matched"),
                                    ("升学人数", "further_study"), ("初次就业月平均收入（元）", "first_income")], 3):  # fmt: skip
        s.put(r, 0, label)
        b.fig(s, r, 1, "employment", f, total[f])
        if f != "first_income":
            s.put(r, 2, f"{total[f] / total['graduates'] * 100:.1f}%")
    b.save()


def shimen(truth: Truth, year: int) -> None:
    """石门职教: 专业 across the columns (2020: merged 大类 row, text and number codes); 就业 per 专业; 信息化."""
    ms = majors(S8, year)
    b = Book(truth, year, S8, f"石门县职教中心{year}年分专业学生.xlsx")
    s = b.sheet("Sheet1" if year == 2019 else "分专业", f"石门县职业教育中心{year}年分专业学生情况", "学校名称：石门县职业教育中心", len(ms) + 2)
    rows = [*ROWS_A, ("获得职业资格证书人数", "certs", "certificates")]
    majors_across(b, s, 3, ms, rows, total_first=year == 2020, cat_row=year == 2020, numeric_codes=year == 2020)
    b.save()
    b = Book(truth, year, S8, f"石门职教{year}届毕业生就业统计.xlsx")
    s = b.sheet("毕业生就业", f"石门县职业教育中心{year}届毕业生就业统计表", width=9)
    heads = ["毕业生总数", "就业人数", "对口就业人数", "直接就业人数", "间接就业人数", "升学人数", "初次就业月平均收入（元）"]
    employment_by_major(b, s, 2, heads, formulas=year == 2019)
    b.save()
    b = Book(truth, year, S8, f"石门职教{year}年信息化建设情况.xlsx")
    kv(b, b.sheet("信息化", f"石门县职业教育中心{year}年信息化建设情况", width=2, header=["项目", "填报内容"]), 3, INFO_KV)
    b.save()


def nongzhi(truth: Truth, year: int) -> None:
    """石门农职: students as a UTF-8 .csv (2019) or an .xls with text numbers and “(46)” (2020); kinds as .xls."""
    ms = majors(S9, year)
    if year == 2019:
        b = Book(truth, year, S9, "石门县农业职业学校2019年学生统计.csv")
        majors_list(b, b.sheet(), 0, ms, [*LIST_COLS, ("获得职业资格证书人数", "certs", "certificates")])
        b.save()
        b = Book(truth, year, S9, "石门农职2019年教师情况.xls")
        kinds_list(b, b.sheet("教师"), 0, KIND_SHORT, 3, header="教师类别")
        return b.save()
    b = Book(truth, year, S9, "石门农职2020年学生统计表.xls")
    s = b.sheet("学生", "石门县农业职业学校2020年学生统计表", "填报单位：石门县农业职业学校", width=5)
    majors_list(b, s, 3, ms, [*LIST_COLS[:3], ("在校学生数", "students", "students"), LIST_COLS[4]], text_first=True)
    kinds_list(b, b.sheet("教师"), 0, list(KINDS), 3)
    b.save()


# county bureaus: file, sheet, schools and their names as columns, 合计 first?, its label, rows (label, 单位, field)
COUNTY_TABLES = {
    ("东川县", 2019): ("东川县2019年中等职业学校基本情况统计表.xlsx", "基本情况", [S5, S6, S7], ["东川职教", "东川民族职中", "东川技校"],
                     False, "全县合计", [("教职工数", "人", "staff_total"), ("其中：专任教师", "人", "fulltime"), ("行政人员", "人", "admin"),
                     ("占地面积", "亩", "land_area"), ("校舍建筑面积", "平方米", "building_area"),
                     ("教学仪器设备资产值", "万元", "equipment_value"), ("图书", "万册", "books"), ("计算机", "台", "computers")]),
    ("东川县", 2020): ("东川县2020年中职学校基本情况.xls", "Sheet1", [S5, S6, S7], ["东川县职教中心", "民族职中", "东川技校"],
                     True, "合计", [("教职工数", "人", "staff_total"), ("专任教师数", "人", "fulltime"),
                     ("校舍建筑面积", "平方米", "building_area"), ("占地面积", "亩", "land_area"),
                     ("教学仪器设备资产值", "千元", "equipment_value"), ("计算机", "台", "computers")]),
    ("石门县", 2019): ("石门县2019年职业学校办学条件汇总.ods", "汇总", [S8, S9], ["石门职教", "石门农职"], False, "合计",
                     [("教职工总数", "人", "staff_total"), ("专任教师数", "人", "fulltime"), ("占地面积", "平方米", "land_area"),
                      ("校舍建筑面积", "平方米", "building_area"), ("教学、实习仪器设备总值", "千元", "equipment_value")]),
    ("石门县", 2020): ("石门县2020年职业学校基本情况汇总表.xlsx", "2020年", [S9, S8], ["石门农校", "石门县职教中心"], True, "全县合计",
                     [("教职工数", "人", "staff_total"), ("专任教师", "人", "fulltime"), ("占地面积", "平方米", "land_area"),
                      ("校舍建筑面积", "平方米", "building_area"), ("教学仪器设备资产值", "万元", "equipment_value"),
                      ("校外实习实训基地数", "个", "external_bases"), ("校外实训基地接待学生量", "人次", "external_visits")]),
}  # fmt: skip


def county_table(truth: Truth, county: str, year: int) -> None:
    """Fields as rows, a 单位 column, the schools as columns (short names), a 合计 column first or last (石门县: formulas)."""
    file, sheet, sids, names, total_first, total_label, rows = COUNTY_TABLES[(county, year)]
    b, n = Book(truth, year, None, f"{county}教育局/{file}"), len(sids)
    first, tcol = (3, 2) if total_first else (2, n + 2)
    s = b.sheet(sheet, file.rsplit(".", 1)[0], width=n + 3, header=["指标名称", "计量单位"] if year == 2020 else ["项目", "单位"])
    s.row(1, [f"填报单位：{county}教育局（盖章）", *[None] * n, f"{year}年10月"])
    s.put(2, tcol, total_label)
    s.row(2, names, start_col=first)
    for r, (label, unit, f) in enumerate(rows, 3):
        s.row(r, [label, unit])
        for i, sid in enumerate(sids):
            v = facts(sid, year)[f]
            b.fig(s, r, first + i, DATASET.get(f, ""), f, v if f in DATASET else None, raw=in_unit(v, unit), unit=unit, sid=sid)
        total = in_unit(sum(s.cells[(r, first + i)] for i in range(n)), "")
        s.formula(r, tcol, f"=SUM({a1(r, first)}:{a1(r, first + n - 1)})", total) if county == "石门县" else s.put(r, tcol, total)
    s.put(len(rows) + 4, 0, "注：各校数字由学校填报，县教育局汇总；占地面积、金额请注意计量单位。")
    b.save()


def write_roster(path: Path) -> None:
    s = SheetSpec("学校名录")
    s.row(0, ["学校代码", "学校名称", "别名", "旗县区", "办学类型", "举办者", "级别", "是否技工学校"])
    for i, school in enumerate(SCHOOLS, 1):
        s.row(i, list(school))
    write_xlsx(path, [s])


RETURNS = [beiling_first, beiling_health, beiling_district, huayuan, dongchuan, minzu, jigong, shimen, nongzhi]


def build(out: Path = HERE) -> Truth:
    """Write the returns, roster and truth.csv into `out` (README.md and tongji.toml there are written by hand)."""
    for year in YEARS:
        shutil.rmtree(out / str(year), ignore_errors=True)
    truth = Truth(out)
    for year in YEARS:
        for county in ("东川县", "石门县"):
            county_table(truth, county, year)
        for school in RETURNS:
            school(truth, year)
    write_roster(out / "roster.xlsx")
    truth.write(out / "truth.csv")
    listed = sorted((d["file"], d["sheet"], d["cell"]) for d in DEFECTS)
    assert sorted(truth.flagged) == listed, f"DEFECTS out of date: made {sorted(truth.flagged)}"
    return truth


if __name__ == "__main__":
    build()
