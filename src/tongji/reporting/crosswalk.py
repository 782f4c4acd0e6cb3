"""Figures returned in one edition of a catalogue, put into the edition of the report year.

A report of 2021 shows 2020's figures in the 2021 专业大类. Per value of the old edition,
the crosswalk (catalogues.toml) says where its figures go: one new value (the whole
category; several old values going to one new value is a merge), several (a split: each
record — one 专业 of one school — goes where the crosswalk puts its 专业代码 or 专业名称),
or none. A record that cannot be placed is counted under UNMAPPED, never in a guessed
category, and named in a finding with its file, sheet and cell; a merge and a placement by
专业 are findings too, so that every record whose category changed other than one-to-one
can be traced.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from ..config.catalogues import Catalogue, Crosswalk
from ..config.mapping import Pack
from ..extraction.clean import normalize_label
from ..findings import Issue, issue

UNMAPPED = "未能对应本年度目录"
_RECORD = ["dataset", "school_id", "year", "keys"]


@dataclass
class Crosswalked:
    """What was done to one dimension's values for a report year."""

    edition: Catalogue  # the report year's edition: the rows of its tables
    applied: dict[int, set[str]] = field(
        default_factory=dict
    )  # year → titles of the editions put into it
    unmapped_years: set[int] = field(default_factory=set)

    def note(self, years: list[int]) -> str:
        """The footnote of a table showing these years, or "" when nothing was crosswalked."""
        shown = [y for y in sorted(years) if y in self.applied]
        if not shown:
            return ""
        sources = "、".join(sorted({f"《{t}》" for y in shown for t in self.applied[y]}))
        text = f"{'、'.join(str(y) for y in shown)} 年的数字按{sources}与《{self.edition.title}》的对照（catalogues.toml）归入本表的{_dimension_word(self)}"
        if any(y in self.unmapped_years for y in shown):
            text += f"；无法归入的计入“{UNMAPPED}”，详见“数据质量”"
        return text + "。"


def _dimension_word(c: Crosswalked) -> str:
    return "专业大类" if c.edition.dimension == "major_category" else "分类"


def to_report_editions(
    facts: pl.DataFrame, pack: Pack, year: int | None
) -> tuple[pl.DataFrame, list[Issue], dict[str, Crosswalked]]:
    """The facts with every catalogue dimension's values in the edition of `year`; the
    findings about records whose value changed other than one-to-one; what was done."""
    issues: list[Issue] = []
    done: dict[str, Crosswalked] = {}
    if year is None:
        return facts, issues, done
    for name, dim in pack.dimensions.items():
        target = pack.edition(name, year)
        if target is None or name not in facts.columns:
            continue
        state = Crosswalked(target)
        done[name] = state
        present = facts.select(pl.col(name).cast(pl.Utf8), "year").unique().drop_nulls().iter_rows()
        whole: dict[str, str] = {}
        per_record: list[str] = []
        for value, y in present:
            edition = dim.catalogue_of(value)
            if edition is None or edition is target:
                continue
            state.applied.setdefault(y, set()).add(edition.title)
            cw = pack.crosswalk(edition.id, target.id)
            targets = cw.values.get(value, ()) if cw is not None else ()
            if len(targets) == 1:
                whole[value] = targets[0]
            else:
                per_record.append(value)
        records = _records(facts, name, [*whole, *per_record]) if whole or per_record else None
        if records is None:
            continue
        placed = []
        for rec in records.iter_rows(named=True):
            new, found = _place(rec, name, dim, target, pack, whole)
            if new == UNMAPPED:
                state.unmapped_years.add(rec["year"])
            if found is not None:
                issues.append(found)
            placed.append((rec["dataset"], rec["school_id"], rec["year"], rec["keys"], new))
        schema = {c: (facts.schema["year"] if c == "year" else pl.Utf8) for c in _RECORD} | {
            "_new": pl.Utf8
        }
        mapping = pl.DataFrame(placed, schema=schema, orient="row")
        facts = (
            facts.with_columns(
                pl.col(c).cast(pl.Utf8).alias(f"_k_{c}") for c in ("dataset", "keys")
            )
            .join(
                mapping.rename({"dataset": "_k_dataset", "keys": "_k_keys"}),
                on=["_k_dataset", "school_id", "year", "_k_keys"],
                how="left",
                maintain_order="left",
            )
            .with_columns(pl.coalesce(pl.col("_new"), pl.col(name).cast(pl.Utf8)).alias(name))
            .drop("_new", "_k_dataset", "_k_keys")
        )
    return facts, issues, done


def _records(facts: pl.DataFrame, name: str, values: list[str]) -> pl.DataFrame:
    """One row per record (a school's 专业 in a year) whose value is to be moved: its 专业,
    its 专业代码 and the cell a finding about it names (its first figure's)."""
    rows = facts.filter(pl.col(name).cast(pl.Utf8).is_in(values))
    figures = pl.col("field").cast(pl.Utf8) != "major_code"
    return rows.group_by(
        [pl.col(c).cast(pl.Utf8) if c != "year" else pl.col(c) for c in _RECORD],
        maintain_order=True,
    ).agg(
        pl.col(name).cast(pl.Utf8).first().alias("value"),
        pl.col("major").cast(pl.Utf8).first().alias("major")
        if "major" in facts.columns
        else pl.lit(None, dtype=pl.Utf8).alias("major"),
        pl.col("text").filter(~figures).first().alias("code")
        if "text" in facts.columns
        else pl.lit(None, dtype=pl.Utf8).alias("code"),
        *(
            pl.col(c).filter(figures).cast(pl.Utf8).first().alias(c)
            for c in ("file", "sheet", "cell")
        ),
    )


def _place(
    rec: dict, name: str, dim, target: Catalogue, pack: Pack, whole: dict[str, str]
) -> tuple[str, Issue | None]:
    """Where one record goes in the target edition, and the finding that says so."""
    value = rec["value"]
    edition = dim.catalogue_of(value)
    cw: Crosswalk | None = pack.crosswalk(edition.id, target.id) if edition is not None else None
    where = {
        "file": rec["file"] or "",
        "sheet": rec["sheet"] or "",
        "cell": rec["cell"] or "",
        "school_id": rec["school_id"],
        "dataset": rec["dataset"],
        "year": rec["year"],
    }
    major = rec["major"] or ""
    what = f"{rec['year']} 年“{major or '（未写专业）'}”的{dim.title}“{value}”（《{edition.title if edition else '?'}》）"
    if value in whole:
        others = cw.merged_with(value) if cw is not None else ()
        if not others:
            return whole[value], None
        msg = f"{what}与{'、'.join(f'“{o}”' for o in others)}在《{target.title}》中合为“{whole[value]}”，计入该类"
        return whole[value], issue(
            "crosswalk_merged",
            msg,
            "合并是两版目录的差别，不需处理；比较两年的数字时请留意。",
            **where,
        )
    if cw is None:
        msg = f"{what}无法归入《{target.title}》：catalogues.toml 中没有这两版目录之间的对照，计入“{UNMAPPED}”"
        return UNMAPPED, issue(
            "crosswalk_unmapped",
            msg,
            "请在 catalogues.toml 中写出两版目录的对照 [crosswalks]。",
            **where,
        )
    for key in (rec["code"], major):
        hit = cw.majors.get(normalize_label(key)) if key else None
        if hit is not None:
            msg = f"{what}在《{target.title}》中分属 {'、'.join(cw.values.get(value, ())) or '（无）'}；按专业“{key}”归入“{hit}”"
            return hit, issue(
                "crosswalk_by_major",
                msg,
                "按 catalogues.toml 的专业对照归入；若不对，请改 [crosswalks] 中的 majors。",
                **where,
            )
    split = cw.values.get(value, ())
    if split:
        why = f"在《{target.title}》中分属 {'、'.join(split)}，而这个专业不在专业对照中"
    else:
        why = f"在《{target.title}》中没有对应的大类"
    msg = f"{what}{why}，计入“{UNMAPPED}”"
    hint = f'若知道它的去向，请在 catalogues.toml 的 [crosswalks.{cw.id}.majors] 中加上“{rec["code"] or major}” = "新大类"后重新汇总。'
    return UNMAPPED, issue("crosswalk_unmapped", msg, hint, **where)
