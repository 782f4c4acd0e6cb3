"""`unused_sheets.toml`: the sheets of the returns that the report does not use, said once
in the config instead of warned about in every school's workbook.

The statistics client exports every form of the survey into one workbook, and the annual
report reads only some of them; a sheet no mapping fits is otherwise a `sheet_unmatched`
warning, thousands of them in a province. A sheet named by one of these patterns is not
parsed at all (the cheapest cell is the one not read), is listed in files.parquet as
`名称→不需要`, and is no finding. A mapping's own `sheet_names` always win: a sheet that a
mapping is named for is read even if a pattern here matches it too.

    [[sheets]]
    sheet_names = ["^中职基211", "^中职基321"]
    reason = "学生变动、学生年龄：质量年报不用"

The file may be in the pack's folder and in a city's folder of mappings; their rules add up.
"""

from __future__ import annotations

from dataclasses import dataclass

from .patterns import NamePattern
from .toml import Section, Texts, compile_patterns, option, read, section_of

UNUSED_FILE = "unused_sheets.toml"
UNUSED_MAPPING = "不需要"  # what files.parquet lists for such a sheet instead of a mapping


@dataclass(frozen=True)
class UnusedSheetsEntry:
    sheet_names: Texts = option((), required=True)
    reason: str = option("", required=True)


@dataclass(frozen=True)
class UnusedSheetsFile:
    sheets: tuple[UnusedSheetsEntry, ...] = option((), required=True)


@dataclass(frozen=True)
class UnusedRule:
    pattern: NamePattern
    reason: str
    file: str


def parse_unused(data: dict, file: str, problems: list) -> tuple[UnusedRule, ...]:
    top = Section(data, file, "", problems)
    entry = read(top, UnusedSheetsFile)
    rules = []
    for sheets in entry.sheets:
        sec = section_of(sheets)
        if not sheets.reason.strip():
            sec.problem("reason", "请写明这些表为什么不需要（会显示在文件清单中）")
        rules += [
            UnusedRule(p, sheets.reason, file)
            for p in compile_patterns(sec, "sheet_names", sheets.sheet_names)
        ]
    return tuple(rules)
