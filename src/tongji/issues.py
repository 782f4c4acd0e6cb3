"""Findings about the data: what went wrong, where (file, sheet, cell), and what to do."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITY_LABEL = {ERROR: "错误", WARNING: "警告", INFO: "提示"}
_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


@dataclass(frozen=True, slots=True)
class Issue:
    severity: str
    code: str
    message: str
    hint: str = ""
    file: str = ""
    sheet: str = ""
    cell: str = ""
    school_id: str = ""
    mapping: str = ""

    def as_row(self) -> dict[str, str]:
        return asdict(self)

    def __str__(self) -> str:
        where = "".join(
            part
            for part in (
                self.file,
                f" 工作表“{self.sheet}”" if self.sheet else "",
                f" 单元格 {self.cell}" if self.cell else "",
            )
        )
        text = f"[{SEVERITY_LABEL.get(self.severity, self.severity)}] {where}：{self.message}" if where else f"[{SEVERITY_LABEL.get(self.severity, self.severity)}] {self.message}"
        return text + (f"（{self.hint}）" if self.hint else "")


ISSUE_COLUMNS = tuple(f.name for f in fields(Issue))


def sort_key(issue: Issue) -> tuple:
    return (_ORDER.get(issue.severity, 9), issue.file, issue.sheet, issue.cell, issue.code, issue.message)


def count(issues: list[Issue], severity: str) -> int:
    return sum(1 for i in issues if i.severity == severity)
