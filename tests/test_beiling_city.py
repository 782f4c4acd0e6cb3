"""The golden test of 北岭市, an invented third city whose returns use the shapes a stranger
sends (专业 across the columns, county tables with schools as columns and a 单位 column,
several tables stacked in a sheet, 小计 rows, hidden stale rows, units per block, formulas,
.ods and .csv): with the shipped pack alone at least 95 % of its figures come out right and
none is wrong without a finding naming its file, sheet and cell; with the city's one mapping
(samples/北岭市/mappings) every figure is right. Its deliberate defects are reported."""

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
CITY = ROOT / "samples" / "北岭市"


def _extract(folders: list[Path]) -> dict:
    pack = load_pack(folders)
    roster = load_roster(CITY / "roster.xlsx")
    out = {}
    for year in (2019, 2020):
        inputs = find_inputs([CITY / str(year)])
        out[year] = extract_paths(inputs.files, pack, roster, year, skipped=inputs.skipped)
    return out


@pytest.fixture(scope="module")
def pack_alone():
    return _extract([ROOT / "mappings"])


@pytest.fixture(scope="module")
def with_city():
    return _extract([ROOT / "mappings", CITY / "mappings"])


def _truth() -> list[dict[str, str]]:
    with open(CITY / "truth.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _judge(extracted: dict) -> dict[str, list]:
    """Each truth figure: right (value and cell), wrong (said at its cell or not), missing."""
    got = {
        (y, v.school_id or "", v.dataset, ";".join(f"{k}={x}" for k, x in v.keys), v.field): v
        for y, r in extracted.items()
        for v in r.values
    }
    said = {
        (y, Path(i.file).name, i.sheet, cell)
        for y, r in extracted.items()
        for i in r.issues
        for cell in i.cell.split("+")
        if i.cell
    }
    out: dict[str, list] = {"right": [], "wrong_said": [], "wrong": [], "missing": []}
    for t in _truth():
        y = int(t["year"])
        v = got.get((y, t["school_id"], t["dataset"], t["keys"], t["field"]))
        if v is None:
            out["missing"].append(t)
            continue
        same_cell = (Path(v.file).name, v.sheet, v.cell) == (
            Path(t["file"]).name,
            t["sheet"],
            t["cell"],
        )
        same = (
            v.text == t["value"]
            if v.text is not None
            else v.value is not None and v.value == pytest.approx(float(t["value"]), abs=1e-3)
        )
        if same and same_cell:
            out["right"].append(t)
        elif (y, Path(t["file"]).name, t["sheet"], t["cell"]) in said:
            out["wrong_said"].append((t, v))
        else:
            out["wrong"].append((t, v.value, v.text, v.cell, v.mapping))
    return out


def test_the_pack_alone_reads_95_percent_right_and_nothing_wrong_unsaid(pack_alone):
    judged = _judge(pack_alone)
    total = len(_truth())
    assert total == 839
    assert judged["wrong"] == []  # never silently wrong
    assert len(judged["right"]) >= 0.95 * total, (len(judged["right"]), judged["missing"][:5])
    # what the pack leaves is the 专业代码 of tables its school_students mapping reads
    assert {t["field"] for t in judged["missing"]} <= {"major_code"}


def test_with_the_city_folder_every_figure_is_right(with_city):
    judged = _judge(with_city)
    assert judged["wrong"] == [] and judged["wrong_said"] == [] and judged["missing"] == []
    assert len(judged["right"]) == 839


def test_the_deliberate_defects_are_reported_at_their_cells(with_city):
    seen = {
        (y, i.code, Path(i.file).name, i.sheet, i.cell)
        for y, r in with_city.items()
        for i in r.issues
    }
    assert (
        2019,
        "total_mismatch",
        "北岭市卫生学校2019年招生在校生毕业生统计.xls",
        "学生",
        "D7",
    ) in seen
    assert (2020, "bad_value", "石门农职2020年学生统计表.xls", "学生", "D7") in seen
    assert (
        2020,
        "code_zero_restored",
        "东川县职教中心2020年学生及教师情况.ods",
        "分专业学生",
        "C3",
    ) in seen
    errors = {
        (y, i.code, Path(i.file).name)
        for y, r in with_city.items()
        for i in r.issues
        if i.severity == "error"
    }
    assert errors == {(2020, "bad_value", "石门农职2020年学生统计表.xls")}
    # the figure typed with its unit is converted, and says so
    (typed,) = [v for v in with_city[2019].values if v.cell == "B8" and v.sheet == "基本数据"]
    assert typed.value == pytest.approx(85.6) and "单元格内" in typed.rule


def test_hidden_cells_are_never_figures_and_are_said(with_city):
    from tongji.extraction.read import column_index, read_workbook

    said = set()
    for result in with_city.values():
        said |= {
            (Path(i.file).name, i.sheet) for i in result.issues if i.code == "hidden_cells_skipped"
        }
        books: dict[str, list] = {}
        for v in result.values:
            books.setdefault(v.file, []).append(v)
        for file, values in books.items():
            wb = read_workbook(next(CITY.rglob(Path(file).name)))
            sheets = {s.name: s for s in wb.sheets}
            for v in values:
                s = sheets[v.sheet]
                for cell in v.cell.split("+"):
                    letters = "".join(ch for ch in cell if ch.isalpha())
                    r, c = int(cell[len(letters) :]) - 1, column_index(letters)
                    assert r not in s.hidden_rows and c not in s.hidden_cols, (file, v.sheet, cell)
    assert ("北岭市卫生学校2020年招生在校生毕业生统计.xls", "学生") in said


def test_the_generator_is_deterministic(tmp_path):
    sys.path.insert(0, str(ROOT / "samples"))
    import beiling_city

    beiling_city.build(tmp_path)

    def digest(folder: Path) -> dict[str, str]:
        return {
            p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }

    built = digest(tmp_path)
    shipped = {k: v for k, v in digest(CITY).items() if k in built}
    assert built == shipped and len(built) >= 36
