"""Role phrases: "the foreign minister" said instead of a name, resolved within the article, never across states.

A role phrase next to a person binds that role to them for the article: a title before the name ("Foreign
Minister Anniken Huitfeldt", "acting foreign minister Amir Khan Muttaqi") or an apposition after it ("Abdul
Qahar Balkhi, the foreign ministry spokesman", "Huitfeldt, Norway's foreign minister"). A role phrase alone
is resolved to the one person who fits: bound to that role in the article, or holding it in the registry
(`roles` in config/actors.toml) and named in the article; and when the phrase has a qualifier ("Norway's",
"the Norwegian", "the Taliban", "of Pakistan"), only a person who serves that state or body. Two people who
fit, or none: the phrase stays unresolved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from pipeline.quotes import NamedSpan

PERSON_KIND = "person"
_SAME = [
    (re.compile(r"\b(acting|interim|caretaker|the)\s+"), ""),
    (re.compile(r"\b(spokesperson|spokeswoman)\b"), "spokesman"),
    (re.compile(r"\bdefense\b"), "defence"),
    (re.compile(r"\bminister of foreign affairs\b"), "foreign minister"),
    (re.compile(r"\bminister of (interior|commerce)\b"), r"\1 minister"),
    (re.compile(r"\bsecretary general\b"), "secretary-general"),
    (re.compile(r"\bchargé\b"), "charge"),
    (re.compile(r"\badvisor\b"), "adviser"),
    (re.compile(r"\bvice president\b"), "vice-president"),
    (re.compile(r"^fm$"), "foreign minister"),
    (re.compile(r"^(pm|premier)$"), "prime minister"),
    (re.compile(r"^cda$"), "charge d'affaires"),
    (re.compile(r"^(mission head|head of mission)$"), "charge d'affaires"),
    (re.compile(r"\bminister for (\w+)$"), r"\1 minister"),
]
# Roles of one kind: a role said alone matches a person bound to any role of its family ("the envoy" for
# "Special Representative X"); a general word ("the diplomat", "the minister", "the official") matches the one
# person of the article in a role of its family whose state fits.
FAMILIES = {
    "envoy": {"envoy", "special envoy", "special representative", "representative", "ambassador", "charge d'affaires",
              "diplomat", "head of mission"},
    "diplomat": {"envoy", "special envoy", "special representative", "ambassador", "charge d'affaires", "diplomat",
                 "foreign minister", "deputy foreign minister", "head of mission"},
    "charge d'affaires": {"charge d'affaires", "ambassador", "head of mission"},
    "ambassador": {"ambassador", "charge d'affaires", "envoy", "head of mission"},
    "special envoy": {"special envoy", "special representative", "envoy"},
    "special representative": {"special representative", "special envoy", "envoy"},
    "official": None,  # any role
    "senior official": None,
    "head of the delegation": None,
    "delegation head": None,
}


def role_key(phrase: str) -> str:
    """A role phrase in one form: "the acting Minister of Foreign Affairs" -> "foreign minister"."""
    key = " ".join(phrase.lower().replace("’", "'").split())
    for pattern, replacement in _SAME:
        key = pattern.sub(replacement, key)
    return " ".join(key.split())


def same_role(bound: str, said: str) -> bool:
    """Whether a role said alone is the role bound to a person: the same, a shorter form of it ("the envoy"
    for "the special envoy"), one of its family, or any minister for "the minister"."""
    if bound == said or bound.endswith(" " + said):
        return True
    if said in FAMILIES:
        family = FAMILIES[said]
        return family is None or bound in family or any(bound.endswith(" " + f) for f in family)
    return said == "minister" and bound.endswith("minister")


@dataclass(frozen=True)
class RoleMatch:
    start: int  # token range of the role phrase
    end: int
    key: str


@dataclass(frozen=True)
class Binding:
    key: str
    qualifier: str | None
    actor: str | None
    name: str
    at: int  # character offset of the binding


class RoleBook:
    """The registry's role holders and the language's demonyms; `resolve` works per document."""

    def __init__(self, actors: dict, demonyms: dict[str, str]):
        self.actors = actors
        self.demonyms = demonyms
        self.holders: dict[str, list[str]] = {}
        self._serves: dict[str | None, frozenset[str]] = {}
        for actor in actors.values():
            for role in actor.roles:
                self.holders.setdefault(role_key(role), []).append(actor.name)

    # the state or body behind an actor ---------------------------------------------------------
    def serves(self, actor: str | None, visited: frozenset = frozenset()) -> frozenset[str]:
        """The actor and everything its affiliation leads to ("Amir Khan Muttaqi" -> Taliban -> Afghanistan).
        Kept per registry actor (not per name outside it: a worker meets new names for months): the registry
        does not change while it is loaded, and this is asked tens of thousands of times in a batch."""
        if not visited and actor in self.actors:
            known = self._serves.get(actor)
            if known is None:
                known = self._serves[actor] = self._serves_uncached(actor, visited)
            return known
        return self._serves_uncached(actor, visited)

    def _serves_uncached(self, actor: str | None, visited: frozenset) -> frozenset[str]:
        if actor is None or actor in visited or actor not in self.actors:
            return frozenset({actor}) if actor else frozenset()
        affiliation = self.actors[actor].affiliation
        up = self.serves(affiliation, visited | {actor}) if affiliation else frozenset()
        return frozenset({actor}) | up | ({affiliation} if affiliation else frozenset())

    def fits(self, qualifier: str | None, actor: str | None, bound_qualifier: str | None = None) -> bool:
        """Whether a person can hold a role qualified by `qualifier`: a registry actor by their affiliation, a
        person bound to a role in the article by that role's qualifier. Unknown is no."""
        if qualifier is None:
            return True
        wanted = self.serves(qualifier)
        if bound_qualifier is not None:
            return bool(wanted & self.serves(bound_qualifier))
        if actor is not None and actor in self.actors:
            return bool(wanted & (self.serves(actor) - {actor}))
        return False

    # per document --------------------------------------------------------------------------------
    def qualifier(self, doc: Doc, match: RoleMatch, cands) -> str | None:
        """The state or body a role phrase names: "Norway's", "the Norwegian", "Taliban", "of Pakistan"."""
        by_end = {c.end: c for c in cands if c.label != "PERSON" or (c.actor and c.actor in self.actors
                                                                      and self.actors[c.actor].kind != PERSON_KIND)}
        start = match.start
        if start > 0 and doc[start - 1].lower_ in ("the", "a"):
            start -= 1
        for end in (match.start, match.start - 1):
            c = by_end.get(end)
            if c is not None and (end == match.start or doc[end].lower_ in ("'s", "’s", "'")):
                return c.actor or self.demonyms.get(c.surface.lower()) or c.surface
        if match.start > 0:
            word = doc[match.start - 1].lower_
            if word in self.demonyms:
                return self.demonyms[word]
            if match.start > 1 and doc[match.start - 1].lower_ in ("'s", "’s"):
                word = doc[match.start - 2].lower_
                if word in self.demonyms:
                    return self.demonyms[word]
        if match.end + 1 < len(doc) and doc[match.end].lower_ in ("of", "for"):
            for c in cands:
                if c.start == match.end + 1 or (c.start == match.end + 2 and doc[match.end + 1].lower_ == "the"):
                    return c.actor or self.demonyms.get(c.surface.lower()) or c.surface
        return None

    def resolve(self, doc: Doc, cands, matches: list[RoleMatch]) -> list[NamedSpan]:
        persons = [c for c in cands if c.label == "PERSON" and c.name]
        covered = {i for c in persons for i in range(c.start, c.end)}
        others = {i for c in cands if c.label != "PERSON" for i in range(c.start, c.end)}
        others_end = {c.start: c.end for c in cands if c.label != "PERSON"}
        named = {c.actor for c in cands if c.actor}
        bindings: list[Binding] = []
        bound: list = []
        alone: list[tuple[RoleMatch, str | None]] = []
        for match in _longest(matches):
            if any(i in covered for i in range(match.start, match.end)):
                continue
            qualifier = self.qualifier(doc, match, cands)
            if qualifier not in self.actors:
                qualifier = None  # "Caretaker" taken for an organisation: no state or body the registry knows
            person = self._next_to(doc, match, persons, others_end)
            if person is not None and qualifier is not None and person.actor in self.actors \
                    and not self.fits(qualifier, person.actor):
                person = None  # "the US Secretary of State, Hamdullah Fitrat, ...": not his role, whoever holds it
            if person is not None:
                bindings.append(Binding(match.key, qualifier, person.actor, person.name, person.start_char))
                bound.append((match, person))
            else:
                alone.append((match, qualifier))
        found = []
        for match, person in bound:  # the role next to its person names them too ("X, the envoy, said")
            span = _with_article(doc, match, others)
            found.append(NamedSpan(span.start_char, span.end_char, "PERSON", person.actor, span.text, person.name,
                                   role=True))
        for match, qualifier in alone:
            if _indefinite(doc, match):
                continue  # "a Pakistani official said": someone the article does not name
            span = _with_article(doc, match, others)
            options = {}
            for b in bindings:
                if same_role(b.key, match.key) and self.fits(qualifier, b.actor, b.qualifier):
                    options[b.name] = b.actor
            for holder in self.holders.get(match.key, ()):
                if holder in named and self.fits(qualifier, holder):
                    options[holder] = holder
            if not options and qualifier is not None:
                # "the Kyrgyz special envoy", "the Indian diplomat": the one person of the article who serves
                # that state or body, when there is one
                for p in persons:
                    bound_q = next((b.qualifier for b in bindings if b.name == p.name and b.qualifier), None)
                    if self.fits(qualifier, p.actor, bound_q):
                        options[p.name] = p.actor
            if len(options) == 1:
                [(name, actor)] = options.items()
                found.append(NamedSpan(span.start_char, span.end_char, "PERSON", actor, span.text, name, role=True))
        return found

    @staticmethod
    def _next_to(doc: Doc, match: RoleMatch, persons, others_end: dict[int, int] | None = None):
        """The person a role phrase is a title or an apposition of, if any; a title may name its state before
        the person ("Minister of Foreign Affairs of Turkey Mevlut Cavusoglu": `others_end`, where each
        organisation or state that starts at a token ends)."""
        start = match.end + 1
        if others_end and match.end + 1 < len(doc) and doc[match.end].lower_ == "of":
            start += doc[start].lower_ == "the"
            state_end = others_end.get(start)
            if state_end is not None:
                titled = next((p for p in persons if p.start == state_end), None)
                if titled is not None:
                    return titled
        for p in persons:
            if p.start == match.end or (p.start == match.end + 1 and doc[match.end].text == ","):
                return p  # "Foreign Minister Anniken Huitfeldt", "the spokesman, Zabihullah Mujahid"
            gap = doc[p.end : match.start]
            if p.end <= match.start and len(gap) <= 4 and gap and gap[0].text == "," and all(
                t.text in (",", "'s", "’s") or t.lower_ in ("the", "a", "its", "his", "her") or t.ent_type_
                or t.is_title for t in gap
            ):
                return p  # "Abdul Qahar Balkhi, the foreign ministry spokesman", "Huitfeldt, Norway's foreign minister"
        return None


def _indefinite(doc: Doc, match: RoleMatch) -> bool:
    """Whether the role phrase is indefinite ("a senior official", "an Iranian diplomat", "one minister")."""
    for i in range(match.start - 1, max(-1, match.start - 4), -1):
        word = doc[i].lower_
        if word in ("a", "an", "one", "another", "some", "two", "three", "several"):
            return True
        if not (doc[i].ent_type_ or doc[i].is_title or word in ("senior", "top", "former", "'s", "’s")):
            return False
    return False


def _with_article(doc: Doc, match: RoleMatch, others: set[int] = frozenset()):
    """The role phrase with its "the", as written; without the organisation or state that opens it ("NATO
    Secretary-General": "Secretary-General"; NATO is a mention of its own)."""
    start = match.start
    while start < match.end - 1 and start in others:
        start += 1
    if start == match.start and start > 0 and doc[start - 1].lower_ == "the":
        return doc[start - 1 : match.end]
    return doc[start : match.end]


def _longest(matches: list[RoleMatch]) -> list[RoleMatch]:
    """Overlapping role phrases: the longest ("foreign ministry spokesman" over "spokesman")."""
    chosen: list[RoleMatch] = []
    for m in sorted(matches, key=lambda m: (m.start, -(m.end - m.start))):
        if chosen and m.start < chosen[-1].end:
            continue
        chosen.append(m)
    return chosen
