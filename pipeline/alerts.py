"""Watchlists and alerts: the rules and channels of an alerts file (`config/alerts.toml`), evaluated at the end
of every ingest and backfill run over what the run touched, each alert stored once however often runs repeat.

An alert's id is made from its rule and what it fired for (a window of an actor's coverage, a name, a meeting
between a pair on a day, a pair, a story), so a rule fires once for each; `alert_deliveries` holds one row per
alert and channel, pending until the channel takes it (`pipeline.notify`). The rule kinds, their keys and the
channels are described in docs/alerts.md; the SQL of each kind is in pipeline/sql/alerts/.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import shlex
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb

from pipeline.settings import PROJECT_ROOT, ConfigError, read_toml, unique_name
from pipeline.store import SQL_ROOT, transaction, utcnow

DEFAULT_ALERTS = PROJECT_ROOT / "config" / "alerts.toml"
KINDS = ("spike", "new_name", "meeting", "comention", "search")
HELD_KINDS = ("met", "talks", "call", "visit")  # pipeline/meetings.py's kinds of a meeting held
MEETING_KINDS = (*HELD_KINDS, "planned", "refused")
CHANNEL_KINDS = ("webhook", "email")
PERIODS = {"day": 1, "week": 7}


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str
    channels: tuple[str, ...] = ()  # the channels it is sent to; empty: every channel
    actor: str = ""  # spike: the actor, or
    topic: str = ""  # the topic
    period: str = "day"  # spike: "day" or "week"
    factor: float = 3.0  # spike: at least this many times the baseline
    baseline_days: int = 28  # spike: the days before the window whose mean is the baseline
    min_baseline: float = 1.0  # spike: a quieter baseline counts as this (a first mention is not infinitely many)
    min_stories: int = 3  # spike, new_name: at least this many stories in the window
    labels: tuple[str, ...] = ("PERSON", "ORG")  # new_name: the model's labels watched
    max_age_days: int = 28  # new_name: first seen at most this many days before its week
    actors: tuple[str, ...] = ()  # meeting, comention: the watched actors (two or more)
    kinds: tuple[str, ...] = HELD_KINDS  # meeting: the meeting kinds watched
    query: str = ""  # search: words and "quoted phrases", all of them in the title or text
    relevant_only: bool = True  # search: only articles about the subject


@dataclass(frozen=True)
class Channel:
    name: str
    kind: str  # webhook or email
    url: str = ""  # webhook: JSON is POSTed here (fetched under the same address policy as pages)
    host: str = ""  # email: the SMTP server
    port: int = 25
    sender: str = ""  # email: From
    to: tuple[str, ...] = ()
    starttls: bool = False
    username: str = ""  # email: log in as this user, with the password in the environment variable
    password_env: str = ""
    timeout: float = 20.0  # seconds for a delivery


@dataclass(frozen=True)
class AlertConfig:
    rules: tuple[Rule, ...] = ()
    channels: tuple[Channel, ...] = ()
    deliver_within_days: int = 30  # an alert whose window ended longer ago is stored but not sent (0: always)
    max_attempts: int = 20  # a delivery that failed this often is given up ("failed")
    path: Path | None = None


# the alerts file -------------------------------------------------------------------------------------------
_RULE_KEYS = {
    "spike": {"actor", "topic", "period", "factor", "baseline_days", "min_baseline", "min_stories"},
    "new_name": {"labels", "min_stories", "max_age_days"},
    "meeting": {"actors", "kinds"},
    "comention": {"actors"},
    "search": {"query", "relevant_only"},
}
_CHANNEL_KEYS = {
    "webhook": {"url", "timeout"},
    "email": {"host", "port", "sender", "to", "starttls", "username", "password_env", "timeout"},
}
_DEFAULTS = {**{f: getattr(Rule("", ""), f) for f in Rule.__dataclass_fields__},
             **{f: getattr(Channel("", ""), f) for f in Channel.__dataclass_fields__}}


def _value(key: str, value, where: str):
    """`value` checked against the type of the key's default."""
    default = _DEFAULTS[key]
    if isinstance(default, tuple):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            raise ConfigError(f"{where}: {key} must be a list of names, not {value!r}")
        return tuple(v.strip() for v in value)
    if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, type(default)) or (isinstance(value, bool) and not isinstance(default, bool)):
        raise ConfigError(f"{where}: {key} must be {type(default).__name__}, not {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{where}: {key} must be a finite number, not {value!r}")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        raise ConfigError(f"{where}: {key} must not be negative")
    return value.strip() if isinstance(value, str) else value


def _entries(data: dict, table: str) -> list[dict]:
    entries = data.get(table, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ConfigError(f"{table} must be a list of [[{table}]] tables")
    return entries


def _named(entry: dict, what: str, i: int, kinds: tuple[str, ...], seen: set[str]) -> tuple[str, str, str]:
    name = unique_name(entry, what, i, seen)
    kind = entry.get("kind")
    if kind not in kinds:
        raise ConfigError(f"{what} {name!r}: kind must be one of {', '.join(kinds)}, not {kind!r}")
    return name, kind, f"{what} {name!r}"


def _rule(entry: dict, i: int, seen: set[str], channels: set[str], actors: set[str], topics: set[str]) -> Rule:
    name, kind, where = _named(entry, "rule", i, KINDS, seen)
    allowed = _RULE_KEYS[kind] | {"name", "kind", "channels"}
    for key in sorted(set(entry) - allowed):
        raise ConfigError(f"{where}: unknown key {key!r} for a {kind} rule")
    values = {k: _value(k, v, where) for k, v in entry.items() if k not in ("name", "kind")}
    for channel in values.get("channels", ()):
        if channel not in channels:
            raise ConfigError(f"{where}: no channel named {channel!r} in the alerts file")
    rule = Rule(name=name, kind=kind, **values)
    if kind == "spike":
        if bool(rule.actor) == bool(rule.topic):
            raise ConfigError(f"{where}: a spike rule names either an actor or a topic")
        if rule.actor and rule.actor not in actors:
            raise ConfigError(f"{where}: actor {rule.actor!r} is not in config/actors.toml")
        if rule.topic and rule.topic not in topics:
            raise ConfigError(f"{where}: topic {rule.topic!r} is not in config/topics.toml")
        if rule.period not in PERIODS:
            raise ConfigError(f"{where}: period must be day or week, not {rule.period!r}")
        if rule.factor <= 0 or rule.min_stories < 1 or rule.baseline_days < PERIODS[rule.period]:
            raise ConfigError(f"{where}: factor and min_stories must be more than 0, baseline_days at least a "
                              f"{rule.period}")
    if kind == "new_name" and rule.min_stories < 1:
        raise ConfigError(f"{where}: min_stories must be more than 0")
    if kind in ("meeting", "comention"):
        if len(set(rule.actors)) < 2:
            raise ConfigError(f"{where}: actors must list two or more actors to watch")
        unknown = [a for a in rule.actors if a not in actors]
        if unknown:
            raise ConfigError(f"{where}: actor {unknown[0]!r} is not in config/actors.toml")
        bad = [k for k in rule.kinds if k not in MEETING_KINDS]
        if bad:
            raise ConfigError(f"{where}: meeting kind {bad[0]!r} is not one of {', '.join(MEETING_KINDS)}")
    if kind == "search" and not search_patterns(rule.query, where):
        raise ConfigError(f"{where}: query must hold a word to search for")
    return rule


def _channel(entry: dict, i: int, seen: set[str]) -> Channel:
    name, kind, where = _named(entry, "channel", i, CHANNEL_KINDS, seen)
    for key in sorted(set(entry) - _CHANNEL_KEYS[kind] - {"name", "kind"}):
        raise ConfigError(f"{where}: unknown key {key!r} for a {kind} channel")
    values = {k: _value(k, v, where) for k, v in entry.items() if k not in ("name", "kind")}
    channel = Channel(name=name, kind=kind, **values)
    if kind == "webhook" and not re.match(r"(?i)https?://[^/\s]+", channel.url):
        raise ConfigError(f"{where}: url must be an http(s) URL, not {channel.url!r}")
    if kind == "email":
        if not channel.host or not channel.sender or not channel.to:
            raise ConfigError(f"{where}: an email channel needs host, sender and to")
        if not 0 < channel.port < 65536:
            raise ConfigError(f"{where}: port must be between 1 and 65535, not {channel.port}")
        if bool(channel.username) != bool(channel.password_env):
            raise ConfigError(f"{where}: username and password_env go together")
    if channel.timeout <= 0:
        raise ConfigError(f"{where}: timeout must be more than 0")
    return channel


def load_alerts(path: Path | None = None, actors: set[str] | None = None, topics: set[str] | None = None
                ) -> AlertConfig:
    """The alerts file at `path` ($NEWSMON_ALERTS, else config/alerts.toml; none there: no rules), checked
    against the actor and topic registries (read from config/ when not given). A problem is a ConfigError of
    one line."""
    if path is None:
        env = os.environ.get("NEWSMON_ALERTS")
        path = Path(env) if env else DEFAULT_ALERTS
        if not env and not path.exists():
            return AlertConfig()
    data = read_toml(Path(path), "alerts file")
    for key in sorted(set(data) - {"rule", "channel", "delivery"}):
        raise ConfigError(f"alerts file {path}: unknown section {key!r} (rule, channel and delivery are known)")
    if actors is None or topics is None:
        from pipeline.domain import load_domain

        domain = load_domain()
        actors = {a.name for a in domain.actors} if actors is None else actors
        topics = {t.name for t in domain.topics} if topics is None else topics
    try:
        delivery = data.get("delivery", {})
        if not isinstance(delivery, dict):
            raise ConfigError("[delivery] must be a table")
        for key in sorted(set(delivery) - {"deliver_within_days", "max_attempts"}):
            raise ConfigError(f"[delivery]: unknown key {key!r}")
        for key, value in delivery.items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ConfigError(f"[delivery]: {key} must be a whole number of 0 or more, not {value!r}")
        seen: set[str] = set()
        channels = tuple(_channel(e, i, seen) for i, e in enumerate(_entries(data, "channel"), 1))
        names = {c.name for c in channels}
        seen = set()
        rules = tuple(_rule(e, i, seen, names, actors, topics) for i, e in enumerate(_entries(data, "rule"), 1))
    except ConfigError as exc:
        raise ConfigError(f"alerts file {path}: {exc}") from None
    return AlertConfig(rules=rules, channels=channels, path=Path(path), **delivery)


def search_patterns(query: str, where: str = "query") -> list[str]:
    """The regular expressions (RE2) of a search rule: one per word or "quoted phrase", case-insensitive,
    whole words, any white space between a phrase's words."""
    try:
        terms = shlex.split(query)
    except ValueError as exc:
        raise ConfigError(f"{where}: query {query!r} cannot be read: {exc}") from None
    patterns = []
    for term in terms:
        words = [re.escape(w) for w in term.split()]
        if words:
            patterns.append(r"(?i)(^|\W)" + r"\s+".join(words) + r"($|\W)")
    return patterns


# evaluation --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Alert:
    alert_id: str
    rule: str
    kind: str
    subject: str
    window_start: date
    window_end: date
    detail: str
    article_ids: tuple[str, ...]


@dataclass(frozen=True)
class Evaluation:
    """What the end of a run found: the alerts stored by it (new) and how many the rules found again."""

    new: tuple[Alert, ...] = ()
    seen_before: int = 0
    rules: int = 0
    errors: tuple[str, ...] = ()


def _n(count: int, noun: str, plural: str = "") -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def alert_id(rule: str, key: str) -> str:
    return hashlib.sha256(f"{rule}\x1f{key}".encode()).hexdigest()[:20]


def _sql(kind: str) -> str:
    return (SQL_ROOT / "alerts" / f"{kind}.sql").read_text(encoding="utf-8")


def _rows(con: duckdb.DuckDBPyConnection, kind: str, params: dict) -> list[dict]:
    cursor = con.execute(_sql(kind), params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _spike(con, rule: Rule) -> list[Alert]:
    days = PERIODS[rule.period]
    what, subject = ("actor", rule.actor) if rule.actor else ("topic", rule.topic)
    params = {"kind": what, "subject": subject, "days": days, "windows": rule.baseline_days // days,
              "factor": rule.factor, "min_stories": rule.min_stories, "min_baseline": rule.min_baseline}
    found = []
    for r in _rows(con, "spike", params):
        when = str(r["window_start"]) if days == 1 else f"the week of {r['window_start']}"
        ratio = r["stories"] / max(r["baseline"], rule.min_baseline)
        detail = (f"{subject}: {_n(r['stories'], 'story', 'stories')} "
                  f"({_n(r['articles'], 'article')}) on {when}, "
                  f"{ratio:.1f}x the baseline of {r['baseline']:.1f} a {rule.period} over the "
                  f"{rule.baseline_days} days before")
        key = f"{what}:{subject}:{r['window_start']}:{days}"
        found.append(Alert(alert_id(rule.name, key), rule.name, rule.kind, subject, r["window_start"],
                           r["window_end"], detail, tuple(r["article_ids"])))
    return found


def _new_name(con, rule: Rule) -> list[Alert]:
    params = {"labels": list(rule.labels), "min_stories": rule.min_stories, "max_age": rule.max_age_days}
    found = []
    for r in _rows(con, "new_name", params):
        detail = (f"New name {r['name']} ({r['label']}): {r['stories']} stories ({_n(r['articles'], 'article')}) in the "
                  f"week of {r['window_start']}, first seen {r['first_seen']}; not in config/actors.toml")
        # once per name: a name is new once
        found.append(Alert(alert_id(rule.name, f"name:{r['name']}"), rule.name, rule.kind, r["name"],
                           r["window_start"], r["window_end"], detail, tuple(r["article_ids"])))
    return found


def _meeting(con, rule: Rule, stored: list[tuple[str, date, date]]) -> list[Alert]:
    params = {"watched": list(rule.actors), "kinds": list(rule.kinds)}
    found: list[Alert] = []
    for r in _rows(con, "meeting", params):
        subject = " + ".join(r["watched"])
        # the same meeting reported again (a later article, an adjacent day) is the alert already stored
        near = [(s, e) for subj, s, e in stored if subj == subject]
        near += [(a.window_start, a.window_end) for a in found if a.subject == subject]
        if any(s - timedelta(days=1) <= r["last_day"] and r["day"] <= e + timedelta(days=1) for s, e in near):
            continue
        where = f" in {r['place']}" if r["place"] else ""
        detail = (f"{' and '.join(r['participants'])}: {r['kind']}{where} on {r['day']} ({_n(r['articles'], 'article')}, "
                  f"{_n(r['outlets'], 'outlet')}): {r['sentence']}")
        key = f"meeting:{subject}:{r['day']}"
        found.append(Alert(alert_id(rule.name, key), rule.name, rule.kind, subject, r["day"], r["last_day"],
                           detail, tuple(r["article_ids"])))
    return found


def _comention(con, rule: Rule) -> list[Alert]:
    found = []
    for r in _rows(con, "comention", {"watched": list(rule.actors)}):
        subject = f"{r['first']} + {r['second']}"
        detail = (f"{r['first']} and {r['second']} named together for the first time ({_n(r['articles'], 'article')}, "
                  f"{r['window_start']} to {r['window_end']})")
        found.append(Alert(alert_id(rule.name, f"pair:{subject}"), rule.name, rule.kind, subject, r["window_start"],
                           r["window_end"], detail, tuple(r["article_ids"])))
    return found


def _search(con, rule: Rule) -> list[Alert]:
    params = {"patterns": search_patterns(rule.query), "relevant_only": rule.relevant_only}
    found = []
    for r in _rows(con, "search", params):
        detail = f"{rule.query!r} found in {r['title']!r} ({r['sources']}, {r['window_start']})"
        found.append(Alert(alert_id(rule.name, f"story:{r['story_id']}"), rule.name, rule.kind, r["title"],
                           r["window_start"], r["window_end"], detail, tuple(r["article_ids"])))
    return found


def _scope(con: duckdb.DuckDBPyConnection, run_id: str, window: tuple[date, date] | None) -> int:
    """Fill the temporary tables the rules read: alert_scope (the articles the run stored, and with a window,
    the window's articles: a reprocess re-annotates them) and alert_days (their days)."""
    con.execute("CREATE OR REPLACE TEMP TABLE alert_scope (article_id VARCHAR PRIMARY KEY)")
    con.execute("INSERT INTO alert_scope SELECT article_id FROM articles WHERE run_id = ?", [run_id])
    if window is not None:
        con.execute("""INSERT OR IGNORE INTO alert_scope SELECT article_id FROM article_list
                       WHERE day BETWEEN ? AND ?""", list(window))
    con.execute("""CREATE OR REPLACE TEMP TABLE alert_days AS
                   SELECT DISTINCT day FROM article_list WHERE article_id IN (SELECT article_id FROM alert_scope)""")
    return con.execute("SELECT COUNT(*) FROM alert_scope").fetchone()[0]


def evaluate(con: duckdb.DuckDBPyConnection, config: AlertConfig, run_id: str,
             window: tuple[date, date] | None = None, today: date | None = None) -> Evaluation:
    """Evaluate every rule over what run `run_id` touched; store each alert not stored yet, with a delivery per
    channel, in one transaction. A rule whose query fails is reported in `errors`, the others go on."""
    if not config.rules or not _scope(con, run_id, window):
        return Evaluation(rules=len(config.rules))
    today = today or utcnow().date()
    errors: list[str] = []
    candidates: list[Alert] = []
    for rule in config.rules:
        try:
            if rule.kind == "spike":
                candidates += _spike(con, rule)
            elif rule.kind == "new_name":
                candidates += _new_name(con, rule)
            elif rule.kind == "meeting":
                stored = con.execute("SELECT subject, window_start, window_end FROM alerts WHERE rule = ?",
                                     [rule.name]).fetchall()
                candidates += _meeting(con, rule, stored)
            elif rule.kind == "comention":
                candidates += _comention(con, rule)
            else:
                candidates += _search(con, rule)
        except duckdb.Error as exc:
            errors.append(f"rule {rule.name!r}: {str(exc).splitlines()[0]}")
    ids = [a.alert_id for a in candidates]
    known = {r[0] for r in con.execute("SELECT alert_id FROM alerts WHERE list_contains(?, alert_id)", [ids]).fetchall()}
    new = [a for a in dict((a.alert_id, a) for a in candidates).values() if a.alert_id not in known]
    horizon = today - timedelta(days=config.deliver_within_days) if config.deliver_within_days else None
    fired_at = utcnow()
    rules = {r.name: r for r in config.rules}
    with transaction(con):
        for a in new:
            con.execute("INSERT INTO alerts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [a.alert_id, a.rule, a.kind, a.subject, fired_at, a.window_start, a.window_end, a.detail,
                         list(a.article_ids), run_id])
            status = "too_old" if horizon is not None and a.window_end < horizon else "pending"
            for channel in rules[a.rule].channels or tuple(c.name for c in config.channels):
                con.execute("INSERT INTO alert_deliveries VALUES (?, ?, ?, 0, NULL, NULL, NULL)",
                            [a.alert_id, channel, status])
    return Evaluation(new=tuple(new), seen_before=len(set(ids) & known), rules=len(config.rules),
                      errors=tuple(errors))
