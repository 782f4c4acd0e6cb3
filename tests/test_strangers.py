"""Returns tongji has not seen before: each cause by which a stranger's layout could give a
silently wrong figure, with a fixture the test builds itself, and the right figure or a
named finding asserted (issue: never silently wrong on a stranger's returns)."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import SheetSpec, write_xlsx

from tongji.config import load_pack
from tongji.extraction import extract_file, extract_paths


def _pack(pack_dir: Path, **mappings: str):
    for name, text in mappings.items():
        (pack_dir / f"{name}.toml").write_text(text, encoding="utf-8")
    return load_pack(pack_dir)


def _values(result) -> dict[tuple, object]:
    return {(v.school_id, v.dataset, v.keys, v.field): v for v in result.values}


# ---------------------------------------------------------------- results never depend on file order

TEACHERS_BY_PATH = """
name = "专任教师（学历在上层表头下）"
dataset = "teachers"
layout = "grid"
[match]
sheet_names = ["^专任教师"]
[[fields]]
field = "total"
row = "总计"
column = "合计"
[[fields]]
field = "bachelor"
row = "总计"
column = "按学历分/本科毕业"
"""


def _teacher_sheet(extra_header: bool, total: int) -> SheetSpec:
    """The same header rows and column-code row; one return has one more header row above
    them (the 学历 grouping), the other a title there instead."""
    s = SheetSpec("专任教师")
    if extra_header:
        s.row(0, ["学历", "全部", "按学历分"])
    else:
        s.put(0, 0, "专任教师情况")
    s.row(1, ["项目", "合计", "本科毕业"])
    s.row(2, ["甲", 1, 2])
    s.row(3, ["总计", total, total - 20])
    return s


def test_results_do_not_depend_on_the_order_of_files_or_the_number_of_jobs(tmp_path, pack_dir, roster):
    pack = _pack(pack_dir, teachers_by_path=TEACHERS_BY_PATH)
    plain = write_xlsx(tmp_path / "赤峰农牧学校.xlsx", [_teacher_sheet(False, 100)])
    grouped = write_xlsx(tmp_path / "松山区职教中心.xlsx", [_teacher_sheet(True, 50)])
    runs = [
        extract_paths([plain, grouped], pack, roster, 2020),
        extract_paths([grouped, plain], pack, roster, 2020),
        extract_paths([plain, grouped], pack, roster, 2020, jobs=2),
        extract_paths([grouped], pack, roster, 2020),
    ]

    def seen(result):
        values = sorted((v.school_id, v.field, v.value, v.cell) for v in result.values)
        issues = sorted((i.code, Path(i.file).name, i.message) for i in result.issues)
        return values, issues

    assert seen(runs[0]) == seen(runs[1]) == seen(runs[2])
    # the return with the 按学历分 header gives its 本科 figure whatever was read before it
    assert ("1504000002", "bachelor", 30.0, "C4") in seen(runs[0])[0]
    assert seen(runs[3])[0] == [v for v in seen(runs[0])[0] if v[0] == "1504000002"]
