"""Person names as the news writes them: where a name starts and ends, what is not a name, one person under
several forms, and the registry's names with an outlet's small misspellings.

A statistical PERSON span is trimmed to the name: titles and honorifics before it go ("Mawlawi", "Mr.",
"Foreign Minister"), and so does a capitalised word that starts the sentence and is not a name ("Welcoming",
"Meanwhile"); it ends at a colon or a line break ("Name: Drivers"). What is left must look like a name (a
capitalised word that is not a title, a weekday, a place or a disease).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from spacy.tokens import Doc, Span

from pipeline.domain import Language

NOT_NAME_START = re.compile(r"^(?:[A-Z][a-z]+ing|According|Meanwhile|However|Also|But|And|Yet|Then|"
                             r"Earlier|Later|Today|Yesterday|Last|Next|This|That|These|Those|Speaking|Addressing|"
                             r"Dear|Hello|Thanks|Thank|Welcome|Congratulations|Mr|Ms|Mrs|Dr)$")
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")


def fold(name: str) -> str:
    """A name for comparison: no diacritics or possessive, lower case, words only."""
    decomposed = unicodedata.normalize("NFKD", _POSSESSIVE.sub("", name.strip()))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^\w]+", " ", plain.replace("’", "").replace("'", "")).split())


def is_title(words: str, language: Language) -> bool:
    return words.lower().strip(".,") in language.titles or words.lower() in language.titles


def trim_person(doc: Doc, ent: Span, language: Language) -> tuple[int, int] | None:
    """The token range of the name inside a PERSON span, or None when no name is left."""
    start, end = ent.start, ent.end
    for i in range(ent.start, ent.end):  # a name ends at a colon, a line break or a bracket
        token = doc[i]
        if i > ent.start and (token.text in (":", "(", ")", "|", "/", "—", "–") or "\n" in doc[i - 1].whitespace_
                              or "\n" in token.text):
            end = i
            break
    while start < end:  # titles, honorifics and sentence openers before the name
        token = doc[start]
        two = doc[start : start + 2].text if start + 1 < end else ""
        if two and is_title(two, language):
            start += 2
        elif is_title(token.text, language) or token.is_punct or token.text.lower() in ("the", "a", "an") \
                or token.lower_ in language.demonyms:
            start += 1
        elif start < end - 1 and NOT_NAME_START.match(token.text) and (token.is_sent_start or start == ent.start):
            start += 1
        else:
            break
    while end > start and (doc[end - 1].is_punct or doc[end - 1].text in ("'s", "’s")):
        end -= 1
    if start >= end:
        return None
    words = [t for t in doc[start:end] if not t.is_punct]
    if len(words) == 1 and start > ent.start and doc[start - 1].lower_ in language.honorifics:
        start -= 1  # "Haji Rahmatullah": the honorific is how a person with one name is known
    if not words or not all(w.text[:1].isupper() or w.text.lower() in NAME_PARTICLES for w in words):
        return None
    name = doc[start:end].text
    if fold(name) in language.not_persons or name.lower() in language.not_persons:
        return None
    if len(words) == 1 and (len(name) < 3 or name.isupper() and len(name) < 5):
        return None
    return start, end


NAME_PARTICLES = frozenset(("al", "al-", "el", "bin", "ibn", "bint", "ul", "ud", "ur", "e", "i", "von", "van", "de",
                            "der", "da", "di", "du", "la", "le", "abu", "ben"))


def in_credit(text: str, start: int, language: Language) -> bool:
    """Whether the character at `start` is in a line or parenthesis that credits journalists."""
    line_start = text.rfind("\n", 0, start) + 1
    paren = text.rfind("(", line_start, start)
    head = text[max(line_start, paren if paren >= 0 else line_start) : start].lower()
    return any(marker in head for marker in language.credits)


def edits(a: str, b: str, limit: int = 2) -> int:
    """The Damerau-Levenshtein distance of `a` and `b` (a swap of two neighbours is one edit), or limit + 1
    when it is more than `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def damerau_one(a: str, b: str) -> bool:
    """Whether `a` and `b` differ by at most one edit: a letter changed, added, dropped, or two swapped."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
    if la > lb:
        a, b = b, a
    for i in range(len(b)):
        if a == b[:i] + b[i + 1 :]:
            return True
    return False


class NearNames:
    """Registry aliases of persons, looked up with one edit of tolerance for long names (an outlet's slip:
    "Amir Khan Mutaqqi"), only when exactly one person is that close."""

    MIN_LENGTH = 10
    TWO_EDITS = 14  # names at least this long may differ by two edits (with the last name exact)

    def __init__(self, aliases: Iterable[tuple[str, str]]):
        self.by_last: dict[str, list[tuple[str, str]]] = {}  # last name -> (folded alias, actor)
        for alias, actor in aliases:
            key = fold(alias)
            if len(key) >= self.MIN_LENGTH and " " in key:
                self.by_last.setdefault(key.split()[-1], []).append((key, actor))
        self.near_last: dict[str, set[str]] = {}  # a last name with one letter dropped -> the last names
        for last in self.by_last:
            for variant in _deletions(last):
                self.near_last.setdefault(variant, set()).add(last)
        self.find = lru_cache(maxsize=8192)(self._find)

    def _find(self, name: str) -> str | None:
        """The one registry person within one edit of `name`, or within two when the last name is exact and
        the name is long ("Zahibullah Mujahid"); else None."""
        key = fold(name)
        if len(key) < self.MIN_LENGTH or " " not in key:
            return None
        last = key.split()[-1]
        close: dict[str, int] = {}
        lasts = {other for variant in _deletions(last) for other in self.near_last.get(variant, ())}
        for other_last in lasts:  # within one edit of the last name (a symmetric-deletion lookup), the rest below
            entries = self.by_last[other_last]
            exact = other_last == last
            if not exact and edits(last, other_last, 1) > 1:
                continue  # one edit in all: at most one in the last name
            for alias, actor in entries:
                distance = edits(key, alias, 2 if exact and len(key) >= self.TWO_EDITS else 1)
                if distance <= (2 if exact and len(key) >= self.TWO_EDITS else 1):
                    close[actor] = min(distance, close.get(actor, 3))
        if not close:
            return None
        best = min(close.values())
        actors = [a for a, d in close.items() if d == best]
        return actors[0] if len(actors) == 1 else None


def _deletions(word: str) -> set[str]:
    """The word and every form of it with one letter dropped: two words within one edit (a swap too) share one."""
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


def common_words(model: str) -> frozenset[str]:
    """English words (the model's lemmatizer index: nouns, verbs, adjectives, adverbs), to tell "Commerce" or
    "Welcoming" from "Naveed" or "Tileuberdi". Empty when the model has no such table."""
    import spacy.util
    from spacy.lookups import Lookups

    try:
        package = spacy.util.get_package_path(model)
    except (OSError, ModuleNotFoundError, ImportError):
        return frozenset()
    for folder in [package / "lemmatizer" / "lookups", *package.glob("*/lemmatizer/lookups")]:
        if (folder / "lookups.bin").is_file():
            table = Lookups().from_disk(folder).get_table("lemma_index")
            return frozenset(word for key in table.keys() for word in table[key])
    return frozenset()


def is_common(word: str, common: frozenset[str]) -> bool:
    w = word.lower()
    return w in common or (w.endswith("s") and w[:-1] in common) or (w.endswith("es") and w[:-2] in common)
