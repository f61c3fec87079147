"""Government bodies named without their country: "the foreign ministry", "the Foreign Office", "MoFA".

Each generic name of config/language.toml's [institutions] found in the text becomes one organisation,
"Ministry of Foreign Affairs (Pakistan)", its country taken, in this order, from the text next to it
("Pakistan's Foreign Office", "the Afghan foreign ministry", "the Taliban's interior ministry", "the Ministry of
Foreign Affairs of Afghanistan"), from the registry person right after it ("foreign ministry spokesman Wang
Wenbin"), from a state named just before it (within NEAR tokens), from the last mention of the same body with
its country in the article, or from the country the article names most (the Taliban counting for Afghanistan). The registry's actor of that
name, when it has one, is the mention's actor: so a ministry is one actor however the outlet writes it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from spacy.tokens import Doc

STATE_KIND = "state"
SAME_BODY = "the body named last"  # [institutions] value for "the ministry"
NEAR = 8  # tokens: a state named this close before an unqualified body is its country


@dataclass(frozen=True)
class Body:
    start: int  # token range of the name (a demonym before it included: "the Afghan foreign ministry")
    end: int
    base: str  # "Ministry of Foreign Affairs"
    state: str | None


class Institutions:
    def __init__(self, actors: dict, demonyms: dict[str, str], serves):
        self.actors = actors
        self.demonyms = demonyms
        self.serves = serves  # actor -> the actors it serves (pipeline.roles.RoleBook.serves)

    def state_of(self, actor_or_word: str | None) -> str | None:
        """The state an actor, a demonym or a state's name stands for."""
        if not actor_or_word:
            return None
        name = self.demonyms.get(actor_or_word.lower(), actor_or_word)
        for candidate in [name, *sorted(self.serves(name))]:
            if candidate in self.actors and self.actors[candidate].kind == STATE_KIND:
                return candidate
        return None

    def find(self, doc: Doc, matches: list[tuple[int, int, str]], cands) -> list[Body]:
        """The bodies of `matches` ((start, end, base) token ranges of generic names), with their state."""
        by_end = {c.end: c for c in cands if c.label in ("GPE", "NORP", "ORG") or c.actor}
        persons = {c.start: c for c in cands if c.actor and self.actors[c.actor].kind == "person"}
        by_start = {c.start: c for c in cands if c.label in ("GPE", "NORP", "ORG") or c.actor}
        counts = Counter()
        named: list[tuple[int, str]] = []  # (token, state) of every state-bearing mention, in order
        for c in cands:
            state = self.state_of(c.actor) if c.actor else None
            if state:
                counts[state] += 1
                named.append((c.start, state))
        main = counts.most_common(1)[0][0] if counts else None
        bodies: list[Body] = []
        last_state: dict[str, str] = {}
        for start, end, base in sorted(matches):
            if base == SAME_BODY:  # "the ministry": the body named last
                if bodies:
                    bodies.append(Body(start, end, bodies[-1].base, bodies[-1].state))
                continue
            state, first = None, start
            qualifier = by_end.get(start) or (by_end.get(start - 1) if start > 0 and doc[start - 1].lower_ in ("'s", "’s")
                                              else None)
            if start > 0 and doc[start - 1].lower_ == "the":
                first = start - 1
            if qualifier is not None:
                state = self.state_of(qualifier.actor or qualifier.surface)
            elif start > 0 and doc[start - 1].lower_ in self.demonyms:
                state, first = self.state_of(doc[start - 1].lower_), start - 1
            elif end + 1 < len(doc) and doc[end].lower_ == "of":
                after = by_start.get(end + 1) or (by_start.get(end + 2) if doc[end + 1].lower_ == "the" else None)
                if after is not None:
                    state = self.state_of(after.actor or after.surface)
                    end = after.end
            if state is None:  # "foreign ministry spokesman Wang Wenbin": the spokesman's country
                speaker = next((persons[i] for i in range(end, min(end + 4, len(doc))) if i in persons), None)
                state = self.state_of(speaker.actor) if speaker is not None else None
            if state is None:
                near = [st for at, st in named if start - NEAR <= at < start]
                state = near[-1] if near else last_state.get(base, main)
            else:
                last_state[base] = state
            bodies.append(Body(first, end, base, state))
        return bodies
