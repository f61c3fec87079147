"""Who takes part in the meeting a sentence reports, from the sentence's dependency parse.

Run only on the sentences that need it (a meeting predicate and two or more candidate participants), on a
parser-enabled pipeline loaded lazily by pipeline.nlp. A name takes part when the parse joins it to the
meeting predicate without crossing a clause of its own or a preposition that makes it a topic:

- not a name inside a relative or adverbial clause the predicate is not in ("Singh, who is in charge of
  outreach to Iran, met Muttaqi": Iran), unless the clause only says who led or made up a side ("a
  delegation led by Muttaqi");
- not a name in a clause that reports the meeting ("the Foreign Office said that she met Muttaqi": the
  Foreign Office);
- not a name after a topic or role preposition ("envoy for Afghanistan", "talks on Afghanistan", "ambassador
  to Afghanistan", "since the Taliban took power"), unless the preposition hangs on the predicate itself
  ("a visit to Pakistan").

The words (clause heads that join, prepositions that exclude) are in config/meetings.toml.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy is loaded by the workers that parse, not by every process that reads the config
    from spacy.tokens import Doc, Token

CLAUSE_OF_ITS_OWN = frozenset({"relcl", "acl", "advcl", "ccomp", "parataxis", "csubj"})
REPORTING_CLAUSE = frozenset({"ccomp", "parataxis", "csubj", "advcl"})  # an advcl of purpose excepted
ABOUT = frozenset({"on", "about", "regarding", "concerning"})


@dataclass(frozen=True)
class ClauseWords:
    joins: frozenset[str]  # clause heads that say who a side is: "led", "headed", "including"
    topic_preps: frozenset[str]  # prepositions after which a name is a topic, never a side: "on", "for"
    directed_preps: frozenset[str]  # prepositions that name a side only on the predicate: "to"


def _chain(token: Token) -> list[Token]:
    """The token and its heads up to the root."""
    out = [token]
    while out[-1].head.i != out[-1].i:
        out.append(out[-1].head)
    return out


def _purpose(clause: Token) -> bool:
    """'arrives in Kabul to meet Muttaqi': an infinitive of purpose, whose subject is the main clause's."""
    return clause.dep_ == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in clause.children)


def _phrase(doc: Doc, start: int, end: int) -> list[Token]:
    """The tokens that overlap the characters start..end of the doc."""
    span = doc.char_span(start, end, alignment_mode="expand")
    return list(span) if span is not None else [t for t in doc if t.idx < end and start < t.idx + len(t)]


def phrase_tokens(doc: Doc, start: int, end: int) -> frozenset[int]:
    """The indices of the tokens of a predicate phrase (character offsets in the doc)."""
    return frozenset(t.i for t in _phrase(doc, start, end))


def predicate_head(doc: Doc, start: int, end: int) -> Token | None:
    """The token of a predicate phrase (character offsets in the doc) whose head is outside the phrase."""
    tokens = _phrase(doc, start, end)
    inside = {t.i for t in tokens}
    for t in tokens:
        if t.head.i not in inside or t.head.i == t.i:
            return t
    return tokens[0] if tokens else None


def takes_part(doc: Doc, predicate: Token, start: int, end: int, words: ClauseWords, place: bool = False,
               phrase: frozenset[int] = frozenset()) -> bool:
    """Whether the name at [start, end) (character offsets in the doc) is joined to the predicate as a side (or,
    with `place`, as where it happened: then only clauses count, not prepositions). `phrase`: the indices of the
    predicate phrase's tokens ("called on": its "on" is no topic)."""
    phrase = phrase | {predicate.i}
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or predicate.i in range(span.start, span.end):
        return True
    name_up, pred_up = _chain(span.root), _chain(predicate)
    pred_ids = {t.i for t in pred_up}
    lca = next((t for t in name_up if t.i in pred_ids), None)
    if lca is None:
        return True
    for t in pred_up:  # the predicate sits in a clause reported by, or loosely tied to, the name's
        if t.i == lca.i:
            break
        if t.dep_ in REPORTING_CLAUSE and not _purpose(t):
            return False
        if t.dep_ == "pobj" and t.head.lower_ in ABOUT:
            return False  # "commented on the recent visit": who comments did not visit
    renamed = False  # past an apposition ("envoy for Afghanistan, Mohammad Sadiq,"): the name, not its role
    for t in name_up:
        if t.i == lca.i:
            break
        if t.dep_ in CLAUSE_OF_ITS_OWN and t.lower_ not in words.joins:
            return False
        renamed = renamed or t.dep_ == "appos"
        head = t.head
        if not place and not renamed and t.dep_ == "pobj" and head.dep_ in ("prep", "agent") and head.i not in phrase:
            word = head.lower_
            if word in words.topic_preps or (word in words.directed_preps and head.head.i not in phrase):
                return False
    return True


def side_names(doc: Doc, predicate: Token, spans: list[tuple[int, int]], words: ClauseWords,
               phrase: frozenset[int] = frozenset()) -> list[bool]:
    """For each name (character offsets in the doc), whether it takes part; a name listed with one that does
    not ("outreach to Iran, Afghanistan and Pakistan") goes with it (after a bare comma only when the list goes
    on: "envoy for Afghanistan, Mohammad Sadiq, met" is an apposition)."""
    kept = [takes_part(doc, predicate, s, e, words, phrase=phrase) for s, e in spans]
    text = doc.text
    for i in range(1, len(spans)):
        between = text[spans[i - 1][1] : spans[i][0]].strip().lower()
        if not kept[i - 1] and between in ("and", ", and", "or", ", or") or (
            between == "," and i + 1 < len(spans) and text[spans[i][1] : spans[i + 1][0]].strip().lower()
            in (",", "and", ", and")
        ) and not kept[i - 1]:
            kept[i] = False
    return kept
