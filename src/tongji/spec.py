"""What the report publishes, as config: scopes, school and dimension groups, indicators
(`mappings/indicators.toml`), data checks (`mappings/checks.toml`) and the report spec
(`reports/*.toml`: its tables, charts and key sentences). Parsed once into typed objects and
validated against the mapping pack, every mistake reported with its file and key."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import ConfigError, ConfigProblem, Pack, Section, _load_toml

INDICATORS_FILE = "indicators.toml"
CHECKS_FILE = "checks.toml"

ROSTER_ATTRS = ("school_id", "school_name", "district", "school_type", "sponsor", "is_technical", "levels")
AGGS = ("sum", "mean", "weighted_mean", "count_positive", "count_schools")
DISPLAYS = ("integer", "number", "percent", "ratio", "share_ratio")
OPS = ("==", "<=", ">=", "<", ">")


# ---------------------------------------------------------------- typed objects


@dataclass(frozen=True)
class Scope:
    id: str
    title: str
    where: tuple[tuple[str, Any], ...] = ()  # roster attribute → required value
    footnote: str = ""


@dataclass(frozen=True)
class Group:
    """Named members: of a dimension (产业 → 专业大类) or of the roster (学校类别 → conditions)."""

    id: str
    title: str
    dimension: str | None
    members: dict[str, tuple] = field(hash=False, compare=False)  # value → dimension values | roster conditions
    order: tuple[str, ...] = ()


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    unit: str = ""
    dataset: str | None = None
    field: str | None = None
    agg: str = "sum"
    weight: str | None = None
    where: tuple[tuple[str, str], ...] = ()
    formula: str | None = None
    display: str = "number"
    decimals: int | None = None
    definition: str = ""
    note: str = ""

    @property
    def is_rate(self) -> bool:
        return self.display in ("percent", "ratio", "share_ratio")


@dataclass(frozen=True)
class ColumnSpec:
    indicator: str
    header: tuple[str, ...]
    filters: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RowsSpec:
    kind: str  # years | dimension | group | levels
    dimension: str | None = None  # a dimension or a group id
    values: tuple[str, ...] = ()
    total: str | None = None  # label of the total row
    total_position: str = "first"
    group: str | None = None  # a group shown beside each row (表10's 产业)
    filters: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class TableSpec:
    id: str
    title: str
    scope: str
    rows: RowsSpec
    columns: tuple[ColumnSpec, ...]
    years_in: str = "rows"  # rows | columns
    year_order: str = "asc"
    change: bool = False
    stub: tuple[str, ...] = ("年度",)
    footnotes: tuple[str, ...] = ()
    unit_note: str = ""


@dataclass(frozen=True)
class SeriesSpec:
    label: str
    indicator: str
    filters: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ChartSpec:
    id: str
    title: str
    type: str  # pie | column | bar
    scope: str
    series: tuple[SeriesSpec, ...] = ()  # pie: one slice per series, current year
    categories: str | None = None  # column: a group or dimension whose values are the categories
    indicator: str | None = None  # column: the indicator per category, one series per year
    years: str = "both"  # both | current


@dataclass(frozen=True)
class Highlight:
    text: str
    scope: str


@dataclass(frozen=True)
class Profile:
    scope: str
    indicators: tuple[str, ...]


@dataclass(frozen=True)
class ReportSpec:
    file: str
    title: str
    region: str
    tables: tuple[TableSpec, ...]
    charts: tuple[ChartSpec, ...]
    highlights: tuple[Highlight, ...]
    profile: Profile | None
    source: str = "教育统计报表"


@dataclass(frozen=True)
class Side:
    dataset: str
    fields: tuple[str, ...]
    where: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CheckRule:
    id: str
    title: str
    left: Side
    op: str
    right: Side
    per: str = "school"  # school | record
    severity: str = "warning"


@dataclass(frozen=True)
class YearOnYearRule:
    id: str
    title: str
    dataset: str
    field: str
    max_change: float
    min_base: float = 0.0
    where: tuple[tuple[str, str], ...] = ()
    severity: str = "warning"


@dataclass
class Definitions:
    scopes: dict[str, Scope]
    groups: dict[str, Group]
    indicators: dict[str, Indicator]
    checks: list[CheckRule]
    year_on_year: list[YearOnYearRule]
    files: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------- formulas


class FormulaError(ValueError):
    pass


_ALLOWED_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div)


def formula_names(text: str) -> tuple[set[str], set[str]]:
    """(indicators used, indicators used inside total(…)); raises FormulaError."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"公式“{text}”写法有误：{exc.msg}") from exc
    names: set[str] = set()
    totals: set[str] = set()

    def walk(node: ast.AST, in_total: bool = False) -> None:
        if isinstance(node, ast.Expression):
            walk(node.body)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, _ALLOWED_BINOPS):
            walk(node.left, in_total)
            walk(node.right, in_total)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            walk(node.operand, in_total)
        elif isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            pass
        elif isinstance(node, ast.Name):
            (totals if in_total else names).add(node.id)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "total" and len(node.args) == 1 and not node.keywords:
            walk(node.args[0], True)
        else:
            raise FormulaError(f"公式“{text}”中不能使用“{ast.unparse(node)}”；只能用指标名、数字、+ - * /、括号和 total(指标)")

    walk(tree)
    return names, totals


def evaluate_formula(text: str, lookup) -> float | None:
    """Evaluate with `lookup(name, whole)`; None anywhere (or a division by 0) gives None."""
    tree = ast.parse(text, mode="eval")

    def ev(node: ast.AST, whole: bool = False) -> float | None:
        if isinstance(node, ast.Expression):
            return ev(node.body, whole)
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            return lookup(node.id, whole)
        if isinstance(node, ast.UnaryOp):
            v = ev(node.operand, whole)
            return None if v is None else -v
        if isinstance(node, ast.Call):
            return ev(node.args[0], True)
        assert isinstance(node, ast.BinOp)
        a, b = ev(node.left, whole), ev(node.right, whole)
        if a is None or b is None:
            return None
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        return None if b == 0 else a / b

    return ev(tree)


# ---------------------------------------------------------------- parsing


def _pairs(sec: Section, key: str) -> tuple[tuple[str, Any], ...]:
    table = sec.get(key, dict, default={})
    out = []
    for k, v in table.items():
        if isinstance(v, (str, bool, int)):
            out.append((k, v))
        else:
            sec.problem(f"{key}.{k}", "应为文本或 true/false")
    return tuple(out)


def _check_filter_keys(sec: Section, key: str, pairs: tuple, dims: set[str], groups: dict[str, Group]) -> None:
    for k, v in pairs:
        if k in groups:
            if str(v) not in groups[k].members:
                sec.problem(f"{key}.{k}", f"“{v}”不是分组“{groups[k].title}”的成员；可用：{'、'.join(groups[k].members)}")
        elif k not in dims:
            sec.problem(f"{key}.{k}", f"“{k}”既不是维度也不是分组；可用：{'、'.join(sorted(dims | set(groups)))}")


def load_definitions(root: str | Path, pack: Pack) -> Definitions:
    root = Path(root)
    problems: list[ConfigProblem] = []
    defs = Definitions({}, {}, {}, [], [])
    path = root / INDICATORS_FILE
    if not path.is_file():
        raise ConfigError([ConfigProblem(str(path), "", "缺少指标定义文件 indicators.toml")])
    data = _load_toml(path, root, problems) or {}
    file = f"{root.name}/{INDICATORS_FILE}"
    top = Section(data, file, "", problems)
    dims = set(pack.dimensions)

    scopes = top.sub("scopes", required=True)
    if scopes is not None:
        for sid in scopes.data:
            s = scopes.sub(sid)
            where = _pairs(s, "where")
            for k, _ in where:
                if k not in ROSTER_ATTRS:
                    s.problem(f"where.{k}", f"名录中没有“{k}”；可用：{'、'.join(ROSTER_ATTRS)}")
            defs.scopes[sid] = Scope(sid, s.get("title", str, default=sid), where, s.get("footnote", str, default=""))
            s.finish(("title", "where", "footnote"))

    groups = top.sub("groups")
    if groups is not None:
        for gid in groups.data:
            g = groups.sub(gid)
            dim = g.get("dimension", str)
            if dim is not None and dim not in dims:
                g.problem("dimension", f"未定义的维度“{dim}”")
            values = g.sub("values", required=True)
            members: dict[str, tuple] = {}
            if values is not None:
                for name in values.data:
                    if dim is not None:
                        vals = values.texts(name)
                        d = pack.dimensions.get(dim)
                        for i, v in enumerate(vals):
                            if d is not None and not d.free and d.resolve(v) is None:
                                values.problem(f"{name}[{i}]", f"“{v}”不是维度“{d.title}”的取值")
                        members[name] = tuple(d.resolve(v) or v for v in vals) if d else vals
                    else:
                        cond = values.sub(name)
                        pairs = _pairs(values, name) if cond is not None else ()
                        for k, _ in pairs:
                            if k not in ROSTER_ATTRS:
                                values.problem(f"{name}.{k}", f"名录中没有“{k}”")
                        members[name] = pairs
            defs.groups[gid] = Group(gid, g.get("title", str, default=gid), dim, members, tuple(members))
            g.finish(("title", "dimension", "values"))

    inds = top.sub("indicators", required=True)
    if inds is not None:
        for iid in inds.data:
            s = inds.sub(iid)
            ind = Indicator(
                id=iid,
                title=s.get("title", str, default=iid),
                unit=s.get("unit", str, default=""),
                dataset=s.get("dataset", str),
                field=s.get("field", str),
                agg=s.get("agg", str, default="sum"),
                weight=s.get("weight", str),
                where=_pairs(s, "where"),
                formula=s.get("formula", str),
                display=s.get("display", str, default="number"),
                decimals=s.get("decimals", int),
                definition=s.get("definition", str, default=""),
                note=s.get("note", str, default=""),
            )
            s.finish(("title", "unit", "dataset", "field", "agg", "weight", "where", "formula", "display", "decimals", "definition", "note"))
            if ind.display not in DISPLAYS:
                s.problem("display", f"应为 {'、'.join(DISPLAYS)} 之一")
            if ind.formula is None:
                if ind.dataset is None or ind.field is None:
                    s.problem("", "需要 dataset 和 field（直接取数），或 formula（由其他指标计算）")
                else:
                    ds = pack.datasets.get(ind.dataset)
                    if ds is None:
                        s.problem("dataset", f"没有数据集“{ind.dataset}”")
                    else:
                        for fname, key in ((ind.field, "field"), (ind.weight, "weight")):
                            if fname is not None and fname not in ds.fields:
                                s.problem(key, f"数据集“{ind.dataset}”中没有字段“{fname}”")
                        for k, _ in ind.where:
                            if k not in ds.keys:
                                s.problem(f"where.{k}", f"“{k}”不是数据集“{ind.dataset}”的键")
                    if ind.agg not in AGGS:
                        s.problem("agg", f"应为 {'、'.join(AGGS)} 之一")
                    if ind.agg == "weighted_mean" and not ind.weight:
                        s.problem("weight", "加权平均（weighted_mean）需要 weight（权重字段）")
            defs.indicators[iid] = ind
        for iid, ind in defs.indicators.items():
            if ind.formula is None:
                continue
            try:
                names, totals = formula_names(ind.formula)
            except FormulaError as exc:
                problems.append(ConfigProblem(file, f"indicators.{iid}.formula", str(exc)))
                continue
            for n in sorted(names | totals):
                if n not in defs.indicators:
                    problems.append(ConfigProblem(file, f"indicators.{iid}.formula", f"公式中的“{n}”不是已定义的指标"))
        _check_cycles(defs.indicators, file, problems)
    top.finish(("scopes", "groups", "indicators"))

    cpath = root / CHECKS_FILE
    if cpath.is_file():
        cdata = _load_toml(cpath, root, problems) or {}
        _parse_checks(cdata, f"{root.name}/{CHECKS_FILE}", pack, defs, problems)
    if problems:
        raise ConfigError(problems)
    return defs


def _check_cycles(indicators: dict[str, Indicator], file: str, problems: list[ConfigProblem]) -> None:
    state: dict[str, int] = {}

    def visit(iid: str, path: list[str]) -> None:
        ind = indicators.get(iid)
        if ind is None or ind.formula is None or state.get(iid) == 2:
            return
        if state.get(iid) == 1:
            problems.append(ConfigProblem(file, f"indicators.{iid}.formula", f"公式循环引用：{' → '.join([*path, iid])}"))
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


def _side(sec: Section, key: str, pack: Pack) -> Side | None:
    s = sec.sub(key, required=True)
    if s is None:
        return None
    ds = s.get("dataset", str, required=True, default="")
    fields = s.texts("fields", required=True)
    where = _pairs(s, "where")
    s.finish(("dataset", "fields", "where"))
    d = pack.datasets.get(ds)
    if d is None:
        s.problem("dataset", f"没有数据集“{ds}”")
        return None
    for i, f in enumerate(fields):
        if f not in d.fields:
            s.problem(f"fields[{i}]", f"数据集“{ds}”中没有字段“{f}”")
    for k, _ in where:
        if k not in d.keys:
            s.problem(f"where.{k}", f"“{k}”不是数据集“{ds}”的键")
    return Side(ds, fields, tuple((k, str(v)) for k, v in where))


def _parse_checks(data: dict, file: str, pack: Pack, defs: Definitions, problems: list[ConfigProblem]) -> None:
    top = Section(data, file, "", problems)
    for i, raw in enumerate(top.get("checks", list, default=[])):
        s = Section(raw, file, f"[[checks]][{i + 1}]", problems)
        cid = s.get("id", str, required=True, default=f"check{i + 1}")
        op = s.get("op", str, required=True, default="==")
        if op not in OPS:
            s.problem("op", f"应为 {' '.join(OPS)} 之一")
        per = s.get("per", str, default="school")
        if per not in ("school", "record"):
            s.problem("per", "应为 school（按学校合计比较）或 record（逐条记录比较）")
        severity = s.get("severity", str, default="warning")
        if severity not in ("error", "warning", "info"):
            s.problem("severity", "应为 error、warning 或 info")
        left, right = _side(s, "left", pack), _side(s, "right", pack)
        s.finish(("id", "title", "left", "op", "right", "per", "severity"))
        if left and right:
            defs.checks.append(CheckRule(cid, s.get("title", str, default=cid), left, op, right, per, severity))
    for i, raw in enumerate(top.get("year_on_year", list, default=[])):
        s = Section(raw, file, f"[[year_on_year]][{i + 1}]", problems)
        rid = s.get("id", str, required=True, default=f"yoy{i + 1}")
        ds = s.get("dataset", str, required=True, default="")
        fname = s.get("field", str, required=True, default="")
        d = pack.datasets.get(ds)
        if d is None:
            s.problem("dataset", f"没有数据集“{ds}”")
        elif fname not in d.fields:
            s.problem("field", f"数据集“{ds}”中没有字段“{fname}”")
        rule = YearOnYearRule(
            rid,
            s.get("title", str, default=rid),
            ds,
            fname,
            float(s.get("max_change", float, required=True, default=0.5)),
            float(s.get("min_base", float, default=0.0)),
            tuple((k, str(v)) for k, v in _pairs(s, "where")),
            s.get("severity", str, default="warning"),
        )
        s.finish(("id", "title", "dataset", "field", "max_change", "min_base", "where", "severity"))
        defs.year_on_year.append(rule)
    top.finish(("checks", "year_on_year"))


# ---------------------------------------------------------------- the report spec


def _header(text: Any) -> tuple[str, ...]:
    if isinstance(text, list):
        return tuple(str(t) for t in text)
    return tuple(part for part in re.split(r"/", str(text)) if part)


def load_report(path: str | Path, pack: Pack, defs: Definitions) -> ReportSpec:
    path = Path(path)
    problems: list[ConfigProblem] = []
    if not path.is_file():
        raise ConfigError([ConfigProblem(str(path), "", "报告定义文件不存在")])
    data = _load_toml(path, path.parent, problems) or {}
    file = str(path)
    top = Section(data, file, "", problems)
    dims = set(pack.dimensions)

    def scope_of(sec: Section, key: str = "scope") -> str:
        sid = sec.get(key, str, default="all")
        if sid not in defs.scopes:
            sec.problem(key, f"未定义的口径“{sid}”；可用：{'、'.join(defs.scopes)}")
        return sid

    def indicator_of(sec: Section, key: str = "indicator") -> str:
        iid = sec.get(key, str, required=True, default="")
        if iid and iid not in defs.indicators:
            sec.problem(key, f"未定义的指标“{iid}”")
        return iid

    tables = []
    for i, raw in enumerate(top.get("tables", list, default=[])):
        s = Section(raw, file, f"[[tables]][{i + 1}]", problems)
        tid = s.get("id", str, required=True, default=f"表{i + 1}")
        rows_raw = s.get("rows", (str, dict), default="years")
        rows = RowsSpec("years")
        if isinstance(rows_raw, str):
            if rows_raw != "years":
                s.problem("rows", "应为 \"years\"，或 { dimension = … } / { group = … } / { levels = [...] }")
        else:
            r = Section(rows_raw, file, s.path("rows"), problems)
            dim = r.get("dimension", str)
            grp = r.get("by_group", str)
            levels = r.texts("levels")
            if dim is not None and dim not in dims:
                r.problem("dimension", f"未定义的维度“{dim}”")
            if grp is not None and grp not in defs.groups:
                r.problem("by_group", f"未定义的分组“{grp}”")
            beside = r.get("group", str)
            if beside is not None and beside not in defs.groups:
                r.problem("group", f"未定义的分组“{beside}”")
            kind = "levels" if levels else ("group" if grp else "dimension")
            values = levels or r.texts("values")
            if dim and not values:
                values = pack.dimensions[dim].values if dim in pack.dimensions else ()
            if grp and not values and grp in defs.groups:
                values = defs.groups[grp].order
            rows = RowsSpec(
                kind,
                dim or grp,
                tuple(values),
                r.get("total", str),
                r.get("total_position", str, default="first"),
                beside,
                tuple((k, str(v)) for k, v in _pairs(r, "filters")),
            )
            r.finish(("dimension", "by_group", "levels", "values", "total", "total_position", "group", "filters"))
        columns = []
        for j, craw in enumerate(s.get("columns", list, default=[])):
            c = Section(craw, file, f"{s.path('columns')}[{j + 1}]", problems)
            iid = indicator_of(c) if rows.kind != "levels" else c.get("indicator", str, default="")
            filters = tuple((k, str(v)) for k, v in _pairs(c, "filters"))
            _check_filter_keys(c, "filters", filters, dims, defs.groups)
            columns.append(ColumnSpec(iid, _header(c.get("header", (str, list), required=True, default="")), filters))
            c.finish(("indicator", "header", "filters"))
        years_in = s.get("years_in", str, default="rows")
        if years_in not in ("rows", "columns"):
            s.problem("years_in", "应为 rows（年度分行）或 columns（年度分列）")
        year_order = s.get("year_order", str, default="asc")
        tables.append(
            TableSpec(
                id=tid,
                title=s.get("title", str, required=True, default=tid),
                scope=scope_of(s),
                rows=rows,
                columns=tuple(columns),
                years_in=years_in,
                year_order=year_order,
                change=s.get("change", bool, default=False),
                stub=s.texts("stub") or ("年度",),
                footnotes=s.texts("footnotes"),
                unit_note=s.get("unit_note", str, default=""),
            )
        )
        s.finish(("id", "title", "scope", "rows", "columns", "years_in", "year_order", "change", "stub", "footnotes", "unit_note"))

    charts = []
    for i, raw in enumerate(top.get("charts", list, default=[])):
        s = Section(raw, file, f"[[charts]][{i + 1}]", problems)
        ctype = s.get("type", str, default="column")
        if ctype not in ("pie", "column", "bar"):
            s.problem("type", "应为 pie（饼图）、column（柱形图）或 bar（条形图）")
        series = []
        for j, sraw in enumerate(s.get("series", list, default=[])):
            ss = Section(sraw, file, f"{s.path('series')}[{j + 1}]", problems)
            filters = tuple((k, str(v)) for k, v in _pairs(ss, "filters"))
            _check_filter_keys(ss, "filters", filters, dims, defs.groups)
            series.append(SeriesSpec(ss.get("label", str, required=True, default=""), indicator_of(ss), filters))
            ss.finish(("label", "indicator", "filters"))
        cats = s.get("categories", str)
        if cats is not None and cats not in defs.groups and cats not in dims:
            s.problem("categories", f"“{cats}”既不是分组也不是维度")
        ind = s.get("indicator", str)
        if ind is not None and ind not in defs.indicators:
            s.problem("indicator", f"未定义的指标“{ind}”")
        if not series and not (cats and ind):
            s.problem("", "需要 series（每个扇区/柱一个指标），或 categories + indicator")
        charts.append(ChartSpec(s.get("id", str, required=True, default=f"图{i + 1}"), s.get("title", str, default=""), ctype, scope_of(s), tuple(series), cats, ind, s.get("years", str, default="both")))
        s.finish(("id", "title", "type", "scope", "series", "categories", "indicator", "years"))

    highlights = []
    for i, raw in enumerate(top.get("highlights", list, default=[])):
        s = Section(raw, file, f"[[highlights]][{i + 1}]", problems)
        text = s.get("text", str, required=True, default="")
        for m in re.finditer(r"\{([a-z_0-9]+)(?:\.([a-z_]+))?\}", text):
            name = m.group(1)
            if name not in ("year", "prev", "region") and name not in defs.indicators:
                s.problem("text", f"句中的“{{{name}}}”不是已定义的指标")
        highlights.append(Highlight(text, scope_of(s)))
        s.finish(("text", "scope"))

    profile = None
    p = top.sub("profile")
    if p is not None:
        ids = p.texts("indicators", required=True)
        for j, iid in enumerate(ids):
            if iid not in defs.indicators:
                p.problem(f"indicators[{j}]", f"未定义的指标“{iid}”")
        profile = Profile(scope_of(p), ids)
        p.finish(("scope", "indicators"))

    spec = ReportSpec(
        file=file,
        title=top.get("title", str, default="数据表"),
        region=top.get("region", str, default=""),
        tables=tuple(tables),
        charts=tuple(charts),
        highlights=tuple(highlights),
        profile=profile,
        source=top.get("source", str, default="教育统计报表"),
    )
    top.finish(("title", "region", "source", "tables", "charts", "highlights", "profile"))
    if problems:
        raise ConfigError(problems)
    return spec
