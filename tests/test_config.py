import os
from pathlib import Path

import pytest

from tongji.config import ConfigError, load_pack
from tongji.config.job import load_job


def _problems(pack_dir: Path, name: str, text: str) -> list[str]:
    (pack_dir / name).write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_pack(pack_dir)
    return [str(p) for p in e.value.problems]


def test_valid_pack_loads_typed_objects(pack):
    assert {m.id for m in pack.mappings} == {"teachers_421", "school_info_111", "majors_list"}
    t = next(m for m in pack.mappings if m.id == "teachers_421")
    assert t.layout == "grid" and t.fields[1].column == ("按性别分/男",)
    assert t.fields[2].line == "1" and t.fields[2].code == "3"
    assert pack.datasets["majors"].keys == ("major_category", "major")
    dim = pack.dimensions["major_category"]
    assert dim.resolve("信息技术") == "信息技术类"
    assert dim.resolve("090100") == "信息技术类"  # 专业代码 → 大类 by its first two digits
    assert pack.dimensions["major"].resolve("计算机 应用") == "计算机应用"  # free text


def test_unknown_key_is_reported_with_file_key_and_suggestion(pack_dir):
    [p] = _problems(
        pack_dir,
        "bad.toml",
        'name="x"\ndataset="teachers"\nlayout="grid"\n[match]\nsheet_name=["x"]\ncontains=["y"]\n[[fields]]\nfield="total"\nrow="总计"\ncolumn="合计"\n',
    )
    assert "mappings/bad.toml" in p and "match.sheet_name" in p and "sheet_names" in p


def test_wrong_type_and_missing_field(pack_dir):
    problems = _problems(
        pack_dir,
        "bad.toml",
        'dataset="teachers"\nlayout="grid"\n[match]\nsheet_names="x"\n[[fields]]\nfield="total"\nrow=5\ncolumn="合计"\nrequired="yes"\n[[fields]]\nrow="总计"\ncolumn="合计"\n',
    )
    text = "\n".join(problems)
    assert "[[fields]][1].required" in text and "true/false" in text
    assert "[[fields]][2].field" in text and "缺少必填项" in text


def test_bad_regex_unknown_dataset_field_unit_layout(pack_dir):
    problems = _problems(
        pack_dir,
        "bad.toml",
        'dataset="teacher"\nlayout="table"\nunit="公斤"\n[match]\nsheet_names=["(中职基"]\n[[fields]]\nfield="total"\nrow="总计"\ncolumn="合计"\n',
    )
    text = "\n".join(problems)
    assert "match.sheet_names[0]" in text and "无法使用" in text
    assert "“teacher”" in text and "teachers" in text  # did-you-mean
    assert "键 layout" in text
    assert "键 unit" in text and "公斤" in text


def test_field_not_in_dataset_and_unit_that_does_not_convert(pack_dir):
    problems = _problems(
        pack_dir,
        "bad.toml",
        'dataset="teachers"\nlayout="grid"\n[match]\nsheet_names=["x"]\n[[fields]]\nfield="totl"\nrow="总计"\ncolumn="合计"\n[[fields]]\nfield="male"\nrow="总计"\ncolumn="男"\nunit="万元"\n',
    )
    text = "\n".join(problems)
    assert "[[fields]][1].field" in text and "total" in text
    assert "[[fields]][2].unit" in text and "无法换算" in text


def test_toml_syntax_error_names_the_file(pack_dir):
    [p] = _problems(pack_dir, "broken.toml", 'dataset = "teachers\n')
    assert "broken.toml" in p and "第 1 行" in p and "引号没有在同一行内配对" in p


def test_a_broken_datasets_file_is_one_problem_not_one_per_mapping(pack_dir):
    (pack_dir / "datasets.toml").write_text("[datasets.teachers\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_pack(pack_dir)
    [p] = e.value.problems
    assert p.file == "mappings/datasets.toml" and "节名的方括号没有闭合" in p.message


def test_a_city_folder_checked_alone_is_one_problem_saying_to_put_the_pack_first(
    pack_dir, tmp_path
):
    city = tmp_path / "city" / "mappings"
    city.mkdir(parents=True)
    (city / "x.toml").write_text('dataset = "teachers"\nlayout = "grid"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_pack(city)
    [p] = e.value.problems
    assert "datasets.toml" in p.message and f"tongji mappings check mappings {city}" in p.message


def test_list_layout_needs_record_keys(pack_dir):
    text = "\n".join(
        _problems(
            pack_dir,
            "bad.toml",
            'dataset="majors"\nlayout="list"\n[match]\ncontains=["专业"]\n[[fields]]\nfield="students"\n',
        )
    )
    assert "records" in text


def test_all_problems_reported_at_once(pack_dir):
    (pack_dir / "a.toml").write_text(
        'dataset="nope"\nlayout="grid"\n[match]\nsheet_names=["x"]\nfields=[]\n', encoding="utf-8"
    )
    (pack_dir / "b.toml").write_text(
        'dataset="teachers"\nlayout="grid"\nbogus=1\n[match]\nsheet_names=["x"]\nfields=[]\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as e:
        load_pack(pack_dir)
    files = {p.file for p in e.value.problems}
    assert files == {"mappings/a.toml", "mappings/b.toml"}


def test_datasets_file_errors(tmp_path):
    d = tmp_path / "m"
    d.mkdir()
    (d / "datasets.toml").write_text(
        '[datasets.x]\nkeys=["nope"]\n[datasets.x.fields]\na={type="float"}\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError) as e:
        load_pack(d)
    text = "\n".join(map(str, e.value.problems))
    assert "datasets.x.keys[0]" in text and "datasets.x.fields.a.type" in text


# ---------------------------------------------------------------- the job file, as written on Windows

JOB_REST = 'name = "x"\nyear = 2020\nmappings = "m"\nreport = "r.toml"\noutput = "out"\n[inputs]\n2020 = "2020"\n'


def _job_problems(tmp_path: Path, first_line: str) -> list:
    path = tmp_path / "任务.toml"
    path.write_text(first_line + "\n" + JOB_REST, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_job(path)
    return e.value.problems


def test_a_windows_path_in_double_quotes_is_one_problem_in_chinese(tmp_path):
    [p] = _job_problems(tmp_path, 'roster = "D:\\报表\\roster.xlsx"')
    assert p.file.endswith("任务.toml") and "第 1 行第 15 列" in p.message
    assert (
        "单引号" in p.message
        and "/" in p.message
        and 'roster = "D:\\报表\\roster.xlsx"' in p.message
    )
    assert not any(word in p.message for word in ("Unescaped", "line", "column"))


def test_a_windows_path_whose_backslashes_read_as_escapes_is_caught(tmp_path):
    # "\n" and "\r" are valid TOML escapes: the path parses, with a line break in it
    problems = _job_problems(tmp_path, 'roster = "D:\\new\\roster.xlsx"')
    roster = [p for p in problems if p.key == "roster"]
    assert len(roster) == 1 and "控制字符" in roster[0].message and "单引号" in roster[0].message


def test_a_windows_path_in_single_quotes_is_read_as_written(tmp_path):
    problems = _job_problems(tmp_path, "roster = 'D:\\报表\\roster.xlsx'")
    roster = [p for p in problems if p.key == "roster"]
    assert (
        len(roster) == 1
        and "文件不存在" in roster[0].message
        and "报表\\roster.xlsx" in roster[0].message
    )


def test_a_job_file_not_in_utf8_is_one_problem(tmp_path):
    path = tmp_path / "任务.toml"
    path.write_bytes(('roster = "名录.xlsx"\n' + JOB_REST).encode("gbk"))
    with pytest.raises(ConfigError) as e:
        load_job(path)
    [p] = e.value.problems
    assert "UTF-8" in p.message and "另存为" in p.message


def test_jobs_zero_means_every_cpu_and_a_negative_count_is_a_mistake(tmp_path):
    from tongji.extraction.batch import worker_count

    problems = _job_problems(tmp_path, "jobs = -2")
    assert [p.key for p in problems if "jobs" in p.key] == ["jobs"]
    assert not [p for p in _job_problems(tmp_path, "jobs = 0") if p.key == "jobs"]
    assert worker_count(3) == 3 and worker_count(0) >= 1
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert worker_count(0) == expected
