"""Mapping configs: TOML files written by the statistician, parsed once into typed objects.

A mapping pack is a folder holding
- `datasets.toml`: the datasets (学生, 教职工, …), their fields (type, unit, aliases) and
  the dimension vocabularies (专业大类, 教师类别, …) that key their rows;
- one `*.toml` per kind of source sheet: which sheets it fits, the layout, where each
  field's figure is.

Every mistake is reported with the file and the key (`[[fields]][3].column`), in Chinese,
and all mistakes of a pack are reported at once.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from . import units
from .clean import FIELD_TYPES, normalize_label

LAYOUTS = ("grid", "list", "keyvalue")
DATASETS_FILE = "datasets.toml"
# Files in a mapping folder that are not mappings: read by the aggregation (spec.py).
RESERVED_FILES = (DATASETS_FILE, "indicators.toml", "checks.toml")
SCHOOL_KEY = "school"

_TYPE_NAMES = {str: "文本", int: "整数", float: "数字", bool: "true/false", list: "列表", dict: "表"}


@dataclass(frozen=True)
class ConfigProblem:
    file: str
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}" + (f" 键 {self.key}" if self.key else "")
        return f"{where}：{self.message}"


class ConfigError(Exception):
    """One or more mistakes in the mapping configs."""

    def __init__(self, problems: list[ConfigProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# ---------------------------------------------------------------- typed objects


@dataclass(frozen=True)
class FieldDef:
    name: str
    title: str
    type: str
    unit: str | None
    aliases: tuple[str, ...]
    required: bool = False

    @cached_property
    def labels(self) -> tuple[str, ...]:
        """Normalised labels this field is known by (its title first)."""
        return _dedupe((normalize_label(self.title), *(normalize_label(a) for a in self.aliases)))


@dataclass(frozen=True)
class Dimension:
    """A vocabulary that keys rows: each value with the labels it is written as.

    A dimension with no values is free text (专业名称): any label is its own value.
    With `code_digits`, a numeric code resolves by its leading digits (专业代码 `090100`
    → the 专业大类 whose alias is `09`).
    """

    name: str
    title: str
    values: tuple[str, ...]
    lookup: dict[str, str] = field(repr=False, hash=False, compare=False)
    code_digits: int = 0

    @property
    def free(self) -> bool:
        return not self.values

    def resolve(self, label: Any) -> str | None:
        key = normalize_label(label)
        if not key:
            return None
        if self.free:
            return key
        hit = self.lookup.get(key)
        if hit is None and self.code_digits and key.isdigit() and len(key) >= self.code_digits:
            hit = self.lookup.get(key[: self.code_digits])
        return hit


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    keys: tuple[str, ...]
    fields: dict[str, FieldDef] = field(hash=False, compare=False)
    entity: str = "school"  # "school": one record set per school; "city": figures of the whole city


@dataclass(frozen=True)
class MatchSpec:
    sheet_names: tuple[re.Pattern[str], ...] = ()
    contains: tuple[str, ...] = ()
    exclude: tuple[re.Pattern[str], ...] = ()
    scan_rows: int = 12


@dataclass(frozen=True)
class Placement:
    """Where one field's figure is in a sheet of this mapping's layout."""

    field: str
    row: tuple[str, ...] = ()  # grid: row label(s), normalised
    line: str | None = None  # grid: 行次
    column: tuple[str, ...] = ()  # grid/list: header path(s), normalised, '/'-separated
    code: str | None = None  # grid: column code (the `甲 乙 1 2 3` row)
    label: tuple[str, ...] = ()  # keyvalue: label(s), normalised
    direction: str = "auto"  # keyvalue: right | below | auto
    unit: str | None = None  # the source unit, when the sheet does not say it
    required: bool = False


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
    layout: str
    match: MatchSpec
    fields: tuple[Placement, ...]
    school_label: tuple[str, ...] = ()
    unit: str | None = None
    records: RecordsSpec | None = None
    keys: tuple[tuple[str, str], ...] = ()  # fixed key values for every record of this mapping

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


# ---------------------------------------------------------------- validation helper


class Section:
    """Typed access to one TOML table, recording problems with their dotted key."""

    def __init__(self, data: Any, file: str, key: str, problems: list[ConfigProblem]):
        self.file, self.key, self.problems = file, key, problems
        if not isinstance(data, dict):
            self.problem("", f"应为表（{{…}} 或 [节]），实际为{_type_name(data)}")
            data = {}
        self.data: dict[str, Any] = data
        self.used: set[str] = set()

    def path(self, key: str) -> str:
        if not key:
            return self.key
        return f"{self.key}.{key}" if self.key else key

    def problem(self, key: str, message: str) -> None:
        self.problems.append(ConfigProblem(self.file, self.path(key), message))

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None, required: bool = False) -> Any:
        self.used.add(key)
        if key not in self.data:
            if required:
                self.problem(key, "缺少必填项")
            return default
        value = self.data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds:
            ok = False
        else:
            ok = isinstance(value, kinds) or (float in kinds and isinstance(value, int))
        if not ok:
            want = "或".join(_TYPE_NAMES.get(k, k.__name__) for k in kinds)
            self.problem(key, f"应为{want}，实际为{_type_name(value)}（{value!r}）")
            return default
        return value

    def texts(self, key: str, required: bool = False) -> tuple[str, ...]:
        """A text or a list of texts."""
        value = self.get(key, (str, list), default=None, required=required)
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else value
        out = []
        for i, item in enumerate(items):
            if isinstance(item, (str, int)) and not isinstance(item, bool):
                out.append(str(item))
            else:
                self.problem(f"{key}[{i}]", f"应为文本，实际为{_type_name(item)}")
        return tuple(out)

    def sub(self, key: str, required: bool = False) -> Section | None:
        self.used.add(key)
        if key not in self.data:
            if required:
                self.problem(key, "缺少必填项")
            return None
        return Section(self.data[key], self.file, self.path(key), self.problems)

    def finish(self, known: tuple[str, ...] | None = None) -> None:
        known_keys = set(known) if known is not None else self.used
        for key in self.data:
            if key not in known_keys:
                close = difflib.get_close_matches(key, sorted(known_keys), n=1)
                hint = f"，是否应为“{close[0]}”？" if close else f"；可用的键：{'、'.join(sorted(known_keys)) or '（无）'}"
                self.problem(key, f"未知的键{hint}")


def _type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _dedupe(items: Any) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for x in items:
        if x:
            seen.setdefault(x, None)
    return tuple(seen)


def _compile(section: Section, key: str) -> tuple[re.Pattern[str], ...]:
    out = []
    for i, pattern in enumerate(section.texts(key)):
        try:
            out.append(re.compile(pattern))
        except re.error as exc:
            section.problem(f"{key}[{i}]", f"正则表达式“{pattern}”无法编译：{exc}")
    return tuple(out)


def _unit(section: Section, key: str) -> str | None:
    text = section.get(key, str)
    if text is None:
        return None
    unit = units.canonical_unit(text)
    if unit is None:
        section.problem(key, f"未知的单位“{text}”；可用的单位：{'、'.join(units.known_units())}")
    return unit


def _load_toml(path: Path, root: Path, problems: list[ConfigProblem]) -> dict[str, Any] | None:
    rel = _rel(path, root)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        problems.append(ConfigProblem(rel, "", "文件不是 UTF-8 编码；请用记事本“另存为”UTF-8 编码"))
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(ConfigProblem(rel, "", f"TOML 语法错误：{exc}"))
        return None


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------- datasets.toml


def _parse_datasets(
    data: dict[str, Any], file: str, problems: list[ConfigProblem]
) -> tuple[dict[str, Dataset], dict[str, Dimension]]:
    top = Section(data, file, "", problems)
    dimensions: dict[str, Dimension] = {}
    dims = top.sub("dimensions")
    if dims is not None:
        for name in dims.data:
            d = dims.sub(name)
            assert d is not None
            title = d.get("title", str, default=name)
            values_sec = d.get("values", (list, dict), default=[])
            lookup: dict[str, str] = {}
            values: list[str] = []
            if isinstance(values_sec, list):
                values_sec = {v: [] for v in values_sec if isinstance(v, str)}
            vs = Section(values_sec, file, d.path("values"), problems)
            for value in vs.data:
                values.append(value)
                for label in (value, *vs.texts(value)):
                    lookup[normalize_label(label)] = value
            vs.finish()
            code_digits = d.get("code_digits", int, default=0)
            d.finish(("title", "values", "code_digits"))
            dimensions[name] = Dimension(name, title, tuple(values), lookup, code_digits)

    datasets: dict[str, Dataset] = {}
    ds = top.sub("datasets", required=True)
    if ds is not None:
        for name in ds.data:
            d = ds.sub(name)
            assert d is not None
            title = d.get("title", str, default=name)
            entity = d.get("entity", str, default="school")
            if entity not in ("school", "city"):
                d.problem("entity", f"应为 school 或 city，实际为“{entity}”")
            keys = d.texts("keys")
            for i, k in enumerate(keys):
                if k not in dimensions:
                    d.problem(f"keys[{i}]", f"未定义的维度“{k}”；已定义：{'、'.join(dimensions) or '（无）'}")
            fields: dict[str, FieldDef] = {}
            fs = d.sub("fields", required=True)
            if fs is not None:
                for fname in fs.data:
                    f = fs.sub(fname)
                    assert f is not None
                    ftype = f.get("type", str, default="number")
                    if ftype not in FIELD_TYPES:
                        f.problem("type", f"未知的类型“{ftype}”；可用：{'、'.join(FIELD_TYPES)}")
                    unit = _unit(f, "unit")
                    fields[fname] = FieldDef(
                        name=fname,
                        title=f.get("title", str, default=fname),
                        type=ftype,
                        unit=unit,
                        aliases=f.texts("aliases"),
                        required=f.get("required", bool, default=False),
                    )
                    f.finish(("title", "type", "unit", "aliases", "required"))
            d.finish(("title", "keys", "fields", "entity"))
            datasets[name] = Dataset(name, title, keys, fields, entity)
    top.finish(("dimensions", "datasets"))
    return datasets, dimensions


# ---------------------------------------------------------------- mapping files


def _parse_mapping(
    data: dict[str, Any],
    file: str,
    datasets: dict[str, Dataset],
    dimensions: dict[str, Dimension],
    problems: list[ConfigProblem],
) -> Mapping | None:
    top = Section(data, file, "", problems)
    n_before = len(problems)
    name = top.get("name", str, default=Path(file).stem)
    dataset_name = top.get("dataset", str, required=True, default="")
    layout = top.get("layout", str, required=True, default="grid")
    if layout not in LAYOUTS:
        top.problem("layout", f"未知的版式“{layout}”；可用：grid（国家报表式）、list（清单表）、keyvalue（键值表）")
    dataset = datasets.get(dataset_name)
    if dataset_name and dataset is None:
        close = difflib.get_close_matches(dataset_name, list(datasets), n=1)
        top.problem("dataset", f"datasets.toml 中没有数据集“{dataset_name}”" + (f"，是否应为“{close[0]}”？" if close else ""))

    m = top.sub("match", required=True)
    match = MatchSpec()
    if m is not None:
        match = MatchSpec(
            sheet_names=_compile(m, "sheet_names"),
            contains=tuple(normalize_label(t) for t in m.texts("contains")),
            exclude=_compile(m, "exclude"),
            scan_rows=m.get("scan_rows", int, default=12),
        )
        if not match.sheet_names and not match.contains:
            m.problem("", "至少要给出 sheet_names（工作表名）或 contains（表头中的文字）之一")
        m.finish(("sheet_names", "contains", "exclude", "scan_rows"))

    school_label: tuple[str, ...] = ()
    s = top.sub("school")
    if s is not None:
        school_label = tuple(normalize_label(t) for t in s.texts("label", required=True))
        s.finish(("label",))

    default_unit = _unit(top, "unit")

    records = None
    r = top.sub("records")
    if r is not None:
        rkeys = []
        for kname in r.data:
            if dataset is not None and kname != SCHOOL_KEY and kname not in dataset.keys:
                r.problem(kname, f"“{kname}”不是数据集“{dataset.name}”的键；可用：{'、'.join((*dataset.keys, SCHOOL_KEY))}")
            rkeys.append((kname, tuple(p for p in (_path(t) for t in r.texts(kname)) if p)))
        if not rkeys:
            r.problem("", "至少给出一个键，如 major_category = \"专业大类\"（写 \"\" 表示取行标签）")
        records = RecordsSpec(tuple(rkeys))
    if layout == "list" and records is None:
        top.problem("records", "清单表（list）必须用 [records] 说明每行记录的键（如 major_category = \"专业大类\"）")
    fixed_keys: list[tuple[str, str]] = []
    k = top.sub("keys")
    if k is not None:
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
                    fixed_keys.append((kname, resolved or value))

    if dataset is not None:
        given = {k for k, _ in fixed_keys} | ({k for k, _ in records.keys} if records else set())
        missing = [k for k in dataset.keys if k not in given]
        if missing:
            top.problem(
                "records" if records else "keys",
                f"数据集“{dataset.name}”的键 {'、'.join(missing)} 没有来源；请在 [records] 中给出所在列，或在 [keys] 中写固定值",
            )

    placements = []
    raw_fields = top.get("fields", list, required=True, default=[])
    for i, raw in enumerate(raw_fields):
        f = Section(raw, file, f"[[fields]][{i + 1}]", problems)
        fname = f.get("field", str, required=True, default="")
        fdef = dataset.fields.get(fname) if dataset is not None else None
        if dataset is not None and fname and fdef is None:
            close = difflib.get_close_matches(fname, list(dataset.fields), n=1)
            f.problem("field", f"数据集“{dataset.name}”中没有字段“{fname}”" + (f"，是否应为“{close[0]}”？" if close else ""))
        line = f.get("line", (str, int))
        code = f.get("code", (str, int))
        p = Placement(
            field=fname,
            row=tuple(normalize_label(t) for t in f.texts("row")),
            line=str(line) if line is not None else None,
            column=tuple(_path(t) for t in f.texts("column")),
            code=str(code) if code is not None else None,
            label=tuple(normalize_label(t) for t in f.texts("label")),
            direction=f.get("direction", str, default="auto"),
            unit=_unit(f, "unit"),
            required=f.get("required", bool, default=fdef.required if fdef else False),
        )
        if p.direction not in ("auto", "right", "below"):
            f.problem("direction", f"应为 right、below 或 auto，实际为“{p.direction}”")
        if fdef is not None and p.unit and fdef.unit and units.conversion_factor(p.unit, fdef.unit) is None:
            f.problem("unit", f"单位“{p.unit}”无法换算为字段“{fname}”的单位“{fdef.unit}”")
        if layout == "grid" and records is None:
            if not (p.row or p.line):
                f.problem("row", "国家报表式（grid）的字段需要 row（行标签）或 line（行次）")
            if not (p.column or p.code):
                f.problem("column", "国家报表式（grid）的字段需要 column（列标题路径）或 code（列代码）")
        if records is not None and (p.row or p.line):
            f.problem("row", "按行取记录（[records]）时，字段只给出列（column/code），不给出行")
        if layout == "keyvalue" and (p.row or p.column or p.code or p.line):
            f.problem("label", "键值表（keyvalue）的字段用 label（标签文字）定位，不用 row/column")
        f.finish(("field", "row", "line", "column", "code", "label", "direction", "unit", "required"))
        placements.append(p)

    if default_unit and dataset is not None:
        for p in placements:
            fdef = dataset.fields.get(p.field)
            if fdef and fdef.unit and not p.unit and units.conversion_factor(default_unit, fdef.unit) is None:
                top.problem("unit", f"单位“{default_unit}”无法换算为字段“{p.field}”的单位“{fdef.unit}”；请在该字段下单独写 unit")
                break
    top.finish(("name", "dataset", "layout", "match", "school", "unit", "records", "keys", "fields"))
    if len(problems) > n_before:
        return None
    return Mapping(
        name=name,
        file=file,
        dataset=dataset_name,
        layout=layout,
        match=match,
        fields=tuple(placements),
        school_label=school_label,
        unit=default_unit,
        records=records,
        keys=tuple(fixed_keys),
    )


def _path(text: str) -> str:
    """A header path as written in a config (`按学历分/本科毕业`), normalised per part."""
    return "/".join(normalize_label(part) for part in re.split(r"[/／>]", text) if normalize_label(part))


def load_pack(root: str | Path) -> Pack:
    """Load and validate a mapping folder. Raises ConfigError listing every mistake."""
    root = Path(root)
    problems: list[ConfigProblem] = []
    if not root.is_dir():
        raise ConfigError([ConfigProblem(str(root), "", "映射配置目录不存在")])
    ds_path = root / DATASETS_FILE
    datasets: dict[str, Dataset] = {}
    dimensions: dict[str, Dimension] = {}
    files: dict[str, str] = {}
    if not ds_path.is_file():
        problems.append(ConfigProblem(_rel(ds_path, root), "", "缺少数据集定义文件 datasets.toml"))
    else:
        data = _load_toml(ds_path, root, problems)
        if data is not None:
            datasets, dimensions = _parse_datasets(data, _rel(ds_path, root), problems)
    mappings = []
    names: dict[str, str] = {}
    for path in sorted(root.rglob("*.toml")):
        if path.parent == root and path.name in RESERVED_FILES:
            continue
        rel = _rel(path, root)
        data = _load_toml(path, root, problems)
        if data is None:
            continue
        mapping = _parse_mapping(data, rel, datasets, dimensions, problems)
        if mapping is None:
            continue
        if mapping.id in names:
            problems.append(ConfigProblem(rel, "", f"映射名与 {names[mapping.id]} 重复；请改文件名"))
        names[mapping.id] = rel
        mappings.append(mapping)
    if not mappings and not problems:
        problems.append(ConfigProblem(str(root), "", "目录中没有映射配置（*.toml）"))
    if problems:
        raise ConfigError(problems)
    for path in sorted(root.rglob("*.toml")):
        files[_rel(path, root)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return Pack(root, datasets, dimensions, mappings, files)
