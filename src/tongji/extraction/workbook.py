"""One workbook in, figures with lineage and findings out.

`Extractor.extract` is a function of (file, mapping pack, roster, year): it reads the
workbook, picks a mapping for each sheet, works out which school returned it, and lets
each sheet's layout locate, clean and record the fields. It writes nothing. The
extractor holds what one batch learns as it goes (mapping choices by sheet name, header
layouts), which never changes a result, only how fast it comes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from loguru import logger

from ..config.unused import UNUSED_MAPPING
from ..findings import ERROR, issue
from . import clean, unmapped
from .layouts import LAYOUTS, SheetJob
from .layouts.rows import settle_totals
from .locate import HeaderCache, Table, locate_table
from .match import NEAR, Matcher, SheetText
from .meaning import Reader
from .read import ReadError, Sheet, Workbook, cell_address, read_workbook
from .records import FileOutput, FileResult
from .roster import Roster
from .tables import sheet_tables
from .view import SheetView, find_labelled_value

if TYPE_CHECKING:
    from ..config.mapping import Mapping, Pack


class UnusedSheets:
    """A sheet's name → why the report does not use it (unused_sheets.toml), or None;
    worked out once per name. A plain object, so that it travels to a reading process."""

    def __init__(self, pack: Pack):
        self.pack = pack
        self.known: dict[str, str | None] = {}

    def __call__(self, sheet_name: str) -> str | None:
        if sheet_name not in self.known:
            self.known[sheet_name] = self.pack.unused_reason(sheet_name)
        return self.known[sheet_name]


@dataclass
class _Matched:
    sheet: Sheet
    mapping: Mapping
    view: SheetView
    table: Table | None = None  # the table it reads, chosen already (a reading by meaning)


class Extractor:
    """Extracts workbooks with one mapping pack and roster, for one year."""

    def __init__(self, pack: Pack, roster: Roster, year: int):
        # a dimension whose values are the roster's (旗县区) resolves against this roster
        self.pack, self.roster, self.year = pack.with_roster(roster), roster, year
        self.dimensions = self.pack.dimensions_for(year)  # a catalogue's edition in force this year
        self.matcher = Matcher(self.pack, year)
        self.headers = HeaderCache()
        self.unused = UnusedSheets(self.pack) if self.pack.unused else None
        self.reader = Reader(self.pack, roster, self.dimensions, year)

    def extract(self, path: Path, display: str) -> FileResult:
        """Everything one file gives; a file that cannot be read is a finding, not a failure."""
        try:
            wb = read_workbook(path, self.unused)
        except ReadError as exc:
            return FileResult(
                display, issues=[issue(exc.code, exc.message, exc.hint, file=display)]
            )
        except Exception as exc:  # a bug in reading must not stop the batch either
            logger.exception("内部错误：{}", display)
            found = issue(
                "internal_error",
                f"读取该文件时发生内部错误：{type(exc).__name__}: {exc}",
                "请把该文件和日志发给 tongji 的维护者。",
                file=display,
            )
            return FileResult(display, issues=[found])
        out = FileOutput(wb, display, self.year)
        try:
            self._extract_workbook(out)
        except Exception as exc:  # a bug must not stop the batch; it is reported with its file
            logger.exception("内部错误：{}", display)
            out.issue(
                "internal_error",
                f"处理该文件时发生内部错误：{type(exc).__name__}: {exc}",
                "请把该文件和日志发给 tongji 的维护者。",
            )
        return out.result

    def job(self, out: FileOutput, m: _Matched) -> SheetJob:
        dataset = self.pack.datasets[m.mapping.dataset]
        return SheetJob(
            m.sheet,
            m.view,
            m.mapping,
            dataset,
            out,
            self.roster,
            self.dimensions,
            self.headers,
            m.table,
            self.pack.read_hidden,
        )

    def _extract_workbook(self, out: FileOutput) -> None:
        matched = self._match_sheets(out)
        if not matched:
            _nothing_matched(out)
            return
        check_year(out, matched, self.headers)
        check_form_years(out, matched)
        needing = [m for m in matched if self._needs_school(m.mapping)]
        if needing:
            attribute_school(out, needing, self.roster, self.headers)
        try:
            for m in matched:
                self._read(out, m)
            for m in self._tables_left(out, matched):
                self._read(out, m)
        finally:  # the totals of the sheets read are said even when a later one fails
            settle_totals(out)

    def _read(self, out: FileOutput, m: _Matched) -> None:
        if out.result.school_id is None and self._needs_school(m.mapping):
            return  # whose figures these are is unknown: the finding says why
        before = len(out.result.values)
        LAYOUTS[m.mapping.layout].extract(self.job(out, m))
        logger.debug(
            "{} [{}] → {}：{} 个值",
            out.file,
            m.sheet.name,
            m.mapping.id,
            len(out.result.values) - before,
        )

    def _tables_left(self, out: FileOutput, matched: list[_Matched]) -> list[_Matched]:
        """What the sheets that mappings read hold besides (unmapped.left_by_mappings)."""
        sheets = {id(m.sheet): (m.sheet, m.view) for m in matched if m.table is None}
        by_school = {
            (id(m.sheet), m.mapping.dataset) for m in matched if unmapped.by_school(m.mapping)
        }
        left = []
        for sheet, view in sheets.values():
            schools = {d for sid, d in by_school if sid == id(sheet)}
            tables = sheet_tables(sheet, view, self.headers, self.pack.read_hidden)
            for r in unmapped.left_by_mappings(out, sheet, tables, schools, self.reader):
                left.append(_Matched(sheet, r.mapping, view, r.table))
        return left

    def _telling_apart(self, group, text: SheetText) -> str:
        """The labels on the sheet that one of the tied mappings looks for and the others
        do not: what a `contains` could name to tell them apart."""
        found = {
            s.mapping.id: {
                label
                for groups in self.matcher.field_labels(s.mapping)
                for g in groups
                for label in g
                if label in text.labels
            }
            for s in group
        }
        parts = []
        for mid, labels in found.items():
            own = sorted(labels - set().union(*(v for k, v in found.items() if k != mid)))
            if own:
                parts.append(f"只有 {mid} 要找的：{'、'.join(own[:4])}")
        return ("；" + "；".join(parts)) if parts else ""

    def _needs_school(self, mapping: Mapping) -> bool:
        """A sheet of one school's figures whose rows do not name their school."""
        return self.pack.datasets[mapping.dataset].entity == "school" and not (
            mapping.records and mapping.records.by_school
        )

    def _match_sheets(self, out: FileOutput) -> list[_Matched]:
        """The visible sheets and the mappings that read them; the others are findings."""
        matched: list[_Matched] = []
        for sheet in out.wb.sheets:
            if sheet.unused:  # not parsed: the config says the report does not use it
                out.result.sheets.append((sheet.name, UNUSED_MAPPING))
                continue
            if sheet.is_empty:
                continue
            choice = self.matcher.choose(sheet, SheetText(sheet))
            if not sheet.visible:
                if choice.mapping is not None:
                    out.issue(
                        "hidden_sheet_skipped",
                        f"隐藏的工作表与映射“{choice.mapping.name}”相符，已跳过（隐藏表常是旧版副本）",
                        "若该表才是要报的数据，请在 Excel 中取消隐藏，并删除或隐藏旧表后重新放入。",
                        sheet=sheet.name,
                        mapping=choice.mapping.id,
                    )
                continue
            for group in choice.contested:
                out.issue(
                    "sheet_ambiguous",
                    f"工作表同时与同一映射目录中的多个映射同等相符（得分相差不到 {NEAR}）：{'；'.join(s.describe() for s in group)}"
                    + self._telling_apart(group, SheetText(sheet)),
                    f"请在其中一个映射（{'、'.join(s.mapping.file for s in group)}）的 [match] 中加上能区分它们的 contains 文字、"
                    '更具体的 sheet_names 或 exclude；本市的映射要取代随附映射包中的映射时，写 replaces = ["映射名"]。',
                    sheet=sheet.name,
                )
            view = SheetView(sheet)
            if not choice.chosen and not choice.contested:
                readings = self.reader.read(
                    sheet_tables(sheet, view, self.headers, self.pack.read_hidden)
                )
                for r in readings:
                    matched.append(_Matched(sheet, r.mapping, view, r.table))
                    out.result.sheets.append((sheet.name, r.mapping.id))
                    unmapped.said_by_meaning(out, sheet, r)
                if readings:
                    continue
                out.issue(
                    "sheet_unmatched",
                    f"工作表不符合任何映射，未提取；得分最高的映射：{choice.candidates()}",
                    "若该表含需要的数据，请用 tongji inspect 查看其表头，并新增或修改映射配置。",
                    sheet=sheet.name,
                )
            for score in choice.chosen:
                matched.append(_Matched(sheet, score.mapping, view))
                out.result.sheets.append((sheet.name, score.mapping.id))
        return matched


def _nothing_matched(out: FileOutput) -> None:
    """No sheet of the workbook fits a mapping: one error for the file says why."""
    unmatched = [i for i in out.result.issues if i.code == "sheet_unmatched"]
    if unmatched:
        reasons = "；".join(f"“{i.sheet}”：{i.message.split('：', 1)[-1]}" for i in unmatched)
        out.result.issues = [i for i in out.result.issues if i.code != "sheet_unmatched"] + [
            issue(
                "workbook_unmatched",
                "工作簿中没有任何工作表符合映射，未提取任何数据；" + reasons,
                "请用 tongji inspect 查看该文件，为这种版式新增映射配置。",
                file=out.file,
            )
        ]
    elif any(mapping == UNUSED_MAPPING for _, mapping in out.result.sheets):
        names = "、".join(
            sheet for sheet, mapping in out.result.sheets if mapping == UNUSED_MAPPING
        )
        out.issue(
            "workbook_not_needed",
            f"工作簿中只有本报告不用的表（{names}），没有提取数据",
            "若其中有要用的数据，请从映射目录的 unused_sheets.toml 中去掉这张表的名称，并为它写映射。",
        )
    elif not any(i.severity == ERROR for i in out.result.issues):
        out.issue(
            "workbook_empty", "工作簿中没有可见的、有内容的工作表", "请向学校重新索取该文件。"
        )


# ---------------------------------------------------------------- which school


def attribute_school(
    out: FileOutput, matched: list[_Matched], roster: Roster, headers: HeaderCache | None = None
) -> None:
    """Which school returned this workbook: its own words first (beside a 学校名称 label,
    outside any data table), then titles above the tables, the file name and the folder
    names. None found is a finding with the closest roster names. A school named inside a
    data table is one of its rows, not the workbook's author."""
    tables = {id(m): _table_top(m, headers) for m in matched}
    inside = _names_inside(matched, roster, tables)
    for name, sheet, cell in inside:
        res = roster.resolve(name)
        if res.school is not None:
            out.attribute(
                res.school.school_id,
                f"表内学校名称“{name}”（{sheet.name}!{cell}，按{res.how}匹配）",
            )
            return
    outside = _names_outside(Path(out.wb.path), matched, tables)
    for name, how in outside:
        res = roster.resolve(name)
        if res.school is not None:
            out.attribute(res.school.school_id, f"{how}“{name}”（按{res.how}匹配）")
            if inside:
                name0, sheet0, cell0 = inside[0]
                out.issue(
                    "school_name_not_in_roster",
                    f"表内学校名称“{name0}”不在学校名录中；按{how}认定为“{res.school.name}”",
                    f"请在名录中为“{res.school.name}”加上别名“{name0}”。",
                    sheet=sheet0.name,
                    cell=cell0,
                )
            return
    _school_not_found(out, inside, outside, roster)


def _table_top(m: _Matched, headers: HeaderCache | None) -> int | None:
    """The first row of a sheet's data table (its header), None when it has no table."""
    if LAYOUTS[m.mapping.layout].records == "never":
        return None
    table = locate_table(m.sheet, m.view, headers)
    if table is None:
        return None
    return min(
        [
            *table.header_rows,
            *([table.code_row] if table.code_row is not None else []),
            *(r.index for r in table.data_rows[:1]),
        ],
        default=None,
    )


def _names_inside(
    matched: list[_Matched], roster: Roster, tables: dict[int, int | None]
) -> list[tuple[str, Sheet, str]]:
    """School names the workbook states beside a `学校名称` label above its data table:
    (name, sheet, cell)."""
    inside: list[tuple[str, Sheet, str]] = []
    for m in matched:
        if not m.mapping.school_label:
            continue
        found = find_labelled_value(m.sheet, m.mapping.school_label, view=m.view)
        top = tables[id(m)]
        if (
            found is None
            or (top is not None and found.row >= top)
            or not clean.normalize_text(found.raw)
        ):
            continue
        name = clean.normalize_text(found.raw)
        inside.append((name, m.sheet, cell_address(found.row, found.col)))
        if roster.resolve(name).school is not None:
            break  # the workbook names a known school: no need to read its other sheets for it
    return inside


def _names_outside(
    path: Path, matched: list[_Matched], tables: dict[int, int | None]
) -> list[tuple[str, str]]:
    """Other places a school's name may be: titles (the first rows, above any data table),
    the file name, the folder names."""
    titles = [
        (clean.normalize_text(v), "表头文字")
        for m in matched
        for r in range(min(3, m.sheet.n_rows, tables[id(m)] if tables[id(m)] is not None else 3))
        for _, v in m.view.row_values(r)
        if isinstance(v, str) and len(v.strip()) >= 4
    ]
    return [
        *titles,
        (path.stem, "文件名"),
        *((p.name, "文件夹名") for p in list(path.parents)[:2] if p.name),
    ]


def _school_not_found(
    out: FileOutput,
    inside: list[tuple[str, Sheet, str]],
    outside: list[tuple[str, str]],
    roster: Roster,
) -> None:
    tried = [f"表内“{n}”（{s.name}!{c}）" for n, s, c in inside] + [
        f"{how}“{n}”" for n, how in outside if how != "表头文字"
    ]
    close: list[str] = []
    ambiguous = False
    for name in [n for n, _, _ in inside] + [n for n, _ in outside]:
        res = roster.resolve(name)
        ambiguous = ambiguous or res.ambiguous
        close.extend(c for c in res.candidates if c not in close)
    out.issue(
        "school_ambiguous" if ambiguous else "school_unknown",
        f"无法确定是哪所学校的报表：{'；'.join(tried)}"
        + ("同时含有多所学校的名称" if ambiguous else " 均不在学校名录中")
        + (f"；最接近的名录学校：{'、'.join(close[:3])}" if close else ""),
        "请在学校名录中为该校加上别名，或把文件名改为名录中的学校名称。",
        sheet=inside[0][1].name if inside else "",
        cell=inside[0][2] if inside else "",
    )


# ---------------------------------------------------------------- which year

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_DATE_LABELS = ("填报日期", "报出日期", "填表日期", "统计日期", "报送日期")


def check_year(out: FileOutput, matched: list[_Matched], headers: HeaderCache | None) -> None:
    """A return whose file name or title names another year than the one being extracted,
    or whose 填报日期 is neither this year nor the next, is probably last year's file put in
    this year's folder: said, once for the file."""
    year = out.year
    if not year:
        return
    named = [(y, "文件名", "", "") for y in _years(Path(out.wb.path).stem)]
    for m in matched:
        top = _table_top(m, headers)
        for r in range(min(3, m.sheet.n_rows, top if top is not None else 3)):
            for c, v in m.view.row_values(r):
                if isinstance(v, str):
                    named += [(y, "标题", m.sheet.name, cell_address(r, c)) for y in _years(v)]
    dated = []
    for m in matched:
        found = find_labelled_value(m.sheet, _DATE_LABELS, view=m.view)
        if found is not None:
            when = (
                found.raw.year
                if hasattr(found.raw, "year")
                else next(iter(_years(str(found.raw))), None)
            )
            if when:
                dated.append((when, "填报日期", m.sheet.name, cell_address(found.row, found.col)))
    wrong = (
        [n for n in named if n[0] != year]
        if named and not any(y == year for y, *_ in named)
        else []
    )
    wrong += [d for d in dated if d[0] not in (year, year + 1)]
    if wrong:
        y, where, sheet, cell = wrong[0]
        out.issue(
            "year_mismatch",
            f"{where}写的是 {y} 年，而正在提取的是 {year} 年的报表",
            f"请确认这份报表属于 {year} 年；若放错了年度文件夹，请移到 {y} 年的文件夹。",
            sheet=sheet,
            cell=cell,
        )


def check_form_years(out: FileOutput, matched: list[_Matched]) -> None:
    """A sheet read by a mapping of a form not in use in the year being extracted (a school
    that sent last years' 中职基311 for 2025): read all the same, and said once per sheet."""
    year = out.year
    for m in matched:
        span = m.mapping.form_years
        if not year or span is None or span[0] <= year and (span[1] is None or year <= span[1]):
            continue
        when = f"{span[0]}–{span[1]} 年" if span[1] is not None else f"{span[0]} 年起"
        out.issue(
            "form_year_mismatch",
            f"工作表按“{m.mapping.name}”读取，这种表式用于 {when}，而正在提取的是 {year} 年的报表",
            f"请确认学校报送的是 {year} 年的表式；数字照常读取，专业大类等按新旧目录对照归入。",
            sheet=m.sheet.name,
            mapping=m.mapping.id,
        )


def _years(text: str) -> set[int]:
    return {int(y) for y in _YEAR.findall(text)}


# ---------------------------------------------------------------- one sheet, for inspect


def try_mapping(
    wb: Workbook,
    sheet: Sheet,
    mapping: Mapping,
    pack: Pack,
    roster: Roster | None,
    display: str,
    year: int = 0,
) -> FileResult:
    """Apply one mapping to one sheet, whatever its score: what `tongji inspect --mapping` shows."""
    out = FileOutput(wb, display, year)
    m = _Matched(sheet, mapping, SheetView(sheet))
    if roster is not None:
        attribute_school(out, [m], roster)
    extractor = Extractor(pack, roster or Roster([]), year)
    LAYOUTS[mapping.layout].extract(extractor.job(out, m))
    return out.result
