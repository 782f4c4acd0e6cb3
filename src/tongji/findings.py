"""Findings about the data: what went wrong, where (file, sheet, cell), and what to do.

Every finding has a code from one catalogue (`KINDS`): its default severity, a short
Chinese title and what it means. A finding also carries structured fields (school,
dataset, year) so that nothing downstream has to read them back out of its message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from .errors import ExitCode

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITY_LABEL = {ERROR: "错误", WARNING: "警告", INFO: "提示"}
_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


@dataclass(frozen=True)
class Kind:
    code: str
    severity: str  # the default; a few kinds take theirs from the config (a required field, a rule)
    title: str
    description: str


_KINDS = (
    # reading a file
    Kind(
        "file_not_read",
        WARNING,
        "文件未读取",
        "输入文件夹中有不是工作簿的文件（如 .pdf、.docx），没有读取。",
    ),
    Kind(
        "nothing_read",
        ERROR,
        "一个报表也没有读到",
        "某年度的输入中有文件，但没有一个是可以读取的报表（输入指错了文件夹，或报表都不是 Excel 格式）。",
    ),
    Kind(
        "duplicate_file",
        WARNING,
        "重复的文件",
        "两个输入文件的内容完全相同（常是备份副本）；只读第一个。",
    ),
    Kind("missing_file", ERROR, "文件不存在", "要读取的文件不存在。"),
    Kind("unreadable", ERROR, "文件无法打开", "文件被其他程序占用，或没有读取权限。"),
    Kind("empty_file", ERROR, "空文件", "文件大小为 0 字节。"),
    Kind("encrypted", ERROR, "工作簿已加密", "工作簿设有打开密码，无法读取。"),
    Kind("corrupt", ERROR, "文件已损坏", "文件无法按 Excel 格式解析。"),
    Kind("not_workbook", ERROR, "不是工作簿", "文件的内容不是 Excel 工作簿（扩展名与内容不符）。"),
    Kind(
        "html_as_excel", ERROR, "网页冒充的工作簿", "文件实际是网页（HTML），只是扩展名为 Excel。"
    ),
    Kind("no_sheets", ERROR, "没有工作表", "工作簿中没有任何工作表。"),
    Kind("garbled_text", ERROR, "中文乱码", "旧版 .xls（Excel 95）中的中文无法正确读取。"),
    Kind(
        "too_large",
        ERROR,
        "文件过大或异常",
        "文件声明的范围或解压后的大小远超一份报表，单独读取时超出内存或时间上限。",
    ),
    # which sheets, which school
    Kind(
        "hidden_sheet_skipped",
        WARNING,
        "跳过隐藏表",
        "隐藏的工作表与某个映射相符，但隐藏表常是旧版副本，没有读取。",
    ),
    Kind(
        "form_year_mismatch",
        WARNING,
        "表式与年度不符",
        "工作表是另一个年度用的表式（如 2025 年报来了 2020 年的中职基311）；照常读取，请确认。",
    ),
    Kind(
        "sheet_ambiguous",
        ERROR,
        "工作表对应多个映射",
        "工作表同时与多个映射同等相符，无法确定按哪个读取。",
    ),
    Kind("sheet_unmatched", WARNING, "工作表没有对应的映射", "工作表不符合任何映射，没有读取。"),
    Kind(
        "read_by_meaning",
        INFO,
        "按含义读取",
        "没有映射的表，按表头和行标签的含义（数据集的字段名和别名、维度的取值、名录中的校名）读取；"
        "说明读了哪些字段、哪些列未识别。",
    ),
    Kind(
        "hidden_cells_skipped",
        INFO,
        "跳过隐藏的行列",
        "表中隐藏的行或列有内容；隐藏的行列常是上一年的旧数字，不当作数据读取。",
    ),
    Kind(
        "table_ambiguous",
        ERROR,
        "工作表中有几张表都符合映射",
        "一张工作表中有几张表同样符合映射，无法确定读哪一张；映射的 [match] 可用 caption 写明表的标题。",
    ),
    Kind(
        "formula_recalc_needed",
        WARNING,
        "公式结果可能未更新",
        "工作簿要求打开时重新计算公式（如程序生成的文件），文件中保存的公式结果可能是 0 或旧值。",
    ),
    Kind(
        "workbook_unmatched",
        ERROR,
        "工作簿没有对应的映射",
        "工作簿中没有任何工作表符合映射，没有读取任何数据。",
    ),
    Kind("workbook_empty", ERROR, "工作簿是空的", "工作簿中没有可见的、有内容的工作表。"),
    Kind(
        "workbook_not_needed",
        INFO,
        "工作簿中只有本报告不用的表",
        "工作簿中的表都写在 unused_sheets.toml 中（本报告不用），没有提取数据。",
    ),
    Kind("school_unknown", ERROR, "学校不在名录中", "报表中的学校名称与名录中的任何学校都对不上。"),
    Kind(
        "school_ambiguous",
        ERROR,
        "学校无法确定",
        "报表中同时出现多所学校的名称，无法确定是哪所学校的报表。",
    ),
    Kind(
        "school_name_not_in_roster",
        WARNING,
        "表内学校名称不在名录中",
        "表内写的学校名称不在名录中，按文件名或文件夹名认定了学校。",
    ),
    # finding the figures
    Kind("table_not_found", ERROR, "找不到数据表", "工作表中没有识别出表头和数据行。"),
    Kind(
        "field_not_found",
        WARNING,
        "找不到字段",
        "映射指定的行、列或标签在表中找不到；必填字段找不到时为错误。",
    ),
    Kind(
        "key_column_not_found",
        ERROR,
        "找不到记录键所在的列",
        "清单表中说明每行是什么（如专业大类）的列找不到。",
    ),
    Kind(
        "row_without_key",
        WARNING,
        "有数字的行没有名称",
        "清单表中一行有数字，但没有说明它是什么的名称，已跳过。",
    ),
    Kind(
        "unknown_key",
        ERROR,
        "未知的取值",
        "清单表中的名称（如专业大类）不是已知的取值；代码对不上任何类别时总是错误。",
    ),
    Kind(
        "catalogue_mismatch",
        WARNING,
        "专业目录版本不符",
        "报表中的专业大类（或专业代码）属于另一版专业目录，不是该年度在用的一版；汇总时按新旧目录对照归入。",
    ),
    Kind(
        "code_zero_restored",
        WARNING,
        "代码补回前导 0",
        "存成数字的代码丢了开头的 0（如 10400），已补回（010400）；请核对。",
    ),
    Kind("duplicate_row", ERROR, "重复的行", "同一条记录在表中出现了两次。"),
    # the figures themselves
    Kind("bad_value", ERROR, "无法识别的数值", "单元格的内容不是可以识别的数字，tongji 不猜测。"),
    Kind("unit_mismatch", ERROR, "单位无法换算", "表中的单位无法换算为字段的单位。"),
    Kind(
        "formula_no_cached_value",
        WARNING,
        "公式没有计算结果",
        "单元格是公式，但文件中没有保存计算结果。",
    ),
    Kind("cell_error_value", ERROR, "单元格是错误值", "单元格是 #DIV/0! 之类的错误值。"),
    Kind(
        "merged_over_value",
        ERROR,
        "数字格在合并单元格内",
        "要读的单元格被合并单元格覆盖，合并后的内容写在另一行或另一列的格子里；"
        "这一格的数字无法确定，未采用。",
    ),
    Kind(
        "value_out_of_range",
        WARNING,
        "数字超出合理范围",
        "数字超出字段声明的合理范围（datasets.toml 的 range），已采用，请核实。",
    ),
    Kind(
        "total_mismatch",
        WARNING,
        "合计与各行之和不符",
        "报表中的合计行与各行之和不一致；采用各行数字。",
    ),
    Kind("duplicate_value", INFO, "重复报送且一致", "同一数字在两处报送，两处一致。"),
    Kind(
        "copy_value_used",
        WARNING,
        "采用另一份报表的数字",
        "同一数字在两处报送，一处为空或无法识别；采用可识别的一处，请确认哪份是最新的。",
    ),
    Kind(
        "conflicting_value", ERROR, "两处报送不一致", "同一数字在两处报送且不一致，两者都不采用。"
    ),
    Kind(
        "corrected",
        INFO,
        "已人工更正",
        "统计人员按更正文件改了这个数字（原因和更正人见说明）；原表中的内容保留在来源中。",
    ),
    Kind(
        "correction_unmatched",
        ERROR,
        "更正没有对应的数字",
        "更正文件中的一行找不到要改的数字（文件、工作表、单元格或学校、数据集、字段、键对不上），这一更正没有生效。",
    ),
    Kind(
        "correction_conflict",
        ERROR,
        "更正互相矛盾",
        "更正文件中有两行改同一个数字却改成不同的值；两行都没有生效。",
    ),
    Kind(
        "internal_error",
        ERROR,
        "内部错误",
        "处理文件时 tongji 自身出错；请把文件和日志发给维护者。",
    ),
    # checks over the extracted data
    Kind("missing_return", WARNING, "缺报", "口径内的学校没有报送某个表需要的数据。"),
    Kind(
        "field_not_returned",
        WARNING,
        "报表中没有这一项",
        "报表送来了，但其中没有表需要的某一项（本年度的表式没有该项，或某校的版式没有）：该项为空或合计中不含该校。",
    ),
    Kind("missing_dataset", WARNING, "整类数据缺失", "某年度没有任何学校的某类数据。"),
    Kind(
        "same_as_other_year",
        WARNING,
        "与别的年度的文件相同",
        "这个年度的一个文件与另一年度的一个文件内容完全相同：可能放错了文件夹。",
    ),
    Kind(
        "year_mismatch",
        WARNING,
        "年度不符",
        "文件名、标题或填报日期写的是另一个年度：可能放错了文件夹。",
    ),
    Kind(
        "crosswalk_merged",
        INFO,
        "新旧目录：合并",
        "上一版目录的几个大类在本年度目录中合为一个大类，该专业的数字计入合并后的大类。",
    ),
    Kind(
        "crosswalk_by_major",
        INFO,
        "新旧目录：按专业归入",
        "上一版目录的大类在本年度目录中拆分为几个大类，该专业按专业对照归入其中一个。",
    ),
    Kind(
        "crosswalk_unmapped",
        WARNING,
        "新旧目录：无法归入",
        "上一版目录的大类在本年度目录中拆分或没有对应，而专业对照中没有该专业：数字计入“未能对应本年度目录”一行，不猜测。",
    ),
    Kind("missing_year", WARNING, "缺少年度", "没有某年度的提取结果，该年度的数字和“变化”为空。"),
    Kind(
        "probable_unit_error",
        WARNING,
        "可能填错了单位",
        "与上年相比约为 10、1000 或 10000 倍（或其倒数），像是元与万元之类的单位混用。",
    ),
    Kind(
        "implausible_per_student",
        WARNING,
        "生均数字不合理",
        "按学生数折算的数字超出合理范围（datasets.toml 的 per_student）。",
    ),
)
KINDS: dict[str, Kind] = {k.code: k for k in _KINDS}

# Families of codes named by a config: `check:<rule id>`, `yoy:<rule id>`.
FAMILIES: dict[str, Kind] = {
    "check": Kind(
        "check", WARNING, "核对不成立", "checks.toml 中的核对规则（如专任教师不超过教职工）不成立。"
    ),
    "yoy": Kind(
        "yoy", WARNING, "与上年相比变化异常", "与上年相比的变化超过 checks.toml 允许的幅度。"
    ),
}


def kind_of(code: str) -> Kind:
    """The catalogue entry of a code; raises KeyError for a code not in the catalogue."""
    if code in KINDS:
        return KINDS[code]
    family, sep, _ = code.partition(":")
    if sep and family in FAMILIES:
        return FAMILIES[family]
    raise KeyError(f"finding code not in the catalogue: {code}")


def code_title(code: str, rules: Mapping[str, str] | None = None) -> str:
    """The Chinese name of a code, as the statistician reads it (the code itself stays in
    issues.csv and the 代码 column, for scripts): its kind's title; a `check:<id>` or
    `yoy:<id>` is its family's title and its rule's own title from checks.toml (`rules`:
    code → rule title) when known (`核对不成立：专任教师数不超过教职工数`). A code not in
    the catalogue is shown as it is."""
    try:
        title = kind_of(code).title
    except KeyError:
        return code
    rule = (rules or {}).get(code)
    return f"{title}：{rule}" if rule and code not in KINDS else title


def rule_titles(definitions) -> dict[str, str]:
    """`check:<id>` and `yoy:<id>` → the rule's title in checks.toml (for `code_title`)."""
    if definitions is None:
        return {}
    out = {f"check:{r.id}": r.title for r in definitions.checks if r.title}
    out |= {f"yoy:{r.id}": r.title for r in definitions.year_on_year if r.title}
    return out


# What issues.csv holds, in this order (the structured fields below are for the program).
ISSUE_COLUMNS = (
    "severity",
    "code",
    "message",
    "hint",
    "file",
    "sheet",
    "cell",
    "school_id",
    "mapping",
)


# The Chinese headers of those columns (issues.csv, the SQLite view), as in 数据质量.
ISSUE_HEADERS = {
    "severity": "级别",
    "code": "代码",
    "message": "说明",
    "hint": "处理建议",
    "file": "文件",
    "sheet": "工作表",
    "cell": "单元格",
    "school_id": "学校代码",
    "mapping": "映射",
}


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
    dataset: str = ""
    year: int | None = None

    def as_row(self) -> dict[str, str]:
        row = asdict(self)
        return {c: row[c] for c in ISSUE_COLUMNS}

    def __str__(self) -> str:
        where = "".join(
            part
            for part in (
                self.file,
                f" 工作表“{self.sheet}”" if self.sheet else "",
                f" 单元格 {self.cell}" if self.cell else "",
            )
        )
        label = SEVERITY_LABEL.get(self.severity, self.severity)
        text = f"[{label}] {where}：{self.message}" if where else f"[{label}] {self.message}"
        return text + (f"（{self.hint}）" if self.hint else "")


def issue(
    code: str, message: str, hint: str = "", *, severity: str | None = None, **where
) -> Issue:
    """A finding of a catalogued kind; its severity is the kind's unless given."""
    return Issue(severity or kind_of(code).severity, code, message, hint, **where)


def sort_key(item: Issue) -> tuple:
    return (_ORDER.get(item.severity, 9), item.file, item.sheet, item.cell, item.code, item.message)


def count(issues: Iterable[Issue], severity: str) -> int:
    return sum(1 for i in issues if i.severity == severity)


def exit_code(issues: Iterable[Issue], strict: bool = False) -> ExitCode:
    """Errors fail a run; with `strict`, warnings do too."""
    failing = (ERROR, WARNING) if strict else (ERROR,)
    return ExitCode.DATA if any(i.severity in failing for i in issues) else ExitCode.OK
