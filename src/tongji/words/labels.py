"""How a label is compared and how a code is written: the normalisation every layer
shares (a config's labels and a sheet's texts are compared after the same steps).

Pure functions only."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from . import units as _units

_WS_RE = re.compile(r"\s+")
_BRACKET_RE = re.compile(r"[\(（\[【]([^\(\)（）\[\]【】]*)[\)）\]】]")
_QUOTES_RE = re.compile("[\"'“”‘’「」『』]")
_PREFIX_RE = re.compile(r"^(其中|内|含|包括)[:：]")
_COLON_RE = re.compile(r"[:：]")


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def printable(text: str) -> str:
    """Text safe to print and to write as UTF-8: undecodable bytes of a file name (surrogate
    escapes) become U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


_UNSAFE_IN_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f]')  # not allowed in a Windows file name
_RESERVED_NAMES = {
    "con", "prn", "aux", "nul", *(f"{d}{i}" for d in ("com", "lpt") for i in range(1, 10))
}  # fmt: skip


def file_stem(text: str, fallback: str, limit: int = 100, replace: str = "_") -> str:
    """`text` as the stem of a file name Windows accepts: no `\\ / : * ? " < > |` or control
    characters (each becomes `replace`), no trailing dot or space, not a reserved device
    name (CON, COM1 …), at most `limit` characters; `fallback` when nothing is left."""
    stem = _UNSAFE_IN_NAMES.sub(replace, text or "").strip().rstrip(". ")[:limit].rstrip(". ")
    return fallback if not stem or stem.lower() in _RESERVED_NAMES else stem


def normalize_text(value: Any) -> str:
    """Cell text as a person reads it: NFKC, `_x000D_` and line breaks gone, trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _normalize_text(str(value))


@lru_cache(maxsize=1 << 16)
def _normalize_text(text: str) -> str:
    # Returns repeat the same labels in every file: the cache makes this nearly free.
    return _nfkc(text).replace("_x000D_", "").replace("\r", "").replace("\n", "").strip()


def normalize_label(value: Any) -> str:
    """A label reduced to what identifies it: no whitespace (`学 校 名 称`), no unit brackets.

    `其中：女` and `女` compare equal; `设备总值（万元）` and `设备总值` compare equal;
    quotes go (`“双师型”教师` is `双师型教师`).
    Other brackets stay: `毕(结)业生数` keeps its `(结)`.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _normalize_label(str(value))


@lru_cache(maxsize=1 << 16)
def _normalize_label(raw: str) -> str:
    text = _normalize_text(raw)
    text = _WS_RE.sub("", text)
    text = _QUOTES_RE.sub("", text)
    text = _strip_unit_brackets(text)
    text = _PREFIX_RE.sub("", text)
    return text


@lru_cache(maxsize=1 << 16)
def label_keys(raw: str) -> tuple[str, str | None]:
    """A text cell's keys in a sheet's label index: its label, and for `标签：值` the label
    before the colon (None when it has no colon)."""
    text = _normalize_text(raw)
    m = _COLON_RE.search(text)
    return _normalize_label(raw), (_normalize_label(text[: m.start()]) if m else None)


def _strip_unit_brackets(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        inner = m.group(1).strip()
        if inner.startswith("单位"):
            return ""
        return "" if _units.is_unit(inner) else m.group(0)

    return _BRACKET_RE.sub(repl, text)


def unit_in_label(value: Any) -> str | None:
    """The unit a header declares in brackets: `设备总值（万元）` → `万元`."""
    if value is None:
        return None
    return _unit_in_label(
        str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    )


@lru_cache(maxsize=1 << 14)
def _unit_in_label(raw: str) -> str | None:
    text = _WS_RE.sub("", _normalize_text(raw))
    for m in _BRACKET_RE.finditer(text):
        inner = m.group(1)
        if inner.startswith("单位"):
            inner = inner[2:].lstrip(":：")
        unit = _units.canonical_unit(inner)
        if unit:
            return unit
    return None


def restore_code(digits: str, length: int) -> tuple[str | None, str]:
    """A numeric code of `length` digits, as typed: (code, "") when it has its length,
    (code with its leading 0 back, "restored") when a number lost it (`10400` → `010400`),
    (None, why) when it cannot be that code."""
    if len(digits) == length:
        return digits, ""
    if len(digits) == length - 1:
        return "0" + digits, "restored"
    return None, f"应为 {length} 位代码，实际为 {len(digits)} 位“{digits}”"
