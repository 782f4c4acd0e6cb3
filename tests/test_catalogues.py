"""Catalogue editions by year (the 专业目录 of 2010 and of 2021): labels and codes resolve
in the edition of the returns' year, a value of the other edition is read and said, the
config is checked where it is written, a job can name another edition."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from builders import SheetSpec, national_teacher_form, retyped_major_table, write_xlsx
from click.testing import CliRunner

from tongji.cli import main
from tongji.config import ConfigError, load_pack
from tongji.config.job import load_job
from tongji.extraction import extract_file
from tongji.extraction.roster import load_roster

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="module")
def pack():
    return load_pack(ROOT / "mappings")


@pytest.fixture(scope="module")
def roster():
    return load_roster(SAMPLES / "roster.xlsx")


def test_a_label_resolves_in_the_edition_of_its_year(pack):
    in_2020, in_2021 = (
        pack.dimensions_for(2020)["major_category"],
        pack.dimensions_for(2021)["major_category"],
    )
    # a short name both editions know follows the year
    assert (
        in_2020.match("农林牧渔").value == "农林牧渔类"
        and in_2021.match("农林牧渔").value == "农林牧渔大类"
    )
    assert in_2020.match("农林牧渔").edition is None and in_2021.match("农林牧渔").edition is None
    # a name or a code of one edition is that edition's value in any year, and said to be
    old = in_2021.match("090100")
    assert old.value == "信息技术类" and old.edition.id == "2010"
    new = in_2020.match("电子与信息大类")
    assert new.value == "电子与信息大类" and new.edition.id == "2021"
    assert (
        in_2021.match("710201").value == "电子与信息大类"
        and in_2021.match("710201").edition is None
    )
    assert in_2021.match("教育与体育").value == "教育与体育大类"


def test_codes_are_text_and_a_lost_leading_zero_is_put_back(pack):
    dim = pack.dimensions_for(2020)["major_category"]
    assert dim.match("010400").value == "农林牧渔类" and dim.match("010400").restored == ""
    lost = dim.match(10400)  # stored as a number: the 0 is gone
    assert (lost.value, lost.restored) == ("农林牧渔类", "010400")
    unknown = dim.match("990101")
    assert unknown.value is None and "99" in unknown.problem
    assert (
        dim.match("0904").value is None and "0904" in dim.match("0904").problem
    )  # too short to be a 专业代码


def test_the_job_can_name_another_edition_for_a_year(pack, tmp_path):
    other = pack.with_catalogue_years({2021: "2010"})
    assert other.dimensions_for(2021)["major_category"].match("农林牧渔").value == "农林牧渔类"
    assert (
        other.edition("major_category", 2021).id == "2010"
        and other.edition("major_category", 2022).id == "2021"
    )
    job = tmp_path / "job.toml"
    job.write_text(
        f'year = 2021\nroster = "{(SAMPLES / "roster.xlsx").as_posix()}"\nmappings = "{(ROOT / "mappings").as_posix()}"\n'
        f'report = "{(ROOT / "reports" / "annual_report.toml").as_posix()}"\noutput = "out"\ncatalogue = {{ 2021 = "2010" }}\n[inputs]\n2021 = ["x"]\n',
        encoding="utf-8",
    )
    assert load_job(job).catalogues == {2021: "2010"}
    job.write_text(
        job.read_text(encoding="utf-8").replace('"2010" }', '"2011" }'), encoding="utf-8"
    )
    from tongji.run import run_job

    with pytest.raises(ConfigError) as caught:
        run_job(job)
    [problem] = caught.value.problems
    assert (
        problem.key == "catalogue.2021"
        and "2011" in problem.message
        and "2010、2021" in problem.message
    )


def test_catalogue_mistakes_are_reported_with_file_and_key(tmp_path):
    m = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", m)
    text = (m / "catalogues.toml").read_text(encoding="utf-8")
    text = text.replace("years = [2021]", "years = [2020]")  # overlaps 2010–2020
    text = text.replace(
        '"旅游大类" = { code = "74"', '"旅游服务类" = { code = "74"'
    )  # 2010's name again
    text = text.replace('"其他" = []\n', "")  # a value of the old edition without a destination
    text = text.replace(
        '"播音与节目主持" = "新闻传播大类"', '"播音与节目主持" = "新闻大类"'
    )  # not a value of the new edition
    (m / "catalogues.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_pack(m)
    found = {(p.file, p.key) for p in caught.value.problems}
    assert ("mappings/catalogues.toml", "catalogues.2021.years") in found
    assert ("mappings/catalogues.toml", "catalogues.2021.values.旅游服务类") in found
    assert ("mappings/catalogues.toml", "crosswalks.2010-2021.values") in found
    assert ("mappings/catalogues.toml", "crosswalks.2010-2021.majors.播音与节目主持") in found
    assert all(
        "”" in p.message for p in caught.value.problems
    )  # each names what it found, in Chinese


def test_a_dimension_given_by_catalogues_has_no_values_of_its_own(tmp_path):
    m = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", m)
    datasets = (m / "datasets.toml").read_text(encoding="utf-8")
    (m / "datasets.toml").write_text(
        datasets.replace('title = "专业大类"', 'title = "专业大类"\nvalues = ["信息技术类"]'),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_pack(m)
    assert [(p.file, p.key) for p in caught.value.problems] == [
        ("datasets.toml", "dimensions.major_category.values")
    ]


def test_an_old_form_in_a_new_year_is_read_and_said(tmp_path, pack, roster):
    """A school sends last year's 中职基421 for 2025: its figures are read, the form is said."""
    res = extract_file(
        write_xlsx(tmp_path / "赤峰农牧学校2025年中职基421.xlsx", [national_teacher_form()]),
        pack,
        roster,
        2025,
    )
    [found] = [i for i in res.issues if i.code == "form_year_mismatch"]
    assert (
        found.severity == "warning"
        and found.sheet
        and "2010–2020" in found.message
        and "2025" in found.message
    )
    assert any(v.field == "postgrad" for v in res.values)
    same = extract_file(tmp_path / "赤峰农牧学校2025年中职基421.xlsx", pack, roster, 2020)
    assert not [i for i in same.issues if i.code == "form_year_mismatch"]


def test_a_category_of_the_other_edition_is_read_and_said_per_row(tmp_path, pack, roster):
    rows = [
        [1, "计算机应用", "信息技术类", 120, 40, "", 35],
        [2, "护理", "医药卫生大类", 80, 30, "", 20],
    ]
    sheet = retyped_major_table(rows=rows, total=["合计", None, None, 200, 70, None, 55])
    sheet.put(0, 0, "2021年赤峰农牧学校分专业学生情况")
    res = extract_file(
        write_xlsx(tmp_path / "赤峰农牧学校2021年分专业学生.xlsx", [sheet]), pack, roster, 2021
    )
    [found] = [i for i in res.issues if i.code == "catalogue_mismatch"]
    assert (
        found.cell == "C4"
        and "信息技术类" in found.message
        and "《中等职业学校专业目录（2010年修订）》" in found.message
    )
    keys = {dict(v.keys)["major_category"] for v in res.values}
    assert keys == {
        "信息技术类",
        "医药卫生大类",
    }  # read as written; the report puts it into 2021's edition


def test_the_catalogue_option_names_an_edition_the_pack_has(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    write_xlsx(d / "a.xlsx", [SheetSpec("x")])
    args = [
        "extract",
        str(d),
        "-m",
        str(ROOT / "mappings"),
        "-r",
        str(SAMPLES / "roster.xlsx"),
        "-y",
        "2021",
        "-o",
        str(tmp_path / "o"),
        "--catalogue",
        "2015",
    ]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2 and "--catalogue" in res.output and "2015" in res.output
