"""Checks over the extracted data: the declared rules of mappings/checks.toml (cross-form,
within-record, year-on-year) and the report's needs (every school in a table's scope
returned what the table reads). Each finding names the school, the figure, the cells and
both values. The arithmetic of agreement (`agrees`) is the one totals rows are checked
with while extracting."""

from __future__ import annotations

import polars as pl

from ..config.definitions import Side
from ..extraction.figures import key_pairs
from ..extraction.layouts.rows import ABS_TOLERANCE, agrees
from ..findings import Issue, issue
from ..words import units

# ---------------------------------------------------------------- rules over extracted data

_OPS = {
    "==": lambda a, b: agrees(a, b),
    "<=": lambda a, b: a <= b + ABS_TOLERANCE,
    ">=": lambda a, b: a + ABS_TOLERANCE >= b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
}


def _side_frame(facts, side, year: int, by: list[str]) -> pl.DataFrame:
    df = facts.rows(side.dataset, side.fields, year)
    if df is None:
        return pl.DataFrame(
            schema={
                **{c: pl.Utf8 for c in by},
                "value": pl.Float64,
                "present": pl.Boolean,
                "cells": pl.List(pl.Utf8),
                "file": pl.Utf8,
                "sheet": pl.Utf8,
                "cell": pl.Utf8,
            }
        )
    df = df.with_columns(pl.col(c).cast(pl.Utf8) for c in ("keys", "file", "sheet", "cell"))
    for k, v in side.where:
        df = df.filter(pl.col(k) == v)
    return df.group_by(by).agg(
        pl.col("value").sum().alias("value"),
        pl.col("value").is_not_null().any().alias("present"),
        pl.concat_str(
            [pl.col("file"), pl.lit("!"), pl.col("sheet"), pl.lit("!"), pl.col("cell")]
        ).alias("cells"),
        pl.col("file").first().alias("file"),
        pl.col("sheet").first().alias("sheet"),
        pl.col("cell").first().alias("cell"),
    )


def _describe(pack, side) -> str:
    ds = pack.datasets[side.dataset]
    names = "+".join(ds.fields[f].title for f in side.fields)
    where = "，".join(v for _, v in side.where)
    return f"{ds.title}·{names}" + (f"（{where}）" if where else "")


def run_rules(facts, pack, defs, year: int, names: dict[str, str]) -> list[Issue]:
    """Cross-form and within-record rules of checks.toml, for every school and year."""
    out: list[Issue] = []
    for rule in defs.checks:
        by = ["school_id"] + (["keys"] if rule.per == "record" else [])
        for y in (year - 1, year):
            left = _side_frame(facts, rule.left, y, by)
            right = _side_frame(facts, rule.right, y, by)
            both = (
                left.join(right, on=by, suffix="_r")
                .filter(pl.col("present") & pl.col("present_r"))
                .sort(by)
            )
            for row in both.iter_rows(named=True):
                a, b = row["value"], row["value_r"]
                if _OPS[rule.op](a, b):
                    continue
                sid = row["school_id"]
                what = (
                    f"（{_keys_shown(row['keys'])}）"
                    if rule.per == "record" and row.get("keys")
                    else ""
                )
                out.append(
                    issue(
                        f"check:{rule.id}",
                        f"{names.get(sid, sid)} {y}年{what}：{rule.title}不成立——{_describe(pack, rule.left)} = {a:g}（{'、'.join(row['cells'])}），"
                        f"{_describe(pack, rule.right)} = {b:g}（{'、'.join(row['cells_r'])}）",
                        "请向学校核实这两处数字，更正后重新报送。",
                        severity=rule.severity,
                        file=row["file"],
                        sheet=row["sheet"],
                        cell=row["cell"],
                        school_id=sid,
                        dataset=rule.left.dataset,
                        year=y,
                    )
                )
    return out


def run_year_on_year(facts, pack, defs, year: int, names: dict[str, str]) -> list[Issue]:
    out: list[Issue] = []
    for rule in defs.year_on_year:
        side = Side(rule.dataset, (rule.field,), rule.where)
        cur = _side_frame(facts, side, year, ["school_id"])
        prev = _side_frame(facts, side, year - 1, ["school_id"])
        both = (
            cur.join(prev, on="school_id", suffix="_p")
            .filter(pl.col("present") & pl.col("present_p"))
            .sort("school_id")
        )
        title = pack.datasets[rule.dataset].fields[rule.field].title
        for row in both.iter_rows(named=True):
            a, b = row["value"], row["value_p"]
            if b is None or abs(b) < max(rule.min_base, 1e-9):
                continue
            rel = (a - b) / abs(b)
            # a fall counts like a rise by the same factor: a -99.99 % change is no small one
            fell = a > 0 and b > 0 and b / a - 1 > rule.max_change
            if abs(rel) <= rule.max_change and not fell:
                continue
            sid = row["school_id"]
            out.append(
                issue(
                    f"yoy:{rule.id}",
                    f"{names.get(sid, sid)}：{title}由 {year - 1} 年的 {b:g}（{'、'.join(row['cells_p'])}）变为 {year} 年的 {a:g}（{'、'.join(row['cells'])}），"
                    + _how_far(rel, a, b, rule.max_change),
                    "变化异常大，请向学校确认数字无误（或是否报错了年度、单位）。",
                    severity=rule.severity,
                    file=row["file"],
                    sheet=row["sheet"],
                    cell=row["cell"],
                    school_id=sid,
                    dataset=rule.dataset,
                    year=year,
                )
            )
    return out


def _how_far(rel: float, a: float, b: float, most: float) -> str:
    """What makes a change too large, in words that agree with its number: a rise beyond
    +most, a fall beyond -most, or a fall to less than 1/(1+most) of last year's."""
    if abs(rel) > most:
        return f"变化 {rel:+.1%}，{'增幅' if rel > 0 else '降幅'}超过 {most:.0%}"
    return f"变化 {rel:+.1%}，降到上年的 {a / b:.1%}，不到上年的 {1 / (1 + most):.0%}"


UNIT_TOLERANCE = 0.12  # how close to a unit factor a year-on-year ratio must be


def run_unit_jumps(facts, pack, year: int, names: dict[str, str]) -> list[Issue]:
    """A school's figure that is about 10, 1000 or 10000 times (or a tenth …) last year's, by
    the factor of a unit mix-up in its family (元 for 万元): a probable unit error."""
    out: list[Issue] = []
    for dataset, fname, _ in sorted(k for k in facts.parts if k[2] == year):
        ds = pack.datasets.get(dataset)
        fdef = ds.fields.get(fname) if ds else None
        if (
            ds is None
            or fdef is None
            or ds.entity != "school"
            or fdef.type not in ("number", "integer")
            or not fdef.unit
        ):
            continue
        factors = units.confusion_factors(fdef.unit)
        if not factors:
            continue
        side = Side(dataset, (fname,))
        by = ["school_id", "keys"]
        both = _side_frame(facts, side, year, by).join(
            _side_frame(facts, side, year - 1, by), on=by, suffix="_p"
        )
        both = both.filter(
            pl.col("present")
            & pl.col("present_p")
            & (pl.col("value") > 0)
            & (pl.col("value_p") > 0)
        ).sort(by)
        for row in both.iter_rows(named=True):
            a, b = row["value"], row["value_p"]
            factor = next(
                (f for f in factors if abs(max(a, b) / min(a, b) / f - 1) < UNIT_TOLERANCE), None
            )
            if factor is None:
                continue
            sid = row["school_id"]
            times = f"约为上年的 {factor:g} 倍" if a > b else f"约为上年的 1/{factor:g}"
            what = f"（{_keys_shown(row['keys'])}）" if row["keys"] else ""
            out.append(
                issue(
                    "probable_unit_error",
                    f"{names.get(sid, sid)}：{fdef.title}{what}由 {year - 1} 年的 {b:g}{fdef.unit}（{'、'.join(row['cells_p'])}）变为 {year} 年的 {a:g}{fdef.unit}（{'、'.join(row['cells'])}），{times}，像是把单位填错了",
                    f"请向学校核实这个数字的单位（应为{fdef.unit}）；确认无误则可忽略。",
                    file=row["file"],
                    sheet=row["sheet"],
                    cell=row["cell"],
                    school_id=sid,
                    dataset=dataset,
                    year=year,
                )
            )
    return out


def run_per_student(facts, pack, year: int, names: dict[str, str]) -> list[Issue]:
    """Amounts a field declares plausible per student (per_student = [min, max]), checked
    against each school's students (datasets.toml `students`)."""
    if pack.students is None:
        return []
    students = _side_frame(facts, Side(pack.students[0], (pack.students[1],)), year, ["school_id"])
    students = students.filter(pl.col("present") & (pl.col("value") > 0)).select(
        "school_id", pl.col("value").alias("students")
    )
    out: list[Issue] = []
    for name, ds in sorted(pack.datasets.items()):
        for fname, fdef in ds.fields.items():
            if fdef.per_student is None or ds.entity != "school":
                continue
            low, high = fdef.per_student
            values = _side_frame(facts, Side(name, (fname,)), year, ["school_id"]).filter(
                pl.col("present")
            )
            for row in (
                values.join(students, on="school_id").sort("school_id").iter_rows(named=True)
            ):
                each = row["value"] / row["students"]
                if low <= each <= high:
                    continue
                sid = row["school_id"]
                out.append(
                    issue(
                        "implausible_per_student",
                        f"{names.get(sid, sid)} {year} 年：{fdef.title} {row['value']:g}{fdef.unit or ''}（{'、'.join(row['cells'])}）÷ 在校生 {row['students']:g} 人 = 每生 {each:g}{fdef.unit or ''}，超出合理范围 {low:g}～{high:g}",
                        "请向学校核实这个数字（是否填错了单位）。",
                        file=row["file"],
                        sheet=row["sheet"],
                        cell=row["cell"],
                        school_id=sid,
                        dataset=name,
                        year=year,
                    )
                )
    return out


def run_completeness(
    facts,
    pack,
    needs: dict[tuple[str, str], set[str]],
    schools_in,
    year: int,
    names: dict[str, str],
) -> list[Issue]:
    """Every school in a table's scope returned every dataset that table needs."""
    out: list[Issue] = []
    have = facts.returned()
    loaded = set(facts.years)
    missing: dict[tuple[str, int, str], set[str]] = {}
    nobody: dict[tuple[str, int], set[str]] = {}
    returned = {(d, y) for d, _, y in have}
    for (dataset, scope_id), tables in sorted(needs.items()):
        if pack.datasets[dataset].entity != "school":
            continue
        for y in (year - 1, year):
            if y not in loaded:
                continue
            if (dataset, y) not in returned:  # nobody returned it: one finding, not one per school
                nobody.setdefault((dataset, y), set()).update(tables)
                continue
            for sid in schools_in(scope_id)["school_id"].to_list():
                if (dataset, sid, y) not in have:
                    missing.setdefault((sid, y, dataset), set()).update(tables)
    for (sid, y, dataset), tables in sorted(missing.items()):
        out.append(
            issue(
                "missing_return",
                f"{names.get(sid, sid)} {y} 年没有报送“{pack.datasets[dataset].title}”数据（{'、'.join(sorted(tables))} 需要）；这些表的合计中不含该校",
                f"请向学校索取该表，放入 {y} 年的报表文件夹后重新运行。",
                school_id=sid,
                dataset=dataset,
                year=y,
            )
        )
    for (dataset, y), tables in sorted(nobody.items()):
        out.append(
            issue(
                "missing_dataset",
                f"{y} 年没有任何学校的“{pack.datasets[dataset].title}”数据（{'、'.join(sorted(tables))} 需要），这些数字为空",
                f"请确认 {y} 年的报表都已放入并提取，或映射配置能读出这类报表（tongji inspect）。",
                dataset=dataset,
                year=y,
            )
        )
    for y in (year - 1, year):
        if y not in loaded:
            out.append(
                issue(
                    "missing_year",
                    f"没有 {y} 年的提取结果，各表的 {y} 年数字和“变化”为空",
                    f"用 tongji run 时，在任务文件的 [inputs] 中写上 {y} 年的报表文件夹；"
                    f"用 tongji aggregate 时，把 {y} 年的提取结果目录一并给出。",
                    year=y,
                )
            )
    return out


def run_field_coverage(
    facts,
    pack,
    needs: dict[tuple[str, str, str], set[str]],
    schools_in,
    year: int,
    names: dict[str, str],
) -> list[Issue]:
    """Every school that returned a dataset a table reads returned the fields it reads: a
    form without the item (the current 教基 forms against the old 中职基 ones) leaves the
    column empty for everyone, said once; a school whose layout lacks it is left out of
    the total, said per school."""
    out: list[Issue] = []
    returned_by: dict[tuple[str, int], set[str]] = {}
    for d, sid, y in facts.returned():
        returned_by.setdefault((d, y), set()).add(sid)
    for (dataset, fld, scope_id), tables in sorted(needs.items()):
        ds = pack.datasets[dataset]
        title, where = ds.fields[fld].title, "、".join(sorted(tables))
        for y in (year - 1, year):
            schools = returned_by.get((dataset, y))
            if not schools:
                continue  # nothing returned at all: run_completeness says so
            part = facts.parts.get((dataset, fld, y))
            if not facts.carried(dataset, fld, y):  # no return has the item, or all left it blank
                out.append(
                    issue(
                        "field_not_returned",
                        f"{y} 年的报表中没有“{ds.title}”的“{title}”一项（或都未填写；{where} 需要），该年度这些数字为空",
                        "若这一项在本年度的表式中确实没有，无需处理（表下已注明）；若有，请用 tongji inspect 查看报表，在映射中加上该字段。",
                        dataset=dataset,
                        year=y,
                    )
                )
                continue
            if ds.entity != "school" or part is None:
                continue
            have = set(
                part["school_id"].cast(pl.Utf8).unique().to_list()
            )  # a blank cell is the school's answer
            in_scope = set(schools_in(scope_id)["school_id"].to_list())
            for sid in sorted((schools - have) & in_scope):
                out.append(
                    issue(
                        "field_not_returned",
                        f"{names.get(sid, sid)} {y} 年的“{ds.title}”中没有“{title}”一项（{where} 需要）；这些表的合计中不含该校的这一项",
                        "请向学校索取该项，或用 tongji inspect 查看其报表、在映射中加上该字段后重新运行。",
                        school_id=sid,
                        dataset=dataset,
                        year=y,
                    )
                )
    return out


def _keys_shown(text: str) -> str:
    """A record's keys as a reader sees them (`专业大类=信息技术类;专业=计算机应用`)."""
    return ";".join(f"{k}={v}" for k, v in key_pairs(text))
