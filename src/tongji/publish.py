"""`tongji aggregate` as a library function: extracted data → checks → summary workbook."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .aggregate import BuiltTable, Engine, Report, load_facts, report_needs
from .check import run_completeness, run_rules, run_year_on_year
from .config import load_pack
from .issues import Issue
from .render import quality_rows, write_workbook
from .roster import load_roster
from .spec import load_definitions, load_report


@dataclass
class Published:
    path: Path
    tables: list[BuiltTable]
    sentences: list[str]
    checks: list[Issue]
    extraction_issues: list[Issue]
    report: Report = field(repr=False)


def publish(extract_dirs: list[str | Path], mappings: str | Path, report_path: str | Path, year: int, out: str | Path, roster_path: str | Path | None = None) -> Published:
    """Aggregate the extractions of `year` and earlier years and write the summary workbook.

    Raises ConfigError (mappings, indicators, checks or report spec), RosterError or
    AggregateError; the workbook is written whole or not at all."""
    pack = load_pack(mappings)
    defs = load_definitions(mappings, pack)
    spec = load_report(report_path, pack, defs)
    roster = load_roster(roster_path) if roster_path else None
    facts = load_facts(list(extract_dirs), pack, defs, roster)
    engine = Engine(facts, pack, defs)
    report = Report(engine, spec, year)
    tables = report.tables()
    sentences = report.sentences()
    names = dict(zip(facts.roster["school_id"].to_list(), facts.roster["school_name"].to_list(), strict=True))
    checks = (
        run_rules(facts, pack, defs, year, names)
        + run_year_on_year(facts, pack, defs, year, names)
        + run_completeness(facts, pack, report_needs(spec, defs), engine.schools_in, year, names)
    )
    quality = quality_rows(facts.issues, checks, year)
    write_workbook(out, report, tables, sentences, quality, [str(p) for p in facts.sources])
    return Published(Path(out), tables, sentences, checks, [i for _, i in facts.issues], report)
