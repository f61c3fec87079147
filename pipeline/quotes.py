"""Direct quotes and who said them, from the article text and its resolved names.

Wire copy attributes a quote in a few fixed shapes: `"...," X said.`, `"...," said X.`, `X said: "..."`,
`X told reporters: "..."`, `"...", according to X.`, and `"...," he said.` after X was named. The quote marks are
paired per paragraph, in any mix of straight and curly marks (a stray opening mark used as a closing one is
common in real copy); the attribution is looked for in the clause after the quote, then in the one before,
next to a speech verb; a pronoun is the previous speaker or the last person named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.records import Quote

DOUBLE_QUOTES = "\"“”„«»"
SPEECH_VERBS = (
    "said|says|say|stated|states|told|tells|added|adds|remarked|claimed|claims|noted|notes|warned|warns|wrote|"
    "writes|tweeted|posted|asked|asks|urged|urges|insisted|insists|explained|stressed|announced|declared|argued|"
    "replied|commented|acknowledged|pledged|vowed|promised|concluded|continued|recalled|complained|admitted|"
    "cautioned|emphasised|emphasized|observed|suggested|conceded|predicted|reiterated|repeated|quoted|"
    "called|calling|described|describing|saying|adding|according to|in a statement|statement said"
)
_VERB = re.compile(rf"\b(?:{SPEECH_VERBS})\b", re.I)
_PRONOUN = re.compile(r"\b(he|she|they)\b", re.I)
_UNNAMED = re.compile(
    r"\b((?:a|an|one|another|the)\s+(?:[a-z-]+\s+){0,3}?(?:official|diplomat|spokesman|spokeswoman|spokesperson|"
    r"source|minister|commander|resident|worker|journalist|analyst|negotiator|envoy|officer|teacher|student|"
    r"doctor|witness|member|activist|representative|elder|statement)s?)\b",
    re.I,
)
_STOP = re.compile(r"[.!?](?=\s|$)")
_ABBREVIATION = re.compile(r"(?:\b[A-Z]\.(?:[A-Z]\.)*|\b(?:Mr|Ms|Mrs|Dr|St|Gen|Lt|Col|Maj|Capt|Jr|Sr|No|Prof|Gov|Sen|Rep))$")


def sentence_ends(text: str, lo: int = 0, hi: int | None = None) -> list[re.Match]:
    """The ends of sentences in text[lo:hi]: a full stop, a question or exclamation mark before a space,
    not the point of an abbreviation ("U.N.", "Mr.", "Gen.")."""
    hi = len(text) if hi is None else hi
    return [m for m in _STOP.finditer(text, lo, hi) if not _ABBREVIATION.search(text, max(lo, m.start() - 8), m.end())]
MAX_CLAUSE = 220  # characters of attribution looked at on either side of a quote
MIN_WORDS = 2  # one-word scare quotes ("failed") are not quotes


@dataclass(frozen=True)
class NamedSpan:
    """A name in the text, resolved as far as the article allows."""

    start: int
    end: int
    label: str
    actor: str | None  # canonical registry actor
    surface: str  # as written
    name: str  # how to call the speaker: the actor, or the full name introduced earlier, or the surface
    role: bool = False  # a role phrase that names the person ("the spokesman"), not the name itself


def quote_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each quoted passage, quote marks excluded; pairs never cross a paragraph."""
    spans = []
    offset = 0
    for paragraph in re.split(r"(\n\s*\n)", text):
        opened = None
        for i, char in enumerate(paragraph):
            if char not in DOUBLE_QUOTES:
                continue
            if opened is None:
                opened = i + 1
            else:
                spans.append((offset + opened, offset + i))
                opened = None
        if opened is not None and len(paragraph) - opened > 0:  # a quote running on into the next paragraph
            spans.append((offset + opened, offset + len(paragraph.rstrip())))
        offset += len(paragraph)
    return spans


def _clause_after(text: str, end: int, limit: int) -> tuple[int, int]:
    start = end + 1
    stop = min(limit, start + MAX_CLAUSE, text.find("\n", start) if "\n" in text[start:] else len(text))
    ends = sentence_ends(text, start, stop)
    return start, (ends[0].end() if ends else stop)


def _clause_before(text: str, start: int, floor: int) -> tuple[int, int]:
    begin = max(floor, start - 1 - MAX_CLAUSE, text.rfind("\n", 0, start) + 1)
    ends = sentence_ends(text, begin, start - 1)
    return (ends[-1].end() if ends else begin), start - 1


def _speaker_in(
    text: str, lo: int, hi: int, side: str, spans: list[NamedSpan], last: NamedSpan | None, own: bool = True
) -> NamedSpan | str | None:
    """The speaker named in one attribution clause, next to the speech verb nearest the quote; `own`: the
    clause is the quote's own (next to it), not one of a paragraph before."""
    clause = text[lo:hi]
    verbs = list(_VERB.finditer(clause))
    if not verbs:
        return None
    verb = verbs[-1] if side == "before" else verbs[0]
    verb_start, verb_end = lo + verb.start(), lo + verb.end()
    # a person told, or through whom it was said, is not the speaker under a role either ("posted by X, a spokesman")
    told = {s.name for s in spans if s.start >= lo and s.end <= hi and s.label == "PERSON" and not s.role
            and _told(text, s) and not _ACCORDING.search(text, max(0, s.start - 16), s.start)}
    inside = [s for s in spans if s.start >= lo and s.end <= hi and s.name not in told
              and _can_speak(text, s, verb_start, verb_end, own)]
    if verb.group(0).lower() == "according to":
        after = [s for s in inside if s.start >= verb_end]
        people = [s for s in after if s.label == "PERSON"]
        if people or after:
            return (people or after)[0]
    if inside:
        def rank(s: NamedSpan) -> tuple[bool, int]:
            # a person before the verb ("X said", "X, the envoy, said") over one after it ("said X"),
            # and a person over an organisation or a state
            gap = verb_start - s.end if s.end <= verb_start else s.start - verb_end + 15
            return (s.label != "PERSON", max(gap, 0))

        return min(inside, key=rank)
    named = _surname_next_to(text, verb_start, verb_end, spans, lo)
    if named is not None:
        return named
    pronoun = _PRONOUN.search(clause)
    if pronoun and abs(lo + pronoun.start() - verb_start) <= 30:
        return last
    unnamed = _UNNAMED.search(clause)
    if unnamed:
        return unnamed.group(1)
    return None


_RECIPIENT = re.compile(r"\b(?:told|to|on|via|with|in|from|by)\s+(?:the\s+)?$", re.I)
_SUBJECT_GAP = re.compile(r"^[\s,]*(?:(?:has|have|had|also|then|later|further|again|on \w+day)\s+)*$", re.I)
_POSSESSIVE = re.compile(r"['’]s?\b")
_ACCORDING = re.compile(r"\baccording to\s+(?:the\s+)?$", re.I)
_PRONOUN_SUBJECT = re.compile(r"\b(?:he|she|they|it|we)\s+(?:also\s+)?$", re.I)


def _told(text: str, span: NamedSpan) -> bool:
    """Whether the name is the one told, or the one through whom it was said ("told Reuters", "said on X",
    "in a video posted by X")."""
    return bool(_RECIPIENT.search(text[max(0, span.start - 12) : span.start]))


def _can_speak(text: str, span: NamedSpan, verb_start: int, verb_end: int, own: bool = True) -> bool:
    """Whether a name in an attribution clause can be the speaker: a person anywhere in it, but not the one
    told ("told Reuters", "said on X"); an organisation or a state only as the verb's subject ("the ministry
    said", "Pakistan's Foreign Office said") or right after it ("said the ministry"), but not as the owner of
    what follows ("repeated Beijing's call": Beijing is not who repeated it), nor, in the quote's `own`
    clause, when the verb has a pronoun for its subject ("He said China was “...”": China is what he spoke of);
    a nationality never."""
    if span.label == "NORP":
        return False
    if _told(text, span):
        return False
    if span.label == "PERSON":
        return True
    if span.end <= verb_start:
        return bool(_SUBJECT_GAP.match(text[span.end : verb_start]))
    return span.start >= verb_end and not text[verb_end : span.start].strip(" ,").replace("the", "").strip() \
        and not _POSSESSIVE.match(text, span.end) \
        and not (own and _PRONOUN_SUBJECT.search(text, max(0, verb_start - 12), verb_start))


def _surname_next_to(text: str, verb_start: int, verb_end: int, spans: list[NamedSpan], lo: int) -> NamedSpan | None:
    """'"...," Price said': a capitalised word by the verb that is the surname of a person named before."""
    before = re.search(r"([A-Z][\w'’-]+)\s*$", text[lo:verb_start])
    after = re.match(r"\s+([A-Z][\w'’-]+)", text[verb_end : verb_end + 40])
    for match in (before, after):
        if match is None:
            continue
        word = match.group(1)
        people = [s for s in spans if s.start < lo and s.label == "PERSON" and s.surface.split()[-1] == word]
        if people:
            return people[-1]
    return None


def _paragraph_speaker(
    text: str, start: int, spans: list[NamedSpan], quotes: list[Quote], last: NamedSpan | None
) -> NamedSpan | str | None:
    """A quote with no attribution of its own goes on from what came before it: in its own paragraph, the
    speaker of the quote before it ("'...,' said X. 'More.'") or of the last speech verb ("X said that ... .
    'More.'"); for a quote that opens its paragraph, the same in the paragraph before ("..., the Russian
    Foreign Ministry said on Friday." then the quote)."""
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start : start - 1].strip():
        areas = [(line_start, start - 1)]  # the quote's own paragraph, before it
    else:
        previous_start = text.rfind("\n", 0, max(0, line_start - 1))
        while previous_start > 0 and not text[previous_start + 1 : line_start].strip():
            previous_start = text.rfind("\n", 0, previous_start)
        areas = [(previous_start + 1, line_start)]
    for lo, hi in areas:
        if quotes and quotes[-1].start_char is not None and lo <= quotes[-1].start_char < hi:
            q = quotes[-1]
            if q.speaker_start is not None:
                return next((s for s in spans if s.start == q.speaker_start), q.speaker)
            return q.speaker
        if last is not None and lo <= last.start < hi:
            return last
        for verb in reversed(list(_VERB.finditer(text, lo, hi))):
            clause_lo = max(lo, verb.start() - MAX_CLAUSE)
            speaker = _speaker_in(text, clause_lo, min(hi, verb.end() + 60), "before", spans, None, own=False)
            if isinstance(speaker, NamedSpan):
                return speaker
    return None


def find_quotes(text: str, spans: list[NamedSpan]) -> tuple[Quote, ...]:
    quotes = []
    marks = quote_spans(text)
    last_speaker: NamedSpan | None = None
    for i, (start, end) in enumerate(marks):
        content = text[start:end].strip().rstrip(",").strip()
        if len(content.split()) < MIN_WORDS:
            continue
        next_start = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        previous_end = marks[i - 1][1] + 1 if i > 0 else 0
        after = _clause_after(text, end, next_start - 1)
        before = _clause_before(text, start, previous_end)
        people_before = [s for s in spans if s.end <= start and s.label == "PERSON"]
        # "he said": the last speaker, unless another person was named since ("X praised his players. '...,' he said")
        candidates = [x for x in (last_speaker, people_before[-1] if people_before else None) if x is not None]
        fallback = max(candidates, key=lambda x: x.start) if candidates else None
        order = (after, before) if not content.endswith((".", "?", "!")) else (before, after)
        speaker = None
        for (lo, hi), side in zip(order, ("after", "before") if order[0] == after else ("before", "after")):
            speaker = _speaker_in(text, lo, hi, side, spans, fallback)
            if speaker is not None:
                break
        if speaker is None:
            speaker = _paragraph_speaker(text, start, spans, quotes, last_speaker)
        if speaker is None:
            continue
        raw = text[start:end]
        lead = len(raw) - len(raw.lstrip())
        at = (start + lead, start + lead + len(content))
        if isinstance(speaker, NamedSpan):
            quotes.append(Quote(speaker.name, speaker.actor, content, *at, speaker.start, speaker.end))
            if speaker.label == "PERSON" or (speaker.actor and speaker.name == speaker.actor):
                last_speaker = speaker
        else:
            quotes.append(Quote(speaker, None, content, *at))
    return tuple(quotes)
