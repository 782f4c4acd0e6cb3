"""The TOML layer under every config file: loading, typed sections, problems with file and key.

A section of a config file is described by a dataclass, its schema: the fields are the
keys the section may have, the annotations their types, and `option(...)` says which
are required. `read(section, Schema)` returns a filled Schema and reports every wrong
type, missing key and unknown key (with a did-you-mean) as a `ConfigProblem` naming the
file and the dotted key. The known keys of a section are the fields of its schema, so
they are written down once.
"""

from __future__ import annotations

import dataclasses
import difflib
import tomllib
import typing
from pathlib import Path
from types import NoneType, UnionType
from typing import Any, TypeVar

from ..errors import ConfigProblem

Texts = tuple[str, ...]  # a text or a list of texts
T = TypeVar("T")

_TYPE_NAMES = {str: "文本", int: "整数", float: "数字", bool: "true/false", list: "列表", dict: "表"}


def type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


class Section:
    """Typed access to one TOML table, recording problems with their dotted key."""

    def __init__(self, data: Any, file: str, key: str, problems: list[ConfigProblem]):
        self.file, self.key, self.problems = file, key, problems
        if not isinstance(data, dict):
            self.problem("", f"应为表（{{…}} 或 [节]），实际为{type_name(data)}")
            data = {}
        self.data: dict[str, Any] = data

    def path(self, key: str) -> str:
        if not key:
            return self.key
        return f"{self.key}.{key}" if self.key else key

    def problem(self, key: str, message: str) -> None:
        self.problems.append(ConfigProblem(self.file, self.path(key), message))

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None, required: bool = False) -> Any:
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
            self.problem(key, f"应为{want}，实际为{type_name(value)}（{value!r}）")
            return default
        return value

    def texts(self, key: str, required: bool = False) -> Texts:
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
                self.problem(f"{key}[{i}]", f"应为文本，实际为{type_name(item)}")
        return tuple(out)

    def sub(self, key: str, required: bool = False) -> Section | None:
        if key not in self.data:
            if required:
                self.problem(key, "缺少必填项")
            return None
        return Section(self.data[key], self.file, self.path(key), self.problems)

    def entries(self, key: str, required: bool = False) -> list[Section]:
        """An array of tables: `[[key]]` at the top of a file, `key = [{…}, …]` below it."""
        items = self.get(key, list, default=[], required=required)
        label = (lambda i: f"[[{key}]][{i}]") if not self.key else (lambda i: f"{self.path(key)}[{i}]")
        return [Section(raw, self.file, label(i), self.problems) for i, raw in enumerate(items, 1)]

    def finish(self, known: typing.Iterable[str]) -> None:
        """Report every key of this table that is not in `known`."""
        known_keys = set(known)
        for key in self.data:
            if key not in known_keys:
                close = difflib.get_close_matches(key, sorted(known_keys), n=1)
                hint = f"，是否应为“{close[0]}”？" if close else f"；可用的键：{'、'.join(sorted(known_keys)) or '（无）'}"
                self.problem(key, f"未知的键{hint}")


# ---------------------------------------------------------------- schemas


def option(default: Any = None, *, required: bool = False, read_as: Any = None, parse: Any = None, toml: bool = True, table_name: bool = False) -> Any:
    """A field of a schema: its default and whether leaving it out is a problem. `read_as`
    is the TOML type when it differs from the field's (a table read into pairs), `parse`
    turns what was read into the field's value (`parse(section, key, raw)`). A field with
    `toml=False` is not a key: the caller gives its value; with `table_name=True` it is
    the name of the table the section is (`[indicators.生师比]` → 生师比)."""
    metadata = {"required": required, "read_as": read_as, "parse": parse, "toml": toml and not table_name, "table_name": table_name}
    if isinstance(default, (list, dict)):
        return dataclasses.field(default_factory=lambda: type(default)(default), metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def keys_of(schema: type) -> tuple[str, ...]:
    """The TOML keys a schema knows."""
    return tuple(f.name for f in dataclasses.fields(schema) if f.metadata.get("toml", True))


def read(section: Section, schema: type[T], **given: Any) -> T:
    """Fill `schema` from a section (and `given` for its fields that are not keys); every
    problem is recorded on the section."""
    hints = typing.get_type_hints(schema)
    values = dict(given)
    for f in dataclasses.fields(schema):
        if f.name in given or not f.metadata.get("toml", True):
            continue
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
        hint = f.metadata.get("read_as") or hints[f.name]
        raw = _read_value(section, f.name, hint, default, f.metadata.get("required", False))
        parse = f.metadata.get("parse")
        values[f.name] = parse(section, f.name, raw) if parse is not None and raw is not default else raw
    section.finish(keys_of(schema))
    entry = schema(**values)
    object.__setattr__(entry, "_section", section)
    return entry


def section_of(entry: Any) -> Section:
    """The section an entry was read from: for the problems found after reading it."""
    return entry._section


def _read_value(section: Section, key: str, hint: Any, default: Any, required: bool) -> Any:
    args = [a for a in typing.get_args(hint) if a is not NoneType] if _is_union(hint) else []
    if len(args) == 1:  # Optional[X]
        hint = args[0]
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint):
        sub = section.sub(key, required)
        return read(sub, hint) if sub is not None else default  # type: ignore[arg-type]
    if origin is dict and dataclasses.is_dataclass(typing.get_args(hint)[1]):
        sub = section.sub(key, required)
        schema = typing.get_args(hint)[1]
        if sub is None:
            return {}
        named = [f.name for f in dataclasses.fields(schema) if f.metadata.get("table_name")]
        return {name: read(sub.sub(name), schema, **dict.fromkeys(named, name)) for name in sub.data}  # type: ignore[arg-type]
    if origin is tuple and dataclasses.is_dataclass(typing.get_args(hint)[0]):
        schema = typing.get_args(hint)[0]
        return tuple(read(s, schema) for s in section.entries(key, required))
    if hint == Texts:
        return section.texts(key, required) or default
    kinds = tuple(typing.get_origin(a) or a for a in (args or [hint]))
    return section.get(key, kinds, default, required)


def _is_union(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, UnionType)


# ---------------------------------------------------------------- files


def load_toml(path: Path, root: Path, problems: list[ConfigProblem]) -> dict[str, Any] | None:
    """A TOML file's contents, or None (with the problem recorded) when it cannot be read."""
    rel = relative_name(path, root)
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


def relative_name(path: Path, root: Path) -> str:
    """How a config file is named in messages: relative to its folder's parent."""
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def text_pairs(section: Section, key: str, table: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """`pairs`, every value as text (conditions on dataset keys)."""
    return tuple((k, str(v)) for k, v in pairs(section, key, table))


def pairs(section: Section, key: str, table: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    """A table of conditions (`where = { sponsor = "公办" }`), read as `key` of `section`,
    as (key, value) pairs."""
    out = []
    for k, v in table.items():
        if isinstance(v, (str, bool, int)):
            out.append((k, v))
        else:
            section.problem(f"{key}.{k}", "应为文本或 true/false")
    return tuple(out)
