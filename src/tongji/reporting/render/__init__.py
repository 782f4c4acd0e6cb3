"""Rendering the summary workbook: `workbook` puts the sheets together; `tables`, `charts`,
`sheets` and `profiles` write one kind of sheet each over the shared `formats`."""

from .formats import header_cells
from .workbook import quality_rows, write_workbook

__all__ = ["header_cells", "quality_rows", "write_workbook"]
