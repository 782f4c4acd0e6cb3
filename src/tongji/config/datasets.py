"""`datasets.toml`: the datasets (学生, 教职工, …), their fields (type, unit, aliases) and
the dimension vocabularies (专业大类, 教师类别, …) that key their rows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from ..errors import ConfigProblem
from ..words import units
from ..words.labels import normalize_label, restore_code
from .catalogues import Catalogue
from .toml import Section, Texts, option, read, section_of

DATASETS_FILE = "datasets.toml"
ROSTER_DIMENSIONS = (
    "district",
    "school_type",
    "sponsor",
)  # roster columns a dimension may take its values from
ENTITIES = ("school", "city")
FIELD_TYPES = ("integer", "number", "percent", "ratio", "flag", "text", "code")
TOTALS = ("sum", "mean", "none")  # what a totals row holds for a field
# a field's totals by its type, when datasets.toml does not say
_DEFAULT_TOTAL = {
    "percent": "mean",
    "ratio": "mean",
    "flag": "none",
    "text": "none",
    "code": "none",
}


@dataclass(frozen=True)
class FieldDef:
    name: str
    title: str
    type: str
    unit: str | None
    aliases: tuple[str, ...]
    required: bool = False
    length: int | None = None  # a code field: how many digits its codes have
    range: tuple[float, float] | None = None  # plausible values of one record (one school's figure)
    per_student: tuple[float, float] | None = None  # plausible values per student (an amount)
    total: str = "sum"  # what a 合计 row holds for it: sum | mean (an average, a rate) | none

    @cached_property
    def labels(self) -> tuple[str, ...]:
        """Normalised labels this field is known by (its title first)."""
        return _dedupe((normalize_label(self.title), *(normalize_label(a) for a in self.aliases)))


@dataclass(frozen=True)
class Dimension:
    """A vocabulary that keys rows: each value with the labels it is written as.

    A dimension with no values is free text (专业名称): any label is its own value.
    With `code_digits`, a numeric code resolves by its leading digits (专业代码 `090100`
    → the 专业大类 whose alias is `09`). A dimension with catalogues (catalogues.toml) has
    the values of every edition; `for_year` gives it as a year's returns are read, the
    edition in force taking precedence where a label is shared.
    """

    name: str
    title: str
    values: tuple[str, ...]
    lookup: dict[str, str] = field(repr=False, hash=False, compare=False)
    code_digits: int = 0  # a code resolves by its first `code_digits` digits
    code_length: int = 0  # … and has this many digits (a code that lost its leading 0 is restored)
    roster: str | None = None  # the values are the roster's values of this attribute (旗县区)
    catalogues: tuple[Catalogue, ...] = ()  # the editions giving the values, oldest first
    in_force: Catalogue | None = None  # set by for_year: the edition of the year being read

    def with_values(self, values: list[str]) -> Dimension:
        """This dimension with `values` added (the roster's 旗县区), each its own label."""
        lookup = dict(self.lookup)
        for v in values:
            lookup.setdefault(normalize_label(v), v)
        return replace(self, values=tuple(dict.fromkeys([*self.values, *values])), lookup=lookup)

    def with_catalogues(self, catalogues: list[Catalogue]) -> Dimension:
        """The dimension whose values are those of its catalogues (the newest edition's
        labels first where two editions share one)."""
        editions = tuple(sorted(catalogues, key=lambda c: c.first))
        first = editions[-1]
        return replace(
            self,
            values=tuple(v for c in editions for v in c.values),
            lookup=_lookup(editions, None),
            code_digits=first.code_digits,
            code_length=first.code_length,
            catalogues=editions,
        )

    def edition(self, year: int | None, override: str | None = None) -> Catalogue | None:
        """The edition in force for a year (or the one a job names for it)."""
        if not self.catalogues:
            return None
        if override is not None:
            return next((c for c in self.catalogues if c.id == override), None)
        if year is None:
            return self.catalogues[-1]
        return next((c for c in self.catalogues if c.covers(year)), None)

    def for_year(self, year: int, override: str | None = None) -> Dimension:
        """The dimension as the returns of `year` are read."""
        edition = self.edition(year, override)
        if edition is None:
            return self
        return replace(self, lookup=_lookup(self.catalogues, edition), in_force=edition)

    def catalogue_of(self, value: str) -> Catalogue | None:
        return next((c for c in self.catalogues if value in c.codes), None)

    @property
    def free(self) -> bool:
        return not self.values

    def resolve(self, label: Any) -> str | None:
        return self.match(label).value

    def match(self, label: Any) -> KeyMatch:
        """The value a label (a name, an alias, or a code) stands for, with what was done to
        get there: a code that lost its leading 0 is restored; a code that names no value is
        a problem, never a value of the wrong kind."""
        found = self._match(label)
        if found.value is not None and self.in_force is not None:
            edition = self.catalogue_of(found.value)
            if edition is not None and edition is not self.in_force:
                return replace(found, edition=edition)
        return found

    def _match(self, label: Any) -> KeyMatch:
        key = normalize_label(label)
        if not key:
            return KeyMatch(None)
        if self.free:
            return KeyMatch(key)
        hit = self.lookup.get(key)
        if hit is not None or not (self.code_digits and key.isdigit()):
            return KeyMatch(hit)
        restored = ""
        if self.code_length:
            code, note = restore_code(key, self.code_length)
            if code is None:
                return KeyMatch(None, problem=note)
            restored, key = (code if note else ""), code
        if len(key) < self.code_digits:
            return KeyMatch(None, problem=f"代码“{key}”太短")
        hit = self.lookup.get(key[: self.code_digits])
        if hit is None:
            return KeyMatch(
                None,
                problem=f"代码“{key}”的前 {self.code_digits} 位“{key[: self.code_digits]}”不是任何{self.title}的代码",
            )
        return KeyMatch(hit, restored)


def _lookup(editions: tuple[Catalogue, ...], first: Catalogue | None) -> dict[str, str]:
    """Labels → values over all editions; `first` (else the newest) wins a shared label."""
    order = [first] if first is not None else []
    order += [c for c in reversed(editions) if c is not first]
    lookup: dict[str, str] = {}
    for c in order:
        for label, value in c.labels():
            lookup.setdefault(normalize_label(label), value)
    return lookup


@dataclass(frozen=True)
class KeyMatch:
    value: str | None
    restored: str = ""  # the code with its leading 0 put back, when it had lost it
    problem: str = ""  # why a code-like label names no value
    edition: Catalogue | None = None  # the value is of this edition, not the one in force


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    keys: tuple[str, ...]
    fields: dict[str, FieldDef] = field(hash=False, compare=False)
    entity: str = "school"  # "school": one record set per school; "city": figures of the whole city


# ---------------------------------------------------------------- the file as written


@dataclass
class DimensionEntry:
    title: str | None = None
    values: list | dict = option([])
    code_digits: int = 0
    code_length: int = 0
    roster: str | None = None


@dataclass
class FieldDefEntry:
    title: str | None = None
    type: str = "number"
    unit: str | None = None
    aliases: Texts = ()
    required: bool = False
    length: int | None = None
    range: list | None = None
    per_student: list | None = None
    total: str | None = None


@dataclass
class DatasetEntry:
    title: str | None = None
    keys: Texts = ()
    fields: dict[str, FieldDefEntry] = option({}, required=True)
    entity: str = "school"


@dataclass
class DatasetsFile:
    dimensions: dict[str, DimensionEntry] = option({})
    datasets: dict[str, DatasetEntry] = option({}, required=True)
    students: str | None = None  # "dataset.field": a school's students, for per_student checks


# ---------------------------------------------------------------- parsing


def _dedupe(items: Any) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for x in items:
        if x:
            seen.setdefault(x, None)
    return tuple(seen)


def config_unit(section: Section, key: str, text: str | None) -> str | None:
    """The canonical unit for `text`, read as `key` of `section`; an unknown unit is a problem."""
    if text is None:
        return None
    unit = units.canonical_unit(text)
    if unit is None:
        section.problem(key, f"未知的单位“{text}”；可用的单位：{'、'.join(units.known_units())}")
    return unit


def _dimension(name: str, entry: DimensionEntry, sec: Section) -> Dimension:
    values_sec = (
        entry.values
        if isinstance(entry.values, dict)
        else {v: [] for v in entry.values if isinstance(v, str)}
    )
    vs = Section(values_sec, sec.file, sec.path("values"), sec.problems)
    lookup: dict[str, str] = {}
    for value in vs.data:
        for label in (value, *vs.texts(value)):
            lookup[normalize_label(label)] = value
    if entry.roster is not None and entry.roster not in ROSTER_DIMENSIONS:
        sec.problem(
            "roster", f"名录中没有可作维度的“{entry.roster}”；可用：{'、'.join(ROSTER_DIMENSIONS)}"
        )
    return Dimension(
        name,
        entry.title or name,
        tuple(vs.data),
        lookup,
        entry.code_digits,
        entry.code_length,
        entry.roster,
    )


def _field_def(name: str, entry: FieldDefEntry, sec: Section) -> FieldDef:
    if entry.type not in FIELD_TYPES:
        sec.problem("type", f"未知的类型“{entry.type}”；可用：{'、'.join(FIELD_TYPES)}")
    if entry.length is not None and entry.type != "code":
        sec.problem("length", '只有代码字段（type = "code"）才有 length（代码位数）')
    bounds = {key: _bounds(sec, key, getattr(entry, key)) for key in ("range", "per_student")}
    unit = config_unit(sec, "unit", entry.unit)
    total = entry.total or _DEFAULT_TOTAL.get(entry.type, "sum")
    if total not in TOTALS:
        sec.problem(
            "total", f"应为 sum（各行之和）、mean（平均数、比率）或 none（不核对），实际为“{total}”"
        )
    return FieldDef(
        name,
        entry.title or name,
        entry.type,
        unit,
        entry.aliases,
        entry.required,
        entry.length,
        bounds["range"],
        bounds["per_student"],
        total,
    )


def _bounds(sec: Section, key: str, given: list | None) -> tuple[float, float] | None:
    """`range = [0, 5000]`: the lowest and highest plausible value."""
    if given is None:
        return None
    if (
        len(given) != 2
        or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in given)
        or given[0] > given[1]
    ):
        sec.problem(key, f"应为两个数字 [最小值, 最大值]，实际为 {given!r}")
        return None
    return float(given[0]), float(given[1])


# What an extraction writes besides the datasets (`lineage.parquet`, the SQLite tables, …):
# a dataset of one of these names would overwrite it. And the columns every dataset's
# table has besides its keys and fields.
RESERVED_NAMES = frozenset(
    {"lineage", "lineage_ids", "texts", "totals", "files", "roster", "issues", "columns", "schools"}
)
RECORD_COLUMNS = frozenset({"school_id", "year", "keys", "not_applicable"})
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _dataset(
    name: str, entry: DatasetEntry, sec: Section, dimensions: dict[str, Dimension]
) -> Dataset:
    if not _NAME.fullmatch(name):
        sec.problem(
            "",
            "数据集名只能用英文字母、数字和下划线，以字母开头（它是文件名和数据库表名；中文名写在 title 中）",
        )
    elif name in RESERVED_NAMES:
        sec.problem(
            "",
            f"数据集名“{name}”已被提取结果的其他文件占用（{'、'.join(sorted(RESERVED_NAMES))}）；请换一个名字",
        )
    for fname in entry.fields:
        if fname in RECORD_COLUMNS or fname in entry.keys:
            sec.problem(
                f"fields.{fname}",
                f"字段名“{fname}”与每条记录都有的列（学校、年度、维度）重名；请换一个名字",
            )
    if entry.entity not in ENTITIES:
        sec.problem("entity", f"应为 school 或 city，实际为“{entry.entity}”")
    for i, k in enumerate(entry.keys):
        if k not in dimensions:
            sec.problem(
                f"keys[{i}]", f"未定义的维度“{k}”；已定义：{'、'.join(dimensions) or '（无）'}"
            )
    fields = {
        fname: _field_def(fname, fentry, section_of(fentry))
        for fname, fentry in entry.fields.items()
    }
    return Dataset(name, entry.title or name, entry.keys, fields, entry.entity)


def parse_datasets(
    data: dict[str, Any], file: str, problems: list[ConfigProblem]
) -> tuple[dict[str, Dataset], dict[str, Dimension], tuple[str, str] | None]:
    """The datasets, the dimensions, and where a school's students are counted."""
    top = Section(data, file, "", problems)
    entry = read(top, DatasetsFile)
    dimensions = {name: _dimension(name, e, section_of(e)) for name, e in entry.dimensions.items()}
    datasets = {
        name: _dataset(name, e, section_of(e), dimensions) for name, e in entry.datasets.items()
    }
    return datasets, dimensions, _students(top, entry.students, datasets)


def _students(
    top: Section, given: str | None, datasets: dict[str, Dataset]
) -> tuple[str, str] | None:
    if given is None:
        return None
    dataset, _, fname = given.partition(".")
    if dataset not in datasets or fname not in datasets[dataset].fields:
        top.problem(
            "students", f'应为“数据集.字段”，如 "students_by_major.students"，实际为“{given}”'
        )
        return None
    return dataset, fname
