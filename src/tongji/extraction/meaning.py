"""Reading a table by what its labels mean, for a sheet that no mapping reads.

Once a table is header paths and row labels (`tables`), "which field is this?" is a lookup
of each label in the pack's vocabulary: the fields' titles and aliases (datasets.toml), the
dimensions' values (专业大类 names and codes of both catalogue editions, teacher kinds …),
and the roster's school names and aliases. A table is read when its labels explain it:

- fields across the columns, one record per row: the rows' keys from columns whose cells
  are values of the dataset's dimensions, or schools of the roster (a county's summary);
  a dataset without keys whose rows are no records of its takes its 合计 row;
- fields down the rows and one column of figures (the year's column, when years stand
  side by side; never a guess between two);
- either of these with the table's rows and columns swapped (专业 across, schools across).

What is read this way is compiled into an ordinary mapping (`meaning:数据集`) and read by
the layouts like any other: units, totals, unknown keys and bad cells are handled and
reported as for a mapping, and each figure's lineage names the labels that placed it. A
table explained only in part is read with a finding that names what was not explained; a
table barely explained is not read (the sheet stays `sheet_unmatched`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from ..config.mapping import Mapping, MatchSpec, RecordsSpec
from ..config.placements import SCHOOL_KEY, CellPlacement, ColumnPlacement, LabelPlacement
from ..words.labels import normalize_label
from .clean import is_flag_word, value_like
from .locate import Column, Table, is_total_label
from .read import column_letter

if TYPE_CHECKING:
    from ..config.datasets import Dataset, Dimension
    from ..config.mapping import Pack
    from ..words.roster import Roster
    from .tables import SheetTables

MEANING = "meaning"  # the id prefix of mappings compiled from a table's labels
# Labels too common to place a table by themselves (one of them alone explains nothing).
GENERIC = frozenset(
    {"合计", "总计", "小计", "计", "男", "女", "人数", "数量", "数值", "金额", "总数", "其中"}
)
_SUFFIXES = ("人数", "数", "总数", "情况")
_THIS_YEAR = ("本年", "本年度", "今年", "本期", "本学年")
_INDEX_WORDS = ("行次", "序号", "编号", "行号", "代码")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
MIN_SHARE = 0.5  # a reading explains at least half the table's figure columns (or rows)


def _stem(label: str) -> str:
    for suffix in _SUFFIXES:
        if label.endswith(suffix) and len(label) > len(suffix) + 1:
            return label[: -len(suffix)]
    return label


class Vocabulary:
    """The pack's words: each field's labels (title, aliases, and their stems: `教职工` for
    `教职工数`), to the (dataset, field) they name."""

    def __init__(self, pack: Pack):
        self.pack = pack

    @cached_property
    def fields(self) -> dict[str, list[tuple[str, str, bool]]]:
        """label → [(dataset, field, exact)]: exact for a title or alias as written."""
        out: dict[str, list[tuple[str, str, bool]]] = {}
        for ds in self.pack.datasets.values():
            for f in ds.fields.values():
                for label in f.labels:
                    out.setdefault(label, []).append((ds.name, f.name, True))
        for ds in self.pack.datasets.values():
            for f in ds.fields.values():
                for label in f.labels:
                    stem = _stem(label)
                    if stem != label and stem not in out:
                        out.setdefault(stem, []).append((ds.name, f.name, False))
        return out

    def lookup(self, label: str, generic: bool = False) -> list[tuple[str, str, bool]]:
        """The fields a label names; a generic word (合计, 男) only when `generic`: in a
        table whose rows are already known to be the dataset's records."""
        if not label or (label in GENERIC and not generic):
            return []
        hit = self.fields.get(label)
        if hit:
            return hit
        stem = _stem(label)
        return [(d, f, False) for d, f, _ in self.fields.get(stem, [])]


@dataclass
class Reading:
    """A table explained: the mapping compiled from it, and what was left unexplained."""

    mapping: Mapping
    table: Table
    explained: int
    unexplained: list[str] = field(default_factory=list)
    how: str = ""

    @property
    def dataset_title(self) -> str:
        return self.mapping.name.removeprefix("按含义识别（").removesuffix("）")


def _figure_columns(table: Table) -> list[Column]:
    """Columns holding figures in at least half the data rows (not 行次, 序号, codes)."""
    rows = [r for r in table.data_rows if not is_total_label(r.label)] or table.data_rows
    out = []
    for col in table.columns:
        if col.index in (table.label_col, table.line_col, table.unit_col):
            continue
        if col.parts and any(w in col.parts[-1] for w in _INDEX_WORDS):
            continue
        filled = sum(1 for r in rows if value_like(table.value(r.index, col.index)))
        if filled and filled >= 0.5 * len(rows):
            out.append(col)
    return out


def _resolves(values: list, test, share: float = 0.6) -> bool:
    """Most (`share`, and two or more unless there is one) of the non-empty values pass `test`."""
    present = [v for v in values if normalize_label(v)]
    hits = sum(1 for v in present if test(v))
    enough = 1 if share <= 0.5 else min(2, len(present))
    return hits > 0 and hits >= enough and hits >= share * len(present)


class Reader:
    """Reads the tables of sheets no mapping reads, for one pack, roster and year."""

    def __init__(self, pack: Pack, roster: Roster, dimensions: dict[str, Dimension], year: int):
        self.pack, self.roster, self.dimensions, self.year = pack, roster, dimensions, year
        self.vocabulary = Vocabulary(pack)

    def read(self, tables: SheetTables, read: dict[int, set[str]] | None = None) -> list[Reading]:
        """What the tables of a sheet say, but for the datasets mappings read from a table
        (`read`: table → datasets; `*`: the whole table)."""
        read = read or {}
        readings: list[Reading] = []
        for table in tables.tables():
            done = read.get(table.block_index, set())
            if "*" in done:
                continue
            options = [self._explain(table, flipped=False)]
            flipped = tables.flipped(table)
            if flipped is not None:
                options.append(self._explain(flipped, flipped=True))
            best = max(options, key=lambda rs: sum(r.explained for r in rs))
            readings += [r for r in _left_by_all(best) if r.mapping.dataset not in done]
        return readings

    # ------------------------------------------------------------ one orientation

    def _explain(self, table: Table, flipped: bool) -> list[Reading]:
        options = [self._fields_across(table), self._fields_down(table)]
        if not flipped and not any(c.path for c in _figure_columns(table)):
            options.append(self._key_values(table))  # no header: label | value pairs
        return max(options, key=lambda rs: sum(r.explained for r in rs))

    def _key_values(self, table: Table) -> list[Reading]:
        """A table of label | value pairs (one or several to a row, no header): each label
        that names a field, with a figure right of it, read as a key–value form."""
        view = table.view
        labels: dict[tuple[int, int], str] = {}
        for row in table.data_rows:
            cells = view.row_values(row.index)
            for i, (c, v) in enumerate(cells):
                if not isinstance(v, str) or value_like(v):
                    continue
                nxt = next(((cc, vv) for cc, vv in cells[i + 1 :] if cc <= c + 3), None)
                if nxt is not None and (value_like(nxt[1]) or is_flag_word(nxt[1])):
                    labels[(row.index, c)] = normalize_label(v)
        readings = []
        for d, fields in self._assign(labels).items():
            ds = self.pack.datasets[d]
            if ds.keys or not self._enough(fields, labels, len(labels)):
                continue
            placements = tuple(
                LabelPlacement(field=f, label=(labels[pos],), direction="right")
                for f, (pos, _) in fields.items()
            )
            mapping = self._mapping(ds, "keyvalue", placements, None)
            readings.append(Reading(mapping, table, len(fields), [], self._how(fields, labels)))
        return readings

    def _assign(self, labels: dict[int, str]) -> dict[str, dict[str, tuple[int, bool]]]:
        """Each label to one field of one dataset: the dataset that explains the most labels
        wins a label that several name. dataset → field → (position, exact)."""
        candidates = {pos: self.vocabulary.lookup(label) for pos, label in labels.items()}
        counts: dict[str, int] = {}
        for hits in candidates.values():
            for d in {d for d, _, _ in hits}:
                counts[d] = counts.get(d, 0) + 1
        out: dict[str, dict[str, tuple[int, bool]]] = {}
        taken: dict[tuple[str, str], list[int]] = {}
        for pos, hits in candidates.items():
            if not hits:
                continue
            d = max({d for d, _, _ in hits}, key=lambda d: (counts[d], d))
            for dd, f, exact in hits:
                if dd == d:
                    taken.setdefault((d, f), []).append(pos)
                    out.setdefault(d, {})[f] = (pos, exact)
                    break
        for (d, f), positions in taken.items():
            if len(positions) > 1:  # two columns for one field: neither is a guess
                out[d].pop(f, None)
        return out

    def _fields_across(self, table: Table) -> list[Reading]:
        figures = _figure_columns(table)
        labels = {c.index: c.parts[-1] for c in table.columns if c.parts}
        by_dataset = self._assign(labels)
        columns = {c.index: c for c in table.columns}
        readings = []
        for d, fields in by_dataset.items():
            ds = self.pack.datasets[d]
            if not self._enough(fields, labels, len(figures)):
                continue
            used = {pos for pos, _ in fields.values()}
            # a code column (专业代码) is a field and may be a key's source (专业大类) too
            figures_used = {
                pos for f, (pos, _) in fields.items() if ds.fields[f].type not in ("code", "text")
            }
            keys = self._keys(table, ds, figures_used)
            if keys is None:
                continue
            if ds.keys and isinstance(keys, list):  # rows known to be its records: 合计, 男, 女 too
                key_cols = {c.index for c in table.columns for _, paths in keys if c.path in paths}
                fields = {**self._generic(ds.name, labels, used | key_cols), **fields}
                used = {pos for pos, _ in fields.values()}
            placements = tuple(
                ColumnPlacement(field=f, column=(columns[pos].path,))
                for f, (pos, _) in fields.items()
            )
            if keys == "totals":
                total = next(r for r in table.data_rows if is_total_label(r.label))
                placements = tuple(
                    CellPlacement(field=p.field, row=(total.label,), column=p.column)
                    for p in placements
                )
                mapping = self._mapping(ds, "grid", placements, None)
            else:
                mapping = self._mapping(ds, "list", placements, RecordsSpec(tuple(keys)))
            left = [_named_column(table, c) for c in figures if c.index not in used]
            readings.append(Reading(mapping, table, len(fields), left, self._how(fields, labels)))
        return readings + self._records_by_keys(
            table, labels, figures, {r.mapping.dataset for r in readings}
        )

    def _generic(
        self, dataset: str, labels: dict[int, str], taken: set[int]
    ) -> dict[str, tuple[int, bool]]:
        """The dataset's fields among the columns not taken, by any of their labels."""
        fields: dict[str, tuple[int, bool]] = {}
        for pos, label in labels.items():
            if pos in taken:
                continue
            for d, f, exact in self.vocabulary.lookup(label, generic=True):
                if d == dataset and f not in fields:
                    fields[f] = (pos, exact)
                    break
        return fields

    def _records_by_keys(
        self, table: Table, labels: dict[int, str], figures: list[Column], done: set[str]
    ) -> list[Reading]:
        """Datasets with keys whose rows this table's rows are (教师类别 down a column: 专任教师,
        兼课人员 …): their fields by any of their labels, generic words included (人数, 男, 女)."""
        readings = []
        columns = {c.index: c for c in table.columns}
        for ds in self.pack.datasets.values():
            if not ds.keys or ds.name in done:
                continue
            keys = self._keys(table, ds, set())
            if not isinstance(keys, list):
                continue
            key_cols = {c.index for c in table.columns for _, paths in keys if c.path in paths}
            fields = self._generic(ds.name, labels, key_cols)
            if len(fields) < 2:
                continue
            placements = tuple(
                ColumnPlacement(field=f, column=(columns[pos].path,))
                for f, (pos, _) in fields.items()
            )
            mapping = self._mapping(ds, "list", placements, RecordsSpec(tuple(keys)))
            used = {pos for pos, _ in fields.values()}
            left = [_named_column(table, c) for c in figures if c.index not in used]
            readings.append(Reading(mapping, table, len(fields), left, self._how(fields, labels)))
        return readings

    def _fields_down(self, table: Table) -> list[Reading]:
        labels = {r.index: r.label for r in table.data_rows if r.label}
        by_dataset = self._assign(labels)
        if not by_dataset:
            return []
        value_col = self._value_column(
            table, {pos for f in by_dataset.values() for pos, _ in f.values()}
        )
        if value_col is None or not value_col.path or self._schools_across(table):
            return []  # schools across the columns: read with the table turned, never as one
        readings = []
        for d, fields in by_dataset.items():
            ds = self.pack.datasets[d]
            if ds.keys or not self._enough(fields, labels, len(labels)):
                continue
            placements = tuple(
                CellPlacement(field=f, row=(labels[pos],), column=(value_col.path,))
                for f, (pos, _) in fields.items()
            )
            mapping = self._mapping(ds, "grid", placements, None)
            readings.append(Reading(mapping, table, len(fields), [], self._how(fields, labels)))
        return readings

    # ------------------------------------------------------------ pieces

    def _enough(
        self, fields: dict[str, tuple[int, bool]], labels: dict[int, str], figures: int
    ) -> bool:
        """A dataset explains a table: two or more of its fields (one will do in a table of
        one or two figures), at least one of them not a generic word."""
        figures_named = {f: at for f, at in fields.items() if self._figure(f)}
        if not figures_named:
            return False  # names and codes alone (学校名称) explain no figure
        specific = any(
            labels[pos] not in GENERIC and len(labels[pos]) >= 3
            for pos, _ in figures_named.values()
        )
        return specific and (len(fields) >= 2 or figures <= 2)

    @cached_property
    def _figure_fields(self) -> frozenset[str]:
        return frozenset(
            f.name
            for ds in self.pack.datasets.values()
            for f in ds.fields.values()
            if f.type not in ("text", "code")
        )

    def _figure(self, field: str) -> bool:
        return field in self._figure_fields

    def _keys(self, table: Table, ds: Dataset, used: set[int]):
        """The record keys of a table whose rows are records: [(key, header paths)] (an
        empty path: the row label), "totals" for a dataset of one record whose table has a
        合计 row, or None when the rows' keys cannot be found."""
        rows = [r for r in table.data_rows if not is_total_label(r.label)]
        columns = [c for c in table.columns if c.index not in used]
        keys: list[tuple[str, tuple[str, ...]]] = []
        if ds.entity == "school":
            # schools as rows (a county's table): half of them named as the roster names them
            # is enough; the others are then reported (school_unknown), never dropped silently
            school = self._column_where(
                table, rows, columns, lambda v: self.roster.resolve(v).school is not None, 0.5
            )
            if school is not None:
                keys.append((SCHOOL_KEY, school))
        for name in ds.keys:
            dim = self.dimensions[name]
            if dim.free:
                title = normalize_label(dim.title)
                col = next(
                    (c for c in columns if c.parts and c.parts[-1] in (title, title + "名称")),
                    None,
                )
                found = (col.path,) if col is not None else None
            else:
                found = self._column_where(
                    table, rows, columns, lambda v, dim=dim: dim.match(v).value is not None
                )
            if found is None:
                return None
            keys.append((name, found))
        if keys:
            return keys
        schools = [r for r in rows if self.roster.resolve(r.label).school is not None]
        if any(is_total_label(r.label) for r in table.data_rows) and not schools:
            return "totals"  # rows of something else (专业 …): the school's figure is their 合计
        return None

    def _column_where(
        self, table: Table, rows, columns: list[Column], test, share: float = 0.6
    ) -> tuple[str, ...] | None:
        """The column (or the row label) whose cells pass `test` on most rows."""
        if table.label_col is not None and _resolves(
            [table.view.filled(r.index, table.label_col) for r in rows], test, share
        ):
            own = next((c for c in columns if c.index == table.label_col), None)
            return (own.path,) if own is not None and own.path else ()
        for c in columns:
            if _resolves([table.view.filled(r.index, c.index) for r in rows], test, share):
                return (c.path,) if c.path else None
        return None

    def _schools_across(self, table: Table) -> bool:
        return any(
            c.parts and self.roster.resolve(c.parts[-1]).school is not None for c in table.columns
        )

    def _value_column(self, table: Table, label_rows: set[int]) -> Column | None:
        """The one column of figures beside the labels: the year's own when years stand side
        by side (`2019年 | 2020年`, `上年 | 本年`); None when it cannot be told."""
        rows = [r for r in table.data_rows if r.index in label_rows]
        candidates = [
            c
            for c in table.columns
            if c.index not in (table.label_col, table.line_col, table.unit_col)
            and not (c.parts and any(w in c.parts[-1] for w in _INDEX_WORDS))
            and sum(1 for r in rows if value_like(table.value(r.index, c.index)))
            >= 0.5 * max(len(rows), 1)
        ]
        if len(candidates) == 1:
            years = _years(candidates[0])
            return candidates[0] if not years or self.year in years else None
        dated = [c for c in candidates if self.year in _years(c)]
        if len(dated) == 1:
            return dated[0]
        this = [c for c in candidates if c.parts and c.parts[-1] in _THIS_YEAR]
        if len(this) == 1:
            return this[0]
        # a column of shares beside the counts (`人数 | 占毕业生比例`) is no field's column
        counts = [c for c in candidates if not _shares(table, c, rows)]
        return counts[0] if len(counts) == 1 else None

    def _mapping(self, ds: Dataset, layout: str, placements, records) -> Mapping:
        return Mapping(
            f"按含义识别（{ds.title}）",
            meaning_id(ds.name),
            ds.name,
            layout,
            MatchSpec(),
            tuple(placements),
            records=records,
        )

    @staticmethod
    def _how(fields: dict[str, tuple[int, bool]], labels: dict[int, str]) -> str:
        near = [labels[pos] for pos, exact in fields.values() if not exact]
        return f"（近似的标签：{'、'.join(near)}）" if near else ""


_SHARE_WORDS = ("比例", "比率", "占比", "百分比", "占")


def _shares(table: Table, col: Column, rows) -> bool:
    """A column of percentages: headed 比例/占…, or its figures written with `%`."""
    if col.parts and any(w in col.parts[-1] for w in _SHARE_WORDS):
        return True
    values = [table.value(r.index, col.index) for r in rows]
    texts = [v for v in values if isinstance(v, str) and v.strip()]
    return bool(texts) and sum(v.strip().endswith(("%", "％")) for v in texts) >= 0.5 * len(texts)


_YEAR_HEADER = re.compile(r"^((?:19|20)\d\d)(年|年度)?(数|数据|情况)?$")


def _years(col: Column) -> set[int]:
    """The years a column's header names as a year of its own (`2019年`, `2020`), not a date."""
    return {int(m.group(1)) for part in col.parts if (m := _YEAR_HEADER.match(part))}


def _named_column(table: Table, col: Column) -> str:
    """A column of a table as the sheet shows it: `D“教职工数”`, or a row when the table was
    read with its rows and columns swapped (`第 10 行“图书”`)."""
    if table.sheet.transposed:
        return f"第 {col.index + 1} 行“{col.path}”"
    return f"{column_letter(col.index)} 列“{col.path}”"


def _left_by_all(readings: list[Reading]) -> list[Reading]:
    """What a table's readings together leave unexplained (a column one dataset does not
    explain may be another's)."""
    if len(readings) < 2:
        return readings
    for r in readings:
        r.unexplained = [u for u in r.unexplained if all(u in o.unexplained for o in readings)]
    return readings


def meaning_id(dataset: str) -> str:
    return f"{MEANING}:{dataset}"
