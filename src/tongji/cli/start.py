"""`tongji init`: a ready job folder for a new city."""

from __future__ import annotations

import datetime as _dt

import click

from ..errors import ExitCode
from . import guarded, main, options
from .output import setup_logging


def this_report_year(today: _dt.date | None = None) -> int:
    """The year whose report is written now: the statistics of the autumn of this year
    (from September), else of last year."""
    today = today or _dt.date.today()
    return today.year if today.month >= 9 else today.year - 1


@main.command("init")
@click.argument("folder", type=click.Path(file_okay=False), metavar="文件夹")
@options.year("报告年度；默认为今年秋季统计的年度。", required=False, default=None)
@click.option(
    "--region",
    metavar="地区",
    default="本市",
    show_default=True,
    help="地区名称（报告标题中的 {region}），如 赤峰市。",
)
@options.quiet
def init_cmd(folder, year, region, quiet) -> None:
    """在“文件夹”中建立一个新的任务：任务文件（带说明）、学校名录模板、各年度的报表文件夹、更正文件、一份随附的映射和报告定义、中文说明 README.md。

    \b
    示例：
      tongji init 赤峰市2025 --region 赤峰市 -y 2025
      cd 赤峰市2025 && tongji run tongji.toml
    """
    from ..scaffold import create_job_folder

    setup_logging(False, None, quiet)

    def work() -> int:
        report_year = year or this_report_year()
        written = create_job_folder(folder, report_year, region)
        if not quiet:
            click.echo(f"已建立任务文件夹：{folder}（{report_year} 年）")
            for path in written:
                click.echo(f"  {path}")
            click.echo(
                f"下一步：填写 {folder}/学校名录.xlsx，把报表放进年度文件夹，然后运行 tongji run {folder}/tongji.toml"
            )
        return ExitCode.OK

    guarded(work)
