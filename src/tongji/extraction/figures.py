"""Figures as columns: one frame of the lineage's columns instead of one Python object per
figure, which is how figures cross from a worker process to the parent, are merged and are
written (a province has a million of them: objects would cost the parent seconds to
unpickle and gigabytes to hold).

A record's keys (专业大类, 教师类别 …) are text in a frame,
`major_category=信息技术类;major=计算机应用`; `encode_keys` and `decode_keys` are the two
directions of that one format (a `%`, `;` or `=` inside a name or value is escaped, so that
two different keys never read as one)."""

from __future__ import annotations

import operator
from collections.abc import Iterable

import polars as pl

from .results import Value

LINEAGE_SCHEMA = {
    "dataset": pl.Utf8,
    "school_id": pl.Utf8,
    "year": pl.Int32,
    "keys": pl.Utf8,
    "field": pl.Utf8,
    "value": pl.Float64,
    "text": pl.Utf8,
    "status": pl.Utf8,
    "unit": pl.Utf8,
    "source_unit": pl.Utf8,
    "factor": pl.Float64,
    "raw": pl.Utf8,
    "file": pl.Utf8,
    "sheet": pl.Utf8,
    "cell": pl.Utf8,
    "mapping": pl.Utf8,
    "rule": pl.Utf8,
}
COLUMNS = list(LINEAGE_SCHEMA)

_ESCAPES = (("%", "%25"), (";", "%3B"), ("=", "%3D"))


def _escape(text: str) -> str:
    if "%" in text or ";" in text or "=" in text:
        for raw, escaped in _ESCAPES:
            text = text.replace(raw, escaped)
    return text


def _unescape(text: str) -> str:
    if "%" in text:
        for raw, escaped in reversed(_ESCAPES):
            text = text.replace(escaped, raw).replace(escaped.lower(), raw)
    return text


def encode_keys(keys: tuple[tuple[str, str], ...]) -> str:
    return ";".join(f"{_escape(k)}={_escape(v)}" for k, v in keys)


def decode_keys(text: str) -> dict[str, str]:
    return dict(key_pairs(text))


def key_pairs(text: str) -> tuple[tuple[str, str], ...]:
    """The keys a text names, in their order (what `encode_keys` was given)."""
    pairs = []
    for part in text.split(";"):
        if "=" in part:
            name, value = part.split("=", 1)
            pairs.append((_unescape(name), _unescape(value)))
    return tuple(pairs)


def columns_of(items: list, names: Iterable[str] = COLUMNS) -> dict[str, list]:
    """Dataclass records → one list a column (keys as text)."""
    texts: dict[tuple, str] = {}
    columns = {}
    for name in names:
        if name == "keys":
            columns[name] = [
                texts[k] if k in texts else texts.setdefault(k, encode_keys(k))
                for k in (item.keys for item in items)
            ]
        else:  # map over a C getter: no Python loop per item (a province has a million)
            columns[name] = list(map(operator.attrgetter(name), items))
    return columns


def records_frame(items: list, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Dataclass records → a frame, built column by column (polars converts whole lists
    fast; row tuples are much slower)."""
    return pl.DataFrame(columns_of(items, schema), schema=schema)


def figures_frame(values: list[Value]) -> pl.DataFrame:
    """Figures → their lineage frame (one row a figure, in the figures' order)."""
    return records_frame(values, LINEAGE_SCHEMA)


def values_of(frame: pl.DataFrame) -> list[Value]:
    """A lineage frame → one `Value` a row (for the few steps that change single figures:
    corrections, the figures two returns both give)."""
    if frame.height == 0:
        return []
    keys: dict[str, tuple] = {}
    columns = [frame[c].to_list() for c in COLUMNS]
    columns[3] = [keys[t] if t in keys else keys.setdefault(t, key_pairs(t)) for t in columns[3]]
    return [Value(*row) for row in zip(*columns, strict=True)]


def concat(frames: Iterable[pl.DataFrame]) -> pl.DataFrame:
    """Frames of figures one after another (none: an empty frame of the lineage's columns)."""
    found = [f for f in frames if f.height]
    if not found:
        return pl.DataFrame(schema=LINEAGE_SCHEMA)
    return pl.concat(found, how="vertical", rechunk=True)


def split_off(results: list) -> tuple[pl.DataFrame, list[int]]:
    """The figures of several files' results as one frame, and how many rows each file has
    in it; each result is left without its figures (they travel in the frame)."""
    counts = [len(r.values) for r in results]
    frame = figures_frame([v for r in results for v in r.values])
    for r in results:
        r.values = []
    return frame, counts


def attach(results: list, frame: pl.DataFrame, counts: list[int]) -> list:
    """The other direction of `split_off`: each result holds its rows of the frame."""
    offset = 0
    for r, n in zip(results, counts, strict=True):
        r.pack(frame.slice(offset, n))
        offset += n
    return results
