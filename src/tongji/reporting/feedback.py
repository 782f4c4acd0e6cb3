"""Letters back to the schools: per school, a workbook of what to fix.

Today the bureau phones each school; a letter says the same in writing. From one run's
findings (the extract folders' issues.csv and the checks the run saved beside them) a
school gets a workbook when at least one error or warning names it and is the school's to
put right: a problem of its returns (a figure, a form, a file, a return not sent), not the
bureau's own (a mapping, the roster, the corrections file, a dataset nobody returns). The
workbook lists each problem with its file, sheet and cell, what was found and what to do,
and the school's figures beside last year's (`render.feedback` writes it). The same
problems stay in 数据质量; a school with nothing to fix gets no letter.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePath

import polars as pl

from ..config.mapping import Pack
from ..extraction import store
from ..extraction.store import atomic_path, ensure_replaceable
from ..findings import ERROR, WARNING, Issue, kind_of
from .render.feedback import write_letter

FEEDBACK_DIR = "反馈给学校"  # in a run's folder, beside extract/
CHECKS_FILE = "checks.json"  # the run's checks, so that its letters can be written again
LETTER_SUFFIX = "年报表问题反馈.xlsx"

# Findings that are the bureau's to deal with: its machine, its mappings, its roster, its
# corrections file, its catalogue crosswalk, a dataset no school returns.
BUREAU_CODES = frozenset(
    {
        "missing_file",
        "unreadable",
        "sheet_ambiguous",
        "sheet_unmatched",
        "table_ambiguous",
        "school_name_not_in_roster",
        "correction_unmatched",
        "internal_error",
        "missing_dataset",
        "missing_year",
        "crosswalk_unmapped",
    }
)

_RESEND = "改正后重新报送。"
_AS_EXCEL = "请在 Excel 中打开，确认内容无误后另存为 .xlsx，重新报送。"
# What a school is asked to do, by code ({year} the year the finding is about, {dataset}
# the return's title). A code not here is asked in its finding's own words (the hint).
_ASK = {
    "file_not_read": "这个文件不是 Excel 报表（如 PDF、Word），无法读取。请报送 Excel 报表（.xlsx 或 .xls）。",
    "duplicate_file": "同一份报表报送了两次（常是备份副本），只读了其中一份。请确认哪一份是最新的，只报送这一份。",
    "empty_file": "文件是空的（0 字节）。请重新报送完整的报表。",
    "encrypted": "工作簿设有打开密码，无法读取。请去掉密码后重新报送。",
    "corrupt": "文件已损坏，无法打开。" + _AS_EXCEL,
    "not_workbook": "文件的内容不是 Excel 工作簿（扩展名与内容不符）。" + _AS_EXCEL,
    "html_as_excel": "文件实际是网页，只是扩展名为 Excel。" + _AS_EXCEL,
    "no_sheets": "工作簿中没有任何工作表。请重新报送完整的报表。",
    "garbled_text": "旧版 Excel 文件中的中文无法正确读取。" + _AS_EXCEL,
    "too_large": "文件大得异常，无法读取。" + _AS_EXCEL,
    "workbook_empty": "工作簿中没有填写了内容的工作表。请填写后重新报送。",
    "workbook_unmatched": "工作簿中没有认得出的报表（表式被改动，或不是要报的表）。请用统一下发的表式填报后重新报送。",
    "hidden_sheet_skipped": "这张工作表是隐藏的，没有读取（隐藏表常是旧版副本）。若它才是要报的数据，请取消隐藏并删去旧表；若不是，请删去这张隐藏表。然后重新报送。",
    "form_year_mismatch": "这张表是另一个年度的表式。请用 {year} 年的表式填报后重新报送。",
    "formula_recalc_needed": "工作簿中公式的结果可能没有更新。请在 Excel 中打开，确认数字无误后保存，重新报送。",
    "table_not_found": "表中找不到表头和数据行（表式被改动）。请按原表式填写，" + _RESEND,
    "field_not_found": "表中找不到这一项（表头或行标签被改动或删去）。请按原表式补齐这一项，"
    + _RESEND,
    "key_column_not_found": "表中找不到写明每行是什么（如专业大类）的一列。请按原表式补齐，"
    + _RESEND,
    "row_without_key": "这一行有数字，但没有写明是什么（如哪个专业大类）。请补上名称，" + _RESEND,
    "unknown_key": "这个名称或代码不是规定的取值（如专业目录中的专业大类）。请按规定改正，"
    + _RESEND,
    "catalogue_mismatch": "专业大类或专业代码用的是另一版专业目录。请按 {year} 年在用的专业目录填写。",
    "code_zero_restored": "代码存成了数字，丢了开头的 0。请把这一列设为文本，写全代码（如 010400）。",
    "duplicate_row": "同一条记录写了两次。请删去重复的一行，或合为一行，" + _RESEND,
    "bad_value": "这个单元格的内容不是可以识别的数字。请改为一个数字（不带文字、多余的符号），"
    + _RESEND,
    "unit_mismatch": "这里写的单位无法识别。请按表式的单位（如 万元、人）填写，" + _RESEND,
    "formula_no_cached_value": "单元格是公式，文件中没有保存计算结果。请在 Excel 中打开、确认数字无误后保存，重新报送。",
    "cell_error_value": "单元格是错误值（如 #DIV/0!）。请改正公式或直接填写数字，" + _RESEND,
    "value_out_of_range": "这个数字超出一般的范围。请核实：填错了的请改正；确实如此的请说明。",
    "total_mismatch": "合计行与各行之和不一致。请核对各行和合计行的数字，" + _RESEND,
    "copy_value_used": "同一数字在两份报表中报送，其中一处为空或无法识别。请确认哪一份是最新的，改正另一份。",
    "conflicting_value": "同一数字在两份报表中报送，且两处不一致，都没有采用。请确认哪一个正确，改正另一份。",
    "missing_return": "没有收到这份数据。请补报 {year} 年的“{dataset}”报表。",
    "field_not_returned": "报表中没有这一项。请按表式补报这一项。",
    "same_as_other_year": "这个文件与另一个年度的文件完全相同。请确认报送的是 {year} 年的报表。",
    "year_mismatch": "文件名、标题或填报日期写的是另一个年度。请确认这是 {year} 年的报表。",
    "probable_unit_error": "与上年相比约为 10、1000 或 10000 倍（或几分之一），像是单位填错（如元与万元）。请按表式的单位核实，"
    + _RESEND,
    "implausible_per_student": "按学生数折算不合理。请核实这个数字和它的单位，" + _RESEND,
    "check": "几个数字之间的关系不成立（见“发现的情况”）。请核对这些数字，" + _RESEND,
    "yoy": "与上年相比变化很大。请核实：数字有误的请改正；无误的请简要说明变化的原因。",
}


@dataclass(frozen=True)
class Problem:
    year: int | None
    issue: Issue
    ask: str  # what the school is asked to do


@dataclass(frozen=True)
class Figure:
    dataset: str  # titles, as the school's forms say them
    item: str  # the record (专业大类 / 专业), blank for a school's one record
    field: str
    unit: str
    this: float | None
    last: float | None
    source: str  # file!sheet!cell of this year's figure (else last year's)
    cells: tuple[tuple[str, str, str], ...] = ()  # (file, sheet, cell) of both years


@dataclass
class Letter:
    school_id: str
    name: str
    year: int
    problems: list[Problem]
    figures: list[Figure] = field(default_factory=list)
    region: str = ""
    contact: str = ""
    date: _dt.date = field(default_factory=_dt.date.today)

    @property
    def file_name(self) -> str:
        return letter_name(self.name or self.school_id, self.year)


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def letter_name(school: str, year: int) -> str:
    """`{学校名称}{year}年报表问题反馈.xlsx`, a name Windows accepts."""
    safe = _UNSAFE.sub("", school).strip(" .") or "学校"
    return f"{safe[:80]}{year}{LETTER_SUFFIX}"


def file_name(path: str) -> str:
    """A return's file as the school knows it: its name, without the bureau's folders."""
    return PurePath(path.replace("\\", "/")).name if path else ""


def school_fixable(item: Issue, names: dict[str, str]) -> bool:
    """An error or warning naming a school of the roster, that the school can put right."""
    return (
        item.severity in (ERROR, WARNING)
        and item.school_id in names
        and item.code not in BUREAU_CODES
    )


def ask_of(item: Issue, year: int | None, pack: Pack) -> str:
    family = item.code.partition(":")[0]
    text = _ASK.get(item.code) or _ASK.get(family)
    if text is None:
        return item.hint or kind_of(item.code).description
    dataset = pack.datasets[item.dataset].title if item.dataset in pack.datasets else "相关"
    return text.format(year=year or "", dataset=dataset)


# ---------------------------------------------------------------- a run's findings


def save_checks(run_folder: Path, checks: list[Issue]) -> None:
    """The run's checks beside its extract folders (issues.csv holds the extraction's)."""
    with atomic_path(run_folder / CHECKS_FILE) as tmp:
        tmp.write_text(
            json.dumps([asdict(i) for i in checks], ensure_ascii=False, indent=1),
            encoding="utf-8",
        )


def run_findings(run_folder: Path, years: list[int]) -> list[tuple[int | None, Issue]]:
    """(the year a finding is about, finding): every year's extraction issues, then the
    checks. A run without saved checks (written by an older tongji) gives FileNotFoundError."""
    out: list[tuple[int | None, Issue]] = []
    for y in years:
        out += [(i.year or y, i) for i in store.read_issues(run_folder / "extract" / str(y))]
    data = json.loads((run_folder / CHECKS_FILE).read_text(encoding="utf-8"))
    out += [(d.get("year"), Issue(**d)) for d in data]
    return out


# ---------------------------------------------------------------- the letters


def letters(
    findings: list[tuple[int | None, Issue]],
    names: dict[str, str],
    pack: Pack,
    year: int,
    extract_dirs: dict[int, Path],
    region: str = "",
    contact: str = "",
    date: _dt.date | None = None,
) -> list[Letter]:
    """One letter per school with something to fix, in roster order."""
    by_school: dict[str, list[Problem]] = {}
    for y, item in findings:
        if school_fixable(item, names):
            by_school.setdefault(item.school_id, []).append(Problem(y, item, ask_of(item, y, pack)))
    if not by_school:
        return []
    figures = _figures(extract_dirs, pack, year, set(by_school))
    out = []
    for sid in (s for s in names if s in by_school):
        problems = sorted(
            by_school[sid],
            key=lambda p: (
                p.issue.severity != ERROR,
                -(p.year or 0),
                p.issue.file,
                p.issue.sheet,
                p.issue.cell,
                p.issue.code,
                p.issue.message,
            ),
        )
        out.append(
            Letter(
                sid,
                names[sid],
                year,
                problems,
                figures.get(sid, []),
                region,
                contact,
                date or _dt.date.today(),
            )
        )
    return out


def _lineage(extract_dirs: dict[int, Path], y: int, schools: set[str]) -> pl.DataFrame | None:
    folder = extract_dirs.get(y)
    if folder is None or not (folder / store.LINEAGE_FILE).is_file():
        return None
    cols = ["dataset", "school_id", "keys", "field", "value", "file", "sheet", "cell"]
    return (
        pl.read_parquet(folder / store.LINEAGE_FILE, columns=cols)
        .filter(pl.col("school_id").is_in(sorted(schools)) & pl.col("value").is_not_null())
        .group_by(["school_id", "dataset", "keys", "field"], maintain_order=True)
        .first()
    )


def _figures(
    extract_dirs: dict[int, Path], pack: Pack, year: int, schools: set[str]
) -> dict[str, list[Figure]]:
    """Each school's figures (numbers the school returned, of school datasets) this year
    beside last year's, in the order of datasets.toml."""
    this, last = _lineage(extract_dirs, year, schools), _lineage(extract_dirs, year - 1, schools)
    rows: dict[str, dict[tuple[str, str, str], list]] = {}
    for which, frame in ((0, this), (1, last)):
        for r in frame.iter_rows(named=True) if frame is not None else ():
            ds = pack.datasets.get(r["dataset"])
            if ds is None or ds.entity != "school" or r["field"] not in ds.fields:
                continue
            slot = rows.setdefault(r["school_id"], {}).setdefault(
                (r["dataset"], r["keys"] or "", r["field"]), [None, None]
            )
            slot[which] = r
    dataset_order = {d: i for i, d in enumerate(pack.datasets)}
    out: dict[str, list[Figure]] = {}
    for sid, found in rows.items():
        figures = []
        for (d, keys, f), pair in sorted(
            found.items(),
            key=lambda kv: (
                dataset_order[kv[0][0]],
                kv[0][1],
                list(pack.datasets[kv[0][0]].fields).index(kv[0][2]),
            ),
        ):
            ds = pack.datasets[d]
            fdef = ds.fields[f]
            src = pair[0] or pair[1]
            figures.append(
                Figure(
                    ds.title,
                    " / ".join(v for v in store.decode_keys(keys).values() if v),
                    fdef.title,
                    fdef.unit or "",
                    pair[0]["value"] if pair[0] else None,
                    pair[1]["value"] if pair[1] else None,
                    f"{file_name(src['file'])}!{src['sheet']}!{src['cell']}",
                    tuple((r["file"], r["sheet"], r["cell"]) for r in pair if r),
                )
            )
        out[sid] = figures
    return out


def write_letters(target: Path, found: list[Letter]) -> list[Path]:
    """Each letter into `target`, written atomically; a letter from before whose school has
    nothing to fix now is removed. Stops before writing anything when a letter to be
    replaced is open in Excel."""
    paths = [target / x.file_name for x in found]
    seen: set[str] = set()
    for i, (x, p) in enumerate(zip(found, paths, strict=True)):  # two schools of one name
        if p.name.lower() in seen:
            paths[i] = target / letter_name(f"{x.name}（{x.school_id}）", x.year)
        seen.add(paths[i].name.lower())
    stale = [
        p for p in (target.glob(f"*{LETTER_SUFFIX}") if target.is_dir() else []) if p not in paths
    ]
    ensure_replaceable(paths + stale)
    target.mkdir(parents=True, exist_ok=True)
    for x, p in zip(found, paths, strict=True):
        with atomic_path(p) as tmp:
            write_letter(tmp, x)
    for p in [*stale, *target.glob(f".*{LETTER_SUFFIX}.*.tmp")]:  # and what a kill left
        p.unlink(missing_ok=True)
    return paths


def write_feedback(
    run_folder: Path,
    target: Path,
    pack: Pack,
    year: int,
    region: str = "",
    contact: str = "",
    date: _dt.date | None = None,
) -> list[Path]:
    """The letters of the run in `run_folder` (its extract folders, the roster kept with
    them and its saved checks) into `target`; returns the files written, one per school
    with something to fix."""
    years = [y for y in (year - 1, year) if (run_folder / "extract" / str(y)).is_dir()]
    roster = store.read_roster(run_folder / "extract" / str(year))
    names = (
        dict(zip(roster["school_id"], roster["school_name"], strict=True))
        if roster is not None
        else {}
    )
    found = letters(
        run_findings(run_folder, years),
        names,
        pack,
        year,
        {y: run_folder / "extract" / str(y) for y in years},
        region,
        contact,
        date,
    )
    return write_letters(target, found)


def with_summary_line(summary: str, feedback: dict, output: Path) -> str:
    """A run's summary with a line on its letters (`feedback` as in its manifest), before
    the line naming the run record."""
    line = summary_line(len(feedback.get("schools", [])), output / feedback.get("folder", ""))
    lines = summary.splitlines()
    at = next((i for i, x in enumerate(lines) if x.startswith("  运行记录")), len(lines))
    return "\n".join([*lines[:at], line, *lines[at:]])


def summary_line(count: int, folder: Path | str) -> str:
    if not count:
        return "  反馈给学校：没有学校需要核实报表"
    return f"  反馈给学校：{count} 所学校的报表有问题需要核实，每校一个工作簿：{folder}"
