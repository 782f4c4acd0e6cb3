"""The report for one year: its tables (rows × columns of published cells), the data of
its charts, its key sentences, and which datasets each table needs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..config.definitions import Definitions, Group, Indicator
from ..config.formula import formula_names
from ..config.report import ColumnSpec, ReportSpec, TableSpec
from .crosswalk import UNMAPPED
from .display import Shown, change, show
from .engine import Engine, Figure
from .facts import Filter


@dataclass
class BodyCell:
    shown: Shown
    indicator: Indicator | None = None
    year: int | None = None
    figure: Figure | None = None
    prev: Figure | None = None  # set on a 变化 cell
    column: str = ""  # the column's header path, for the 数据 sheet


TableRow = tuple[tuple[str, ...], list[BodyCell]]  # the row's labels, its cells


@dataclass
class BuiltTable:
    spec: TableSpec
    title: str
    stub: tuple[str, ...]
    columns: list[tuple[str, ...]]  # header path per body column
    rows: list[TableRow]
    footnotes: list[str]
    scope_title: str


def expand(template: str, year: int, region: str = "", n: int | None = None) -> str:
    text = (
        template.replace("{year}", str(year))
        .replace("{prev}", str(year - 1))
        .replace("{region}", region)
    )
    return text.replace("{n}", str(n)) if n is not None else text


class Report:
    """The whole report for one year: tables, charts' data, sentences, profiles."""

    def __init__(self, engine: Engine, spec: ReportSpec, year: int):
        self.engine, self.spec, self.year = engine, spec, year
        self.prev = year - 1
        self._left_out: dict[tuple, list[str]] = {}

    def scope_footnote(self, scope_id: str) -> str:
        scope = self.engine.defs.scopes[scope_id]
        return expand(
            scope.footnote, self.year, self.spec.region, self.engine.schools_in(scope_id).height
        )

    def catalogue_title(self) -> str:
        """The edition of the report year's catalogue (`{catalogue}` in a footnote)."""
        eng = self.engine
        editions = [
            eng.pack.edition(name, self.year)
            for name, d in eng.pack.dimensions.items()
            if d.catalogues
        ]
        return "、".join(f"《{e.title}》" for e in editions if e is not None)

    def row_values(self, t: TableSpec) -> tuple[str, ...]:
        """A table's rows by a dimension: those the report spec lists, else the dimension's
        values; a catalogue's are its edition's of the report year, and the row of records
        that could not be put into it when there are some."""
        r, eng = t.rows, self.engine
        if r.values or r.dimension is None or r.kind == "label":
            return r.values
        edition = eng.pack.edition(r.dimension, self.year)
        if edition is None:
            return eng.pack.dimensions[r.dimension].values
        done = eng.facts.crosswalked.get(r.dimension)
        unmapped = done is not None and bool(done.unmapped_years & {self.prev, self.year})
        return (*edition.values, *((UNMAPPED,) if unmapped else ()))

    def footnotes(self, t: TableSpec) -> list[str]:
        out = []
        for note in t.footnotes:
            text = note.replace("{scope}", self.scope_footnote(t.scope)).replace(
                "{catalogue}", self.catalogue_title()
            )
            out.append(expand(text, self.year, self.spec.region))
        out += self.missing_field_notes(t)
        left = self.left_out(
            [c.indicator for c in t.columns if c.indicator],
            t.scope,
            (self.prev, self.year),
            tuple(f for f in self.engine.filters(t.rows.filters) if f.kind == "roster"),
        )
        if left:
            out.append(
                f"本表的数字中不含以下学校（报表未收到或无法读取，见“数据质量”）：{'；'.join(left)}。"
            )
        dims = {
            t.rows.dimension,
            *(
                g.dimension
                for g in [self.engine.defs.groups.get(t.rows.group or "")]
                if g is not None
            ),
        }
        for name in sorted(d for d in dims if d):
            done = self.engine.facts.crosswalked.get(name)
            note = done.note([self.prev, self.year]) if done is not None else ""
            if note:
                out.append(note)
        return out

    def left_out(
        self,
        iids: list[str],
        scope: str,
        years: tuple[int, ...],
        roster_filters: tuple[Filter, ...] = (),
    ) -> list[str]:
        """The schools of a scope whose figures are missing from these indicators: a school
        that did not return (or whose file could not be read) a dataset they read, in a
        year others returned it. `赤峰新华职业技术学校（2019 年“毕业生就业”）` each."""
        key = (tuple(iids), scope, years, roster_filters)
        if key in self._left_out:
            return self._left_out[key]
        eng = self.engine
        have: dict[tuple[str, int], set[str]] = {}
        for d, sid, y in eng.facts.returned():
            have.setdefault((d, y), set()).add(sid)
        schools = eng.schools_in(scope, roster_filters).select("school_id", "school_name")
        missing: dict[str, list[str]] = {}
        datasets = sorted({d for iid in iids for d in datasets_of(eng.defs, iid)})
        for d in datasets:
            ds = eng.pack.datasets[d]
            if ds.entity != "school":
                continue
            for y in sorted(years):
                returned = have.get((d, y))
                if not returned:
                    continue  # nobody returned it: the figures are blank, said in 数据质量
                for sid, name in schools.iter_rows():
                    if sid not in returned:
                        missing.setdefault(name, []).append(f"{y} 年“{ds.title}”")
        out = [f"{name}（{'、'.join(what)}）" for name, what in missing.items()]
        self._left_out[key] = out
        return out

    def missing_field_notes(self, t: TableSpec) -> list[str]:
        """A column left empty for a year because that year's returns do not carry one of
        its fields (the current forms have no such item): said under the table."""
        eng, out = self.engine, []
        returned = {(d, y) for d, _s, y in eng.facts.returned()}
        for c in t.columns:
            if not c.indicator:
                continue
            for ds, fld in sorted(fields_of(eng.defs, c.indicator)):
                years = [
                    y
                    for y in (self.prev, self.year)
                    if (ds, y) in returned and not eng.facts.carried(ds, fld, y)
                ]
                if years:
                    title = eng.pack.datasets[ds].fields[fld].title
                    out.append(
                        f"“{'/'.join(c.header)}”：{'、'.join(map(str, years))} 年的报表中没有“{title}”一项（或都未填写），该年度此列空白。"
                    )
        return list(dict.fromkeys(out))

    def cell(
        self, iid: str, year: int, scope: str, filters: tuple[Filter, ...], column: str
    ) -> BodyCell:
        fig = self.engine.figure(iid, year, scope, filters)
        return BodyCell(show(fig.indicator, fig.value), fig.indicator, year, fig, column=column)

    def change_cell(self, cur: BodyCell, prev: BodyCell) -> BodyCell:
        if cur.indicator is None or cur.figure is None or prev.figure is None:
            return BodyCell(Shown(None, "General", ""))
        return BodyCell(
            change(cur.indicator, cur.figure.value, prev.figure.value),
            cur.indicator,
            self.year,
            cur.figure,
            prev.figure,
            cur.column,
        )

    def build(self, t: TableSpec) -> BuiltTable:
        years = [self.prev, self.year] if t.year_order == "asc" else [self.year, self.prev]
        if t.rows.kind == "levels":
            columns, rows = [c.header for c in t.columns], self._level_rows(t)
        elif t.rows.kind == "years" or t.years_in == "rows":
            columns, rows = [c.header for c in t.columns], self._year_rows(t, years)
        else:  # dimension rows, years as sub-columns
            columns = [(*c.header, str(y)) for c in t.columns for y in years]
            rows = self._dimension_rows(t, years)
        title = numbered(t.id, expand(t.title, self.year, self.spec.region))
        return BuiltTable(
            t,
            title,
            t.stub,
            columns,
            rows,
            self.footnotes(t),
            self.engine.defs.scopes[t.scope].title,
        )

    def _level_rows(self, t: TableSpec) -> list[TableRow]:
        """表2: per level (国家级示范 …), how many schools and their names."""
        rows: list[TableRow] = []
        for i, level in enumerate(t.rows.values):
            schools = self.engine.schools_in(t.scope, (Filter("roster", "levels", level),))
            names = "\n".join(schools["school_name"].to_list())
            rows.append(
                (
                    (_label(t, i, level),),
                    [
                        BodyCell(Shown(float(schools.height), "0", str(schools.height))),
                        BodyCell(Shown(None, "@", names)),
                    ],
                )
            )
        return rows

    def _row_keys(self, t: TableSpec) -> list[tuple[tuple[str, ...], tuple[Filter, ...]]]:
        """(labels, filters) of each row that is not a year: a dimension's values, or one
        labelled row over everything in scope (表7)."""
        r, eng = t.rows, self.engine
        if r.kind == "label":
            return [((_label(t, 0, r.values[0]),), ())]
        return [
            ((_label(t, i, v),), eng.filters(((r.dimension, v),)))
            for i, v in enumerate(self.row_values(t))
        ]

    def _filters(
        self, t: TableSpec, row_filters: tuple[Filter, ...], column: ColumnSpec
    ) -> tuple[Filter, ...]:
        eng = self.engine
        return (*eng.filters(t.rows.filters), *row_filters, *eng.filters(column.filters))

    def _year_rows(self, t: TableSpec, years: list[int]) -> list[TableRow]:
        """A row per year (within each dimension value, when rows are one), and 变化."""
        r = t.rows
        row_keys = [((), ())] if r.kind == "years" else self._row_keys(t)
        rows: list[TableRow] = []
        for labels, rfilters in row_keys:
            per_year = {}
            for y in years:
                cells = [
                    self.cell(
                        c.indicator, y, t.scope, self._filters(t, rfilters, c), "/".join(c.header)
                    )
                    for c in t.columns
                ]
                per_year[y] = cells
                rows.append(((*labels, str(y)), cells))
            if t.change:
                rows.append(
                    (
                        (*labels, "变化"),
                        [
                            self.change_cell(a, b)
                            for a, b in zip(per_year[self.year], per_year[self.prev], strict=True)
                        ],
                    )
                )
        return rows

    def _dimension_rows(self, t: TableSpec, years: list[int]) -> list[TableRow]:
        """A row per dimension value (and the total row), years as sub-columns (表10)."""
        r, eng = t.rows, self.engine
        group = eng.defs.groups.get(r.group) if r.group else None
        values = [
            ((*labels, _group_of(group, v)) if group else labels, rfilters)
            for (labels, rfilters), v in zip(self._row_keys(t), self.row_values(t), strict=True)
        ]
        if r.total:
            total_row = ((r.total, "") if group else (r.total,), ())
            values = [total_row, *values] if r.total_position == "first" else [*values, total_row]
        rows: list[TableRow] = []
        for labels, rfilters in values:
            cells = [
                self.cell(
                    c.indicator,
                    y,
                    t.scope,
                    self._filters(t, rfilters, c),
                    "/".join((*c.header, str(y))),
                )
                for c in t.columns
                for y in years
            ]
            rows.append((labels, cells))
        return rows

    def tables(self) -> list[BuiltTable]:
        return [self.build(t) for t in self.spec.tables]

    # --- sentences

    def sentence(
        self, text: str, scope: str, doubtful: set[tuple[str, str, str]] = frozenset()
    ) -> str:  # type: ignore[assignment]
        """A key sentence with its figures put in. A sentence whose figures rest on a cell
        that could not be read, or that a check found doubtful, says so."""
        used: list[Figure] = []

        def repl(m: re.Match[str]) -> str:
            name, attr = m.group(1), m.group(2)
            if name == "year":
                return str(self.year)
            if name == "prev":
                return str(self.prev)
            if name == "region":
                return self.spec.region
            ind = self.engine.defs.indicators[name]
            cur_fig, prev_fig = (
                self.engine.figure(name, self.year, scope),
                self.engine.figure(name, self.prev, scope),
            )
            cur, prev = cur_fig.value, prev_fig.value
            if attr == "prev":
                used.append(prev_fig)
                return show(ind, prev).text or "（无数据）"
            used.append(cur_fig)
            if attr == "change":
                used.append(prev_fig)
                ch = change(ind, cur, prev)
                if ch.number is None:
                    return "（无上年数据）"
                if ch.number == 0:
                    return "持平"
                word = (
                    ("提高" if ch.number > 0 else "下降")
                    if ind.is_rate
                    else ("增加" if ch.number > 0 else "减少")
                )
                return word + ch.text[1:]
            return show(ind, cur).text or "（无数据）"

        sentence = re.sub(r"\{([a-z_0-9]+)(?:\.([a-z_]+))?\}", repl, text)
        why = []
        if any(f.flawed.height for f in used):
            why.append("有的来源单元格无法识别")
        if any(f.sources() & doubtful for f in used):
            why.append("所用数字未通过核对")
        left = list(
            dict.fromkeys(
                name for f in used for name in self.left_out([f.indicator.id], scope, (f.year,))
            )
        )
        if left:
            why.append(f"不含未报送或无法读取的学校：{'；'.join(left)}")
        if not why:
            return sentence
        return f"【待核实】{sentence}（{'；'.join(why)}，见“数据质量”）"

    def sentences(self, doubtful: set[tuple[str, str, str]] = frozenset()) -> list[str]:  # type: ignore[assignment]
        return [self.sentence(h.text, h.scope, doubtful) for h in self.spec.highlights]


def numbered(table_id: str, title: str) -> str:
    """`表3 赤峰市…`: a table's or chart's title as the report prints it, with its number."""
    return title if title.startswith(table_id) else f"{table_id} {title}"


def _label(t: TableSpec, i: int, value: str) -> str:
    return t.rows.labels[i] if t.rows.labels else value


def _group_of(group: Group, value: str) -> str:
    for name, members in group.members.items():
        if value in members:
            return name
    return ""


def datasets_of(defs: Definitions, iid: str) -> set[str]:
    """The datasets an indicator reads, through its formula."""
    ind = defs.indicators[iid]
    if ind.formula is None:
        return {ind.dataset} if ind.dataset else set()
    names, totals = formula_names(ind.formula)
    out: set[str] = set()
    for n in names | totals:
        out |= datasets_of(defs, n)
    return out


def fields_of(defs: Definitions, iid: str) -> set[tuple[str, str]]:
    """The (dataset, field) pairs an indicator reads, through its formula (weights too)."""
    ind = defs.indicators[iid]
    if ind.formula is None:
        if not (ind.dataset and ind.field):
            return set()
        return {(ind.dataset, ind.field), *(((ind.dataset, ind.weight),) if ind.weight else ())}
    names, totals = formula_names(ind.formula)
    out: set[tuple[str, str]] = set()
    for n in names | totals:
        out |= fields_of(defs, n)
    return out


def report_field_needs(spec: ReportSpec, defs: Definitions) -> dict[tuple[str, str, str], set[str]]:
    """(dataset, field, scope) → the tables and charts that read it."""
    needs: dict[tuple[str, str, str], set[str]] = {}
    used = [(t.id, t.scope, c.indicator) for t in spec.tables for c in t.columns if c.indicator]
    used += [
        (ch.id, ch.scope, iid)
        for ch in spec.charts
        for iid in [s.indicator for s in ch.series] + ([ch.indicator] if ch.indicator else [])
    ]
    for tid, scope, iid in used:
        for ds, fld in fields_of(defs, iid):
            needs.setdefault((ds, fld, scope), set()).add(tid)
    return needs


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
