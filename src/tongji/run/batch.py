"""`tongji run JOB.toml`: the December batch, unattended and repeatable.

One run: lock the output folder → clear what a killed run left → load every config once →
extract every year's inputs (re-using the results of files whose bytes and configs are
unchanged since the last run) → aggregate → write the summary workbook and the letters back
to the schools (`reporting.feedback`) → commit (see `commit`: the run's outputs become
current in one step, or not at all).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from loguru import logger

from .. import build
from ..config.job import Job, load_job
from ..errors import UsageError, describe_error
from ..extraction import FileResult, Progress, merge_results
from ..extraction.corrections import Correction, apply_corrections, load_corrections
from ..extraction.pool import Workers
from ..extraction.store import add_issues, write_extract
from ..findings import Issue, exit_code
from ..project import Project, load_project, with_catalogue_years
from ..reporting import publish
from ..reporting.feedback import (
    CHECKS_FILE,
    FEEDBACK_DIR,
    save_checks,
    with_summary_line,
    write_feedback,
)
from . import cache
from .commit import (
    CACHE,
    RUNS,
    clear_stale,
    commit,
    current_run,
    read_manifest,
    refresh_copy,
    staging_dir,
    write_manifest,
)
from .incremental import Hasher, InputRecord, YearExtraction, display_name
from .inputs import check_output_apart, nothing_read, same_as_other_years
from .lock import OutputLock, now
from .logfile import RunLog
from .manifest import (
    MANIFEST_FILE,
    RunResult,
    counts,
    manifest_of,
    missing_by_school,
    summary_text,
    top_issues,
)

KEEP_LOGS = 30


@dataclass
class _Run:
    """What one run works with, and what it has done so far."""

    job: Job
    project: Project
    roster_sha: str
    previous: dict
    hasher: Hasher
    configs: dict[str, str]
    corrections: list[Correction] = field(default_factory=list)
    staging: Path = Path()
    cache_staging: Path = Path()  # new cache entries, on the file system of cache/
    started: str = ""
    t0: float = 0.0
    log_path: Path = Path()
    timings: dict[str, float] = field(default_factory=dict)
    progress: Callable[[int], Progress] | None = None

    def year(self, year: int) -> YearExtraction:
        return YearExtraction(
            self.job,
            year,
            self.project.pack,
            self.project.roster,
            self.roster_sha,
            self.previous,
            self.hasher,
        )  # type: ignore[arg-type]


def run_job(
    job_path: str | Path, dry_run: bool = False, progress: Callable[[int], Progress] | None = None
) -> RunResult:
    """Run a job. Raises ConfigError / RosterError for bad configs and LockError when
    another run holds the output folder; data problems are in the result. A run that fails
    says why in its own log, and leaves the last run's outputs as they were. `progress`
    gives what follows a year's reading (a bar on a terminal); by default the log does."""
    job = load_job(job_path)
    check_output_apart(job)
    if dry_run:
        return _dry_run(_prepare(job))
    started, t0 = now(), time.perf_counter()
    with OutputLock(job.output):
        clear_stale(job.output)
        before = read_manifest(job.output).get("run")
        sink, log_path = _setup_run_log(job.output)
        staging = staging_dir(job.output)
        cache_staging = staging_dir(job.output, CACHE)
        try:
            run = _prepare(job)
            run.staging, run.started, run.t0, run.log_path = staging, started, t0, log_path
            run.cache_staging = cache_staging
            run.progress = progress or _LogProgress
            return _run(run)
        except BaseException as exc:
            after = read_manifest(job.output).get("run")
            if after and after != before:  # failed after its commit: the outputs are this run's
                with contextlib.suppress(AttributeError, TypeError):
                    exc.committed_run = after  # type: ignore[attr-defined]
            # into this run's log (the terminal gets the message from the command line, without a traceback)
            logger.bind(log_only=True).opt(exception=exc).error("运行失败：{}", describe_error(exc))
            raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            shutil.rmtree(cache_staging, ignore_errors=True)
            logger.remove(sink)


def _prepare(job: Job) -> _Run:
    """Every config the job names, validated before anything is read or written."""
    project = with_catalogue_years(
        load_project(job.mappings, report=job.report, roster=job.roster),
        job.catalogues,
        str(job.file),
        "catalogue",
    )
    if job.read_hidden:  # the job says hidden rows and columns are data
        project = replace(project, pack=replace(project.pack, read_hidden=True))
    hasher = Hasher()
    configs = {}
    for i, folder in enumerate(
        job.mappings
    ):  # the pack as mappings/…, further folders by their place
        name = "mappings" if i == 0 else display_name(folder, job.base)
        configs.update(
            {
                f"{name}/{path.relative_to(folder).as_posix()}": hasher.sha256(path)
                for path in sorted(folder.rglob("*.toml"))
            }
        )
    named = [
        ("roster", job.roster),
        ("report", job.report),
        ("job", job.file),
        *((("corrections", job.corrections),) if job.corrections else ()),
    ]
    for label, path in named:
        configs[f"{label}:{display_name(path, job.base)}"] = hasher.sha256(path)
    corrections = (
        load_corrections(job.corrections) if job.corrections else []
    )  # checked before anything is read
    return _Run(
        job,
        project,
        hasher.sha256(job.roster),
        read_manifest(job.output),
        hasher,
        configs,
        corrections,
    )


def _setup_run_log(out: Path) -> tuple[int, Path]:
    logs = out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    path = logs / f"run_{_dt.datetime.now():%Y%m%d_%H%M%S}_{os.getpid()}.log"
    sink = logger.add(RunLog(path), level="DEBUG", enqueue=False)  # a full disk: no dumps
    for old in sorted(logs.glob("run_*.log"))[:-KEEP_LOGS]:
        old.unlink(missing_ok=True)
    return sink, path


class _LogProgress(Progress):
    """Log every tenth of a large year's files: an unattended run's log shows how far it got."""

    def __init__(self, year: int):
        self.year, self.total, self.done, self.next = year, 0, 0, 1

    def start(self, total: int) -> None:
        self.total, self.next = total, max(1, total // 10)

    def advance(self, result: FileResult) -> None:
        self.done += 1
        if self.done >= self.next and self.total >= 1000:
            logger.info("{} 年：已读取 {}/{} 个文件", self.year, self.done, self.total)
            self.next += max(1, self.total // 10)


def _run_id(run: _Run) -> str:
    """When and by which process: unique among the runs kept (two runs in one second too)."""
    base = f"{_dt.datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}"
    run_id, n = base, 2
    while (run.job.output / RUNS / run_id).exists():
        run_id, n = f"{base}-{n}", n + 1
    return run_id


def _run(run: _Run) -> RunResult:
    job, roster = run.job, run.project.roster
    assert roster is not None
    logger.info("任务“{}”：{} 年，输入 {} 个年度", job.name, job.year, len(job.inputs))
    unchanged = _unchanged(run)
    if unchanged is not None:
        return unchanged
    inputs, extract_issues, new_cache, keys, unread = _extract_years(run)
    t = time.perf_counter()
    years = list(job.inputs)
    report_years = [y for y in years if y in (job.year - 1, job.year)]
    run_id = _run_id(run)
    cited = [
        display_name(job.output / RUNS / run_id / "extract" / str(y), job.base)
        for y in report_years
    ]  # where they are once committed
    published = publish(
        run.project,
        [run.staging / "extract" / str(y) for y in report_years],
        job.year,
        run.staging / job.summary,
        job.region,
        cited,
        job.base,
        job.output,  # links work from the summary copy beside manifest.json
        # a 来源 too long for its sheet: the run's own file, named as it is once committed
        # (not in 最新提取/, which a later run replaces: its row numbers would be another's)
        (run.staging / f"来源_{job.year}.csv", f"{RUNS}/{run_id}/来源_{job.year}.csv"),
    )
    run.timings["aggregate"] = round(time.perf_counter() - t, 3)
    letters = _write_letters(run, published.checks)
    all_issues = extract_issues + published.checks
    code = exit_code(all_issues, job.strict)
    missing = missing_by_school(published.checks, roster, run.project.pack)
    counted = counts(job, inputs, all_issues, years, roster, missing)
    run.timings["total"] = round(time.perf_counter() - run.t0, 3)
    manifest = manifest_of(
        job,
        run.started,
        now(),
        code,
        run.configs,
        keys,
        inputs,
        counted,
        run.timings,
        years,
        display_name(run.log_path, job.output),
        run_id,
    )
    manifest["not_read"] = unread
    manifest["top_issues"] = top_issues(all_issues, {s.school_id: s.name for s in roster.schools})
    manifest["feedback"] = {
        "folder": f"{RUNS}/{run_id}/{FEEDBACK_DIR}",
        "schools": [p.name for p in letters],
    }
    commit(
        job.output,
        run.staging,
        manifest,
        job.summary,
        new_cache,
        run.previous.get("run"),
        run.cache_staging,
    )
    _prune_cache(job.output, inputs, keys)
    result = RunResult(
        code,
        "",
        inputs,
        [job.output / job.summary, job.output / MANIFEST_FILE],
        all_issues,
        manifest,
    )
    result.summary = with_summary_line(
        summary_text(job, result, missing, run.log_path), manifest["feedback"], job.output
    )
    logger.bind(log_only=True).info("\n{}", result.summary)  # the command line prints it
    return result


def _write_letters(run: _Run, checks: list[Issue]) -> list[Path]:
    """The letters back to the schools, into the staged run (committed with it); the checks
    are saved beside the extract folders, so that `tongji feedback` can write them again."""
    save_checks(run.staging, checks)
    job = run.job
    return write_feedback(
        run.staging, run.staging / FEEDBACK_DIR, run.project.pack, job.year, job.region
    )


def _extract_years(
    run: _Run,
) -> tuple[list[InputRecord], list[Issue], list[Path], dict[str, str], list[dict]]:
    """Every year's extraction, written into the staging folder one year at a time."""
    inputs: list[InputRecord] = []
    issues: list[Issue] = []
    new_cache: list[Path] = []
    keys: dict[str, str] = {}
    unread: list[dict] = []
    # one set of worker processes for every year, forked while this process is small (one
    # forked later would carry a year's figures in its memory)
    with Workers(run.project.pack, run.project.roster, run.job.jobs, cache.keep) as workers:
        if any(run.job.inputs.values()):
            workers.start()
        for year in run.job.inputs:
            _extract_year(run, year, workers, inputs, issues, new_cache, keys, unread)
    across = same_as_other_years(inputs)
    for year in {
        i.year for i in across
    }:  # into that year's issues.csv, where the workbook reads them
        add_issues(run.staging / "extract" / str(year), [i for i in across if i.year == year])
    return inputs, issues + across, new_cache, keys, unread


def _extract_year(
    run: _Run,
    year: int,
    workers: Workers,
    inputs: list[InputRecord],
    issues: list[Issue],
    new_cache: list[Path],
    keys: dict[str, str],
    unread: list[dict],
) -> None:
    """One year's extraction, written into the staging folder; what it found is added to
    the lists given. A year's figures are on disk when it returns, and freed."""
    t = time.perf_counter()
    extraction = run.year(year)
    done = extraction.run(run.cache_staging, (run.progress or _LogProgress)(year), workers)
    merged = merge_results(done.results, year)
    if run.corrections:
        source = display_name(run.job.corrections, run.job.base)  # type: ignore[arg-type]
        merged = apply_corrections(
            merged, run.corrections, run.project.roster, run.project.pack, source
        )  # type: ignore[arg-type]
    write_extract(merged, run.project.pack, run.staging / "extract" / str(year), run.project.roster)
    nothing = nothing_read(year, done.records, done.not_read)
    if nothing:  # into the year's issues.csv too, where the workbook reads them
        add_issues(run.staging / "extract" / str(year), nothing)
    inputs.extend(done.records)
    issues.extend(merged.issues + nothing)
    new_cache.extend(done.new_cache)
    unread.extend(done.not_read)
    keys[str(year)] = extraction.key
    run.timings[f"extract_{year}"] = round(time.perf_counter() - t, 3)


def _prune_cache(out: Path, inputs: list[InputRecord], keys: dict[str, str]) -> None:
    """Drop cache entries no current input uses (an old version of a corrected return)."""
    wanted = {(str(i.year), f"{i.sha256[:24]}_{keys[str(i.year)][:16]}") for i in inputs}
    for year_dir in (out / "cache").glob("*"):
        for f in year_dir.glob("*"):
            if f.is_file() and (year_dir.name, f.name.split(".")[0]) not in wanted:
                f.unlink(missing_ok=True)


def feedback_for_last_run(
    job_path: str | Path, target: str | Path | None = None, contact: str = ""
) -> tuple[list[Path], Path, dict]:
    """`tongji feedback`: the letters back to the schools, written again from the current
    run (its extract folders and checks; nothing is read or checked again) into `target`,
    by default the output folder's 反馈给学校. Returns the letters, their folder and the
    run's manifest; UsageError when there is no run of the job's year to write them from."""
    job = load_job(job_path)
    into = Path(target) if target is not None else job.output / FEEDBACK_DIR
    with OutputLock(job.output):  # a run beside us would replace the run we read
        folder, manifest = current_run(job.output), read_manifest(job.output)
        if folder is None or manifest.get("year") != job.year:
            raise UsageError(
                f"输出目录“{job.output}”中没有 {job.year} 年的运行结果",
                f"请先运行 tongji run {job.file}",
            )
        if not (folder / CHECKS_FILE).is_file():
            raise UsageError(
                f"上次运行（{manifest.get('run')}）由旧版 tongji 写出，没有保存核对结果",
                f"请重新运行 tongji run {job.file}",
            )
        pack = load_project(job.mappings).pack
        letters = write_feedback(folder, into, pack, job.year, job.region, contact)
    return letters, into, manifest


# ---------------------------------------------------------------- nothing to do


def _unchanged(run: _Run) -> RunResult | None:
    """The previous run's result when no input and no config changed and its outputs are
    all still there: then there is nothing to redo."""
    job, previous = run.job, run.previous
    if not previous or previous.get("configs") != run.configs or previous.get("year") != job.year:
        return None
    if previous.get("build") != build():  # another tongji may compute differently
        return None
    if "feedback" not in previous:  # a run from before the letters to the schools
        return None
    out = job.output
    folder = current_run(out)
    if (
        folder is None
        or not (folder / job.summary).is_file()
        or any(not (folder / "extract" / str(y)).is_dir() for y in job.inputs)
        or not (folder / FEEDBACK_DIR).is_dir()
    ):
        return None
    inputs: list[InputRecord] = []
    unread: list[dict] = []
    for year in job.inputs:  # every input hashed; the last run's outputs are of the same bytes
        records, not_read = run.year(year).current_inputs()
        inputs += records
        unread += not_read
    if unread != previous.get("not_read", []):
        return None
    if {(e["year"], e["file"], e["sha256"]) for e in previous.get("inputs", [])} != {
        (i.year, i.file, i.sha256) for i in inputs
    }:
        return None
    refresh_copy(out, folder, job.summary)  # a kill between a commit and its copy is mended here
    prev_inputs = [InputRecord(**{**e, "status": "cached"}) for e in previous["inputs"]]
    manifest = dict(previous)
    manifest["counts"] = {**previous["counts"], "files_read": 0, "files_cached": len(prev_inputs)}
    manifest["inputs"] = [vars(i) for i in prev_inputs]
    manifest["unchanged_since"] = previous.get("unchanged_since", previous.get("finished"))
    manifest["finished"] = now()
    manifest["timings_s"] = {"total": round(time.perf_counter() - run.t0, 3)}
    write_manifest(out / MANIFEST_FILE, manifest)
    errors = [
        Issue("error", code, "")
        for code, n in previous["counts"].get("errors_by_code", {}).items()
        for _ in range(n)
    ]
    result = RunResult(
        previous["exit_code"],
        "",
        prev_inputs,
        [out / job.summary, out / MANIFEST_FILE],
        errors,
        manifest,
    )
    missing = {k: set(v) for k, v in manifest["counts"]["schools_missing"].items()}
    result.summary = with_summary_line(
        summary_text(job, result, missing, run.log_path, nothing_changed=True),
        manifest["feedback"],
        job.output,
    )
    logger.bind(log_only=True).info("\n{}", result.summary)
    return result


def _dry_run(run: _Run) -> RunResult:
    """What a run would read and write; reads no workbook and writes nothing."""
    job = run.job
    inputs: list[InputRecord] = []
    for year in job.inputs:
        inputs += run.year(year).run(None).records
    lines = [f"{job.name}（{job.year} 年）——试运行，不读取工作簿、不写任何文件："]
    for year in job.inputs:
        recs = [i for i in inputs if i.year == year]
        new = [i for i in recs if i.status == "read"]
        lines.append(
            f"  {year} 年：{len(recs)} 个文件，需要读取 {len(new)} 个，沿用上次结果 {len(recs) - len(new)} 个"
        )
        lines += [f"    读取：{i.file}" for i in new[:50]]
        if len(new) > 50:
            lines.append(f"    …… 另有 {len(new) - 50} 个")
    lines.append(
        f"  将写出：{job.output / job.summary}、{job.output / RUNS}/<本次运行>/、{job.output / MANIFEST_FILE}"
    )
    return RunResult(0, "\n".join(lines), inputs)
