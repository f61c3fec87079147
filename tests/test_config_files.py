"""The configuration files are valid: config/actors.toml and config/topics.toml, and pyproject.toml's package
data, which must name every SQL file of the pipeline."""

import tomllib
from collections import Counter
from pathlib import Path

import pytest

CONFIG = Path(__file__).resolve().parent.parent / "config"

KINDS = {"person", "government", "organisation", "state", "armed_group", "intergovernmental"}
ACTOR_FIELDS = {"name", "kind", "aliases", "short", "roles", "affiliation"}
SEED_ACTORS = {
    "Taliban", "European Union", "United States", "United Nations", "Antonio Guterres",
    "Nabila Massrali", "Amir Khan Muttaqi", "Josep Borrell", "Islamic State Khorasan Province",
    "Afghanistan", "Qatar",
}
TOPICS = {
    "talks", "recognition", "humanitarian_aid", "economy", "womens_rights", "security",
    "free_passage", "human_rights", "narcotics", "natural_disaster",
}


@pytest.fixture(scope="module")
def actors():
    with open(CONFIG / "actors.toml", "rb") as f:
        return tomllib.load(f)["actor"]


@pytest.fixture(scope="module")
def topics():
    with open(CONFIG / "topics.toml", "rb") as f:
        return tomllib.load(f)


def test_actor_registry_is_large_and_well_formed(actors):
    assert len(actors) >= 130
    for actor in actors:
        assert set(actor) <= ACTOR_FIELDS, actor.get("name")
        assert isinstance(actor["name"], str) and actor["name"], actor
        assert actor["kind"] in KINDS, actor["name"]
        assert actor["aliases"] and all(isinstance(a, str) and a for a in actor["aliases"]), actor["name"]
        assert all(s for s in actor.get("short", [])), actor["name"]
        if actor.get("short"):
            assert actor["kind"] == "person", f"{actor['name']}: short forms are for persons only"
        assert all(r == r.lower() for r in actor.get("roles", [])), actor["name"]
    names = Counter(actor["name"] for actor in actors)
    assert [n for n, c in names.items() if c > 1] == []


def test_no_alias_belongs_to_two_actors(actors):
    owner = {}
    clashes = []
    for actor in actors:
        for alias in {a.lower() for a in actor["aliases"]}:
            if alias in owner:
                clashes.append((alias, owner[alias], actor["name"]))
            owner[alias] = actor["name"]
    assert clashes == []


def test_no_short_form_is_another_actors_alias(actors):
    owner = {a.lower(): actor["name"] for actor in actors for a in actor["aliases"]}
    clashes = [
        (short, actor["name"], owner[short.lower()])
        for actor in actors
        for short in actor.get("short", [])
        if short.lower() in owner and owner[short.lower()] != actor["name"]
    ]
    assert clashes == []


def test_each_role_refers_to_one_actor(actors):
    roles = Counter(role for actor in actors for role in set(actor.get("roles", [])))
    assert [r for r, c in roles.items() if c > 1] == []


def test_seed_article_actors_exist(actors):
    assert SEED_ACTORS <= {actor["name"] for actor in actors}


def test_topics(topics):
    assert topics["min_evidence"] > 0 and topics["phrase_weight"] >= topics["min_evidence"]  # one phrase is enough
    entries = topics["topic"]
    assert len(entries) >= 10
    names = [t["name"] for t in entries]
    assert len(names) == len(set(names))
    assert TOPICS <= set(names)
    for t in entries:
        assert t["name"] == t["name"].lower() and " " not in t["name"]
        assert t.get("label"), t["name"]
        assert t.get("phrases") or t.get("lemmas"), t["name"]
        for word in t.get("phrases", []) + t.get("lemmas", []):
            assert word and word == word.lower(), (t["name"], word)



def test_every_sql_file_of_the_pipeline_is_in_the_package_data():
    """A non-editable install ships only the files that pyproject.toml's package-data names: a folder of
    SQL left out (pipeline/sql/rollups once was) installs a newsmon that cannot keep its tables."""
    from fnmatch import fnmatch

    root = CONFIG.parent
    with open(root / "pyproject.toml", "rb") as f:
        patterns = tomllib.load(f)["tool"]["setuptools"]["package-data"]["pipeline"]
    files = [p.relative_to(root / "pipeline").as_posix() for p in (root / "pipeline").rglob("*.sql")]
    assert files
    assert [f for f in files if not any(fnmatch(f, pattern) for pattern in patterns)] == []
