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


_SHORT_HELP_WIDTH = 60  # display columns: a Chinese character takes two


def short_help(text: str) -> str:
    """A help text's first sentence: up to its first 。 or ： (or the paragraph's end), cut
    by display width with …, never mid-way through a Latin word."""
    first = " ".join(text.split("\n\n")[0].replace("\b", "").split())
    for end in ("。", "："):
        if end in first:
            first = first[: first.index(end)]
    width = 0
    for i, char in enumerate(first):
        width += 2 if ord(char) > 0x2E7F else 1
        if width > _SHORT_HELP_WIDTH:
            return first[:i].rstrip() + "…"
    return first


class _ChineseHelpOption:
    """Every command's `-h/--help`, with Chinese help text and the shared context settings."""

    context_class = Context

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("context_settings", CONTEXT)
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)

    def get_short_help_str(self, limit: int = 45) -> str:
        """The first sentence of the help (to its 。 or ：), as a command list shows it;
        click would look for a `.` and, finding none in Chinese, show `...`."""
        if self.short_help or not self.help:  # type: ignore[attr-defined]
            return super().get_short_help_str(limit)  # type: ignore[misc]
        return short_help(self.help)  # type: ignore[attr-defined]

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
