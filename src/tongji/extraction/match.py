"""Matching: which mapping fits a sheet. Every mapping is scored on every sheet; a sheet
that fits none, or fits two equally well, is reported with the candidates, never guessed.

Evidence and weights:
- the sheet name matches one of `match.sheet_names` (regex):            +3
- each text of `match.contains` found in the first `scan_rows` rows:    +2
- the share of the mapping's fields whose labels appear in the sheet:   +0 … +1
A mapping fits when its sheet name matches or all of its `contains` texts are found, and
no `exclude` pattern matches the sheet name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from .clean import normalize_label
from .read import Sheet

if TYPE_CHECKING:
    from ..config.mapping import Mapping, Pack


@dataclass(frozen=True)
class Score:
    mapping: Mapping
    score: float
    fits: bool

    def describe(self) -> str:
        return f"{self.mapping.id}（{self.score:.2f} 分{'' if self.fits else '，不相符'}）"


@dataclass(frozen=True)
class Choice:
    mapping: Mapping | None
    scores: list[Score]
    ambiguous: bool = False

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
        return {normalize_label(v) for row in self.sheet.rows for v in row if isinstance(v, str) and v}

    def top(self, n: int) -> str:
        """The texts of the first `n` rows, joined by a separator no text contains: a
        substring test on it is a test on each cell."""
        if n not in self._top:
            self._top[n] = "\x00".join(normalize_label(v) for row in self.sheet.rows[:n] for v in row if isinstance(v, str) and v)
        return self._top[n]


class Matcher:
    """Chooses the mapping of each sheet, for one mapping pack. What it works out about a
    mapping or a sheet name is kept for the rest of the batch (the same names recur in
    every school's return)."""

    def __init__(self, pack: Pack):
        self.pack = pack
        self._labels: dict[str, list[tuple[str, ...]]] = {}
        self._name_hits: dict[str, frozenset[str]] = {}

    def field_labels(self, mapping: Mapping) -> list[tuple[str, ...]]:
        """Per field, the texts that show it is in a sheet: its placement's labels, else the
        field's title and aliases."""
        if mapping.id not in self._labels:
            dataset = self.pack.datasets[mapping.dataset]
            out = []
            for p in mapping.fields:
                labels = list(p.expected_labels())
                if not labels and p.field in dataset.fields:
                    labels = list(dataset.fields[p.field].labels)
                out.append(tuple(labels))
            self._labels[mapping.id] = out
        return self._labels[mapping.id]

    def score(self, text: SheetText, mapping: Mapping) -> Score:
        m = mapping.match
        if any(p.search(text.name) or p.search(text.sheet.name) for p in m.exclude):
            return Score(mapping, 0.0, False)
        score = 0.0
        name_hit = any(p.search(text.name) or p.search(text.sheet.name) for p in m.sheet_names)
        if name_hit:
            score += 3
        found = 0
        if m.contains:
            top = text.top(m.scan_rows)
            found = sum(1 for needle in m.contains if needle in top)
            score += 2 * found
        fits = name_hit or (bool(m.contains) and found == len(m.contains))
        labels = self.field_labels(mapping)
        if labels and (fits or score > 0):  # the field evidence only ranks mappings that have some
            hits = sum(1 for group in labels if any(label in text.labels for label in group))
            score += hits / len(labels)
        return Score(mapping, round(score, 4), fits)

    def _named(self, sheet_name: str, normalized: str) -> frozenset[str]:
        """Ids of the mappings whose sheet-name patterns match, worked out once per name."""
        hit = self._name_hits.get(sheet_name)
        if hit is None:
            hit = frozenset(
                m.id for m in self.pack.mappings if any(p.search(normalized) or p.search(sheet_name) for p in m.match.sheet_names)
            )
            self._name_hits[sheet_name] = hit
        return hit

    def choose(self, sheet: Sheet, text: SheetText | None = None, explain: bool = False) -> Choice:
        """The mapping for a sheet. With `explain`, every mapping is scored (for `inspect`);
        otherwise a sheet that exactly one mapping can fit is settled without scoring the rest."""
        text = text or SheetText(sheet)
        named = self._named(sheet.name, text.name)
        # Only a mapping that can fit is scored in full; the rest are scored only to explain a
        # sheet that nothing fits.
        candidates = [
            m for m in self.pack.mappings
            if m.id in named or (m.match.contains and all(needle in text.top(m.match.scan_rows) for needle in m.match.contains))
        ]
        if len(candidates) == 1 and not explain:
            return Choice(candidates[0], [self.score(text, candidates[0])])
        if candidates:
            choice = _decide([self.score(text, m) for m in candidates])
            if choice.mapping is not None or choice.ambiguous:
                return choice
        return _decide([self.score(text, m) for m in self.pack.mappings])


def _decide(scores: list[Score]) -> Choice:
    """The best fitting mapping; none, or two fitting equally well, is no choice."""
    scores = sorted(scores, key=lambda s: (-s.fits, -s.score, s.mapping.id))
    fitting = [s for s in scores if s.fits]
    if not fitting:
        return Choice(None, scores)
    if len(fitting) > 1 and fitting[0].score == fitting[1].score:
        return Choice(None, scores, ambiguous=True)
    return Choice(fitting[0].mapping, scores)
