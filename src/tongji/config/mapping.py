"""Mapping packs: TOML files written by the statistician, parsed once into typed objects.

A mapping pack is a folder holding
- `datasets.toml`: the datasets (学生, 教职工, …), their fields (type, unit, aliases) and
  the dimension vocabularies (专业大类, 教师类别, …) that key their rows;
- one `*.toml` per kind of source sheet: which sheets it fits, the layout, where each
  field's figure is (the layout turns each `[[fields]]` entry into its own placement).

Every mistake is reported with the file and the key (`[[fields]][3].column`), in Chinese,
and all mistakes of a pack are reported at once.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from ..errors import ConfigProblem
from ..words import units
from ..words.labels import normalize_label
from ..words.roster import Roster
from .catalogues import CATALOGUES_FILE, Catalogue, Crosswalk, year_span
from .datasets import DATASETS_FILE, Dataset, Dimension, config_unit
from .patterns import NamePattern
from .placements import DIRECTIONS, LAYOUT_KINDS, SCHOOL_KEY, Placement, header_path, placement
from .toml import (
    Section,
    Texts,
    compile_patterns,
    option,
    read,
    section_of,
)
from .unused import UnusedRule

# Files in a mapping folder that are not mappings: the catalogues, the definitions of the report (definitions.py).
RESERVED_FILES = (DATASETS_FILE, CATALOGUES_FILE, "indicators.toml", "checks.toml")


# ---------------------------------------------------------------- the typed objects


@dataclass(frozen=True)
class MatchSpec:
    sheet_names: tuple[NamePattern, ...] = ()
    contains: tuple[str, ...] = ()
    exclude: tuple[NamePattern, ...] = ()
    scan_rows: int = 12
    caption: tuple[str, ...] = ()  # the table of the sheet it reads: words of its caption

    def names(self, sheet_name: str, normalized: str) -> bool:
        """Whether a sheet-name pattern matches the sheet's name (as written or normalised)."""
        return any_match(self.sheet_names, sheet_name, normalized)

    def excludes(self, sheet_name: str, normalized: str) -> bool:
        return any_match(self.exclude, sheet_name, normalized)


def any_match(patterns: tuple[NamePattern, ...], sheet_name: str, normalized: str) -> bool:
    return any(p.search(normalized) or p.search(sheet_name) for p in patterns)


@dataclass(frozen=True)
class RecordsSpec:
    """One record per data row. Each key comes from a column (by header path) or, when no
    column is given, from the row's label."""

    keys: tuple[tuple[str, tuple[str, ...]], ...]  # (dimension name or "school", header paths)

    @property
    def by_school(self) -> bool:
        return any(k == SCHOOL_KEY for k, _ in self.keys)


@dataclass(frozen=True)
class Mapping:
    name: str
    file: str
    dataset: str
    layout: str  # a name in placements.LAYOUT_KINDS
    match: MatchSpec
    fields: tuple[Placement, ...]
    school_label: tuple[str, ...] = ()
    unit: str | None = None
    records: RecordsSpec | None = None
    keys: tuple[tuple[str, str], ...] = ()  # fixed key values for every record of this mapping
    unit_column: tuple[str, ...] = ()  # header path(s) of a column holding each row's unit
    totals: tuple[str, ...] = ()  # labels of totals rows besides 合计/总计/小计 (全县合计 …)
    form_years: tuple[int, int | None] | None = (
        None  # the years the form this mapping reads is in use
    )
    template: str | None = None  # the title of the blank return `tongji template` writes for it
    folder: int = (
        0  # which mapping folder it is from: 0 the pack, 1… a city's (later ones win ties)
    )
    replaces: tuple[str, ...] = ()  # mappings of earlier folders it switches off
    read_hidden: bool = False  # rows and columns hidden in Excel are data for this mapping

    @cached_property
    def id(self) -> str:
        return Path(self.file).stem


@dataclass
class Pack:
    """A loaded mapping folder."""

    root: Path
    datasets: dict[str, Dataset]
    dimensions: dict[str, Dimension]
    mappings: list[Mapping]
    files: dict[str, str] = field(default_factory=dict)  # file name → sha256 of its text
    students: tuple[str, str] | None = None  # (dataset, field) counting a school's students
    crosswalks: tuple[Crosswalk, ...] = ()
    catalogue_years: dict[int, str] = field(
        default_factory=dict
    )  # year → the edition a job names for it
    unused: tuple[UnusedRule, ...] = ()  # sheets the report does not use (unused_sheets.toml)
    read_hidden: bool = False  # a job says rows and columns hidden in Excel are data

    def unused_reason(self, sheet_name: str) -> str | None:
        """Why a sheet is not read (unused_sheets.toml), or None: it is, or a mapping's own
        sheet-name pattern claims it."""
        normalized = normalize_label(sheet_name)
        rule = next(
            (r for r in self.unused if any_match((r.pattern,), sheet_name, normalized)), None
        )
        if rule is None or any(m.match.names(sheet_name, normalized) for m in self.mappings):
            return None
        return rule.reason

    def with_catalogue_years(self, years: dict[int, str]) -> Pack:
        """The pack with the editions a job names for some years (instead of the one in force)."""
        return replace(self, catalogue_years=dict(years))

    def dimensions_for(self, year: int) -> dict[str, Dimension]:
        """The dimensions as the returns of `year` are read (a catalogue's edition in force)."""
        return {
            name: d.for_year(year, self.catalogue_years.get(year)) if d.catalogues else d
            for name, d in self.dimensions.items()
        }

    def edition(self, dimension: str, year: int) -> Catalogue | None:
        """The edition of a dimension's catalogue for a year (a report's rows)."""
        d = self.dimensions.get(dimension)
        return d.edition(year, self.catalogue_years.get(year)) if d is not None else None

    def crosswalk(self, old: str, new: str) -> Crosswalk | None:
        return next((x for x in self.crosswalks if x.old == old and x.new == new), None)

    def with_roster(self, roster: Roster) -> Pack:
        """The pack for this roster: a dimension declared `roster = "district"` takes the
        roster's 旗县区 as its values, so a new city writes no list of its own."""
        dims = {
            name: d.with_values([v for v in (getattr(s, d.roster) for s in roster.schools) if v])
            if d.roster
            else d
            for name, d in self.dimensions.items()
        }
        return replace(self, dimensions=dims)


# ---------------------------------------------------------------- the files as written


@dataclass
class MatchEntry:
    sheet_names: Texts = ()
    contains: Texts = ()
    exclude: Texts = ()
    scan_rows: int = 12
    caption: Texts = ()


@dataclass
class SchoolEntry:
    label: Texts = option((), required=True)


@dataclass
class FieldEntry:
    """A `[[fields]]` entry: every layout's keys; each layout uses its own."""

    field: str = option("", required=True)
    row: Texts = ()
    line: str | int | None = None
    column: Texts = ()
    code: str | int | None = None
    label: Texts = ()
    direction: str = "auto"
    unit: str | None = None
    unit_column: Texts = ()
    sum: bool = False
    required: bool | None = None
    optional: bool = False


@dataclass
class MappingFile:
    name: str | None = None
    dataset: str = option("", required=True)
    layout: str = option("grid", required=True)
    match: MatchEntry | None = option(None, required=True)
    school: SchoolEntry | None = None
    unit: str | None = None
    unit_column: Texts = ()
    totals: Texts = ()
    records: dict | None = None
    keys: dict | None = None
    form_years: list | None = None
    template: str | None = None
    replaces: Texts = ()
    read_hidden: bool = False
    fields: tuple[FieldEntry, ...] = option((), required=True)


# ---------------------------------------------------------------- datasets.toml


# ---------------------------------------------------------------- mapping files


def _match_spec(entry: MatchEntry | None) -> MatchSpec:
    if entry is None:
        return MatchSpec()
    sec = section_of(entry)
    spec = MatchSpec(
        sheet_names=compile_patterns(sec, "sheet_names", entry.sheet_names),
        contains=tuple(normalize_label(t) for t in entry.contains),
        exclude=compile_patterns(sec, "exclude", entry.exclude),
        scan_rows=entry.scan_rows,
        caption=tuple(normalize_label(t) for t in entry.caption),
    )
    for key in ("contains", "caption"):
        if any(not normalize_label(t) for t in getattr(entry, key)):
            sec.problem(key, "不能是空文字；不用时删去这一项")
    if not spec.sheet_names and not spec.contains:
        sec.problem("", "至少要给出 sheet_names（工作表名）或 contains（表头中的文字）之一")
    return spec


def _records(top: Section, table: dict | None, dataset: Dataset | None) -> RecordsSpec | None:
    if table is None:
        return None
    r = Section(table, top.file, top.path("records"), top.problems)
    rkeys = []
    for kname in r.data:
        if dataset is not None and kname != SCHOOL_KEY and kname not in dataset.keys:
            r.problem(
                kname,
                f"“{kname}”不是数据集“{dataset.name}”的键；可用：{'、'.join((*dataset.keys, SCHOOL_KEY))}",
            )
        rkeys.append((kname, tuple(p for p in (header_path(t) for t in r.texts(kname)) if p)))
    if not rkeys:
        r.problem("", '至少给出一个键，如 major_category = "专业大类"（写 "" 表示取行标签）')
    return RecordsSpec(tuple(rkeys))


def _fixed_keys(
    top: Section, table: dict | None, dataset: Dataset | None, dimensions: dict[str, Dimension]
) -> tuple[tuple[str, str], ...]:
    if table is None:
        return ()
    k = Section(table, top.file, top.path("keys"), top.problems)
    out: list[tuple[str, str]] = []
    for kname in k.data:
        value = k.get(kname, str)
        if dataset is not None and kname not in dataset.keys:
            k.problem(kname, f"“{kname}”不是数据集“{dataset.name}”的键")
        elif value is not None:
            dim = dimensions.get(kname)
            resolved = dim.resolve(value) if dim else None
            if dim is not None and resolved is None:
                k.problem(kname, f"“{value}”不在维度“{dim.title}”的取值中")
            else:
                out.append((kname, resolved or value))
    return tuple(out)


def _check_layout(top: Section, layout: str, records: RecordsSpec | None) -> None:
    unit = LAYOUT_KINDS.get(layout)
    if unit is None:
        names = "、".join(f"{name}（{u.title}）" for name, u in LAYOUT_KINDS.items())
        top.problem("layout", f"未知的版式“{layout}”；可用：{names}")
    elif unit.records == "required" and records is None:
        top.problem(
            "records",
            f'{unit.title}（{layout}）必须用 [records] 说明每行记录的键（如 major_category = "专业大类"）',
        )
    elif unit.records == "never" and records is not None:
        top.problem(
            "records",
            f"{unit.title}（{layout}）每个工作表只有一条记录，不用 [records]；固定的键写在 [keys] 中",
        )


def _check_keys_have_sources(
    top: Section, dataset: Dataset, records: RecordsSpec | None, fixed: tuple[tuple[str, str], ...]
) -> None:
    given = {k for k, _ in fixed} | ({k for k, _ in records.keys} if records else set())
    missing = [k for k in dataset.keys if k not in given]
    if missing:
        top.problem(
            "records" if records else "keys",
            f"数据集“{dataset.name}”的键 {'、'.join(missing)} 没有来源；请在 [records] 中给出所在列，或在 [keys] 中写固定值",
        )


def _placement(
    entry: FieldEntry, layout: str, dataset: Dataset | None, has_records: bool
) -> Placement | None:
    sec = section_of(entry)
    fdef = dataset.fields.get(entry.field) if dataset is not None else None
    if dataset is not None and entry.field and fdef is None:
        close = difflib.get_close_matches(entry.field, list(dataset.fields), n=1)
        sec.problem(
            "field",
            f"数据集“{dataset.name}”中没有字段“{entry.field}”"
            + (f"，是否应为“{close[0]}”？" if close else ""),
        )
    unit = config_unit(sec, "unit", entry.unit)
    if fdef is not None and unit and fdef.unit and units.conversion_factor(unit, fdef.unit) is None:
        sec.problem("unit", f"单位“{unit}”无法换算为字段“{entry.field}”的单位“{fdef.unit}”")
    if entry.direction not in DIRECTIONS:
        sec.problem("direction", f"应为 right、below 或 auto，实际为“{entry.direction}”")
    if layout not in LAYOUT_KINDS:
        return None
    required = entry.required if entry.required is not None else (fdef.required if fdef else False)
    if entry.optional and entry.required:
        sec.problem("optional", "一个字段不能既是 required 又是 optional")
    common = {
        "field": entry.field,
        "unit": unit,
        "required": required,
        "optional": entry.optional,
        "unit_column": tuple(header_path(t) for t in entry.unit_column),
    }
    return placement(layout, entry, sec, common, has_records)


def _check_default_unit(
    top: Section, unit: str | None, dataset: Dataset, placements: list[Placement]
) -> None:
    if not unit:
        return
    for p in placements:
        fdef = dataset.fields.get(p.field)
        if fdef and fdef.unit and not p.unit and units.conversion_factor(unit, fdef.unit) is None:
            top.problem(
                "unit",
                f"单位“{unit}”无法换算为字段“{p.field}”的单位“{fdef.unit}”；请在该字段下单独写 unit",
            )
            return


def parse_mapping(
    data: dict[str, Any],
    file: str,
    datasets: dict[str, Dataset],
    dimensions: dict[str, Dimension],
    problems: list[ConfigProblem],
) -> Mapping | None:
    """One mapping file, or None when it has mistakes (all of them recorded)."""
    n_before = len(problems)
    top = Section(data, file, "", problems)
    entry = read(top, MappingFile)
    dataset = datasets.get(entry.dataset)
    if entry.dataset and dataset is None:
        close = difflib.get_close_matches(entry.dataset, list(datasets), n=1)
        top.problem(
            "dataset",
            f"datasets.toml 中没有数据集“{entry.dataset}”"
            + (f"，是否应为“{close[0]}”？" if close else ""),
        )
    match = _match_spec(entry.match)
    school_label = tuple(normalize_label(t) for t in entry.school.label) if entry.school else ()
    default_unit = config_unit(top, "unit", entry.unit)
    records = _records(top, entry.records, dataset)
    _check_layout(top, entry.layout, records)
    fixed = _fixed_keys(top, entry.keys, dataset, dimensions)
    if dataset is not None:
        _check_keys_have_sources(top, dataset, records, fixed)
    placements = [
        p
        for p in (_placement(f, entry.layout, dataset, records is not None) for f in entry.fields)
        if p is not None
    ]
    if dataset is not None:
        _check_default_unit(top, default_unit, dataset, placements)
    form_years = (
        year_span(top, "form_years", entry.form_years) if entry.form_years is not None else None
    )
    if len(problems) > n_before:
        return None
    unit_column = tuple(header_path(t) for t in entry.unit_column)
    totals = tuple(normalize_label(t) for t in entry.totals)
    if entry.template is not None and entry.layout not in ("keyvalue", "list"):
        top.problem("template", "填报模板只能是键值表（keyvalue）或清单表（list）")
        return None
    return Mapping(
        entry.name or Path(file).stem,
        file,
        entry.dataset,
        entry.layout,
        match,
        tuple(placements),
        school_label,
        default_unit,
        records,
        fixed,
        unit_column,
        totals,
        form_years,
        entry.template,
        replaces=tuple(entry.replaces),
        read_hidden=entry.read_hidden,
    )
