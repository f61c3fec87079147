"""Meetings as events: who met whom, of what kind, where and when, from the sentences that report them.

A sentence reports a meeting when it holds a meeting predicate of config/meetings.toml ("met", "held talks
with", "received", "phone call", "visited", ...) and names two or more actors who take part: registry actors,
and persons and organisations outside it. Not participants: the source of the report ("..., Balkhi said"),
places ("in Doha"), nationality words, and a state or body a named participant serves ("Pakistan's envoy
Mohammad Sadiq": Sadiq stands for Pakistan). Words just before the predicate make it a refused ("will not
meet", "cancelled") or a planned meeting ("is expected to meet"); those are kept with their kind and never
counted as held. The place is the city or country the sentence gives after "in"/"at"; the day, the
article's date moved by the sentence's own words ("on Tuesday", "yesterday", "on 12 October"), none when it
gives none.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from pipeline.quotes import NamedSpan
from pipeline.records import Meeting

HELD = ("met", "talks", "call", "visit")
KINDS = (*HELD, "planned", "refused")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = {m: i for i, m in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
     "december"), 1)}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
_DATELINE = re.compile(r"^\s*(?:[^\n]*\n+)?([A-Z][A-Z .'-]{2,30}),\s+([A-Z][a-z]{2,8}\.?\s+\d{1,2})\b")
_SOURCE = re.compile(r"^\s*,?\s*(?:(?:has|had|also)\s+)?(?:said|says|told|added|stated|announced|tweeted|wrote|reported)\b",
                     re.I)
_SOURCE_BEFORE = re.compile(r"\b(?:according to|said|says|told|announced)\s+(?:the\s+)?$", re.I)
_DEMAND = re.compile(r"^\s*(?:[\w'’-]+\s+){0,6}?to\s+(?!meet|visit|talk|discuss)[a-z]+", re.I)  # "calls on X to reverse"
_PLACE_BEFORE = re.compile(r"\b(?:in|at)\s+(?:the\s+)?(?:capital\s+|city\s+of\s+)?$", re.I)
_DATE = re.compile(
    r"\b(?:on\s+)?(?:(?P<d1>\d{1,2})(?:st|nd|rd|th)?\s+(?P<m1>[A-Z][a-z]{2,8})\.?|(?P<m2>[A-Z][a-z]{2,8})\.?\s+"
    r"(?P<d2>\d{1,2})(?:st|nd|rd|th)?)(?:,?\s+(?P<y>20\d\d))?\b")


@dataclass(frozen=True)
class Predicates:
    by_kind: dict[str, tuple[str, ...]]
    refused: tuple[str, ...]
    planned: tuple[str, ...]
    media: frozenset[str] = frozenset()  # outlets and agencies: they report meetings, never take part


def load_predicates(path: Path) -> Predicates:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return Predicates(
        by_kind={k: tuple(p.lower() for p in data.get(k, ())) for k in HELD},
        refused=tuple(w.lower() for w in data.get("refused", ())),
        planned=tuple(w.lower() for w in data.get("planned", ())),
        media=frozenset(data.get("media", ())),
    )


def modality(before: str, predicates: Predicates) -> str | None:
    """'refused' or 'planned' from the words just before a predicate, else None (held)."""
    words = " " + " ".join(before.lower().replace("’", "'").split()[-5:]) + " "
    if any(f" {w} " in words or (w == "n't" and "n't " in words) for w in predicates.refused):
        return "refused"
    if any(f" {w} " in words for w in predicates.planned):
        return "planned"
    return None


def meeting_day(sentence: str, published: date | None, kind: str) -> date | None:
    """The day the sentence gives, against the article's date: a weekday (the last one on or before the
    article's date, or for a planned meeting the next one after it), yesterday, today, an explicit date."""
    if published is None:
        return None
    low = sentence.lower()
    if re.search(r"\byesterday\b", low):
        return published - timedelta(days=1)
    if re.search(r"\btoday\b|\bthis (?:morning|afternoon|evening)\b", low):
        return published
    if re.search(r"\btomorrow\b", low):
        return published + timedelta(days=1)
    for match in _DATE.finditer(sentence):
        month = MONTHS.get((match.group("m1") or match.group("m2") or "").lower().rstrip("."))
        day = int(match.group("d1") or match.group("d2") or 0)
        if not month or not 1 <= day <= 31:
            continue
        year = int(match.group("y")) if match.group("y") else published.year
        try:
            found = date(year, month, day)
        except ValueError:
            continue
        if not match.group("y") and found > published + timedelta(days=60):
            found = date(year - 1, month, day)  # "on 28 December" in a January article
        return found
    for i, name in enumerate(WEEKDAYS):
        if re.search(rf"\b{name}\b", low):
            back = (published.weekday() - i) % 7
            if kind == "planned":
                return published + timedelta(days=(i - published.weekday()) % 7 or 7)
            return published - timedelta(days=back)
    return None


def find_meetings(
    text: str,
    bounds: list[tuple[int, int]],
    spans: list[NamedSpan],
    found_predicates: list[tuple[int, int, str]],
    published: date | None,
    predicates: Predicates,
    serves,
    states: set[str],
    places: frozenset[str] = frozenset(),
    demonyms: dict[str, str] | None = None,
) -> tuple[Meeting, ...]:
    """The meetings of one article. `found_predicates`: (start_char, end_char, kind) of the predicate phrases
    found in the text; `serves(actor)`: the states and bodies an actor serves (pipeline.roles.RoleBook.serves);
    `states`: the registry's states (a place that is one is the host of a visit); `places`: place names in lower
    case (the subject's places, well-known cities), never participants when no registry actor."""
    found: list[Meeting] = []
    dateline = _DATELINE.match(text)
    line_place = dateline.group(1).title() if dateline else None
    line_day = meeting_day(dateline.group(0), published, "met") if dateline else None
    for lo, hi in bounds:
        here = sorted((p for p in found_predicates if lo <= p[0] < hi), key=lambda p: (p[0], p[0] - p[1]))
        if not here:
            continue
        # a visit that also says who met whom is that meeting ("visited Kabul and met with ...")
        held = [p for p in here if p[2] != "visit" and not _is_demand(text, p, hi)]
        here = [p for p in here if p in held or p[2] == "visit"]
        if not here:
            continue
        p_start, p_end, kind = (held or here)[0]
        visits = [p for p in here if p[2] == "visit"]
        inside = [s for s in spans if lo <= s.start and s.end <= hi and s.label in ("PERSON", "ORG", "GPE", "LOC", "FAC")]
        sources = [s for s in inside if (s.start > p_end and _SOURCE.match(text[s.end : s.end + 30]))
                   or _SOURCE_BEFORE.search(text[max(lo, s.start - 25) : s.start])]
        source_names = {s.name for s in sources}
        participants: dict[str, NamedSpan | None] = {}
        place = None
        for s in inside:
            if s.name in source_names or any(
                0 <= src.start - s.end <= 25 and "," not in text[s.end : src.start] and s.label != "PERSON"
                for src in sources
            ):
                continue  # "..., the group's spokesman Balkhi said": who reports it, and his title, did not meet
            after_visit = any(0 <= s.start - v[1] <= 2 for v in visits)
            if s.label in ("GPE", "LOC", "FAC") and (after_visit or _PLACE_BEFORE.search(text[max(lo, s.start - 25) : s.start])):
                place = place or s.surface  # "in Doha", "visited Kabul"
                continue
            if not s.actor and (s.label in ("GPE", "LOC", "FAC") or s.surface.lower() in places):
                continue  # "the Torkham crossing": a place is where, not who
            if s.actor in predicates.media:
                continue  # "Tehran, IRNA -": the agency reports the meeting
            name = s.name or s.actor or s.surface
            word = re.sub(r"^the\s+", "", name.lower())
            participants.setdefault((demonyms or {}).get(word, name), s)  # "the Afghan side": Afghanistan
        for name in list(participants):  # "Pakistan's envoy Mohammad Sadiq": Sadiq stands for Pakistan
            if any(name in serves(other.actor) - {other.actor} for other in participants.values()
                   if other is not None and other.actor and other.actor != name):
                participants.pop(name)
        if kind == "visit" and len(participants) == 1 and place in states:
            participants[place] = None  # "X visited Pakistan": X and Pakistan
        if len(participants) < 2:
            continue
        kind = modality(text[max(lo, p_start - 60) : p_start], predicates) or kind
        if lo < 200 and dateline:  # the story's first sentences happen where and when its dateline says
            place = place or line_place
        sentence = text[lo:hi]
        start = lo + len(sentence) - len(sentence.lstrip())
        sentence = sentence.strip()
        day = meeting_day(sentence, published, kind)
        if day is None and lo < 200 and kind in HELD:
            day = line_day
        if kind in HELD and day is not None and published is not None and day > published:
            kind = "planned"  # "arrives in Kabul on August 17", written on the 15th
        found.append(Meeting(kind, tuple(sorted(participants)), place, day, sentence, start, start + len(sentence)))
    return _merge_repeats(found)


def _is_demand(text: str, predicate: tuple[int, int, str], hi: int) -> bool:
    """'calls on the Taliban to reverse': a demand, not a call paid on someone."""
    return text[predicate[0] : predicate[1]].lower().startswith("call") and bool(_DEMAND.match(text[predicate[1] : hi]))


def _merge_repeats(found: list[Meeting]) -> tuple[Meeting, ...]:
    """One meeting per article for the same participants and kind: a headline, the lead and a later sentence
    that tell the same meeting are one report of it (the first sentence is the evidence; a place or day a later
    sentence gives fills what the first left open)."""
    merged: dict[tuple, Meeting] = {}
    for m in found:
        key = (m.kind, m.participants)
        first = merged.get(key)
        if first is None:
            merged[key] = m
        elif first.place is None or first.day is None:
            merged[key] = replace(first, place=first.place or m.place, day=first.day or m.day)
    return tuple(merged.values())
