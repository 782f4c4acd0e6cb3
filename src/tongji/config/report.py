"""The report spec (`reports/*.toml`): the report's tables, charts, key sentences and the
per-school profile, each made of indicators, scopes and groups defined in
`indicators.toml`. Next year's new table is a change here, not in code."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import ConfigError, ConfigProblem
from .definitions import Definitions, Group
from .mapping import Pack
from .toml import Section, Texts, load_toml_or_stop, option, read, section_of, text_pairs

CHART_TYPES = ("pie", "column", "bar")
_PLACEHOLDER = re.compile(r"\{([a-z_0-9]+)(?:\.([a-z_]+))?\}")


# ---------------------------------------------------------------- typed objects
# Each is also the schema of its section: its fields are the section's keys.


def _header(section: Section, key: str, text: Any) -> tuple[str, ...]:
    """A column header path: `a/b` or ["a", "b"]."""
    if isinstance(text, list):
        return tuple(str(t) for t in text)
    return tuple(part for part in re.split(r"/", str(text)) if part)


@dataclass(frozen=True)
class ColumnSpec:
    indicator: str = ""  # required, except in a table of levels (表2)
    header: tuple[str, ...] = option((), required=True, read_as=str | list, parse=_header)
    filters: tuple[tuple[str, str], ...] = option((), read_as=dict, parse=text_pairs)


@dataclass(frozen=True)
class RowsSpec:
    kind: str  # years | dimension | group | levels | label
    dimension: str | None = None  # a dimension or a group id
    values: tuple[str, ...] = ()
    labels: tuple[
        str, ...
    ] = ()  # how the values are shown, when not as they are (国家级示范 → 国家级示范校)
    total: str | None = None  # label of the total row
    total_position: str = "first"
    group: str | None = None  # a group shown beside each row (表10's 产业)
    filters: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class TableSpec:
    id: str = option("", required=True)
    title: str = option("", required=True)
    scope: str = "all"
    rows: RowsSpec | str | dict = option(
        "years", read_as=str | dict
    )  # as written, until `_rows` reads it
    columns: tuple[ColumnSpec, ...] = ()
    years_in: str = "rows"  # rows | columns
    year_order: str = "asc"
    change: bool = False
    stub: Texts = ("年度",)
    footnotes: Texts = ()
    unit_note: str = ""


@dataclass(frozen=True)
class SeriesSpec:
    label: str = option("", required=True)
    indicator: str = option("", required=True)
    filters: tuple[tuple[str, str], ...] = option((), read_as=dict, parse=text_pairs)


@dataclass(frozen=True)
class ChartSpec:
    id: str = option("", required=True)
    title: str = ""
    type: str = "column"  # pie | column | bar
    scope: str = "all"
    series: tuple[SeriesSpec, ...] = ()  # pie: one slice per series, current year
    categories: str | None = None  # column: a group or dimension whose values are the categories
    indicator: str | None = None  # column: the indicator per category, one series per year
    years: str = "both"  # both | current


@dataclass(frozen=True)
class Highlight:
    text: str = option("", required=True)
    scope: str = "all"


@dataclass(frozen=True)
class Profile:
    scope: str = "all"
    indicators: Texts = option((), required=True)
    # 旗县区 in this order (the city's usual one); those not listed follow in the roster's order
    districts: Texts = ()


@dataclass(frozen=True)
class ReportSpec:
    file: str = option("", toml=False)
    title: str = "数据表"
    region: str = ""
    source: str = "教育统计报表"
    tables: tuple[TableSpec, ...] = ()
    charts: tuple[ChartSpec, ...] = ()
    highlights: tuple[Highlight, ...] = ()
    profile: Profile | None = None


@dataclass
class RowsEntry:
    """`rows = { … }` of a table, as written."""

    dimension: str | None = None
    by_group: str | None = None
    levels: Texts = ()
    values: Texts = ()
    labels: Texts = ()
    label: str | None = None
    total: str | None = None
    total_position: str = "first"
    group: str | None = None
    filters: tuple[tuple[str, str], ...] = option((), read_as=dict, parse=text_pairs)


# ---------------------------------------------------------------- parsing


class _Refs:
    """Checks that what a report entry names (scopes, indicators, filters) is defined."""

    def __init__(self, pack: Pack, defs: Definitions):
        self.pack, self.defs = pack, defs
        self.dims = set(pack.dimensions)

    def scope(self, entry: Any) -> None:
        if entry.scope not in self.defs.scopes:
            section_of(entry).problem(
                "scope", f"未定义的口径“{entry.scope}”；可用：{'、'.join(self.defs.scopes)}"
            )

    def indicator(self, sec: Section, key: str, iid: str | None) -> None:
        if iid and iid not in self.defs.indicators:
            sec.problem(key, f"未定义的指标“{iid}”")

    def filters(self, sec: Section, found: tuple[tuple[str, str], ...]) -> None:
        """Filters by a dimension or a group: each key defined, each group value a member."""
        groups: dict[str, Group] = self.defs.groups
        for k, v in found:
            if k in groups:
                if v not in groups[k].members:
                    sec.problem(
                        f"filters.{k}",
                        f"“{v}”不是分组“{groups[k].title}”的成员；可用：{'、'.join(groups[k].members)}",
                    )
            elif k not in self.dims:
                sec.problem(
                    f"filters.{k}",
                    f"“{k}”既不是维度也不是分组；可用：{'、'.join(sorted(self.dims | set(groups)))}",
                )


def _rows(table: TableSpec, refs: _Refs) -> RowsSpec:
    sec = section_of(table)
    if isinstance(table.rows, str):
        if table.rows != "years":
            sec.problem(
                "rows",
                '应为 "years"，或 { dimension = … } / { group = … } / { levels = [...] } / { label = … }',
            )
        return RowsSpec("years")
    entry = read(Section(table.rows, sec.file, sec.path("rows"), sec.problems), RowsEntry)
    r = section_of(entry)
    dim, grp, beside = entry.dimension, entry.by_group, entry.group
    if dim is not None and dim not in refs.dims:
        r.problem("dimension", f"未定义的维度“{dim}”")
    if grp is not None and grp not in refs.defs.groups:
        r.problem("by_group", f"未定义的分组“{grp}”")
    if beside is not None and beside not in refs.defs.groups:
        r.problem("group", f"未定义的分组“{beside}”")
    kind = (
        "levels"
        if entry.levels
        else (
            "group"
            if grp
            else ("label" if entry.label is not None and dim is None else "dimension")
        )
    )
    values = entry.levels or entry.values or ((entry.label,) if kind == "label" else ())
    if (
        dim
        and not values
        and dim in refs.pack.dimensions
        and not refs.pack.dimensions[dim].catalogues
    ):
        values = refs.pack.dimensions[
            dim
        ].values  # a catalogue's values are those of the report year's edition
    if grp and not values and grp in refs.defs.groups:
        values = refs.defs.groups[grp].order
    if entry.labels and len(entry.labels) != len(values):
        r.problem(
            "labels", f"应与行的取值一样多（{len(values)} 个），实际为 {len(entry.labels)} 个"
        )
    return RowsSpec(
        kind,
        dim or grp,
        tuple(values),
        tuple(entry.labels),
        entry.total,
        entry.total_position,
        beside,
        entry.filters,
    )


def _table(table: TableSpec, refs: _Refs) -> TableSpec:
    sec = section_of(table)
    rows = _rows(table, refs)
    for column in table.columns:
        csec = section_of(column)
        if rows.kind != "levels":
            if "indicator" not in csec.data:
                csec.problem("indicator", "缺少必填项")
            refs.indicator(csec, "indicator", column.indicator)
        refs.filters(csec, column.filters)
    if table.years_in not in ("rows", "columns"):
        sec.problem("years_in", "应为 rows（年度分行）或 columns（年度分列）")
    refs.scope(table)
    return replace(table, rows=rows)


def _check_chart(chart: ChartSpec, refs: _Refs) -> None:
    sec = section_of(chart)
    if chart.type not in CHART_TYPES:
        sec.problem("type", "应为 pie（饼图）、column（柱形图）或 bar（条形图）")
    for s in chart.series:
        refs.indicator(section_of(s), "indicator", s.indicator)
        refs.filters(section_of(s), s.filters)
    if (
        chart.categories is not None
        and chart.categories not in refs.defs.groups
        and chart.categories not in refs.dims
    ):
        sec.problem("categories", f"“{chart.categories}”既不是分组也不是维度")
    refs.indicator(sec, "indicator", chart.indicator)
    if not chart.series and not (chart.categories and chart.indicator):
        sec.problem("", "需要 series（每个扇区/柱一个指标），或 categories + indicator")
    refs.scope(chart)


def _check_highlight(highlight: Highlight, refs: _Refs) -> None:
    for m in _PLACEHOLDER.finditer(highlight.text):
        name = m.group(1)
        if name not in ("year", "prev", "region") and name not in refs.defs.indicators:
            section_of(highlight).problem("text", f"句中的“{{{name}}}”不是已定义的指标")
    refs.scope(highlight)


def _check_profile(profile: Profile | None, refs: _Refs) -> None:
    if profile is None:
        return
    for j, iid in enumerate(profile.indicators):
        if iid not in refs.defs.indicators:
            section_of(profile).problem(f"indicators[{j}]", f"未定义的指标“{iid}”")
    refs.scope(profile)


def load_report(path: str | Path, pack: Pack, defs: Definitions) -> ReportSpec:
    """Read and validate a report spec. Raises ConfigError listing every mistake."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError([ConfigProblem(str(path), "", "报告定义文件不存在")])
    problems: list[ConfigProblem] = []
    spec = read(
        Section(
            load_toml_or_stop(path, path.parent, problems, "报告定义"), str(path), "", problems
        ),
        ReportSpec,
        file=str(path),
    )
    refs = _Refs(pack, defs)
    tables = tuple(_table(t, refs) for t in spec.tables)
    for chart in spec.charts:
        _check_chart(chart, refs)
    for highlight in spec.highlights:
        _check_highlight(highlight, refs)
    _check_profile(spec.profile, refs)
    if problems:
        raise ConfigError(problems)
    return replace(spec, tables=tables)
