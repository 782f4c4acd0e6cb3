"""click, in Chinese: help headings (用法、选项、命令), and the help option of every
command declared once."""

from __future__ import annotations

import click

HELP_OPTION_TEXT = "显示本帮助后退出。"
_HEADINGS = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}


class ChineseHelpFormatter(click.HelpFormatter):
    """click's help with Chinese headings: 用法、选项、命令."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix="用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{_HEADINGS.get(heading, heading)}：\n")


class Context(click.Context):
    formatter_class = ChineseHelpFormatter


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _ChineseHelpOption:
    """Every command's `-h/--help`, with Chinese help text and the shared context settings."""

    context_class = Context

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("context_settings", CONTEXT)
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_OPTION_TEXT
        return option


class Command(_ChineseHelpOption, click.Command):
    """A command whose help speaks Chinese."""


class Group(_ChineseHelpOption, click.Group):
    """A group of such commands (its subcommands and subgroups are of these classes)."""

    command_class = Command

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)


Group.group_class = Group
