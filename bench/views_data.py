"""A large newsmon database generated inside DuckDB, for the view benchmark and the view equivalence tests.

The schema is the real one (`store.prepare`: migrations and views); the rows are made by SQL
(`range`, `hash`) with shapes like real coverage: sources of unequal size, articles spread over the days
of two years (a few without a publication date), ~5% near-duplicate copies pointing at an earlier
original, relevance spread so that about half pass the threshold, a registry of actors named with a
Zipf-like popularity (each article has a small cast it names repeatedly), unregistered people and
organisations (a long tail, some lower-case or short), topics per article, quotes, runs every 30 minutes
with a few failures, failed URLs. Deterministic for a given size and seed.
"""

from __future__ import annotations

from pathlib import Path

from pipeline import store

START = "2024-01-01"
DAYS = 730
SOURCES = 20
ACTORS = 250
UNREGISTERED_NAMES = 50_000
TOPICS = 12
WORDS = (
    "talks", "envoy", "minister", "delegation", "aid", "humanitarian", "sanctions", "embassy", "security",
    "border", "refugees", "economy", "bank", "reserves", "women", "education", "girls", "schools", "rights",
    "council", "resolution", "recognition", "government", "interim", "officials", "spokesman", "statement",
    "meeting", "conference", "visit", "regional", "neighbours", "trade", "transit", "corridor", "drought",
    "earthquake", "famine", "winter", "displaced", "camps", "evacuation", "airport", "flights", "visas",
    "negotiations", "agreement", "ceasefire", "attack", "bombing", "militants", "province", "district",
    "capital", "governor", "election", "parliament", "opposition", "exile", "diplomats", "mission",
    "ambassador", "funding", "donors", "pledge", "relief",
)


def _u(expr: str, salt: int, seed: int) -> str:
    """A pseudo-random number in [0, 1) from `expr`, deterministic per salt and seed."""
    return f"((hash({expr}, {salt}, {seed}) % 1000003) / 1000003.0)"


def _zipf(u: str, n: int) -> str:
    """A rank in 1..n with P(rank r) falling like 1/r (log-uniform), from a uniform `u`."""
    return f"LEAST({n}, CAST(floor(exp({u} * ln({n} + 1))) AS INTEGER))"


def _word(rank: str) -> str:
    """A made-up word of four letters for a rank (the full-text tokenizer drops digits)."""
    return " || ".join(f"chr(97 + CAST(({rank} // {26 ** k}) % 26 AS INTEGER))" for k in range(4))


def generate(path: Path, articles: int, mentions_per_article: int = 20, seed: int = 1, text_words: int = 48,
             vocabulary: int | None = None, writer_state: bool = False) -> dict[str, int]:
    """Create the database at `path` (which must not exist) and fill it. Returns row counts.

    `vocabulary`: texts of `text_words` words drawn Zipf-like from that many made-up words (a full-text
    dictionary that grows like a real one), instead of from WORDS. `writer_state`: also what the writer keeps
    beside the rows, as after runs that stored these articles: a near-duplicate sketch and its band keys per
    article, and the full-text index built over them (in chunks, as runs add to it)."""
    store.prepare(path)
    if writer_state:
        with store.writer(path) as w:  # the index exists before the articles, as after a first run
            store.load_fts(w.con)
            w.con.execute(
                "PRAGMA create_fts_index('articles', 'article_id', 'title', 'text',"
                " stemmer = 'porter', stopwords = 'english', strip_accents = 1, lower = 1, overwrite = 1)"
            )
    mean_extra = mentions_per_article - 10  # mentions per article: 10 + uniform(0 .. 2 * mean_extra)
    words = "[" + ", ".join(f"'{w}'" for w in WORDS) + "]"
    u = lambda expr, salt: _u(expr, salt, seed)
    if vocabulary:
        rank = _zipf(f"((hash(i, k, 9) % 1000003) / 1000003.0)", vocabulary)
        text_sql = f"array_to_string(list_transform(range({text_words}), k -> {_word(rank)}), ' ')"
    else:
        text_sql = (f"array_to_string(list_transform(range({text_words}), "
                    f"k -> {words}[1 + CAST(hash(i, k, 9) % {len(WORDS)} AS INTEGER)]), ' ')")
    with store.writer(path) as w:
        con = w.con
        con.execute("SET preserve_insertion_order = false")
        con.execute(f"""
            CREATE TEMP TABLE gen AS
            WITH base AS (
                SELECT
                    i,
                    substr(md5('article-' || i || '-{seed}'), 1, 20) AS article_id,
                    -- sources of unequal size: source 0 the largest
                    CAST(floor({SOURCES} * pow({u('i', 1)}, 1.7)) AS INTEGER) AS s,
                    TIMESTAMP '{START}' + to_microseconds(CAST(
                        (i + {u('i', 2)} * 50) * ({DAYS} * 86400.0 * 1e6 / {articles}) AS BIGINT)) AS t,
                    {u('i', 3)} AS r3,
                    {u('i', 4)} AS r4
                FROM range({articles}) AS g(i)
            )
            SELECT
                i, article_id, s,
                'Source ' || lpad(CAST(s AS VARCHAR), 2, '0') AS source,
                CASE WHEN r3 < 0.03 THEN NULL ELSE t END AS published_at,
                t + to_minutes(CAST(5 + 60 * r4 AS BIGINT)) AS fetched_at,
                -- ~5% copies of the article three before (an original: i - 3 is never a copy itself)
                CASE WHEN i % 20 = 7 THEN substr(md5('article-' || (i - 3) || '-{seed}'), 1, 20) END AS duplicate_of,
                -- half relevant; copies about as relevant as their original
                CASE WHEN i % 20 = 7 THEN {u('i - 3', 5)} ELSE {u('i', 5)} END AS relevance,
                1 + CAST(hash(i, 6, {seed}) % 6 AS INTEGER) AS cast_size
            FROM base
        """)
        con.execute(f"""
            INSERT INTO articles (article_id, url, fetched_url, source, feed_url, title, author, published_at,
                                  date_origin, fetched_at, language, sitename, text, extraction, duplicate_of,
                                  relevance, run_id)
            SELECT
                article_id,
                'https://source-' || s || '.example/news/' || i AS url,
                'https://source-' || s || '.example/news/' || i AS fetched_url,
                source,
                'https://source-' || s || '.example/rss.xml' AS feed_url,
                'Story ' || i || ': ' || {words}[1 + CAST(hash(i, 7) % {len(WORDS)} AS INTEGER)] || ' and '
                    || {words}[1 + CAST(hash(i, 8) % {len(WORDS)} AS INTEGER)] AS title,
                CASE WHEN i % 3 = 0 THEN NULL ELSE 'Writer ' || (i % 400) END AS author,
                published_at,
                CASE WHEN published_at IS NULL THEN NULL ELSE 'feed' END AS date_origin,
                fetched_at,
                'en', source,
                {text_sql} AS text,
                'trafilatura',
                duplicate_of,
                relevance,
                'ingest-' || strftime(time_bucket(INTERVAL 30 MINUTE, fetched_at), '%Y%m%dT%H%M') AS run_id
            FROM gen
            ORDER BY i
        """)
        con.execute(
            "INSERT INTO actors (actor, kind, aliases) SELECT 'Actor ' || lpad(CAST(r AS VARCHAR), 3, '0'), "
            "CASE WHEN r % 3 = 0 THEN 'person' WHEN r % 3 = 1 THEN 'government' ELSE 'organisation' END, "
            f"['Actor ' || lpad(CAST(r AS VARCHAR), 3, '0')] FROM range(1, {ACTORS} + 1) AS g(r)"
        )
        # mentions: 45% name one of the article's cast of registry actors; the rest are people,
        # organisations, places and groups outside the registry
        con.execute(f"""
            INSERT INTO mentions (article_id, actor, surface, label, start_char, end_char, name)
            WITH m AS (
                SELECT i, article_id, cast_size, unnest(range(10 + CAST(hash(i, 10, {seed}) % {2 * mean_extra + 1} AS INTEGER))) AS j
                FROM gen
            ),
            drawn AS (
                SELECT
                    article_id, j,
                    {u('i * 64 + j', 11)} < 0.45 AS registered,
                    {_zipf(u(f"i * 8 + hash(i, j, 12, {seed}) % cast_size", 13), ACTORS)} AS actor_rank,
                    {u('i * 64 + j', 14)} AS kind,
                    {_zipf(u('i * 64 + j', 15), UNREGISTERED_NAMES)} AS name_rank,
                    {u('i * 64 + j', 16)} AS form
                FROM m
            ),
            named AS (
                SELECT
                    article_id, j,
                    CASE WHEN registered THEN 'Actor ' || lpad(CAST(actor_rank AS VARCHAR), 3, '0') END AS actor,
                    CASE
                        WHEN registered THEN (CASE WHEN actor_rank % 3 = 0 THEN 'PERSON' WHEN actor_rank % 3 = 1 THEN 'GPE' ELSE 'ORG' END)
                        WHEN kind < 0.35 THEN 'PERSON' WHEN kind < 0.60 THEN 'ORG' WHEN kind < 0.85 THEN 'GPE'
                        WHEN kind < 0.95 THEN 'NORP' ELSE 'LOC'
                    END AS label,
                    name_rank, form
                FROM drawn
            )
            SELECT
                article_id,
                actor,
                CASE
                    WHEN actor IS NOT NULL THEN actor
                    WHEN form < 0.02 THEN 'mosques'                                     -- lower case: not a name
                    WHEN form < 0.04 THEN 'Al'                                          -- too short
                    WHEN label = 'PERSON' AND form < 0.30 THEN 'Surname' || name_rank   -- a surname after the full name
                    WHEN label = 'PERSON' THEN 'Given Surname' || name_rank
                    ELSE label || ' name ' || name_rank
                END AS surface,
                label,
                CASE WHEN form > 0.995 THEN -1 ELSE j * 60 END AS start_char,     -- a few unlocated
                j * 60 + 12 AS end_char,
                CASE
                    WHEN actor IS NOT NULL THEN actor
                    WHEN form < 0.02 THEN 'mosques'
                    WHEN form < 0.04 THEN 'Al'
                    WHEN label = 'PERSON' THEN 'Given Surname' || name_rank
                    ELSE label || ' name ' || name_rank
                END AS name
            FROM named
        """)
        # topics: each of the 12 with its own frequency (5% .. 38%), so ~2.5 per article
        con.execute(f"""
            INSERT INTO article_topics (article_id, topic, score)
            SELECT article_id, 'topic ' || lpad(CAST(t AS VARCHAR), 2, '0'), round(0.2 + 0.8 * {u('i * 16 + t', 18)}, 3)
            FROM gen, range({TOPICS}) AS g(t)
            WHERE {u('i * 16 + t', 17)} < 0.05 + 0.03 * t
        """)
        con.execute(f"""
            INSERT INTO quotes (article_id, speaker, actor, quote, position)
            WITH q AS (
                SELECT i, article_id, cast_size,
                       unnest(range(CASE WHEN r < 0.45 THEN 0 WHEN r < 0.75 THEN 1 WHEN r < 0.9 THEN 2 ELSE 3 END)) AS p
                FROM (SELECT *, {u('i', 19)} AS r FROM gen)
            ),
            s AS (
                SELECT *, {u('i * 8 + p', 20)} < 0.6 AS registered,
                       {_zipf(u(f"i * 8 + hash(i, p, 21, {seed}) % cast_size", 13), ACTORS)} AS actor_rank,
                       {_zipf(u('i * 8 + p', 22), UNREGISTERED_NAMES)} AS name_rank
                FROM q
            )
            SELECT
                article_id,
                CASE WHEN registered THEN 'Actor ' || lpad(CAST(actor_rank AS VARCHAR), 3, '0')
                     ELSE 'Given Surname' || name_rank END,
                CASE WHEN registered THEN 'Actor ' || lpad(CAST(actor_rank AS VARCHAR), 3, '0') END,
                'We will ' || {words}[1 + CAST(hash(i, p, 23) % {len(WORDS)} AS INTEGER)] || ' the '
                    || {words}[1 + CAST(hash(i, p, 24) % {len(WORDS)} AS INTEGER)] || ' as agreed, and '
                    || {words}[1 + CAST(hash(i, p, 25) % {len(WORDS)} AS INTEGER)] || ' comes next.',
                p
            FROM s
        """)
        # meetings: about a third of the articles report one (a few two); two actors of the article's cast,
        # mostly held, some planned or refused; half with a place, a quarter with a day of their own
        con.execute(f"""
            INSERT INTO meetings (article_id, position, kind, day, place, participants, sentence, start_char, end_char)
            WITH m AS (
                SELECT i, article_id, cast_size, published_at, fetched_at,
                       unnest(range(CASE WHEN r < 0.66 THEN 0 WHEN r < 0.95 THEN 1 ELSE 2 END)) AS p
                FROM (SELECT *, {u('i', 40)} AS r FROM gen)
            ),
            drawn AS (
                SELECT *,
                       {_zipf(u(f"i * 8 + hash(i, p, 41, {seed}) % cast_size", 13), ACTORS)} AS a,
                       {_zipf(u(f"i * 8 + hash(i, p, 42, {seed}) % cast_size", 43), ACTORS)} AS b,
                       {u('i * 8 + p', 44)} AS k, {u('i * 8 + p', 45)} AS pl, {u('i * 8 + p', 46)} AS d
                FROM m
            )
            SELECT
                article_id, p,
                CASE WHEN k < 0.55 THEN 'met' WHEN k < 0.75 THEN 'talks' WHEN k < 0.82 THEN 'call'
                     WHEN k < 0.87 THEN 'visit' WHEN k < 0.95 THEN 'planned' ELSE 'refused' END,
                CASE WHEN d < 0.25 THEN CAST(COALESCE(published_at, fetched_at) AS DATE) - CAST(d * 8 AS INTEGER) END,
                CASE WHEN pl < 0.5 THEN ['Kabul', 'Doha', 'Islamabad', 'Tashkent', 'Moscow', 'Tehran'][1 + CAST(pl * 12 AS INTEGER)] END,
                list_sort(['Actor ' || lpad(CAST(a AS VARCHAR), 3, '0'),
                           'Actor ' || lpad(CAST(CASE WHEN b = a THEN b % {ACTORS} + 1 ELSE b END AS VARCHAR), 3, '0')]),
                'Actor ' || a || ' met Actor ' || b || '.', 0, 30
            FROM drawn
        """)
        # runs: the 30-minute ingest over the period (a few failed), plus backfills and reprocesses
        con.execute(f"""
            INSERT INTO runs (run_id, flow, started_at, finished_at, status, articles_new, duplicates_new, feeds_total,
                              feeds_not_modified, feeds_failed, pages_fetched, pages_failed, detail)
            SELECT
                'ingest-' || strftime(t, '%Y%m%dT%H%M'), 'ingest', t, t + to_seconds(CAST(60 + 200 * {u('k', 26)} AS BIGINT)),
                CASE WHEN {u('k', 27)} < 0.015 THEN 'failed' ELSE 'completed' END,
                0, 0, 60, 40, CAST(3 * {u('k', 28)} AS INTEGER), 30, 1, NULL
            FROM (SELECT k, TIMESTAMP '{START}' + to_minutes(30 * k) AS t FROM range({DAYS} * 48) AS g(k))
        """)
        con.execute(f"""
            INSERT INTO runs (run_id, flow, started_at, finished_at, status, articles_new, duplicates_new, feeds_total,
                              feeds_not_modified, feeds_failed, pages_fetched, pages_failed, detail)
            SELECT f || '-' || k, f, TIMESTAMP '{START}' + to_days(k * 17), TIMESTAMP '{START}' + to_days(k * 17) + INTERVAL 2 HOUR,
                   'completed', 0, 0, 0, 0, 0, 0, 0, NULL
            FROM range(40) AS g(k), (VALUES ('backfill'), ('reprocess')) AS v(f)
        """)
        con.execute("""
            UPDATE runs SET articles_new = n.new, duplicates_new = n.dups, pages_fetched = n.new
            FROM (SELECT run_id, COUNT(*) AS new, COUNT(duplicate_of) AS dups FROM articles GROUP BY run_id) AS n
            WHERE runs.run_id = n.run_id
        """)
        con.execute(f"""
            INSERT INTO feeds (feed_url, source, etag, last_modified, last_checked_at, last_ok_at, last_status,
                               last_error, entries_last, consecutive_failures)
            SELECT DISTINCT feed_url, source, NULL, NULL, TIMESTAMP '{START}' + to_days({DAYS}), TIMESTAMP '{START}' + to_days({DAYS}),
                   'ok', NULL, 50, 0
            FROM articles
        """)
        con.execute(f"""
            INSERT INTO failures (run_id, url, stage, source, reason, detail, http_status, permanent, failed_at)
            SELECT 'ingest-' || strftime(TIMESTAMP '{START}' + to_minutes(30 * (k % ({DAYS} * 48))), '%Y%m%dT%H%M'),
                   'https://source-' || (k % {SOURCES}) || '.example/gone/' || k, 'page', 'Source ' || lpad(CAST(k % {SOURCES} AS VARCHAR), 2, '0'),
                   CASE WHEN k % 3 = 0 THEN 'timeout' ELSE 'http_status' END, NULL,
                   CASE WHEN k % 3 = 0 THEN NULL ELSE 404 END, k % 3 <> 0,
                   TIMESTAMP '{START}' + to_minutes(30 * (k % ({DAYS} * 48)))
            FROM range({max(1, articles // 20)}) AS g(k)
        """)
        if writer_state:
            _writer_state(con, articles)
        con.execute("DROP TABLE gen")
        con.execute("CHECKPOINT")
        return {
            t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("articles", "mentions", "article_topics", "quotes", "meetings", "runs", "failures", "actors")
        }


def _writer_state(con, articles: int, chunk: int = 100_000) -> None:
    """Sketches (64 values below 2**31, as pipeline.dedup makes them), their 16 band keys, and the full-text
    index taken in chunk by chunk through the writer's own update (pipeline/sql/search/update.sql)."""
    from pipeline import dedup

    con.execute(f"""
        INSERT INTO article_sketches
        SELECT article_id, list_transform(range({dedup.NUM_PERM}), k -> CAST(hash(article_id, k) % 2147483648 AS UINTEGER))
        FROM articles
    """)
    con.execute(f"""
        INSERT INTO sketch_bands
        SELECT CAST(hash(article_id, 'band', b) % 9223372036854775807 AS BIGINT), article_id
        FROM articles, range({dedup.BANDS}) AS g(b)
    """)
    update = (store.SQL_ROOT / "search" / "update.sql").read_text(encoding="utf-8")
    store.load_fts(con)
    for start in range(0, articles, chunk):
        con.execute(
            "INSERT INTO search_pending SELECT article_id FROM gen WHERE i >= ? AND i < ?", [start, start + chunk]
        )
        con.execute(update)
