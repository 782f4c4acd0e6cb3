"""`tongji run JOB.toml`: the December batch, unattended and repeatable.

One run: lock the output folder → extract every year's inputs (re-using the results of
files whose content, place and configs are unchanged since the last run) → aggregate →
write the summary workbook → write the run manifest. Everything is written into a staging
folder first and moved into place at the end, so a run that fails leaves the previous
outputs as they were.

Output folder:
    extract/<year>/        what `tongji extract` writes, per year
    <summary>.xlsx         the summary workbook
    manifest.json          what this run was built from: inputs, configs, hashes, counts, timings
    logs/run_*.log         one log per run (the newest 30 are kept)
    cache/<year>/*.pkl     per-file extraction results, for the next run
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import pickle
import shutil
import socket
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loguru import logger

from . import __version__
from .config import ConfigError, ConfigProblem, Section, _load_toml, load_pack
from .extract import FileResult, collect_inputs, extract_paths, merge_results
from .issues import ERROR, INFO, WARNING, Issue
from .publish import publish
from .roster import load_roster
from .spec import load_definitions, load_report
from .store import atomic_path, write_extract

EXIT_OK, EXIT_DATA, EXIT_USAGE, EXIT_FAILURE = 0, 1, 2, 3
LOCK_FILE = ".tongji.lock"
MANIFEST_FILE = "manifest.json"
KEEP_LOGS = 30
STALE_LOCK_SECONDS = 12 * 3600


class LockError(Exception):
    pass


# ---------------------------------------------------------------- the job file


@dataclass(frozen=True)
class Job:
    file: Path
    name: str
    year: int
    inputs: dict[int, tuple[str, ...]]
    roster: Path
    mappings: Path
    report: Path
    output: Path
    summary: str
    strict: bool = False
    jobs: int = 1

    @property
    def base(self) -> Path:
        return self.file.parent


def load_job(path: str | Path) -> Job:
    """Read and validate a job file; paths in it are relative to the job file."""
    path = Path(path)
    problems: list[ConfigProblem] = []
    if not path.is_file():
        raise ConfigError([ConfigProblem(str(path), "", "任务文件不存在")])
    data = _load_toml(path, path.parent, problems) or {}
    file = str(path)
    top = Section(data, file, "", problems)
    base = path.parent
    year = top.get("year", int, required=True, default=0)
    inputs: dict[int, tuple[str, ...]] = {}
    sec = top.sub("inputs", required=True)
    if sec is not None:
        for key in sec.data:
            if not key.isdigit():
                sec.problem(key, "键应为年度，如 2020 = [\"2020\"]")
                continue
            inputs[int(key)] = sec.texts(key, required=True)
        if year and year not in inputs:
            sec.problem("", f"没有本年度（{year}）的输入")
    for key in ("roster", "mappings", "report", "output"):
        top.get(key, str, required=True, default="")

    def p(key: str) -> Path:
        return (base / top.data.get(key, "")).resolve() if isinstance(top.data.get(key), str) else base

    job = Job(
        file=path.resolve(),
        name=top.get("name", str, default=path.stem),
        year=year,
        inputs=dict(sorted(inputs.items())),
        roster=p("roster"),
        mappings=p("mappings"),
        report=p("report"),
        output=p("output"),
        summary=top.get("summary", str, default="质量年报数据_{year}.xlsx").replace("{year}", str(year)),
        strict=top.get("strict", bool, default=False),
        jobs=top.get("jobs", int, default=1),
    )
    for key, target, kind in (("roster", job.roster, "file"), ("mappings", job.mappings, "dir"), ("report", job.report, "file")):
        if key in top.data and not (target.is_file() if kind == "file" else target.is_dir()):
            top.problem(key, f"{'文件' if kind == 'file' else '目录'}不存在：{target}")
    top.finish(("name", "year", "inputs", "roster", "mappings", "report", "output", "summary", "strict", "jobs"))
    if problems:
        raise ConfigError(problems)
    return job


# ---------------------------------------------------------------- the lock


class OutputLock:
    """One run at a time per output folder: a lock file created exclusively."""

    def __init__(self, folder: Path):
        self.path = folder / LOCK_FILE
        self.held = False

    def __enter__(self) -> OutputLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                info = self._holder()
                if self._stale(info):
                    logger.warning("发现上次运行遗留的锁（{}），已清除", info)
                    self.path.unlink(missing_ok=True)
                    continue
                raise LockError(
                    f"输出目录 {self.path.parent} 正被另一个 tongji 运行使用（{info.get('host', '?')} 上的进程 {info.get('pid', '?')}，"
                    f"开始于 {info.get('started', '?')}）。请等它结束后再运行；若确定没有在运行，删除 {self.path} 即可。"
                ) from None
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"pid": os.getpid(), "host": socket.gethostname(), "started": _now()}, f, ensure_ascii=False)
            self.held = True
            return self
        raise LockError(f"无法取得输出目录的锁：{self.path}")

    def _holder(self) -> dict[str, Any]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _stale(self, info: dict[str, Any]) -> bool:
        try:
            age = time.time() - self.path.stat().st_mtime
        except OSError:
            return True
        if age > STALE_LOCK_SECONDS:
            return True
        if info.get("host") == socket.gethostname() and isinstance(info.get("pid"), int) and os.name != "nt":
            try:
                os.kill(info["pid"], 0)
            except ProcessLookupError:
                return True
            except PermissionError:
                return False
        return False

    def __exit__(self, *exc) -> None:
        if self.held:
            self.path.unlink(missing_ok=True)
            self.held = False


# ---------------------------------------------------------------- incremental extraction


def _now() -> str:
    return _dt.datetime.now().isoformat(timespec="seconds")


_HASHED: dict[tuple[str, int, int], str] = {}


def _sha256(path: Path) -> str:
    """A file's hash, read once per process for the same size and modification time
    (the no-change check and the run that follows it look at the same files)."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _HASHED:
        _HASHED[key] = _hash_file(path)
    return _HASHED[key]


def _hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def config_key(pack_files: dict[str, str], roster_sha: str, year: int) -> str:
    """What an extraction depends on besides the file itself."""
    text = json.dumps({"version": __version__, "mappings": pack_files, "roster": roster_sha, "year": year}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class InputRecord:
    year: int
    file: str
    sha256: str
    size: int
    mtime_ns: int
    status: str  # read | cached
    school_id: str | None = None
    n_values: int = 0
    n_errors: int = 0
    n_warnings: int = 0


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


def _previous_manifest(out: Path) -> dict[str, Any]:
    try:
        return json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _display(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def _load_cached(cache_file: Path, display: str) -> FileResult | None:
    try:
        with open(cache_file, "rb") as f:
            res = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    return res if isinstance(res, FileResult) and res.file == display else None


def _extract_year(job: Job, year: int, pack, roster, roster_sha: str, previous: dict[str, Any], staging: Path, dry_run: bool) -> tuple[list[FileResult], list[InputRecord], list[Path]]:
    """Extract one year's inputs, re-using unchanged files' results from the cache."""
    patterns = [str(job.base / p) if not Path(p).is_absolute() else p for p in job.inputs[year]]
    files = collect_inputs(patterns)
    key = config_key(pack.files, roster_sha, year)
    cache_dir = job.output / "cache" / str(year)
    known = {(e["year"], e["file"]): e for e in previous.get("inputs", [])}
    plan: list[tuple[Path, str, str, int, int, Path | None]] = []
    for f in files:
        display = _display(f, job.base)
        st = f.stat()
        prev = known.get((year, display))
        if prev and prev.get("size") == st.st_size and prev.get("mtime_ns") == st.st_mtime_ns and previous.get("config_keys", {}).get(str(year)) == key:
            sha = prev["sha256"]  # unchanged by size and time: not even hashed again
        else:
            sha = _sha256(f)
        cache_file = cache_dir / f"{sha[:24]}_{key[:16]}.pkl"
        plan.append((f, display, sha, st.st_size, st.st_mtime_ns, cache_file if cache_file.is_file() else None))

    results: dict[str, FileResult] = {}
    records: dict[str, InputRecord] = {}
    to_read: list[tuple[Path, str, str, int, int]] = []
    for f, display, sha, size, mtime, cache_file in plan:
        cached = _load_cached(cache_file, display) if cache_file else None
        if cached is not None:
            results[display] = cached
            records[display] = InputRecord(year, display, sha, size, mtime, "cached")
        else:
            to_read.append((f, display, sha, size, mtime))
    new_cache: list[Path] = []
    if to_read and not dry_run:
        logger.info("{} 年：新读 {} 个文件，沿用上次结果 {} 个", year, len(to_read), len(results))
        fresh = extract_paths([f for f, *_ in to_read], pack, roster, year, job.jobs, progress=_progress_logger(year, len(to_read)), displays=[d for _, d, *_ in to_read])
        for (_f, display, sha, size, mtime), res in zip(to_read, fresh.files, strict=True):
            results[display] = res
            records[display] = InputRecord(year, display, sha, size, mtime, "read")
            target = staging / "cache" / str(year) / f"{sha[:24]}_{key[:16]}.pkl"
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as fh:
                pickle.dump(res, fh, protocol=pickle.HIGHEST_PROTOCOL)
            new_cache.append(target)
    elif to_read:
        for _f, display, sha, size, mtime in to_read:
            records[display] = InputRecord(year, display, sha, size, mtime, "read")
    ordered = [results[d] for _, d, *_ in plan if d in results]
    for res in ordered:
        rec = records[res.file]
        rec.school_id, rec.n_values = res.school_id, len(res.values)
        rec.n_errors = sum(i.severity == ERROR for i in res.issues)
        rec.n_warnings = sum(i.severity == WARNING for i in res.issues)
    return ordered, [records[d] for _, d, *_ in plan], new_cache


class OutputBusyError(Exception):
    """An output file is open in another program (Excel locks the files it has open)."""


def _in_use(path: Path) -> bool:
    try:
        with open(path, "r+b"):
            return False
    except FileNotFoundError:
        return False
    except OSError:
        return True


def _ensure_replaceable(paths: list[Path]) -> None:
    busy = [p for p in paths if p.is_file() and _in_use(p)]
    if busy:
        raise OutputBusyError(
            "这些输出文件正被其他程序打开（如 Excel），无法替换："
            + "、".join(str(p) for p in busy)
            + "。请关闭它们后重新运行；上次的输出未被改动。"
        )


def _progress_logger(year: int, total: int):
    """Log every tenth of the files read: an unattended run's log shows how far it got."""
    state = {"done": 0, "next": max(1, total // 10)}

    def tick(_result: FileResult) -> None:
        state["done"] += 1
        if state["done"] >= state["next"] and total >= 1000:
            logger.info("{} 年：已读取 {}/{} 个文件", year, state["done"], total)
            state["next"] += max(1, total // 10)

    return tick


def _replace_dir(src: Path, dst: Path) -> None:
    old = dst.with_name(f".{dst.name}.old-{os.getpid()}")
    dst.parent.mkdir(parents=True, exist_ok=True)
    if dst.exists():
        os.replace(dst, old)
    os.replace(src, dst)
    shutil.rmtree(old, ignore_errors=True)


def _setup_run_log(out: Path) -> tuple[int, Path]:
    logs = out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    path = logs / f"run_{_dt.datetime.now():%Y%m%d_%H%M%S}_{os.getpid()}.log"
    sink = logger.add(path, level="DEBUG", encoding="utf-8", enqueue=False)
    for old in sorted(logs.glob("run_*.log"))[:-KEEP_LOGS]:
        old.unlink(missing_ok=True)
    return sink, path


def run_job(job_path: str | Path, dry_run: bool = False) -> RunResult:
    """Run a job. Raises ConfigError / RosterError for bad configs and LockError when
    another run holds the output folder; data problems are in the result."""
    job = load_job(job_path)
    if dry_run:
        return _dry_run(job)
    started, t0 = _now(), time.perf_counter()
    with OutputLock(job.output):
        sink, log_path = _setup_run_log(job.output)
        staging = job.output / f".staging-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        try:
            return _run(job, staging, started, t0, log_path)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            logger.remove(sink)


def _configs(job: Job, pack) -> dict[str, str]:
    out = {f"mappings/{k.split('/', 1)[-1]}": v for k, v in pack.files.items()}
    for label, path in (("roster", job.roster), ("report", job.report), ("job", job.file)):
        out[f"{label}:{_display(path, job.base)}"] = _sha256(path)
    return out


def _load_configs(job: Job):
    """Every config the job names, validated before anything is read or written."""
    pack = load_pack(job.mappings)
    defs = load_definitions(job.mappings, pack)
    load_report(job.report, pack, defs)
    roster = load_roster(job.roster)
    return pack, roster, _sha256(job.roster), _previous_manifest(job.output)


def _run(job: Job, staging: Path, started: str, t0: float, log_path: Path) -> RunResult:
    timings: dict[str, float] = {}
    pack, roster, roster_sha, previous = _load_configs(job)
    logger.info("任务“{}”：{} 年，输入 {} 个年度", job.name, job.year, len(job.inputs))

    configs = _configs(job, pack)
    unchanged = _unchanged(job, pack, roster, roster_sha, previous, configs, staging)
    if unchanged is not None:
        unchanged.manifest["timings_s"] = {"total": round(time.perf_counter() - t0, 3)}
        with atomic_path(job.output / MANIFEST_FILE) as tmp:
            tmp.write_text(json.dumps(unchanged.manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        unchanged.summary = _summary_text(job, unchanged, {k: set(v) for k, v in unchanged.manifest["counts"]["schools_missing"].items()}, log_path, nothing_changed=True)
        logger.info("\n{}", unchanged.summary)
        return unchanged

    inputs: list[InputRecord] = []
    extract_issues: list[Issue] = []
    staged_years: list[int] = []
    new_cache: list[Path] = []
    keys: dict[str, str] = {}
    for year in job.inputs:
        t = time.perf_counter()
        results, records, cache_files = _extract_year(job, year, pack, roster, roster_sha, previous, staging, False)
        merged = merge_results(results, year)
        write_extract(merged, pack, staging / "extract" / str(year), roster)
        inputs += records
        extract_issues += merged.issues
        new_cache += cache_files
        staged_years.append(year)
        keys[str(year)] = config_key(pack.files, roster_sha, year)
        timings[f"extract_{year}"] = round(time.perf_counter() - t, 3)
        del results, merged  # a year's figures are on disk now; free them before the next

    t = time.perf_counter()
    years_for_report = [y for y in staged_years if y in (job.year - 1, job.year)]
    summary_path = staging / job.summary
    published = publish([staging / "extract" / str(y) for y in years_for_report], job.mappings, job.report, job.year, summary_path, job.roster)
    timings["aggregate"] = round(time.perf_counter() - t, 3)

    checks = published.checks
    all_issues = extract_issues + checks
    errors = sum(i.severity == ERROR for i in all_issues)
    warnings = sum(i.severity == WARNING for i in all_issues)
    exit_code = EXIT_DATA if errors or (job.strict and warnings) else EXIT_OK

    # commit: move everything into place; nothing before this point touched the outputs
    out = job.output
    _ensure_replaceable([out / job.summary, *(p for y in staged_years for p in (out / "extract" / str(y)).glob("*"))])
    for year in staged_years:
        _replace_dir(staging / "extract" / str(year), out / "extract" / str(year))
    for f in new_cache:
        target = out / f.relative_to(staging)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(f, target)
    os.replace(summary_path, out / job.summary)
    _prune_cache(out, inputs, keys)
    timings["total"] = round(time.perf_counter() - t0, 3)

    missing = _missing_by_school(checks, roster)
    manifest = {
        "tool": "tongji",
        "version": __version__,
        "job": _display(job.file, job.base),
        "name": job.name,
        "year": job.year,
        "started": started,
        "finished": _now(),
        "exit_code": exit_code,
        "configs": configs,
        "config_keys": keys,
        "inputs": [vars(i) for i in inputs],
        "counts": {
            "files": len(inputs),
            "files_read": sum(i.status == "read" for i in inputs),
            "files_cached": sum(i.status == "cached" for i in inputs),
            "values": {str(y): sum(i.n_values for i in inputs if i.year == y) for y in staged_years},
            "errors": errors,
            "warnings": warnings,
            "issues_by_code": dict(sorted(Counter(i.code for i in all_issues if i.severity != INFO).items())),
            "errors_by_code": dict(sorted(Counter(i.code for i in all_issues if i.severity == ERROR).items())),
            "warnings_by_code": dict(sorted(Counter(i.code for i in all_issues if i.severity == WARNING).items())),
            "schools": len(roster.schools),
            "schools_missing": {name: sorted(what) for name, what in missing.items()},
        },
        "timings_s": timings,
        "outputs": {"summary": job.summary, "extract": [f"extract/{y}" for y in staged_years], "log": _display(log_path, out)},
    }
    with atomic_path(out / MANIFEST_FILE) as tmp:
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    result = RunResult(exit_code, "", inputs, [out / job.summary, out / MANIFEST_FILE], all_issues, manifest)
    result.summary = _summary_text(job, result, missing, log_path)
    logger.info("\n{}", result.summary)
    return result


def _unchanged(job: Job, pack, roster, roster_sha: str, previous: dict[str, Any], configs: dict[str, str], staging: Path) -> RunResult | None:
    """The previous run's result when no input and no config changed and its outputs are
    all still there: then there is nothing to redo."""
    if not previous or previous.get("configs") != configs or previous.get("year") != job.year:
        return None
    out = job.output
    if not (out / job.summary).is_file() or any(not (out / "extract" / str(y)).is_dir() for y in job.inputs):
        return None
    inputs: list[InputRecord] = []
    for year in job.inputs:
        _, records, _ = _extract_year(job, year, pack, roster, roster_sha, previous, staging, True)
        if any(r.status != "cached" for r in records):
            return None
        inputs += records
    before = {(e["year"], e["file"], e["sha256"]) for e in previous.get("inputs", [])}
    if before != {(i.year, i.file, i.sha256) for i in inputs}:
        return None
    prev_inputs = [InputRecord(**e) for e in previous["inputs"]]
    for rec in prev_inputs:
        rec.status = "cached"
    manifest = dict(previous)
    manifest["counts"] = {**previous["counts"], "files_read": 0, "files_cached": len(prev_inputs)}
    manifest["inputs"] = [vars(i) for i in prev_inputs]
    manifest["unchanged_since"] = previous.get("unchanged_since", previous.get("finished"))
    manifest["finished"] = _now()
    issues = [Issue("error", code, "") for code, n in previous["counts"].get("errors_by_code", {}).items() for _ in range(n)]
    return RunResult(previous["exit_code"], "", prev_inputs, [out / job.summary, out / MANIFEST_FILE], issues, manifest)


def _prune_cache(out: Path, inputs: list[InputRecord], keys: dict[str, str]) -> None:
    """Drop cache entries no current input uses (an old version of a corrected return)."""
    wanted = {(str(i.year), f"{i.sha256[:24]}_{keys[str(i.year)][:16]}.pkl") for i in inputs}
    for year_dir in (out / "cache").glob("*"):
        for f in year_dir.glob("*.pkl"):
            if (year_dir.name, f.name) not in wanted:
                f.unlink(missing_ok=True)


def _missing_by_school(checks: list[Issue], roster) -> dict[str, set[str]]:
    names = {s.school_id: s.name for s in roster.schools}
    out: dict[str, set[str]] = {}
    for i in checks:
        if i.code == "missing_return" and i.school_id:
            what = i.message.split("没有报送", 1)[-1].split("数据", 1)[0].strip("“”")
            year = i.message.split(" ", 2)[1] if " " in i.message else ""
            out.setdefault(names.get(i.school_id, i.school_id), set()).add(f"{year} 年{what}")
    return out


def _summary_text(job: Job, result: RunResult, missing: dict[str, set[str]], log_path: Path, nothing_changed: bool = False) -> str:
    m = result.manifest
    c = m["counts"]
    lines = [f"{job.name}（{job.year} 年）：" + ("完成，没有错误" if result.exit_code == EXIT_OK else "完成，有数据问题需要处理")]
    if nothing_changed:
        lines.append(f"  输入和配置自上次运行（{m.get('unchanged_since', '')}）以来都没有变化，沿用上次的输出")
    for year in job.inputs:
        recs = [i for i in result.inputs if i.year == year]
        read = sum(i.status == "read" for i in recs)
        lines.append(f"  {year} 年：{len(recs)} 个文件（新读 {read} 个，沿用上次结果 {len(recs) - read} 个），{c['values'].get(str(year), 0)} 个数字")
    complete = c["schools"] - len(missing)
    lines.append(f"  学校：名录 {c['schools']} 所，报齐 {complete} 所" + (f"；缺报 {len(missing)} 所：" + "；".join(f"{n}（{'、'.join(sorted(w))}）" for n, w in sorted(missing.items())) if missing else ""))
    err_codes, warn_codes = c.get("errors_by_code", {}), c.get("warnings_by_code", {})
    lines.append(f"  错误 {c['errors']} 个" + (f"（{'、'.join(f'{k} {v}' for k, v in sorted(err_codes.items()))}）" if err_codes else "") + f"；警告 {c['warnings']} 个" + (f"（{'、'.join(f'{k} {v}' for k, v in sorted(warn_codes.items()))}）" if warn_codes else ""))
    out = job.output
    lines.append(f"  汇总工作簿：{out / job.summary}")
    lines.append(f"  提取结果与问题清单：{out / 'extract'}（各年度的 issues.csv）")
    lines.append(f"  运行记录：{out / MANIFEST_FILE}；日志：{log_path}")
    lines.append(f"  用时 {m['timings_s']['total']:.1f} 秒")
    return "\n".join(lines)


def _dry_run(job: Job) -> RunResult:
    """What a run would read and write; reads no workbook and writes nothing."""
    pack, roster, roster_sha, previous = _load_configs(job)
    inputs: list[InputRecord] = []
    for year in job.inputs:
        _, records, _ = _extract_year(job, year, pack, roster, roster_sha, previous, job.output, True)
        inputs += records
    lines = [f"{job.name}（{job.year} 年）——试运行，不读取工作簿、不写任何文件："]
    for year in job.inputs:
        recs = [i for i in inputs if i.year == year]
        new = [i for i in recs if i.status == "read"]
        lines.append(f"  {year} 年：{len(recs)} 个文件，需要读取 {len(new)} 个，沿用上次结果 {len(recs) - len(new)} 个")
        lines += [f"    读取：{i.file}" for i in new[:50]]
        if len(new) > 50:
            lines.append(f"    …… 另有 {len(new) - 50} 个")
    lines.append(f"  将写出：{job.output / job.summary}、{job.output / 'extract'}/<年度>/、{job.output / MANIFEST_FILE}")
    return RunResult(EXIT_OK, "\n".join(lines), inputs)
