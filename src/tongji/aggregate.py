"""Aggregation: extracted figures → indicators → the report's tables, charts and sentences.

Every extracted value, with its lineage, is one row of the `facts` frame (polars), joined
with the roster (scopes, school groups) and with the dimension groups. An indicator is
evaluated for a year, a scope and filters (a 专业大类, a school group, one school …): its
declared aggregation over the matching facts, or its formula over other indicators. The
cells it summed travel with the value, so every published number can be traced.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from .config import Pack
from .issues import Issue
from .roster import Roster
from .spec import Definitions, Indicator, ReportSpec, TableSpec, evaluate_formula
from .store import ISSUES_FILE, LINEAGE_FILE, ROSTER_FILE, TOTALS_FILE, roster_frame

CELL_COLUMNS = ["school_id", "file", "sheet", "cell"]
_EMPTY_CELLS = pl.DataFrame(schema={"school_id": pl.Utf8, "file": pl.Categorical, "sheet": pl.Categorical, "cell": pl.Categorical})


class AggregateError(Exception):
    pass


# ---------------------------------------------------------------- loading


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
        return pl.col(self.key) == self.value


# What aggregation needs of the lineage; the rest (raw text, rules) stays on disk.
FACT_COLUMNS = ["dataset", "school_id", "year", "keys", "field", "value", "file", "sheet", "cell"]
_CATEGORICAL = ["dataset", "keys", "field", "file", "sheet", "cell"]


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

    def rows(self, dataset: str, fields: tuple[str, ...], year: int) -> pl.DataFrame | None:
        frames = [self.parts[(dataset, f, year)] for f in fields if (dataset, f, year) in self.parts]
        return pl.concat(frames) if frames else None

    def returned(self) -> set[tuple[str, str, int]]:
        """(dataset, school_id, year) of every return that holds at least one figure."""
        return {(d, sid, y) for (d, _f, y), df in self.parts.items() for sid in df["school_id"].unique().to_list()}


def _read_issues(path: Path) -> list[Issue]:
    if not path.is_file():
        return []
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [Issue(**{k: row.get(k, "") for k in Issue.__dataclass_fields__}) for row in csv.DictReader(f)]


def load_facts(dirs: list[str | Path], pack: Pack, defs: Definitions, roster: Roster | None = None) -> Facts:
    """Read extraction outputs (one folder per year, any number of years)."""
    lineages, totals, issues = [], [], []
    year_dirs: dict[int, Path] = {}
    newest_roster: tuple[int, Path] | None = None
    for d in map(Path, dirs):
        lp = d / LINEAGE_FILE
        if not lp.is_file():
            raise AggregateError(f"{d} 不是提取结果目录（没有 {LINEAGE_FILE}）；请先运行 tongji extract")
        lin = pl.read_parquet(lp, columns=FACT_COLUMNS).with_columns(pl.col(c).cast(pl.Categorical) for c in _CATEGORICAL)
        years = sorted(lin["year"].unique().drop_nulls().to_list())
        for y in years:
            if y in year_dirs:
                raise AggregateError(f"{y} 年的数据同时出现在 {year_dirs[y]} 和 {d}；每个年度只能给一个提取目录")
            year_dirs[y] = d
        lineages.append(lin)
        if (d / TOTALS_FILE).is_file():
            totals.append(pl.read_parquet(d / TOTALS_FILE))
        year = years[-1] if years else 0
        issues.extend((year, i) for i in _read_issues(d / ISSUES_FILE))
        if (d / ROSTER_FILE).is_file() and (newest_roster is None or year > newest_roster[0]):
            newest_roster = (year, d / ROSTER_FILE)
    if roster is not None:
        roster_df = roster_frame(roster)
    elif newest_roster is not None:
        roster_df = pl.read_parquet(newest_roster[1])
    else:
        raise AggregateError("提取结果中没有学校名录；请用 --roster 指定")
    roster_df = _with_school_groups(roster_df, defs)

    parts: dict[tuple[str, str, int], pl.DataFrame] = {}
    if lineages:
        facts = pl.concat(lineages, how="vertical_relaxed")
        del lineages
        keys = pl.col("keys").cast(pl.Utf8)
        facts = facts.with_columns(keys.str.extract(rf"(?:^|;){dim}=([^;]*)", 1).cast(pl.Categorical).alias(dim) for dim in pack.dimensions)
        for gid, g in defs.groups.items():
            if g.dimension:
                mapping = {v: name for name, vals in g.members.items() for v in vals}
                facts = facts.with_columns(pl.col(g.dimension).cast(pl.Utf8).replace_strict(mapping, default=None, return_dtype=pl.Utf8).cast(pl.Categorical).alias(f"grp_{gid}"))
        parts = {(str(d), str(f), int(y)): df for (d, f, y), df in facts.partition_by(["dataset", "field", "year"], as_dict=True).items()}
        del facts
    totals_df = pl.concat(totals, how="vertical_relaxed") if totals else pl.DataFrame()
    return Facts(parts, roster_df, tuple(sorted(year_dirs)), totals_df, issues, list(map(Path, dirs)))


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


# ---------------------------------------------------------------- indicators


@dataclass
class Figure:
    indicator: Indicator
    year: int
    value: float | None
    cells: pl.DataFrame = field(repr=False, default_factory=lambda: _EMPTY_CELLS)

    @property
    def n_schools(self) -> int:
        return self.cells["school_id"].drop_nulls().n_unique() if self.cells.height else 0


class Engine:
    """Evaluates indicators over the facts; results are cached per context."""

    def __init__(self, facts: Facts, pack: Pack, defs: Definitions):
        self.facts, self.pack, self.defs = facts, pack, defs
        self.parts = facts.parts
        self._cache: dict[tuple, Figure] = {}
        self._ids: dict[tuple[Filter, ...], list[str]] = {}

    def filters(self, pairs: tuple[tuple[str, Any], ...]) -> tuple[Filter, ...]:
        out = []
        for k, v in pairs:
            if k in self.defs.groups:
                out.append(Filter("group", k, v))
            elif k in self.pack.dimensions:
                out.append(Filter("dim", k, v))
            else:
                out.append(Filter("roster", k, v))
        return tuple(out)

    def scope_filters(self, scope_id: str) -> tuple[Filter, ...]:
        return tuple(Filter("roster", k, v) for k, v in self.defs.scopes[scope_id].where)

    def schools_in(self, scope_id: str, extra: tuple[Filter, ...] = ()) -> pl.DataFrame:
        df = self.facts.roster
        for f in (*self.scope_filters(scope_id), *extra):
            df = df.filter(f.expr())
        return df

    def school_ids(self, filters: tuple[Filter, ...]) -> list[str]:
        """The schools that roster conditions (a scope, a school group, one school) leave."""
        if filters not in self._ids:
            df = self.facts.roster
            for f in filters:
                df = df.filter(f.expr())
            self._ids[filters] = df["school_id"].to_list()
        return self._ids[filters]

    def select(self, dataset: str, fld: str, year: int, scope_id: str, filters: tuple[Filter, ...], where=()) -> pl.DataFrame | None:
        df = self.parts.get((dataset, fld, year))
        if df is None:
            return None
        ds = self.pack.datasets[dataset]
        city = ds.entity == "city"
        on_roster: list[Filter] = [] if city else list(self.scope_filters(scope_id))
        on_facts: list[Filter] = []
        for f in (*filters, *(Filter("dim", k, v) for k, v in where)):
            school_level = f.kind == "roster" or (f.kind == "group" and self.defs.groups[f.key].dimension is None)
            if school_level:
                if city:
                    return None  # a city-wide figure has no school to filter on
                on_roster.append(f)
            elif (f.kind == "dim" and f.key not in ds.keys) or (f.kind == "group" and self.defs.groups[f.key].dimension not in ds.keys):
                return None
            else:
                on_facts.append(f)
        if on_roster:
            df = df.filter(pl.col("school_id").is_in(self.school_ids(tuple(on_roster))))
        for f in on_facts:
            df = df.filter(f.expr())
        return df

    def figure(self, iid: str, year: int, scope_id: str, filters: tuple[Filter, ...] = ()) -> Figure:
        key = (iid, year, scope_id, filters)
        if key in self._cache:
            return self._cache[key]
        ind = self.defs.indicators[iid]
        if ind.formula is not None:
            subs: list[Figure] = []

            def lookup(name: str, whole: bool) -> float | None:
                kept = tuple(f for f in filters if f.kind == "roster") if whole else filters
                fig = self.figure(name, year, scope_id, kept)
                subs.append(fig)
                return fig.value

            value = evaluate_formula(ind.formula, lookup)
            cells = pl.concat([s.cells for s in subs]).unique(maintain_order=True) if subs else _EMPTY_CELLS
            fig = Figure(ind, year, value, cells)
        else:
            fig = self._base(ind, year, scope_id, filters)
        self._cache[key] = fig
        return fig

    def grouped(self, iid: str, year: int, scope_id: str, by: str) -> dict[str, float | None]:
        """An indicator for every school (`by="school_id"`) or every 旗县区 (`by="district"`)
        at once: one group_by per base indicator instead of one filter per school."""
        key = ("grouped", iid, year, scope_id, by)
        if key in self._cache:
            return self._cache[key]  # type: ignore[return-value]
        ind = self.defs.indicators[iid]
        column = "_by"
        out: dict[str, float | None] = {}
        if ind.formula is not None:
            from .spec import formula_names

            names, totals = formula_names(ind.formula)
            subs = {n: self.grouped(n, year, scope_id, by) for n in names}
            whole = {n: self.figure(n, year, scope_id).value for n in totals}
            for k in sorted(set().union(*subs.values()) if subs else set()):
                out[k] = evaluate_formula(ind.formula, lambda n, w, k=k: whole[n] if w else subs[n].get(k))
        else:
            assert ind.dataset and ind.field
            df = self.select(ind.dataset, ind.field, year, scope_id, (), ind.where)
            if df is not None and df.height and self.pack.datasets[ind.dataset].entity == "school":
                df = df.join(self.facts.roster.select("school_id", pl.col(by).alias(column)), on="school_id")
                df = df.filter(pl.col("value").is_not_null() & pl.col(column).is_not_null())
                if ind.agg == "weighted_mean":
                    w = self.select(ind.dataset, ind.weight, year, scope_id, (), ind.where)
                    if w is not None:
                        both = df.select(column, "school_id", "keys", pl.col("value").alias("x")).join(
                            w.filter(pl.col("value").is_not_null()).select("school_id", "keys", pl.col("value").alias("w")), on=["school_id", "keys"]
                        )
                        agg = both.group_by(column).agg(((pl.col("x") * pl.col("w")).sum() / pl.col("w").sum()).alias("v"))
                        out = {k: (None if v is None or v != v else round(v, 9)) for k, v in agg.iter_rows()}
                else:
                    expr = {
                        "sum": pl.col("value").sum(),
                        "mean": pl.col("value").mean(),
                        "count_positive": (pl.col("value") > 0).sum().cast(pl.Float64),
                        "count_schools": pl.col("school_id").n_unique().cast(pl.Float64),
                    }[ind.agg]
                    out = {k: round(float(v), 9) for k, v in df.group_by(column).agg(expr.alias("v")).iter_rows()}
        self._cache[key] = out  # type: ignore[assignment]
        return out

    def _base(self, ind: Indicator, year: int, scope_id: str, filters: tuple[Filter, ...]) -> Figure:
        assert ind.dataset and ind.field
        df = self.select(ind.dataset, ind.field, year, scope_id, filters, ind.where)
        if df is None or df.height == 0:
            return Figure(ind, year, None)
        present = df.filter(pl.col("value").is_not_null())
        cells = present.select(CELL_COLUMNS)
        if present.height == 0:
            return Figure(ind, year, None, cells)
        values = present["value"]
        if ind.agg == "sum":
            value = float(values.sum())
        elif ind.agg == "mean":
            value = float(values.mean())
        elif ind.agg == "count_positive":
            value = float((values > 0).sum())
        elif ind.agg == "count_schools":
            value = float(present["school_id"].n_unique())
        else:  # weighted_mean
            w = self.select(ind.dataset, ind.weight, year, scope_id, filters, ind.where)
            if w is None:
                return Figure(ind, year, None, cells)
            both = present.select("school_id", "keys", pl.col("value").alias("x"), *[pl.col(c).alias(f"x_{c}") for c in ("file", "sheet", "cell")]).join(
                w.filter(pl.col("value").is_not_null()).select("school_id", "keys", pl.col("value").alias("w"), "file", "sheet", "cell"),
                on=["school_id", "keys"],
            )
            total_w = both["w"].sum()
            if not total_w:
                return Figure(ind, year, None, cells)
            value = float((both["x"] * both["w"]).sum() / total_w)
            cells = pl.concat(
                [both.select("school_id", pl.col("x_file").alias("file"), pl.col("x_sheet").alias("sheet"), pl.col("x_cell").alias("cell")), both.select(CELL_COLUMNS)]
            )
        return Figure(ind, year, round(value, 9), cells)


# ---------------------------------------------------------------- display


ARROWS = ("↑", "↓")


@dataclass
class Shown:
    """How a figure is published: the number written to Excel, its format, and as text."""

    number: float | None
    fmt: str
    text: str


def _decimals(ind: Indicator) -> int | None:
    if ind.decimals is not None:
        return ind.decimals
    return {"integer": 0, "percent": 2, "ratio": 2, "share_ratio": 1}.get(ind.display)


def _num_fmt(decimals: int | None) -> str:
    if decimals is None:
        return "General"
    return "0" if decimals == 0 else "0." + "0" * decimals


def _plain(v: float, decimals: int | None) -> str:
    if decimals is None:  # as many decimals as the figure has, up to 6: 35697.57, 32791.822
        return f"{v:.6f}".rstrip("0").rstrip(".")
    return f"{v:.{decimals}f}"


def show(ind: Indicator, value: float | None) -> Shown:
    d = _decimals(ind)
    if value is None:
        return Shown(None, "General", "")
    if ind.display == "percent":
        number = round(value, (d or 0) + 2)
        return Shown(number, "0" + ("." + "0" * d if d else "") + "%", f"{number * 100:.{d}f}%")
    if ind.display == "ratio":
        number = round(value, d)
        return Shown(number, _num_fmt(d) + '":1"', f"{number:.{d}f}:1")
    if ind.display == "share_ratio":
        a = round(value * 10, d)
        return Shown(a, "@", f"{a:.{d}f}:{10 - a:.{d}f}")
    number = round(value, d) if d is not None else round(value, 6)
    return Shown(number, _num_fmt(d), _plain(number, d))


def change(ind: Indicator, cur: float | None, prev: float | None) -> Shown:
    """This year minus last year, in the units the table shows (percentage points for
    rates), from the rounded published values: the arrow always matches the numbers."""
    if cur is None or prev is None:
        return Shown(None, "General", "")
    a, b = show(ind, cur).number, show(ind, prev).number
    assert a is not None and b is not None
    d = _decimals(ind)
    unit = ""
    if ind.display == "percent":
        diff = round((a - b) * 100, d)
        unit = "个百分点"
    else:
        diff = round(a - b, d if d is not None else 6)
    body = _num_fmt(d)
    fmt = f'"↑"{body}"{unit}";"↓"{body}"{unit}";"0"' if unit else f'"↑"{body};"↓"{body};"0"'
    if diff == 0:
        return Shown(0.0, fmt, "0")
    text = f"{ARROWS[0] if diff > 0 else ARROWS[1]}{_plain(abs(diff), d)}{unit}"
    return Shown(diff, fmt, text)


# ---------------------------------------------------------------- tables


@dataclass
class BodyCell:
    shown: Shown
    indicator: Indicator | None = None
    year: int | None = None
    figure: Figure | None = None
    prev: Figure | None = None  # set on a 变化 cell
    column: str = ""  # the column's header path, for the 数据 sheet


@dataclass
class BuiltTable:
    spec: TableSpec
    title: str
    stub: tuple[str, ...]
    columns: list[tuple[str, ...]]  # header path per body column
    rows: list[tuple[tuple[str, ...], list[BodyCell]]]
    footnotes: list[str]
    scope_title: str


def expand(template: str, year: int, region: str = "", n: int | None = None) -> str:
    text = template.replace("{year}", str(year)).replace("{prev}", str(year - 1)).replace("{region}", region)
    return text.replace("{n}", str(n)) if n is not None else text


class Report:
    """The whole report for one year: tables, charts' data, sentences, profiles."""

    def __init__(self, engine: Engine, spec: ReportSpec, year: int):
        self.engine, self.spec, self.year = engine, spec, year
        self.prev = year - 1

    def scope_footnote(self, scope_id: str) -> str:
        scope = self.engine.defs.scopes[scope_id]
        return expand(scope.footnote, self.year, self.spec.region, self.engine.schools_in(scope_id).height)

    def footnotes(self, t: TableSpec) -> list[str]:
        out = []
        for note in t.footnotes:
            out.append(expand(note.replace("{scope}", self.scope_footnote(t.scope)), self.year, self.spec.region))
        return out

    def cell(self, iid: str, year: int, scope: str, filters: tuple[Filter, ...], column: str) -> BodyCell:
        fig = self.engine.figure(iid, year, scope, filters)
        return BodyCell(show(fig.indicator, fig.value), fig.indicator, year, fig, column=column)

    def change_cell(self, cur: BodyCell, prev: BodyCell) -> BodyCell:
        if cur.indicator is None or cur.figure is None or prev.figure is None:
            return BodyCell(Shown(None, "General", ""))
        return BodyCell(change(cur.indicator, cur.figure.value, prev.figure.value), cur.indicator, self.year, cur.figure, prev.figure, cur.column)

    def build(self, t: TableSpec) -> BuiltTable:
        years = [self.prev, self.year] if t.year_order == "asc" else [self.year, self.prev]
        eng = self.engine
        rows: list[tuple[tuple[str, ...], list[BodyCell]]] = []
        columns: list[tuple[str, ...]] = []
        r = t.rows
        if r.kind == "levels":
            columns = [c.header for c in t.columns]
            for level in r.values:
                schools = eng.schools_in(t.scope, (Filter("roster", "levels", level),))
                names = "\n".join(schools["school_name"].to_list())
                rows.append(((level,), [BodyCell(Shown(float(schools.height), "0", str(schools.height))), BodyCell(Shown(None, "@", names))]))
        elif r.kind == "years" or t.years_in == "rows":
            columns = [c.header for c in t.columns]
            row_keys: list[tuple[tuple[str, ...], tuple[Filter, ...]]] = []
            if r.kind == "years":
                row_keys = [((), ())]
            else:
                row_keys = [((v,), eng.filters(((r.dimension, v),))) for v in r.values]
            for labels, rfilters in row_keys:
                per_year = {}
                for y in years:
                    cells = [self.cell(c.indicator, y, t.scope, (*eng.filters(r.filters), *rfilters, *eng.filters(c.filters)), "/".join(c.header)) for c in t.columns]
                    per_year[y] = cells
                    rows.append(((*labels, str(y)), cells))
                if t.change:
                    rows.append(((*labels, "变化"), [self.change_cell(a, b) for a, b in zip(per_year[self.year], per_year[self.prev], strict=True)]))
        else:  # dimension rows, years as sub-columns
            for c in t.columns:
                for y in years:
                    columns.append((*c.header, str(y)))
            values: list[tuple[tuple[str, ...], tuple[Filter, ...]]] = []
            group = eng.defs.groups.get(r.group) if r.group else None
            for v in r.values:
                label = (v, _group_of(group, v)) if group else (v,)
                values.append((label, eng.filters(((r.dimension, v),))))
            if r.total:
                total_row = ((r.total, "") if group else (r.total,), ())
                values = [total_row, *values] if r.total_position == "first" else [*values, total_row]
            for labels, rfilters in values:
                cells = []
                for c in t.columns:
                    for y in years:
                        cells.append(self.cell(c.indicator, y, t.scope, (*eng.filters(r.filters), *rfilters, *eng.filters(c.filters)), "/".join((*c.header, str(y)))))
                rows.append((labels, cells))
        title = expand(t.title, self.year, self.spec.region)
        return BuiltTable(t, title, t.stub, columns, rows, self.footnotes(t), eng.defs.scopes[t.scope].title)

    def tables(self) -> list[BuiltTable]:
        return [self.build(t) for t in self.spec.tables]

    # --- sentences

    def sentence(self, text: str, scope: str) -> str:
        import re

        def repl(m: re.Match[str]) -> str:
            name, attr = m.group(1), m.group(2)
            if name == "year":
                return str(self.year)
            if name == "prev":
                return str(self.prev)
            if name == "region":
                return self.spec.region
            ind = self.engine.defs.indicators[name]
            cur = self.engine.figure(name, self.year, scope).value
            prev = self.engine.figure(name, self.prev, scope).value
            if attr == "prev":
                return show(ind, prev).text or "（无数据）"
            if attr == "change":
                ch = change(ind, cur, prev)
                if ch.number is None:
                    return "（无上年数据）"
                if ch.number == 0:
                    return "持平"
                word = ("提高" if ch.number > 0 else "下降") if ind.is_rate else ("增加" if ch.number > 0 else "减少")
                return word + ch.text[1:]
            return show(ind, cur).text or "（无数据）"

        return re.sub(r"\{([a-z_0-9]+)(?:\.([a-z_]+))?\}", repl, text)

    def sentences(self) -> list[str]:
        return [self.sentence(h.text, h.scope) for h in self.spec.highlights]


def _group_of(group, value: str) -> str:
    for name, members in group.members.items():
        if value in members:
            return name
    return ""


def datasets_of(defs: Definitions, iid: str) -> set[str]:
    """The datasets an indicator reads, through its formula."""
    from .spec import formula_names

    ind = defs.indicators[iid]
    if ind.formula is None:
        return {ind.dataset} if ind.dataset else set()
    names, totals = formula_names(ind.formula)
    out: set[str] = set()
    for n in names | totals:
        out |= datasets_of(defs, n)
    return out


def report_needs(spec: ReportSpec, defs: Definitions) -> dict[tuple[str, str], set[str]]:
    """(dataset, scope) → the tables and charts that need it: what completeness checks."""
    needs: dict[tuple[str, str], set[str]] = {}
    for t in spec.tables:
        for c in t.columns:
            if c.indicator:
                for ds in datasets_of(defs, c.indicator):
                    needs.setdefault((ds, t.scope), set()).add(t.id)
    for ch in spec.charts:
        for iid in [s.indicator for s in ch.series] + ([ch.indicator] if ch.indicator else []):
            for ds in datasets_of(defs, iid):
                needs.setdefault((ds, ch.scope), set()).add(ch.id)
    return needs
