"""The sample returns of 赤峰市 for 2021, 2024 and 2025, in the current forms.

From the 2021/22 school year the national client exports the 教基 forms (DOMAIN.md):
教基1001 学校基本情况, 教基3221 学生情况 with its repeating-row 教基3221续 (one row per
专业), 教基4251 教职工, 教基4261 专任教师, 教基5377 办学条件; 专业 are coded by the
《职业教育专业目录（2021年）》. The layouts here are modelled on those codes and on the
exports of the 中职基 forms: the printed wording of the 教基 forms could not be checked
(samples/README.md says which parts are modelled), which is why the mappings that read
them match on header text with aliases, never on fixed cells.

The figures grow from 2020's (generate.py's ground truth), school by school; 专业 move to
the 2021 catalogue by MAJORS_2021. One school (OLD_FORM_SCHOOL) still sends the 中职基
forms and 2010 codes in 2025: that is found and reported, and its figures are crosswalked.
The 6-digit 2021 codes below follow the catalogue's rule (the first two digits are the
大类) but are illustrative, not checked one by one.
"""

from __future__ import annotations

import csv
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import generate as g
from sheetspec import SheetSpec, write_xls, write_xlsx

YEARS = (2021, 2024, 2025)
GROWTH = {2021: 1.04, 2024: 1.09, 2025: 1.12}  # on 2020's figures, city-wide
OLD_FORM_SCHOOL = (2025, "赤峰东方职业学校")  # defect: the 中职基 forms and 2010 codes, in 2025
TRUTH_FILE = "truth_current.csv"

# 2010 专业 → (2021 大类, 专业名称, 专业代码)
MAJORS_2021: dict[str, tuple[str, str, str]] = {
    "设施农业生产技术": ("农林牧渔大类", "设施农业生产技术", "610102"),
    "现代农艺技术": ("农林牧渔大类", "现代农艺技术", "610101"),
    "畜牧兽医": ("农林牧渔大类", "畜牧兽医", "610301"),
    "环境监测技术": ("资源环境与安全大类", "环境监测技术", "620501"),
    "电厂及变电站电气运行": ("能源动力与材料大类", "发电厂及变电站电气设备", "630101"),
    "光伏工程技术与应用": ("能源动力与材料大类", "光伏工程技术与应用", "630301"),
    "建筑工程施工": ("土木建筑大类", "建筑工程施工", "640301"),
    "建筑装饰": ("土木建筑大类", "建筑装饰技术", "640105"),
    "工程测量": ("资源环境与安全大类", "工程测量技术", "620301"),
    "机电技术应用": ("装备制造大类", "机电技术应用", "660301"),
    "电气运行与控制": ("装备制造大类", "电气设备运行与控制", "660302"),
    "数控技术应用": ("装备制造大类", "数控技术应用", "660103"),
    "化学工艺": ("生物与化工大类", "化学工艺", "670201"),
    "汽车运用与维修": ("交通运输大类", "汽车运用与维修", "700206"),
    "汽车车身修复": ("交通运输大类", "汽车车身修复", "700207"),
    "铁道运输管理": ("交通运输大类", "铁道运输服务", "700103"),
    "服装设计与工艺": ("轻工纺织大类", "服装设计与工艺", "680401"),
    "食品生物工艺": ("食品药品与粮食大类", "食品生物工艺", "690101"),
    "计算机应用": ("电子与信息大类", "计算机应用", "710201"),
    "计算机网络技术": ("电子与信息大类", "计算机网络技术", "710202"),
    "电子技术应用": ("电子与信息大类", "电子技术应用", "710103"),
    "计算机动漫与游戏制作": ("电子与信息大类", "动漫与游戏制作", "710204"),
    "护理": ("医药卫生大类", "护理", "720201"),
    "药剂": ("医药卫生大类", "药剂", "720301"),
    "中医护理": ("医药卫生大类", "中医康复技术", "720402"),
    "美容美体": ("医药卫生大类", "美容美体艺术", "720601"),
    "会计": ("财经商贸大类", "会计事务", "730301"),
    "电子商务": ("财经商贸大类", "电子商务", "730701"),
    "旅游服务与管理": ("旅游大类", "旅游服务与管理", "740101"),
    "中餐烹饪与营养膳食": ("旅游大类", "中餐烹饪", "740201"),
    "美术绘画": ("文化艺术大类", "美术绘画", "750102"),
    "音乐": ("文化艺术大类", "音乐表演", "750201"),
    "舞蹈表演": ("文化艺术大类", "舞蹈表演", "750202"),
    "运动训练": ("教育与体育大类", "运动训练", "770301"),
    "学前教育": ("教育与体育大类", "幼儿保育", "770101"),
    "幼儿保育": ("教育与体育大类", "幼儿保育", "770101"),
    "法律事务": ("公安与司法大类", "法律事务", "780201"),
    "社会保障事务": ("公共管理与服务大类", "社会保障事务", "790201"),
    "民族美术": ("文化艺术大类", "民族美术", "750105"),
}
MAJOR_FIELDS = ("enrolment", "students", "graduates")  # the 教基3221续 has no certificates column


# ---------------------------------------------------------------- ground truth


def build_current_truth(base: g.Truth, schools: list[g.School], rng: random.Random) -> g.Truth:
    """2021, 2024 and 2025 figures grown from 2020's, school by school."""
    t = g.Truth()
    regular = [s for s in schools if not s.technical]
    for year in YEARS:
        factor = {s.school_id: GROWTH[year] * rng.uniform(0.97, 1.03) for s in schools}
        for s in schools:
            _majors(t, base, year, s, factor[s.school_id])
        for s in regular:
            f = factor[s.school_id]
            students = sum(rec["students"] for rec in t.records(year, s.school_id, "students_by_major").values())
            for name, v in (("school_name", s.name), ("school_code", s.school_id), ("students", students)):
                t.set(year, s.school_id, "school_info", (), name, v)
            _staff(t, base, year, s, f)
            _kinds(t, base, year, s, f)
            _scaled(t, base, year, s, "conditions", f, {"land_area": 0, "building_area": 0}, decimals={"equipment_value": 3})
            _scaled(t, base, year, s, "training_bases", f, decimals={"equipment_value": 2})
            _scaled(t, base, year, s, "external_bases", f)
            _informatization(t, base, year, s, f)
            _employment(t, base, year, s, f)
        for keys, rec in base.records(2020, "", "general_high").items():
            for name, v in rec.items():
                t.set(year, "", "general_high", keys, name, round(v * GROWTH[year]))
    return t


def _majors(t: g.Truth, base: g.Truth, year: int, s: g.School, f: float) -> None:
    """2020's 专业 in the 2021 catalogue (two 2010 专业 may become one), grown."""
    old_form = (year, s.name) == OLD_FORM_SCHOOL
    merged: dict[tuple, dict[str, Any]] = {}
    for keys, rec in base.records(2020, s.school_id, "students_by_major").items():
        if old_form:
            new_keys, code = keys, rec["major_code"]
        else:
            category, major, code = MAJORS_2021[dict(keys)["major"]]
            new_keys = (("major_category", category), ("major", major))
        into = merged.setdefault(new_keys, {"major_code": code, **dict.fromkeys(MAJOR_FIELDS, 0)})
        for name in MAJOR_FIELDS:
            into[name] += round(rec[name] * f)
    for keys, rec in merged.items():
        for name, v in rec.items():
            t.set(year, s.school_id, "students_by_major", keys, name, v)


def _staff(t: g.Truth, base: g.Truth, year: int, s: g.School, f: float) -> None:
    old = base.records(2020, s.school_id, "staff")[()]
    rec = {k: round(old[k] * f) for k in ("admin", "support", "workers", "postgrad", "bachelor", "below_bachelor", "specialty", "dual")}
    rec["fulltime"] = rec["postgrad"] + rec["bachelor"] + rec["below_bachelor"]
    rec["staff_total"] = rec["fulltime"] + rec["admin"] + rec["support"] + rec["workers"]
    rec["specialty"] = min(rec["specialty"], rec["fulltime"])
    rec["dual"] = min(rec["dual"], rec["specialty"])
    for k, v in rec.items():
        t.set(year, s.school_id, "staff", (), k, v)


def _kinds(t: g.Truth, base: g.Truth, year: int, s: g.School, f: float) -> None:
    ages = ("age_35_below", "age_36_45", "age_46_60", "age_61_above")
    for keys, old in base.records(2020, s.school_id, "teachers_by_kind").items():
        if dict(keys)["teacher_kind"] == "校内专任教师":
            total = t.get(year, s.school_id, "staff", (), "fulltime")
        else:
            total = round(old["total"] * f)
        male = round(total * old["male"] / old["total"]) if old["total"] else total // 2
        rec = {"total": total, "male": male, "female": total - male}
        rec.update(zip(ages, g.split_int(total, [float(old[a]) for a in ages]), strict=True))
        for k, v in rec.items():
            t.set(year, s.school_id, "teachers_by_kind", keys, k, v)


def _scaled(t: g.Truth, base: g.Truth, year: int, s: g.School, dataset: str, f: float, fixed: dict | None = None, decimals: dict | None = None) -> None:
    """Every figure of a dataset grown by `f` (those in `fixed` kept, as 占地面积)."""
    for keys, rec in base.records(2020, s.school_id, dataset).items():
        for name, v in rec.items():
            if fixed is not None and name in fixed:
                value = v
            elif decimals and name in decimals:
                value = round(v * f, decimals[name])
            else:
                value = round(v * f)
            t.set(year, s.school_id, dataset, keys, name, value)


def _informatization(t: g.Truth, base: g.Truth, year: int, s: g.School, f: float) -> None:
    old = base.records(2020, s.school_id, "informatization")[()]
    rec = {k: round(old[k] * f) for k in ("teachers", "students", "bandwidth", "classrooms", "school_spaces")}
    rec["campus_network"], rec["broadband"] = old["campus_network"], old["broadband"]
    for part, whole in (("interactive", "classrooms"), ("display", "classrooms"), ("interactive_online", "interactive"), ("display_online", "display"), ("teacher_spaces", "teachers"), ("student_spaces", "students")):
        rec[part] = min(round(old[part] * f), rec[whole])
    for k, v in rec.items():
        t.set(year, s.school_id, "informatization", (), k, v)


def _employment(t: g.Truth, base: g.Truth, year: int, s: g.School, f: float) -> None:
    old = base.records(2020, s.school_id, "employment").get(())
    if not old:
        return
    grads = round(old["graduates"] * f)
    rec = {"graduates": grads}
    for name in ("employed", "direct", "indirect", "further_study", "first_job"):
        rec[name] = min(round(grads * old[name] / old["graduates"]), grads)
    rec["matched"] = min(round(grads * old["matched"] / old["graduates"]), rec["employed"])
    rec["first_income"] = round(old["first_income"] * (1 + 0.03 * (year - 2020)), 2)
    for k, v in rec.items():
        t.set(year, s.school_id, "employment", (), k, v)


# ---------------------------------------------------------------- the current forms


def _suffix(school: g.School) -> str:
    return "_中等技术学校" if school.school_type == "普通中专" else "_职业高中学校"


def f1001(sf, school: g.School, year: int) -> g.Sink:
    return g._kv_sheet(
        sf,
        "教基1001",
        "学校（机构）基本情况",
        [
            ("学校（机构）名称", g.V("school_info", (), "school_name")),
            ("学校（机构）标识码", g.V("school_info", (), "school_code")),
            ("办学类型", school.school_type),
            ("举办者类型", school.sponsor),
            ("所在地区", f"内蒙古自治区赤峰市{school.district}"),
            ("统计年度", f"{year}学年"),
        ],
    )


def f3221(sf, school: g.School, year: int, truth: g.Truth) -> g.Sink:
    """The school's totals: 毕业生数, 招生数, 在校生数 by grade."""
    cols = [("毕业生数",), ("招生数",), ("在校生数", "合计"), ("在校生数", "一年级"), ("在校生数", "二年级"), ("在校生数", "三年级"), ("预计毕业生数",)]
    form = g.GridForm("教基3221", "中等职业教育学生情况", "人", "项目", cols)
    records = truth.records(year, school.school_id, "students_by_major").values()
    grads, enrol = sum(r["graduates"] for r in records), sum(r["enrolment"] for r in records)
    grades = g.split_int(truth.get(year, school.school_id, "school_info", (), "students"), [1.1, 1.0, 0.9])
    rows = [
        ("总  计", "01", [grads, enrol, g.V("school_info", (), "students"), *grades, grades[-1]]),
        ("其中：女", "02", ["*", "*", 0, 0, 0, 0, "*"]),
        ("少数民族", "03", ["*", "*", 0, 0, 0, 0, "*"]),
    ]
    return g.export_sheet(sf, "教基3221" + _suffix(school), form, school.written_name, rows)


def f3221x(sf, school: g.School, year: int, truth: g.Truth) -> g.Sink:
    """The repeating rows: one per 专业, with its code (text, leading zeros kept)."""
    cols = [("专业代码",), ("学制（年）",), ("毕业生数",), ("招生数",), ("在校生数", "合计"), ("在校生数", "其中：女"), ("预计毕业生数",)]
    form = g.GridForm("教基3221续", "中等职业教育分专业学生情况（续）", "人", "专业名称", cols)
    records = truth.records(year, school.school_id, "students_by_major")
    k = "students_by_major"
    rows = [("总  计", "01", [None, "*", *(sum(r[f] for r in records.values()) for f in ("graduates", "enrolment", "students")), 0, 0])]
    for i, keys in enumerate(records, 2):
        cells = [g.V(k, keys, "major_code"), 3, g.V(k, keys, "graduates"), g.V(k, keys, "enrolment"), g.V(k, keys, "students"), 0, g.C(k, keys, "graduates")]
        rows.append((dict(keys)["major"], f"{i:02d}", cells))
    return g.export_sheet(sf, "教基3221续" + _suffix(school), form, school.written_name, rows, note="注：专业代码按《职业教育专业目录（2021年）》填写。")


def f4251(sf, school: g.School, year: int) -> g.Sink:
    cols = [("合计",), ("校本部教职工", "专任教师"), ("校本部教职工", "行政人员"), ("校本部教职工", "教辅人员"), ("校本部教职工", "工勤人员"), ("聘请校外教师",)]
    form = g.GridForm("教基4251", "中等职业学校教职工情况", "人", "项目", cols)
    k = ()
    rows = [
        ("总  计", "01", [g.V("staff", k, "staff_total"), g.V("staff", k, "fulltime"), g.V("staff", k, "admin"), g.V("staff", k, "support"), g.V("staff", k, "workers"), 0]),
        ("其中：女", "02", [0, 0, 0, 0, 0, 0]),
        ("正高级", "03", ["*", 0, 0, 0, "*", "*"]),
    ]
    return g.export_sheet(sf, "教基4251", form, school.written_name, rows)


def f4261(sf, school: g.School, year: int, truth: g.Truth) -> g.Sink:
    """学历 split finer than 中职基421: 博士/硕士 and 专科/高中阶段及以下 are two columns
    each; the mapping sums them (each figure's truth cell is the sum of both cells)."""
    cols = [("合计",), ("按学历分", "博士研究生"), ("按学历分", "硕士研究生"), ("按学历分", "本科"), ("按学历分", "专科"), ("按学历分", "高中阶段及以下")]
    form = g.GridForm("教基4261", "中等职业学校专任教师学历情况", "人", "项目", cols)
    k = ()
    rec = truth.records(year, school.school_id, "staff")[()]

    def two(name: str, first: int) -> list[Callable]:
        """A figure written in two cells that add up to it."""

        def put(sink: g.Sink, r: int, c: int) -> None:
            sink.spec.put(r, c, first)
            sink.spec.put(r, c + 1, rec[name] - first)
            sid = sink.school.school_id
            sink.placed.append(((year, sid, "staff", k, name), None, f"{g.cell_address(r, c)}+{g.cell_address(r, c + 1)}"))

        return [put, None]

    rows = [
        ("专任教师", "01", [g.C("staff", k, "fulltime"), *two("postgrad", rec["postgrad"] // 10), g.V("staff", k, "bachelor"), *two("below_bachelor", rec["below_bachelor"] * 3 // 4)]),
        ("其中：女", "02", [0, 0, 0, 0, 0, 0]),
        ("双师型教师", "03", [g.V("staff", k, "dual"), "*", "*", "*", "*", "*"]),
        ("专业课教师", "04", [g.V("staff", k, "specialty"), "*", "*", "*", "*", "*"]),
    ]
    return g.export_sheet(sf, "教基4261", form, school.written_name, rows)


def f5377(sf, school: g.School, year: int) -> g.Sink:
    cols = [("合计",), ("其中", "产权属于学校"), ("其中", "非学校产权")]
    form = g.GridForm("教基5377", "中等职业学校办学条件", "", "项目", cols)
    k = ()
    rows = [
        ("学校占地面积（平方米）", "01", [g.V("conditions", k, "land_area"), g.C("conditions", k, "land_area"), 0]),
        ("校舍建筑面积（平方米）", "02", [g.V("conditions", k, "building_area"), g.C("conditions", k, "building_area"), 0]),
        ("教学、实习仪器设备资产值（万元）", "03", [g.V("conditions", k, "equipment_value"), g.C("conditions", k, "equipment_value"), 0]),
    ]
    return g.export_sheet(sf, "教基5377", form, school.written_name, rows)


def r_students_2021(sf, school: g.School, year: int, truth: g.Truth) -> g.Sink:
    """A school's own 分专业学生 table after 2021: 2021 大类; the certificates column of
    its old template kept, and left empty (the 教基3221续 asks for it no longer)."""
    records = truth.records(year, school.school_id, "students_by_major")
    header = ["序号", "专业代码", "专业名称", "专业大类", "招生人数", "在校生数（人）", "毕业人数", "获得职业资格证书人数", "备注"]
    rows = []
    for i, keys in enumerate(records, 1):
        cat, major = dict(keys)["major_category"], dict(keys)["major"]
        short = cat.removesuffix("大类") if i % 2 == 0 else cat  # 大类 often left off
        cells = [g.V("students_by_major", keys, f) for f in ("enrolment", "students", "graduates")]
        rows.append([i, g.C("students_by_major", keys, "major_code"), major, short, *cells, None, ""])
    total = ["合计", None, None, None, *(sum(r[f] for r in records.values()) for f in ("enrolment", "students", "graduates"))]
    title = f"{year}年{school.written_name}分专业学生情况统计表"
    return g._list_sheet(sf, "分专业学生", title, header, rows, total, ["填表人：教务处", "说明：专业按《职业教育专业目录（2021年）》填写。"])


def school_sheets(school: g.School, year: int, truth: g.Truth, sf_for: Callable[[str], Callable]) -> list[tuple[str, g.Sink]]:
    """(form, sheet) pairs this school returns for a year in the current forms."""
    exp, typed = sf_for("export"), sf_for("typed")
    if (year, school.name) == OLD_FORM_SCHOOL:  # last years' forms, 2010 codes
        out = [
            ("中职基111", g.f111(exp, school, year)),
            ("中职基311", g.f311(exp, school, year, truth, blank=("certificates",))),
            ("中职基411", g.f411(exp, school, year)),
            ("中职基421", g.f421(exp, school, year)),
            ("中职基422", g.f422(exp, school, year)),
            ("中职基521", g.f521(exp, school, year)),
        ]
    elif school.technical:
        return [("分专业学生", r_students_2021(typed, school, year, truth))]
    elif school.family == "retyped":
        out = [
            ("分专业学生", r_students_2021(typed, school, year, truth)),
            ("教职工", g.r_staff(typed, school, year)),
            ("教师分类", g.r_kinds(typed, school, year)),
            ("办学条件", g.r_conditions(typed, school, year)),
        ]
    else:
        out = [
            ("教基1001", f1001(exp, school, year)),
            ("教基3221", f3221(exp, school, year, truth)),
            ("教基3221续", f3221x(exp, school, year, truth)),
            ("教基4251", f4251(exp, school, year)),
            ("教基4261", f4261(exp, school, year, truth)),
            ("教基5377", f5377(exp, school, year)),
            ("教师分类", g.r_kinds(typed, school, year)),  # 表11's 教师类别 are no national form's rows
        ]
    external = g.s_external(typed, school, year)
    external.spec.cells[(0, 0)] += f"（{year}年）"
    out += [
        ("校内实训基地", g.s_training(typed, school, year, truth)),
        ("校外实训基地", external),
        ("信息化", g.s_info(typed, school, year)),
    ]
    if truth.records(year, school.school_id, "employment"):
        out.append(("就业调查", g.s_survey(typed, school, year, truth)))
    return out


def write_school(root: Path, school: g.School, year: int, truth: g.Truth, placed: list) -> None:
    def sf_for(style: str) -> Callable[[SheetSpec], g.Sink]:
        return lambda spec: g.Sink(truth, year, school, spec, style)

    sheets = school_sheets(school, year, truth, sf_for)
    folder = root / str(year) / school.written_name
    folder.mkdir(parents=True, exist_ok=True)

    def emit(path: Path, sinks: list[g.Sink], writer) -> None:
        writer(path, [s.spec for s in sinks])
        rel = path.relative_to(root).as_posix()
        placed.extend((key, rel, s.spec.name, r, c) for s in sinks for key, r, c in s.placed)

    survey = [s for form, s in sheets if form == "就业调查"]
    forms = [s for form, s in sheets if form != "就业调查"]
    stem = f"{school.written_name}{year}年"
    if school.family in ("export", "export_xls") or (year, school.name) == OLD_FORM_SCHOOL:
        ext, writer = (".xls", write_xls) if school.family == "export_xls" else (".xlsx", write_xlsx)
        emit(folder / f"{stem}教育统计报表{ext}", forms, writer)
    else:
        for form, s in sheets:
            if form != "就业调查":
                emit(folder / f"{stem}{form}.xlsx", [s], write_xlsx)
    if survey:
        emit(folder / f"{stem}毕业生就业情况调查.xlsx", survey, write_xlsx)


def build_current(root: Path, schools: list[g.School], base: g.Truth) -> None:
    """Write samples/2021, 2024, 2025 and their truth file."""
    truth = build_current_truth(base, schools, random.Random(20251201))
    placed: list = []
    for year in YEARS:
        shutil.rmtree(root / str(year), ignore_errors=True)
        for school in schools:
            write_school(root, school, year, truth, placed)
        city = root / str(year) / "市教育局"
        city.mkdir(parents=True, exist_ok=True)
        sink = g.city_high_school(lambda spec, y=year: g.Sink(truth, y, None, spec, "typed"), year, truth)
        path = city / f"赤峰市{year}年普通高中基本情况.xlsx"
        write_xlsx(path, [sink.spec])
        placed += [(key, path.relative_to(root).as_posix(), sink.spec.name, r, c) for key, r, c in sink.placed]
    g.write_truth(root / TRUTH_FILE, truth, placed)


def read_truth(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))
