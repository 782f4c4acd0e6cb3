"""A blank is blank: every template tongji writes, read back with fields left empty, gives
each empty field as "not filled" at its own value cell — never the label or figure of the
next row, never a guess."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tongji.authoring.template import write_templates
from tongji.config import load_pack
from tongji.extraction.clean import EMPTY, VALUE
from tongji.extraction.roster import load_roster
from tongji.extraction.workbook import Extractor

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2020


@pytest.fixture(scope="module")
def setting(tmp_path_factory):
    pack = load_pack([ROOT / "mappings"])
    roster = load_roster(ROOT / "samples" / "roster.xlsx")
    folder = tmp_path_factory.mktemp("templates")
    paths = write_templates(pack, YEAR, folder, roster)
    return pack, roster, paths


def _keyvalue_templates(paths: list[Path]) -> list[Path]:
    out = []
    for path in paths:
        ws = openpyxl.load_workbook(path).worksheets[0]
        if [ws.cell(5, 1).value, ws.cell(5, 2).value] == ["项目", "数值"]:
            out.append(path)
    return out


def _fill(path: Path, school: str, numbers: dict[int, object]) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    ws["B3"] = school
    for row, v in numbers.items():
        ws.cell(row, 2).value = v
    wb.save(path)


def test_every_key_value_template_read_back_blank_gives_every_field_not_filled(setting):
    pack, roster, paths = setting
    school = roster.schools[0]
    forms = _keyvalue_templates(paths)
    assert forms, "the pack writes key–value templates"
    for path in forms:
        _fill(path, school.name, {})
        res = Extractor(pack, roster, YEAR).extract(path, path.name)
        ws = openpyxl.load_workbook(path).worksheets[0]
        labels = {
            r: ws.cell(r, 1).value
            for r in range(6, ws.max_row + 1)
            if ws.cell(r, 1).value and not str(ws.cell(r, 1).value).startswith("注")
        }
        assert res.school_id == school.school_id, path.name
        figures = [v for v in res.values if v.cell != "B3"]
        assert figures, path.name
        for v in figures:
            assert v.status == EMPTY, (path.name, v.field, v.cell, v.raw)
            assert v.cell.startswith("B") and int(v.cell[1:]) in labels, (path.name, v.cell)
        assert not [i for i in res.issues if i.code == "bad_value"], path.name


def test_a_blank_between_two_filled_fields_is_its_own_cell_not_the_next(setting):
    pack, roster, paths = setting
    school = roster.schools[1]
    for path in _keyvalue_templates(paths):
        ws = openpyxl.load_workbook(path).worksheets[0]
        rows = [
            r
            for r in range(6, ws.max_row + 1)
            if ws.cell(r, 1).value and "注" not in str(ws.cell(r, 1).value)[:2]
        ]
        if len(rows) < 3:
            continue
        first, blank, after = rows[0], rows[1], rows[2]
        numeric = ws.cell(blank, 2).number_format != "@" and ws.cell(after, 2).number_format != "@"
        if not numeric:
            continue
        _fill(path, school.name, {first: 7, after: 9})
        res = Extractor(pack, roster, YEAR).extract(path, path.name)
        by_cell = {v.cell: v for v in res.values}
        assert by_cell[f"B{blank}"].status == EMPTY, path.name
        assert by_cell[f"B{after}"].status == VALUE and by_cell[f"B{after}"].value is not None
        assert sum(1 for v in res.values if v.value == 9) == 1, path.name
        return
    pytest.fail("no key–value template with three numeric fields")
