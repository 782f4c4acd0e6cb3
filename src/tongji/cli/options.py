"""Options shared by several commands, each declared once and named the same everywhere."""

from __future__ import annotations

import click

MORE_MAPPINGS = "可重复：第一个是映射包，其余目录补充本地版式的映射。"


def mappings(required: bool = False, help: str = "映射配置目录。"):
    """`--mappings/-m`, repeatable: the pack's folder, then folders of more mappings."""
    if required:
        return click.option(
            "--mappings",
            "-m",
            "mappings",
            required=True,
            multiple=True,
            type=click.Path(),
            help=f"{help}{MORE_MAPPINGS}",
        )
    return click.option(
        "--mappings",
        "-m",
        "mappings",
        default=_default_mappings,
        multiple=True,
        show_default=DEFAULT_MAPPINGS,
        type=click.Path(),
        help=f"{help}{MORE_MAPPINGS}",
    )


DEFAULT_MAPPINGS = (
    "当前文件夹中任务文件 tongji.toml 的映射，或 mappings、映射 文件夹，或随附的映射包"
)


def _default_mappings() -> tuple[str, ...]:
    from ..project import default_mapping_folders

    return default_mapping_folders()


def roster(required: bool = False, help: str = "学校名录（.xlsx/.xls/.csv）。"):
    return click.option(
        "--roster", "-r", "roster", required=required, type=click.Path(dir_okay=False), help=help
    )


class Year(click.IntRange):
    """A year (1990–2100), named in Chinese in messages and help."""

    name = "年度"

    def __init__(self, low: int = 1990) -> None:
        super().__init__(low, 2100)


class Count(click.IntRange):
    name = "整数"


def year(help: str, required: bool = True, default: int | None = None):
    # (click 8.3+ takes an explicit default=None for a given value: a required --year
    # would then be missing without a word, and no return's year would be checked)
    given = {"default": default} if default is not None else {}
    return click.option(
        "--year",
        "-y",
        required=required,
        type=Year(0 if not required else 1990),
        metavar="年度",
        help=help,
        **given,
    )


def output(help: str, file: bool):
    """`--output/-o`; `--out` stays an alias (older command lines)."""
    kind = click.Path(dir_okay=False) if file else click.Path(file_okay=False)
    return click.option("--output", "--out", "-o", "output", required=True, type=kind, help=help)


strict = click.option("--strict", is_flag=True, help="有警告也以退出码 1 结束。")
log_file = click.option(
    "--log-file", type=click.Path(dir_okay=False), help="把详细日志另存到此文件。"
)
verbose = click.option("--verbose", "-v", is_flag=True, help="显示详细日志。")
quiet = click.option("--quiet", "-q", is_flag=True, help="只显示问题和结果，不显示过程。")
json_output = click.option(
    "--json", "as_json", is_flag=True, help="以 JSON 输出结果（供脚本使用）。"
)
jobs = click.option(
    "--jobs",
    "-j",
    default=1,
    show_default=True,
    type=Count(0, 256),
    metavar="N",
    help="并行读取的进程数；0 表示按本机可用的 CPU 核数。",
)


def catalogue(help: str):
    """`--catalogue`: the catalogue edition (catalogues.toml) of the command's year."""
    return click.option("--catalogue", default=None, metavar="版本", help=help)
