"""Growing the actor registry from what the news names: the most frequent names outside it, as TOML blocks
ready to review and paste into config/actors.toml (`newsmon actors suggest`).

The kind is guessed from the NER label and the name (PERSON -> person; an ORG is a government body when its
name says ministry, department or the like, intergovernmental for the UN's bodies, else an organisation); the aliases
are the spellings seen, the short form a person's last name; two sentences (the earliest and the latest
mention) show what the name was about. Nothing is written: a person decides what goes in the registry.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipeline import store
from pipeline.report import query_file
from pipeline.store import StoreError

GOVERNMENT = re.compile(r"\b(ministry|ministries|department|cabinet|council of ministers|embassy|consulate|"
                        r"parliament|senate|police|army|armed forces|directorate|authority|commission)\b", re.I)
INTERGOVERNMENTAL = re.compile(r"^(the )?(UN|U\.N\.|United Nations)\b|\b(UN|U\.N\.) [A-Z]", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’]?\s+|\n+")


@dataclass(frozen=True)
class Seen:
    source: str
    day: date
    sentence: str


@dataclass(frozen=True)
class Suggestion:
    name: str
    label: str
    stories: int
    articles: int
    mentions: int
    first_day: date
    last_day: date
    spellings: tuple[str, ...]
    seen: tuple[Seen, ...]

    @property
    def kind(self) -> str:
        """A guess for the registry's kind, from the NER label and the name."""
        if self.label == "PERSON":
            return "person"
        if INTERGOVERNMENTAL.search(self.name):
            return "intergovernmental"
        return "government" if GOVERNMENT.search(self.name) else "organisation"


def sentence_around(text: str, start: int, end: int, limit: int = 300) -> str:
    """The sentence of `text` holding [start, end), on one line, cut to about `limit` characters."""
    begin = 0
    for match in _SENTENCE_END.finditer(text, 0, start):
        begin = match.end()
    stop = _SENTENCE_END.search(text, end)
    sentence = " ".join(text[begin : stop.start() + 1 if stop else len(text)].split())
    if len(sentence) > limit:
        at = start - begin
        lo = max(0, at - limit // 2)
        sentence = ("..." if lo else "") + sentence[lo : lo + limit] + "..."
    return sentence


def suggest(db: Path, since: date | None = None, min_articles: int = 3, limit: int = 20) -> list[Suggestion]:
    """The names outside the registry named in at least `min_articles` relevant stories since `since`."""
    if min_articles < 1 or limit < 1:
        raise StoreError("--min-articles and --limit must be at least 1")
    with store.reader(db) as con:
        rows = con.execute(
            query_file("actor_suggestions"), {"since": since, "min_articles": min_articles, "limit": limit}
        ).fetchall()
        columns = [d[0] for d in con.description]
        suggestions = []
        for row in rows:
            r = dict(zip(columns, row))
            seen = []
            for place in (r["first_seen"], r["last_seen"]):
                [text] = con.execute("SELECT text FROM articles WHERE article_id = ?", [place["article_id"]]).fetchone()
                seen.append(Seen(place["source"], place["day"], sentence_around(text, place["start_char"], place["end_char"])))
            if seen[0] == seen[1]:
                seen = seen[:1]
            suggestions.append(
                Suggestion(
                    name=r["name"], label=r["label"], stories=r["stories"], articles=r["articles"],
                    mentions=r["mentions"], first_day=r["first_day"], last_day=r["last_day"],
                    spellings=tuple(r["spellings"]), seen=tuple(seen),
                )
            )
    return suggestions


def _toml_list(values) -> str:
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "]"


def as_toml(s: Suggestion) -> str:
    """One commented [[actor]] block for config/actors.toml."""
    aliases = list(dict.fromkeys([s.name, *(x for x in s.spellings if len(x.split()) > 1 or s.kind != "person")]))
    lines = [
        f"# {s.name}: {s.stories} stories ({s.articles} articles, {s.mentions} mentions) from {s.first_day} to "
        f"{s.last_day}; NER label {s.label}. Check the kind, the aliases and a role before adding it.",
        *(f"#   {seen.source}, {seen.day}: {seen.sentence}" for seen in s.seen),
        "[[actor]]",
        f"name = {json.dumps(s.name, ensure_ascii=False)}",
        f'kind = "{s.kind}"',
        f"aliases = {_toml_list(aliases)}",
    ]
    if s.kind == "person" and len(s.name.split()) > 1:
        lines.append(f"short = {_toml_list([s.name.split()[-1]])}")
        lines.append('# roles = []        # e.g. "deputy foreign minister", once it is this person\'s distinctive role')
        lines.append('# affiliation = ""  # e.g. "Taliban"')
    return "\n".join(lines)
