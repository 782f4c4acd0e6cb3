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
from dataclasses import asdict, dataclass, field
from pathlib import Path

import polars as pl

from ..config.mapping import Pack
from ..extraction import store
from ..extraction.figures import decode_keys
from ..files import atomic_path, ensure_replaceable
from ..findings import ERROR, WARNING, Issue
from ..words.labels import file_stem
from .render.feedback import ask_of, file_name, write_letter

FEEDBACK_DIR = "反馈给学校"  # in a run's folder, beside extract/
CHECKS_FILE = "checks.json"  # the run's checks, so that its letters can be written again
LETTER_SUFFIX = "年报表问题反馈.xlsx"

# Findings that are the bureau's to deal with: its machine, its mappings, its roster, its
# corrections file, its catalogue crosswalk, a dataset no school returns.
BUREAU_CODES = frozenset(
    "missing_file unreadable sheet_ambiguous sheet_unmatched table_ambiguous"
    " school_name_not_in_roster correction_unmatched internal_error missing_dataset"
    " missing_year crosswalk_unmapped".split()
)


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


def letter_name(school: str, year: int) -> str:
    """`{学校名称}{year}年报表问题反馈.xlsx`, a name Windows accepts."""
    return f"{file_stem(school, '学校', limit=80, replace='')}{year}{LETTER_SUFFIX}"


def school_fixable(item: Issue, names: dict[str, str]) -> bool:
    """An error or warning naming a school of the roster, that the school can put right."""
    return (
        item.severity in (ERROR, WARNING)
        and item.school_id in names
        and item.code not in BUREAU_CODES
    )


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
                    " / ".join(v for v in decode_keys(keys).values() if v),
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


def write_letters(target: Path, found: list[Letter], year: int) -> list[Path]:
    """Each letter of `year` into `target`, written atomically; a letter of that year from
    before whose school has nothing to fix now is removed (other years' letters stay).
    Stops before writing anything when a letter to be replaced is open in Excel."""
    paths = [target / x.file_name for x in found]
    seen: set[str] = set()
    for i, (x, p) in enumerate(zip(found, paths, strict=True)):  # two schools of one name
        if p.name.lower() in seen:
            paths[i] = target / letter_name(f"{x.name}（{x.school_id}）", x.year)
        seen.add(paths[i].name.lower())
    stale = [
        p
        for p in (target.glob(f"*{year}{LETTER_SUFFIX}") if target.is_dir() else [])
        if p not in paths
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
    return write_letters(target, found, year)


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
