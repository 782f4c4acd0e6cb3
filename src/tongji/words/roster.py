"""The school roster (学校名录) as the words it gives: each school's code, name, aliases and
attributes, and how a name found in a return becomes a `school_id`. Loading a roster file
is extraction's (`tongji.extraction.roster.load_roster`)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from .labels import normalize_label


@dataclass(frozen=True)
class School:
    school_id: str
    name: str
    aliases: tuple[str, ...] = ()
    district: str = ""
    school_type: str = ""
    sponsor: str = ""
    levels: tuple[str, ...] = ()
    is_technical: bool = False


@dataclass(frozen=True)
class Resolution:
    school: School | None
    matched: str = ""  # the roster name or alias that matched
    how: str = ""  # 名称 | 别名 | 包含
    candidates: tuple[str, ...] = ()  # closest roster names, when unresolved or ambiguous
    ambiguous: bool = False


class Roster:
    def __init__(self, schools: list[School], source: str = ""):
        self.schools = schools
        self.source = source
        self.by_id = {s.school_id: s for s in schools}
        self._names: dict[str, tuple[School, str]] = {}
        for s in schools:
            self._names.setdefault(normalize_label(s.name), (s, "名称"))
        for s in schools:
            for a in s.aliases:
                self._names.setdefault(normalize_label(a), (s, "别名"))
        self._by_length = sorted(self._names, key=len, reverse=True)

    def resolve(self, text: Any) -> Resolution:
        """The school a name (or a file name, or a title) refers to."""
        key = normalize_label(text)
        if not key:
            return Resolution(None)
        if key in self._names:
            school, how = self._names[key]
            return Resolution(school, key, how)
        contained = [n for n in self._by_length if len(n) >= 2 and n in key]
        # a name inside a longer matched name (`农牧学校` in `赤峰农牧学校`) is not separate evidence
        hits = [
            (n, self._names[n][0])
            for n in contained
            if not any(n != m and n in m for m in contained)
        ]
        hits.sort(key=lambda h: -len(h[0]))
        schools = {s.school_id for _, s in hits}
        if len(schools) == 1:
            return Resolution(hits[0][1], hits[0][0], "包含")
        if len(schools) > 1:
            return Resolution(
                None, candidates=tuple(sorted({s.name for _, s in hits})), ambiguous=True
            )
        close = difflib.get_close_matches(key, list(self._names), n=3, cutoff=0.4)
        return Resolution(
            None, candidates=tuple(dict.fromkeys(self._names[c][0].name for c in close))
        )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "school_id": s.school_id,
                "school_name": s.name,
                "district": s.district,
                "school_type": s.school_type,
                "sponsor": s.sponsor,
                "levels": list(s.levels),
                "is_technical": s.is_technical,
            }
            for s in self.schools
        ]
