from pathlib import Path

import pytest

from tongji.config import ConfigError, load_pack


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
    [p] = _problems(pack_dir, "bad.toml", 'name="x"\ndataset="teachers"\nlayout="grid"\n[match]\nsheet_name=["x"]\ncontains=["y"]\n[[fields]]\nfield="total"\nrow="总计"\ncolumn="合计"\n')
    assert "mappings/bad.toml" in p and "match.sheet_name" in p and "sheet_names" in p


def test_wrong_type_and_missing_field(pack_dir):
    problems = _problems(pack_dir, "bad.toml", 'dataset="teachers"\nlayout="grid"\n[match]\nsheet_names="x"\n[[fields]]\nfield="total"\nrow=5\ncolumn="合计"\nrequired="yes"\n[[fields]]\nrow="总计"\ncolumn="合计"\n')
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
    assert "match.sheet_names[0]" in text and "无法编译" in text
    assert "“teacher”" in text and "teachers" in text  # did-you-mean
    assert "键 layout" in text
    assert "键 unit" in text and "公斤" in text


def test_field_not_in_dataset_and_unit_that_does_not_convert(pack_dir):
    problems = _problems(pack_dir, "bad.toml", 'dataset="teachers"\nlayout="grid"\n[match]\nsheet_names=["x"]\n[[fields]]\nfield="totl"\nrow="总计"\ncolumn="合计"\n[[fields]]\nfield="male"\nrow="总计"\ncolumn="男"\nunit="万元"\n')
    text = "\n".join(problems)
    assert "[[fields]][1].field" in text and "total" in text
    assert "[[fields]][2].unit" in text and "无法换算" in text


def test_toml_syntax_error_names_the_file(pack_dir):
    [p] = _problems(pack_dir, "broken.toml", 'dataset = "teachers\n')
    assert "broken.toml" in p and "TOML 语法错误" in p


def test_list_layout_needs_record_keys(pack_dir):
    text = "\n".join(_problems(pack_dir, "bad.toml", 'dataset="majors"\nlayout="list"\n[match]\ncontains=["专业"]\n[[fields]]\nfield="students"\n'))
    assert "records" in text


def test_all_problems_reported_at_once(pack_dir):
    (pack_dir / "a.toml").write_text('dataset="nope"\nlayout="grid"\n[match]\nsheet_names=["x"]\nfields=[]\n', encoding="utf-8")
    (pack_dir / "b.toml").write_text('dataset="teachers"\nlayout="grid"\nbogus=1\n[match]\nsheet_names=["x"]\nfields=[]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_pack(pack_dir)
    files = {p.file for p in e.value.problems}
    assert files == {"mappings/a.toml", "mappings/b.toml"}


def test_datasets_file_errors(tmp_path):
    d = tmp_path / "m"
    d.mkdir()
    (d / "datasets.toml").write_text('[datasets.x]\nkeys=["nope"]\n[datasets.x.fields]\na={type="float"}\n', encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_pack(d)
    text = "\n".join(map(str, e.value.problems))
    assert "datasets.x.keys[0]" in text and "datasets.x.fields.a.type" in text
