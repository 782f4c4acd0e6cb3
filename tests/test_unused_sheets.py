"""Sheets the report does not use (unused_sheets.toml): not parsed, not warned about, listed
as 不需要; a mapping named for a sheet still reads it; mistakes name file and key."""

from __future__ import annotations

import zipfile

import polars as pl
import pytest
from builders import SheetSpec, national_teacher_form, write_xls, write_xlsx

from tongji.config import ConfigError, load_pack
from tongji.extraction import extract_file, extract_paths
from tongji.extraction.read import read_workbook
from tongji.extraction.store import write_extract


def _change_form(name: str) -> SheetSpec:
    """A form of the export that no mapping reads (学生变动), big enough to matter."""
    sheet = SheetSpec(name)
    sheet.row(0, ["中等职业教育学生变动情况"])
    sheet.row(1, ["项目", "上学年初在校生数", "招生", "毕业", "转出"])
    for r in range(2, 40):
        sheet.row(r, [f"第{r}项", r * 10, r, r + 1, 2])
    return sheet


def _unused(folder, text: str) -> None:
    (folder / "unused_sheets.toml").write_text(text, encoding="utf-8")


RULE = '[[sheets]]\nsheet_names = ["^中职基211"]\nreason = "学生变动：质量年报不用"\n'


@pytest.mark.parametrize("writer", [write_xlsx, write_xls])
def test_an_unused_form_is_not_read_not_warned_and_listed(tmp_path, pack_dir, roster, writer):
    path = writer(
        tmp_path / f"export.{writer.__name__[-4:]}",
        [national_teacher_form(), _change_form("中职基211")],
    )
    before = extract_file(path, load_pack(pack_dir), roster, 2020)
    assert [i.sheet for i in before.issues if i.code == "sheet_unmatched"] == ["中职基211"]
    _unused(pack_dir, RULE)
    pack = load_pack(pack_dir)
    after = extract_file(path, pack, roster, 2020)
    assert not [i for i in after.issues if i.code == "sheet_unmatched"]
    assert ("中职基211", "不需要") in after.sheets
    assert [(v.field, v.value) for v in after.values] == [(v.field, v.value) for v in before.values]
    sheet = next(s for s in read_workbook(path, pack.unused_reason).sheets if s.name == "中职基211")
    assert sheet.rows == [] and sheet.unused == "学生变动：质量年报不用"  # never parsed
    write_extract(extract_paths([path], pack, roster, 2020), pack, tmp_path / "out")
    files = pl.read_parquet(tmp_path / "out" / "files.parquet")
    assert "中职基211→不需要" in files["sheets"][0]


def test_a_mapping_named_for_a_sheet_reads_it_whatever_the_rules_say(tmp_path, pack_dir, roster):
    _unused(pack_dir, '[[sheets]]\nsheet_names = ["^中职基"]\nreason = "整类不用"\n')
    pack = load_pack(pack_dir)
    path = write_xlsx(
        tmp_path / "export.xlsx", [national_teacher_form(), _change_form("中职基211")]
    )
    result = extract_file(path, pack, roster, 2020)
    assert {v.field for v in result.values} >= {"total", "male", "female"}
    assert ("中职基211", "不需要") in result.sheets
    assert pack.unused_reason("中职基421_职业高中学校") is None


def test_a_city_folder_may_name_unused_sheets_too(tmp_path, pack_dir, roster):
    city = tmp_path / "本市映射"
    city.mkdir()
    _unused(city, RULE)
    pack = load_pack([pack_dir, city])
    assert pack.unused_reason("中职基211") == "学生变动：质量年报不用"
    assert any(name.endswith("unused_sheets.toml") for name in pack.files)  # part of the cache key


def test_mistakes_name_the_file_and_key(pack_dir):
    _unused(
        pack_dir,
        '[[sheets]]\nsheet_names = ["^中职基(211"]\nreason = ""\n[[sheets]]\nreason = "x"\n',
    )
    with pytest.raises(ConfigError) as e:
        load_pack(pack_dir)
    found = {(p.file, p.key) for p in e.value.problems}
    assert ("mappings/unused_sheets.toml", "[[sheets]][1].sheet_names[0]") in found
    assert ("mappings/unused_sheets.toml", "[[sheets]][1].reason") in found
    assert ("mappings/unused_sheets.toml", "[[sheets]][2].sheet_names") in found


def _with_stray_cell(path, part: str):
    """The workbook with one cell in the last corner of one sheet (a memory bomb for a parser)."""
    stray = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    with zipfile.ZipFile(path) as src:
        parts = {info.filename: src.read(info) for info in src.infolist()}
    parts[part] = parts[part].replace(b"</sheetData>", stray)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return path


def test_the_guard_looks_only_at_the_sheets_that_are_parsed(tmp_path, pack_dir, roster):
    path = write_xlsx(
        tmp_path / "export.xlsx", [national_teacher_form(), _change_form("中职基211")]
    )
    _with_stray_cell(path, "xl/worksheets/sheet2.xml")  # in the unused form
    flagged = extract_file(path, load_pack(pack_dir), roster, 2020)
    assert {i.code for i in flagged.issues} & {"too_large"}  # parsed, it would be a bomb
    _unused(pack_dir, RULE)
    pack = load_pack(pack_dir)
    result = extract_file(path, pack, roster, 2020)
    assert not [i for i in result.issues if i.severity == "error"]
    assert {v.field for v in result.values} >= {"total", "male", "female"}
    _with_stray_cell(path, "xl/worksheets/sheet1.xml")  # in the form that is read
    assert {i.code for i in extract_file(path, pack, roster, 2020).issues} & {"too_large"}


def test_a_workbook_of_unused_forms_only_is_said_as_such_not_called_empty(
    tmp_path, pack_dir, roster
):
    _unused(pack_dir, RULE)
    path = write_xlsx(tmp_path / "第1职业学校_学生变动.xlsx", [_change_form("中职基211")])
    result = extract_file(path, load_pack(pack_dir), roster, 2020)
    assert [(i.code, i.severity) for i in result.issues] == [("workbook_not_needed", "info")]
    assert "中职基211" in result.issues[0].message and not result.values
