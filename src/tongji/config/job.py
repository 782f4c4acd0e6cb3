"""The job file of `tongji run` (`samples/tongji.toml`): which returns, roster, mappings
and report make this December's batch. Paths in it are relative to the job file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError, ConfigProblem
from .toml import Section, control_characters, load_toml_or_stop, option, read


@dataclass(frozen=True)
class Job:
    file: Path
    name: str
    year: int
    inputs: dict[int, tuple[str, ...]]
    roster: Path
    mappings: tuple[Path, ...]  # the pack's folder, then folders of more mappings
    report: Path
    output: Path
    summary: str
    strict: bool = False
    jobs: int = 1
    region: str = ""  # the city or county the report is about: {region} in titles
    catalogues: dict[int, str] = field(
        default_factory=dict
    )  # year → the catalogue edition its returns use
    corrections: Path | None = None  # manual corrections (更正.csv), applied on top of the returns
    read_hidden: bool = False  # rows and columns hidden in Excel are data (every mapping)

    @property
    def base(self) -> Path:
        return self.file.parent


@dataclass
class JobFile:
    name: str | None = None
    year: int = option(0, required=True)
    inputs: dict = option({}, required=True)
    roster: str = option("", required=True)
    mappings: str | list = option("", required=True)
    report: str = option("", required=True)
    output: str = option("", required=True)
    summary: str = "质量年报数据_{year}.xlsx"
    strict: bool = False
    jobs: int = 1
    region: str = ""
    catalogue: dict = option({})
    corrections: str | None = None
    read_hidden: bool = False


def _catalogues(top: Section, entry: JobFile) -> dict[int, str]:
    """`catalogue = { 2021 = "2010" }`: a year whose returns use another catalogue edition
    than the one in force (checked against the pack when the job runs)."""
    sec = Section(entry.catalogue, top.file, top.path("catalogue"), top.problems)
    out: dict[int, str] = {}
    for key in sec.data:
        edition = sec.get(key, str)
        if not key.isdigit():
            sec.problem(key, '键应为年度，如 2021 = "2010"')
        elif edition is not None:
            out[int(key)] = edition
    return out


def _inputs(top: Section, entry: JobFile) -> dict[int, tuple[str, ...]]:
    sec = Section(entry.inputs, top.file, top.path("inputs"), top.problems)
    inputs: dict[int, tuple[str, ...]] = {}
    for key in sec.data:
        if not key.isdigit():
            sec.problem(key, '键应为年度，如 2020 = ["2020"]')
            continue
        inputs[int(key)] = sec.texts(key, required=True)
    if "inputs" in top.data and entry.year and entry.year not in inputs:
        sec.problem("", f"没有本年度（{entry.year}）的输入")
    return dict(sorted(inputs.items()))


def _folders(base: Path, given: object) -> tuple[Path, ...]:
    """`mappings = "../mappings"` or `mappings = ["../mappings", "本市映射"]`."""
    items = given if isinstance(given, list) else [given] if isinstance(given, str) else []
    return tuple((base / item).resolve() for item in items if isinstance(item, str)) or (base,)


def load_job(path: str | Path) -> Job:
    """Read and validate a job file; paths in it are relative to the job file."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError([ConfigProblem(str(path), "", "任务文件不存在")])
    problems: list[ConfigProblem] = []
    top = Section(
        load_toml_or_stop(path, path.parent, problems, "任务文件"), str(path), "", problems
    )
    control_characters(top)
    entry = read(top, JobFile)
    base = path.parent

    def resolved(key: str) -> Path:
        given = key in top.data and isinstance(top.data[key], str)
        return (base / getattr(entry, key)).resolve() if given else base

    if entry.jobs < 0:
        top.problem("jobs", f"并行读取的进程数不能是 {entry.jobs}；写 0 表示按本机可用的 CPU 核数")
    job = Job(
        file=path.resolve(),
        name=entry.name or path.stem,
        year=entry.year,
        inputs=_inputs(top, entry),
        roster=resolved("roster"),
        mappings=_folders(base, top.data.get("mappings")),
        report=resolved("report"),
        output=resolved("output"),
        summary=entry.summary.replace("{year}", str(entry.year)),
        strict=entry.strict,
        jobs=entry.jobs,
        region=entry.region,
        catalogues=_catalogues(top, entry),
        read_hidden=entry.read_hidden,
        corrections=resolved("corrections") if entry.corrections else None,
    )
    flagged = {
        p.key.split(".")[0].split("[")[0] for p in problems
    }  # already reported, e.g. a control character
    named = [
        ("roster", job.roster, "file"),
        *(("mappings", m, "dir") for m in job.mappings),
        ("report", job.report, "file"),
    ]
    for key, target, kind in (
        *named,
        *((("corrections", job.corrections, "file"),) if job.corrections else ()),
    ):
        if (
            key in top.data
            and key not in flagged
            and not (target.is_file() if kind == "file" else target.is_dir())
        ):
            top.problem(key, f"{'文件' if kind == 'file' else '目录'}不存在：{target}")
    if problems:
        raise ConfigError(problems, "任务文件")
    return job
