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
import functools
import re
import tomllib
import typing
from pathlib import Path
from types import NoneType, UnionType
from typing import Any, TypeVar

from ..errors import ConfigError, ConfigProblem
from .patterns import NamePattern, PatternError

Texts = tuple[str, ...]  # a text or a list of texts
T = TypeVar("T")

_TYPE_NAMES = {
    str: "文本",
    int: "整数",
    float: "数字",
    bool: "true/false",
    list: "列表",
    dict: "表",
}


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

    def get(
        self, key: str, kind: type | tuple[type, ...], default: Any = None, required: bool = False
    ) -> Any:
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
        label = (
            (lambda i: f"[[{key}]][{i}]") if not self.key else (lambda i: f"{self.path(key)}[{i}]")
        )
        return [Section(raw, self.file, label(i), self.problems) for i, raw in enumerate(items, 1)]

    def finish(self, known: typing.Iterable[str]) -> None:
        """Report every key of this table that is not in `known`."""
        known_keys = set(known)
        for key in self.data:
            if key not in known_keys:
                close = difflib.get_close_matches(key, sorted(known_keys), n=1)
                hint = (
                    f"，是否应为“{close[0]}”？"
                    if close
                    else f"；可用的键：{'、'.join(sorted(known_keys)) or '（无）'}"
                )
                self.problem(key, f"未知的键{hint}")


# ---------------------------------------------------------------- schemas


def option(
    default: Any = None,
    *,
    required: bool = False,
    read_as: Any = None,
    parse: Any = None,
    toml: bool = True,
    table_name: bool = False,
) -> Any:
    """A field of a schema: its default and whether leaving it out is a problem. `read_as`
    is the TOML type when it differs from the field's (a table read into pairs), `parse`
    turns what was read into the field's value (`parse(section, key, raw)`). A field with
    `toml=False` is not a key: the caller gives its value; with `table_name=True` it is
    the name of the table the section is (`[indicators.生师比]` → 生师比)."""
    metadata = {
        "required": required,
        "read_as": read_as,
        "parse": parse,
        "toml": toml and not table_name,
        "table_name": table_name,
    }
    if isinstance(default, (list, dict)):
        return dataclasses.field(default_factory=lambda: type(default)(default), metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def keys_of(schema: type) -> tuple[str, ...]:
    """The TOML keys a schema knows."""
    return tuple(f.name for f in dataclasses.fields(schema) if f.metadata.get("toml", True))


@functools.cache
def _hints(schema: type) -> dict[str, Any]:
    """A schema's field types, worked out once (each mapping file reads the same schemas)."""
    return typing.get_type_hints(schema)


def read(section: Section, schema: type[T], **given: Any) -> T:
    """Fill `schema` from a section (and `given` for its fields that are not keys); every
    problem is recorded on the section."""
    hints = _hints(schema)
    values = dict(given)
    for f in dataclasses.fields(schema):
        if f.name in given or not f.metadata.get("toml", True):
            continue
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
        hint = f.metadata.get("read_as") or hints[f.name]
        raw = _read_value(section, f.name, hint, default, f.metadata.get("required", False))
        parse = f.metadata.get("parse")
        values[f.name] = (
            parse(section, f.name, raw) if parse is not None and raw is not default else raw
        )
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
        return {
            name: read(sub.sub(name), schema, **dict.fromkeys(named, name)) for name in sub.data
        }  # type: ignore[arg-type]
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
        problems.append(ConfigProblem(rel, "", syntax_message(str(exc), text)))
        return None


# What tomllib says, in the words of someone who writes config files in Notepad. Each entry:
# a pattern of tomllib's message, what it means and what to do.
_SYNTAX = (
    (
        r"Unescaped '\\' in a string",
        "双引号里的反斜杠 \\ 在 TOML 中有特殊含义",
        "Windows 路径请写在单引号里（roster = 'D:\\报表\\名录.xlsx'），或把 \\ 换成 /（roster = \"D:/报表/名录.xlsx\"）",
    ),
    (
        r"Invalid statement",
        "这一行不是“键 = 值”",
        '中文或带空格的键名要加双引号（"名称" = "…"）；注释以 # 开头',
    ),
    (
        r"Invalid value",
        "等号右边不是合法的值",
        '文本要加英文引号（name = "赤峰"，不能用中文引号“”），数字不加引号，列表写成 ["a", "b"]，是/否写 true/false',
    ),
    (
        r"Expected newline or end of document after a statement",
        "一个值后面还有多余的内容",
        "文本请整个放进引号里；一行只写一个“键 = 值”",
    ),
    (r"Expected '=' after a key", "键后面缺少等号", "写成“键 = 值”"),
    (
        r"Invalid initial character for a key part",
        "键名以不允许的字符开头",
        "中文或带空格的键名要加双引号",
    ),
    (
        r"Illegal character '\\n'|Unterminated string",
        "引号没有在同一行内配对",
        '检查这一行的引号是否成对；多行文本用三个引号 """…"""',
    ),
    (
        r"Illegal character|Found invalid character",
        "有不允许出现的字符",
        "删除这个字符；中文引号“”和全角符号要换成英文的",
    ),
    (r"Unclosed array", "列表的方括号 [ 没有配对的 ]", "在列表末尾补上 ]"),
    (r"Unclosed inline table", "花括号 { 没有配对的 }", "在同一行补上 }（{ … } 必须写在一行之内）"),
    (r"Expected '\]' at the end of a table declaration", "节名的方括号没有闭合", "写成 [节名]"),
    (r"Expected '\]\]' at the end of an array declaration", "双方括号没有闭合", "写成 [[节名]]"),
    (r"Cannot overwrite a value|Duplicate inline table key", "同一个键写了两次", "删去其中一个"),
    (
        r"Cannot declare .* twice|Cannot redefine namespace|Cannot mutate immutable namespace",
        "同一个节写了两次，或与前面的键冲突",
        "把两处合成一处",
    ),
    (r"Invalid date or datetime", "日期写法不对", "写成 2020-12-31，或加引号作为文本"),
    (
        r"Invalid hex value|Escaped character is not a Unicode scalar value",
        "引号里的 \\ 转义写法不对",
        "反斜杠请写成 \\\\，或改用单引号",
    ),
)
_WHERE = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)\s*$")


def syntax_message(raw: str, text: str) -> str:
    """A TOML parse error in Chinese: where, what, what to do, and the line itself."""
    where = _WHERE.search(raw)
    message = raw[: where.start()] if where else raw
    line_no = int(where.group(1)) if where and where.group(1) else None
    place = (
        f"第 {line_no} 行第 {where.group(2)} 列"
        if line_no and where
        else "文件末尾"
        if where
        else ""
    )
    for pattern, meaning, todo in _SYNTAX:
        if re.match(pattern, message):
            said = f"{meaning}；{todo}"
            break
    else:
        said = f"（{message}）请对照 TOML 写法检查这一处"
    lines = text.splitlines()
    shown = f"：{lines[line_no - 1].strip()}" if line_no and line_no <= len(lines) else ""
    return f"TOML 写法有误（{place}{shown}）：{said}" if place else f"TOML 写法有误：{said}"


def load_toml_or_stop(
    path: Path, root: Path, problems: list[ConfigProblem], what: str = "配置"
) -> dict[str, Any]:
    """A TOML file's contents; when it cannot be read, stop with that one problem (and
    those found before) rather than report every key as missing."""
    data = load_toml(path, root, problems)
    if data is None:
        raise ConfigError(problems, what)
    return data


def control_characters(section: Section) -> None:
    """Report texts that hold a tab, a line break or another control character: in a
    one-line config value they come from a Windows path in double quotes ("D:\\new\\t.xlsx"
    reads as a line break and a tab), which TOML accepts without a word."""

    def walk(value: Any, key: str) -> None:
        if isinstance(value, str) and any(ord(ch) < 32 for ch in value):
            shown = value.encode("unicode_escape").decode("ascii", "replace")
            section.problem(
                key,
                f"文本中有换行、制表符等控制字符（{shown}）：多半是双引号里的 Windows 路径，\\n、\\t、\\r 被当成了转义；路径请写在单引号里，或把 \\ 换成 /",
            )
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{key}.{k}" if key else k)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{key}[{i}]")

    walk(section.data, "")


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


def compile_patterns(section: Section, key: str, patterns: Texts) -> tuple[NamePattern, ...]:
    """Regular expressions of a key (sheet names), matched by RE2 (config/patterns.py); one
    that it cannot take is a problem naming the key."""
    out = []
    for i, pattern in enumerate(patterns):
        try:
            out.append(NamePattern(pattern))
        except PatternError as exc:
            section.problem(f"{key}[{i}]", exc.message)
    return tuple(out)
