"""Dashboard query latency on a large generated database: every view of pipeline/sql/views/, queried the way
the dashboard (dashboards/app.py, data.py, pages.py) and the trend summary (pipeline/sql/queries/) query it.

The database (1,000,000 articles and ~20,000,000 mentions by default) is generated inside DuckDB by
bench/views_data.py on the real schema, then kept at --db and reused while its size and seed match (a
sidecar JSON records them with the generation time); `store.prepare` runs on it first, as every run does.
Each query runs on one warm read-only connection: 2 untimed runs, then --reps timed runs fetching the
result as a DataFrame as the dashboard does; median and p95 per query, and per view the slowest query that
reads it. Two filter settings: "default" (the whole date range, every source: the dashboard's default until it
opened on the last year) and a narrow one (the last 90 days, 5 sources). The Actors page (actor_source_daily, actor_articles) and the actor
profile (name_articles and the views it joins) are timed over five: the whole range and the last 30 days,
each with every source and with 5, and the last year (the range the dashboard opens on); the profile for the
busiest registry actor (as Taliban is in real data), the quietest one, and the busiest name outside the
registry.

    .venv/bin/python bench/views.py [--db /tmp/newsmon-bench/views.duckdb] [--articles 1000000]
        [--reps 20] [--only NAME|NAME...] [--write-batches 5] [--json bench/results/views.json] [--markdown OUT.md]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import duckdb
import views_data

from dashboards.data import Filters
from dashboards.pages import (
    EVENT_WHERE, NAMED_ARTICLES, PERIODS, PROFILE_NAMES, QUOTE_LIMIT, QUOTED_ARTICLES, SEARCH_LIMIT,
)
from pipeline import rollups, store

DEFAULT_DB = Path("/tmp/newsmon-bench/views.duckdb")
TARGET_P95_MS = 200.0
DEFAULT_DAYS = 365  # the range the dashboard opens on: the last year with articles (dashboards/app.py)
WHERE = Filters.where  # "day BETWEEN ? AND ? AND <source in the chosen list>"
WEEK = PERIODS["weekly"]
# the ranking of the Overview (10) and Actors (1000) pages, stories counted for the ranked actors only
# (dashboards.pages._top_actors); parameters: the filters, the limit, the filters again
TOP_ACTORS = f"""WITH ranked AS (
                SELECT actor, CAST(SUM(articles) AS BIGINT) AS articles, CAST(SUM(mentions) AS BIGINT) AS mentions
                FROM actor_source_daily WHERE {WHERE}
                GROUP BY actor ORDER BY articles DESC, mentions DESC, actor LIMIT ?
            ),
            counted AS (
                SELECT actor, COUNT(DISTINCT story_id) AS stories FROM actor_articles
                WHERE {WHERE} AND actor IN (SELECT actor FROM ranked) GROUP BY actor
            )
            SELECT r.actor, r.articles, r.mentions, c.stories FROM ranked AS r JOIN counted AS c USING (actor)
            ORDER BY r.articles DESC, r.mentions DESC, r.actor"""
# the actor pickers of the Articles page (1000) and the profile (2000): dashboards.pages._actor_names
ACTOR_NAMES = f"""SELECT actor FROM actor_source_daily WHERE {WHERE}
            GROUP BY actor ORDER BY SUM(articles) DESC, SUM(mentions) DESC, actor LIMIT ?"""


# the Articles page without search words (dashboards.pages.articles)
ARTICLES = f"""
            SELECT l.day, l.source, l.title, l.relevance, l.actors, l.topics, l.url, l.duplicate_of, l.article_id,
                   CAST(NULL AS DOUBLE) AS score
            FROM article_list AS l
            WHERE {WHERE}
              AND (NOT ? OR l.relevant)
              AND list_has_all(l.actors, ?)
              AND (len(?) = 0 OR list_has_any(l.topics, ?))
            ORDER BY  l.day DESC, l.article_id
            LIMIT ?"""


def dashboard_queries(start: date, end: date, sources: list[str], top: dict) -> list[tuple[str, tuple, str, list]]:
    """(name, views read, SQL, parameters): the dashboard's queries, copied from dashboards/ with the
    filters bound as Filters.params binds them. `top` holds values the pages take from earlier results."""
    f = [start, end, sources]
    return [
        ("app: date span", ("article_list",), "SELECT MIN(day) AS first, MAX(day) AS last FROM article_list", []),
        ("app: sources", ("article_list",), "SELECT DISTINCT source FROM article_list ORDER BY source", []),
        ("app: has articles", ("article_list",), "SELECT COUNT(*) FROM article_list", []),
        (
            "overview: totals", ("source_daily", "actor_source_daily", "topic_source_daily"),
            f"""SELECT
              (SELECT COALESCE(SUM(articles), 0) FROM source_daily WHERE {WHERE}) AS articles,
              (SELECT COALESCE(SUM(relevant_articles), 0) FROM source_daily WHERE {WHERE}) AS relevant,
              (SELECT COUNT(DISTINCT source) FROM source_daily WHERE {WHERE}) AS sources,
              (SELECT COUNT(DISTINCT actor) FROM actor_source_daily WHERE {WHERE}) AS actors,
              (SELECT COUNT(DISTINCT topic) FROM topic_source_daily WHERE {WHERE}) AS topics""",
            f * 5,
        ),
        ("overview: runs", ("run_status",), "SELECT * FROM run_status ORDER BY last_started_at DESC", []),
        (
            "overview: relevant per week", ("source_daily",),
            f"""SELECT {WEEK} AS week, source, SUM(relevant_articles) AS relevant_articles
            FROM source_daily WHERE {WHERE} GROUP BY ALL ORDER BY week, source""",
            f,
        ),
        ("overview: top 10 actors", ("actor_source_daily", "actor_articles"), TOP_ACTORS, [*f, 10, *f]),
        (
            "overview: top topics", ("topic_source_daily",),
            f"""SELECT topic, SUM(articles) AS articles FROM topic_source_daily WHERE {WHERE}
                GROUP BY topic ORDER BY articles DESC, topic""",
            f,
        ),
        (
            "topics: weekly share", ("source_daily", "topic_source_daily"),
            f"""WITH relevant AS (
                SELECT {WEEK} AS period, SUM(relevant_articles) AS relevant_articles
                FROM source_daily WHERE {WHERE} GROUP BY ALL
            ),
            topical AS (
                SELECT {WEEK} AS period, topic, SUM(articles) AS articles
                FROM topic_source_daily WHERE {WHERE} GROUP BY ALL
            )
            SELECT t.period, t.topic, t.articles, r.relevant_articles,
                   t.articles / NULLIF(r.relevant_articles, 0) AS share
            FROM topical AS t JOIN relevant AS r USING (period)
            ORDER BY t.period, t.topic""",
            f * 2,
        ),
        (
            "pairs: matrix of 12", ("pair_source_daily",),
            f"""WITH counted AS (
                SELECT actor_a, actor_b, CAST(SUM(articles) AS BIGINT) AS articles
                FROM pair_source_daily WHERE {WHERE} GROUP BY actor_a, actor_b
            ),
            involvement AS (
                SELECT actor, SUM(articles) AS weight
                FROM (SELECT actor_a AS actor, articles FROM counted UNION ALL SELECT actor_b, articles FROM counted)
                GROUP BY actor ORDER BY weight DESC, actor LIMIT ?
            )
            SELECT c.* FROM counted AS c
            WHERE c.actor_a IN (SELECT actor FROM involvement) AND c.actor_b IN (SELECT actor FROM involvement)
            ORDER BY c.articles DESC, c.actor_a, c.actor_b""",
            [*f, 12],
        ),
        (
            "pairs: articles behind a pair", ("pair_articles",),
            f"""SELECT day, source, title, url FROM pair_articles
            WHERE {WHERE} AND actor_a = ? AND actor_b = ? ORDER BY day DESC, source, title""",
            [*f, *top["pair"]],
        ),
        (
            "meetings: events", ("meeting_events",),
            """SELECT day, kind, held, participants, place, articles, outlets, sentence, event_id, last_day
            FROM meeting_events WHERE day BETWEEN ? AND ? AND list_has_any(sources, ?)
            ORDER BY day DESC, articles DESC LIMIT 2000""",
            f,
        ),
        (
            "meetings: reports of an event", ("meeting_reports",),
            f"""SELECT day, source, kind, place, sentence, title, url FROM meeting_reports
            WHERE {WHERE} AND participants = ? AND held = ? AND day BETWEEN ? AND ?
            ORDER BY day, source""",
            [*f, top["meeting"][0], top["meeting"][1], top["meeting"][2], top["meeting"][3]],
        ),
        (
            "meetings: per actor and day", ("meetings_daily",),
            """SELECT actor, SUM(meetings) AS meetings, SUM(articles) AS articles FROM meetings_daily
            WHERE day BETWEEN ? AND ? AND held = 'held' GROUP BY actor ORDER BY meetings DESC LIMIT 20""",
            f[:2],
        ),
        (
            "outlets: volume", ("source_daily",),
            f"""SELECT source, SUM(articles) AS articles, SUM(relevant_articles) AS relevant_articles,
                   SUM(relevant_articles) / NULLIF(SUM(articles), 0) AS subject_share, SUM(duplicates) AS duplicates
            FROM source_daily WHERE {WHERE} GROUP BY source ORDER BY articles DESC, source""",
            f,
        ),
        (
            "outlets: topic mix", ("source_daily", "topic_source_daily"),
            f"""WITH relevant AS (
                SELECT source, SUM(relevant_articles) AS relevant_articles FROM source_daily WHERE {WHERE} GROUP BY source
            ),
            topical AS (
                SELECT source, topic, SUM(articles) AS articles FROM topic_source_daily WHERE {WHERE} GROUP BY ALL
            )
            SELECT t.source, t.topic, t.articles, t.articles / NULLIF(r.relevant_articles, 0) AS share
            FROM topical AS t JOIN relevant AS r USING (source) ORDER BY t.source, t.articles DESC""",
            f * 2,
        ),
        (
            "quotes: speakers", ("quote_list",),
            f"""SELECT speaker, COUNT(*) AS quotes FROM quote_list WHERE {WHERE}
            GROUP BY speaker ORDER BY quotes DESC, speaker""",
            f,
        ),
        (
            "quotes: list (no search)", ("quote_list",),
            f"""SELECT day, source, speaker, actor, quote, title, url, article_id FROM quote_list
            WHERE {WHERE}
              AND (len(?) = 0 OR list_contains(?, speaker))
              AND (quote ILIKE ? ESCAPE '\\' OR speaker ILIKE ? ESCAPE '\\' OR title ILIKE ? ESCAPE '\\')
            ORDER BY day DESC, source, article_id, speaker, position
            LIMIT ?""",
            [*f, [], [], "%%", "%%", "%%", QUOTE_LIMIT],
        ),
        ("articles: actor names (1000)", ("actor_source_daily",), ACTOR_NAMES, [*f, 1000]),
        (
            "articles: topic names", ("topic_source_daily",),
            f"SELECT DISTINCT topic FROM topic_source_daily WHERE {WHERE} ORDER BY topic",
            f,
        ),
        (
            "articles: list (no search)", ("article_list",),
            ARTICLES,
            [*f, False, [], [], [], SEARCH_LIMIT],
        ),
        (
            "articles: one actor, relevant only", ("article_list",),
            ARTICLES,
            [*f, True, top["actors"][2:3], [], [], SEARCH_LIMIT],
        ),
        (
            "article: detail", ("article_detail",),
            "SELECT title, source, day, author, url, relevance, actors, topics, text FROM article_detail WHERE article_id = ?",
            [top["article"]],
        ),
        (
            "article: marked mentions", ("article_mentions",),
            ("SELECT start_char, end_char, actor FROM article_mentions WHERE article_id = ? AND actor IS NOT NULL"
             " ORDER BY start_char"),
            [top["article"]],
        ),
        (
            "emerging: names", ("unregistered_daily",),
            f"""SELECT ANY_VALUE(name) AS name, ANY_VALUE(label) AS label, SUM(articles) AS articles,
                   SUM(mentions) AS mentions, MIN(day) AS first_seen, MAX(day) AS last_seen
            FROM unregistered_daily WHERE {WHERE} AND list_contains(?, label)
            GROUP BY name_id ORDER BY articles DESC, mentions DESC, name LIMIT 200""",
            [*f, ["PERSON", "ORG"]],
        ),
    ]


def trend(period: str, measure: str) -> str:
    """The Actors page's trend of the chosen actors (dashboards.pages.actors)."""
    counted = {"articles": "COUNT(*)", "mentions": "CAST(SUM(mentions) AS BIGINT)",
               "stories": "COUNT(DISTINCT story_id)"}[measure]
    return f"""SELECT {PERIODS[period]} AS period, actor, {counted} AS {measure}
                FROM actor_articles WHERE {WHERE} AND list_contains(?, actor)
                GROUP BY ALL ORDER BY period, actor"""


def actor_page_queries(start: date, end: date, sources: list[str], chosen: list[str]) -> list[tuple[str, tuple, str, list]]:
    """The Actors page: the ranking (its table, and the choice of actors) and the trend of the 5 actors it
    chooses first, per week (its default) and per day, counting articles (the default) or stories."""
    f = [start, end, sources]
    actors = ("actor_articles",)
    return [
        ("actors: ranked (1000)", ("actor_source_daily", "actor_articles"), TOP_ACTORS, [*f, 1000, *f]),
        ("actors: weekly trend of 5, articles", actors, trend("weekly", "articles"), [*f, chosen]),
        ("actors: weekly trend of 5, stories", actors, trend("weekly", "stories"), [*f, chosen]),
        ("actors: daily trend of 5, stories", actors, trend("daily", "stories"), [*f, chosen]),
    ]


def profile_picker_queries(start: date, end: date, sources: list[str]) -> list[tuple[str, tuple, str, list]]:
    """The actor profile's picker (dashboards.pages.profile): the same whichever name is shown."""
    f = [start, end, sources]
    return [
        ("profile: picker, registered (2000)", ("actor_source_daily",), ACTOR_NAMES, [*f, 2000]),
        (
            "profile: picker, unregistered", ("unregistered_daily",),
            f"""SELECT ANY_VALUE(name) AS name, SUM(articles) AS articles FROM unregistered_daily WHERE {WHERE}
            GROUP BY name_id ORDER BY articles DESC, name LIMIT ?""",
            [*f, PROFILE_NAMES],
        ),
    ]


def naming_pattern(name: str, aliases: list[str] | None) -> str:
    """The regular expression the profile matches quotes naming `name` with (dashboards.pages.profile)."""
    spellings = [name, *(aliases or [])]
    return r"(?i)(^|\W)(" + "|".join(re.escape(s) for s in sorted(set(spellings), key=len, reverse=True)) + r")($|\W)"


def profile_queries(start: date, end: date, sources: list[str], name: str, shown: bool,
                    aliases: list[str] | None) -> list[tuple[str, tuple, str, list]]:
    """The actor profile of `name`, in the order the page runs them, copied from dashboards.pages.profile
    (the weekly period, its default). `aliases`: the registry's, None for a name outside the registry (the
    page then counts 'Named with' from name_articles instead of the pair rollups). `shown`: the name has
    articles in the range; without, the page stops after its counts."""
    f = [start, end, sources]
    registered = aliases is not None
    where_t = WHERE.replace("list_contains(?, source)", "list_contains(?, t.source)")
    head = [
        ("registry entry", (), "SELECT actor, kind, aliases FROM actors WHERE actor = ?", [name]),
        (
            "first and last seen", ("name_articles",),
            """SELECT MIN(day) AS first_seen, MAX(day) AS last_seen, COUNT(DISTINCT article_id) AS articles,
                  COUNT(DISTINCT story_id) AS stories, CAST(SUM(mentions) AS BIGINT) AS mentions,
                  string_agg(DISTINCT label, ', ') AS labels
           FROM name_articles WHERE name = ?""",
            [name],
        ),
        (
            "counts in range", ("name_articles",),
            f"""SELECT COUNT(DISTINCT article_id) AS articles, COUNT(DISTINCT story_id) AS stories,
                   CAST(COALESCE(SUM(mentions), 0) AS BIGINT) AS mentions
            FROM name_articles WHERE name = ? AND {WHERE}""",
            [name, *f],
        ),
    ]
    rest = [
        (
            "weekly articles by outlet", ("name_articles",),
            f"""SELECT {WEEK} AS period, source, COUNT(DISTINCT article_id) AS articles
            FROM name_articles WHERE name = ? AND {WHERE} GROUP BY ALL ORDER BY period, source""",
            [name, *f],
        ),
        (
            "weekly stories", ("name_articles",),
            f"""SELECT {WEEK} AS period, COUNT(DISTINCT story_id) AS stories
            FROM name_articles WHERE name = ? AND {WHERE} GROUP BY ALL ORDER BY period""",
            [name, *f],
        ),
        (
            "topics", ("name_articles", "topic_articles"),
            f"""WITH mine AS (SELECT DISTINCT article_id FROM name_articles WHERE name = ? AND {WHERE})
                SELECT t.topic, COUNT(*) AS articles, COUNT(DISTINCT t.story_id) AS stories
                FROM topic_articles AS t SEMI JOIN mine USING (article_id)
                WHERE t.{where_t}
                GROUP BY t.topic ORDER BY articles DESC, t.topic""",
            [name, *f, *f],
        ),
        (
            "named with (pair rollups)", ("pair_source_daily", "pair_articles"),
            f"""WITH ranked AS (
                        SELECT CASE WHEN actor_a = ? THEN actor_b ELSE actor_a END AS actor,
                               CAST(SUM(articles) AS BIGINT) AS articles
                        FROM pair_source_daily WHERE {WHERE} AND (actor_a = ? OR actor_b = ?)
                        GROUP BY 1 ORDER BY articles DESC, actor LIMIT 50
                    ),
                    counted AS (
                        SELECT CASE WHEN actor_a = ? THEN actor_b ELSE actor_a END AS actor,
                               COUNT(DISTINCT story_id) AS stories
                        FROM pair_articles WHERE {WHERE} AND (actor_a = ? OR actor_b = ?) GROUP BY 1
                    )
                    SELECT r.actor, TRUE AS registered, r.articles, c.stories
                    FROM ranked AS r JOIN counted AS c USING (actor) ORDER BY r.articles DESC, r.actor""",
            [name, *f, name, name, name, *f, name, name],
        ) if registered else (
            "named with", ("name_articles",),
            f"""WITH mine AS (
                        SELECT article_id FROM name_articles WHERE name = ? AND {WHERE}
                        GROUP BY article_id ORDER BY MAX(day) DESC, article_id LIMIT {NAMED_ARTICLES}
                    )
                    SELECT o.name AS actor, o.registered, COUNT(DISTINCT o.article_id) AS articles,
                           COUNT(DISTINCT o.story_id) AS stories
                    FROM name_articles AS o SEMI JOIN mine USING (article_id)
                    WHERE o.name <> ? AND o.day BETWEEN ? AND ?
                    GROUP BY o.name, o.registered ORDER BY articles DESC, actor LIMIT 50""",
            [name, *f, name, start, end],
        ),
        (
            "meetings", ("meeting_events",),
            f"""SELECT day, kind, participants, place, articles, outlets, sentence FROM meeting_events
            WHERE {EVENT_WHERE} AND list_contains(participants, ?) ORDER BY day DESC, articles DESC LIMIT 500""",
            [*f, name],
        ),
        (
            "quotes by", ("quote_list",),
            f"""SELECT day, source, quote, url FROM quote_list WHERE {WHERE} AND (actor = ? OR speaker = ?)
                ORDER BY day DESC, source, position LIMIT 200""",
            [*f, name, name],
        ),
        (
            "quotes naming it", ("name_articles", "quote_list"),
            f"""WITH mine AS (
                    SELECT article_id FROM name_articles WHERE name = ? AND {WHERE}
                    GROUP BY article_id ORDER BY MAX(day) DESC, article_id LIMIT {QUOTED_ARTICLES}
                )
                SELECT q.day, q.source, q.speaker, q.quote, q.url FROM quote_list AS q SEMI JOIN mine USING (article_id)
                WHERE q.speaker <> ? AND COALESCE(q.actor, '') <> ? AND regexp_matches(q.quote, ?)
                ORDER BY q.day DESC, q.source LIMIT 200""",
            [name, *f, name, name, naming_pattern(name, aliases)],
        ),
        (
            "recent articles", ("name_articles", "article_list"),
            f"""WITH mine AS (
                SELECT article_id, ANY_VALUE(mentions) AS mentions FROM name_articles WHERE name = ? AND {WHERE}
                GROUP BY article_id
            )
            SELECT l.day, l.source, l.title, m.mentions, l.duplicate_of IS NOT NULL AS copy, l.url
            FROM article_list AS l JOIN mine AS m USING (article_id)
            ORDER BY l.day DESC, l.source LIMIT 100""",
            [name, *f],
        ),
        (
            "spellings", ("name_spellings",),
            f"""SELECT spelling, CAST(SUM(mentions) AS BIGINT) AS mentions, COUNT(DISTINCT article_id) AS articles
            FROM name_spellings WHERE name = ? AND registered = ? AND {WHERE}
            GROUP BY spelling ORDER BY mentions DESC, spelling LIMIT 100""",
            [name, registered, *f],
        ),
    ]
    return head + (rest if shown else [])


def summary_queries() -> list[tuple[str, tuple, str, dict | list]]:
    """The views the dashboard does not read: as the trend summary (`newsmon demo`) and `newsmon sql` use them."""
    queries = ROOT / "pipeline" / "sql" / "queries"
    return [
        ("summary: relevant articles", ("relevant_articles",), "SELECT COUNT(*) FROM relevant_articles", []),
        ("summary: totals (reads mentions, not a view)", (), (queries / "totals.sql").read_text(), []),
        ("summary: weekly top actors", ("actor_articles",), (queries / "weekly_top_actors.sql").read_text(), {"top": 3}),
        ("summary: weekly top topics", ("topic_articles",), (queries / "weekly_top_topics.sql").read_text(), {"top": 3}),
        ("sql: top 100 pairs", ("actor_pairs",), "SELECT * FROM actor_pairs ORDER BY articles DESC, actor_a, actor_b LIMIT 100", []),
        ("sql: emerging top 10 a week", ("emerging_actors",), "SELECT * FROM emerging_actors WHERE rank <= 10 ORDER BY week, rank", []),
        ("sql: top 10 actor days (newsmon's example)", ("actor_daily",),
         "SELECT * FROM actor_daily ORDER BY articles DESC LIMIT 10", []),
        ("sql: top 10 topic days", ("topic_daily",), "SELECT * FROM topic_daily ORDER BY articles DESC LIMIT 10", []),
        ("sql: actor totals of the last 30 days", ("actor_articles", "actor_totals()"),
         "SELECT * FROM actor_totals((SELECT MAX(day) - 29 FROM actor_articles), (SELECT MAX(day) FROM actor_articles))"
         " ORDER BY stories DESC, actor", []),
        ("sql: topic totals of the last 30 days", ("topic_articles", "topic_totals()"),
         "SELECT * FROM topic_totals((SELECT MAX(day) - 29 FROM topic_articles), (SELECT MAX(day) FROM topic_articles))"
         " ORDER BY stories DESC, topic", []),
    ]


def write_batches(db: Path, batches: int, size: int) -> dict:
    """The cost of keeping the rollups: `batches` batches of `size` new articles (20 mentions each, ~half
    relevant, a few copies of one another) written as an ingest batch writes them, on a copy of the
    database; the same batches again on a second copy with the rollup refresh switched off."""
    import random
    import shutil
    from datetime import datetime, timedelta

    from pipeline import dedup, rollups
    from pipeline.extract import compress_html
    from pipeline.records import Article, Enrichment, Mention, Quote, TopicScore

    rng = random.Random(7)
    with duckdb.connect(str(db), read_only=True) as con:
        last = con.execute("SELECT MAX(day) FROM rollup_articles").fetchone()[0]
    prepared = []
    for b in range(batches):
        articles, enrichments = [], {}
        for k in range(size):
            n = b * size + k
            words = " ".join(rng.choice(views_data.WORDS) for _ in range(300))
            text = prepared[-1][0][0].text if k == size - 1 and prepared else words  # one copy of an earlier story
            url = f"https://write.example/{n}"
            when = datetime.combine(last, datetime.min.time()) + timedelta(minutes=n)
            a = Article(f"write{n:015d}", url, url, f"Source {n % 20:02d}", None, f"Written {n}", None, when, "feed",
                        when, "en", "Write", text, "trafilatura", compress_html(b"<html></html>"), dedup.sketch(text))
            actors = [f"Actor {rng.randint(1, 40):03d}" for _ in range(4)]
            mentions = tuple(Mention(actors[j % 4], "ORG", actors[j % 4], 10 * j, 10 * j + 5) for j in range(9)) + tuple(
                Mention(f"Given Surname{rng.randint(1, 500)}", "PERSON", None, 100 + 10 * j, 105 + 10 * j) for j in range(11))
            enrichments[a.article_id] = Enrichment(
                a.article_id, mentions, (TopicScore("topic 03", 0.6),), (Quote(actors[0], actors[0], "We will talk."),),
                rng.random())
            articles.append(a)
        prepared.append((articles, enrichments))
    refresh = rollups.refresh
    out = {}
    for label, keep in (("with_rollups", True), ("without_rollups", False)):
        copy = db.with_name(f"{db.stem}-write.duckdb")
        shutil.copy(db, copy)
        spent: list[float] = []

        def timed_refresh(*args, keep=keep, spent=spent, **kwargs):
            started = time.perf_counter()
            if keep:
                refresh(*args, **kwargs)
            spent.append(time.perf_counter() - started)

        rollups.refresh = timed_refresh
        totals = []
        try:
            with store.writer(copy) as w, w.transaction():
                run_id = w.start_run("ingest")
            for articles, enrichments in prepared:
                started = time.perf_counter()
                with store.writer(copy) as w, w.transaction():
                    w.write_articles(run_id, articles, enrichments, 0.7)
                totals.append(time.perf_counter() - started)
        finally:
            rollups.refresh = refresh
            copy.unlink()
            Path(f"{copy}.wal").unlink(missing_ok=True)
            Path(f"{copy}.lock").unlink(missing_ok=True)
            for lock in copy.parent.glob(f"{copy.name}.run-*.lock"):  # the run started above is never finished
                lock.unlink(missing_ok=True)
        out[label] = {"batch_seconds_median": round(statistics.median(totals), 3),
                      "refresh_seconds_median": round(statistics.median(spent), 3) if keep else 0.0,
                      "batch_seconds": [round(t, 3) for t in totals]}
    out["batches"], out["articles_per_batch"] = batches, size
    return out


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu or platform.machine()}, {os.cpu_count()} cores, {memory:.0f} GiB, {platform.system()} "
        f"{platform.release()}, CPython {platform.python_version()}, DuckDB {duckdb.__version__}"
    )


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def ensure_database(db: Path, articles: int, mentions_per_article: int, seed: int, regenerate: bool) -> dict:
    """The generated database at `db`, made now or reused; then prepared as a run prepares it."""
    meta_path = db.with_suffix(".json")
    wanted = {"articles": articles, "mentions_per_article": mentions_per_article, "seed": seed}
    meta = json.loads(meta_path.read_text()) if meta_path.exists() and db.exists() else {}
    if regenerate or {k: meta.get(k) for k in wanted} != wanted:
        for path in (db, meta_path, Path(f"{db}.wal"), Path(f"{db}.lock")):
            path.unlink(missing_ok=True)
        db.parent.mkdir(parents=True, exist_ok=True)
        print(f"generating {articles:,} articles into {db} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        rows = views_data.generate(db, articles, mentions_per_article, seed)
        meta = {**wanted, "rows": rows, "generation_seconds": round(time.perf_counter() - started, 1)}
        meta_path.write_text(json.dumps(meta, indent=1))
    with duckdb.connect(str(db), read_only=True) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        stale = "rollup_articles" not in tables or not rollups.current(con)
    started = time.perf_counter()
    store.prepare(db)  # migrations, views and, when stale, a rebuild of the rollups
    meta["prepare_seconds"] = round(time.perf_counter() - started, 2)
    if stale:  # remembered with the database: the rebuild happens once
        meta["rollup_rebuild_seconds"] = meta["prepare_seconds"]
        meta_path.write_text(json.dumps(meta, indent=1))
    meta["db_bytes"] = db.stat().st_size
    return meta


def timed(con: duckdb.DuckDBPyConnection, sql: str, params, reps: int) -> tuple[list[float], int]:
    for _ in range(2):
        rows = len(con.execute(sql, params).df())
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        con.execute(sql, params).df()
        times.append((time.perf_counter() - started) * 1000)
    return times, rows


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered) + 0.5) - 1))]


def run(db: Path | str, reps: int, only: str | None) -> dict:
    """Time every query on `db`: a DuckDB file, or a DuckLake store (`ducklake:postgres:...`, read as
    `newsmon sql` and the dashboard read one: pipeline/lake.py `reader`)."""
    if str(db).startswith("ducklake:"):
        from pipeline import lake

        with lake.reader(str(db)) as con:
            return _run(con, reps, only)
    con = duckdb.connect(str(db), read_only=True)  # as store.reader opens it, kept open (warm)
    try:
        return _run(con, reps, only)
    finally:
        con.close()


def _run(con: duckdb.DuckDBPyConnection, reps: int, only: str | None) -> dict:
    first, last = con.execute("SELECT MIN(day), MAX(day) FROM article_list").fetchone()
    sources = [r[0] for r in con.execute("SELECT DISTINCT source FROM article_list ORDER BY source").fetchall()]
    actors = [r[0] for r in con.execute(
        "SELECT actor FROM actor_daily GROUP BY actor ORDER BY SUM(articles) DESC, actor LIMIT 5").fetchall()]
    pair = con.execute("SELECT actor_a, actor_b FROM actor_pairs ORDER BY articles DESC, actor_a, actor_b LIMIT 1").fetchone()
    meeting = con.execute(
        "SELECT participants, held, day, last_day FROM meeting_events ORDER BY articles DESC, event_id LIMIT 1"
    ).fetchone()
    article = con.execute(
        "SELECT article_id FROM articles WHERE relevance >= 0.5 ORDER BY published_at DESC NULLS LAST LIMIT 1"
    ).fetchone()[0]
    top = {"actors": actors, "pair": list(pair), "article": article, "meeting": list(meeting)}
    settings = {
        "default: whole range, all sources": (first, last, sources),
        "narrow: last 90 days, 5 sources": (last - timedelta(days=89), last, sources[:5]),
    }
    # the Actors page and the actor profile: the whole range and the last 30 days, every source and 5
    month = last - timedelta(days=29)
    year = max(first, last - timedelta(days=DEFAULT_DAYS - 1))
    ranges = {
        "default: whole range, all sources": (first, last, sources),
        "5 sources: whole range, 5 sources": (first, last, sources[:5]),
        "30 days: last 30 days, all sources": (month, last, sources),
        "30 days, 5 sources: last 30 days, 5 sources": (month, last, sources[:5]),
        "1 year: last 365 days, all sources (the range the dashboard opens on)": (year, last, sources),
    }
    ranked = [r[0] for r in con.execute(ACTOR_NAMES, [first, last, sources, 10_000]).fetchall()]
    aliases = {actor: list(names) for actor, names in con.execute("SELECT actor, aliases FROM actors").fetchall()}
    unregistered = con.execute(
        "SELECT ANY_VALUE(name) AS name FROM unregistered_daily GROUP BY name_id ORDER BY SUM(articles) DESC, name LIMIT 1"
    ).fetchone()[0]
    profiles = {"busy": ranked[0], "quiet": ranked[-1], "unregistered": unregistered}
    results = []

    def time_all(setting: str, queries) -> None:
        for name, views, sql, params in queries:
            if only and not any(part in name for part in only.split("|")):
                continue
            times, rows = timed(con, sql, params, reps)
            results.append(_row(setting, name, views, times, rows))
            print(f"{setting.split(':')[0][:18]:18} {name:52} median {results[-1]['median_ms']:9.1f}  "
                  f"p95 {results[-1]['p95_ms']:9.1f} ms", file=sys.stderr, flush=True)

    for setting, (start, end, chosen) in settings.items():
        time_all(setting, dashboard_queries(start, end, chosen, top))
    for setting, (start, end, chosen) in ranges.items():
        first5 = [r[0] for r in con.execute(TOP_ACTORS, [start, end, chosen, 5, start, end, chosen]).fetchall()]
        time_all(setting, actor_page_queries(start, end, chosen, first5))
        time_all(setting, profile_picker_queries(start, end, chosen))
        for role, who in profiles.items():
            shown = con.execute("SELECT COUNT(*) FROM name_articles WHERE name = ? AND " + WHERE,
                                [who, start, end, chosen]).fetchone()[0] > 0
            time_all(setting, [(f"profile ({role}, {who}): {name}", views, sql, params)
                               for name, views, sql, params in profile_queries(start, end, chosen, who, shown, aliases.get(who))])
    time_all("whole database", summary_queries())
    return {"queries": results, "per_view": per_view(results), "profiles": profiles}


def _row(setting: str, name: str, views: tuple, times: list[float], rows: int) -> dict:
    return {
        "filters": setting, "query": name, "views": list(views), "rows": rows,
        "median_ms": round(statistics.median(times), 1), "p95_ms": round(p95(times), 1),
        "max_ms": round(max(times), 1), "reps": len(times),
        "load_1m": load_average()[0],  # the machine's load as the query's runs end: a busy spell shows here
    }


def per_view(results: list[dict]) -> dict:
    """For each view, its slowest query (by p95) over both filter settings."""
    views: dict[str, dict] = {}
    for r in results:
        for v in r["views"]:
            if v not in views or r["p95_ms"] > views[v]["p95_ms"]:
                views[v] = {"query": r["query"], "filters": r["filters"], "median_ms": r["median_ms"], "p95_ms": r["p95_ms"]}
    for name in sorted(p.stem for p in (ROOT / "pipeline" / "sql" / "views").glob("*.sql")):
        views.setdefault(name, {"query": None, "filters": None, "median_ms": None, "p95_ms": None})  # not timed
    for name in sorted(p.stem for p in (ROOT / "pipeline" / "sql" / "macros").glob("*.sql")):  # table macros
        views.setdefault(f"{name}()", {"query": None, "filters": None, "median_ms": None, "p95_ms": None})
    return {n: views[n] for n in sorted(views)}


RANGES = ("default", "5 sources", "30 days", "30 days, 5 sources", "1 year")  # the Actors page's and the profile's filters


def pivot(queries: list[dict]) -> list[str]:
    """The Actors page and the actor profile: a row per query, a column per filter setting, median / p95 ms
    (p95 in bold at or over the target)."""
    cells: dict[str, dict[str, str]] = {}
    for r in queries:
        setting = r["filters"].split(":")[0]
        if setting in RANGES and r["query"].startswith(("actors:", "profile")):
            p95_ms = f"**{r['p95_ms']}**" if r["p95_ms"] >= TARGET_P95_MS else f"{r['p95_ms']}"
            cells.setdefault(r["query"], {})[setting] = f"{r['median_ms']} / {p95_ms}"
    if not cells:
        return []
    lines = ["", "Actors page and actor profile, median / p95 ms (the whole range, the last 30 days or the last year; "
             "every source or 5):", "",
             "| query | whole range | whole range, 5 sources | 30 days | 30 days, 5 sources | last year |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for name, by in cells.items():
        lines.append(f"| {name} | " + " | ".join(by.get(s, "") for s in RANGES) + " |")
    return lines


def markdown(report: dict) -> str:
    lines = [
        (f"View latency on {report['data']['rows']['articles']:,} articles and {report['data']['rows']['mentions']:,} "
         f"mentions ({report['data']['db_bytes'] / 2**30:.2f} GiB; generated in {report['data']['generation_seconds']} s, "
         f"rollups built in {report['data'].get('rollup_rebuild_seconds', '?')} s), "
         f"{report['reps']} runs per query on a warm read-only connection; {report['machine']}; "
         f"load average before/after {report['load_before']} / {report['load_after']}."),
        "",
        "Actor profiles timed: " + ", ".join(f"{role} `{name}`" for role, name in report.get("profiles", {}).items())
        + ". Filters: default = the whole range, all sources; narrow = the last 90 days, 5 sources; 30 days, "
        "5 sources and 1 year (the range the dashboard opens on) as named (the Actors page and the profile only).",
        "",
        "| view | slowest dashboard query | filters | median ms | p95 ms |",
        "| --- | --- | --- | ---: | ---: |",
    ]
    for view, r in report["per_view"].items():
        lines.append(f"| `{view}` | {r['query']} | {(r['filters'] or '').split(':')[0]} | {r['median_ms']} | {r['p95_ms']} |")
    if "writes" in report:
        w = report["writes"]
        lines += ["", (f"Writing a batch of {w['articles_per_batch']} new articles ({w['batches']} batches, median): "
                       f"{w['with_rollups']['batch_seconds_median']} s with the rollups kept "
                       f"(refresh {w['with_rollups']['refresh_seconds_median']} s), "
                       f"{w['without_rollups']['batch_seconds_median']} s without.")]
    lines += pivot(report["queries"])
    lines += ["", "| query | filters | rows | median ms | p95 ms |", "| --- | --- | ---: | ---: | ---: |"]
    for r in report["queries"]:
        lines.append(f"| {r['query']} | {r['filters'].split(':')[0]} | {r['rows']} | {r['median_ms']} | {r['p95_ms']} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help="generated database (made if missing)")
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--mentions-per-article", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--regenerate", action="store_true", help="generate again even if --db matches")
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--only", help="time only the queries whose name contains this (or one of A|B|...)")
    parser.add_argument("--write-batches", type=int, default=5, help="batches written to measure the rollup upkeep (0: none)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    data = ensure_database(args.db, args.articles, args.mentions_per_article, args.seed, args.regenerate)
    load_before = load_average()
    timings = run(args.db, args.reps, args.only)
    report = {
        "machine": machine(),
        "reps": args.reps,
        "target_p95_ms": TARGET_P95_MS,
        "load_before": load_before,
        "load_after": load_average(),
        "data": data,
        **timings,
    }
    if args.write_batches:
        report["writes"] = write_batches(args.db, args.write_batches, 50)
    report["all_views_under_target"] = all(
        v["p95_ms"] is not None and v["p95_ms"] < TARGET_P95_MS for v in report["per_view"].values()
    )
    text = markdown(report)
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1) + "\n")
    if args.markdown:
        args.markdown.write_text(text)


if __name__ == "__main__":
    main()
