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
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from pipeline.meeting_clauses import ClauseWords, phrase_tokens, predicate_head, side_names, takes_part
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
    habitual: tuple[str, ...] = ()  # "several times": what is done often, not one meeting
    refers_back: tuple[str, ...] = ()  # "during the meeting": a meeting already reported
    attendance: tuple[str, ...] = ()  # "attended": who joins a meeting already reported
    side_nouns: tuple[str, ...] = ()  # "diplomat", "side": "an Indian diplomat" is India's side
    abbreviations: tuple[str, ...] = ()  # "mr.": a title's full stop ends no sentence
    clause: ClauseWords = field(default_factory=lambda: ClauseWords(frozenset(), frozenset(), frozenset()))


def load_predicates(path: Path) -> Predicates:
    with path.open("rb") as fh:
        data = tomllib.load(fh)

    def words(key: str) -> tuple[str, ...]:
        return tuple(w.lower() for w in data.get(key, ()))

    return Predicates(
        by_kind={k: words(k) for k in HELD},
        refused=words("refused"),
        planned=words("planned"),
        media=frozenset(data.get("media", ())),
        habitual=words("habitual"),
        refers_back=words("refers_back"),
        attendance=words("attendance"),
        abbreviations=words("abbreviations"),
        side_nouns=words("side_nouns"),
        clause=ClauseWords(frozenset(words("joins")), frozenset(words("topic_preps")),
                           frozenset(words("directed_preps"))),
    )


_CLAUSE_BREAK = re.compile(r"[,;:()\"“”]|\b(?:who|which|that|whose|where|when|while)\b")


def modality(before: str, predicates: Predicates) -> str | None:
    """'refused' or 'planned' from the words just before a predicate, in its own clause (not past a comma or
    a "who": "Pakistan's ambassador to Afghanistan Mansoor Khan, who called on"), else None (held). A bare
    "to" counts only right before the predicate ("to meet", "to hold talks")."""
    before = before.lower().replace("’", "'")
    breaks = list(_CLAUSE_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end() :]
    split = before.split()
    words = " " + " ".join(split[-5:]) + " "
    if any(f" {w} " in words or (w == "n't" and "n't " in words) for w in predicates.refused):
        return "refused"
    for w in predicates.planned:
        if w == "to":
            if split[-1:] == ["to"] or (len(split) >= 2 and split[-2] == "to" and split[-1] in _LIGHT_VERBS):
                return "planned"
        elif f" {w} " in words:
            return "planned"
    return None


_LIGHT_VERBS = ("hold", "pay", "have", "make", "attend", "join", "conduct")


_REPORTED = re.compile(  # a date right after this is when the news was told, not when the meeting was ("told
    # RFE/RL on", "told the BBC on"; not "told reporters they met on")
    r"\b(?:said|says|told(?:\s+(?!(?:that|he|she|they|we|it|i)\b)[\w/.&'’-]+){0,2}|announced|reported|tweeted|stated|"
    r"added|confirmed|wrote)"
    r"(?:\s+(?:late|early))?\s+(?:on\s+)?$", re.I)
_DAY_BEFORE = re.compile(r"\b(?:the\s+previous\s+day|the\s+day\s+before)\b", re.I)


def meeting_day(sentence: str, published: date | None, kind: str) -> date | None:
    """The day the sentence gives, against the article's date: a weekday (the last one on or before the
    article's date, or for a planned meeting the next one after it), yesterday, today, an explicit date; the
    first that the sentence gives for the meeting rather than for the telling ("..., a spokesman said on
    Monday"; "told RFE/RL on August 12 that they met the previous day": August 11)."""
    if published is None:
        return None
    low = sentence.lower()
    if re.search(r"\byesterday\b", low):
        return published - timedelta(days=1)
    if re.search(r"\btoday\b|\bthis (?:morning|afternoon|evening)\b", low):
        return published
    if re.search(r"\btomorrow\b", low):
        return published + timedelta(days=1)
    given: list[tuple[int, date]] = []  # (position, day) of every date the sentence gives
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
        given.append((match.start(), found))
    for match in re.finditer(r"\b(" + "|".join(WEEKDAYS) + r")\b", low):
        i = WEEKDAYS.index(match.group(1))
        if kind == "planned":
            found = published + timedelta(days=(i - published.weekday()) % 7)  # "will visit on Sunday", on a Sunday
        else:
            found = published - timedelta(days=(published.weekday() - i) % 7)
        given.append((match.start(), found))
    told = None
    for at, found in sorted(given):
        if _REPORTED.search(sentence[max(0, at - 60) : at]):
            told = told or found
            continue
        return found
    if told is not None and _DAY_BEFORE.search(sentence):
        return told - timedelta(days=1)
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
    parse: Callable[[str], object] | None = None,
) -> tuple[Meeting, ...]:
    """The meetings of one article. `found_predicates`: (start_char, end_char, kind) of the predicate phrases
    found in the text; `serves(actor)`: the states and bodies an actor serves (pipeline.roles.RoleBook.serves);
    `states`: the registry's states (a place that is one is the host of a visit); `places`: place names in lower
    case (the subject's places, well-known cities), never participants when no registry actor; `parse(sentence)`:
    a parsed spaCy Doc of a sentence, asked only for sentences with a predicate and two or more names
    (pipeline/meeting_clauses.py decides who takes part); without it, every name in the sentence does."""
    found: list[Meeting] = []
    arrivals: dict[str, str] = {}  # who -> where they arrived or visited ("Qomi arrived in Kabul on Monday")
    dateline = _DATELINE.match(text)
    line_place = dateline.group(1).title() if dateline else None
    line_day = meeting_day(dateline.group(0), published, "met") if dateline else None
    bounds = _join_initials(text, bounds, predicates.abbreviations)
    by_start = sorted(spans, key=lambda s: s.start)
    starts = [s.start for s in by_start]
    for lo, hi in bounds:
        low = " ".join(text[lo:hi].lower().replace("’", "'").split())
        inside = [s for s in by_start[bisect_left(starts, lo) : bisect_left(starts, hi)] if s.end <= hi and (
            s.label in ("PERSON", "ORG", "GPE", "LOC", "FAC") or (s.label == "NORP" and _unnamed_side(text, s, predicates)))]
        if any(w in low for w in predicates.refers_back):
            # "During the meeting, Muttaqi welcomed ...": the meeting already reported, not a new one
            if found and any(w in low for w in predicates.attendance):
                joined, _ = _names(text, lo, hi, inside, -1, [], predicates, places, demonyms)
                found[-1] = replace(found[-1], participants=tuple(sorted({*found[-1].participants, *(n for n, _ in joined)})))
            continue
        if any(w in low for w in predicates.habitual):
            continue  # "Moscow has hosted Taliban delegations several times"
        here = sorted((p for p in found_predicates if lo <= p[0] < hi and not _told_before(text, p)),
                      key=lambda p: (p[0], p[0] - p[1]))
        if not here:
            continue
        # a visit that also says who met whom is that meeting ("visited Kabul and met with ...")
        held = [p for p in here if p[2] != "visit" and not _is_demand(text, p, hi)]
        here = [p for p in here if p in held or p[2] == "visit"]
        if not here:
            continue
        p_start, p_end, kind = (held or here)[0]
        visits = [p for p in here if p[2] == "visit"]
        names, place_span = _names(text, lo, hi, inside, p_end, visits, predicates, places, demonyms,
                                   [p[0] for p in here])
        doc = None
        if parse is not None and len({n for n, _ in names}) >= 2:
            doc = parse(text[lo:hi])
            head = predicate_head(doc, p_start - lo, p_end - lo) if doc is not None else None
            if head is not None:
                phrase = phrase_tokens(doc, p_start - lo, p_end - lo)
                keep = side_names(doc, head, [(s.start - lo, s.end - lo) for _, s in names], predicates.clause, phrase)
                names = [n for n, k in zip(names, keep) if k]
                if place_span is not None and not takes_part(
                    doc, head, place_span.start - lo, place_span.end - lo, predicates.clause, place=True
                ):
                    place_span = None  # "... said his country will send aid to Badakhshan": not where they met
        place = place_span.surface if place_span is not None else None
        participants: dict[str, NamedSpan | None] = {}
        for name, s in names:
            participants.setdefault(name, s)
        for name in list(participants):  # "Pakistan's envoy Mohammad Sadiq": Sadiq stands for Pakistan
            if any(name in serves(other.actor) - {other.actor} for other in participants.values()
                   if other is not None and other.actor and other.actor != name):
                participants.pop(name)
        if len(participants) == 1 and _PRONOUN.search(text[lo:p_start]):
            last = _last_subject(text, bounds, spans, lo)
            if last is not None:  # "she met Muttaqi": the person the story's last sentences are about
                participants.setdefault(last.name or last.actor or last.surface, last)
        if len(participants) == 1 and found and _DEFINITE_SUBJECT.match(text[lo:p_start]) and not any(
            s.start < p_start for s in inside
        ):  # "The foreign minister met with Akhund", after "Al-Thani ... met with the Taliban's head": Al-Thani
            (only,) = participants
            for other in found[-1].participants:
                if other != only and other not in serves(only) and only not in serves(other):
                    participants.setdefault(other, None)
        if kind == "visit" and len(participants) == 1 and place in states:
            participants[place] = None  # "X visited Pakistan": X and Pakistan
        kind = modality(text[max(lo, p_start - 60) : p_start], predicates) or kind
        if kind in HELD and visits and visits[0][0] < p_start:  # "will visit Afghanistan on Sunday for talks"
            kind = modality(text[max(lo, visits[0][0] - 60) : visits[0][0]], predicates) or kind
        if visits and place and kind in HELD:
            for name in participants:
                arrivals.setdefault(name, place)
        if len(participants) < 2:
            continue
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
    merged = _absorb(_merge_repeats(found, states), serves, states)
    return tuple(
        m if m.place else replace(m, place=next((arrivals[p] for p in m.participants if p in arrivals), None))
        for m in merged
    )


_DEFINITE_SUBJECT = re.compile(r"^\s*(?:the|both|the two)\s+[a-z]", re.I)


def _last_subject(text: str, bounds, spans: list[NamedSpan], lo: int) -> NamedSpan | None:
    """The last person named first in a sentence before `lo` (the subject a "he" or "she" stands for)."""
    best = None
    for b_lo, b_hi in bounds:
        if b_lo >= lo:
            break
        first = next((s for s in spans if b_lo <= s.start < b_hi), None)
        if first is not None and first.label == "PERSON" and first.start - b_lo < 40:
            best = first
    return best


_PRONOUN = re.compile(r"(?:^|[,;]\s*|\b(?:that|and|where|when)\s+)(?:he|she)\s+(?:\w+\s+){0,2}$", re.I)


def _names(text, lo, hi, inside, p_end, visits, predicates, places, demonyms, marks=()):
    """The names of a sentence that can be sides of its meeting, as (name, span), and the span of where it took
    place. Not sides: the source of the report ("..., Balkhi said"), places ("in Doha"), media, a role or a
    possessor just before the name of who holds it. `marks`: where the sentence's predicates start."""
    sources = [s for s in inside if (s.start > p_end and _SOURCE.match(text[s.end : s.end + 30]))
               or _SOURCE_BEFORE.search(text[max(lo, s.start - 25) : s.start])]
    source_names = {s.name for s in sources}
    names: list[tuple[str, NamedSpan]] = []
    place = None
    for i, s in enumerate(inside):
        after = next((t for t in inside[i + 1 :] if t.label == "PERSON" and not _is_role(t)), None)
        before = inside[i - 1] if i else None
        if before is not None and _is_role(before) and re.fullmatch(r"\s+(?:to|for)\s+(?:the\s+)?", text[before.end : s.start]):
            continue  # "ambassador to Afghanistan": the state the role serves, not a side
        if after is not None and after.start - s.end <= 40 and not any(s.end <= at < after.start for at in marks) and not re.search(
            r"[.;:]|\band\b", text[s.end : after.start]
        ) and (_is_role(s) or re.match(r"['’]s\b", text[s.end : s.end + 2])):
            continue  # "ambassador to Afghanistan Mansoor Khan": the role is his; "Raisi's special envoy": not Raisi
        if text[s.start - 1 : s.start] == "(" and text[s.end : s.end + 1] == ")" and s.start - lo < 30:
            continue  # "Kabul (BNA) President Ghani ...": the agency in the dateline
        if s.name in source_names or any(
            0 <= src.start - s.end <= 25 and "," not in text[s.end : src.start] and s.label != "PERSON"
            for src in sources
        ):
            continue  # "..., the group's spokesman Balkhi said": who reports it, and his title, did not meet
        after_visit = any(0 <= s.start - v[1] <= 2 for v in visits)
        after_in = _PLACE_BEFORE.search(text[max(lo, s.start - 25) : s.start])
        if s.label in ("GPE", "LOC", "FAC") and (after_visit or after_in):
            place = place or s  # "in Doha", "visited Kabul"
            continue
        if not s.actor and (s.label in ("GPE", "LOC", "FAC") or s.surface.lower() in places or after_in):
            continue  # "the Torkham crossing", "in the Presidential Palace": a place is where, not who
        if s.actor in predicates.media:
            continue  # "Tehran, IRNA -": the agency reports the meeting
        name = s.name or s.actor or s.surface
        word = re.sub(r"^the\s+", "", name.lower())
        names.append(((demonyms or {}).get(word, name), s))  # "the Afghan side": Afghanistan
    return names, place


_DETERMINER = re.compile(r"\b(?:the|this|that|his|her|their|its)\s+(?:[\w-]+\s+){0,2}$", re.I)


def _told_before(text: str, predicate: tuple[int, int, str]) -> bool:
    """'The daylong visit is the first by Araghchi': a bare noun predicate after a definite determiner speaks of
    a meeting or visit the article has told (or will tell) with its sides, not of a new one."""
    word = text[predicate[0] : predicate[1]]
    return " " not in word.strip() and word.lower() in ("visit", "visits", "meeting", "talks") and bool(
        _DETERMINER.search(text[max(0, predicate[0] - 40) : predicate[0]]))


def _unnamed_side(text: str, s: NamedSpan, predicates: Predicates) -> bool:
    """'A senior Indian diplomat', 'the Afghan side': a nationality word before a word for a side or an official,
    no name given: the state is the side (its demonym in config/language.toml)."""
    following = re.match(r"\s+([a-z-]+)", text[s.end : s.end + 30])
    return bool(following) and following.group(1) in predicates.side_nouns


def _is_role(s: NamedSpan) -> bool:
    """A role phrase resolved to a person ("the ambassador", "presidential envoy"), not a name."""
    return s.label == "PERSON" and bool(s.actor) and s.surface.split()[-1][:1].islower()


def _join_initials(text: str, bounds: list[tuple[int, int]], abbreviations: tuple[str, ...]) -> list[tuple[int, int]]:
    """Sentences without the breaks after an initial or a title ("J.P. Singh, the ministry's point man, met ...",
    "met Mr. Muttaqi")."""
    out: list[tuple[int, int]] = []
    for lo, hi in bounds:
        last = text[out[-1][0] : out[-1][1]] if out else ""
        if out and (_INITIAL.search(last) or (last.split() or [""])[-1].lower() in abbreviations):
            out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


_INITIAL = re.compile(r"(?:^|[\s.])[A-Z]\.$")


def _better_place(first: str | None, other: str | None, states: set[str]) -> str | None:
    """The place of one meeting told twice: the first given, but a city over its country ("in Afghanistan",
    then "in Kabul")."""
    if first is None or (first in states and other and other not in states):
        return other or first
    return first


def _absorb(found: tuple[Meeting, ...], serves, states: set[str]) -> tuple[Meeting, ...]:
    """A meeting told in general terms and again with its people ("met IEA officials", then "met Stanekzai") is
    one meeting: each side of the general report is a side of the specific one, or a body or state one of them
    serves. Kept: the specific sides, the kind of the first report (of the specific one when the first is only a
    visit), the place and day either gives. Held and not-held reports stay apart."""
    out = list(found)
    changed = True
    while changed:
        changed = False
        for a in out:
            target = next((b for b in out if b is not a and set(b.participants) != set(a.participants)
                           and (a.kind in HELD) == (b.kind in HELD) and len(b.participants) >= len(a.participants)
                           and all(any(x in serves(y) or x == y for y in b.participants) for x in a.participants)),
                          None)
            if target is None:
                continue
            first, later = (a, target) if a.start_char <= target.start_char else (target, a)
            kind = first.kind if first.kind != "visit" else later.kind
            out[out.index(target)] = replace(
                target, kind=kind, place=_better_place(first.place, later.place, states), day=first.day or later.day,
                sentence=first.sentence, start_char=first.start_char, end_char=first.end_char,
            )
            out.remove(a)
            changed = True
            break
    return tuple(out)


def _is_demand(text: str, predicate: tuple[int, int, str], hi: int) -> bool:
    """'calls on the Taliban to reverse': a demand, not a call paid on someone."""
    return text[predicate[0] : predicate[1]].lower().startswith("call") and bool(_DEMAND.match(text[predicate[1] : hi]))


def _merge_repeats(found: list[Meeting], states: set[str]) -> tuple[Meeting, ...]:
    """One meeting per article for the same participants and kind: a headline, the lead and a later sentence
    that tell the same meeting are one report of it (the first sentence is the evidence; a place or day a later
    sentence gives fills what the first left open)."""
    merged: dict[tuple, Meeting] = {}
    for m in found:
        key = (m.kind, m.participants)
        first = merged.get(key)
        if first is None:
            merged[key] = m
        else:
            merged[key] = replace(first, place=_better_place(first.place, m.place, states), day=first.day or m.day)
    return tuple(merged.values())
