import pytest
from builders import (
    SheetSpec,
    key_value_form,
    national_teacher_form,
    retyped_major_table,
    write_xls,
    write_xlsx,
)

from tongji.extraction import extract_file, extract_paths, merge_results


def _by_field(result):
    return {(v.field, v.keys): v for v in result.values}


def test_national_form_xlsx_and_xls_give_the_same_figures(tmp_path, pack, roster):
    results = {}
    for fmt, writer in (("xlsx", write_xlsx), ("xls", write_xls)):
        path = writer(tmp_path / f"form421.{fmt}", [national_teacher_form()])
        res = extract_file(path, pack, roster, 2020)
        assert [i for i in res.issues if i.severity != "info"] == [], res.issues
        assert res.school_id == "1504000001"
        assert "表内学校名称" in res.school_how
        results[fmt] = {f: (v.value, v.cell, v.status) for (f, _), v in _by_field(res).items()}
    assert results["xlsx"] == results["xls"]
    got = results["xlsx"]
    assert got["total"] == (100.0, "D10", "value")
    assert got["male"] == (40.0, "E10", "value")
    assert got["female"] == (60.0, "F10", "value")  # by 行次 1 and column code 3
    assert got["postgrad"] == (10.0, "G10", "value")
    assert got["bachelor"] == (80.0, "H10", "value")
    assert got["below_bachelor"] == (10.0, "I10", "value")
    assert got["dual"] == (30.0, "D11", "value")
    assert got["dual_male"] == (None, "E11", "not_applicable")  # `*`


def test_lineage_keeps_file_sheet_cell_raw_and_rule(tmp_path, pack, roster):
    path = write_xlsx(tmp_path / "form421.xlsx", [national_teacher_form(total="１００")])
    res = extract_file(path, pack, roster, 2020)
    v = _by_field(res)[("total", ())]
    assert (v.sheet, v.cell, v.raw, v.value) == ("中职基421_职业高中学校", "D10", "１００", 100.0)
    assert v.file.endswith("form421.xlsx")
    assert v.mapping == "teachers_421"
    assert "总计" in v.rule and "合计" in v.rule and "全角" in v.rule
    assert v.year == 2020 and v.school_id == "1504000001"


def test_key_value_form_with_units(tmp_path, pack, roster):
    path = write_xlsx(tmp_path / "111.xlsx", [key_value_form()])
    res = extract_file(path, pack, roster, 2020)
    assert [i for i in res.issues if i.severity != "info"] == []
    got = _by_field(res)
    assert got[("school_name", ())].text == "赤峰农牧学校"
    assert got[("school_code", ())].text == "1504000001"
    land = got[("land_area", ())]
    assert (
        land.value == pytest.approx(125000.0)
        and land.source_unit == "万平方米"
        and land.factor == 10000
    )
    eq = got[("equipment_value", ())]
    assert eq.value == pytest.approx(325.0) and eq.source_unit == "元"  # 3,250,000 元 → 325 万元
    assert "单位换算" in eq.rule


def test_list_table_records_totals_kept_apart(tmp_path, pack, roster):
    path = write_xlsx(tmp_path / "赤峰农牧学校_专业.xlsx", [retyped_major_table()])
    res = extract_file(path, pack, roster, 2020)
    assert [i for i in res.issues if i.severity != "info"] == [], res.issues
    assert (
        res.school_id == "1504000001" and "表头文字" in res.school_how
    )  # the title names the school
    rows = {}
    for v in res.values:
        rows.setdefault(dict(v.keys)["major"], {})[v.field] = v.value
    assert rows == {
        "计算机应用": {"enrolment": 40, "students": 120, "graduates": 35},
        "电子商务": {"enrolment": 30, "students": 80, "graduates": None},
        "机电技术应用": {"enrolment": 300, "students": 1050, "graduates": 280},
    }
    cats = {dict(v.keys)["major"]: dict(v.keys)["major_category"] for v in res.values}
    assert cats["电子商务"] == "信息技术类"  # alias
    totals = {t.field: (t.value, t.parts_sum, t.n_parts) for t in res.totals}
    assert totals == {
        "enrolment": (370, 370, 3),
        "students": (1250, 1250, 3),
        "graduates": (315, 315, 2),
    }


def test_totals_row_that_disagrees_is_reported_with_cells(tmp_path, pack, roster):
    spec = retyped_major_table(total=["合计", None, None, 1300, 370, None, 315])
    path = write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [spec])
    res = extract_file(path, pack, roster, 2020)
    [issue] = [i for i in res.issues if i.code == "total_mismatch"]
    assert issue.severity == "warning" and issue.cell == "D8"
    assert (
        "1300" in issue.message
        and "1250" in issue.message
        and "D4" in issue.message
        and "D7" in issue.message
    )
    assert (
        sum(v.value for v in res.values if v.field == "students") == 1250
    )  # rows used, total not added


def test_malformed_number_is_an_error_naming_cell_and_raw_text(tmp_path, pack, roster):
    spec = retyped_major_table(
        rows=[[1, "计算机应用", "信息技术类", "41,8.72", 40, "", 35]],
        total=["合计", None, None, None, None, None, None],
    )
    path = write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [spec])
    res = extract_file(path, pack, roster, 2020)
    [issue] = [i for i in res.issues if i.code == "bad_value"]
    assert issue.severity == "error" and issue.cell == "D4" and issue.sheet == "分专业学生"
    assert "41,8.72" in issue.message
    v = next(v for v in res.values if v.field == "students")
    assert v.value is None and v.status == "error" and v.raw == "41,8.72"


def test_unknown_dimension_value_is_an_error(tmp_path, pack, roster):
    spec = retyped_major_table(
        rows=[[1, "航海", "航海类", 10, 5, "", 1]], total=["合计", None, None, 10, 5, None, 1]
    )
    res = extract_file(write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [spec]), pack, roster, 2020)
    [issue] = [i for i in res.issues if i.code == "unknown_key"]
    assert issue.cell == "C4" and "航海类" in issue.message


def test_school_by_alias_and_unknown_school_lists_closest(tmp_path, pack, roster):
    res = extract_file(
        write_xlsx(tmp_path / "a.xlsx", [national_teacher_form(school="赤峰市农牧学校")]),
        pack,
        roster,
        2020,
    )
    assert res.school_id == "1504000001" and "别名" in res.school_how
    res = extract_file(
        write_xlsx(tmp_path / "b.xlsx", [national_teacher_form(school="赤峰农牧职业学校")]),
        pack,
        roster,
        2020,
    )
    [issue] = [i for i in res.issues if i.severity == "error"]
    assert issue.code == "school_unknown"
    assert "赤峰农牧学校" in issue.message  # the closest roster name
    assert issue.cell == "B4"
    assert res.values == []


def test_school_name_not_in_roster_but_file_name_is(tmp_path, pack, roster):
    path = write_xlsx(
        tmp_path / "松山区职教中心2020.xlsx", [national_teacher_form(school="松山职教")]
    )
    res = extract_file(path, pack, roster, 2020)
    assert res.school_id == "1504000002"
    [issue] = res.issues
    assert issue.code == "school_name_not_in_roster" and "松山职教" in issue.message


def test_hidden_sheet_is_skipped_with_a_warning(tmp_path, pack, roster):
    old = national_teacher_form(total=90)
    old.name = "中职基421(旧)"
    old.hidden = True
    path = write_xlsx(tmp_path / "x.xlsx", [national_teacher_form(), old])
    res = extract_file(path, pack, roster, 2020)
    [issue] = res.issues
    assert issue.code == "hidden_sheet_skipped" and issue.sheet == "中职基421(旧)"
    assert _by_field(res)[("total", ())].value == 100


def test_formula_without_cached_value_and_error_cells(tmp_path, pack, roster):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "分专业学生"
    ws.append(["专业名称", "专业大类", "在校生数", "招生数", "毕业生数"])
    ws.append(["计算机应用", "信息技术类", "=10*12", 40, 35])
    path = tmp_path / "赤峰农牧学校.xlsx"
    wb.save(path)  # openpyxl stores formulas without a cached value
    res = extract_file(path, pack, roster, 2020)
    [issue] = [i for i in res.issues if i.code == "formula_no_cached_value"]
    assert issue.severity == "warning" and issue.cell == "C2"


@pytest.mark.parametrize(
    "name, content, code",
    [
        ("corrupt.xlsx", b"PK\x03\x04 this is not really a zip", "corrupt"),
        ("empty.xlsx", b"", "empty_file"),
        ("notes.xlsx", "这是一个文本文件".encode(), "not_workbook"),
        (
            "page.xls",
            b"<html><body><table><tr><td>1</td></tr></table></body></html>",
            "html_as_excel",
        ),
    ],
)
def test_broken_inputs_become_issues(tmp_path, pack, roster, name, content, code):
    path = tmp_path / name
    path.write_bytes(content)
    res = extract_file(path, pack, roster, 2020)
    [issue] = res.issues
    assert issue.severity == "error" and issue.code == code and issue.file.endswith(name)
    assert issue.hint


def test_encrypted_workbook_is_reported(tmp_path, pack, roster):
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml")
    plain = write_xlsx(tmp_path / "plain.xlsx", [national_teacher_form()])
    enc = tmp_path / "enc.xlsx"
    with open(plain, "rb") as f, open(enc, "wb") as out:
        ooxml.OOXMLFile(f).encrypt("secret", out)
    [issue] = extract_file(enc, pack, roster, 2020).issues
    assert issue.code == "encrypted"


def test_workbook_no_mapping_fits_lists_candidates(tmp_path, pack, roster):
    s = SheetSpec("Sheet1")
    s.row(0, ["食堂", "面积"])
    s.row(1, ["一食堂", 300])
    res = extract_file(write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [s]), pack, roster, 2020)
    [issue] = res.issues
    assert issue.code == "workbook_unmatched" and issue.severity == "error"
    assert "teachers_421" in issue.message and "分" in issue.message  # candidates with scores


def test_sheet_fitting_two_mappings_equally_is_not_guessed(tmp_path, pack_dir, roster):
    from tongji.config import load_pack

    (pack_dir / "teachers_copy.toml").write_text(
        (pack_dir / "teachers_421.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    pack = load_pack(pack_dir)
    res = extract_file(
        write_xlsx(tmp_path / "x.xlsx", [national_teacher_form()]), pack, roster, 2020
    )
    [issue] = [i for i in res.issues if i.code == "sheet_ambiguous"]
    assert "teachers_421" in issue.message and "teachers_copy" in issue.message
    assert res.values == []


def test_conflicting_values_from_two_files_are_not_used(tmp_path, pack, roster):
    a = write_xlsx(tmp_path / "a.xlsx", [national_teacher_form(total=100)])
    b = write_xlsx(tmp_path / "b.xlsx", [national_teacher_form(total=101)])
    result = extract_paths([a, b], pack, roster, 2020)
    [issue] = [i for i in result.issues if i.code == "conflicting_value"]
    assert "100" in issue.message and "101" in issue.message
    [total] = [v for v in result.values if v.field == "total"]
    assert total.value is None and total.status == "error"
    # identical copies are only a note
    c = write_xlsx(tmp_path / "c.xlsx", [national_teacher_form(total=100)])
    merged = merge_results(
        [extract_file(a, pack, roster, 2020), extract_file(c, pack, roster, 2020)], 2020
    )
    assert {i.code for i in merged.issues} == {"duplicate_value"}


def test_parallel_extraction_equals_serial(tmp_path, pack, roster):
    files = [
        write_xlsx(tmp_path / f"f{i}.xlsx", [national_teacher_form(school=s)])
        for i, s in enumerate(["赤峰农牧学校", "松山区职教中心", "赤峰第一职业中专"])
    ]
    files.append(write_xlsx(tmp_path / "赤峰农牧学校_专业.xlsx", [retyped_major_table()]))
    serial = extract_paths(files, pack, roster, 2020, jobs=1)
    parallel = extract_paths(files, pack, roster, 2020, jobs=2)
    key = lambda v: (v.file, v.cell, v.field)  # noqa: E731
    assert [(v.file, v.cell, v.value) for v in sorted(serial.values, key=key)] == [
        (v.file, v.cell, v.value) for v in sorted(parallel.values, key=key)
    ]
    assert len(serial.values) == 3 * 8 + 9
    # the same columns in the same order, the same findings: nothing depends on the pool
    assert serial.lineage().equals(parallel.lineage(), null_equal=True)
    assert serial.issues == parallel.issues


def test_lock_files_are_skipped(tmp_path):
    from tongji.extraction import collect_inputs

    (tmp_path / "a.xlsx").write_bytes(b"x")
    (tmp_path / "~$a.xlsx").write_bytes(b"x")
    (tmp_path / "readme.txt").write_text("x")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "b.XLS").write_bytes(b"x")
    assert [p.name for p in collect_inputs([tmp_path])] == ["a.xlsx", "b.XLS"]
    assert [p.name for p in collect_inputs([str(tmp_path / "*.xlsx")])] == ["a.xlsx"]


@pytest.mark.parametrize(
    "cell,text,where",
    [
        ((1, 1), "2019年中等职业学校专任教师情况", "标题"),
        ((13, 1), "填报日期：2018年12月5日", "填报日期"),
    ],
)
def test_a_return_that_names_another_year_is_a_warning_at_its_cell(
    tmp_path, pack, roster, cell, text, where
):
    s = national_teacher_form()
    s.cells[cell] = text
    res = extract_file(write_xlsx(tmp_path / "赤峰农牧学校_421.xlsx", [s]), pack, roster, 2020)
    [found] = [i for i in res.issues if i.code == "year_mismatch"]
    assert (
        found.severity == "warning"
        and found.message.startswith(where)
        and found.cell == f"B{cell[0] + 1}"
        and found.year == 2020
    )
    assert res.values  # read all the same: it is a warning


def test_the_same_return_dated_this_year_or_the_next_is_not_a_mismatch(tmp_path, pack, roster):
    s = national_teacher_form()
    s.cells[(1, 1)] = "2020-2021学年中等职业学校专任教师情况"
    s.cells[(13, 1)] = "填报日期：2021年1月8日"
    res = extract_file(write_xlsx(tmp_path / "赤峰农牧学校_421.xlsx", [s]), pack, roster, 2020)
    assert not [i for i in res.issues if i.code == "year_mismatch"]


def test_a_panic_of_the_reader_is_a_broken_file_not_the_end_of_the_batch(
    tmp_path, pack, roster, monkeypatch
):
    import python_calamine

    class PanicException(BaseException):  # what pyo3 raises when the Rust parser panics
        pass

    def panic(*args, **kwargs):
        raise PanicException("index out of bounds")

    good = write_xlsx(tmp_path / "赤峰农牧学校_421.xlsx", [national_teacher_form()])
    broken = write_xlsx(
        tmp_path / "松山区职教中心_421.xlsx", [national_teacher_form(school="松山区职教中心")]
    )
    real = python_calamine.CalamineWorkbook.from_filelike

    def from_filelike(f):
        data = f.read()
        f.seek(0)
        if data == broken.read_bytes():
            panic()
        return real(f)

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", from_filelike)
    result = extract_paths([good, broken], pack, roster, 2020)
    [found] = [i for i in result.issues if i.file.endswith("松山区职教中心_421.xlsx")]
    assert found.code == "corrupt" and "PanicException" in found.message
    assert any(v.file.endswith("赤峰农牧学校_421.xlsx") for v in result.values)


def test_a_worker_that_dies_leaves_its_files_read_alone_and_the_next_year_new_workers(
    tmp_path, pack, roster, monkeypatch
):
    """A file that kills its worker (a reader crash past every check): the year's files not
    done are read one at a time, in order, and the run's next year gets new workers."""
    import os

    from tongji.extraction import pool

    real = pool._read_chunk

    def dies_on_crash_file(extractor, items, keep):
        if any(path.name == "crash.xlsx" for path, _, _ in items):
            os._exit(1)  # as a reader killed by the system would
        return real(extractor, items, keep)

    monkeypatch.setattr(pool, "_read_chunk", dies_on_crash_file)  # forked workers have it
    alone = []
    real_alone = pool._extract_alone
    monkeypatch.setattr(
        pool, "_extract_alone", lambda item, *a: alone.append(item[1]) or real_alone(item, *a)
    )
    schools = ["赤峰农牧学校", "松山区职教中心", "赤峰第一职业中专"]
    files = [
        write_xlsx(tmp_path / name, [national_teacher_form(school=s)])
        for name, s in zip(("a.xlsx", "crash.xlsx", "c.xlsx"), schools, strict=True)
    ]
    items = [(f, f.name, None) for f in files]
    workers = pool.Workers(pack, roster, 2)
    try:
        first = list(workers.read(2020, items))
        again = list(workers.read(2020, [items[0], items[2]]))  # new workers, no crash
    finally:
        workers.close()
    assert [r.file for r in first] == ["a.xlsx", "crash.xlsx", "c.xlsx"]
    assert "crash.xlsx" in alone  # the pool broke, and the file was read in a process of its own
    assert all(r.n_values == 8 for r in first)  # the crashed one too, read alone
    assert [r.file for r in again] == ["a.xlsx", "c.xlsx"] and all(r.n_values == 8 for r in again)
