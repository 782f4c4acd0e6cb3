"""A totals row is checked against all the rows it totals: the majors of 教基3221 go on in
a second 教基3221续 sheet when a school has many (the 总计 only on the first), and a 总计
that is the sum of both sheets is no mismatch — while one that is not is still said."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tongji.config import load_pack
from tongji.extraction.roster import load_roster
from tongji.extraction.workbook import Extractor

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples/2025/华夏职业学校/华夏职业学校2025年教育统计报表.xlsx"
SHEET = "教基3221续_职业高中学校"
TOTAL_ROW, FIRST_MAJOR, LAST_MAJOR, MOVED = 9, 10, 16, 3  # 1-based rows; the last 3 majors move


def _split(tmp_path: Path, total_students: int | None = None) -> Path:
    """The sample return with its last three majors printed on a second sheet."""
    wb = openpyxl.load_workbook(SAMPLE)
    first = wb[SHEET]
    second = wb.copy_worksheet(first)
    second.title = SHEET + "(2)"
    keep_to = LAST_MAJOR - MOVED
    for r in range(keep_to + 1, LAST_MAJOR + 1):  # gone from the first sheet
        for c in range(2, 12):
            first.cell(r, c).value = None
    # the second sheet: the same header, no 总计, the rest of the majors right under it
    second.delete_rows(TOTAL_ROW, keep_to - TOTAL_ROW + 1)
    for r in range(2, second.max_row + 1):  # the export numbers its rows down column A
        second.cell(r, 1).value = r - 1
    if total_students is not None:
        first.cell(TOTAL_ROW, 8).value = total_students
    path = tmp_path / SAMPLE.name
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def extractor():
    roster = load_roster(ROOT / "samples" / "roster.xlsx")
    return Extractor(load_pack([ROOT / "mappings"]), roster, 2025)


def test_a_total_over_rows_continued_on_another_sheet_agrees(tmp_path, extractor):
    path = _split(tmp_path)
    res = extractor.extract(path, path.name)
    students = [v for v in res.values if v.dataset == "students_by_major" and v.field == "students"]
    assert sum(v.value for v in students) == 1813 and len(students) == 7
    assert {v.sheet for v in students} == {SHEET, SHEET + "(2)"}
    assert not [i for i in res.issues if i.code == "total_mismatch"], [
        i.message for i in res.issues
    ]


def test_a_total_that_is_not_the_sum_of_both_sheets_is_still_said(tmp_path, extractor):
    path = _split(tmp_path, total_students=1823)
    res = extractor.extract(path, path.name)
    [wrong] = [i for i in res.issues if i.code == "total_mismatch"]
    assert wrong.sheet == SHEET and wrong.cell == "H9"
    assert "1823" in wrong.message and "1813" in wrong.message and "相差 10" in wrong.message
    assert f"“{SHEET}(2)”的 3 行" in wrong.message
