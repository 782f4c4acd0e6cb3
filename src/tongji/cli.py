"""The command line: a thin layer over the library functions.

Exit codes: 0 clean; 1 some input had errors (with --strict, warnings too); 2 bad usage or
a bad config; 3 an unexpected failure (the log has the details).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from loguru import logger

from . import __version__
from .config import ConfigError, load_pack
from .issues import ERROR, WARNING, count
from .read import ReadError
from .roster import RosterError, load_roster

EXIT_OK, EXIT_DATA, EXIT_USAGE, EXIT_FAILURE = 0, 1, 2, 3

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
_HEADINGS = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}


class _ChineseHelp(click.HelpFormatter):
    """click's help with Chinese headings: 用法、选项、命令."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix="用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{_HEADINGS.get(heading, heading)}：\n")


click.Context.formatter_class = _ChineseHelp


def setup_logging(verbose: bool = False, log_file: str | None = None) -> None:
    logger.remove()
    logger.enable("tongji")
    logger.add(sys.stderr, level="DEBUG" if verbose else "INFO", format="<level>{message}</level>", colorize=None)
    if log_file:
        logger.add(log_file, level="DEBUG", encoding="utf-8", rotation="10 MB", retention=10, enqueue=False)


def _fail(message: str, code: int) -> None:
    click.echo(message, err=True)
    sys.exit(code)


def _guarded(command, *args) -> int:
    """Run a command's work; what it did not foresee ends with a message and exit 3, never
    a traceback (the log file, when asked for, has it)."""
    try:
        return command(*args)
    except SystemExit:
        raise
    except PermissionError as exc:
        _busy_fail(exc)
    except Exception as exc:
        logger.opt(exception=True).debug("failure")
        _fail(f"意外错误：{type(exc).__name__}: {exc}。请把命令和日志文件发给维护者。", EXIT_FAILURE)
    return EXIT_FAILURE


def _busy_fail(exc: PermissionError) -> None:
    target = exc.filename or "输出文件"
    _fail(f"无法写入 {target}：文件可能正被其他程序（如 Excel）打开，或没有写入权限。请关闭它后重试。", EXIT_FAILURE)


def _config_fail(exc: ConfigError, what: str = "配置") -> None:
    lines = "\n".join(f"  - {p}" for p in exc.problems)
    _fail(f"{what}有 {len(exc.problems)} 处错误：\n{lines}", EXIT_USAGE)


def _load_pack(mappings: str):
    try:
        return load_pack(mappings)
    except ConfigError as exc:
        _config_fail(exc, "映射配置")


def _roster_fail(exc: RosterError) -> None:
    _fail(f"学校名录有误：{exc.file}：{exc.message}" + (f"（{exc.hint}）" if exc.hint else ""), EXIT_USAGE)


def _load_roster(path: str):
    try:
        return load_roster(path)
    except RosterError as exc:
        _roster_fail(exc)


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", message="tongji %(version)s", help="显示版本号后退出。")
@click.help_option("-h", "--help", help="显示本帮助后退出。")
def main() -> None:
    """tongji（统计）：从各校的教育统计报表中提取数字，汇总成质量年报的数据表。"""


@main.command("extract", context_settings=CONTEXT)
@click.help_option("-h", "--help", help="显示本帮助后退出。")
@click.argument("paths", nargs=-1, required=True)
@click.option("--mappings", "-m", "mappings", required=True, type=click.Path(), help="映射配置目录（含 datasets.toml）。")
@click.option("--roster", "-r", required=True, type=click.Path(), help="学校名录（.xlsx/.xls/.csv）。")
@click.option("--year", "-y", required=True, type=click.IntRange(1990, 2100), help="报表所属年度，如 2020。")
@click.option("--out", "-o", "out", required=True, type=click.Path(file_okay=False), help="输出目录。")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, 64), help="并行读取的进程数。")
@click.option("--strict", is_flag=True, help="有警告也以退出码 1 结束。")
@click.option("--log-file", type=click.Path(dir_okay=False), help="把详细日志另存到此文件。")
@click.option("--verbose", "-v", is_flag=True, help="显示详细日志。")
def extract_cmd(paths, mappings, roster, year, out, jobs, strict, log_file, verbose) -> None:
    """从 PATHS（文件、文件夹或通配符）中的工作簿提取数据。

    每个数据集写成一个 Parquet 文件，另写 lineage.parquet（每个值来自哪个文件、工作表、单元格和原文）和 issues.csv（所有问题及处理建议）。一个文件出错不会中断整批处理。
    """
    setup_logging(verbose, log_file)
    sys.exit(_guarded(run_extract, paths, mappings, roster, year, out, jobs, strict))


def run_extract(paths, mappings, roster_path, year, out, jobs=1, strict=False) -> int:
    # polars is imported with these: keep `tongji --help` quick
    from .extract import UsageError, collect_inputs, extract_paths
    from .store import ISSUES_FILE, write_extract

    pack = _load_pack(mappings)
    roster = _load_roster(roster_path)
    try:
        files = collect_inputs(paths)
    except UsageError as exc:
        _fail(str(exc), EXIT_USAGE)
    if not files:
        _fail("没有找到任何工作簿（.xlsx/.xls/.xlsm/.xlsb/.ods）。", EXIT_USAGE)
    logger.info("读取 {} 个文件（映射 {} 个，名录学校 {} 所，年度 {}）", len(files), len(pack.mappings), len(roster.schools), year)

    show_bar = sys.stderr.isatty()
    if show_bar:
        with click.progressbar(length=len(files), label="提取", file=sys.stderr) as bar:
            result = extract_paths(files, pack, roster, year, jobs, progress=lambda _r: bar.update(1))
    else:
        result = extract_paths(files, pack, roster, year, jobs)
    write_extract(result, pack, out, roster)

    errors, warnings = count(result.issues, ERROR), count(result.issues, WARNING)
    for issue in sorted((i for i in result.issues if i.severity in (ERROR, WARNING)), key=lambda i: (i.severity != ERROR, i.file)):
        logger.debug(str(issue))
    ok_files = sum(1 for f in result.files if not any(i.severity == ERROR for i in f.issues))
    logger.info(
        "完成：{} 个文件，其中 {} 个无错误；提取 {} 个值；错误 {} 个，警告 {} 个。问题清单：{}",
        len(result.files),
        ok_files,
        len(result.values),
        errors,
        warnings,
        Path(out) / ISSUES_FILE,
    )
    if errors or (strict and warnings):
        return EXIT_DATA
    return EXIT_OK


@main.command("aggregate", context_settings=CONTEXT)
@click.help_option("-h", "--help", help="显示本帮助后退出。")
@click.argument("extract_dirs", nargs=-1, required=True, type=click.Path(file_okay=False))
@click.option("--mappings", "-m", "mappings", required=True, type=click.Path(), help="映射配置目录（含 indicators.toml、checks.toml）。")
@click.option("--report", "report_path", required=True, type=click.Path(dir_okay=False), help="报告定义（如 reports/annual_report.toml）。")
@click.option("--year", "-y", required=True, type=click.IntRange(1990, 2100), help="报告年度；上一年度的提取结果一并给出时计算“变化”。")
@click.option("--output", "-o", "output", required=True, type=click.Path(dir_okay=False), help="输出的汇总工作簿（.xlsx）。")
@click.option("--roster", "-r", type=click.Path(dir_okay=False), help="学校名录；默认用本年度提取结果中保存的名录。")
@click.option("--strict", is_flag=True, help="有警告也以退出码 1 结束。")
@click.option("--log-file", type=click.Path(dir_okay=False), help="把详细日志另存到此文件。")
def aggregate_cmd(extract_dirs, mappings, report_path, year, output, roster, strict, log_file) -> None:
    """汇总 EXTRACT_DIRS（tongji extract 的输出目录，本年度和往年各一个）并写出汇总工作簿。

    工作簿中有报告的各张表（含变化行、口径脚注）、图、数据质量、每个数字的定义与来源、要点句子，以及每所学校、每个旗县区的主要指标。
    """
    setup_logging(False, log_file)
    sys.exit(_guarded(run_aggregate, extract_dirs, mappings, report_path, year, output, roster, strict))


def run_aggregate(extract_dirs, mappings, report_path, year, output, roster=None, strict=False) -> int:
    from .aggregate import AggregateError
    from .publish import publish

    try:
        result = publish(list(extract_dirs), mappings, report_path, year, output, roster)
    except ConfigError as exc:
        _config_fail(exc)
    except RosterError as exc:
        _roster_fail(exc)
    except AggregateError as exc:
        _fail(str(exc), EXIT_USAGE)
    issues = result.checks + result.extraction_issues
    errors, warnings = count(issues, ERROR), count(issues, WARNING)
    logger.info("已写出 {}：{} 张表，{} 条要点；数据质量：错误 {} 个，警告 {} 个", output, len(result.tables), len(result.sentences), errors, warnings)
    if errors or (strict and warnings):
        return EXIT_DATA
    return EXIT_OK


@main.command("run", context_settings=CONTEXT)
@click.help_option("-h", "--help", help="显示本帮助后退出。")
@click.argument("job_file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="只显示将读取和写出什么，不解析工作簿、不写文件。")
@click.option("--verbose", "-v", is_flag=True, help="显示详细日志。")
def run_cmd(job_file, dry_run, verbose) -> None:
    """按任务文件 JOB_FILE 运行整批处理：提取 → 核对 → 汇总 → 写出。

    适合每年 12 月定时运行：未改动的报表不再重读；每次运行写一份日志和运行记录（manifest.json）；运行失败时保留上次的输出。退出码：0 无问题，1 有数据问题，2 配置或命令有误，3 运行失败（含另一个运行正在使用同一输出目录）。
    """
    from .run import LockError, OutputBusyError, run_job

    setup_logging(verbose)
    try:
        result = run_job(job_file, dry_run=dry_run)
    except ConfigError as exc:
        _config_fail(exc)
    except RosterError as exc:
        _roster_fail(exc)
    except (LockError, OutputBusyError) as exc:
        _fail(str(exc), EXIT_FAILURE)
    except PermissionError as exc:
        _busy_fail(exc)
    except Exception as exc:
        logger.opt(exception=True).debug("failure")
        _fail(f"运行失败：{type(exc).__name__}: {exc}。上次的输出未被改动；详情见输出目录下 logs/ 中的日志。", EXIT_FAILURE)
    if dry_run:
        click.echo(result.summary)
    sys.exit(result.exit_code)


@main.group("mappings", context_settings=CONTEXT)
@click.help_option("-h", "--help", help="显示本帮助后退出。")
def mappings_group() -> None:
    """编写和检查映射配置。"""


@mappings_group.command("check", context_settings=CONTEXT)
@click.help_option("-h", "--help", help="显示本帮助后退出。")
@click.argument("folder", default="mappings", type=click.Path())
@click.option("--report", "report_path", type=click.Path(dir_okay=False), help="同时检查这个报告定义。")
def mappings_check_cmd(folder, report_path) -> None:
    """检查映射目录 FOLDER（默认 mappings）中的全部配置，逐条指出文件和键。"""
    from .spec import INDICATORS_FILE, load_definitions, load_report

    pack = _load_pack(folder)
    parts = [f"{len(pack.mappings)} 个映射", f"{len(pack.datasets)} 个数据集"]
    try:
        if (Path(folder) / INDICATORS_FILE).is_file():
            defs = load_definitions(folder, pack)
            parts += [f"{len(defs.indicators)} 个指标", f"{len(defs.checks) + len(defs.year_on_year)} 条核对规则"]
            if report_path:
                spec = load_report(report_path, pack, defs)
                parts.append(f"报告 {len(spec.tables)} 张表、{len(spec.charts)} 张图")
    except ConfigError as exc:
        _config_fail(exc)
    click.echo(f"配置无误：{'，'.join(parts)}。")


@mappings_group.command("suggest", context_settings=CONTEXT)
@click.help_option("-h", "--help", help="显示本帮助后退出。")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@click.option("--dataset", "-d", required=True, help="要提取到的数据集（tongji fields 列出全部）。")
@click.option("--sheet", help="工作表名；默认选字段匹配最多的一张。")
@click.option("--mappings", "-m", "mappings", default="mappings", show_default=True, type=click.Path(), help="映射配置目录。")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="把草稿写到这个文件（默认显示在屏幕上）。")
def mappings_suggest_cmd(file, dataset, sheet, mappings, output) -> None:
    """读取新版式的工作簿 FILE，按字段的名称和别名写出映射草稿；未能匹配的字段以注释列出。"""
    from .store import write_text
    from .suggest import suggest

    pack = _load_pack(mappings)
    if dataset not in pack.datasets:
        _fail(f"没有数据集“{dataset}”；可用：{'、'.join(pack.datasets)}", EXIT_USAGE)
    try:
        text = suggest(file, pack, dataset, sheet)
    except ReadError as exc:
        _fail(f"{file}：{exc.message}（{exc.hint}）", EXIT_DATA)
    except KeyError:
        _fail(f"{file} 中没有工作表“{sheet}”", EXIT_USAGE)
    except ValueError as exc:
        _fail(f"{file}：{exc}", EXIT_DATA)
    if output:
        if Path(output).exists():
            _fail(f"{output} 已存在；为免覆盖已写好的映射，请换一个文件名", EXIT_USAGE)
        write_text(text, output)
        click.echo(f"已写出草稿：{output}")
    else:
        click.echo(text, nl=False)


@main.command("fields", context_settings=CONTEXT)
@click.help_option("-h", "--help", help="显示本帮助后退出。")
@click.option("--mappings", "-m", "mappings", default="mappings", show_default=True, type=click.Path(), help="映射配置目录。")
@click.option("--dataset", "-d", help="只显示这个数据集。")
def fields_cmd(mappings, dataset) -> None:
    """列出映射可以提取到的数据集、字段（类型、单位、别名）和维度。"""
    from .suggest import describe_fields

    pack = _load_pack(mappings)
    if dataset and dataset not in pack.datasets:
        _fail(f"没有数据集“{dataset}”；可用：{'、'.join(pack.datasets)}", EXIT_USAGE)
    click.echo(describe_fields(pack, dataset), nl=False)


@main.command("inspect", context_settings=CONTEXT)
@click.help_option("-h", "--help", help="显示本帮助后退出。")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--mappings", "-m", "mappings", default="mappings", show_default=True, type=click.Path(), help="映射配置目录。")
@click.option("--mapping", "mapping_id", help="按此映射（文件名，不含 .toml）取值，显示每个字段在哪里找到或为何找不到。")
@click.option("--roster", "-r", type=click.Path(), help="学校名录；给出时显示认定的学校。")
def inspect_cmd(file, mappings, mapping_id, roster) -> None:
    """显示工作簿中每个工作表的结构：表头路径、列代码、行标签、合并区域、相符的映射。"""
    from .inspection import inspect_workbook

    setup_logging()
    pack = _load_pack(mappings) if Path(mappings).is_dir() or mapping_id else None
    roster_obj = _load_roster(roster) if roster else None
    try:
        text = inspect_workbook(file, pack, mapping_id, roster_obj)
    except ReadError as exc:
        _fail(f"{file}：{exc.message}（{exc.hint}）", EXIT_DATA)
    except KeyError:
        names = "、".join(m.id for m in pack.mappings) if pack else ""
        _fail(f"没有名为“{mapping_id}”的映射；可用：{names}", EXIT_USAGE)
    click.echo(text)


if __name__ == "__main__":  # pragma: no cover
    main()
