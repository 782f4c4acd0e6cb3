"""`tongji init`: a ready job folder for a new city, so that it starts with one command.

The folder holds a job file with comments, a roster to fill in (with a sheet that says
how), a folder per year for the returns, a corrections file, the mapping pack and the
report definition copied from the ones tongji comes with (the city's own from then on:
it may edit them), and a README in Chinese that says what to do next.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .bundled import mappings_dir, report_file
from .errors import UsageError
from .files import write_text

ROSTER_COLUMNS = [
    "学校代码",
    "学校名称",
    "别名",
    "旗县区",
    "办学类型",
    "举办者",
    "级别",
    "是否技工学校",
]
ROSTER_NOTES = [
    ("学校代码", "必填。学校标识码（10 位），按文本填写，开头的 0 不要丢。"),
    ("学校名称", "必填。学校的全称，与报表上写的一致最好。"),
    (
        "别名",
        "选填。报表上可能出现的其他写法，多个用顿号或分号隔开，如：阿旗职教中心；阿鲁科尔沁旗职教中心。",
    ),
    ("旗县区", "学校所在的旗县区；各旗县区的表和数字按这一列汇总。"),
    ("办学类型", "普通中专、职业高中、附设中职班、成人中专、技工学校。"),
    ("举办者", "公办或民办。"),
    ("级别", "选填。国家级示范、国家级重点、自治区级重点（多个用顿号隔开）；表2 按这一列统计。"),
    ("是否技工学校", "是或否。技工学校的数字只计入注明“包含技工学校”的表。"),
]
CORRECTIONS_HEADER = "学校,年度,文件,工作表,单元格,数据集,字段,键,值,原因,更正人\n"


def _job_text(year: int, region: str) -> str:
    return f'''# tongji 任务文件：{region}{year} 年中职质量年报的数据表。
# 运行：tongji run tongji.toml（在本文件所在的文件夹中；或写出本文件的完整路径）
# 路径都相对于本文件所在的文件夹；Windows 路径请用 / 或单引号，如 '报表\\2025'。

name = "{region}中职质量年报"
region = "{region}"                          # 地区：报告标题中的 {{region}}
year = {year}                                 # 报告年度；上一年度一并给出时计算“变化”

roster = "学校名录.xlsx"                     # 学校名录：先把本市的学校填进去
mappings = "映射"                            # 映射、指标、核对规则、专业目录（tongji 随附的一份，可以修改）
report = "报告/annual_report.toml"           # 报告的表格定义
output = "输出"                              # 输出目录：汇总工作簿、提取结果、日志
summary = "{region}{{year}}年质量年报数据.xlsx"
corrections = "更正.csv"                     # 人工更正（打电话核实后的数字），见 README.md
strict = false                               # true：有警告也以退出码 1 结束
jobs = 0                                     # 并行读取的进程数；0：按本机可用的 CPU 核数

[inputs]                                     # 每个年度的报表：文件夹、文件或通配符
{year - 1} = ["{year - 1}"]
{year} = ["{year}"]
'''


def _readme(year: int, region: str) -> str:
    return f"""# {region}中职质量年报（{year} 年）

这个文件夹由 `tongji init` 建立，按下面的步骤做即可。

1. 打开 `学校名录.xlsx`，把本市每所中职学校（含技工学校）填一行；各列的填法见其中的“填写说明”表。
2. 把各校报来的报表放进 `{year - 1}/`、`{year}/` 文件夹（可以每校一个子文件夹）；`.xlsx`、`.xls`、`.csv` 都可以。
   想让学校按统一的格式填报，可以先运行 `tongji template 映射 -y {year} -o 填报模板` 生成空白的填报表发给学校。
3. 运行：

   ```
   tongji run tongji.toml
   ```

   结束时会显示小结和需要先处理的问题；汇总工作簿在 `输出/` 中，其中的“数据质量”表逐条列出问题（文件、工作表、
   单元格、处理建议）。
4. 学校的数字有误、打电话核实过的，不用改学校的文件：在 `更正.csv` 中写一行（学校、年度、文件和单元格，
   或数据集、字段和键；改成的值、原因、更正人），再运行一次。更正会出现在“数据质量”表和每个数字的来源中。
5. 要学校自己核实的问题，每次运行后按学校写成工作簿（小结中写明在哪里），可以直接发给学校；要另写到一个文件夹、
   写上联系人时：

   ```
   tongji feedback tongji.toml -o 发给学校 --contact "统计科 0476-0000000"
   ```

`映射/` 和 `报告/` 是 tongji 随附的配置的一份副本，本市可以修改（如本市特有的报表版式、产业归属）；
写法见 tongji 的文档 docs/映射参考.md。
"""


def create_job_folder(folder: str | Path, year: int, region: str) -> list[Path]:
    """Create the job folder; returns what was written. A folder that exists and is not
    empty is left alone (UsageError): nothing of a city's is ever overwritten."""
    root = Path(folder)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise UsageError(
            f"“{root}”已存在且不是空文件夹；tongji init 不会覆盖已有的文件，请换一个新文件夹"
        )
    root.mkdir(parents=True, exist_ok=True)
    written = []
    for y in (year - 1, year):
        (root / str(y)).mkdir()
        written.append(root / str(y))
    shutil.copytree(
        mappings_dir(), root / "映射", ignore=shutil.ignore_patterns("README.md", "__pycache__")
    )
    (root / "报告").mkdir()
    shutil.copy(report_file(), root / "报告" / "annual_report.toml")
    write_text(_job_text(year, region), root / "tongji.toml")
    write_text(_readme(year, region), root / "README.md")
    write_text(CORRECTIONS_HEADER, root / "更正.csv", encoding="utf-8-sig")
    _write_roster_template(root / "学校名录.xlsx")
    written += [
        root / "映射",
        root / "报告" / "annual_report.toml",
        root / "tongji.toml",
        root / "README.md",
        root / "更正.csv",
        root / "学校名录.xlsx",
    ]
    return written


def _write_roster_template(path: Path) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    head = wb.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "font_name": "宋体"})
    text = wb.add_format({"num_format": "@", "font_name": "宋体"})
    ws = wb.add_worksheet("学校名录")
    ws.write_row(0, 0, ROSTER_COLUMNS, head)
    for i, width in enumerate((14, 30, 30, 12, 12, 8, 22, 12)):
        ws.set_column(i, i, width, text)
    ws.data_validation(
        1,
        4,
        2000,
        4,
        {
            "validate": "list",
            "source": ["普通中专", "职业高中", "附设中职班", "成人中专", "技工学校"],
        },
    )
    ws.data_validation(1, 5, 2000, 5, {"validate": "list", "source": ["公办", "民办"]})
    ws.data_validation(1, 7, 2000, 7, {"validate": "list", "source": ["是", "否"]})
    ws.freeze_panes(1, 0)
    notes = wb.add_worksheet("填写说明")
    notes.write_row(0, 0, ["列", "填法"], head)
    for r, (col, note) in enumerate(ROSTER_NOTES, 1):
        notes.write_row(r, 0, [col, note])
    notes.set_column(0, 0, 14)
    notes.set_column(1, 1, 90)
    wb.close()
