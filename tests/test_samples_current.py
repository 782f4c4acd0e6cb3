"""The golden tests of the current forms: the 2021, 2024 and 2025 sample returns (教基
forms, the 2021 专业目录) give back exactly samples/truth_current.csv from the right cells;
the one school that sent the old forms in 2025 is found; the 2025 report is built with the
same configs as 2020's; and the 2021 report compares 2020 with 2021 across the change of
catalogue, every 2020 figure placed by the crosswalk or named as not placeable."""

from __future__ import annotations

import csv
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest
import python_calamine as pc

from tongji.config import load_pack
from tongji.extraction import collect_inputs, extract_paths
from tongji.extraction.clean import normalize_label
from tongji.extraction.roster import load_roster
from tongji.run import run_job

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
OLD_FORM_FILE = "2025/赤峰东方职业学校/赤峰东方职业学校2025年教育统计报表.xlsx"
UNMAPPED = "未能对应本年度目录"


def _truth(name: str) -> dict[tuple, dict[str, str]]:
    with open(SAMPLES / name, encoding="utf-8", newline="") as f:
        return {
            (int(r["year"]), r["school_id"], r["dataset"], r["keys"], r["field"]): r
            for r in csv.DictReader(f)
        }


@pytest.fixture(scope="module")
def current():
    pack, roster = load_pack(ROOT / "mappings"), load_roster(SAMPLES / "roster.xlsx")
    return {
        y: extract_paths(collect_inputs([SAMPLES / str(y)]), pack, roster, y, jobs=2)
        for y in (2021, 2024, 2025)
    }


def _values(results):
    out = {}
    for year, result in results.items():
        for v in result.values:
            if v.status == "empty":
                continue  # a blank cell (the certificates column a school kept and left empty)
            out[
                (
                    year,
                    v.school_id or "",
                    v.dataset,
                    ";".join(f"{k}={x}" for k, x in v.keys),
                    v.field,
                )
            ] = v
    return out


def test_every_figure_of_the_current_forms_is_the_truth_from_the_right_cell(current):
    truth, got = _truth("truth_current.csv"), _values(current)
    assert len(truth) > 6000
    assert sorted(set(truth) - set(got))[:5] == [] and sorted(set(got) - set(truth))[:5] == []
    wrong = []
    for key, row in truth.items():
        v = got[key]
        if (Path(v.file).resolve(), v.sheet, v.cell) != (
            (SAMPLES / row["file"]).resolve(),
            row["sheet"],
            row["cell"],
        ):
            wrong.append(
                (key, "cell", v.file, v.sheet, v.cell, row["file"], row["sheet"], row["cell"])
            )
        elif v.text is not None:
            if v.text != row["value"]:  # a 专业代码: text, its leading digits kept
                wrong.append((key, "text", v.text, row["value"]))
        elif v.value != pytest.approx(float(row["value"]), abs=1e-6):
            wrong.append((key, "value", v.value, row["value"]))
    assert wrong == []


def test_the_old_forms_in_2025_are_the_only_findings(current):
    seen = {
        (y, i.code, Path(i.file).as_posix()[-len(OLD_FORM_FILE) :], i.sheet, i.cell)
        for y, r in current.items()
        for i in r.issues
    }
    old = {
        (2025, "form_year_mismatch", OLD_FORM_FILE, s, "")
        for s in (
            "中职基111",
            "中职基311_职业高中学校",
            "中职基411",
            "中职基421",
            "中职基422",
            "中职基521",
        )
    }
    assert {x for x in seen if x[1] == "form_year_mismatch"} == old
    mismatched = {x for x in seen if x[1] == "catalogue_mismatch"}
    assert len(mismatched) == 2 and all(
        x[2] == OLD_FORM_FILE and x[3] == "中职基311_职业高中学校" for x in mismatched
    )
    assert {x[1] for x in seen} == {"form_year_mismatch", "catalogue_mismatch"}


def _job(tmp_path: Path, name: str) -> Path:
    """A sample job run into a temporary folder (the samples stay as they are)."""
    text = (SAMPLES / name).read_text(encoding="utf-8")
    spec = tomllib.loads(text)
    lines = [
        f'year = {spec["year"]}', f'region = "{spec["region"]}"', f'roster = "{(SAMPLES / "roster.xlsx").as_posix()}"',
        f'mappings = "{(ROOT / "mappings").as_posix()}"', f'report = "{(ROOT / "reports" / "annual_report.toml").as_posix()}"',
        f'output = "{(tmp_path / "out").as_posix()}"', f'summary = "{spec["summary"]}"', "jobs = 1", "[inputs]",
        *(f'{y} = ["{(SAMPLES / y).as_posix()}"]' for y in spec["inputs"]),
    ]  # fmt: skip
    job = tmp_path / name
    job.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return job


def _sheet(result, name: str) -> list[list]:
    return pc.CalamineWorkbook.from_path(result.outputs[0]).get_sheet_by_name(name).to_python()


def _table10(result) -> tuple[dict[str, list], list[str]]:
    rows = _sheet(result, "表10")
    body = {
        r[0]: r[2:]
        for r in rows[3:]
        if r[0] and not str(r[0]).startswith(("数据来源", "专业大类按", "“", "20"))
    }
    notes = [r[0] for r in rows if r[0] and str(r[0]).startswith(("专业大类按", "“", "20"))]
    return body, notes


@pytest.fixture(scope="module")
def report_2025(tmp_path_factory):
    return run_job(_job(tmp_path_factory.mktemp("job2025"), "tongji-2025.toml"))


def test_the_2025_report_is_built_by_the_same_configs(report_2025):
    result, truth = report_2025, _truth("truth_current.csv")
    assert result.exit_code == 0
    body, notes = _table10(result)
    edition = load_pack(ROOT / "mappings").edition("major_category", 2025)
    rows = [k for k in body if k != "总计"]  # the 2021 catalogue's rows, grouped by 产业
    assert sorted(rows) == sorted(edition.values) and len(rows) == len(edition.values)
    students = defaultdict(float)
    for (year, _sid, dataset, keys, fld), row in truth.items():
        if dataset == "students_by_major" and fld == "students":
            category = keys.split(";")[0].removeprefix("major_category=")
            # the old-form school's 2010 categories are one-to-one here: put them where the crosswalk does
            category = {"信息技术类": "电子与信息大类", "财经商贸类": "财经商贸大类"}.get(
                category, category
            )
            students[(year, category)] += float(row["value"])
    for category, cells in body.items():
        if category == "总计":
            continue
        # columns: 招生数 2025, 2024, 在校生数 2025, 2024, …
        assert (cells[2] or 0) == students[(2025, category)] and (cells[3] or 0) == students[
            (2024, category)
        ], category
    # no certificates in the current forms: the column is left out and said, never 0
    assert len(body["总计"]) == 6 and not any("证书" in str(c) for c in _sheet(result, "表10")[2])
    assert any("获得职业资格证书数" in n and "本表略去此列" in n for n in notes)
    quality = _sheet(result, "数据质量")
    codes = {(r[10], r[2]) for r in quality[1:]}
    assert ("field_not_returned", "2025") in codes and ("form_year_mismatch", "2025") in codes


@pytest.fixture(scope="module")
def report_2021(tmp_path_factory):
    return run_job(_job(tmp_path_factory.mktemp("job2021"), "tongji-2021.toml"))


def _placed_2020(pack) -> tuple[dict[str, float], list[tuple]]:
    """2020's students put into the 2021 categories the way the crosswalk data says, read
    independently of tongji's code: (students per category, the records not placeable)."""
    cw = pack.crosswalk("2010", "2021")
    truth = _truth("truth.csv")
    codes = {
        (sid, keys): row["value"]
        for (y, sid, ds, keys, f), row in truth.items()
        if y == 2020 and ds == "students_by_major" and f == "major_code"
    }
    out, unplaced = defaultdict(float), []
    for (y, sid, ds, keys, f), row in truth.items():
        if y != 2020 or ds != "students_by_major" or f != "students":
            continue
        parts = dict(p.split("=", 1) for p in keys.split(";"))
        targets = cw.values[parts["major_category"]]
        if len(targets) == 1:
            out[targets[0]] += float(row["value"])
            continue
        hit = cw.majors.get(normalize_label(codes.get((sid, keys), ""))) or cw.majors.get(
            normalize_label(parts["major"])
        )
        if hit:
            out[hit] += float(row["value"])
        else:
            out[UNMAPPED] += float(row["value"])
            unplaced.append((sid, keys))
    return out, unplaced


def test_the_2021_report_compares_2020_across_the_change_of_catalogue(report_2021):
    pack = load_pack(ROOT / "mappings")
    expected, unplaced = _placed_2020(pack)
    body, notes = _table10(report_2021)
    assert list(body)[-1] == UNMAPPED and "教育与体育大类" in body and "信息技术类" not in body
    for category, cells in body.items():
        if category != "总计":
            assert (cells[3] or 0) == expected.get(category, 0), category  # 在校生数 2020
    assert body["总计"][3] == 34270  # every 2020 student counted once, placed or not
    assert body["教育与体育大类"][3] == 5424 + 151  # 教育类 and 体育与健身类, merged
    assert any(
        "2020 年的数字按《中等职业学校专业目录（2010年修订）》" in n and UNMAPPED in n
        for n in notes
    )
    # every record not placed is named with its school and the cells it came from
    quality = _sheet(report_2021, "数据质量")
    head = quality[0]
    rows = [dict(zip(head, r, strict=False)) for r in quality[1:]]
    named = [r for r in rows if r["代码"] == "crosswalk_unmapped"]
    assert len(named) == len(unplaced) and len(unplaced) >= 3
    truth = _truth("truth.csv")
    cells = {
        (row["file"], row["sheet"], row["cell"])
        for (y, sid, ds, keys, f), row in truth.items()
        if y == 2020 and (sid, keys) in set(unplaced)
    }
    # (the job here names its inputs by absolute paths: the truth's paths are their ends)
    assert all(
        any(r["文件"].endswith(f) and (r["工作表"], r["单元格"]) == (sh, c) for f, sh, c in cells)
        for r in named
    )
