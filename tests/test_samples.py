"""The golden test: every sample return, extracted with the mapping pack, gives back
exactly the ground truth of samples/truth.csv — every school, year and figure, from the
cell the generator wrote it to — and the deliberate defects come out as the documented
issues and nothing else does."""

from __future__ import annotations

import csv
import hashlib
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from tongji.config import load_pack
from tongji.extraction import collect_inputs, extract_paths
from tongji.extraction.roster import load_roster

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"

# (year, issue code, file name, sheet, cell): samples/README.md documents each one.
EXPECTED_ISSUES = {
    (2020, "bad_value", "赤峰建筑工程学校2020年校内实训基地.xlsx", "校内实训基地", "D4"),
    (2020, "total_mismatch", "宁城职教中心2020年分专业学生.xlsx", "分专业学生", "D9"),
    (
        2020,
        "hidden_sheet_skipped",
        "敖汉职教中心2020年教育统计报表.xlsx",
        "中职基411(2019年旧表)",
        "",
    ),
}
# The malformed number: the truth is 67.99, the cell says `6,7.99`; tongji must not guess.
UNREADABLE = {
    (2020, "1504000006", "training_bases", "base_type=公共实习实训基地", "equipment_value")
}


def _truth() -> dict[tuple, dict[str, str]]:
    with open(SAMPLES / "truth.csv", encoding="utf-8", newline="") as f:
        return {
            (int(r["year"]), r["school_id"], r["dataset"], r["keys"], r["field"]): r
            for r in csv.DictReader(f)
        }


@pytest.fixture(scope="module")
def extracted(sample_results):
    return sample_results


def _values(extracted):
    out = {}
    for year, result in extracted.items():
        for v in result.values:
            keys = ";".join(f"{k}={x}" for k, x in v.keys)
            out[(year, v.school_id or "", v.dataset, keys, v.field)] = v
    return out


def test_every_figure_is_the_ground_truth_from_the_right_cell(extracted):
    truth = _truth()
    got = _values(extracted)
    assert len(truth) > 4000
    missing = sorted(set(truth) - set(got))
    assert missing == [], missing[:10]
    extra = sorted(set(got) - set(truth))
    assert extra == [], extra[:10]
    wrong = []
    for key, row in truth.items():
        v = got[key]
        where = (Path(v.file).resolve(), v.sheet, v.cell)
        expected_where = ((SAMPLES / row["file"]).resolve(), row["sheet"], row["cell"])
        if where != expected_where:
            wrong.append((key, "cell", where, expected_where))
            continue
        if key in UNREADABLE:
            if not (v.value is None and v.status == "error"):
                wrong.append((key, "should be unreadable", v.value))
            continue
        if v.text is not None:
            ok = v.text == row["value"]
        else:
            ok = v.value is not None and v.value == pytest.approx(float(row["value"]), abs=1e-6)
        if not ok:
            wrong.append((key, "value", v.value, v.text, row["value"], v.raw))
    assert wrong == [], wrong[:10]


def test_deliberate_defects_are_the_only_issues(extracted):
    seen = {
        (year, i.code, Path(i.file).name, i.sheet, i.cell)
        for year, result in extracted.items()
        for i in result.issues
    }
    assert seen == EXPECTED_ISSUES


def test_alias_only_school_is_resolved(extracted):
    files = [f for f in extracted[2020].files if "阿旗职教中心" in f.file]
    assert files and all(f.school_id == "1504000005" for f in files)


# City totals that the samples reproduce from the seed report (samples/README.md).
SEED_TOTALS = [
    # (dataset, field, filter on keys or None, year, expected sum, scope)
    ("students_by_major", "enrolment", None, 2019, 13244),
    ("students_by_major", "enrolment", None, 2020, 14422),
    ("students_by_major", "students", None, 2019, 29916),
    ("students_by_major", "students", None, 2020, 34270),
    ("students_by_major", "students", "major_category=信息技术类", 2020, 6285),
    ("students_by_major", "graduates", None, 2019, 8931),
    ("students_by_major", "certificates", None, 2019, 4046),
    ("general_high", "enrolment", None, 2019, 25947),
    ("general_high", "enrolment", None, 2020, 27351),
    ("general_high", "students", None, 2019, 77972),
    ("general_high", "students", None, 2020, 78609),
    ("conditions", "equipment_value", None, 2019, 32791.822),
    ("conditions", "equipment_value", None, 2020, 35697.57),
    ("staff", "staff_total", None, 2019, 3310),
    ("staff", "staff_total", None, 2020, 3639),
    ("staff", "fulltime", None, 2020, 2629),
    ("teachers_by_kind", "total", "teacher_kind=校外兼职教师", 2020, 206),
    ("training_bases", "bases", None, 2020, 218),
    ("training_bases", "equipment_value", "base_type=学校实习实训基地", 2020, 41507.22),
    ("external_bases", "external_bases", None, 2019, 245),
    ("external_bases", "external_visits", None, 2020, 7708),
    ("informatization", "student_spaces", None, 2020, 27036),
    ("informatization", "bandwidth", None, 2020, 7015),
]


def test_city_totals_are_the_seed_figures(extracted):
    got = _values(extracted)
    sums: dict[tuple, float] = defaultdict(float)
    for (year, _sid, dataset, keys, fld), v in got.items():
        if v.value is None:
            continue
        sums[(dataset, fld, None, year)] += v.value
        for part in keys.split(";"):
            sums[(dataset, fld, part, year)] += v.value
    for dataset, fld, keys, year, expected in SEED_TOTALS:
        assert sums[(dataset, fld, keys, year)] == pytest.approx(expected, abs=1e-6), (
            dataset,
            fld,
            keys,
            year,
        )
    # 不含技工学校: the report's text gives 29920 students in 2020
    tech = {"1504000024", "1504000025", "1504000026"}
    regular = sum(
        v.value
        for (y, sid, d, _k, f), v in got.items()
        if y == 2020 and d == "students_by_major" and f == "students" and sid not in tech
    )
    assert regular == 29920


def test_generator_is_deterministic(tmp_path):
    sys.path.insert(0, str(SAMPLES))
    import generate

    generate.build_chifeng(tmp_path)
    assert (tmp_path / "truth.csv").read_bytes() == (SAMPLES / "truth.csv").read_bytes()
    assert (tmp_path / "truth_current.csv").read_bytes() == (
        SAMPLES / "truth_current.csv"
    ).read_bytes()

    def digest(root: Path) -> dict[str, str]:
        return {
            p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob("*")
            if p.is_file()
            and p.suffix in (".xlsx", ".xls")
            and "示例市" not in p.parts  # another city, another generator
            and "北岭市" not in p.parts
        }

    assert digest(tmp_path) == digest(SAMPLES)


def test_synthetic_province(tmp_path):
    sys.path.insert(0, str(SAMPLES))
    import generate

    generate.build_synthetic(tmp_path, 4)
    files = collect_inputs([tmp_path / "2020"])
    assert len(files) == 4  # one workbook per school, every form and the survey in it
    result = extract_paths(
        files, load_pack(ROOT / "mappings"), load_roster(tmp_path / "roster.xlsx"), 2020
    )
    assert [i for i in result.issues if i.severity == "error"] == []
    assert {v.school_id for v in result.values} == {f"99{i:08d}" for i in range(1, 5)}


@pytest.mark.parametrize(
    "file, sheet_mapping, header_path",
    [
        (
            "2020/赤峰农牧学校/赤峰农牧学校2020年教育统计报表.xlsx",
            "national_311",
            "学生数/在校生数",
        ),
        (
            "2020/赤峰第一职业中专/赤峰第一职业中专2020年教育统计报表.xls",
            "national_422",
            "按年龄分/46-60岁",
        ),
        (
            "2019/巴林右旗职教中心/巴林右旗职教中心2019年分专业学生.xlsx",
            "school_students",
            "取得职业资格证书人数",
        ),
        (
            "2020/赤峰卫生学校/赤峰卫生学校2020年毕业生就业情况调查.xlsx",
            "survey_by_major",
            "月均收入",
        ),
        (
            "2020/松山区职教中心/松山区职教中心2020年毕业生就业情况调查.xlsx",
            "survey_indicators",
            "占毕业生比例",
        ),
    ],
)
def test_inspect_each_layout_family(file, sheet_mapping, header_path):
    from tongji.authoring.inspect import inspect_workbook

    pack = load_pack(ROOT / "mappings")
    text = inspect_workbook(
        SAMPLES / file, pack, sheet_mapping, load_roster(SAMPLES / "roster.xlsx")
    )
    assert f"采用 {sheet_mapping}" in text
    assert header_path in text
    report = text.split(f"按映射 {sheet_mapping}")[1]
    assert "未取到" not in report and "！" not in report
    mapping = next(m for m in pack.mappings if m.id == sheet_mapping)
    for p in mapping.fields:
        assert f"    {p.field} " in report
