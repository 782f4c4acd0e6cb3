"""What the report computes, as config: scopes, school and dimension groups and indicators
(`mappings/indicators.toml`), and the data checks (`mappings/checks.toml`). Parsed once into
typed objects and validated against the mapping pack, every mistake reported with its
file and key."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError, ConfigProblem, FormulaError
from .formula import formula_names
from .mapping import Pack
from .toml import Section, Texts, load_toml_or_stop, option, pairs, read, section_of, text_pairs

INDICATORS_FILE = "indicators.toml"
CHECKS_FILE = "checks.toml"

ROSTER_ATTRS = (
    "school_id",
    "school_name",
    "district",
    "school_type",
    "sponsor",
    "is_technical",
    "levels",
)
AGGS = ("sum", "mean", "weighted_mean", "count_positive", "count_schools")
DISPLAYS = ("integer", "number", "percent", "ratio", "share_ratio")
OPS = ("==", "<=", ">=", "<", ">")
SEVERITIES = ("error", "warning", "info")


# ---------------------------------------------------------------- typed objects
# Each is also the schema of its section: its fields are the section's keys.


class _TitledById:
    """A section named by its table (`[scopes.公办]`) whose title defaults to that name."""

    def __post_init__(self) -> None:
        if not self.title:  # type: ignore[attr-defined]
            object.__setattr__(self, "title", self.id)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Scope(_TitledById):
    id: str = option("", table_name=True)
    title: str = ""
    where: tuple[tuple[str, Any], ...] = option(
        (), read_as=dict, parse=pairs
    )  # roster attribute → required value
    footnote: str = ""


@dataclass(frozen=True)
class Group:
    """Named members: of a dimension (产业 → 专业大类) or of the roster (学校类别 → conditions)."""

    id: str
    title: str
    dimension: str | None
    members: dict[str, tuple] = field(
        hash=False, compare=False
    )  # value → dimension values | roster conditions
    order: tuple[str, ...] = ()


@dataclass(frozen=True)
class Indicator(_TitledById):
    id: str = option("", table_name=True)
    title: str = ""
    unit: str = ""
    dataset: str | None = None
    field: str | None = None
    agg: str = "sum"
    weight: str | None = None
    where: tuple[tuple[str, str], ...] = option((), read_as=dict, parse=pairs)
    formula: str | None = None
    display: str = "number"
    decimals: int | None = None
    definition: str = ""
    note: str = ""

    @property
    def is_rate(self) -> bool:
        return self.display in ("percent", "ratio", "share_ratio")


@dataclass(frozen=True)
class Side:
    dataset: str = option("", required=True)
    fields: Texts = option((), required=True)
    where: tuple[tuple[str, str], ...] = option((), read_as=dict, parse=text_pairs)


@dataclass(frozen=True)
class CheckRule(_TitledById):
    id: str = option("", required=True)
    title: str = ""
    left: Side | None = option(None, required=True)
    op: str = option("==", required=True)
    right: Side | None = option(None, required=True)
    per: str = "school"  # school | record
    severity: str = "warning"


@dataclass(frozen=True)
class YearOnYearRule(_TitledById):
    id: str = option("", required=True)
    title: str = ""
    dataset: str = option("", required=True)
    field: str = option("", required=True)
    max_change: float = option(0.5, required=True)
    min_base: float = 0.0
    where: tuple[tuple[str, str], ...] = option((), read_as=dict, parse=text_pairs)
    severity: str = "warning"


@dataclass
class Definitions:
    scopes: dict[str, Scope]
    groups: dict[str, Group]
    indicators: dict[str, Indicator]
    checks: list[CheckRule]
    year_on_year: list[YearOnYearRule]
    files: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------- the files as written


@dataclass
class GroupEntry:
    title: str | None = None
    dimension: str | None = None
    values: dict = option({}, required=True)


@dataclass
class IndicatorsFile:
    scopes: dict[str, Scope] = option({}, required=True)
    groups: dict[str, GroupEntry] = option({})
    indicators: dict[str, Indicator] = option({}, required=True)


@dataclass
class ChecksFile:
    checks: tuple[CheckRule, ...] = ()
    year_on_year: tuple[YearOnYearRule, ...] = ()


# ---------------------------------------------------------------- indicators.toml


def _check_scope(scope: Scope) -> None:
    for k, _ in scope.where:
        if k not in ROSTER_ATTRS:
            section_of(scope).problem(
                f"where.{k}", f"名录中没有“{k}”；可用：{'、'.join(ROSTER_ATTRS)}"
            )


def _group(gid: str, entry: GroupEntry, pack: Pack) -> Group:
    sec = section_of(entry)
    dim = pack.dimensions.get(entry.dimension) if entry.dimension else None
    if entry.dimension is not None and dim is None:
        sec.problem("dimension", f"未定义的维度“{entry.dimension}”")
    values = Section(entry.values, sec.file, sec.path("values"), sec.problems)
    members: dict[str, tuple] = {}
    for name in values.data:
        if entry.dimension is not None:
            vals = values.texts(name)
            for i, v in enumerate(vals):
                if dim is not None and not dim.free and dim.resolve(v) is None:
                    values.problem(f"{name}[{i}]", f"“{v}”不是维度“{dim.title}”的取值")
            members[name] = tuple(dim.resolve(v) or v for v in vals) if dim else vals
        else:
            conditions = pairs(values, name, values.get(name, dict, default={}))
            for k, _ in conditions:
                if k not in ROSTER_ATTRS:
                    values.problem(f"{name}.{k}", f"名录中没有“{k}”")
            members[name] = conditions
    return Group(gid, entry.title or gid, entry.dimension, members, tuple(members))


def _check_indicator(ind: Indicator, pack: Pack) -> None:
    sec = section_of(ind)
    if ind.display not in DISPLAYS:
        sec.problem("display", f"应为 {'、'.join(DISPLAYS)} 之一")
    if ind.formula is None:
        _check_direct(sec, ind, pack)


def _check_direct(sec: Section, ind: Indicator, pack: Pack) -> None:
    """An indicator read straight from a dataset: its dataset, fields, keys and aggregation."""
    if ind.dataset is None or ind.field is None:
        sec.problem("", "需要 dataset 和 field（直接取数），或 formula（由其他指标计算）")
        return
    ds = pack.datasets.get(ind.dataset)
    if ds is None:
        sec.problem("dataset", f"没有数据集“{ind.dataset}”")
    else:
        for fname, key in ((ind.field, "field"), (ind.weight, "weight")):
            if fname is not None and fname not in ds.fields:
                sec.problem(key, f"数据集“{ind.dataset}”中没有字段“{fname}”")
        for k, _ in ind.where:
            if k not in ds.keys:
                sec.problem(f"where.{k}", f"“{k}”不是数据集“{ind.dataset}”的键")
    if ind.agg not in AGGS:
        sec.problem("agg", f"应为 {'、'.join(AGGS)} 之一")
    if ind.agg == "weighted_mean" and not ind.weight:
        sec.problem("weight", "加权平均（weighted_mean）需要 weight（权重字段）")


def _check_formulas(
    indicators: dict[str, Indicator], file: str, problems: list[ConfigProblem]
) -> None:
    """Every formula parses, names defined indicators, and no formula refers to itself."""
    for iid, ind in indicators.items():
        if ind.formula is None:
            continue
        try:
            names, totals = formula_names(ind.formula)
        except FormulaError as exc:
            problems.append(ConfigProblem(file, f"indicators.{iid}.formula", str(exc)))
            continue
        for n in sorted(names | totals):
            if n not in indicators:
                problems.append(
                    ConfigProblem(
                        file, f"indicators.{iid}.formula", f"公式中的“{n}”不是已定义的指标"
                    )
                )
    _check_cycles(indicators, file, problems)


def _check_cycles(
    indicators: dict[str, Indicator], file: str, problems: list[ConfigProblem]
) -> None:
    state: dict[str, int] = {}

    def visit(iid: str, path: list[str]) -> None:
        ind = indicators.get(iid)
        if ind is None or ind.formula is None or state.get(iid) == 2:
            return
        if state.get(iid) == 1:
            problems.append(
                ConfigProblem(
                    file, f"indicators.{iid}.formula", f"公式循环引用：{' → '.join([*path, iid])}"
                )
            )
            return
        state[iid] = 1
        try:
            names, totals = formula_names(ind.formula)
        except FormulaError:
            names, totals = set(), set()
        for n in sorted(names | totals):
            visit(n, [*path, iid])
        state[iid] = 2

    for iid in indicators:
        visit(iid, [])


def load_definitions(root: str | Path, pack: Pack) -> Definitions:
    """indicators.toml (required) and checks.toml (optional) of a mapping folder."""
    root = Path(root)
    path = root / INDICATORS_FILE
    if not path.is_file():
        raise ConfigError([ConfigProblem(str(path), "", "缺少指标定义文件 indicators.toml")])
    problems: list[ConfigProblem] = []
    file = f"{root.name}/{INDICATORS_FILE}"
    entry = read(
        Section(load_toml_or_stop(path, root, problems, "指标定义"), file, "", problems),
        IndicatorsFile,
    )
    for scope in entry.scopes.values():
        _check_scope(scope)
    for ind in entry.indicators.values():
        _check_indicator(ind, pack)
    groups = {gid: _group(gid, e, pack) for gid, e in entry.groups.items()}
    defs = Definitions(entry.scopes, groups, entry.indicators, [], [])
    _check_formulas(defs.indicators, file, problems)
    cpath = root / CHECKS_FILE
    if cpath.is_file():
        _parse_checks(
            load_toml_or_stop(cpath, root, problems, "指标定义"),
            f"{root.name}/{CHECKS_FILE}",
            pack,
            defs,
            problems,
        )
    if problems:
        raise ConfigError(problems)
    return defs


# ---------------------------------------------------------------- checks.toml


def _check_side(side: Side | None, pack: Pack) -> bool:
    if side is None:
        return False
    sec = section_of(side)
    d = pack.datasets.get(side.dataset)
    if d is None:
        sec.problem("dataset", f"没有数据集“{side.dataset}”")
        return False
    for i, f in enumerate(side.fields):
        if f not in d.fields:
            sec.problem(f"fields[{i}]", f"数据集“{side.dataset}”中没有字段“{f}”")
    for k, _ in side.where:
        if k not in d.keys:
            sec.problem(f"where.{k}", f"“{k}”不是数据集“{side.dataset}”的键")
    return True


def _check_rule(rule: CheckRule, pack: Pack) -> bool:
    sec = section_of(rule)
    if rule.op not in OPS:
        sec.problem("op", f"应为 {' '.join(OPS)} 之一")
    if rule.per not in ("school", "record"):
        sec.problem("per", "应为 school（按学校合计比较）或 record（逐条记录比较）")
    if rule.severity not in SEVERITIES:
        sec.problem("severity", "应为 error、warning 或 info")
    left, right = _check_side(rule.left, pack), _check_side(rule.right, pack)
    return left and right


def _check_year_on_year(rule: YearOnYearRule, pack: Pack) -> None:
    sec = section_of(rule)
    d = pack.datasets.get(rule.dataset)
    if d is None:
        sec.problem("dataset", f"没有数据集“{rule.dataset}”")
    elif rule.field not in d.fields:
        sec.problem("field", f"数据集“{rule.dataset}”中没有字段“{rule.field}”")


def _parse_checks(
    data: dict, file: str, pack: Pack, defs: Definitions, problems: list[ConfigProblem]
) -> None:
    entry = read(Section(data, file, "", problems), ChecksFile)
    defs.checks = [rule for rule in entry.checks if _check_rule(rule, pack)]
    for rule in entry.year_on_year:
        _check_year_on_year(rule, pack)
    defs.year_on_year = list(entry.year_on_year)
