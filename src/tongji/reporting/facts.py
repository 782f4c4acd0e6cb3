"""Facts: the extracted figures, as polars frames ready for the engine.

Every extracted value, with its lineage, is one row of the facts, with a column per
dimension (专业大类 …) and per dimension group (产业 …); the roster gains a column per
school group (学校类别 …). The facts are split by (dataset, field, year): each part is
what one base indicator reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from ..config.definitions import Definitions
from ..config.mapping import Pack
from ..errors import AggregateError
from ..extraction import store
from ..extraction.roster import Roster
from ..findings import Issue
from .crosswalk import Crosswalked, to_report_editions

# Repeated strings are categorical, so a province fits in memory.
_CATEGORICAL = ["dataset", "keys", "field", "status", "file", "sheet", "cell"]


@dataclass(frozen=True)
class Filter:
    kind: str  # dim | group | roster
    key: str
    value: Any

    def expr(self) -> pl.Expr:
        """The condition on a frame: dimensions and dimension groups on the facts, roster
        attributes and school groups on the roster."""
        if self.kind == "dim":
            return pl.col(self.key) == self.value
        if self.kind == "group":
            return pl.col(f"grp_{self.key}") == self.value
        if self.key == "levels":
            return pl.col("levels").list.contains(self.value)
        if isinstance(self.value, frozenset):  # a set of schools (a ratio's shared schools)
            return pl.col(self.key).is_in(sorted(self.value))
        return pl.col(self.key) == self.value


@dataclass
class Facts:
    """Extracted figures split by (dataset, field, year): each part is what one base
    indicator reads. Repeated strings are categorical, so a province fits in memory."""

    parts: dict[tuple[str, str, int], pl.DataFrame]
    roster: pl.DataFrame
    years: tuple[int, ...]
    totals: pl.DataFrame
    issues: list[tuple[int, Issue]] = field(default_factory=list)
    sources: list[Path] = field(default_factory=list)
    crosswalk_issues: list[Issue] = field(
        default_factory=list
    )  # records put into the report year's edition
    crosswalked: dict[str, Crosswalked] = field(default_factory=dict)  # per catalogue dimension
    _returned: set[tuple[str, str, int]] | None = field(
        default=None, repr=False, compare=False
    )  # returned(), once

    def rows(self, dataset: str, fields: tuple[str, ...], year: int) -> pl.DataFrame | None:
        frames = [
            self.parts[(dataset, f, year)] for f in fields if (dataset, f, year) in self.parts
        ]
        return pl.concat(frames) if frames else None

    def carried(self, dataset: str, field: str, year: int) -> bool:
        """Whether any return of the year holds a figure for this field (not only blanks)."""
        part = self.parts.get((dataset, field, year))
        return part is not None and part["value"].is_not_null().any()

    def returned(self) -> set[tuple[str, str, int]]:
        """(dataset, school_id, year) of every return that holds at least one figure (worked
        out once: the facts do not change; callers do not change it either)."""
        if self._returned is None:
            self._returned = {
                (d, sid, y)
                for (d, _f, y), df in self.parts.items()
                for sid in df["school_id"].unique().to_list()
            }
        return self._returned


def load_facts(
    dirs: list[str | Path],
    pack: Pack,
    defs: Definitions,
    roster: Roster | None = None,
    year: int | None = None,
) -> Facts:
    """Read extraction outputs (one folder per year, any number of years). With the report
    `year`, a catalogue dimension's values are put into that year's edition."""
    lineages, totals, issues = [], [], []
    year_dirs: dict[int, Path] = {}
    newest_roster: tuple[int, Path] | None = None
    for d in map(Path, dirs):
        lin = store.read_lineage(d).with_columns(
            pl.col(c).cast(pl.Categorical) for c in _CATEGORICAL
        )
        years = sorted(lin["year"].unique().drop_nulls().to_list())
        for y in years:
            if y in year_dirs:
                raise AggregateError(
                    f"{y} 年的数据同时出现在 {year_dirs[y]} 和 {d}；每个年度只能给一个提取目录"
                )
            year_dirs[y] = d
        lineages.append(lin)
        found = store.read_totals(d)
        if found is not None:
            totals.append(found)
        year = years[-1] if years else 0
        issues.extend((year, i) for i in store.read_issues(d))
        if (d / store.ROSTER_FILE).is_file() and (newest_roster is None or year > newest_roster[0]):
            newest_roster = (year, d)
    roster_df = _roster(roster, newest_roster)
    parts, moved, crosswalked = _parts(lineages, pack, defs, year) if lineages else ({}, [], {})
    totals_df = pl.concat(totals, how="vertical_relaxed") if totals else pl.DataFrame()
    return Facts(
        parts,
        _with_school_groups(roster_df, defs),
        tuple(sorted(year_dirs)),
        totals_df,
        issues,
        list(map(Path, dirs)),
        moved,
        crosswalked,
    )


def _roster(roster: Roster | None, newest: tuple[int, Path] | None) -> pl.DataFrame:
    """The roster given, else the one kept with the newest year's extraction."""
    if roster is not None:
        return store.roster_frame(roster)
    if newest is not None:
        return store.read_roster(newest[1])  # type: ignore[return-value]
    raise AggregateError("提取结果中没有学校名录；请用 --roster 指定")


def _parts(
    lineages: list[pl.DataFrame], pack: Pack, defs: Definitions, year: int | None
) -> tuple[dict[tuple[str, str, int], pl.DataFrame], list[Issue], dict[str, Crosswalked]]:
    facts = pl.concat(lineages, how="vertical_relaxed")
    lineages.clear()
    facts, moved, crosswalked = to_report_editions(
        store.with_key_columns(facts, list(pack.dimensions)), pack, year
    )
    facts = facts.with_columns(pl.col(d).cast(pl.Categorical) for d in pack.dimensions)
    for gid, g in defs.groups.items():
        if g.dimension:
            members = {v: name for name, vals in g.members.items() for v in vals}
            facts = facts.with_columns(
                pl.col(g.dimension)
                .cast(pl.Utf8)
                .replace_strict(members, default=None, return_dtype=pl.Utf8)
                .cast(pl.Categorical)
                .alias(f"grp_{gid}")
            )
    parts = {
        (str(d), str(f), int(y)): df
        for (d, f, y), df in facts.partition_by(["dataset", "field", "year"], as_dict=True).items()
    }
    return parts, moved, crosswalked


def _with_school_groups(roster: pl.DataFrame, defs: Definitions) -> pl.DataFrame:
    for gid, g in defs.groups.items():
        if g.dimension:
            continue
        expr = pl.lit(None, dtype=pl.Utf8)
        for name in reversed(g.order):
            cond = pl.lit(True)
            for attr, value in g.members[name]:
                cond = cond & Filter("roster", attr, value).expr()
            expr = pl.when(cond).then(pl.lit(name)).otherwise(expr)
        roster = roster.with_columns(expr.alias(f"grp_{gid}"))
    return roster
