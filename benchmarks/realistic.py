"""A synthetic province whose returns are the size and mix of real ones, for the benchmark.

    python benchmarks/realistic.py --schools 500 --out benchmarks/corpus/realistic-500

samples/generate.py --schools N writes one small workbook per school and year (10 sheets,
~850 cells). Real returns are larger and mixed (DOMAIN.md): the statistics client's export
holds ~10 forms and ~4,000 cells, many schools still send `.xls`, some send tables they
made themselves, and the employment survey often comes as a file of its own. Here, per
school and year:

- 60 % a client export `.xlsx`, 20 % the same as `.xls`: the six forms tongji reads, the
  school's own training / informatisation tables, and five forms of the export tongji has
  no mapping for (学生变动, 分年龄学生, 专任教师职称, 校舍, 资产), so the workbook has
  ~12 sheets and ~4,000 cells; each school teaches 6–15 专业 (the 311 form grows with them);
- 20 % a workbook of school-made tables (retyped 分专业学生, 教职工, 教师分类, 办学条件 …);
- every third school sends the employment survey as a file of its own.

The figures come from the same ground truth as samples/ (truth.csv records each figure's
cell), so a benchmark run can also be checked for being right, not only fast. The corpus's
own mapping folder (本市映射/unused_sheets.toml) names the five forms the report does not
use, as a city would.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "samples"))

import generate as g  # noqa: E402
from sheetspec import write_xls, write_xlsx  # noqa: E402

# Forms of the client export that no mapping reads: (sheet, title, row label header,
# columns, rows). Their wording avoids every mapping's match texts.
_AGES = ("15岁以下", "15岁", "16岁", "17岁", "18岁", "19岁", "20岁", "21岁", "22岁及以上")
_TITLES = ("正高级", "高级", "一级", "二级", "三级", "未定职级")
UNREAD_FORMS = (
    ("中职基211", "中等职业教育学生变动情况", "项目", [("上学年初报表在校生数",), ("增加学生数", "合计"), ("增加学生数", "招生"), ("增加学生数", "复学"), ("增加学生数", "转入"), ("减少学生数", "合计"), ("减少学生数", "毕业"), ("减少学生数", "结业"), ("减少学生数", "休学"), ("减少学生数", "退学"), ("减少学生数", "开除"), ("减少学生数", "死亡"), ("减少学生数", "转出"), ("减少学生数", "其他"), ("本学年初报表在校生数",)], 26),
    ("中职基321", "中等职业教育学生年龄情况", "项目", [("合计",), *[("按年龄分", a) for a in _AGES], ("其中：女",)], 30),
    ("中职基431", "中等职业学校专任教师专业技术职务情况", "项目", [("合计",), *[("专业技术职务", t) for t in _TITLES], *[("按年龄分", a) for a in g.AGE_BANDS], ("其中：女",)], 28),
    ("中职基511", "中等职业学校校舍情况", "项目", [("学校产权校舍建筑面积", "合计"), ("学校产权校舍建筑面积", "危房"), ("学校产权校舍建筑面积", "当年新增"), ("学校产权校舍建筑面积", "被外单位借用"), ("非学校产权校舍", "合计"), ("非学校产权校舍", "租用"), ("非学校产权校舍", "借用"), ("正在施工校舍建筑面积",)], 34),
    ("中职基531", "中等职业学校资产情况", "项目", [("合计",), ("固定资产", "计"), ("固定资产", "房屋"), ("固定资产", "仪器设备"), ("固定资产", "图书"), ("固定资产", "其他"), ("流动资产",), ("无形资产",), ("对外投资",), ("其他资产",)], 30),
)


CITY_MAPPINGS = "本市映射"


def write_city_config(root: Path) -> Path:
    """The corpus's own mapping folder, as a city keeps one: its unused_sheets.toml says
    which forms of the export the report does not use, so they are neither parsed nor
    warned about. Returns the folder (give it after the pack: -m mappings -m <folder>)."""
    folder = root / CITY_MAPPINGS
    folder.mkdir(parents=True, exist_ok=True)
    names = ", ".join(f'"^{form[0]}"' for form in UNREAD_FORMS)
    text = f'[[sheets]]\nsheet_names = [{names}]\nreason = "学生变动、年龄、职称、校舍、资产：质量年报不用"\n'
    (folder / "unused_sheets.toml").write_text(text, encoding="utf-8")
    return folder


def unread_form(school: g.School, year: int, form: tuple, rng: random.Random):
    sheet, title, label_header, columns, n_rows = form
    grid = g.GridForm(sheet, title, "人" if sheet != "中职基531" else "万元", label_header, columns)
    rows = [("总  计", "01", [rng.randint(0, 5000) for _ in columns])]
    rows += [(f"第{i}项", f"{i + 1:02d}", [rng.randint(0, 900) for _ in columns]) for i in range(1, n_rows)]
    sink_factory = lambda spec: g.Sink(g.Truth(), year, school, spec, "export")  # noqa: E731
    return g.export_sheet(sink_factory, sheet, grid, school.written_name, rows).spec


def _kind(i: int) -> str:
    return ("export", "export", "export", "export", "export", "export", "export_xls", "export_xls", "retyped", "retyped")[i % 10]


class _Drifting(random.Random):
    """The draws of a seed, each number scaled by `factor` (choices and orders unchanged)."""

    def __init__(self, seed: str, factor: float):
        super().__init__(seed)
        self.factor = factor

    def randint(self, a: int, b: int) -> int:
        drawn = super().randint(a, b)
        return max(a, round(drawn * self.factor))

    def uniform(self, a: float, b: float) -> float:
        return super().uniform(a, b) * self.factor


def build(root: Path, n: int) -> dict[str, int]:
    """Write the corpus under `root`: roster.xlsx, truth.csv and a folder per year."""
    rng = random.Random(f"realistic-{n}")
    schools = g.synthetic_schools(n, rng)
    truth = g.Truth()
    # A school's figures of two years are alike, as real returns are: the same draws, the
    # second year scaled by a drift of −5 % to +7 % (independent years would make nearly
    # every school's figures swing by half, each a year-on-year warning no real year has)
    drift = {s.school_id: rng.uniform(0.95, 1.07) for s in schools}
    for year in g.YEARS:
        for s in schools:
            seed = f"realistic-{n}-{s.school_id}"
            alike = _Drifting(seed, drift[s.school_id] if year != g.YEARS[0] else 1.0)
            categories = random.Random(f"{seed}-majors").randint(4, 8)
            g._synthetic_truth(truth, year, s, alike, categories=categories, per_category=2)
    placed: list = []
    counts = {"files": 0, "xls": 0}
    for i, school in enumerate(schools):
        school.family = _kind(i)
        for year in g.YEARS:
            counts["files"] += _write(root, school, year, truth, placed, own_survey=i % 3 == 0, rng=rng)
            counts["xls"] += school.family == "export_xls"
    g.write_roster(root / "roster.xlsx", schools)
    g.write_truth(root / "truth.csv", truth, placed)
    write_city_config(root)
    return counts


def _write(root: Path, school: g.School, year: int, truth: g.Truth, placed: list, own_survey: bool, rng: random.Random) -> int:
    """One school's returns for a year: its main workbook, and the survey when separate."""

    def sf_for(style: str):
        return lambda spec: g.Sink(truth, year, school, spec, style)

    sheets = g.school_sheets(school, year, truth, sf_for)
    folder = root / str(year) / school.written_name
    folder.mkdir(parents=True, exist_ok=True)
    main = [s for form, s in sheets if not (own_survey and form == "就业调查")]
    survey = [s for form, s in sheets if own_survey and form == "就业调查"]
    specs = [s.spec for s in main]
    stem = f"{school.written_name}{year}年"
    if school.family.startswith("export"):
        specs += [unread_form(school, year, form, rng) for form in UNREAD_FORMS]
        ext, writer = (".xls", write_xls) if school.family == "export_xls" else (".xlsx", write_xlsx)
        path = folder / f"{stem}教育统计报表{ext}"
    else:
        path, writer = folder / f"{stem}学校自填报表.xlsx", write_xlsx
    written = [(path, main, specs, writer)]
    if survey:
        written.append((folder / f"{stem}毕业生就业情况调查.xlsx", survey, [s.spec for s in survey], write_xlsx))
    for file, sinks, sheet_specs, write in written:
        write(file, sheet_specs)
        rel = file.relative_to(root).as_posix()
        for s in sinks:
            placed.extend((key, rel, s.spec.name, r, c) for key, r, c in s.placed)
    return len(written)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="生成与真实报表大小和构成相当的合成数据（性能测试用）。")
    ap.add_argument("--schools", type=int, required=True, help="学校数")
    ap.add_argument("--out", type=Path, required=True, help="输出目录")
    args = ap.parse_args(argv)
    counts = build(args.out, args.schools)
    print(f"已生成 {args.schools} 所学校、两年共 {counts['files']} 个文件（其中 .xls {counts['xls']} 个）：{args.out}")


if __name__ == "__main__":
    main()
