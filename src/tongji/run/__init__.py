"""`tongji run`: the December batch. `batch` runs a job; `incremental` decides what to read
again; `lock` keeps runs apart; `manifest` records what a run was built from."""

from .batch import run_job
from .incremental import InputRecord
from .lock import LOCK_FILE, OutputLock
from .manifest import MANIFEST_FILE, RunResult

__all__ = ["LOCK_FILE", "MANIFEST_FILE", "InputRecord", "OutputLock", "RunResult", "run_job"]
