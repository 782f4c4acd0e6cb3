"""Extraction: workbooks in, figures with lineage and findings out.

read (bytes → sheets; CSV as one sheet) → match (which mappings fit a sheet) → locate
(header paths, rows, columns; `view` is the sheet as seen) → layouts (where each field is,
by layout family) → clean and units (raw text → typed value in the field's unit) → records
(a figure with its lineage) → store (the extract folder). `workbook` runs these for one
file, `batch` for many.
"""

from .batch import (
    Inputs,
    Progress,
    Skipped,
    collect_inputs,
    copies_among,
    copy_result,
    display_path,
    extract_file,
    extract_paths,
    extract_to_folder,
    find_inputs,
    merge_results,
    not_read,
)
from .records import ExtractResult, FileResult, Total, Value

__all__ = [
    "ExtractResult",
    "FileResult",
    "Inputs",
    "Progress",
    "Skipped",
    "Total",
    "Value",
    "collect_inputs",
    "copies_among",
    "copy_result",
    "display_path",
    "extract_file",
    "extract_paths",
    "extract_to_folder",
    "find_inputs",
    "merge_results",
    "not_read",
]
