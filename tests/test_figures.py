"""Figures as columns: what crosses from a worker, what is merged and what is cached is a
frame of lineage columns, and it says exactly what the objects said."""

from __future__ import annotations

import json
import math
from pathlib import Path

import polars as pl
import pytest

from tongji.extraction import merge_results
from tongji.extraction.figures import (
    decode_keys,
    encode_keys,
    figures_frame,
    key_pairs,
    values_of,
)
from tongji.extraction.results import FileResult, Value
from tongji.run import cache


def _value(file: str, field: str, value: float | None, keys=(), status="value", raw=None) -> Value:
    return Value(
        "staff", "1504000001", 2020, keys, field, value, None, status, None, None, 1.0,
        raw if raw is not None else ("" if value is None else str(value)),
        file, "表1", "B4" if field == "a" else "C4", "m", "规则",
    )  # fmt: skip


@pytest.mark.parametrize(
    "keys",
    [
        (("major", "计算机;应用"), ("grade", "一=二")),
        (("major", "100%"), ("x", "%3B")),
        (("k;1", "a=b;c"),),
        (),
    ],
)
def test_keys_with_the_separators_in_them_come_back_as_they_were(keys):
    text = encode_keys(keys)
    assert key_pairs(text) == keys and decode_keys(text) == dict(keys)


def test_keys_written_before_escaping_read_the_same():
    assert decode_keys("major_category=信息技术类;major=计算机应用") == {
        "major_category": "信息技术类",
        "major": "计算机应用",
    }


def test_two_records_whose_keys_differ_only_in_a_separator_stay_apart():
    one = _value("a.xlsx", "a", 1.0, keys=(("major", "甲;x=乙"),))
    other = _value("b.xlsx", "a", 2.0, keys=(("major", "甲"), ("x", "乙")))
    merged = merge_results(
        [FileResult("a.xlsx", values=[one]), FileResult("b.xlsx", values=[other])], 2020
    )
    assert [i.code for i in merged.issues] == []
    assert sorted(v.value for v in merged.values) == [1.0, 2.0]


def test_a_frame_of_figures_turns_back_into_the_same_objects():
    values = [
        _value("a.xlsx", "a", 1.5, keys=(("major", "计算机;应用"),)),
        _value("a.xlsx", "b", None, status="empty"),
    ]
    assert values_of(figures_frame(values)) == values


def test_merging_keeps_the_first_place_order_and_says_each_finding_after_its_files_own():
    """File 0 gives a and b; file 1 gives b again (equal) and c; file 2 gives a otherwise:
    a is in conflict at its first place, b is a duplicate, each finding follows its file's."""
    from tongji.findings import issue

    own = [issue("empty_file", f"第 {n} 个文件自己的", file=f"{n}.xlsx") for n in range(3)]
    files = [
        FileResult("0.xlsx", values=[_value("0.xlsx", "a", 1.0), _value("0.xlsx", "b", 2.0)], issues=[own[0]]),
        FileResult("1.xlsx", values=[_value("1.xlsx", "b", 2.0), _value("1.xlsx", "c", 3.0)], issues=[own[1]]),
        FileResult("2.xlsx", values=[_value("2.xlsx", "a", 5.0)], issues=[own[2]]),
    ]  # fmt: skip
    for packed in (False, True):  # objects, or the columns a worker hands back
        given = [FileResult(f.file, values=list(f.values), issues=f.issues) for f in files]
        if packed:
            given = [f.pack() for f in given]
        merged = merge_results(given, 2020)
        assert [i.code for i in merged.issues] == [
            "empty_file", "empty_file", "duplicate_value", "empty_file", "conflicting_value",
        ]  # fmt: skip
        assert [(v.field, v.file, v.status) for v in merged.values] == [
            ("a", "0.xlsx", "error"),
            ("b", "0.xlsx", "value"),
            ("c", "1.xlsx", "value"),
        ]
        assert "2.xlsx 表1!B4" in merged.values[0].rule
        assert [f.n_values for f in given] == [2, 2, 1]  # the files' own results untouched


def test_a_packed_result_asked_for_objects_gives_them_and_stays_right():
    res = FileResult("a.xlsx", values=[_value("a.xlsx", "a", 1.0)]).pack()
    assert isinstance(res.figures(), pl.DataFrame) and res.n_values == 1
    res.values.append(_value("a.xlsx", "b", 2.0))  # a step that changes the objects
    assert res.figures()["field"].to_list() == ["a", "b"] and res.n_values == 2


def _entry(tmp_path: Path, res: FileResult) -> Path:
    entry = tmp_path / "e.json"
    cache.keep(res, entry)
    return entry


def test_a_cache_entry_gives_back_the_columns_it_was_written_from(tmp_path):
    res = FileResult("a.xlsx", "ab" * 32, values=[_value("a.xlsx", "a", 1.0, keys=(("m", "x;y"),))])
    back = cache.load(_entry(tmp_path, res), "copy.xlsx")
    assert back is not None and back.values[0].file == "copy.xlsx"
    assert back.values[0].keys == (("m", "x;y"),) and back.values[0].value == 1.0


@pytest.mark.parametrize(
    "tamper",
    [
        lambda v: v["value"].__setitem__(0, True),  # polars would take it as 1.0
        lambda v: v["value"].__setitem__(0, "1"),
        lambda v: v["year"].__setitem__(0, None),
        lambda v: v["cell"].pop(),  # columns of different lengths
        lambda v: v.pop("rule"),
        lambda v: v["factor"].__setitem__(0, math.inf),
        lambda v: v["value"].__setitem__(0, "__1e400__"),  # a number that overflows: inf
        lambda v: v["keys"].__setitem__(0, None),  # a figure of no record: would fail later
        lambda v: v["keys"].__setitem__(0, "garbage"),  # reads as no keys, matches nothing
        lambda v: v["status"].__setitem__(0, None),  # would be left out of every table
        lambda v: v["status"].__setitem__(0, "maybe"),
        lambda v: v["rule"].__setitem__(0, None),
        lambda v: v["cell"].__setitem__(0, None),
    ],
)
def test_a_cache_entry_of_another_shape_is_no_entry(tmp_path, tamper):
    res = FileResult("a.xlsx", "ab" * 32, values=[_value("a.xlsx", "a", 1.0)])
    entry = _entry(tmp_path, res)
    data = json.loads(entry.read_text(encoding="utf-8"))
    tamper(data["values"])
    text = json.dumps(data, ensure_ascii=False).replace('"__1e400__"', "1e400")
    entry.write_text(text, encoding="utf-8")
    assert cache.load(entry, "a.xlsx") is None


def test_merging_as_columns_equals_judging_every_figure_one_by_one():
    """The merge judges only figures given more than once, then puts every figure back in
    its place: the same as judging all of them, in the files' order, one by one (random
    files: blanks, errors, equal and differing copies, keys with separators, no school)."""
    import random

    from tongji.extraction import clean
    from tongji.extraction.merge import _judge

    keys = [(), (("a", "x"),), (("a", "x;b=y"),), (("a", "x"), ("b", "y")), (("a", "%3B"),)]
    for seed in range(300):
        rng = random.Random(seed)
        files = []
        for f in range(rng.randint(0, 4)):
            values = []
            for i in range(rng.choice([0, 1, 4, 9])):
                status = rng.choice([clean.VALUE, clean.VALUE, clean.EMPTY, clean.ERROR])
                value = rng.choice([1.0, 2.0, -0.0, None]) if status == clean.VALUE else None
                values.append(
                    Value(
                        rng.choice(["d1", "d2"]),
                        rng.choice([None, "s1", ""]),
                        2024,
                        rng.choice(keys),
                        rng.choice(["f1", "f2"]),
                        value,
                        "t" if status == clean.VALUE and value is None else None,
                        status,
                        None,
                        None,
                        1.0,
                        f"raw{i}",
                        f"{f}.xlsx",
                        "S",
                        f"A{i}",
                        "m",
                        "r",
                    )  # fmt: skip
                )
            own = [issue_of(f"{f}.xlsx", j) for j in range(rng.randint(0, 2))]
            result = FileResult(f"{f}.xlsx", values=values, issues=own)
            files.append(result.pack() if rng.random() < 0.5 else result)
        merged = merge_results(files, 2024)
        places = [(v, n, 0) for n, res in enumerate(files) for v in res.values]
        chosen, said, copies = _judge(places)
        assert merged.values == [v for _, v in chosen], seed
        expected = [i for n, res in enumerate(files) for i in (*res.issues, *said.get(n, ()))]
        assert merged.issues == expected + copies, seed


def issue_of(file: str, n: int):
    from tongji.findings import issue

    return issue("empty_file", f"第 {n} 条", file=file)
