"""The golden test of 示例市, a second city in layouts the Chifeng samples do not use (county
summaries, years side by side, unit columns, CSV): every figure of samples/示例市/truth.csv
comes out right, from its cell, with the city's own mappings beside the shipped pack; the
deliberate defects are the only findings; and no figure is wrong without a finding."""

from __future__ import annotations

import csv
import hashlib
import sys
from pathlib import Path

import pytest

from tongji.config import load_pack
from tongji.extraction import extract_paths, find_inputs
from tongji.extraction.roster import load_roster

ROOT = Path(__file__).resolve().parents[1]
CITY = ROOT / "samples" / "示例市"
EXPECTED_ISSUES = {
    (2019, "file_not_read", "说明.txt", "", ""),
    (2020, "file_not_read", "说明.txt", "", ""),
    (
        2020,
        "code_zero_restored",
        "西山县职教中心2020年分专业学生.csv",
        "西山县职教中心2020年分专业学生",
        "A3",
    ),
}


@pytest.fixture(scope="module")
def extracted():
    pack = load_pack([ROOT / "mappings", CITY / "mappings"])
    roster = load_roster(CITY / "roster.xlsx")
    out = {}
    for year in (2019, 2020):
        inputs = find_inputs([CITY / str(year)])
        out[year] = extract_paths(inputs.files, pack, roster, year, skipped=inputs.skipped)
    return out


def _truth() -> dict[tuple, dict[str, str]]:
    with open(CITY / "truth.csv", encoding="utf-8", newline="") as f:
        return {
            (int(r["year"]), r["school_id"], r["dataset"], r["keys"], r["field"]): r
            for r in csv.DictReader(f)
        }


def test_every_figure_is_the_truth_from_its_cell(extracted):
    truth = _truth()
    got = {
        (y, v.school_id or "", v.dataset, ";".join(f"{k}={x}" for k, x in v.keys), v.field): v
        for y, r in extracted.items()
        for v in r.values
    }
    assert len(truth) == 360
    assert sorted(set(truth) ^ set(got)) == []
    wrong = []
    for key, row in truth.items():
        v = got[key]
        if (Path(v.file).resolve(), v.sheet, v.cell) != (
            (CITY / row["file"]).resolve(),
            row["sheet"],
            row["cell"],
        ):
            wrong.append((key, "cell", v.file, v.sheet, v.cell))
        elif v.text is not None and v.text != row["value"]:
            wrong.append((key, v.text, row["value"]))
        elif v.text is None and (
            v.value is None or v.value != pytest.approx(float(row["value"]), abs=1e-6)
        ):
            wrong.append((key, v.value, row["value"], v.raw, v.rule))
    assert wrong == [], wrong[:5]


def test_the_deliberate_defects_are_the_only_findings(extracted):
    seen = {
        (y, i.code, Path(i.file).name, i.sheet, i.cell)
        for y, r in extracted.items()
        for i in r.issues
    }
    assert seen == EXPECTED_ISSUES


def test_no_workbook_is_credited_to_a_school_it_is_not(extracted):
    for result in extracted.values():
        for f in result.files:
            if "教育局" in f.file:
                assert f.school_id is None  # a county's summary is nobody's
            elif f.status == "read":
                school = next(
                    s
                    for s in load_roster(CITY / "roster.xlsx").schools
                    if s.school_id == f.school_id
                )
                assert Path(f.file).parent.name in (school.name, *school.aliases)


def test_the_generator_is_deterministic(tmp_path):
    sys.path.insert(0, str(ROOT / "samples"))
    import example_city

    example_city.build(tmp_path)

    def digest(folder: Path) -> dict[str, str]:
        return {
            p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }

    built = digest(tmp_path)
    shipped = {k: v for k, v in digest(CITY).items() if k in built}
    assert built == shipped and len(built) == 40
