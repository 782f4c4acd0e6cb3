"""`tongji mappings check|suggest`, `tongji fields`, `tongji inspect`, `tongji template`:
writing and checking mappings, and the blank returns to send to schools."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ExitCode, UsageError
from . import guarded, main, options
from .output import echo_json, setup_logging


@main.group("mappings")
def mappings_group() -> None:
    """编写和检查映射配置。"""


@mappings_group.command("check", short_help="检查映射配置，可再用真实报表试一试")
@click.argument("folder", nargs=-1, type=click.Path(), metavar="映射目录...")
@click.option(
    "--report", "report_path", type=click.Path(dir_okay=False), help="同时检查这个报告定义。"
)
@click.option(
    "--against",
    "against",
    multiple=True,
    type=click.Path(),
    help="再用这些报表（文件、文件夹或通配符，可重复）试一试：列出每个映射取到的值，标出可疑的值。",
)
@options.roster(help="学校名录；与 --against 同用时显示认定的学校。")
@options.year(
    "与 --against 同用：报表所属年度（映射中用了 {year} 时需要）。", required=False, default=0
)
@options.json_output
@options.quiet
def mappings_check_cmd(folder, report_path, against, roster, year, as_json, quiet) -> None:
    """检查映射目录（默认：当前文件夹的任务文件中的映射，或 mappings、映射 文件夹；可给多个，第一个是映射包）中的全部配置，逐条指出文件和键。

    加上 --against 时，再用真实的报表试一试每个映射：取到了哪些值，哪些值可疑（像是行次、取自多校表格的合计行、超出合理范围）。有可疑的值时以退出码 1 结束。

    \b
    示例：
      tongji mappings check mappings --report reports/annual_report.toml
      tongji mappings check mappings --against 新报表/ --year 2020
    """
    from ..project import default_mapping_folders, has_definitions, load_project

    setup_logging(False, None, quiet or as_json)
    folders = folder or default_mapping_folders()

    def work() -> int:
        defs = has_definitions(folders)
        project = load_project(
            folders, definitions=defs, report=report_path if defs else None, roster=roster
        )
        counts = {"mappings": len(project.pack.mappings), "datasets": len(project.pack.datasets)}
        parts = [f"{counts['mappings']} 个映射", f"{counts['datasets']} 个数据集"]
        if project.definitions is not None:
            d = project.definitions
            counts |= {
                "indicators": len(d.indicators),
                "checks": len(d.checks) + len(d.year_on_year),
            }
            parts += [f"{counts['indicators']} 个指标", f"{counts['checks']} 条核对规则"]
        if project.report is not None:
            counts |= {"tables": len(project.report.tables), "charts": len(project.report.charts)}
            parts.append(f"报告 {counts['tables']} 张表、{counts['charts']} 张图")
        found = None
        if against:
            from ..authoring.against import against_data, check_against
            from ..extraction import collect_inputs

            files = collect_inputs(against)
            if as_json:
                found = against_data(project.pack, files, project.roster, year)
            else:
                text, flagged = check_against(project.pack, files, project.roster, year)
                found = {"flagged": flagged, "text": text}
        if as_json:
            echo_json({"ok": True, **counts, **({"against": found} if found is not None else {})})
        else:
            click.echo(f"配置无误：{'，'.join(parts)}。")
            if found is not None:
                click.echo(found["text"])
        return ExitCode.DATA if found and found["flagged"] else ExitCode.OK

    guarded(work)


@mappings_group.command("suggest", short_help="为新版式的工作簿写出映射草稿")
@click.argument("file", type=click.Path(dir_okay=False, exists=True), metavar="工作簿")
@click.option(
    "--dataset",
    "-d",
    required=True,
    metavar="数据集",
    help="要提取到的数据集（tongji fields 列出全部）。",
)
@click.option("--sheet", metavar="工作表", help="工作表名；默认选字段匹配最多的一张。")
@options.mappings()
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    help="把草稿写到这个文件（默认显示在屏幕上）。",
)
@options.quiet
def mappings_suggest_cmd(file, dataset, sheet, mappings, output, quiet) -> None:
    """读取新版式的工作簿，按字段的名称和别名写出映射草稿；未能匹配的字段以注释列出。

    \b
    示例：
      tongji mappings suggest 新表.xlsx --dataset staff -o mappings/新表.toml
    """
    from ..authoring.suggest import suggest
    from ..config import load_pack
    from ..files import write_text

    setup_logging(False, None, quiet)

    def work() -> int:
        pack = load_pack(mappings)
        known_dataset(pack, dataset)
        text = suggest(file, pack, dataset, sheet)
        if not output:
            click.echo(text, nl=False)
            return ExitCode.OK
        if Path(output).exists():
            raise UsageError(f"{output} 已存在；为免覆盖已写好的映射，请换一个文件名")
        write_text(text, output)
        if not quiet:
            click.echo(f"已写出草稿：{output}")
        return ExitCode.OK

    guarded(work)


def known_dataset(pack, dataset: str | None) -> None:
    if dataset and dataset not in pack.datasets:
        raise UsageError(f"没有数据集“{dataset}”；可用：{'、'.join(pack.datasets)}")


@main.command("fields", short_help="列出映射可提取的数据集、字段和维度")
@options.mappings()
@click.option("--dataset", "-d", metavar="数据集", help="只显示这个数据集。")
@options.json_output
@options.quiet
def fields_cmd(mappings, dataset, as_json, quiet) -> None:
    """列出映射可以提取到的数据集、字段（类型、单位、别名）和维度（专业大类按各版专业目录）。

    \b
    示例：
      tongji fields --dataset staff
    """
    from ..authoring.fields import describe_fields, fields_data
    from ..config import load_pack

    setup_logging(False, None, quiet)

    def work() -> int:
        pack = load_pack(mappings)
        known_dataset(pack, dataset)
        if as_json:
            echo_json(fields_data(pack, dataset))
        else:
            click.echo(describe_fields(pack, dataset), nl=False)
        return ExitCode.OK

    guarded(work)


@main.command("inspect")
@click.argument("file", type=click.Path(dir_okay=False), metavar="工作簿")
@options.mappings()
@click.option(
    "--mapping",
    "mapping_id",
    metavar="映射名",
    help="按此映射（文件名，不含 .toml）取值，显示每个字段在哪里找到或为何找不到。",
)
@options.roster(help="学校名录；给出时显示认定的学校。")
@options.json_output
@options.quiet
def inspect_cmd(file, mappings, mapping_id, roster, as_json, quiet) -> None:
    """显示工作簿中每个工作表的结构：表头路径、列代码、行标签、合并区域、相符的映射。

    \b
    示例：
      tongji inspect 报表.xlsx
      tongji inspect 报表.xlsx --mapping national_411 --roster samples/roster.xlsx
    """
    from ..authoring.inspect import describe, inspect_data
    from ..config import load_pack
    from ..extraction.read import read_workbook
    from ..extraction.roster import load_roster

    setup_logging(False, None, quiet)

    def work() -> int:
        pack = (
            load_pack(mappings) if all(Path(m).is_dir() for m in mappings) or mapping_id else None
        )
        roster_obj = load_roster(roster) if roster else None
        wb = read_workbook(file)
        if as_json:
            echo_json(inspect_data(wb, pack, mapping_id, roster_obj))
        else:
            click.echo(describe(wb, pack, mapping_id, roster_obj))
        return ExitCode.OK

    guarded(work)


@main.command("template")
@click.argument("folder", nargs=-1, type=click.Path(), metavar="映射目录...")
@options.year("填报的年度（专业大类的下拉列表按这一年在用的专业目录）。")
@click.option(
    "--output",
    "-o",
    "output",
    required=True,
    type=click.Path(file_okay=False),
    metavar="文件夹",
    help="写出填报表的文件夹。",
)
@options.roster(help="学校名录；给出时“学校名称”从下拉列表中选择。")
@options.quiet
def template_cmd(folder, year, output, roster, quiet) -> None:
    """生成空白的填报表发给学校：映射目录（默认：当前文件夹的任务文件中的映射，或 mappings、映射 文件夹）中每个写了 template 的映射一个工作簿。

    表中只有白色的格子可以填写：数字格只能填数字，专业大类、是/否、学校名称从下拉列表中选择；学校填好报回后，tongji 按同一个映射原样读回。

    \b
    示例：
      tongji template -y 2025 -o 填报模板 --roster 学校名录.xlsx
    """
    from ..authoring.template import write_templates
    from ..config import load_pack
    from ..errors import EmptyRoster
    from ..extraction.roster import load_roster
    from ..project import default_mapping_folders

    setup_logging(False, None, quiet)

    def work() -> int:
        pack = load_pack(folder or default_mapping_folders())
        schools = None
        if roster:
            try:
                schools = load_roster(roster)
            except EmptyRoster:  # a roster not filled in yet: the blanks are made all the same
                click.echo(
                    f"提示：{roster} 中还没有学校，“学校名称”一格不设下拉列表；填好名录后再运行一次即可加上。",
                    err=True,
                )
        written = write_templates(pack, year, output, schools)
        if not written:
            raise UsageError(
                "映射目录中没有写了 template 的映射（如随附的 template_*.toml），没有可生成的填报表"
            )
        if not quiet:
            click.echo(f"已写出 {len(written)} 个填报表：")
            for path in written:
                click.echo(f"  {path}")
        return ExitCode.OK

    guarded(work)
