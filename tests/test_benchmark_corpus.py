"""The benchmark's realistic corpus is read right: every figure of its truth table from its
cell, the export's unused forms named once in the corpus's own folder (not warned about)."""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from tongji.config import load_pack
from tongji.extraction import collect_inputs, extract_paths
from tongji.extraction.roster import load_roster

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import realistic  # noqa: E402


def test_every_figure_of_a_small_realistic_province_comes_from_its_cell(tmp_path):
    counts = realistic.build(tmp_path, 10)
    assert counts["xls"] > 0 and counts["files"] > 20  # .xls among them, separate surveys
    pack = load_pack([ROOT / "mappings", tmp_path / realistic.CITY_MAPPINGS])
    roster = load_roster(tmp_path / "roster.xlsx")
    files = collect_inputs([tmp_path / "2020"])
    result = extract_paths(
        files, pack, roster, 2020, displays=[f.relative_to(tmp_path).as_posix() for f in files]
    )
    assert not [i for i in result.issues if i.severity in ("error", "warning")], result.issues[:3]
    got = {(v.file, v.sheet, v.cell): (v.value, v.text) for v in result.values}
    truth = pl.read_csv(tmp_path / "truth.csv", infer_schema_length=0).filter(
        pl.col("year") == "2020"
    )
    assert truth.height > 500
    for row in truth.iter_rows(named=True):
        value, text = got[(row["file"], row["sheet"], row["cell"])]
        assert (text == row["value"]) if value is None else abs(value - float(row["value"])) < 1e-6
    unused = {sheet for f in result.files for sheet, mapping in f.sheets if mapping == "不需要"}
    assert unused == {form[0] for form in realistic.UNREAD_FORMS}
