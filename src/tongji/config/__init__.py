"""The config layer: every file the statistician writes, parsed once into typed objects.

`toml` is the layer under all of them (loading, typed sections, problems with file and
key); one module per kind of file: `datasets` and `mapping` (the mapping pack),
`definitions` (indicators.toml, checks.toml), `report` (the report spec), `job` (the job
file of `tongji run`); `formula` is the indicators' formula language. What a command
needs (these and the roster) is loaded into one object by `tongji.project`.
"""

from ..errors import ConfigError, ConfigProblem
from .datasets import Dataset, Dimension, FieldDef
from .definitions import Definitions, Indicator, load_definitions
from .job import Job, load_job
from .mapping import Mapping, Pack
from .pack import load_pack
from .report import ReportSpec, load_report

__all__ = [
    "ConfigError",
    "ConfigProblem",
    "Dataset",
    "Definitions",
    "Dimension",
    "FieldDef",
    "Indicator",
    "Job",
    "Mapping",
    "Pack",
    "ReportSpec",
    "load_definitions",
    "load_job",
    "load_pack",
    "load_report",
]
