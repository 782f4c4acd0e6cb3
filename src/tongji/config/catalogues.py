"""`catalogues.toml`: the editions of a national catalogue (the 专业目录 of 2010 and of
2021) that give a dimension (专业大类) its values, the years each edition is in force, the
code rule of each, and the crosswalk from one edition to the next.

A dimension with catalogues has the values of all its editions (their names differ:
`信息技术类` is 2010's, `电子与信息大类` 2021's); a return is read with the edition in force
for its year taking precedence where a label is shared (`农林牧渔`). Where a report year's
edition differs from the edition a figure was returned in, the crosswalk says where the
figure goes: one category of the new edition, several (a split, decided per 专业 where the
crosswalk knows the 专业), or none.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..words.labels import normalize_label
from .toml import Section, Texts, option, read, section_of

CATALOGUES_FILE = "catalogues.toml"


@dataclass(frozen=True)
class Catalogue:
    id: str
    dimension: str
    title: str
    first: int  # the first year whose returns use it
    last: int | None  # the last such year; None: still in force
    values: tuple[str, ...]
    codes: dict[str, str] = field(
        hash=False, compare=False
    )  # value → its code (the first digits of a 专业代码)
    aliases: dict[str, tuple[str, ...]] = field(hash=False, compare=False)
    code_digits: int = 2
    code_length: int = 6
    source: str = ""

    def covers(self, year: int) -> bool:
        return self.first <= year and (self.last is None or year <= self.last)

    def labels(self) -> list[tuple[str, str]]:
        """(label, value): each value by its name, its aliases and its code."""
        return [(label, v) for v in self.values for label in (v, *self.aliases[v], self.codes[v])]


@dataclass(frozen=True)
class Crosswalk:
    """Where a value of the `old` edition goes in the `new` one: one value (one-to-one or a
    merge), several (a split), or none. `majors` settles a split per 专业: a 专业代码 or
    专业名称 of the old edition → the value of the new one."""

    id: str
    old: str
    new: str
    values: dict[str, tuple[str, ...]] = field(hash=False, compare=False)
    majors: dict[str, str] = field(hash=False, compare=False)  # normalised code or name → new value
    source: str = ""

    def merged_with(self, value: str) -> tuple[str, ...]:
        """The other old values that go to the same single new value as `value`."""
        targets = self.values.get(value, ())
        if len(targets) != 1:
            return ()
        return tuple(v for v, t in self.values.items() if v != value and t == targets)


# ---------------------------------------------------------------- the file as written


@dataclass
class ValueEntry:
    code: str = option("", required=True)
    aliases: Texts = ()


@dataclass
class CatalogueEntry:
    dimension: str = option("", required=True)
    title: str = option("", required=True)
    years: list = option([], required=True)
    code_digits: int = 2
    code_length: int = 6
    source: str = ""
    values: dict[str, ValueEntry] = option({}, required=True)


@dataclass
class CrosswalkEntry:
    old: str = option("", required=True)
    new: str = option("", required=True)
    source: str = ""
    values: dict = option({}, required=True)
    majors: dict = option({})


@dataclass
class CataloguesFile:
    catalogues: dict[str, CatalogueEntry] = option({}, required=True)
    crosswalks: dict[str, CrosswalkEntry] = option({})


# ---------------------------------------------------------------- parsing


def parse_catalogues(
    data: dict, file: str, dimensions: set[str], problems: list
) -> tuple[dict[str, Catalogue], dict[str, Crosswalk]]:
    """The catalogues and crosswalks of the file; every mistake recorded with its key."""
    top = Section(data, file, "", problems)
    entry = read(top, CataloguesFile)
    catalogues = {
        cid: _catalogue(cid, e, section_of(e), dimensions) for cid, e in entry.catalogues.items()
    }
    _check_editions(top, catalogues)
    crosswalks = {
        xid: _crosswalk(xid, e, section_of(e), catalogues) for xid, e in entry.crosswalks.items()
    }
    return catalogues, crosswalks


def _catalogue(cid: str, entry: CatalogueEntry, sec: Section, dimensions: set[str]) -> Catalogue:
    if entry.dimension and entry.dimension not in dimensions:
        sec.problem(
            "dimension",
            f"datasets.toml 中没有维度“{entry.dimension}”；已定义：{'、'.join(sorted(dimensions))}",
        )
    first, last = year_span(sec, "years", entry.years) or (0, None)
    codes, aliases = {}, {}
    seen: dict[str, str] = {}
    values_sec = sec.sub("values") or Section({}, sec.file, sec.path("values"), sec.problems)
    for name, v in entry.values.items():
        vsec = section_of(v)
        code = str(v.code)
        if not code.isdigit() or len(code) != entry.code_digits:
            vsec.problem(
                "code", f'应为 {entry.code_digits} 位数字（文本，如 "01"），实际为“{v.code}”'
            )
        codes[name], aliases[name] = code, tuple(v.aliases)
        for label in (name, *v.aliases, code):
            key = normalize_label(label)
            if key in seen and seen[key] != name:
                values_sec.problem(name, f"“{label}”同时是“{seen[key]}”的名称、别名或代码")
            seen[key] = name
    return Catalogue(
        cid,
        entry.dimension,
        entry.title,
        first,
        last,
        tuple(entry.values),
        codes,
        aliases,
        entry.code_digits,
        entry.code_length,
        entry.source,
    )


def year_span(sec: Section, key: str, given: list) -> tuple[int, int | None] | None:
    """`[2010, 2020]` (the first and the last year) or `[2021]` (from 2021 on)."""
    ok = 1 <= len(given) <= 2 and all(
        isinstance(y, int) and not isinstance(y, bool) and 1990 <= y <= 2100 for y in given
    )
    if not ok or (len(given) == 2 and given[0] > given[1]):
        sec.problem(key, f"应为 [起始年度] 或 [起始年度, 终止年度]，实际为 {given!r}")
        return None
    return given[0], (given[1] if len(given) == 2 else None)


def _check_editions(top: Section, catalogues: dict[str, Catalogue]) -> None:
    """Per dimension: no year in two editions, no value name in two editions, one code rule."""
    by_dim: dict[str, list[Catalogue]] = {}
    for c in catalogues.values():
        by_dim.setdefault(c.dimension, []).append(c)
    for editions in by_dim.values():
        editions.sort(key=lambda c: c.first)
        for a, b in zip(editions, editions[1:], strict=False):
            if a.last is None or a.last >= b.first:
                top.problem(
                    f"catalogues.{b.id}.years", f"与“{a.id}”的年度重叠：每个年度只能有一版目录"
                )
        names: dict[str, str] = {}
        for c in editions:
            for v in c.values:
                if v in names:
                    top.problem(
                        f"catalogues.{c.id}.values.{v}",
                        f"与“{names[v]}”中的取值同名：各版目录的取值名称必须不同（如“信息技术类”与“电子与信息大类”）",
                    )
                names[v] = c.id
            if (c.code_digits, c.code_length) != (editions[0].code_digits, editions[0].code_length):
                top.problem(
                    f"catalogues.{c.id}.code_digits",
                    f"与“{editions[0].id}”的代码规则不同：同一维度各版目录的代码位数必须相同",
                )


def _crosswalk(
    xid: str, entry: CrosswalkEntry, sec: Section, catalogues: dict[str, Catalogue]
) -> Crosswalk:
    old, new = catalogues.get(entry.old), catalogues.get(entry.new)
    for key, cid, cat in (("old", entry.old, old), ("new", entry.new, new)):
        if cid and cat is None:
            sec.problem(key, f"没有目录“{cid}”；已定义：{'、'.join(catalogues)}")
    values: dict[str, tuple[str, ...]] = {}
    vsec = sec.sub("values") or Section({}, sec.file, sec.path("values"), sec.problems)
    for name in vsec.data:
        targets = vsec.texts(name)
        if old is not None and name not in old.values:
            vsec.problem(name, f"“{name}”不是目录“{old.id}”的取值")
        if new is not None:
            for t in targets:
                if t not in new.values:
                    vsec.problem(name, f"“{t}”不是目录“{new.id}”的取值")
        values[name] = targets
    if old is not None:
        missing = [v for v in old.values if v not in values]
        if missing:
            vsec.problem(
                "",
                f"没有写出这些取值在新目录中的去向：{'、'.join(f'“{v}”' for v in missing)}（没有对应的写 []）",
            )
    majors: dict[str, str] = {}
    msec = sec.sub("majors") or Section({}, sec.file, sec.path("majors"), sec.problems)
    for key in msec.data:
        target = msec.get(key, str)
        if target is None:
            continue
        if new is not None and target not in new.values:
            msec.problem(key, f"“{target}”不是目录“{new.id}”的取值")
        majors[normalize_label(key)] = target
    return Crosswalk(xid, entry.old, entry.new, values, majors, entry.source)
