"""Sheet-name patterns a statistician writes (`sheet_names`, `exclude`), matched by RE2:
the time to match grows with the name's length, never exponentially, whatever the pattern
(`^(\\w+\\s?)+$` against a long name would stop Python's `re` for minutes).

RE2 has no look-around and no back-references: such a pattern is a config problem naming
its key, with what to write instead (`exclude`). `\\w`, `\\d` and `\\s` mean what they mean
in Python — Chinese characters are word characters, full-width digits digits, the
ideographic space a space — not RE2's ASCII-only classes."""

from __future__ import annotations

import re2

from ..errors import TongjiError

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # RE2 would print its own parse errors on the console

# Python's Unicode classes, written for RE2 (inside a character class, without brackets)
_WORD = r"\p{L}\p{N}_"
_DIGIT = r"\p{Nd}"
_SPACE = r"\s\x{0B}\x{1C}-\x{1F}\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}"
_CLASSES = {"w": _WORD, "d": _DIGIT, "s": _SPACE}


class PatternError(TongjiError):
    """A pattern RE2 cannot take; the message says why in Chinese."""


def _unicode(pattern: str) -> str:
    """`\\w \\d \\s` (and `\\W \\D \\S` outside a class) as Python means them. Raises
    PatternError for `\\W \\D \\S` inside a class (`[^\\W\\d]`): RE2 would take them as ASCII."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and pattern[i + 1 : i + 2] == "Q":  # \Q…\E: literal text
            end = pattern.find("\\E", i + 2)
            end = len(pattern) if end < 0 else end + 2
            out.append(pattern[i:end])
            i = end
            continue
        if ch == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if nxt.lower() in _CLASSES:
                body = _CLASSES[nxt.lower()]
                if in_class and nxt.isupper():
                    raise PatternError(
                        f"正则表达式“{pattern}”无法使用：方括号中不支持 \\{nxt}；"
                        f"请改写（如把 [^\\W\\d] 写成 [\\p{{L}}_]）"
                    )
                if in_class:
                    out.append(body)
                else:
                    out.append(f"[{'^' if nxt.isupper() else ''}{body}]")
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class and pattern.startswith("[:", i):  # a POSIX class [:digit:] inside […]
            end = pattern.find(":]", i + 2)
            if end >= 0:
                out.append(pattern[i : end + 2])
                i = end + 2
                continue
        if ch == "[" and not in_class:
            in_class = True
            out.append(ch)
            i += 1
            if pattern[i : i + 1] == "^":
                out.append("^")
                i += 1
            if pattern[i : i + 1] == "]":  # a `]` first in a class is a character
                out.append("\\]")
                i += 1
            continue
        if ch == "]" and in_class:
            in_class = False
        out.append(ch)
        i += 1
    return "".join(out)


def _why(message: str, pattern: str) -> str:
    if "(?=" in pattern or "(?!" in pattern or "(?<" in pattern:
        return (
            "不支持向前、向后查看 (?=…) (?!…) (?<=…) (?<!…)；要排除某些表名，"
            '把它们写在 exclude 中（如 sheet_names = ["^教基3221"]，exclude = ["^教基3221续"]）'
        )
    if "invalid escape sequence: \\" in message and any(f"\\{d}" in pattern for d in "123456789"):
        return "不支持反向引用（\\1 等）"
    return f"写法有误（{message}）"


class NamePattern:
    """A compiled pattern that travels to worker processes as its text."""

    __slots__ = ("pattern", "_compiled")

    def __init__(self, pattern: str):
        self.pattern = pattern
        translated = _unicode(pattern)  # (raises PatternError itself)
        try:
            self._compiled = re2.compile(translated, _OPTIONS)
        except re2.error as exc:
            text = exc.args[0] if exc.args else ""
            message = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
            raise PatternError(f"正则表达式“{pattern}”无法使用：{_why(message, pattern)}") from None

    def search(self, text: str) -> bool:
        return self._compiled.search(text) is not None

    def __reduce__(self):
        return (NamePattern, (self.pattern,))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NamePattern) and other.pattern == self.pattern

    def __hash__(self) -> int:
        return hash(self.pattern)

    def __repr__(self) -> str:
        return f"NamePattern({self.pattern!r})"
