"""What a run leaves for people: the manifest (what it was built from: inputs, configs,
hashes, counts, timings) and the summary it prints at the end."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..config.job import Job
from ..config.mapping import Pack
from ..errors import ExitCode
from ..extraction.roster import Roster
from ..findings import ERROR, INFO, SEVERITY_LABEL, WARNING, Issue
from .incremental import InputRecord, display_name

MANIFEST_FILE = "manifest.json"


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
    }


TOP_ISSUES = (
    8  # findings listed by name in the summary; all of them are in the workbook and issues.csv
)


def top_issues(issues: list[Issue], names: dict[str, str]) -> list[dict[str, str]]:
    """The first errors (then warnings) with where they are: for the summary and the manifest."""
    order = {ERROR: 0, WARNING: 1}
    ranked = sorted(
        (i for i in issues if i.severity in order),
        key=lambda i: (order[i.severity], i.year or 0, i.file, i.sheet, i.cell, i.code),
    )
    return [
        {
            "severity": i.severity,
            "code": i.code,
            "school": names.get(i.school_id, i.school_id),
            "file": i.file,
            "sheet": i.sheet,
            "cell": i.cell,
            "message": i.message,
            "year": str(i.year or ""),
        }
        for i in ranked[:TOP_ISSUES]
    ]


def _issue_lines(m: dict[str, Any]) -> list[str]:
    top, c = m.get("top_issues", []), m["counts"]
    if not top:
        return []
    total = c["errors"] + c["warnings"]
    lines = [
        f"  需要处理的问题（共 {total} 个，前 {len(top)} 个如下；全部见汇总工作簿的“数据质量”表和各年度的 issues.csv）："
    ]
    for t in top:
        where = "，".join(
            x
            for x in (
                "" if t["message"].startswith(t["school"]) else t["school"],  # not said twice
                t["file"],
                f"{t['sheet']}!{t['cell']}" if t["cell"] else t["sheet"],
            )
            if x
        )
        lines.append(
            f"    {SEVERITY_LABEL[t['severity']]}  {t['code']}  "
            + (f"{where}：" if where else "")
            + t["message"]
        )
    return lines


def summary_text(
    job: Job,
    result: RunResult,
    missing: dict[str, set[str]],
    log_path: Path,
    nothing_changed: bool = False,
) -> str:
    m = result.manifest
    c = m["counts"]
    lines = [
        f"{job.name}（{job.year} 年）："
        + ("完成，没有错误" if result.exit_code == ExitCode.OK else "完成，有数据问题需要处理")
    ]
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
    complete = c["schools"] - len(missing)
    absent = "；".join(f"{n}（{'、'.join(sorted(w))}）" for n, w in sorted(missing.items()))
    unread = m.get("not_read", [])
    if unread:
        shown = "；".join(f"{u['file']}（{u['reason']}）" for u in unread[:5]) + (
            f" 等 {len(unread)} 个" if len(unread) > 5 else ""
        )
        lines.append(f"  未读取的文件：{shown}")
    lines.append(
        f"  学校：名录 {c['schools']} 所，报齐 {complete} 所"
        + (f"；缺报 {len(missing)} 所：{absent}" if missing else "")
    )
    lines.append(
        f"  错误 {c['errors']} 个{_by_code(c.get('errors_by_code', {}))}；警告 {c['warnings']} 个{_by_code(c.get('warnings_by_code', {}))}"
    )
    lines += _issue_lines(m)
    out = job.output
    lines.append(f"  汇总工作簿：{out / job.summary}")
    lines.append(
        f"  提取结果与问题清单：{out / m.get('outputs', {}).get('run', 'runs')}/extract（各年度的 issues.csv）"
    )
    lines.append(f"  运行记录：{out / MANIFEST_FILE}；日志：{log_path}")
    lines.append(f"  用时 {m['timings_s']['total']:.1f} 秒")
    return "\n".join(lines)


def _by_code(codes: dict[str, int]) -> str:
    return f"（{'、'.join(f'{k} {v}' for k, v in sorted(codes.items()))}）" if codes else ""


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
