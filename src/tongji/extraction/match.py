"""Matching: which mappings read a sheet. Every mapping that can fit is scored; a sheet
that fits none, or fits competing mappings about equally well, is reported with the
candidates, never guessed.

A mapping fits a sheet when its sheet name matches one of `match.sheet_names` or all of
its `match.contains` texts are in the first `scan_rows` rows, and no `exclude` pattern
matches the sheet name. A mapping that fits is scored:
- the share of its fields whose labels appear in the sheet:    0 … 10
- its sheet name pattern matches:                               +1
- each of its `contains` texts, when all of them are found:     +0.5 each, at most +2
So a mapping whose fields are on the sheet wins, and of two whose fields are equally there,
the one that says more precisely which sheets it reads.

Several mappings may read one sheet when they do not compete: a sheet holding both staff
and equipment figures feeds both datasets. Two mappings compete when they fill the same
fields of the same dataset; the better one reads the sheet. Within `NEAR` of each other the
mapping from the later mapping folder wins (a city's own over the pack's); two from the
same folder are too close to call: neither reads the sheet, and the sheet is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from .clean import normalize_label
from .read import Sheet

if TYPE_CHECKING:
    from ..config.mapping import Mapping, Pack

FIELD_WEIGHT = 10.0
CONTAINS_WEIGHT = 0.5  # each `contains` text of a mapping whose texts are all found
CONTAINS_MOST = 2.0  # … so that a list of common words never outweighs the fields on the sheet
NEAR = 0.5  # competing mappings closer than this (5 % of their fields) are not told apart
SECOND_EVIDENCE = 0.5  # a further mapping on the same sheet needs half its fields there


def expand_year(text: str, year: int) -> str:
    """`{year}` and `{prev}` in a mapping's texts: the year being extracted and the one before."""
    if "{" not in text or not year:
        return text
    return text.replace("{year}", str(year)).replace("{prev}", str(year - 1))


@dataclass(frozen=True)
class Score:
    mapping: Mapping
    score: float
    fits: bool
    evidence: float = 0.0  # the share of the mapping's fields found on the sheet

    def describe(self) -> str:
        return f"{self.mapping.id}（{self.score:.2f} 分{'' if self.fits else '，不相符'}）"


@dataclass(frozen=True)
class Choice:
    chosen: list[Score]  # the mappings that read the sheet, best first
    scores: list[Score]  # the mappings scored, best first (for messages)
    contested: list[list[Score]] = field(
        default_factory=list
    )  # competing mappings too close to call

    @property
    def mapping(self) -> Mapping | None:
        return self.chosen[0].mapping if self.chosen else None

    @property
    def ambiguous(self) -> bool:
        return bool(self.contested)

    def candidates(self, n: int = 3) -> str:
        return "；".join(s.describe() for s in self.scores[:n]) or "（无映射）"


class SheetText:
    """The normalised texts of a sheet, computed once and shared by all mappings."""

    def __init__(self, sheet: Sheet):
        self.sheet = sheet
        self.name = normalize_label(sheet.name)
        self._top: dict[int, str] = {}

    @cached_property
    def labels(self) -> set[str]:
        """Every text of the sheet, and the whole numbers (a header `2020`), normalised."""
        return {
            normalize_label(v)
            for row in self.sheet.rows
            for v in row
            if (isinstance(v, str) and v) or _whole(v)
        }

    def top(self, n: int) -> str:
        """The texts of the first `n` rows, joined by a separator no text contains: a
        substring test on it is a test on each cell."""
        if n not in self._top:
            self._top[n] = "\x00".join(
                normalize_label(v)
                for row in self.sheet.rows[:n]
                for v in row
                if isinstance(v, str) and v
            )
        return self._top[n]


def _whole(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and float(v).is_integer()


def competes(a: Mapping, b: Mapping) -> bool:
    """Two mappings that would fill the same fields of the same dataset from one sheet."""
    return a.dataset == b.dataset and bool(
        {p.field for p in a.fields} & {p.field for p in b.fields}
    )


class Matcher:
    """Chooses the mappings of each sheet, for one mapping pack and year. What it works out
    about a mapping or a sheet name is kept for the rest of the batch (the same names recur
    in every school's return)."""

    def __init__(self, pack: Pack, year: int = 0):
        self.pack, self.year = pack, year
        self._labels: dict[str, list[tuple[tuple[str, ...], ...]]] = {}
        self._name_hits: dict[str, frozenset[str]] = {}
        self._contains: dict[str, tuple[str, ...]] = {}

    def field_labels(self, mapping: Mapping) -> list[tuple[tuple[str, ...], ...]]:
        """Per field, the texts that show it is on a sheet: its placement's label groups (a row
        label and a column header, each from its alternatives), else the field's title and
        aliases."""
        if mapping.id not in self._labels:
            dataset = self.pack.datasets[mapping.dataset]
            out = []
            for p in mapping.fields:
                groups = tuple(
                    tuple(expand_year(label, self.year) for label in group)
                    for group in p.expected_labels()
                )
                if not groups and p.field in dataset.fields:
                    groups = (dataset.fields[p.field].labels,)
                out.append(groups)
            self._labels[mapping.id] = out
        return self._labels[mapping.id]

    def contains(self, mapping: Mapping) -> tuple[str, ...]:
        """The mapping's `contains` texts for this year (worked out once a mapping)."""
        needles = self._contains.get(mapping.id)
        if needles is None:
            needles = tuple(expand_year(t, self.year) for t in mapping.match.contains)
            self._contains[mapping.id] = needles
        return needles

    def score(self, text: SheetText, mapping: Mapping, evidence: bool = True) -> Score:
        """How well a mapping fits a sheet. Without `evidence` only whether it fits is
        worked out (the share of its fields on the sheet needs every text of the sheet): for
        a sheet that one mapping alone can fit, nothing else is asked."""
        m = mapping.match
        if m.excludes(text.sheet.name, text.name):
            return Score(mapping, 0.0, False)
        name_hit = m.names(text.sheet.name, text.name)
        needles = self.contains(mapping)
        found = sum(1 for needle in needles if needle in text.top(m.scan_rows)) if needles else 0
        all_found = bool(needles) and found == len(needles)
        specific = name_hit + (
            min(CONTAINS_WEIGHT * len(needles), CONTAINS_MOST) if all_found else 0.0
        )
        if not evidence and (name_hit or all_found):
            return Score(mapping, float(specific), True)
        labels = self.field_labels(mapping)
        hits = sum(
            1
            for groups in labels
            if groups and all(any(label in text.labels for label in group) for group in groups)
        )
        evidence = hits / len(labels) if labels else 0.0
        score = FIELD_WEIGHT * evidence + specific
        if not (name_hit or all_found):  # a partial match only explains why nothing fits
            score = FIELD_WEIGHT * evidence * 0.1 + found / max(len(needles), 1)
        return Score(mapping, round(score, 4), name_hit or all_found, round(evidence, 4))

    def _some_field_on(self, text: SheetText, mapping: Mapping) -> bool:
        """Whether any label of any field of the mapping is on the sheet: first in its top
        rows (where headers are, already joined), else anywhere."""
        fields = [groups for groups in self.field_labels(mapping) if groups]
        if not fields:
            return True
        top = "\x00" + text.top(mapping.match.scan_rows) + "\x00"  # whole texts only

        def on(group: tuple[str, ...]) -> bool:
            return any(f"\x00{label}\x00" in top for label in group) or any(
                label in text.labels for label in group
            )

        return any(all(on(g) for g in groups) for groups in fields)

    def _all_on(self, text: SheetText, mapping: Mapping) -> bool:
        """Whether a mapping has `contains` texts and all of them are in the sheet's top rows
        (asked of every mapping for every sheet: a plain loop)."""
        needles = self.contains(mapping)
        if not needles:
            return False
        top = text.top(mapping.match.scan_rows)
        for needle in needles:
            if needle not in top:
                return False
        return True

    def _named(self, sheet_name: str, normalized: str) -> frozenset[str]:
        """Ids of the mappings whose sheet-name patterns match, worked out once per name."""
        hit = self._name_hits.get(sheet_name)
        if hit is None:
            hit = frozenset(
                m.id for m in self.pack.mappings if m.match.names(sheet_name, normalized)
            )
            self._name_hits[sheet_name] = hit
        return hit

    def choose(self, sheet: Sheet, text: SheetText | None = None, explain: bool = False) -> Choice:
        """The mappings for a sheet. With `explain`, every mapping is scored (for `inspect`);
        otherwise a sheet that exactly one mapping can fit is settled without scoring the rest."""
        text = text or SheetText(sheet)
        named = self._named(sheet.name, text.name)
        # Only a mapping that can fit is scored in full; the rest are scored only to explain a
        # sheet that nothing fits.
        candidates = [m for m in self.pack.mappings if m.id in named or self._all_on(text, m)]
        if len(candidates) == 1 and not explain:
            only = self.score(text, candidates[0], evidence=False)
            # a mapping that fits by its `contains` alone and none of whose fields is on the
            # sheet reads nothing there: the sheet is left to be read by what it means
            fits = only.fits and (
                candidates[0].id in named or self._some_field_on(text, candidates[0])
            )
            return Choice([only] if fits else [], [only])
        scores = [
            self.score(text, m)
            for m in (candidates if candidates and not explain else self.pack.mappings)
        ]
        choice = decide(scores)
        if not choice.chosen and not choice.contested and candidates and not explain:
            return decide([self.score(text, m) for m in self.pack.mappings])
        return choice


def decide(scores: list[Score]) -> Choice:
    """The fitting mappings that read the sheet: the best of each group of competing ones,
    and further ones only with their own fields on the sheet; competitors too close to
    call are contested (and none of them reads the sheet)."""
    scores = sorted(scores, key=lambda s: (-s.fits, -s.score, -s.mapping.folder, s.mapping.id))
    chosen: list[Score] = []
    contested: list[list[Score]] = []
    for s in (s for s in scores if s.fits):
        rival = next((c for c in chosen if competes(c.mapping, s.mapping)), None)
        if rival is None:
            if not chosen or s.evidence >= SECOND_EVIDENCE:
                chosen.append(s)
            continue
        if rival.score - s.score >= NEAR or rival.mapping.folder > s.mapping.folder:
            continue  # clearly better, or as good and from a later folder (a city's own)
        if s.mapping.folder > rival.mapping.folder:
            chosen[chosen.index(rival)] = s  # as good, and from a later folder
            continue
        group = next((g for g in contested if g[0] is rival), None)
        if group is None:
            contested.append(group := [rival])
        group.append(s)
    losers = {id(s) for group in contested for s in group}
    return Choice([s for s in chosen if id(s) not in losers], scores, contested)
