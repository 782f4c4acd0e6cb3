"""Bad inputs and faults: one file never stops the batch, a figure is never stale, a run's
outputs are replaced whole or not at all (issue: the December batch never aborts on one
file, never serves a stale figure, never runs foreign code)."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from badfiles import build, write_good
from badfiles2 import KNOWN_WRONG, SCHOOLS, build_more

from tongji.extraction.store import read_issues

ROOT = Path(__file__).resolve().parents[1]


# Runs a command and prints the peak resident memory of it and its children (in KiB) last
# on stderr: what the test process itself allocated is not counted.
_MEASURED = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[1:])\n"
    "print('peak_kb', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def _extract(
    folder: Path, out: Path, pack_dir: Path, roster_path: Path, *extra: str
) -> subprocess.CompletedProcess:
    cmd = [
        sys.executable,
        "-m",
        "tongji",
        "extract",
        str(folder),
        "-m",
        str(pack_dir),
        "-r",
        str(roster_path),
        "-y",
        "2020",
        "-o",
        str(out),
        *extra,
    ]
    return subprocess.run(
        [sys.executable, "-c", _MEASURED, *cmd],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=300,
    )


def _peak_kb(result: subprocess.CompletedProcess) -> int:
    return int(result.stderr.rsplit("peak_kb", 1)[1].split()[0])


def _issues(out: Path) -> list[dict[str, str]]:
    return [i.as_row() for i in read_issues(out)]


def _raw_issues(out: Path) -> list[dict[str, str]]:
    """issues.csv as a spreadsheet program sees it (its Chinese headers)."""
    with open(out / "issues.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from conftest import DATASETS_TOML, MAJORS_TOML, SCHOOL_INFO_TOML, TEACHERS_TOML

    base = tmp_path_factory.mktemp("faults")
    pack_dir = base / "mappings"
    pack_dir.mkdir()
    for name, text in (
        ("datasets", DATASETS_TOML),
        ("teachers_421", TEACHERS_TOML),
        ("school_info_111", SCHOOL_INFO_TOML),
        ("majors_list", MAJORS_TOML),
    ):
        (pack_dir / f"{name}.toml").write_text(text, encoding="utf-8")
    from builders import SheetSpec, write_xlsx

    s = SheetSpec("名录")
    s.row(0, ["学校代码", "学校名称", "旗县区"])
    for i, name in enumerate(
        ["赤峰农牧学校", "松山区职教中心", "赤峰第一职业中专", "赤峰北方民族技工学校", *SCHOOLS], 1
    ):
        s.row(i, [f"15040000{i:02d}", name, "红山区"])
    roster = write_xlsx(base / "roster.xlsx", [s])
    good, mixed = base / "good", base / "mixed"
    write_good(good)
    write_good(mixed)
    bad = build(mixed) + build_more(mixed)
    clean = _extract(good, base / "out_good", pack_dir, roster)
    result = _extract(mixed, base / "out_mixed", pack_dir, roster)
    return {
        "base": base,
        "bad": bad,
        "clean": clean,
        "result": result,
        "pack_dir": pack_dir,
        "roster": roster,
    }


def test_the_corpus_has_eighty_kinds(corpus):
    names = [b.name for b in corpus["bad"]]
    assert len(set(names)) == len(names) >= 80
    assert set(KNOWN_WRONG) <= set(names)


def test_no_kind_is_known_to_be_read_wrong():
    """A kind tongji gets wrong is listed in KNOWN_WRONG with where to fix it; none is left."""
    assert not KNOWN_WRONG, KNOWN_WRONG


def test_the_batch_goes_on_and_exits_as_documented(corpus):
    result = corpus["result"]
    assert result.returncode == 1, result.stderr[-2000:]
    assert (
        "Traceback" not in result.stderr
        and "panicked" not in result.stderr
        and "memory allocation" not in result.stderr
    )
    assert "完成：" in result.stderr


def test_every_bad_file_is_named_in_chinese_with_its_finding(corpus):
    issues = _issues(corpus["base"] / "out_mixed")
    by_file: dict[str, list[dict[str, str]]] = {}
    for i in issues:
        by_file.setdefault(Path(i["file"]).name, []).append(i)
    missing = []
    for bad in corpus["bad"]:
        if bad.name in KNOWN_WRONG:
            continue
        found = by_file.get(bad.name, [])
        if bad.code is None:
            assert not [i for i in found if i["severity"] == "error"], (bad.name, found)
            continue
        match = [
            i
            for i in found
            if i["code"] == bad.code
            and i["severity"] == bad.severity
            and (not bad.cell or i["cell"] == bad.cell)
        ]
        if not match or not any(ord(ch) > 0x2E7F for ch in match[0]["message"]):
            missing.append((bad.name, bad.code, [(i["code"], i["severity"]) for i in found]))
    assert missing == []


def test_a_bad_file_that_reads_as_good_gives_its_figures(corpus):
    lineage = pl.read_parquet(corpus["base"] / "out_mixed" / "lineage.parquet")
    given: dict[str, set[tuple[str, float]]] = {}
    for file, field, value, status in lineage.select(["file", "field", "value", "status"]).rows():
        if status == "value":
            given.setdefault(Path(file).name, set()).add((field, value))
    wrong = [
        (b.name, b.figures, sorted(given.get(b.name, ())))
        for b in corpus["bad"]
        if b.figures
        and b.name not in KNOWN_WRONG
        and not set(b.figures) <= given.get(b.name, set())
    ]
    assert wrong == []
    assert sum(bool(b.figures) for b in corpus["bad"]) >= 30


def test_good_files_give_the_same_figures_as_a_clean_run(corpus):
    keep = ["school_id", "keys", "field", "value", "text", "status", "sheet", "cell", "raw", "rule"]

    def figures(out: Path) -> pl.DataFrame:
        lineage = pl.read_parquet(out / "lineage.parquet")
        lineage = lineage.with_columns(
            pl.col("file").map_elements(lambda f: Path(f).name, return_dtype=pl.Utf8)
        )
        good = {
            "赤峰农牧学校_421.xlsx",
            "松山区职教中心_421.xls",
            "赤峰农牧学校_专业.xlsx",
            "赤峰农牧学校_111.xlsx",
        }
        return (
            lineage.filter(pl.col("file").is_in(good))
            .select(["file", *keep])
            .sort(["file", "cell", "field"])
        )

    assert corpus["clean"].returncode == 0
    assert figures(corpus["base"] / "out_mixed").equals(figures(corpus["base"] / "out_good"))


def test_memory_stays_bounded(corpus):
    # the zip bomb and the huge dimensions are refused or read in a child that may not grow
    assert _peak_kb(corpus["result"]) < 300 * 1024


def test_csv_injection_is_neutralised_in_issues_csv_and_text_in_the_workbook(corpus):
    issues = _raw_issues(corpus["base"] / "out_mixed")
    row = next(i for i in issues if "cmd.xlsx" in i["文件"])
    assert row["文件"].startswith("'=") or "/=" in row["文件"]
    assert row["工作表"] == "'=HYPERLINK(1)"


def test_outputs_are_readable_by_colleagues(corpus):
    mask = os.umask(0o022)
    os.umask(mask)
    for path in (corpus["base"] / "out_mixed").iterdir():
        assert path.stat().st_mode & 0o777 == 0o666 & ~mask, path


def test_the_quick_look_at_a_sheet_never_passes_what_the_close_look_would_stop():
    from tongji.extraction import guard

    row = b'<row r="%d"><c r="%s%d"><v>1</v></c></row>'
    plain = b"<sheetData>" + b"".join(row % (r, b"B", r) for r in range(1, 40)) + b"</sheetData>"
    assert guard._clearly_small(plain)
    for stray in (
        b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',  # far away
        b"<row r='1048576'><c r='A1048576'><v>1</v></c></row>",  # single quotes
        b'<row\tr="5"><c\nr="XFD5"><v>1</v></c></row>',  # other white space
        b'<x:row r="20000"><x:c r="A20000"/></x:row>',  # a namespace prefix
    ):
        assert not guard._clearly_small(plain.replace(b"</sheetData>", stray + b"</sheetData>")), (
            stray
        )
    many = (
        b"<sheetData>" + b"<row>" * (guard._QUICK_ROWS + 1) + b"</sheetData>"
    )  # rows with no number
    assert not guard._clearly_small(many)
