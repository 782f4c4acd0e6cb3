"""What a run says about its inputs as a whole, beyond each file's findings: a job whose
output folder holds its inputs (refused), a year of which nothing could be read, a return
given in two years' folders."""

from __future__ import annotations

import os
from itertools import takewhile
from pathlib import Path

from ..config.job import Job
from ..errors import ConfigError, ConfigProblem
from ..findings import Issue, issue
from .incremental import InputRecord


def check_output_apart(job: Job) -> None:
    """An input folder inside the output folder (`output = "."`) would be read as nothing:
    the output folder's files are never returns. Such a job is a mistake in the job file."""
    out = Path(os.path.realpath(job.output))
    for year, patterns in job.inputs.items():
        for pattern in patterns:
            path = Path(pattern) if Path(pattern).is_absolute() else job.base / pattern
            fixed = takewhile(lambda part: not any(ch in part for ch in "*?["), path.parts)
            head = Path(os.path.realpath(Path(*fixed)))  # the folder a glob searches in
            if head == out or out in head.parents:
                raise ConfigError(
                    [
                        ConfigProblem(
                            str(job.file),
                            "output",
                            f"输出目录“{job.output}”包含了 {year} 年的输入“{pattern}”，"
                            "输出目录中的文件不会当作报表读取，这样一个文件也读不到；"
                            '请把输出目录放在输入文件夹之外（如 output = "../out"）',
                        )
                    ]
                )


def nothing_read(year: int, records: list[InputRecord], unread: list[dict]) -> list[Issue]:
    """A year whose inputs hold files but not one workbook to read: its figures would all be
    missing while the run said nothing but "not read" warnings."""
    if records or not unread:
        return []
    return [
        issue(
            "nothing_read",
            f"{year} 年的输入中有 {len(unread)} 个文件，但没有一个是可以读取的报表",
            "请检查任务文件中该年度的输入是否指向了报表所在的文件夹。",
            year=year,
        )
    ]


def same_as_other_years(inputs: list[InputRecord]) -> list[Issue]:
    """A return in one year's folder with exactly the bytes of one in another year's: last
    year's file given as this year's gives a report whose every change is 0."""
    by_sha: dict[str, list[InputRecord]] = {}
    for rec in inputs:
        by_sha.setdefault(rec.sha256, []).append(rec)
    out = []
    for recs in by_sha.values():
        for rec in recs:
            others = [r for r in recs if r.year != rec.year]
            if others:
                names = "、".join(f"{r.year} 年的“{r.file}”" for r in others)
                out.append(
                    issue(
                        "same_as_other_year",
                        f"与{names}内容完全相同",
                        f"请确认这是 {rec.year} 年的报表，而不是别的年度的文件放错了文件夹。",
                        file=rec.file,
                        school_id=rec.school_id or "",
                        year=rec.year,
                    )
                )
    return out
