"""From a document's entities to resolved mentions: who each name, surname and role phrase in an article is.

1. Candidates: registry aliases (the entity ruler's), registry short forms (surnames), and the model's own
   entities, persons trimmed to the name (`pipeline.names`); names in journalists' credits are left out;
   a person the registry knows under a slightly different spelling is that registry actor. The model's
   persons either side of a name particle are one ("Bakht" + "ul" + "Rahman Sharofat"); a short form with
   more name after it is that longer name ("Sadiq Khan", "Nadim Anjum"); a model's person that qualifies a
   noun after "the" or comes before ", which" is a thing ("the Jaffer Express hijacking"), one written
   before a place noun anywhere in the article a place ("Spin Buldak border"); an honorific written after a
   registry person's name is no one else ("Mullah Baradar Akhund").
2. Persons under several forms are one: a surname or a shorter form ("Muttaqi", "Khan Muttaqi", "Mr
   Stanikzai") is the person whose fuller name the article gives anywhere, before or after; a registry
   surname preceded by another first name is someone else ("Sediqa Amiri" is not Rina Amiri); a lone word
   that starts one person's full name is that person ("Wang" for Wang Yi); a registry surname with a title
   anywhere ("spokesman Mujahid") is the registry's person in every mention, unless the article names
   someone else of that surname in full ("Obaidullah Nizamani ... Mr. Nizamani").
3. Roles (`pipeline.roles`): a role phrase next to a name binds the role to that person for the article
   ("Norway's foreign minister, Anniken Huitfeldt"); a role phrase alone is the one person the article or
   the registry gives that role and whose state fits the role's qualifier ("the Norwegian foreign minister"
   is never the Taliban's), else nobody.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from pipeline.names import NAME_PARTICLES, NOT_NAME_START, NearNames, edits, fold, in_credit, is_common, trim_person
from pipeline.quotes import NamedSpan
from pipeline.institutions import Institutions
from pipeline.roles import RoleBook, RoleMatch

SHORT_FORM = "short-form::"
PERSON_KIND = "person"
THING_RELATIVES = ("which", "where")  # ", which" and ", where" follow things and places, never persons


@dataclass
class Candidate:
    start: int  # token range
    end: int
    start_char: int
    end_char: int
    surface: str
    label: str
    actor: str | None
    short_of: str | None = None  # a registry surname: the person it names once their full name is given
    name: str | None = None
    titled: bool = False  # a registry surname right after a title ("President Raisi")


class MentionResolver:
    """Holds what resolution needs from the registry and the language file; `resolve` works per document."""

    def __init__(self, actors: dict, language, near: NearNames, roles: RoleBook, title_before,
                 common: frozenset[str] = frozenset()):
        self.common = common  # English words: not names
        self.institutions = Institutions(actors, language.demonyms, roles.serves)
        self.alias_of = {alias.lower(): a.name for a in actors.values() for alias in a.aliases}
        self.actors = actors
        self.language = language
        self.near = near
        self.roles = roles
        self.title_before = title_before  # (doc, token index) -> True when the token is a title word
        nouns = "|".join(re.escape(n) for n in sorted(language.place_nouns, key=len, reverse=True))
        self.place_noun_after = re.compile(r"\s+(?:" + nouns + r")\b", re.IGNORECASE)  # "Spin Buldak| border"

    # 1. candidates -----------------------------------------------------------------------------
    def candidates(self, doc: Doc, text: str, ents: list[Span]) -> list[Candidate]:
        found = []
        ents = join_at_particles(doc, ents)
        taken = {i for e in ents for i in range(e.start, e.end)}
        places = {e.text for e in ents if e.label_ in ("GPE", "LOC", "FAC")}
        past = 0  # tokens before this are in a candidate already ("Sadiq" took the model's "Khan" after it)
        for ent in ents:
            if ent.start < past or in_credit(text, ent.start_char, self.language):
                continue
            entity_id = ent.ent_id_
            previous = found[-1] if found else None
            if self.honorific_after(doc, previous, ent):
                continue  # "Mullah Baradar Akhund": how he is addressed, not Mullah Mohammad Hassan Akhund
            if entity_id.startswith(SHORT_FORM) and previous is not None and previous.label == "PERSON" \
                    and previous.end == ent.start and not previous.actor and not previous.short_of \
                    and "\n" not in doc[ent.start - 1].whitespace_:
                # "Sifatullah" then the registry surname "Qureshi": one person, who is not Shah Mahmood Qureshi
                start = previous.start
                while start < ent.start and self.title_before(doc, start):
                    start += 1  # "Molvi Muhammad" + "Yaqub": Muhammad Yaqub
                span = doc[start : ent.end]
                found[-1] = Candidate(span.start, span.end, span.start_char, span.end_char, span.text, "PERSON",
                                      self.near.find(span.text))
                continue
            if entity_id.startswith(SHORT_FORM) and (after := self.name_after_short_form(doc, ent)) > ent.end:
                # "Sadiq Khan" is Mohammad Sadiq Khan, "Nadim Anjum" is not Neda Mohammad Nadim
                span = doc[ent.start : after]
                actor = entity_id[len(SHORT_FORM):]
                same = any(_part_of(fold(span.text).split(), fold(alias).split())
                           for alias in self.actors[actor].aliases)
                found.append(Candidate(span.start, span.end, span.start_char, span.end_char, span.text, "PERSON",
                                       actor if same else self.near.find(span.text)))
                taken.update(range(ent.end, after))
                past = after
                continue
            if entity_id.startswith(SHORT_FORM):
                before = doc[ent.start - 1] if ent.start > 0 else None
                if before is not None and before.is_title and not before.is_stop and not before.ent_type_ \
                        and not self.title_before(doc, ent.start - 1) and "\n" not in before.whitespace_ \
                        and not NOT_NAME_START.match(before.text):
                    # "Sediqa Amiri" is not Rina Amiri: a first name in front makes it someone else
                    span = doc[ent.start - 1 : ent.end]
                    found.append(Candidate(span.start, span.end, span.start_char, span.end_char, span.text, "PERSON",
                                           self.near.find(span.text)))  # or an outlet's slip for a registry name
                else:
                    titled = before is not None and self.title_before(doc, ent.start - 1)
                    found.append(Candidate(ent.start, ent.end, ent.start_char, ent.end_char, ent.text, "PERSON", None,
                                           short_of=entity_id[len(SHORT_FORM):], titled=titled))
            elif entity_id:
                longer = self.name_goes_on(doc, ent) if ent.label_ == "PERSON" else ent.end
                if longer > ent.end:  # "Mohammad Sadiq Akif Mahajer" is not Mohammad Sadiq
                    span = doc[ent.start : longer]
                    found.append(Candidate(span.start, span.end, span.start_char, span.end_char, span.text, "PERSON",
                                           self.near.find(span.text)))
                    taken.update(range(ent.end, longer))
                    continue
                found.append(Candidate(ent.start, ent.end, ent.start_char, ent.end_char, ent.text, ent.label_,
                                       entity_id))
            elif ent.label_ == "PERSON":
                trimmed = trim_person(doc, ent, self.language)
                if trimmed is None:
                    continue
                start, end = self.extend_left(doc, *trimmed, taken)
                if self.names_a_thing(doc, start, end):
                    continue
                if self.is_place(doc, start, end, places):
                    found.append(Candidate(start, end, doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text),
                                           doc[start:end].text, "GPE", None))
                    continue
                span = doc[start:end]
                actor = self.near.find(span.text)
                found.append(Candidate(span.start, span.end, span.start_char, span.end_char, span.text, "PERSON",
                                       actor))
            else:
                state = self.language.demonyms.get(ent.text.lower()) if ent.label_ == "NORP" else None
                found.append(Candidate(ent.start, ent.end, ent.start_char, ent.end_char, ent.text, ent.label_, None,
                                       name=state))  # "Afghan officials": the word stands for Afghanistan
        return found

    def honorific_after(self, doc: Doc, previous: Candidate | None, ent: Span) -> bool:
        """Whether `ent` is only an honorific written right after a registry person's name, on the same line:
        "Mullah Baradar Akhund", "Muttaqi Sahib" (a registry short form or the model's person of its own else)."""
        if previous is None or previous.label != "PERSON" or previous.end != ent.start or not previous.actor \
                or self.actors[previous.actor].kind != PERSON_KIND or "\n" in doc[ent.start - 1].whitespace_:
            return False
        return all(token.lower_ in self.language.honorifics for token in ent)

    def name_goes_on(self, doc: Doc, ent: Span) -> int:
        """Where a registry person's name really ends: after capitalised words that go on from it on the
        same line and are no English words, titles, honorifics or other entities ("Mohammad Sadiq" + "Akif
        Mahajer", but not "Abdul Ghani Baradar" + "Akhun")."""
        end = ent.end
        while end < len(doc) and end - ent.end < 3:
            token = doc[end]
            if token.ent_type_ or not token.is_alpha or not token.text[:1].isupper() or "\n" in doc[end - 1].whitespace_ \
                    or is_common(token.text, self.common) or token.lower_ in self.language.titles \
                    or token.lower_ in self.language.honorifics \
                    or token.lower_ in self.language.not_persons:
                break
            end += 1
        return end

    def name_after_short_form(self, doc: Doc, ent: Span) -> int:
        """Where a name that starts with a registry short form ends: after the model's person right after it
        ("Sadiq" + "Khan"), else after capitalised words that go on from it (`name_goes_on`: "Nadim" + "Anjum")."""
        following = doc[ent.end] if ent.end < len(doc) else None
        if following is None or "\n" in doc[ent.end - 1].whitespace_:
            return ent.end
        if following.ent_type_ == "PERSON" and following.ent_iob_ == "B" and not following.ent_id_:
            return _entity_end(doc, following.i) + 1
        return self.name_goes_on(doc, ent)

    def extend_left(self, doc: Doc, start: int, end: int, taken: set[int]) -> tuple[int, int]:
        """A name the model cut short: "Syed Naveed" before "Qamar", capitalised words that are not English
        words, titles or demonyms, nor part of another entity, up to three of them."""
        while start > 0 and end - start < 5:
            token = doc[start - 1]
            if start - 1 in taken or not token.text[:1].isupper() or not token.is_alpha or "\n" in token.whitespace_ \
                    or is_common(token.text, self.common) or token.lower_ in self.language.titles \
                    or token.lower_ in self.language.demonyms or token.lower_ in self.language.not_persons:
                break
            start -= 1
        return start, end

    def names_a_thing(self, doc: Doc, start: int, end: int) -> bool:
        """A PERSON of the model that names a thing: a name between "the" and a common noun it qualifies ("the
        Jaffer Express hijacking", "the Sistan wetlands", "the Mes Aynak copper mine"), or followed by ", which"
        or ", where", which never follow a person ("from Helmad, which flows ...")."""
        before = doc[start - 1].lower_ if start > 0 else ""
        after = doc[end] if end < len(doc) else None
        if after is None:
            return False
        if before == "the" and after.is_alpha and after.is_lower and is_common(after.text, self.common) \
                and after.lower_ not in self.language.titles:
            return True
        return after.text == "," and end + 1 < len(doc) and doc[end + 1].lower_ in THING_RELATIVES

    def is_place(self, doc: Doc, start: int, end: int, places: set[str]) -> bool:
        """A PERSON of the model that is a place: after "in", "near", "the people of", ..., before "district",
        "border", "check post", ..., listed next to a place ("Faisalabad, Rahimyar Khan and Multan"), tagged a
        place elsewhere in the same article, or written before a place noun anywhere in it ("between Chaman
        and Spin Buldak" where the article has "the Chaman-Spin Buldak border crossing")."""
        lang = self.language
        before = doc[start - 1].lower_ if start > 0 else ""
        after = doc[end].lower_ if end < len(doc) else ""
        after_two = doc[end : end + 2].text.lower()
        preceding = doc[max(0, start - 3) : start].text.lower()
        return (before in lang.locatives or after in lang.place_nouns or after_two in lang.place_nouns
                or any(preceding.endswith(phrase) for phrase in lang.place_before)
                or doc[start:end].text in places or self.listed_with_places(doc, start, end)
                or self.before_place_noun(doc.text, doc[start:end].text))

    def before_place_noun(self, text: str, name: str) -> bool:
        """Whether the article writes `name` right before a place noun somewhere ("Spin Buldak border")."""
        at = text.find(name)
        while at >= 0:
            if (at == 0 or not text[at - 1].isalnum()) and self.place_noun_after.match(text, at + len(name)):
                return True
            at = text.find(name, at + 1)
        return False

    @staticmethod
    def listed_with_places(doc: Doc, start: int, end: int) -> bool:
        """The name is one of a list of three or more names (", ", " and ", ", and ") in which the model tagged
        more of the others places than persons: "Faisalabad, Rahimyar Khan, Hafizabad, Sargodha and Multan".
        A role's place before a name ("Ambassador of Iran to Pakistan, Syed Mohammad Ali Husseini") is a
        list of two, not one."""
        labels = []
        for step in (-1, 1):
            i = start - 1 if step < 0 else end
            while True:
                seps = 0
                while 0 <= i < len(doc) and doc[i].lower_ in (",", "and", "or") and seps < 2:
                    i, seps = i + step, seps + 1
                if not seps or not 0 <= i < len(doc) or not (doc[i].ent_type_ or doc[i].is_title):
                    break
                labels.append(doc[i].ent_type_)
                if doc[i].ent_type_:  # past the whole entity
                    i = _entity_start(doc, i) if step < 0 else _entity_end(doc, i)
                i += step
        places = sum(label in ("GPE", "LOC", "FAC") for label in labels)
        return len(labels) >= 2 and places > labels.count("PERSON")

    # 2. one person, several forms ---------------------------------------------------------------
    def resolve_persons(self, cands: list[Candidate]) -> None:
        named = {c.actor for c in cands if c.actor}
        titled = {c.short_of for c in cands if c.short_of and c.titled}  # "Foreign Minister Muttaqi" anywhere
        # the full forms: registry persons by canonical name, others by their longest written form
        fulls: list[tuple[list[str], str | None, str, int]] = []  # (folded words, actor, name, char)
        for c in cands:
            if c.label != "PERSON" or c.short_of:
                continue
            if c.actor and self.actors[c.actor].kind == PERSON_KIND:
                for alias in (c.surface, c.actor):
                    fulls.append((fold(alias).split(), c.actor, c.actor, c.start_char))
            elif not c.actor and len(c.surface.split()) > 1:
                fulls.append((fold(c.surface).split(), None, c.surface, c.start_char))
        # an unregistered full form that is part of a longer one is that longer name
        longest: dict[str, str] = {}
        for words, actor, name, _at in fulls:
            if actor is None:
                longer = [n for w, a, n, _ in fulls if a is None and len(w) > len(words) and _part_of(words, w)]
                longest[name] = max(longer, key=len) if longer else name
        fulls = [(w, a, longest.get(n, n) if a is None else n, at) for w, a, n, at in fulls]

        surnames = {w[-1] for w, _a, _n, _at in fulls}
        for c in cands:  # "Later Okafor" taken for an organisation: the surname of a person named in full
            if c.label != "PERSON" and not c.actor:
                words = c.surface.split()
                if len(words) == 2 and NOT_NAME_START.match(words[0]):
                    words = words[1:]
                if len(words) == 1 and fold(words[0]) in surnames:
                    offset = c.surface.rfind(words[0])
                    c.start_char, c.surface, c.label = c.start_char + offset, words[0], "PERSON"
                    c.start = c.end - 1
        for c in cands:
            if c.label != "PERSON":
                continue
            if c.actor:
                c.name = c.actor
                continue
            words = fold(c.surface).split()
            if not words:
                continue
            matches = {(a, n): at for w, a, n, at in fulls if len(w) > len(words) and _part_of(words, w)}
            if c.short_of and (c.short_of in named or (c.short_of in titled and not matches)):
                # the registry's person when named in full, or with a title anywhere in the article ("President
                # Raisi"), unless the article names someone else of that surname in full: "Obaidullah Nizamani
                # ... Mr. Nizamani" is not the registry's Nizamani
                c.actor = c.name = c.short_of
                continue
            if not matches and len(words) == 1 and len(words[0]) >= 6:  # "Mutaqqi" for Muttaqi
                matches = {(a, n): at for w, a, n, at in fulls if len(w) > 1 and edits(words[0], w[-1], 1) <= 1}
            if not matches and len(words) == 1 and not c.short_of:
                matches = _first_name_of(words[0], fulls)
            if not matches and len(words) > 1:
                c.name = longest.get(c.surface, c.surface)
                continue
            if len({key for key in matches}) > 1:  # two people share the surname: the nearest one before, else after
                before = {k: at for k, at in matches.items() if at < c.start_char}
                pool = before or matches
                key = max(pool, key=pool.get) if before else min(pool, key=pool.get)
            elif matches:
                key = next(iter(matches))
            else:
                c.name = c.surface
                if len(words) == 1 and not c.short_of and (is_common(c.surface, self.common)
                                                           or c.surface.lower() in self.language.demonyms):
                    c.label = "DROP"  # a lone English word or demonym the model took for a person
                continue
            c.actor, c.name = key

    # 3. everything, in order --------------------------------------------------------------------
    def bare_surnames(self, doc: Doc, text: str, cands: list[Candidate]) -> list[Candidate]:
        """Capitalised words that are the last name of a person named in full in the article, where the model
        saw no entity ("Price said", "West told reporters"): not after "the", not a sentence opener followed
        by a capitalised word."""
        surnames = {}
        for c in cands:
            words = c.surface.split()
            if c.label == "PERSON" and len(words) > 1 and len(words[-1]) > 2 and words[-1][0].isupper():
                surnames[words[-1]] = True
        if not surnames:
            return []
        taken = {i for c in cands for i in range(c.start, c.end)}
        found = []
        pattern = re.compile(r"\b(?:" + "|".join(re.escape(s) for s in surnames) + r")\b")
        for match in pattern.finditer(text):
            span = doc.char_span(match.start(), match.end())
            if span is None or len(span) != 1:
                continue
            token = span[0]
            if token.i in taken or token.ent_type_:
                continue
            previous = doc[token.i - 1] if token.i > 0 else None
            following = doc[token.i + 1] if token.i + 1 < len(doc) else None
            if previous is not None and previous.lower_ in ("the", "of", "in", "to", "from"):
                continue
            if token.is_sent_start and following is not None and following.text[:1].isupper():
                continue
            found.append(Candidate(token.i, token.i + 1, token.idx, token.idx + len(token.text), token.text, "PERSON",
                                   None))
        return found

    def bodies(self, doc: Doc, cands: list[Candidate], matches: list[tuple[int, int, str]]) -> list[Candidate]:
        """Government bodies named without their country, as one organisation each (`pipeline.institutions`);
        the model's entity for the same words gives way. A registry alias there wins."""
        registered = {i for c in cands if c.actor for i in range(c.start, c.end)}
        matches = [(s, e, b) for s, e, b in _longest_first(matches) if not registered & set(range(s, e))]
        found = []
        for body in self.institutions.find(doc, matches, cands):
            name = f"{body.base} ({body.state})" if body.state else body.base
            actor = name if name in self.actors else self.alias_of.get(name.lower())
            name = actor or name
            span = doc[body.start : body.end]
            found.append(Candidate(span.start, span.end, span.start_char, span.end_char, span.text, "ORG", actor,
                                   name=name))
        return found

    def resolve(self, doc: Doc, text: str, ents: list[Span], role_matches: list[RoleMatch],
                body_matches: list[tuple[int, int, str]] = ()) -> list[NamedSpan]:
        cands = self.candidates(doc, text, ents)
        bodies = self.bodies(doc, cands, list(body_matches))
        if bodies:
            inside = {i for b in bodies for i in range(b.start, b.end)}
            cands = [c for c in cands if c.actor or c.label == "PERSON" or not inside & set(range(c.start, c.end))
                     or c.label == "GPE"] + bodies
        cands += self.bare_surnames(doc, text, cands)
        self.resolve_persons(cands)
        spans = [
            NamedSpan(c.start_char, c.end_char, c.label, c.actor, c.surface, c.name or c.actor or c.surface)
            for c in cands
            if c.label != "DROP"
        ]
        spans += self.roles.resolve(doc, cands, role_matches)
        unique: dict[int, NamedSpan] = {}  # one mention per position: the longest
        for span in sorted(spans, key=lambda s: (s.start, s.start - s.end)):
            unique.setdefault(span.start, span)
        return list(unique.values())


def join_at_particles(doc: Doc, ents: list[Span]) -> list[Span]:
    """The model's persons either side of a name particle are one name: "Mullah Bakht" + "ul" + "Rahman
    Sharofat" is Mullah Bakht ul Rahman Sharofat."""
    joined: list[Span] = []
    for ent in ents:
        previous = joined[-1] if joined else None
        if previous is not None and ent.label_ == previous.label_ == "PERSON" and not ent.ent_id_ \
                and not previous.ent_id_ and ent.start == previous.end + 1 \
                and doc[previous.end].lower_ in NAME_PARTICLES and "\n" not in doc[previous.end - 1].whitespace_ \
                and "\n" not in doc[previous.end].whitespace_:
            joined[-1] = Span(doc, previous.start, ent.end, label="PERSON")
        else:
            joined.append(ent)
    return joined


def _longest_first(matches: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Overlapping matches: the longest, wherever it starts ("ministry of foreign affairs" over "foreign affairs
    ministry" inside it, and over "the ministry" that starts a word before it), in text order."""
    chosen: list[tuple[int, int, str]] = []
    for m in sorted(matches, key=lambda m: (m[0] - m[1], m[0])):
        if not any(m[0] < c[1] and c[0] < m[1] for c in chosen):
            chosen.append(m)
    return sorted(chosen)


def _first_name_of(word: str, fulls: list[tuple[list[str], str | None, str, int]]) -> dict:
    """The one person of the article whose name starts with `word` and who is the only one: a family name
    written first ("Wang" for Wang Yi), or a person known by the first name. Two such people: nobody."""
    found = {(a, n): at for w, a, n, at in fulls if len(w) > 1 and w[0] == word}
    return found if len({n for _a, n in found}) == 1 else {}


def _part_of(short: list[str], full: list[str]) -> bool:
    """Whether `short` is the tail of `full` ("muttaqi", "khan muttaqi") or a run of its words."""
    n = len(short)
    if full[-n:] == short:
        return True
    return any(full[i : i + n] == short for i in range(1, len(full) - n + 1)) and n > 1


def _entity_start(doc: Doc, i: int) -> int:
    while i > 0 and doc[i].ent_iob_ == "I":
        i -= 1
    return i


def _entity_end(doc: Doc, i: int) -> int:
    """The last token of the entity token i is in."""
    while i + 1 < len(doc) and doc[i + 1].ent_iob_ == "I":
        i += 1
    return i
