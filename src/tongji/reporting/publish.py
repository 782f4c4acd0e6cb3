"""`tongji aggregate` as a library function: extracted data → indicators and checks →
the summary workbook."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from ..findings import INFO, Issue
from ..project import Project
from .check import (
    run_completeness,
    run_field_coverage,
    run_per_student,
    run_rules,
    run_unit_jumps,
    run_year_on_year,
)
from .engine import Engine
from .facts import load_facts
from .render import quality_rows, write_workbook
from .tables import BuiltTable, Report, report_field_needs, report_needs


@dataclass
class Published:
    path: Path
    tables: list[BuiltTable]
    sentences: list[str]
    checks: list[Issue]
    extraction_issues: list[Issue]
    report: Report = field(repr=False)

    @property
    def issues(self) -> list[Issue]:
        return self.checks + self.extraction_issues


def publish(
    project: Project,
    extract_dirs: list[str | Path],
    year: int,
    out: str | Path,
    region: str | None = None,
    cited: list[str] | None = None,
    base: Path | None = None,
    links_from: Path | None = None,
    sources_file: tuple[Path, str] | None = None,
) -> Published:
    """Aggregate the extractions of `year` and earlier years and write the summary workbook.

    The project must have its definitions and report spec; its roster, when it has one,
    replaces the roster kept with the extractions. `region` (the job's city) replaces the
    report spec's. `cited` names the extraction folders in the workbook where they are
    read from elsewhere (a run reads its staging folder, the workbook names the run's
    folder). Findings link to their files, named relative to `base`, by paths relative to
    `links_from` (where the workbook is opened from; by default its own folder). A 来源
    too long for a sheet goes to `sources_file` (path, and how the workbook names it). Raises
    AggregateError for folders that cannot be aggregated; the workbook is written whole or
    not at all."""
    pack, defs, spec = project.pack, project.definitions, project.report
    assert defs is not None and spec is not None, (
        "publish needs the definitions and the report spec"
    )
    if region:
        spec = replace(spec, region=region)
    facts = load_facts(list(extract_dirs), pack, defs, project.roster, year)
    engine = Engine(facts, pack, defs)
    report = Report(engine, spec, year)
    tables = report.tables()
    names = dict(
        zip(facts.roster["school_id"].to_list(), facts.roster["school_name"].to_list(), strict=True)
    )
    checks = (
        run_rules(facts, pack, defs, year, names)
        + run_year_on_year(facts, pack, defs, year, names)
        + run_unit_jumps(facts, pack, year, names)
        + run_per_student(facts, pack, year, names)
        + run_completeness(facts, pack, report_needs(spec, defs), engine.schools_in, year, names)
        + run_field_coverage(
            facts, pack, report_field_needs(spec, defs), engine.schools_in, year, names
        )
        + facts.crosswalk_issues
    )
    # the cells an error or a warning is about (a finding that is only information — a
    # corrected figure, a hidden row left out — casts no doubt on the figure)
    doubtful = {
        (i.file, i.sheet, i.cell)
        for i in [*(i for _, i in facts.issues), *checks]
        if i.cell and i.severity != INFO
    }
    sentences = report.sentences(doubtful)
    quality = quality_rows(facts.issues, checks, year)
    write_workbook(
        out,
        report,
        tables,
        sentences,
        quality,
        cited or [str(p) for p in facts.sources],
        base,
        links_from,
        sources_file,
    )
    return Published(Path(out), tables, sentences, checks, [i for _, i in facts.issues], report)
