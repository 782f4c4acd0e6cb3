"""Writing a mapping for a layout the pack does not know, the way docs/编写映射.md says:
inspect, fields, suggest, fill in what suggest could not match, check, extract."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
from click.testing import CliRunner

from tongji.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "samples" / "新版式示例" / "松山区蓝天职业学校2020年教职工统计.xlsx"


def test_the_guide_end_to_end(tmp_path):
    runner = CliRunner()
    mappings = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", mappings)
    base = [
        "--mappings",
        str(mappings),
        "--roster",
        str(ROOT / "samples" / "roster.xlsx"),
        "--year",
        "2020",
    ]

    # 1: the pack does not know the layout
    res = runner.invoke(
        main, ["extract", str(EXAMPLE.parent), *base, "--out", str(tmp_path / "o1")]
    )
    assert res.exit_code == 1
    assert "workbook_unmatched" in (tmp_path / "o1" / "issues.csv").read_text(encoding="utf-8-sig")
    # 2 and 3: inspect the sheet, list the fields
    res = runner.invoke(main, ["inspect", str(EXAMPLE)])
    assert "全校教职工" in res.output and "人数  [人]" in res.output
    assert (
        "staff_total"
        in runner.invoke(main, ["fields", "--mappings", str(mappings), "--dataset", "staff"]).output
    )
    # 4: the draft
    draft = mappings / "school_staff_v2.toml"
    res = runner.invoke(
        main,
        [
            "mappings",
            "suggest",
            str(EXAMPLE),
            "--dataset",
            "staff",
            "--mappings",
            str(mappings),
            "-o",
            str(draft),
        ],
    )
    assert res.exit_code == 0, res.output
    text = draft.read_text(encoding="utf-8")
    assert '# field = "staff_total"' in text and 'row = "专任教师"' in text
    # the draft as it stands is a valid mapping already
    assert runner.invoke(main, ["mappings", "check", str(mappings)]).exit_code == 0
    # 5: fill in the field suggest could not match, as the guide shows
    text = text.replace(
        '# [[fields]]\n# field = "staff_total"   # 教职工数；别名：教职工总数\n# row = ""\n# column = ""',
        '[[fields]]\nfield = "staff_total"\nrow = "全校教职工"\ncolumn = "人数"',
    )
    draft.write_text(text, encoding="utf-8")
    # 6: check
    res = runner.invoke(main, ["mappings", "check", str(mappings)])
    n = len(
        [
            p
            for p in mappings.glob("*.toml")
            if p.name not in ("datasets.toml", "catalogues.toml", "indicators.toml", "checks.toml")
        ]
    )
    assert res.exit_code == 0 and f"配置无误：{n} 个映射" in res.output
    # 7: field by field
    res = runner.invoke(
        main,
        [
            "inspect",
            str(EXAMPLE),
            "--mappings",
            str(mappings),
            "--mapping",
            "school_staff_v2",
            "--roster",
            str(ROOT / "samples" / "roster.xlsx"),
        ],
    )
    assert "B4 原文“64” → 64 人" in res.output and "未取到" not in res.output
    # 8: extract again
    res = runner.invoke(
        main, ["extract", str(EXAMPLE.parent), *base, "--out", str(tmp_path / "o2")]
    )
    assert res.exit_code == 0, res.output
    staff = pl.read_parquet(tmp_path / "o2" / "staff.parquet").row(0, named=True)
    assert staff["school_id"] == "1504000022"
    assert (staff["staff_total"], staff["fulltime"], staff["postgrad"], staff["specialty"]) == (
        64,
        45,
        3,
        25,
    )
    # and the layouts the pack already read still use their own mappings
    res = runner.invoke(
        main,
        [
            "extract",
            str(ROOT / "samples" / "2020" / "宁城职教中心"),
            *base,
            "--out",
            str(tmp_path / "o3"),
        ],
    )
    lineage = pl.read_parquet(tmp_path / "o3" / "lineage.parquet")
    assert "school_staff_v2" not in set(lineage["mapping"])


def test_check_reports_mistakes_with_file_and_key(tmp_path):
    mappings = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", mappings)
    (mappings / "x.toml").write_text(
        'dataset = "staff"\nlayout = "grid"\n[match]\ncontains = ["a"]\n[[fields]]\nfield = "staff_total"\ncolumn = "人数"\n',
        encoding="utf-8",
    )
    res = CliRunner().invoke(main, ["mappings", "check", str(mappings)])
    assert res.exit_code == 2 and "mappings/x.toml 键 [[fields]][1].row" in res.output


def test_suggest_for_a_list_layout(tmp_path):
    from tongji.authoring.suggest import suggest
    from tongji.config import load_pack

    pack = load_pack(ROOT / "mappings")
    text = suggest(
        ROOT / "samples" / "2019" / "巴林右旗职教中心" / "巴林右旗职教中心2019年分专业学生.xlsx",
        pack,
        "students_by_major",
    )
    assert (
        'layout = "list"' in text
        and 'major_category = "专业大类"' in text
        and 'major = "专业名称"' in text
    )
    assert (
        'column = "招生人数"' in text and 'field = "major_code"' in text
    )  # no 专业代码 column: listed for a person


def test_the_guide_for_a_county_summary(tmp_path):
    """docs/编写映射.md, 另一个例子: a county bureau's workbook of a second city."""
    city = ROOT / "samples" / "示例市"
    county = city / "2020" / "西山县教育局"
    book = county / "西山县2020年中等职业学校汇总.xlsx"
    runner = CliRunner()
    base = ["-r", str(city / "roster.xlsx"), "-y", "2020"]
    res = runner.invoke(
        main,
        ["extract", str(county), "-m", str(ROOT / "mappings"), *base, "-o", str(tmp_path / "o1")],
    )
    files = pl.read_parquet(tmp_path / "o1" / "files.parquet")
    assert files["school_id"].to_list() == [None]  # nobody's
    # the pack alone reads it by what its labels mean, and says so; a mapping fixes the reading
    issues = pl.read_csv(tmp_path / "o1" / "issues.csv")
    assert res.exit_code == 0 and "read_by_meaning" in issues.row(0, named=True).values()
    ours = tmp_path / "本市映射"
    ours.mkdir()
    res = runner.invoke(
        main,
        [
            "mappings",
            "suggest",
            str(book),
            "--dataset",
            "staff",
            "--sheet",
            "教职工汇总",
            "-m",
            str(ROOT / "mappings"),
            "-o",
            str(ours / "county_staff.toml"),
        ],
    )
    assert res.exit_code == 0 and '[records]\nschool = "学校名称"' in (
        ours / "county_staff.toml"
    ).read_text(encoding="utf-8")
    res = runner.invoke(
        main,
        [
            "mappings",
            "check",
            str(ROOT / "mappings"),
            str(ours),
            "--against",
            str(county),
            "--roster",
            str(city / "roster.xlsx"),
        ],
    )
    assert res.exit_code == 0 and "没有发现可疑的值" in res.output, res.output
    res = runner.invoke(
        main,
        [
            "extract",
            str(county),
            "-m",
            str(ROOT / "mappings"),
            "-m",
            str(ours),
            *base,
            "-o",
            str(tmp_path / "o2"),
        ],
    )
    staff = pl.read_parquet(tmp_path / "o2" / "staff.parquet").sort("school_id")
    assert staff["school_id"].to_list() == ["1599000004", "1599000005"]
    truth = pl.read_csv(
        city / "truth.csv", schema_overrides={"school_id": pl.Utf8, "value": pl.Utf8}
    )
    want = truth.filter(
        (pl.col("year") == 2020)
        & (pl.col("dataset") == "staff")
        & (pl.col("field") == "staff_total")
        & pl.col("file").str.contains("西山县")
    ).sort("school_id")
    assert staff["staff_total"].to_list() == [int(v) for v in want["value"]]


def test_the_mapping_reference_lists_every_key():
    from tongji.config.catalogues import CatalogueEntry, CataloguesFile, CrosswalkEntry, ValueEntry
    from tongji.config.datasets import DatasetEntry, DatasetsFile, DimensionEntry, FieldDefEntry
    from tongji.config.mapping import FieldEntry, MappingFile, MatchEntry, SchoolEntry
    from tongji.config.toml import keys_of

    text = (ROOT / "docs" / "映射参考.md").read_text(encoding="utf-8")
    schemas = (
        MappingFile,
        MatchEntry,
        SchoolEntry,
        FieldEntry,
        DatasetsFile,
        DatasetEntry,
        FieldDefEntry,
        DimensionEntry,
    )
    from tongji.config.unused import UnusedSheetsEntry, UnusedSheetsFile

    more = (
        CataloguesFile,
        CatalogueEntry,
        ValueEntry,
        CrosswalkEntry,
        UnusedSheetsFile,
        UnusedSheetsEntry,
    )
    for schema in (*schemas, *more):
        missing = [
            k
            for k in keys_of(schema)
            if f"`{k}`" not in text and f"[{k}]" not in text and f"[{k}." not in text
        ]
        assert missing == [], (schema.__name__, missing)
