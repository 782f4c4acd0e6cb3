"""The engine: indicators evaluated over the facts.

An indicator is evaluated for a year, a scope and filters (a 专业大类, a school group, one
school …): its declared aggregation over the matching facts, or its formula over other
indicators. The cells it summed travel with the value, so every published number can be
traced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ..config.definitions import Definitions, Indicator
from ..config.formula import evaluate_formula, formula_names
from ..config.mapping import Pack
from .facts import Facts, Filter

CELL_COLUMNS = ["school_id", "file", "sheet", "cell"]
_EMPTY_CELLS = pl.DataFrame(
    schema={
        "school_id": pl.Utf8,
        "file": pl.Categorical,
        "sheet": pl.Categorical,
        "cell": pl.Categorical,
    }
)


def _schools_of(fig: Figure) -> frozenset[str]:
    """The schools that returned what a figure reads — a blank or unreadable cell counts: a
    school that left its 研究生 blank returned the form (none for a city-wide figure)."""
    if fig.returned is not None:
        return fig.returned
    if not fig.cells.height:
        return frozenset()
    return frozenset(str(s) for s in fig.cells["school_id"].drop_nulls().unique().to_list())


@dataclass
class Figure:
    indicator: Indicator
    year: int
    value: float | None
    cells: pl.DataFrame = field(repr=False, default_factory=lambda: _EMPTY_CELLS)
    flawed: pl.DataFrame = field(
        repr=False, default_factory=lambda: _EMPTY_CELLS
    )  # cells it should have had but could not read
    # the schools with a row for it, blank or not (None: worked out from `cells`)
    returned: frozenset[str] | None = field(repr=False, default=None)

    @property
    def n_schools(self) -> int:
        return self.cells["school_id"].drop_nulls().n_unique() if self.cells.height else 0

    def sources(self) -> set[tuple[str, str, str]]:
        """(file, sheet, cell) of every cell this figure is made of, read or not."""
        both = pl.concat([self.cells, self.flawed]) if self.flawed.height else self.cells
        return {
            (str(f), str(s), str(c)) for f, s, c in both.select("file", "sheet", "cell").iter_rows()
        }


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

    def select(
        self,
        dataset: str,
        fld: str,
        year: int,
        scope_id: str,
        filters: tuple[Filter, ...],
        where=(),
    ) -> pl.DataFrame | None:
        df = self.parts.get((dataset, fld, year))
        if df is None:
            return None
        ds = self.pack.datasets[dataset]
        city = ds.entity == "city"
        on_roster: list[Filter] = [] if city else list(self.scope_filters(scope_id))
        on_facts: list[Filter] = []
        for f in (*filters, *(Filter("dim", k, v) for k, v in where)):
            school_level = f.kind == "roster" or (
                f.kind == "group" and self.defs.groups[f.key].dimension is None
            )
            if school_level:
                if city:
                    return None  # a city-wide figure has no school to filter on
                on_roster.append(f)
            elif (f.kind == "dim" and f.key not in ds.keys) or (
                f.kind == "group" and self.defs.groups[f.key].dimension not in ds.keys
            ):
                return None
            else:
                on_facts.append(f)
        if on_roster:
            df = df.filter(pl.col("school_id").is_in(self.school_ids(tuple(on_roster))))
        for f in on_facts:
            df = df.filter(f.expr())
        return df

    def figure(
        self, iid: str, year: int, scope_id: str, filters: tuple[Filter, ...] = ()
    ) -> Figure:
        key = (iid, year, scope_id, filters)
        if key in self._cache:
            return self._cache[key]
        ind = self.defs.indicators[iid]
        if ind.formula is not None:
            fig = self._formula(ind, year, scope_id, filters)
        else:
            fig = self._base(ind, year, scope_id, filters)
        self._cache[key] = fig
        return fig

    def _formula(
        self, ind: Indicator, year: int, scope_id: str, filters: tuple[Filter, ...]
    ) -> Figure:
        """A formula over other indicators. A ratio takes its numerator and denominator from
        the same schools: when the schools behind its parts differ (one school returned
        students but not teachers), every part is taken over the schools they share."""
        assert ind.formula is not None
        value, subs = self._formula_parts(ind.formula, year, scope_id, filters, None)
        if "/" in ind.formula:
            school_sets: dict[str, frozenset[str]] = {}
            for name, fig, whole in subs:
                if not whole and (ids := _schools_of(fig)):
                    school_sets[name] = ids
            sets = list(school_sets.values())
            if len(sets) >= 2 and any(s != sets[0] for s in sets):
                common = frozenset.intersection(*sets)
                value, subs = self._formula_parts(
                    ind.formula, year, scope_id, filters, (common, set(school_sets))
                )
        figs = [fig for _, fig, _ in subs]
        cells = (
            pl.concat([f.cells for f in figs]).unique(maintain_order=True) if figs else _EMPTY_CELLS
        )
        flawed = (
            pl.concat([f.flawed for f in figs]).unique(maintain_order=True)
            if figs
            else _EMPTY_CELLS
        )
        parts = [_schools_of(f) for _, f, whole in subs if not whole]
        returned = frozenset().union(*parts) if parts else None
        return Figure(ind, year, value, cells, flawed, returned)

    def _formula_parts(
        self,
        formula: str,
        year: int,
        scope_id: str,
        filters: tuple[Filter, ...],
        shared: tuple[frozenset[str], set[str]] | None,
    ) -> tuple[float | None, list[tuple[str, Figure, bool]]]:
        """The formula's value and its parts (name, figure, whether taken whole), in the
        order the formula uses them; with `shared` (schools, names), the named parts are
        taken over those schools only."""
        subs: list[tuple[str, Figure, bool]] = []

        def lookup(name: str, whole: bool) -> float | None:
            kept = tuple(f for f in filters if f.kind == "roster") if whole else filters
            if shared is not None and not whole and name in shared[1]:
                kept = (*kept, Filter("roster", "school_id", shared[0]))
            fig = self.figure(name, year, scope_id, kept)
            subs.append((name, fig, whole))
            return fig.value

        return evaluate_formula(formula, lookup), subs

    def grouped(self, iid: str, year: int, scope_id: str, by: str) -> dict[str, float | None]:
        """An indicator for every school (`by="school_id"`) or every 旗县区 (`by="district"`)
        at once: one group_by per base indicator instead of one filter per school."""
        key = ("grouped", iid, year, scope_id, by)
        if key not in self._cache:
            ind = self.defs.indicators[iid]
            if ind.formula is not None:
                out = self._grouped_formula(ind, year, scope_id, by)
            else:
                out = self._grouped_base(ind, year, scope_id, by)
            self._cache[key] = out  # type: ignore[assignment]
        return self._cache[key]  # type: ignore[return-value]

    def _grouped_formula(
        self, ind: Indicator, year: int, scope_id: str, by: str
    ) -> dict[str, float | None]:
        assert ind.formula is not None
        if by != "school_id" and "/" in ind.formula:
            # a group of schools (a 旗县区): its ratio over the schools that returned every
            # part, exactly as the city's own figure is worked out
            keys = self.schools_in(scope_id)[by].drop_nulls().unique().sort().to_list()
            return {
                k: self.figure(ind.id, year, scope_id, (Filter("roster", by, k),)).value
                for k in keys
            }
        names, totals = formula_names(ind.formula)
        subs = {n: self.grouped(n, year, scope_id, by) for n in names}
        whole = {n: self.figure(n, year, scope_id).value for n in totals}
        out: dict[str, float | None] = {}
        for k in sorted(set().union(*subs.values()) if subs else set()):
            out[k] = evaluate_formula(
                ind.formula, lambda n, w, k=k: whole[n] if w else subs[n].get(k)
            )
        return out

    def _grouped_base(
        self, ind: Indicator, year: int, scope_id: str, by: str
    ) -> dict[str, float | None]:
        assert ind.dataset and ind.field
        column = "_by"
        df = self.select(ind.dataset, ind.field, year, scope_id, (), ind.where)
        if df is None or not df.height or self.pack.datasets[ind.dataset].entity != "school":
            return {}
        df = df.join(
            self.facts.roster.select("school_id", pl.col(by).alias(column)),
            on="school_id",
            maintain_order="left",  # sums in the facts' order: the same figure every run
        )
        df = df.filter(pl.col("value").is_not_null() & pl.col(column).is_not_null())
        if ind.agg != "weighted_mean":
            expr = {
                "sum": pl.col("value").sum(),
                "mean": pl.col("value").mean(),
                "count_positive": (pl.col("value") > 0).sum().cast(pl.Float64),
                "count_schools": pl.col("school_id").n_unique().cast(pl.Float64),
            }[ind.agg]
            return {
                k: round(float(v), 9)
                for k, v in df.group_by(column).agg(expr.alias("v")).iter_rows()
            }
        w = self.select(ind.dataset, ind.weight, year, scope_id, (), ind.where)  # type: ignore[arg-type]
        if w is None:
            return {}
        both = df.select(column, "school_id", "keys", pl.col("value").alias("x")).join(
            w.filter(pl.col("value").is_not_null()).select(
                "school_id", "keys", pl.col("value").alias("w")
            ),
            on=["school_id", "keys"],
            maintain_order="left",
        )
        agg = both.group_by(column).agg(
            ((pl.col("x") * pl.col("w")).sum() / pl.col("w").sum()).alias("v")
        )
        return {k: (None if v is None or v != v else round(v, 9)) for k, v in agg.iter_rows()}

    def _base(
        self, ind: Indicator, year: int, scope_id: str, filters: tuple[Filter, ...]
    ) -> Figure:
        assert ind.dataset and ind.field
        df = self.select(ind.dataset, ind.field, year, scope_id, filters, ind.where)
        if df is None or df.height == 0:
            return Figure(ind, year, None)
        present = df.filter(pl.col("value").is_not_null())
        cells = present.select(CELL_COLUMNS)
        flawed = df.filter(pl.col("status") == "error").select(CELL_COLUMNS)
        returned = frozenset(str(s) for s in df["school_id"].drop_nulls().unique().to_list())
        if present.height == 0:
            return Figure(ind, year, None, cells, flawed, returned)
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
                return Figure(ind, year, None, cells, flawed, returned)
            both = present.select(
                "school_id",
                "keys",
                pl.col("value").alias("x"),
                *[pl.col(c).alias(f"x_{c}") for c in ("file", "sheet", "cell")],
            ).join(
                w.filter(pl.col("value").is_not_null()).select(
                    "school_id", "keys", pl.col("value").alias("w"), "file", "sheet", "cell"
                ),
                on=["school_id", "keys"],
                maintain_order="left",
            )
            total_w = both["w"].sum()
            if not total_w:
                return Figure(ind, year, None, cells, flawed, returned)
            value = float((both["x"] * both["w"]).sum() / total_w)
            cells = pl.concat(
                [
                    both.select(
                        "school_id",
                        pl.col("x_file").alias("file"),
                        pl.col("x_sheet").alias("sheet"),
                        pl.col("x_cell").alias("cell"),
                    ),
                    both.select(CELL_COLUMNS),
                ]
            )
        return Figure(ind, year, round(value, 9), cells, flawed, returned)
