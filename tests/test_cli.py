import csv
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
from builders import (
    ENGLISH,
    SheetSpec,
    key_value_form,
    national_teacher_form,
    retyped_major_table,
    write_xls,
    write_xlsx,
)
from click.testing import CliRunner

from tongji.cli import main
from tongji.extraction.store import read_issues


def _batch(tmp_path):
    d = tmp_path / "returns"
    d.mkdir()
    write_xlsx(d / "赤峰农牧学校_421.xlsx", [national_teacher_form()])
    write_xls(
        d / "松山区职教中心_421.xls",
        [national_teacher_form(school="松山区职教中心", total=50, male=20, female=30)],
    )
    write_xlsx(d / "赤峰农牧学校_专业.xlsx", [retyped_major_table()])
    write_xlsx(d / "赤峰农牧学校_111.xlsx", [key_value_form()])
    (d / "corrupt.xlsx").write_bytes(b"PK\x03\x04garbage")
    (d / "renamed.xlsx").write_text("只是文本", encoding="utf-8")
    (d / "~$赤峰农牧学校_421.xlsx").write_bytes(b"lock")
    canteen = SheetSpec("食堂")
    canteen.row(0, ["食堂", "面积"])
    canteen.row(1, ["一食堂", 300])
    write_xlsx(d / "赤峰第一职业中专_食堂.xlsx", [canteen])
    return d


def test_extract_mixed_folder(tmp_path, pack_dir, roster_path):
    d = _batch(tmp_path)
    out = tmp_path / "out"
    args = [
        "extract",
        str(d),
        "--mappings",
        str(pack_dir),
        "--roster",
        str(roster_path),
        "--year",
        "2020",
        "--out",
        str(out),
    ]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output

    teachers = pl.read_parquet(out / "teachers.parquet").sort("school_id")
    assert teachers["school_id"].to_list() == ["1504000001", "1504000002"]
    assert teachers["total"].to_list() == [100, 50]
    assert teachers["female"].to_list() == [60, 30]
    assert teachers["dual_male"].to_list() == [None, None]
    assert teachers["not_applicable"].to_list() == [["dual_male"], ["dual_male"]]
    assert teachers.schema["total"] == pl.Int64

    majors = pl.read_parquet(out / "majors.parquet")
    assert majors.height == 3 and majors["students"].sum() == 1250
    info = pl.read_parquet(out / "school_info.parquet")
    assert info["equipment_value"].to_list() == [325.0]

    lineage = pl.read_parquet(out / "lineage.parquet")
    row = lineage.filter((pl.col("field") == "total") & (pl.col("school_id") == "1504000002")).row(
        0, named=True
    )
    assert (
        row["file"].endswith("松山区职教中心_421.xls")
        and row["cell"] == "D10"
        and row["raw"] == "50"
    )
    totals = pl.read_parquet(out / "totals.parquet")
    assert set(totals["field"]) == {"enrolment", "students", "graduates"}

    with open(out / "issues.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == [
        "级别",
        "代码",
        "说明",
        "处理建议",
        "文件",
        "工作表",
        "单元格",
        "学校代码",
        "映射",
    ]  # as 数据质量
    assert {r["级别"] for r in rows} == {"错误"}
    issues = [i.as_row() for i in read_issues(out)]  # read back as the findings they are
    by_file = {(i["file"].rsplit("/", 1)[-1], i["code"]) for i in issues}
    assert by_file == {
        ("corrupt.xlsx", "corrupt"),
        ("renamed.xlsx", "not_workbook"),
        ("赤峰第一职业中专_食堂.xlsx", "workbook_unmatched"),
    }
    assert all(i["severity"] == "error" and i["message"] and i["hint"] for i in issues)
    files = pl.read_parquet(out / "files.parquet")
    assert files.height == 7  # the lock file is not read


def test_exit_codes(tmp_path, pack_dir, roster_path):
    good = tmp_path / "good"
    good.mkdir()
    write_xlsx(good / "a.xlsx", [national_teacher_form()])
    base = [
        "--mappings",
        str(pack_dir),
        "--roster",
        str(roster_path),
        "--year",
        "2020",
        "--out",
        str(tmp_path / "o"),
    ]
    runner = CliRunner()
    assert runner.invoke(main, ["extract", str(good), *base]).exit_code == 0
    # a warning only: exit 0, or 1 with --strict
    old = national_teacher_form(total=1)
    old.name, old.hidden = "中职基421旧", True
    write_xlsx(good / "a.xlsx", [national_teacher_form(), old])
    assert runner.invoke(main, ["extract", str(good), *base]).exit_code == 0
    assert runner.invoke(main, ["extract", str(good), *base, "--strict"]).exit_code == 1
    # bad usage and bad config: 2
    res = runner.invoke(main, ["extract", str(tmp_path / "nowhere"), *base])
    assert res.exit_code == 2 and "路径不存在" in res.output
    (pack_dir / "bad.toml").write_text('dataset="x"\n', encoding="utf-8")
    res = runner.invoke(main, ["extract", str(good), *base])
    assert res.exit_code == 2 and "bad.toml" in res.output
    assert runner.invoke(main, ["extract", str(good)]).exit_code == 2


def test_extract_runs_as_a_real_process_with_two_jobs(tmp_path, pack_dir, roster_path):
    d = _batch(tmp_path)
    out = tmp_path / "out"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tongji",
            "extract",
            str(d),
            "-m",
            str(pack_dir),
            "-r",
            str(roster_path),
            "-y",
            "2020",
            "-o",
            str(out),
            "--jobs",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=300,  # a hang fails the test (hundreds of times what it takes, busy or not)
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "完成：7 个文件" in proc.stderr
    assert pl.read_parquet(out / "teachers.parquet").height == 2
    # -j 0: as many processes as the machine has CPUs, the same figures
    base = ["-m", str(pack_dir), "-r", str(roster_path), "-y", "2020"]
    res = CliRunner().invoke(
        main, ["extract", str(d), *base, "-o", str(tmp_path / "auto"), "-j", "0"]
    )
    assert res.exit_code == 1
    for name in ("teachers.parquet", "lineage.parquet"):
        assert pl.read_parquet(tmp_path / "auto" / name).equals(pl.read_parquet(out / name))


def test_inspect_shows_structure_and_fields(tmp_path, pack_dir, roster_path):
    path = write_xlsx(tmp_path / "x.xlsx", [national_teacher_form(), retyped_major_table()])
    res = CliRunner().invoke(main, ["inspect", str(path), "--mappings", str(pack_dir)])
    assert res.exit_code == 0, res.output
    out = res.output
    assert "导出的网格标签（已忽略）：第 1 行（A B C …）、A 列（1 2 3 …）" in out
    assert "表头行：第 5–7 行" in out and "列代码行：第 9 行" in out
    assert "按学历分/本科及以下/本科毕业" in out and "代码 5" in out
    assert "采用 teachers_421" in out and "采用 majors_list" in out
    res = CliRunner().invoke(
        main,
        [
            "inspect",
            str(path),
            "--mappings",
            str(pack_dir),
            "--mapping",
            "teachers_421",
            "--roster",
            str(roster_path),
        ],
    )
    assert "total" in res.output and "D10 原文“100” → 100 人" in res.output
    assert "学校：1504000001" in res.output
    res = CliRunner().invoke(
        main, ["inspect", str(path), "--mappings", str(pack_dir), "--mapping", "nope"]
    )
    assert res.exit_code == 2 and "teachers_421" in res.output


def test_an_output_open_elsewhere_is_a_clear_message(tmp_path, pack_dir, roster_path, monkeypatch):
    import tongji.extraction.store

    good = tmp_path / "good"
    good.mkdir()
    write_xlsx(good / "a.xlsx", [national_teacher_form()])

    args = [
        "extract",
        str(good),
        "--mappings",
        str(pack_dir),
        "--roster",
        str(roster_path),
        "--year",
        "2020",
        "--out",
        str(tmp_path / "o"),
    ]
    assert CliRunner().invoke(main, args).exit_code == 0
    before = (tmp_path / "o" / "issues.csv").read_bytes()
    real_replace = tongji.extraction.store.os.replace

    for refused in ("o", ".o.new-"):  # the folder from before, or the new one, cannot be renamed

        def locked(src, dst, refused=refused):  # as Windows says it: naming the folder renamed
            if Path(src).name.startswith(refused):
                raise PermissionError(13, "Access is denied", str(src), None, str(dst))
            real_replace(src, dst)

        monkeypatch.setattr(tongji.files.os, "replace", locked)
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 3 and "Excel" in res.output and "Traceback" not in res.output
        assert (
            str(tmp_path / "o") in res.output
            and ".new-" not in res.output
            and "未被改动" in res.output
        )
        assert (tmp_path / "o" / "issues.csv").read_bytes() == before and not list(
            tmp_path.glob(".o.*")
        )
    monkeypatch.setattr(tongji.files.os, "replace", real_replace)
    monkeypatch.setattr(
        tongji.files, "_in_use", lambda path: path.name == "issues.csv"
    )  # Excel holds a lock on it
    res = CliRunner().invoke(main, args)
    assert (
        res.exit_code == 3
        and "issues.csv" in res.output
        and "WPS" in res.output
        and "未被改动" in res.output
    )
    assert (tmp_path / "o" / "issues.csv").read_bytes() == before and not list(
        tmp_path.glob(".o.*")
    )


def test_extract_replaces_its_folder_whole_or_not_at_all(
    tmp_path, pack_dir, roster_path, monkeypatch
):
    import tongji.extraction.store

    d = _batch(tmp_path)
    out = tmp_path / "o"
    args = [
        "extract",
        str(d),
        "--mappings",
        str(pack_dir),
        "--roster",
        str(roster_path),
        "--year",
        "2020",
        "--out",
        str(out),
    ]
    assert CliRunner().invoke(main, args).exit_code == 1
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (d / "赤峰农牧学校_421.xlsx").unlink()
    real = tongji.extraction.store.write_parquet
    calls = []

    def disk_full_on_the_third(df, path):
        calls.append(path)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real(df, path)

    monkeypatch.setattr(tongji.extraction.store, "write_parquet", disk_full_on_the_third)
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 3 and "磁盘空间不足" in res.output
    assert {
        p.name: p.read_bytes() for p in out.iterdir()
    } == before  # not two files of the new run beside the old
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_extract_does_not_replace_a_folder_of_other_files(tmp_path, pack_dir, roster_path):
    d = _batch(tmp_path)
    desk = tmp_path / "桌面"
    desk.mkdir()
    (desk / "工作计划.docx").write_bytes(b"mine")
    res = CliRunner().invoke(
        main,
        [
            "extract",
            str(d),
            "-m",
            str(pack_dir),
            "-r",
            str(roster_path),
            "-y",
            "2020",
            "-o",
            str(desk),
        ],
    )
    assert res.exit_code == 2 and "工作计划.docx" in res.output and "新的或空的目录" in res.output
    assert [p.name for p in desk.iterdir()] == ["工作计划.docx"]


def _tongji(*args: str) -> subprocess.CompletedProcess:
    """The program as a user runs it: a real process, its console in UTF-8."""
    return subprocess.run(
        [sys.executable, "-m", "tongji", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        timeout=60,
    )


def test_a_mistyped_command_and_a_missing_option_are_said_in_chinese():
    res = _tongji("runn")
    assert res.returncode == 2 and "没有命令“runn”" in res.stderr and "run" in res.stderr
    assert not ENGLISH.search(res.stdout + res.stderr), res.stderr
    res = _tongji("extract", "报表")
    assert res.returncode == 2 and "缺少选项" in res.stderr and "--mappings" in res.stderr
    assert not ENGLISH.search(res.stdout + res.stderr), res.stderr
    res = _tongji("run", "任务.toml", "--jobz", "2")
    assert res.returncode == 2 and "没有选项“--jobz”" in res.stderr
    assert not ENGLISH.search(res.stdout + res.stderr), res.stderr


def _commands(group, path=()):
    for name, command in group.commands.items():
        yield (*path, name), command
        if hasattr(command, "commands"):
            yield from _commands(command, (*path, name))


def test_every_help_is_chinese_and_every_command_has_a_short_help():
    runner = CliRunner()
    for path, command in [((), main), *_commands(main)]:
        res = runner.invoke(main, [*path, "--help"])
        assert res.exit_code == 0 and "用法：" in res.output, path
        assert not ENGLISH.search(res.output), (path, ENGLISH.search(res.output))
        short = command.get_short_help_str()
        assert short and "..." not in short and len(short) <= 40, (path, short)


def test_shell_completion_as_the_readme_sets_it_up():
    def complete(words: str, position: int) -> list[str]:
        env = {
            "_TONGJI_COMPLETE": "bash_complete",
            "COMP_WORDS": words,
            "COMP_CWORD": str(position),
        }
        res = subprocess.run(
            [sys.executable, "-c", "from tongji.cli import main; main(prog_name='tongji')"],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env={**os.environ, **env},
            timeout=60,
        )
        assert res.returncode == 0, res.stderr
        return res.stdout.split()

    assert complete("tongji ru", 1) == ["plain,run"]
    assert complete("tongji run --dr", 2) == ["plain,--dry-run"]
