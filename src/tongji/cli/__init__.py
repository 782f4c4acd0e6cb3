"""The command line: a thin layer over the library functions.

Each command parses its options, calls one library function and turns what comes back
into an exit code (`errors.ExitCode`): 0 clean; 1 some input had errors (with --strict,
warnings too); 2 bad usage or a bad config; 3 the run could not be completed. Every
foreseen failure is a `TongjiError` that says what to do; `_guarded` prints it and exits
with its code, in one place for every command.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import click
from loguru import logger

from .. import __version__
from ..errors import ExitCode, TongjiError, UsageError, describe_os_error
from . import options
from .help import Group

_UNEXPECTED = "意外错误：{}。请把命令和日志文件发给维护者。"


def setup_logging(verbose: bool = False, log_file: str | None = None) -> None:
    logger.remove()
    logger.enable("tongji")
    logger.add(sys.stderr, level="DEBUG" if verbose else "INFO", format="<level>{message}</level>", colorize=None, filter=lambda r: not r["extra"].get("log_only"))
    if log_file:
        logger.add(log_file, level="DEBUG", encoding="utf-8", rotation="10 MB", retention=10, enqueue=False)


def _fail(message: str, code: int) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(code)


def _guarded(work: Callable[[], int], unexpected: str = _UNEXPECTED, unchanged: str = "") -> NoReturn:
    """Run a command's work and exit with its code. A foreseen failure ends with its
    message and exit code; a failure of the disk or the system ends with what it means and
    what to do; what was not foreseen ends with a message and exit 3, never a traceback (the
    log file, when asked for, has it). Ctrl+C ends with 130. `unchanged` is said after a
    failure when the outputs were left as they were."""
    try:
        code = work()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        _fail("已中断（Ctrl+C）。" + unchanged, ExitCode.INTERRUPTED)
    except TongjiError as exc:
        _fail(exc.describe(), exc.exit_code)
    except PermissionError as exc:
        target = exc.filename or "输出文件"
        _fail(f"无法写入 {target}：文件可能正被其他程序（如 Excel）打开，或没有写入权限。请关闭它后重试。" + unchanged, ExitCode.FAILURE)
    except OSError as exc:
        logger.opt(exception=True).debug("failure")
        _fail(describe_os_error(exc) + "。" + unchanged, ExitCode.FAILURE)
    except Exception as exc:
        logger.opt(exception=True).debug("failure")
        _fail(unexpected.format(f"{type(exc).__name__}: {exc}"), ExitCode.FAILURE)
    sys.exit(code)


@click.group(cls=Group)
@click.version_option(__version__, "-V", "--version", message="tongji %(version)s", help="显示版本号后退出。")
def main() -> None:
    """tongji（统计）：从各校的教育统计报表中提取数字，汇总成质量年报的数据表。"""


# ---------------------------------------------------------------- extract


@main.command("extract")
@click.argument("paths", nargs=-1, required=True)
@options.mappings(required=True, help="映射配置目录（含 datasets.toml）。")
@options.roster(required=True)
@options.year("报表所属年度，如 2020。")
@options.output("输出目录。", file=False)
@options.catalogue("这一年度的报表按哪一版专业目录填写（catalogues.toml 中的版本，如 2010）；默认按年度。")
@options.jobs
@options.strict
@options.log_file
@options.verbose
def extract_cmd(paths, mappings, roster, year, output, catalogue, jobs, strict, log_file, verbose) -> None:
    """从 PATHS（文件、文件夹或通配符）中的工作簿提取数据。

    每个数据集写成一个 Parquet 文件，另写 lineage.parquet（每个值来自哪个文件、工作表、单元格和原文）和 issues.csv（所有问题及处理建议）。一个文件出错不会中断整批处理。

    \b
    示例：
      tongji extract samples/2020 -m mappings -r samples/roster.xlsx -y 2020 -o out/2020
    """
    setup_logging(verbose, log_file)
    _guarded(lambda: run_extract(paths, mappings, roster, year, output, jobs, strict, catalogue))


class _Bar:
    """A progress bar on the terminal while files are read."""

    def start(self, total: int) -> None:
        self.bar = click.progressbar(length=total, label="提取", file=sys.stderr)
        self.bar.__enter__()

    def advance(self, result) -> None:
        self.bar.update(1)

    def finish(self) -> None:
        self.bar.__exit__(None, None, None)


def run_extract(paths, mappings, roster_path, year, out, jobs=1, strict=False, catalogue=None) -> int:
    # polars is imported with these: keep `tongji --help` quick
    from ..config import load_project
    from ..config.project import with_catalogue_years
    from ..extraction import extract_to_folder
    from ..extraction.store import ISSUES_FILE
    from ..findings import ERROR, WARNING, count, exit_code

    project = with_catalogue_years(load_project(mappings, roster=roster_path), {year: catalogue} if catalogue else {}, "--catalogue", "")
    assert project.roster is not None
    result = extract_to_folder(paths, project.pack, project.roster, year, out, jobs, _Bar() if sys.stderr.isatty() else None)
    errors, warnings = count(result.issues, ERROR), count(result.issues, WARNING)
    for issue in sorted((i for i in result.issues if i.severity in (ERROR, WARNING)), key=lambda i: (i.severity != ERROR, i.file)):
        logger.debug(str(issue))
    ok_files = sum(1 for f in result.files if not any(i.severity == ERROR for i in f.issues))
    logger.info(
        "完成：{} 个文件，其中 {} 个无错误；提取 {} 个值；错误 {} 个，警告 {} 个。问题清单：{}",
        len(result.files), ok_files, len(result.values), errors, warnings, Path(out) / ISSUES_FILE,
    )
    return exit_code(result.issues, strict)


# ---------------------------------------------------------------- aggregate


@main.command("aggregate")
@click.argument("extract_dirs", nargs=-1, required=True, type=click.Path(file_okay=False))
@options.mappings(required=True, help="映射配置目录（含 indicators.toml、checks.toml）。")
@click.option("--report", "report_path", required=True, type=click.Path(dir_okay=False), help="报告定义（如 reports/annual_report.toml）。")
@options.year("报告年度；上一年度的提取结果一并给出时计算“变化”。")
@options.output("输出的汇总工作簿（.xlsx）。", file=True)
@options.roster(help="学校名录；默认用本年度提取结果中保存的名录。")
@click.option("--region", default=None, help="报告所写的地区（标题中的 {region}），如 赤峰市。")
@options.catalogue("报告年度的表按哪一版专业目录分行（catalogues.toml 中的版本，如 2010）；默认按年度。")
@options.strict
@options.log_file
def aggregate_cmd(extract_dirs, mappings, report_path, year, output, roster, region, catalogue, strict, log_file) -> None:
    """汇总 EXTRACT_DIRS（tongji extract 的输出目录，本年度和往年各一个）并写出汇总工作簿。

    工作簿中有报告的各张表（含变化行、口径脚注）、图、数据质量、每个数字的定义与来源、要点句子，以及每所学校、每个旗县区的主要指标。

    \b
    示例：
      tongji aggregate out/2019 out/2020 -m mappings --report reports/annual_report.toml -y 2020 --region 赤峰市 -o 汇总.xlsx
    """
    setup_logging(False, log_file)
    _guarded(lambda: run_aggregate(extract_dirs, mappings, report_path, year, output, roster, strict, region, catalogue))


def run_aggregate(extract_dirs, mappings, report_path, year, output, roster=None, strict=False, region=None, catalogue=None) -> int:
    from ..config import load_project
    from ..config.project import with_catalogue_years
    from ..findings import ERROR, WARNING, count, exit_code
    from ..reporting import publish

    project = with_catalogue_years(load_project(mappings, report=report_path, roster=roster), {year: catalogue} if catalogue else {}, "--catalogue", "")
    result = publish(project, list(extract_dirs), year, output, region, base=Path.cwd())
    errors, warnings = count(result.issues, ERROR), count(result.issues, WARNING)
    logger.info("已写出 {}：{} 张表，{} 条要点；数据质量：错误 {} 个，警告 {} 个", output, len(result.tables), len(result.sentences), errors, warnings)
    return exit_code(result.issues, strict)


# ---------------------------------------------------------------- run


@main.command("run")
@click.argument("job_file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="只显示将读取和写出什么，不解析工作簿、不写文件。")
@options.verbose
def run_cmd(job_file, dry_run, verbose) -> None:
    """按任务文件 JOB_FILE 运行整批处理：提取 → 核对 → 汇总 → 写出。

    适合每年 12 月定时运行：未改动的报表不再重读；一个坏文件不会让整批停下；每次运行写一份日志和运行记录（manifest.json）；输出要么全是这次的，要么全是上次的（运行失败、中止或磁盘写满时保留上次的输出）。退出码：0 无问题，1 有数据问题，2 配置或命令有误，3 运行失败（含另一个运行正在使用同一输出目录），130 被中止。

    \b
    示例：
      tongji run samples/tongji.toml
      tongji run samples/tongji.toml --dry-run
    """
    from ..run import run_job

    setup_logging(verbose)

    def work() -> int:
        result = run_job(job_file, dry_run=dry_run)
        if dry_run:
            click.echo(result.summary)
        return result.exit_code

    _guarded(work, "运行失败：{}。上次的输出未被改动；详情见输出目录下 logs/ 中的日志。", "上次的输出未被改动。")


# ---------------------------------------------------------------- writing mappings


@main.group("mappings")
def mappings_group() -> None:
    """编写和检查映射配置。"""


@mappings_group.command("check")
@click.argument("folder", nargs=-1, type=click.Path())
@click.option("--report", "report_path", type=click.Path(dir_okay=False), help="同时检查这个报告定义。")
@click.option("--against", "against", multiple=True, type=click.Path(), help="再用这些报表（文件、文件夹或通配符，可重复）试一试：列出每个映射取到的值，标出可疑的值。")
@options.roster(help="学校名录；与 --against 同用时显示认定的学校。")
@click.option("--year", "-y", default=0, type=click.IntRange(0, 2100), help="与 --against 同用：报表所属年度（映射中用了 {year} 时需要）。")
def mappings_check_cmd(folder, report_path, against, roster, year) -> None:
    """检查映射目录 FOLDER（默认 mappings；可给多个，第一个是映射包）中的全部配置，逐条指出文件和键。

    加上 --against 时，再用真实的报表试一试每个映射：取到了哪些值，哪些值可疑（像是行次、取自多校表格的合计行、超出合理范围）。有可疑的值时以退出码 1 结束。

    \b
    示例：
      tongji mappings check mappings --report reports/annual_report.toml
      tongji mappings check mappings --against 新报表/ --year 2020
    """
    from ..config import has_definitions, load_project

    folders = folder or ("mappings",)

    def work() -> int:
        defs = has_definitions(folders)
        project = load_project(folders, definitions=defs, report=report_path if defs else None, roster=roster)
        parts = [f"{len(project.pack.mappings)} 个映射", f"{len(project.pack.datasets)} 个数据集"]
        if project.definitions is not None:
            d = project.definitions
            parts += [f"{len(d.indicators)} 个指标", f"{len(d.checks) + len(d.year_on_year)} 条核对规则"]
        if project.report is not None:
            parts.append(f"报告 {len(project.report.tables)} 张表、{len(project.report.charts)} 张图")
        click.echo(f"配置无误：{'，'.join(parts)}。")
        if not against:
            return ExitCode.OK
        from ..authoring.against import check_against
        from ..extraction import collect_inputs

        text, flagged = check_against(project.pack, collect_inputs(against), project.roster, year)
        click.echo(text)
        return ExitCode.DATA if flagged else ExitCode.OK

    _guarded(work)


@mappings_group.command("suggest")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@click.option("--dataset", "-d", required=True, help="要提取到的数据集（tongji fields 列出全部）。")
@click.option("--sheet", help="工作表名；默认选字段匹配最多的一张。")
@options.mappings()
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="把草稿写到这个文件（默认显示在屏幕上）。")
def mappings_suggest_cmd(file, dataset, sheet, mappings, output) -> None:
    """读取新版式的工作簿 FILE，按字段的名称和别名写出映射草稿；未能匹配的字段以注释列出。

    \b
    示例：
      tongji mappings suggest 新表.xlsx --dataset staff -o mappings/新表.toml
    """
    from ..authoring.suggest import suggest
    from ..config import load_pack
    from ..extraction.store import write_text

    def work() -> int:
        pack = load_pack(mappings)
        _known_dataset(pack, dataset)
        text = suggest(file, pack, dataset, sheet)
        if not output:
            click.echo(text, nl=False)
            return ExitCode.OK
        if Path(output).exists():
            raise UsageError(f"{output} 已存在；为免覆盖已写好的映射，请换一个文件名")
        write_text(text, output)
        click.echo(f"已写出草稿：{output}")
        return ExitCode.OK

    _guarded(work)


def _known_dataset(pack, dataset: str | None) -> None:
    if dataset and dataset not in pack.datasets:
        raise UsageError(f"没有数据集“{dataset}”；可用：{'、'.join(pack.datasets)}")


@main.command("fields")
@options.mappings()
@click.option("--dataset", "-d", help="只显示这个数据集。")
def fields_cmd(mappings, dataset) -> None:
    """列出映射可以提取到的数据集、字段（类型、单位、别名）和维度。

    \b
    示例：
      tongji fields --dataset staff
    """
    from ..authoring.fields import describe_fields
    from ..config import load_pack

    def work() -> int:
        pack = load_pack(mappings)
        _known_dataset(pack, dataset)
        click.echo(describe_fields(pack, dataset), nl=False)
        return ExitCode.OK

    _guarded(work)


@main.command("inspect")
@click.argument("file", type=click.Path(dir_okay=False))
@options.mappings()
@click.option("--mapping", "mapping_id", help="按此映射（文件名，不含 .toml）取值，显示每个字段在哪里找到或为何找不到。")
@options.roster(help="学校名录；给出时显示认定的学校。")
def inspect_cmd(file, mappings, mapping_id, roster) -> None:
    """显示工作簿中每个工作表的结构：表头路径、列代码、行标签、合并区域、相符的映射。

    \b
    示例：
      tongji inspect 报表.xlsx
      tongji inspect 报表.xlsx --mapping national_411 --roster samples/roster.xlsx
    """
    from ..authoring.inspect import inspect_workbook
    from ..config import load_pack
    from ..extraction.roster import load_roster

    setup_logging()

    def work() -> int:
        pack = load_pack(mappings) if all(Path(m).is_dir() for m in mappings) or mapping_id else None
        roster_obj = load_roster(roster) if roster else None
        click.echo(inspect_workbook(file, pack, mapping_id, roster_obj))
        return ExitCode.OK

    _guarded(work)


if __name__ == "__main__":  # pragma: no cover
    main()
