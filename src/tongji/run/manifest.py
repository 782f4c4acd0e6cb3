"""What a run leaves for people: the manifest (what it was built from: inputs, configs,
hashes, counts, timings) and the summary it prints at the end."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__, build
from ..config.job import Job
from ..config.mapping import Pack
from ..errors import ExitCode
from ..extraction.roster import Roster
from ..findings import ERROR, INFO, SEVERITY_LABEL, WARNING, Issue, code_title
from .incremental import InputRecord, display_name

MANIFEST_FILE = "manifest.json"
LATEST = "最新提取"  # the current run's extract/ at a stable path (run/commit.py)


@dataclass
class RunResult:
    exit_code: int
    summary: str
    inputs: list[InputRecord] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def files_read(self) -> int:
        return sum(1 for i in self.inputs if i.status == "read")

    @property
    def files_cached(self) -> int:
        return sum(1 for i in self.inputs if i.status == "cached")


def missing_by_school(checks: list[Issue], roster: Roster, pack: Pack) -> dict[str, set[str]]:
    """School name → the returns it did not send (`2019 年毕业生就业`)."""
    names = {s.school_id: s.name for s in roster.schools}
    out: dict[str, set[str]] = {}
    for i in checks:
        if i.code == "missing_return" and i.school_id and i.dataset in pack.datasets:
            out.setdefault(names.get(i.school_id, i.school_id), set()).add(
                f"{i.year} 年{pack.datasets[i.dataset].title}"
            )
    return out


def counts(
    job: Job,
    inputs: list[InputRecord],
    issues: list[Issue],
    years: list[int],
    roster: Roster,
    missing: dict[str, set[str]],
) -> dict[str, Any]:
    return {
        "files": len(inputs),
        "files_read": sum(i.status == "read" for i in inputs),
        "files_cached": sum(i.status == "cached" for i in inputs),
        "values": {str(y): sum(i.n_values for i in inputs if i.year == y) for y in years},
        "errors": sum(i.severity == ERROR for i in issues),
        "warnings": sum(i.severity == WARNING for i in issues),
        "issues_by_code": dict(
            sorted(Counter(i.code for i in issues if i.severity != INFO).items())
        ),
        "errors_by_code": dict(
            sorted(Counter(i.code for i in issues if i.severity == ERROR).items())
        ),
        "warnings_by_code": dict(
            sorted(Counter(i.code for i in issues if i.severity == WARNING).items())
        ),
        "schools": len(roster.schools),
        "schools_missing": {name: sorted(what) for name, what in missing.items()},
        "city_gaps": city_gaps(issues),
        "corrections": sum(i.code == "corrected" for i in issues),
        "corrections_file": job.corrections.name if job.corrections else "",
    }


_QUOTED = re.compile(r"“([^”]+)”")
# Findings the summary says in lines of their own (缺报, 全市没有的数据), not one by one.
_GAP_CODES = ("missing_return", "missing_dataset")


def _city_gap(i: Issue) -> bool:
    """A gap no school fills: a dataset nobody returned, or a field no return holds."""
    return i.code == "missing_dataset" or (i.code == "field_not_returned" and not i.school_id)


def city_gaps(issues: list[Issue]) -> dict[str, dict[str, list[int]]]:
    """What no school of the city returned: dataset title → {"": years} for the whole
    dataset, {field title: years} for single fields (titles as the findings quote them)."""
    out: dict[str, dict[str, set[int]]] = {}
    for i in issues:
        if not _city_gap(i) or i.year is None:
            continue
        quoted = _QUOTED.findall(i.message) or [i.dataset]
        field = quoted[1] if i.code == "field_not_returned" and len(quoted) > 1 else ""
        out.setdefault(quoted[0], {}).setdefault(field, set()).add(i.year)
    return {d: {f: sorted(y) for f, y in sorted(fs.items())} for d, fs in sorted(out.items())}


TOP_ISSUES = (
    8  # findings listed by name in the summary; all of them are in the workbook and issues.csv
)


def top_issues(issues: list[Issue], names: dict[str, str]) -> list[dict[str, str]]:
    """The first errors (then warnings) with where they are: for the summary and the
    manifest. Missing returns and what nobody in the city returned are left to lines of
    their own, and files not read to theirs."""
    order = {ERROR: 0, WARNING: 1}
    ranked = sorted(
        (
            i
            for i in issues
            if i.severity in order
            and not (i.severity == WARNING and (i.code in _GAP_CODES or _city_gap(i)))
            and not (i.severity == WARNING and i.code == "file_not_read")
        ),
        key=lambda i: (order[i.severity], i.year or 0, i.file, i.sheet, i.cell, i.code),
    )
    return [
        {
            "severity": i.severity,
            "code": i.code,
            "title": code_title(i.code),
            "school": names.get(i.school_id, i.school_id),
            "file": i.file,
            "sheet": i.sheet,
            "cell": i.cell,
            "message": i.message,
            "year": str(i.year or ""),
        }
        for i in ranked[:TOP_ISSUES]
    ]


def _issue_line(t: dict[str, str]) -> str:
    where = "，".join(
        x
        for x in (
            "" if t["message"].startswith(t["school"]) else t["school"],  # not said twice
            t["file"],
            f"{t['sheet']}!{t['cell']}" if t["cell"] else t["sheet"],
        )
        if x
    )
    title = t.get("title") or code_title(t["code"])
    return (
        f"    {SEVERITY_LABEL[t['severity']]}  {title}  "
        + (f"{where}：" if where else "")
        + t["message"]
    )


def _issue_lines(m: dict[str, Any]) -> list[str]:
    """The first errors, then the first warnings, one line each."""
    top, c = m.get("top_issues", []), m["counts"]
    if not top:
        return []
    total = c["errors"] + c["warnings"]
    return [
        f"  需要处理的问题（共 {total} 个，前 {len(top)} 个如下；全部见汇总工作簿的“数据质量”表和各年度的 issues.csv）：",
        *(_issue_line(t) for t in top),
    ]


def _years(years) -> str:
    return "、".join(str(y) for y in years) + " 年"


def _missing_lines(missing: dict[str, set[str]], gaps: dict) -> list[str]:
    """Missing returns, schools that miss the same returns in one line; returns that nobody
    in the city sent are not repeated here (they are in the line of city-wide gaps)."""
    nobody = {(d, y) for d, fs in gaps.items() for y in fs.get("", [])}
    by_what: dict[str, list[str]] = {}
    for school, what in missing.items():
        years: dict[str, list[int]] = {}
        for w in sorted(what):
            year, _, title = w.partition(" 年")
            if year.isdigit() and (title, int(year)) not in nobody:
                years.setdefault(title, []).append(int(year))
        if years:
            shown = "、".join(f"{t}（{_years(y)}）" for t, y in sorted(years.items()))
            by_what.setdefault(shown, []).append(school)
    return [
        f"    缺报：{'、'.join(sorted(schools))}——{what}"
        for what, schools in sorted(by_what.items(), key=lambda x: (-len(x[1]), x[0]))
    ]


def _gap_line(gaps: dict) -> list[str]:
    """What nobody in the city returned, in one line (often a return the city does not
    collect): whole datasets, then single fields."""
    if not gaps:
        return []
    whole = [f"{d}（{_years(fs[''])}）" for d, fs in gaps.items() if "" in fs]
    fields = [
        f"{d}的{'、'.join(f for f in fs if f)}（{_years(sorted({y for f, ys in fs.items() if f for y in ys}))}）"
        for d, fs in gaps.items()
        if any(fs)
    ]
    parts = ([f"整类没有：{'、'.join(whole)}"] if whole else []) + (
        [f"报表中都没有：{'；'.join(fields)}"] if fields else []
    )
    return [f"    全市都没有的数据（本市不收这类报表时可不理会）：{'；'.join(parts)}"]


def _first_line(job: Job, result: RunResult, c: dict[str, Any]) -> str:
    """How the run ended, with the counts (all that `-q` shows)."""
    errors, warnings = c["errors"], c["warnings"]
    if errors:
        ended = f"完成，有 {errors} 个错误需要处理" + (
            f"，另有 {warnings} 个警告" if warnings else ""
        )
    elif result.exit_code != ExitCode.OK:
        ended = f"完成，没有错误；{warnings} 个警告（strict = true：警告也算未通过）"
    else:
        ended = "完成，没有错误" + (f"；{warnings} 个警告" if warnings else "和警告")
    return f"{job.name}（{job.year} 年）：{ended}"


def summary_text(
    job: Job,
    result: RunResult,
    missing: dict[str, set[str]],
    log_path: Path,
    nothing_changed: bool = False,
) -> str:
    """What `tongji run` prints at the end: how it ended; the files and figures of each
    year; the errors, then the warnings (missing returns grouped, what nobody returned in
    one line, files not read, the first of the rest); where the outputs are; what to run
    again."""
    m = result.manifest
    c = m["counts"]
    lines = [_first_line(job, result, c)]
    if nothing_changed:
        lines.append(
            f"  输入和配置自上次运行（{m.get('unchanged_since', '')}）以来都没有变化，沿用上次的输出"
        )
    for year in job.inputs:
        recs = [i for i in result.inputs if i.year == year]
        read = sum(i.status == "read" for i in recs)
        lines.append(
            f"  {year} 年：{len(recs)} 个文件（新读 {read} 个，沿用上次结果 {len(recs) - read} 个），{c['values'].get(str(year), 0)} 个数字"
        )
    gaps = c.get("city_gaps", {})
    late = _missing_lines(missing, gaps)
    lines.append(
        f"  学校：名录 {c['schools']} 所，报齐 {c['schools'] - len(missing)} 所"
        + (f"，缺报 {len(missing)} 所（见下）" if missing else "")
    )
    if c.get("corrections"):
        source = c.get("corrections_file") or "更正文件"
        lines.append(
            f"  更正：按 {source} 更正了 {c['corrections']} 个数字（见“数据质量”和“来源”表）"
        )
    top = m.get("top_issues", [])
    errors = [t for t in top if t["severity"] == ERROR]
    warnings = [t for t in top if t["severity"] == WARNING]
    if c["errors"]:
        lines.append(
            f"  错误 {c['errors']} 个{_by_code(c.get('errors_by_code', {}))}"
            + (f"，前 {len(errors)} 个：" if errors else "")
        )
        lines += [_issue_line(t) for t in errors]
    unread = m.get("not_read", [])
    if c["warnings"] or unread:
        lines.append(f"  警告 {c['warnings']} 个{_by_code(c.get('warnings_by_code', {}))}：")
        lines += late + _gap_line(gaps)
        if unread:
            shown = "；".join(f"{u['file']}（{u['reason']}）" for u in unread[:5]) + (
                f" 等 {len(unread)} 个" if len(unread) > 5 else ""
            )
            lines.append(f"    未读取的文件：{shown}")
        lines += [_issue_line(t) for t in warnings]
    if c["errors"] + c["warnings"]:
        lines.append("  全部问题（含处理建议）见汇总工作簿的“数据质量”表和各年度的 issues.csv")
    out = job.output
    lines.append(f"  汇总工作簿：{out / job.summary}")
    lines.append(
        f"  提取结果与问题清单（CSV、tongji.sqlite、issues.csv）：{out / LATEST}（本次运行的，按年度）"
    )
    lines.append(f"  运行记录：{out / MANIFEST_FILE}；日志：{log_path}")
    if c["errors"] + c["warnings"]:
        lines.append(
            f"  改好报表、写好更正后再运行一次：tongji run {display_name(job.file, Path.cwd())}"
        )
    lines.append(f"  用时 {m['timings_s']['total']:.1f} 秒")
    return "\n".join(lines)


def _by_code(codes: dict[str, int]) -> str:
    """`（无法识别的数值 1、缺报 2）`: counts by the findings' Chinese names."""
    named: Counter[str] = Counter()
    for code, n in codes.items():
        named[code_title(code)] += n
    return f"（{'、'.join(f'{k} {v}' for k, v in sorted(named.items()))}）" if named else ""


def manifest_of(
    job: Job,
    started: str,
    finished: str,
    exit_code: int,
    configs: dict[str, str],
    keys: dict[str, str],
    inputs: list[InputRecord],
    counted: dict[str, Any],
    timings: dict[str, float],
    years: list[int],
    log: str,
    run_id: str,
) -> dict[str, Any]:
    return {
        "tool": "tongji",
        "version": __version__,
        "build": build(),
        "run": run_id,
        "job": display_name(job.file, job.base),
        "name": job.name,
        "year": job.year,
        "started": started,
        "finished": finished,
        "exit_code": exit_code,
        "configs": configs,
        "config_keys": keys,
        "inputs": [vars(i) for i in inputs],
        "counts": counted,
        "timings_s": timings,
        "outputs": {
            "summary": job.summary,
            "run": f"runs/{run_id}",
            "extract": [f"runs/{run_id}/extract/{y}" for y in years],
            "log": log,
        },
    }
