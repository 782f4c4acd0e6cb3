from pathlib import Path

from builders import national_teacher_form, retyped_major_table, write_xls, write_xlsx

from tongji.extraction.locate import locate_table
from tongji.extraction.lookup import find_column, find_row
from tongji.extraction.read import read_workbook
from tongji.extraction.view import SheetView, find_labelled_value


def _sheet(tmp_path: Path, spec, fmt="xlsx"):
    path = tmp_path / f"t.{fmt}"
    (write_xlsx if fmt == "xlsx" else write_xls)(path, [spec])
    return read_workbook(path).sheets[0]


def test_national_export_layout_is_understood(tmp_path):
    for fmt in ("xlsx", "xls"):
        sheet = _sheet(tmp_path, national_teacher_form(), fmt)
        view = SheetView(sheet)
        assert view.grid_row == 0 and view.grid_col == 0, fmt
        t = locate_table(sheet, view)
        assert t is not None
        assert t.header_rows == [4, 5, 6]
        assert t.code_row == 8
        assert t.label_col == 1 and t.line_col == 2
        assert t.unit == "人"
        paths = {c.path: (c.index, c.code) for c in t.columns if c.path}
        assert paths["合计"] == (3, "1")
        assert paths["按性别分/男"] == (4, "2")
        assert paths["按学历分/研究生毕业"] == (6, "4")  # _x000D_ removed
        assert paths["按学历分/本科及以下/本科毕业"] == (7, "5")  # line break removed
        assert [r.label for r in t.data_rows] == ["总计", "双师型", "少数民族"]
        assert [r.line for r in t.data_rows] == ["1", "2", "3"]
        assert t.notes_row == 13


def test_lookups_by_label_line_path_and_code(tmp_path):
    sheet = _sheet(tmp_path, national_teacher_form())
    t = locate_table(sheet)
    assert find_row(t, ("总计",)).index == 9
    assert find_row(t, (), "01").index == 9
    assert find_row(t, (), "2").label == "双师型"
    assert find_column(t, ("本科毕业",)).index == 7
    assert find_column(t, ("本科及以下/本科毕业",)).index == 7
    assert find_column(t, (), "3").index == 5


def test_ambiguous_and_missing_lookups_say_what_exists(tmp_path):
    import pytest

    from tongji.errors import LocateError

    sheet = _sheet(tmp_path, national_teacher_form())
    t = locate_table(sheet)
    with pytest.raises(LocateError) as e:
        find_column(t, ("硕士",))
    assert e.value.code == "column_not_found" and "按性别分/男" in e.value.message
    with pytest.raises(LocateError) as e:
        find_row(t, ("女教师",))
    assert "总计" in e.value.message


def test_retyped_table_header_and_rows(tmp_path):
    sheet = _sheet(tmp_path, retyped_major_table())
    t = locate_table(sheet)
    assert t.header_rows == [2]
    assert t.code_row is None
    assert [c.path for c in t.columns] == [
        "序号",
        "专业名称",
        "专业大类",
        "在校生数",
        "招生人数",
        "备注",
        "毕业生数",
    ]
    assert t.label_col == 1
    assert next(c for c in t.columns if c.path == "在校生数").unit == "人"
    labels = [r.label for r in t.data_rows]
    assert labels == [
        "计算机应用",
        "电子商务",
        "机电技术应用",
        "合计",
    ]  # blank row skipped, notes not read
    assert t.data_rows[-1].is_total


def test_key_value_lookup_steps_over_a_merged_label(tmp_path):
    from builders import key_value_form

    sheet = _sheet(tmp_path, key_value_form())
    f = find_labelled_value(sheet, ("学校名称",))
    assert (f.row, f.col, f.raw) == (1, 1, "赤峰农牧学校")
    f = find_labelled_value(sheet, ("占地面积",))
    assert (f.row, f.col, f.raw, f.label_unit) == (3, 3, "12.5", "万平方米")
    f = find_labelled_value(sheet, ("教学仪器设备资产值",))
    assert f.raw == "3,250,000"
    assert find_labelled_value(sheet, ("校舍面积",)) is None


def test_header_layout_is_reused_only_when_the_header_is_the_same(tmp_path):
    from builders import SheetSpec

    def sheet(header, rows, name):
        s = SheetSpec("清单")
        s.put(0, 0, f"{name}分专业学生")
        s.row(2, header)
        for i, row in enumerate(rows, 3):
            s.row(i, row)
        return _sheet(tmp_path, s)

    a = locate_table(
        sheet(["专业", "在校生数", "招生数"], [["计算机", 10, 3], ["护理", 20, 5]], "甲校")
    )
    b = locate_table(
        sheet(["专业", "在校生数", "招生数"], [["会计", 7, 2]], "乙校")
    )  # same header: layout re-used
    assert [r.label for r in a.data_rows] == ["计算机", "护理"] and [
        r.label for r in b.data_rows
    ] == ["会计"]
    assert [c.path for c in b.columns] == ["专业", "在校生数", "招生数"]
    c = locate_table(
        sheet(["专业", "招生数", "在校生数"], [["会计", 2, 7]], "丙校")
    )  # columns swapped: analysed again
    assert [col.path for col in c.columns] == ["专业", "招生数", "在校生数"]
    d = locate_table(
        sheet(["专业", "在校生数", "招生数"], [[None, None, None], ["会计", 7, 2]], "丁校")
    )
    assert [r.label for r in d.data_rows] == ["会计"]  # a blank first data row changes nothing


def test_one_header_analysis_serves_every_school_whose_form_differs_only_above_it(
    tmp_path, monkeypatch
):
    import tongji.extraction.locate as locate

    analysed = []
    real = locate._analyse_header
    monkeypatch.setattr(
        locate, "_analyse_header", lambda s, v: analysed.append(s.name) or real(s, v)
    )
    cache = locate.HeaderCache()
    sheets = [
        _sheet(tmp_path, national_teacher_form(school=s)) for s in ("赤峰农牧学校", "宁城职教中心")
    ]
    tables = [locate_table(s, SheetView(s), cache) for s in sheets]
    assert len(analysed) == 1  # the school's name above the header does not matter
    alone = locate_table(sheets[1], SheetView(sheets[1]))  # analysed without the cache
    assert (tables[1].header_rows, tables[1].columns, tables[1].code_row) == (
        alone.header_rows,
        alone.columns,
        alone.code_row,
    )
    # a second text in the row above the header makes it a header row: analysed afresh
    grown = national_teacher_form(school="松山区职教中心")
    grown.put(3, 5, "填报人：张三")
    sheet = _sheet(tmp_path, grown)
    before = len(analysed)
    table = locate_table(sheet, SheetView(sheet), cache)
    assert len(analysed) == before + 1
    assert table.header_rows == locate_table(sheet, SheetView(sheet)).header_rows
    assert table.header_rows[0] == 3


def test_a_numbers_column_is_one_that_counts_the_rows_in_four_rows_of_five(tmp_path):
    """The export's row numbers 1 2 3 … in column A are grid labels even with a gap; a column
    with numbers in fewer than four rows of five is data (a 序号 with its 合计 rows)."""
    from builders import SheetSpec

    s = SheetSpec("表")
    s.row(0, ["A", "B", "C", "D"])
    for r in range(1, 11):
        s.row(r, [r if r != 6 else None, f"项目{r}", r * 10, r * 20])
    view = SheetView(_sheet(tmp_path, s))
    assert (view.grid_row, view.grid_col) == (0, 0)
    t = SheetSpec("表")
    for r in range(10):
        t.row(r, [r + 1 if r % 2 else "小计", f"项目{r}", r * 10])
    view = SheetView(_sheet(tmp_path, t))
    assert view.grid_col is None


def test_label_index_keys_a_label_and_the_words_before_its_colon(tmp_path):
    from builders import SheetSpec

    s = SheetSpec("表")
    s.row(0, ["学校名称：赤峰农牧学校", "其中：女", "设备总值（万元）", "  "])
    exact, prefix = SheetView(_sheet(tmp_path, s)).label_index
    assert exact["女"] == [(0, 1)] and exact["设备总值"] == [(0, 2)]
    assert prefix["学校名称"] == [(0, 0)] and prefix["其中"] == [(0, 1)]
    assert "" not in exact and "设备总值" not in prefix


def test_an_empty_merged_value_cell_is_not_filled_never_the_figure_beyond_it(tmp_path):
    """B:C merged is the value cell; D holds last year's figure: a blank B:C is "not filled"
    at B, not D's figure read as this year's."""
    from builders import SheetSpec

    s = SheetSpec("办学条件")
    s.row(0, ["项目", "本年", None, "上年"])
    s.merge(1, 1, 1, 2, 30000)
    s.row(1, ["占地面积"], 0)
    s.put(1, 3, 29000)
    s.merge(2, 1, 2, 2, None)
    s.row(2, ["校舍建筑面积"], 0)
    s.put(2, 3, 1007)
    sheet = _sheet(tmp_path, s)
    f = find_labelled_value(sheet, ("占地面积",))
    assert (f.row, f.col, f.raw) == (1, 1, 30000)
    f = find_labelled_value(sheet, ("校舍建筑面积",))
    assert (f.row, f.col, f.raw) == (2, 1, None)
