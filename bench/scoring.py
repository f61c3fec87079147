"""Scoring newsmon's NLP output against hand labels: the measures `bench/eval_nlp.py` reports on the
synthetic set (tests/data/gold/) and the real set (tests/data/real/).

Names are compared after `norm` (case, diacritics, punctuation and spacing ignored); nothing else is
forgiven: a person stored as "Mufti" or as a surname alone is not the person, and a quote is found only when
its text is the labelled span exactly (`quote_key`), not when it merely contains it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pipeline.records import Enrichment

MIN_QUOTE_WORDS = 6  # the labelled quotes are those of 6 words or more; shorter found quotes are not scored


def norm(name: str) -> str:
    """A name for comparison: no diacritics, lower case, letters and digits only, single spaces, no leading
    "the" ("the education ministry" is "education ministry")."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    words = re.sub(r"[^\w]+", " ", plain.replace("’", "'").replace("'", "")).split()
    return " ".join(words[1:] if words[:1] == ["the"] and len(words) > 1 else words)


_MARKS = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "’": "'", "‘": "'"})


def quote_key(text: str) -> str:
    """A quote's exact span, with quote characters and runs of white space made uniform."""
    return " ".join(text.translate(_MARKS).split()).rstrip(",").strip()


def prf(tp: int, fp: int, fn: int) -> dict:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "tp": tp, "fp": fp, "fn": fn}


def ratio(right: int, total: int) -> dict:
    return {"value": round(right / total, 4) if total else 1.0, "right": right, "total": total}


@dataclass(frozen=True)
class Labels:
    """What a labelled article says, in the terms both sets share. `persons` and `others` (organisations
    and acting states) are None for the synthetic set, which labels registry actors instead (`actors`)."""

    name: str
    text: str
    relevant: bool
    topics: frozenset[str]
    quotes: tuple[tuple[str, str], ...]  # (speaker or "", exact text)
    mentions: tuple[tuple[int, str, str], ...]  # (offset, surface, canonical name or "")
    actors: frozenset[str] | None = None
    persons: frozenset[str] | None = None
    others: frozenset[str] | None = None
    published: object = None  # the article's date (dates the meetings)
    meetings: tuple = ()  # (participants frozenset, kind, place or "", day or None)


@dataclass
class Score:
    counts: dict = field(default_factory=lambda: {k: [0, 0, 0] for k in ("actors", "persons", "topics")})
    others_found: int = 0
    others_total: int = 0
    two_names: int = 0
    persons_total: int = 0
    quotes_found: int = 0
    quotes_total: int = 0
    named_found: int = 0
    named_right: int = 0
    named_total: int = 0
    quotes_extra: int = 0
    quotes_scored: int = 0
    relevance_right: int = 0
    articles: int = 0
    mentions_right: int = 0
    mentions_total: int = 0
    events_gold: int = 0
    events_found: int = 0
    events_right: int = 0
    place_right: int = 0
    place_total: int = 0
    day_right: int = 0
    day_total: int = 0
    errors: list[str] = field(default_factory=list)


def person_names(e: Enrichment, person_actors: set[str]) -> set[str]:
    """The persons an article's enrichment names: resolved names of PERSON mentions and registry persons."""
    names = set()
    for m in e.mentions:
        if m.label == "PERSON" or (m.actor and m.actor in person_actors):
            names.add(m.name or m.actor or m.surface)
    return names


def other_names(e: Enrichment, person_actors: set[str]) -> set[str]:
    """The organisations and states it names: registry actors that are not persons, and unregistered
    ORG, GPE and NORP mentions as written."""
    names = set()
    for m in e.mentions:
        if m.actor and m.actor not in person_actors:
            names.add(m.actor)
        elif not m.actor and m.label in ("ORG", "GPE", "NORP"):
            names.add(m.name or m.surface)
    return names


def _tokens(name: str) -> set[str]:
    return set(norm(name).split())


def _same_other(gold: str, found: Iterable[str]) -> bool:
    """An organisation or state is found when a found name equals it, or, for a name outside the registry,
    when one holds every word of the other ("the Afghan Ministry of Foreign Affairs")."""
    g = norm(gold)
    for f in found:
        n = norm(f)
        if n == g or (len(g.split()) > 1 and (set(g.split()) <= set(n.split()) or set(n.split()) <= set(g.split())
                                              and len(n.split()) > 1)):
            return True
    return False


def score_article(label: Labels, e: Enrichment, threshold: float, person_actors: set[str], s: Score) -> None:
    s.articles += 1
    s.relevance_right += (e.relevance >= threshold) == label.relevant
    if (e.relevance >= threshold) != label.relevant:
        s.errors.append(f"{label.name} relevance {e.relevance} (labelled {'relevant' if label.relevant else 'off'})")
    found_topics = {t.topic for t in e.topics}
    pairs = [("topics", label.topics, found_topics)]
    if label.actors is not None:
        pairs.append(("actors", label.actors, {m.actor for m in e.mentions if m.actor}))
    if label.persons is not None:
        found = person_names(e, person_actors)
        gold_n = {norm(p): p for p in label.persons}
        found_n = {norm(p): p for p in found}
        pairs.append(("persons", set(gold_n), set(found_n)))
        for key, gold in gold_n.items():
            s.persons_total += 1
            variants = [f for f in found_n if f == key or (set(f.split()) & set(key.split()) and f != key
                                                           and (set(f.split()) <= set(key.split())))]
            if len(set(variants)) > 1:
                s.two_names += 1
                s.errors.append(f"{label.name} two names for {gold}: {sorted(found_n[v] for v in variants)}")
    if label.others is not None:
        found = other_names(e, person_actors)
        for gold in label.others:
            s.others_total += 1
            if _same_other(gold, found):
                s.others_found += 1
            else:
                s.errors.append(f"{label.name} organisation/state missed: {gold}")
    for key, want, got in pairs:
        s.counts[key][0] += len(want & got)
        s.counts[key][1] += len(got - want)
        s.counts[key][2] += len(want - got)
        if want != got:
            s.errors.append(f"{label.name} {key}: missed {sorted(want - got)} extra {sorted(got - want)}")
    found_quotes = {}  # every found quote can match a labelled one; precision counts those of 6+ words
    for q in e.quotes:
        found_quotes.setdefault(quote_key(q.quote), q)
    scored = {k for k in found_quotes if len(k.split()) >= MIN_QUOTE_WORDS}
    gold_keys = set()
    for speaker, text in label.quotes:
        key = quote_key(text)
        gold_keys.add(key)
        s.quotes_total += 1
        q = found_quotes.get(key)
        s.quotes_found += q is not None
        if speaker:
            s.named_total += 1
            if q is None:
                s.errors.append(f"{label.name} quote missed: {speaker}: {text[:70]!r}")
                continue
            s.named_found += 1
            if norm(q.speaker) == norm(speaker):
                s.named_right += 1
            else:
                s.errors.append(f"{label.name} speaker {q.speaker!r} for {speaker!r}: {text[:50]!r}")
    s.quotes_scored += len(scored)
    extra = [k for k in scored if k not in gold_keys]
    s.quotes_extra += len(extra)
    s.errors += [f"{label.name} quote not labelled: {found_quotes[k].speaker}: {k[:70]!r}" for k in extra]
    score_meetings(label, e, s)
    for start, surface, actor in label.mentions:
        s.mentions_total += 1
        end = start + len(surface)
        # role and surname mentions are of persons: what a person mention there resolves to ("Pakistan's
        # ambassador" resolved to the state Pakistan is no resolution of the ambassador)
        covering = [m for m in e.mentions if m.start_char < end and start < m.end_char and m.label == "PERSON"]
        resolved = {norm(m.name or m.actor or "") for m in covering if (m.actor or (m.name and m.name != m.surface))}
        right = resolved == {norm(actor)} if actor else not resolved
        s.mentions_right += right
        if not right:
            got = sorted({m.name or m.actor or m.surface for m in covering}) or "nothing"
            s.errors.append(f"{label.name} mention {surface!r}@{start}: {got} for {actor or 'nobody named'!r}")


def same_participants(gold: frozenset[str], found: tuple[str, ...]) -> bool:
    """An event's participants are right when at least half of the two sets' union is shared (the same
    people, or nearly: an outlet may name one more side) and at least two are."""
    g, f = {norm(x) for x in gold}, {norm(x) for x in found}
    shared = len(g & f)
    return shared >= 2 and shared >= 0.5 * len(g | f)


def score_meetings(label: Labels, e: Enrichment, s: Score) -> None:
    """Events: right when the kind and the participants are (`same_participants`); place and day are scored
    on the right events whose label gives them."""
    found = list(e.meetings)
    s.events_gold += len(label.meetings)
    s.events_found += len(found)
    for participants, kind, place, day in label.meetings:
        match = next((m for m in found if m.kind == kind and same_participants(participants, m.participants)), None)
        if match is None:
            s.errors.append(f"{label.name} meeting missed: {kind} {sorted(participants)}")
            continue
        found.remove(match)
        s.events_right += 1
        if place:
            s.place_total += 1
            s.place_right += norm(place) == norm(match.place or "")
            if norm(place) != norm(match.place or ""):
                s.errors.append(f"{label.name} meeting place {match.place!r} for {place!r}")
        if day is not None:
            s.day_total += 1
            s.day_right += match.day == day
            if match.day != day:
                s.errors.append(f"{label.name} meeting day {match.day} for {day}")
    s.errors += [f"{label.name} meeting not labelled: {m.kind} {list(m.participants)}: {m.sentence[:60]!r}" for m in found]


def report(s: Score) -> dict:
    out = {
        "articles": s.articles,
        "topics": prf(*s.counts["topics"]),
        "quotes_found": ratio(s.quotes_found, s.quotes_total),
        "named_quotes_found": ratio(s.named_found, s.named_total),
        "speaker_right": ratio(s.named_right, s.named_total),
        "quote_precision": ratio(s.quotes_scored - s.quotes_extra, s.quotes_scored),
        "relevance_accuracy": ratio(s.relevance_right, s.articles),
        "mention_resolution": ratio(s.mentions_right, s.mentions_total),
        "meeting_events": prf(s.events_right, s.events_found - s.events_right, s.events_gold - s.events_right),
        "meeting_place_right": ratio(s.place_right, s.place_total),
        "meeting_day_right": ratio(s.day_right, s.day_total),
    }
    if s.counts["actors"] != [0, 0, 0]:
        out["actors"] = prf(*s.counts["actors"])
    if s.persons_total:
        out["persons"] = prf(*s.counts["persons"])
        out["persons_two_names"] = ratio(s.two_names, s.persons_total)
        out["organisations_states_recall"] = ratio(s.others_found, s.others_total)
    return out


def registry_coverage(persons: Sequence[frozenset[str]], registry: set[str]) -> dict:
    """Distinct labelled persons that are registry actors."""
    distinct = {p for ps in persons for p in ps}
    return ratio(len(distinct & registry), len(distinct))


def frequent_unregistered(persons: Sequence[frozenset[str]], registry: set[str], least: int = 2) -> list[str]:
    counts = Counter(p for ps in persons for p in ps if p not in registry)
    return sorted(p for p, n in counts.items() if n >= least)
