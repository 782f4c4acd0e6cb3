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

from .clean import normalize_label
from .config import Mapping, Pack
from .read import Sheet


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
        self._top: dict[int, list[str]] = {}
        self.labels: set[str] = set()
        for row in sheet.rows:
            for v in row:
                if isinstance(v, str) and v:
                    self.labels.add(normalize_label(v))

    def top(self, n: int) -> list[str]:
        if n not in self._top:
            self._top[n] = [normalize_label(v) for row in self.sheet.rows[:n] for v in row if isinstance(v, str) and v]
        return self._top[n]


def _field_labels(mapping: Mapping, pack: Pack) -> list[tuple[str, ...]]:
    dataset = pack.datasets[mapping.dataset]
    out = []
    for p in mapping.fields:
        labels = list(p.label) + list(p.row) + [part for path in p.column for part in path.split("/")[-1:]]
        if not labels and p.field in dataset.fields:
            labels = list(dataset.fields[p.field].labels)
        out.append(tuple(labels))
    return out


def score_sheet(text: SheetText, mapping: Mapping, pack: Pack) -> Score:
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
        for needle in m.contains:
            if any(needle in cell for cell in top):
                found += 1
        score += 2 * found
    labels = _field_labels(mapping, pack)
    if labels:
        hits = sum(1 for group in labels if any(label in text.labels for label in group))
        score += hits / len(labels)
    fits = name_hit or (bool(m.contains) and found == len(m.contains))
    return Score(mapping, round(score, 4), fits)


def choose_mapping(sheet: Sheet, pack: Pack, text: SheetText | None = None) -> Choice:
    text = text or SheetText(sheet)
    scores = sorted((score_sheet(text, m, pack) for m in pack.mappings), key=lambda s: (-s.fits, -s.score, s.mapping.id))
    fitting = [s for s in scores if s.fits]
    if not fitting:
        return Choice(None, scores)
    if len(fitting) > 1 and fitting[0].score == fitting[1].score:
        return Choice(None, scores, ambiguous=True)
    return Choice(fitting[0].mapping, scores)
