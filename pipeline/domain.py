"""The monitored subject as configuration: actors with aliases, topics, places and relevance weights.

Swapping `config/actors.toml`, `config/topics.toml` and `config/subject.toml` monitors another subject;
no code names an actor or a topic.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.settings import PROJECT_ROOT, ConfigError

CONFIG_DIR = PROJECT_ROOT / "config"
KINDS = ("person", "government", "organisation", "state", "armed_group", "intergovernmental")


@dataclass(frozen=True)
class Actor:
    name: str
    kind: str
    aliases: tuple[str, ...]
    short: tuple[str, ...] = ()  # surnames that refer to the actor once the full name was used
    roles: tuple[str, ...] = ()  # role nouns ("foreign minister") that refer to the actor once named
    affiliation: str = ""


@dataclass(frozen=True)
class Topic:
    name: str
    label: str
    phrases: tuple[str, ...]
    lemmas: tuple[str, ...]


@dataclass(frozen=True)
class Subject:
    name: str
    places: tuple[str, ...]
    anchor_actors: frozenset[str]
    anchor_affiliations: frozenset[str]
    weights: dict


@dataclass(frozen=True)
class Language:
    """How the news writes names, roles and credits (config/language.toml): not about the subject."""

    titles: frozenset[str] = frozenset()
    honorifics: frozenset[str] = frozenset()
    not_persons: frozenset[str] = frozenset()
    credits: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    demonyms: dict = field(default_factory=dict)
    institutions: dict = field(default_factory=dict)
    locatives: frozenset[str] = frozenset()
    place_nouns: frozenset[str] = frozenset()
    place_before: tuple[str, ...] = ()  # "people of": the name after it is a place


@dataclass(frozen=True)
class Domain:
    actors: tuple[Actor, ...]
    topics: tuple[Topic, ...]
    min_topic_evidence: float
    subject: Subject
    topic_weights: dict = field(default_factory=dict)
    language: Language = field(default_factory=Language)
    meetings: object = None  # pipeline.meetings.Predicates, from config/meetings.toml

    def is_anchor(self, actor: Actor) -> bool:
        return actor.name in self.subject.anchor_actors or actor.affiliation in self.subject.anchor_affiliations


def _load(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"domain file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None


def _strings(value, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def load_actors(path: Path) -> tuple[Actor, ...]:
    actors, owner = [], {}
    for i, entry in enumerate(_load(path).get("actor", []), 1):
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{path.name}: actor #{i} has no name")
        kind = entry.get("kind")
        if kind not in KINDS:
            raise ConfigError(f"{path.name}: actor {name!r} has kind {kind!r}, not one of {', '.join(KINDS)}")
        aliases = _strings(entry.get("aliases"), f"{path.name}: aliases of {name!r}")
        if name not in aliases:
            aliases = (name, *aliases)
        for alias in aliases:
            previous = owner.setdefault(alias.lower(), name)
            if previous != name:
                raise ConfigError(f"{path.name}: alias {alias!r} belongs to both {previous!r} and {name!r}")
        actors.append(
            Actor(
                name=name,
                kind=kind,
                aliases=aliases,
                short=_strings(entry.get("short"), f"{path.name}: short of {name!r}"),
                roles=tuple(r.lower() for r in _strings(entry.get("roles"), f"{path.name}: roles of {name!r}")),
                affiliation=str(entry.get("affiliation", "")),
            )
        )
    if not actors:
        raise ConfigError(f"{path.name} lists no [[actor]]")
    return tuple(actors)


def load_topic_weights(path: Path) -> dict:
    data = _load(path)
    return {k: float(data[k]) for k in ("phrase_weight", "words_per_unit", "word_repeat", "word_cap", "lead_bonus") if k in data}


def load_topics(path: Path) -> tuple[tuple[Topic, ...], float]:
    data = _load(path)
    topics = []
    for i, entry in enumerate(data.get("topic", []), 1):
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{path.name}: topic #{i} has no name")
        phrases = _strings(entry.get("phrases"), f"{path.name}: phrases of {name!r}")
        lemmas = _strings(entry.get("lemmas"), f"{path.name}: lemmas of {name!r}")
        if not phrases and not lemmas:
            raise ConfigError(f"{path.name}: topic {name!r} has neither phrases nor lemmas")
        topics.append(Topic(name=name, label=str(entry.get("label", name)), phrases=phrases, lemmas=lemmas))
    return tuple(topics), float(data.get("min_evidence", 3.0))


def load_subject(path: Path) -> Subject:
    data = _load(path)
    return Subject(
        name=str(data.get("name", "")),
        places=_strings(data.get("places"), f"{path.name}: places"),
        anchor_actors=frozenset(_strings(data.get("anchor_actors"), f"{path.name}: anchor_actors")),
        anchor_affiliations=frozenset(_strings(data.get("anchor_affiliations"), f"{path.name}: anchor_affiliations")),
        weights=dict(data.get("weights", {})),
    )


def load_language(path: Path) -> Language:
    data = _load(path)
    demonyms = data.get("demonyms", {})
    if not isinstance(demonyms, dict) or not all(isinstance(v, str) for v in demonyms.values()):
        raise ConfigError(f"{path.name}: [demonyms] must map words to actor names")
    return Language(
        titles=frozenset(t.lower() for t in _strings(data.get("titles"), f"{path.name}: titles")),
        honorifics=frozenset(t.lower() for t in _strings(data.get("honorifics"), f"{path.name}: honorifics")),
        not_persons=frozenset(t.lower() for t in _strings(data.get("not_persons"), f"{path.name}: not_persons")),
        credits=tuple(t.lower() for t in _strings(data.get("credits"), f"{path.name}: credits")),
        roles=tuple(t.lower() for t in _strings(data.get("roles"), f"{path.name}: roles")),
        demonyms={k.lower(): v for k, v in demonyms.items()},
        institutions={k.lower(): v for k, v in data.get("institutions", {}).items()},
        locatives=frozenset(t.lower() for t in _strings(data.get("locatives"), f"{path.name}: locatives")),
        place_nouns=frozenset(t.lower() for t in _strings(data.get("place_nouns"), f"{path.name}: place_nouns")),
        place_before=tuple(t.lower() for t in _strings(data.get("place_before"), f"{path.name}: place_before")),
    )


def load_domain(config_dir: Path = CONFIG_DIR) -> Domain:
    topics, min_score = load_topics(config_dir / "topics.toml")
    language = config_dir / "language.toml"
    return Domain(
        actors=load_actors(config_dir / "actors.toml"),
        topics=topics,
        min_topic_evidence=min_score,
        subject=load_subject(config_dir / "subject.toml"),
        topic_weights=load_topic_weights(config_dir / "topics.toml"),
        language=load_language(language if language.is_file() else CONFIG_DIR / "language.toml"),
        meetings=_meeting_predicates(config_dir),
    )


def _meeting_predicates(config_dir: Path):
    from pipeline.meetings import load_predicates

    path = config_dir / "meetings.toml"
    return load_predicates(path if path.is_file() else CONFIG_DIR / "meetings.toml")


def registry_rows(actors: Sequence[Actor]) -> list[tuple[str, str, tuple[str, ...]]]:
    """The `actors` table's rows."""
    return [(a.name, a.kind, a.aliases) for a in actors]
