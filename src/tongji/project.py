"""Everything a command works with, loaded and validated once: the mapping pack, the
report's definitions and spec, the roster. `run`, `publish` and the CLI receive this one
object instead of loading files again."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .config.definitions import INDICATORS_FILE, Definitions, load_definitions
from .config.mapping import Pack
from .config.pack import load_pack, mapping_folders
from .config.report import ReportSpec, load_report
from .errors import ConfigError, ConfigProblem
from .extraction.roster import Roster, load_roster


@dataclass
class Project:
    pack: Pack
    definitions: Definitions | None  # indicators.toml and checks.toml, when a command needs them
    report: ReportSpec | None
    roster: Roster | None

    @property
    def mappings(self) -> Path:
        return self.pack.root


def load_project(
    mappings: str | Path | list[str | Path] | tuple[str | Path, ...],
    *,
    definitions: bool = False,
    report: str | Path | None = None,
    roster: str | Path | None = None,
) -> Project:
    """The configs a command needs: the mapping pack always; the definitions when asked for,
    or when a report needs them (or the folder has them, for a report); the report spec
    and the roster when given. Raises ConfigError (or RosterError) for the first kind of
    config that has mistakes, listing all of its mistakes."""
    pack = load_pack(mappings)
    defs = None
    if definitions or report is not None:
        defs = load_definitions(pack.root, pack)
    spec = load_report(report, pack, defs) if report is not None and defs is not None else None
    loaded = load_roster(roster) if roster is not None else None
    return Project(pack.with_roster(loaded) if loaded else pack, defs, spec, loaded)


def with_catalogue_years(project: Project, years: dict[int, str], file: str, key: str) -> Project:
    """The project with another catalogue edition for some years (a job's `catalogue`, the
    `--catalogue` option); an edition the pack does not have is a ConfigError naming `file`
    and `key`."""
    if not years:
        return project
    known = {c.id for d in project.pack.dimensions.values() for c in d.catalogues}
    wrong = [
        ConfigProblem(
            file,
            f"{key}.{y}" if key else "",
            f"没有目录“{cid}”；catalogues.toml 中有：{'、'.join(sorted(known)) or '（无）'}",
        )
        for y, cid in years.items()
        if cid not in known
    ]
    if wrong:
        raise ConfigError(wrong)
    return replace(project, pack=project.pack.with_catalogue_years(years))


def has_definitions(mappings: str | Path | list[str | Path] | tuple[str | Path, ...]) -> bool:
    return (mapping_folders(mappings)[0] / INDICATORS_FILE).is_file()


JOB_FILE = "tongji.toml"


def default_mapping_folders(here: Path | None = None) -> tuple[str, ...]:
    """The mapping folders a command reads when none is named: those of the job file in the
    current folder (a folder made by `tongji init`), else its `mappings` or `映射` folder,
    else the pack that comes with tongji — so every command in the README works as written
    wherever the user stands."""
    here = Path.cwd() if here is None else here
    if (here / JOB_FILE).is_file():
        from .config.job import load_job

        try:
            return tuple(str(p) for p in load_job(here / JOB_FILE).mappings)
        except ConfigError:
            pass  # a job file with mistakes: `tongji run` names them; the folders still serve
    for name in ("mappings", "映射"):
        if (here / name / "datasets.toml").is_file():
            return (name,)
    from .bundled import mappings_dir

    return (str(mappings_dir()),)
