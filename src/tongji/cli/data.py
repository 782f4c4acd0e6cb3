"""`tongji extract`, `tongji aggregate`, `tongji run`: the data commands."""

from __future__ import annotations

from pathlib import Path

import click
from loguru import logger

from ..errors import ExitCode, UsageError
from . import guarded, main, options
from .output import bar_for, echo_json, echo_summary, setup_logging


@main.command("extract")
@click.argument("paths", nargs=-1, required=True, metavar="路径...")
@options.mappings(required=True, help="映射配置目录（含 datasets.toml）。")
@options.roster(required=True)
@options.year("报表所属年度，如 2020。")
@options.output("输出目录。", file=False)
@options.catalogue(
    "这一年度的报表按哪一版专业目录填写（catalogues.toml 中的版本，如 2010）；默认按年度。"
)
@click.option(
    "--corrections",
    type=click.Path(dir_okay=False),
    metavar="更正文件",
    help="人工更正（.csv 或 .xlsx：学校、年度、文件、工作表、单元格或数据集、字段、键，值、原因、更正人）。",
)
@options.jobs
@options.strict
@options.log_file
@options.quiet
@options.verbose
def extract_cmd(
    paths,
    mappings,
    roster,
    year,
    output,
    catalogue,
    corrections,
    jobs,
    strict,
    log_file,
    quiet,
    verbose,
) -> None:
    """从 路径（文件、文件夹或通配符）中的工作簿提取数据。

    每个数据集写成一个 Parquet 文件（另有同名的 CSV 和一个 SQLite 数据库 tongji.sqlite，可用 Excel 或数据库工具打开），另写 lineage.parquet（每个值来自哪个文件、工作表、单元格和原文）和 issues.csv（所有问题及处理建议）。一个文件出错不会中断整批处理。

    \b
    示例：
      tongji extract samples/2020 -m mappings -r samples/roster.xlsx -y 2020 -o out/2020
    """
    setup_logging(verbose, log_file, quiet)
    guarded(
        lambda: run_extract(
            paths, mappings, roster, year, output, jobs, strict, catalogue, quiet, corrections
        )
    )


def run_extract(
    paths,
    mappings,
    roster_path,
    year,
    out,
    jobs=1,
    strict=False,
    catalogue=None,
    quiet=False,
    corrections=None,
) -> int:
    # polars is imported with these: keep `tongji --help` quick
    from ..extraction import extract_to_folder
    from ..extraction.store import ISSUES_FILE
    from ..findings import ERROR, WARNING, count, exit_code
    from ..project import load_project, with_catalogue_years

    project = with_catalogue_years(
        load_project(mappings, roster=roster_path),
        {year: catalogue} if catalogue else {},
        "--catalogue",
        "",
    )
    assert project.roster is not None
    bar = bar_for(quiet)
    result = extract_to_folder(
        paths, project.pack, project.roster, year, out, jobs, bar() if bar else None, corrections
    )
    errors, warnings = count(result.issues, ERROR), count(result.issues, WARNING)
    for issue in sorted(
        (i for i in result.issues if i.severity in (ERROR, WARNING)),
        key=lambda i: (i.severity != ERROR, i.file),
    ):
        logger.debug(str(issue))
    ok_files = sum(1 for f in result.files if not any(i.severity == ERROR for i in f.issues))
    logger.info(
        "完成：{} 个文件，其中 {} 个无错误；提取 {} 个值；错误 {} 个，警告 {} 个。问题清单：{}",
        len(result.files),
        ok_files,
        result.n_values,
        errors,
        warnings,
        Path(out) / ISSUES_FILE,
    )
    return exit_code(result.issues, strict)


@main.command("aggregate", short_help="汇总提取结果，写出汇总工作簿")
@click.argument(
    "extract_dirs", nargs=-1, required=True, type=click.Path(file_okay=False), metavar="提取目录..."
)
@options.mappings(required=True, help="映射配置目录（含 indicators.toml、checks.toml）。")
@click.option(
    "--report",
    "report_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="报告定义（如 reports/annual_report.toml）。",
)
@options.year("报告年度；上一年度的提取结果一并给出时计算“变化”。")
@options.output("输出的汇总工作簿（.xlsx）。", file=True)
@options.roster(help="学校名录；默认用本年度提取结果中保存的名录。")
@click.option(
    "--region",
    default=None,
    metavar="地区",
    help="报告所写的地区（标题中的 {region}），如 赤峰市。",
)
@options.catalogue(
    "报告年度的表按哪一版专业目录分行（catalogues.toml 中的版本，如 2010）；默认按年度。"
)
@options.strict
@options.log_file
@options.quiet
def aggregate_cmd(
    extract_dirs,
    mappings,
    report_path,
    year,
    output,
    roster,
    region,
    catalogue,
    strict,
    log_file,
    quiet,
) -> None:
    """汇总 提取目录（tongji extract 的输出目录，本年度和往年各一个）并写出汇总工作簿。

    工作簿中有报告的各张表（含变化行、口径脚注）、图、数据质量、每个数字的定义与来源、要点句子，以及每所学校、每个旗县区的主要指标。

    \b
    示例：
      tongji aggregate out/2019 out/2020 -m mappings --report reports/annual_report.toml -y 2020 --region 赤峰市 -o 汇总.xlsx
    """
    setup_logging(False, log_file, quiet)
    guarded(
        lambda: run_aggregate(
            extract_dirs, mappings, report_path, year, output, roster, strict, region, catalogue
        )
    )


def run_aggregate(
    extract_dirs,
    mappings,
    report_path,
    year,
    output,
    roster=None,
    strict=False,
    region=None,
    catalogue=None,
) -> int:
    from ..findings import ERROR, WARNING, count, exit_code
    from ..project import load_project, with_catalogue_years
    from ..reporting import publish

    if Path(output).suffix.lower() != ".xlsx":
        raise UsageError(
            f"汇总工作簿写成 .xlsx 格式，输出文件名应以 .xlsx 结尾（现为“{Path(output).name}”）"
        )
    project = with_catalogue_years(
        load_project(mappings, report=report_path, roster=roster),
        {year: catalogue} if catalogue else {},
        "--catalogue",
        "",
    )
    result = publish(project, list(extract_dirs), year, output, region, base=Path.cwd())
    errors, warnings = count(result.issues, ERROR), count(result.issues, WARNING)
    logger.info(
        "已写出 {}：{} 张表，{} 条要点；数据质量：错误 {} 个，警告 {} 个",
        output,
        len(result.tables),
        len(result.sentences),
        errors,
        warnings,
    )
    return exit_code(result.issues, strict)


@main.command("run", short_help="按任务文件运行整批处理：提取 → 核对 → 汇总 → 写出")
@click.argument("job_file", type=click.Path(dir_okay=False), metavar="任务文件")
@click.option("--dry-run", is_flag=True, help="只显示将读取和写出什么，不解析工作簿、不写文件。")
@options.json_output
@options.quiet
@options.verbose
def run_cmd(job_file, dry_run, as_json, quiet, verbose) -> None:
    """按任务文件运行整批处理：提取 → 核对 → 汇总 → 写出。

    适合每年 12 月定时运行：未改动的报表不再重读；一个坏文件不会让整批停下；每次运行写一份日志和运行记录（manifest.json）；输出要么全是这次的，要么全是上次的（运行失败、中止或磁盘写满时保留上次的输出）。结束时显示小结和需要先处理的问题。退出码：0 无问题，1 有数据问题，2 配置或命令有误，3 运行失败（含另一个运行正在使用同一输出目录），130 被中止。

    \b
    示例：
      tongji run samples/tongji.toml
      tongji run samples/tongji.toml --dry-run
      tongji run samples/tongji.toml --json > 小结.json
    """
    from ..run import run_job

    setup_logging(verbose, None, quiet or as_json)
    bar = bar_for(quiet or as_json)

    done: list = []  # the result, once the run has returned it

    def work() -> int:
        result = run_job(
            job_file, dry_run=dry_run, progress=(lambda year: bar(f"{year} 年")) if bar else None
        )
        done.append(result)
        if as_json:
            echo_json(
                {
                    "exit_code": int(result.exit_code),
                    "summary": result.summary,
                    **({} if dry_run else result.manifest),
                }
            )
        else:
            echo_summary(result.summary, quiet)
        return result.exit_code

    def outputs(exc: BaseException) -> str:
        """What a failure left of the outputs: the truth once the manifest names this run."""
        manifest = done[0].manifest if done and not dry_run else {}
        run = getattr(exc, "committed_run", None) or (
            None if "unchanged_since" in manifest else manifest.get("run")
        )
        if run:
            return f"本次运行（{run}）的输出已经写出，manifest.json 指向它。"
        return "" if dry_run else "上次的输出未被改动。"

    guarded(work, "运行失败：{}。{}详情见输出目录下 logs/ 中的日志。", outputs)


@main.command("feedback", short_help="按上次运行的结果，给每所有问题的学校写一份问题反馈工作簿")
@click.argument("job_file", type=click.Path(dir_okay=False), metavar="任务文件")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False),
    default=None,
    metavar="文件夹",
    help="写到哪个文件夹；默认是输出目录下的“反馈给学校”。",
)
@click.option(
    "--contact",
    default="",
    metavar="联系方式",
    help="写在反馈中的联系人和电话，如“统计科 张老师 0476-1234567”；默认写教育局负责统计的同志。",
)
@options.quiet
@options.verbose
def feedback_cmd(job_file, output, contact, quiet, verbose) -> None:
    """按上次 tongji run 的结果，给每所报表有问题要核实的学校写一个工作簿：每个问题的文件、工作表、单元格，发现的情况和应当怎样处理，以及本校报来的数字与上年的对比。

    不重新读取报表、不重新核对，只用上次运行的提取结果和核对结果；问题照样列在汇总工作簿的“数据质量”表中。没有问题要核实的学校不写。tongji run 每次运行也会把这些工作簿写进本次运行的文件夹（runs/<运行编号>/反馈给学校）。

    \b
    示例：
      tongji feedback samples/tongji.toml
      tongji feedback samples/tongji.toml -o D:\\发给学校 --contact "统计科 张老师 0476-1234567"
    """
    from ..run.batch import feedback_for_last_run

    setup_logging(verbose, None, quiet)

    def work() -> int:
        letters, folder, manifest = feedback_for_last_run(job_file, output, contact)
        run = manifest.get("run")
        if not letters:
            click.echo(f"按上次运行（{run}）的结果，没有学校的报表需要核实，没有写反馈。")
        else:
            click.echo(f"按上次运行（{run}）的结果，给 {len(letters)} 所学校写了问题反馈：{folder}")
            for path in letters:
                click.echo(f"  {path.name}")
        return ExitCode.OK

    guarded(work)


__all__ = ["ExitCode", "aggregate_cmd", "extract_cmd", "feedback_cmd", "run_cmd"]
