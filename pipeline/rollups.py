"""The rollup tables behind the views: kept by the writer, rebuilt by `store.prepare` when out of date.

The views of pipeline/sql/views/ read these tables instead of aggregating every mention on each read
(on a million articles that takes seconds; see bench/views.py). Each write that changes what they
summarise calls `refresh` in its own transaction, so a reader sees the rollups and the rows they
summarise from the same commit:

1. per-article tables (`rollup_articles`, `rollup_article_actors`, `_pairs`, `_names`) for the articles
   written, from their mentions as just written (staged in a temporary table, so that a batch does not
   scan every stored mention), and the new story of the articles whose near-duplicate group was re-rooted;
2. per-day tables for the days of those articles, per-week ones for their weeks, and `rollup_actor_pairs`
   for the pairs of the stories they belong or belonged to: each pair's total moves by what those stories
   count after the write minus what they counted before, so a batch does not recount every stored pair.

The SQL is in pipeline/sql/rollups/ (run in name order; each file deletes the rows of the scope that it
holds and inserts them again, except `rollup_actor_pairs`, which moves by a difference), reading the
temporary tables `scope_articles`, `scope_replaced` (those of them that had rows before), `scope_mentions`
(a view), `scope_day_sources` (the per-source tables recount only the days and sources a write touched),
`scope_days`, `scope_weeks` and `scope_stories`. A rebuild is the same with everything in scope.

A file that reads whole rows of a big table for the scope (the articles' titles and texts, the quotes)
selects them by row id, `WHERE rowid IN (SELECT rowid FROM t WHERE article_id IN (...))`: DuckDB then
reads the narrow key column of every row but the wide columns of the scope's rows only, where a filter on
the key alone reads every stored text in a session that starts cold (each batch's does): 0.4 s a batch at
1,000,000 articles against 0.02 s (bench/growth.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from importlib import resources

import duckdb

SETTINGS_KEY = "rollups"
REBUILD_ARTICLES = 250_000  # articles per step of a rebuild
MENTION_COLUMNS = ("article_id", "actor", "surface", "label", "start_char", "end_char", "name")
MENTION_TYPES = ("VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "INTEGER", "INTEGER", "VARCHAR")


def _files() -> list[tuple[str, str]]:
    folder = resources.files("pipeline") / "sql" / "rollups"
    return sorted((f.name, f.read_text(encoding="utf-8")) for f in folder.iterdir() if f.name.endswith(".sql"))


def _run(con: duckdb.DuckDBPyConnection, stage: str) -> None:
    """Run the rollup files of one stage: '0' before the scope's rows change, '1' per article, '2' per day,
    '3' per week and per pair."""
    for name, sql in _files():
        if name.startswith(stage):
            con.execute(sql)


def stage_mentions(con: duckdb.DuckDBPyConnection, rows: Sequence[Sequence]) -> None:
    """Put mention rows (columns as MENTION_COLUMNS) in the temporary table `staged_mentions`, from which
    the writer inserts them into `mentions` and `refresh` reads them."""
    columns = [list(c) for c in zip(*rows)] if rows else [[] for _ in MENTION_COLUMNS]
    select = ", ".join(f"UNNEST(?::{t}[]) AS {c}" for c, t in zip(MENTION_COLUMNS, MENTION_TYPES))
    con.execute(f"CREATE OR REPLACE TEMP TABLE staged_mentions AS SELECT {select}", columns)


def _scope(con: duckdb.DuckDBPyConnection, name: str, sql: str, params: Sequence = ()) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}", list(params))


def refresh(
    con: duckdb.DuckDBPyConnection,
    article_ids: Sequence[str],
    reroots: dict[str, str] | None = None,
    fresh: bool = False,
) -> None:
    """Bring the rollups up to date after this transaction (re)wrote the articles `article_ids` with all
    their rows (their mentions, all of them, staged by `stage_mentions`), and after it pointed the groups
    of `reroots` (old root -> new root) at their new root in `articles`. `fresh`: the articles were stored
    only now, so no rollup holds them yet (nothing of theirs to delete, which saves a scan of each
    per-article table)."""
    olds = sorted(reroots or {})
    if not article_ids and not olds:
        return
    _scope(con, "scope_articles", "SELECT DISTINCT UNNEST(?::VARCHAR[]) AS article_id", [list(article_ids)])
    _scope(con, "scope_replaced", "SELECT article_id FROM scope_articles WHERE NOT ?", [fresh])
    _scope(con, "rerooted", """
        SELECT article_id, day, source FROM rollup_articles WHERE story_id IN (SELECT UNNEST(?::VARCHAR[]))""", [olds])
    # what the per-day tables must recount: the scope's days (and, for the per-source ones, only the sources
    # of the scope on those days) before and after
    _scope(con, "scope_day_sources", """
        SELECT day, source FROM rerooted
        UNION SELECT day, source FROM rollup_articles
              WHERE article_id IN (SELECT article_id FROM scope_replaced)""")
    # the stories whose pairs change: the scope's stories before and after, and both roots of a re-rooting
    _scope(con, "scope_stories", """
        SELECT story_id FROM rollup_articles WHERE article_id IN (SELECT article_id FROM scope_replaced)
        UNION SELECT COALESCE(duplicate_of, article_id) FROM articles WHERE article_id IN (SELECT article_id FROM scope_articles)
        UNION SELECT UNNEST(?::VARCHAR[])""", [olds + [reroots[old] for old in olds]])
    _run(con, "0")
    if olds:
        story = "(SELECT COALESCE(a.duplicate_of, a.article_id) FROM articles AS a WHERE a.article_id = t.article_id)"
        con.execute(f"""UPDATE rollup_articles AS t
                        SET duplicate_of = (SELECT a.duplicate_of FROM articles AS a WHERE a.article_id = t.article_id),
                            story_id = {story}
                        WHERE t.article_id IN (SELECT article_id FROM rerooted)""")
        for table in ("rollup_article_actors", "rollup_article_names", "rollup_article_pairs", "rollup_meeting_reports"):
            con.execute(f"UPDATE {table} AS t SET story_id = {story} WHERE t.article_id IN (SELECT article_id FROM rerooted)")
    con.execute("CREATE OR REPLACE TEMP VIEW scope_mentions AS SELECT * FROM staged_mentions")
    _run(con, "1")
    con.execute("""INSERT INTO scope_day_sources SELECT day, source FROM rollup_articles
                   WHERE article_id IN (SELECT article_id FROM scope_articles)""")
    _scope(con, "scope_days", "SELECT DISTINCT day FROM scope_day_sources")
    _scope(con, "scope_weeks", "SELECT DISTINCT CAST(date_trunc('week', day) AS DATE) AS week FROM scope_days")
    _run(con, "2")
    _run(con, "3")
    _remember(con)


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Every rollup from the tables it summarises (call in a transaction). The per-article tables are
    filled REBUILD_ARTICLES articles at a time, in day order: a million articles' mentions aggregated at
    once take more memory than the machine has."""
    for name in _tables(con):
        con.execute(f"DELETE FROM {name}")
    day = "CAST(COALESCE(published_at, fetched_at) AS DATE)"
    chunks = con.execute(f"""
        SELECT MIN(day), MAX(day) FROM (
            SELECT day, (SUM(n) OVER (ORDER BY day) - n) // {REBUILD_ARTICLES} AS chunk
            FROM (SELECT {day} AS day, COUNT(*) AS n FROM articles GROUP BY 1)
        ) GROUP BY chunk ORDER BY 1""").fetchall()
    _scope(con, "scope_replaced", "SELECT NULL::VARCHAR AS article_id WHERE false")  # the tables are empty
    _scope(con, "scope_articles", "SELECT NULL::VARCHAR AS article_id WHERE false")  # until the first chunk
    _scope(con, "scope_stories", "SELECT DISTINCT COALESCE(duplicate_of, article_id) AS story_id FROM articles")
    _run(con, "0")
    for first, last in chunks:
        _scope(con, "scope_articles", f"SELECT article_id FROM articles WHERE {day} BETWEEN ? AND ?", [first, last])
        # staged once per chunk: each per-article file reads them
        _scope(con, "staged_mentions", "SELECT * FROM mentions WHERE article_id IN (SELECT article_id FROM scope_articles)")
        con.execute("CREATE OR REPLACE TEMP VIEW scope_mentions AS SELECT * FROM staged_mentions")
        _run(con, "1")
    _scope(con, "scope_day_sources", "SELECT DISTINCT day, source FROM rollup_articles")
    _scope(con, "scope_days", "SELECT DISTINCT day FROM scope_day_sources")
    _scope(con, "scope_weeks", "SELECT DISTINCT CAST(date_trunc('week', day) AS DATE) AS week FROM scope_days")
    _run(con, "2")
    _run(con, "3")
    _remember(con)


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND table_name LIKE 'rollup\\_%' ESCAPE '\\'"
    ).fetchall()]


def _state(con: duckdb.DuckDBPyConnection) -> str:
    """What the rollups were built from: the rollup queries, the threshold and the row counts of the
    tables they summarise (a write that bypassed the writer shows as a change of count)."""
    queries = hashlib.sha256("".join(sql for _name, sql in _files()).encode()).hexdigest()[:16]
    [(threshold,)] = con.execute(
        "SELECT COALESCE(MAX(value), '') FROM newsmon_settings WHERE key = 'relevance_threshold'"
    ).fetchall()
    counts = con.execute(
        "SELECT (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM mentions), (SELECT COUNT(*) FROM article_topics),"
        " (SELECT COUNT(*) FROM meetings)"
    ).fetchone()
    return f"{queries}:{threshold}:{':'.join(map(str, counts))}"


def _remember(con: duckdb.DuckDBPyConnection) -> None:
    _setting(con, SETTINGS_KEY, _state(con))


def _setting(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    """Set a newsmon setting (a DELETE and an INSERT: a DuckLake store has no key to replace on)."""
    con.execute("DELETE FROM newsmon_settings WHERE key = ?", [key])
    con.execute("INSERT INTO newsmon_settings VALUES (?, ?)", [key, value])


def current(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("SELECT value FROM newsmon_settings WHERE key = ?", [SETTINGS_KEY]).fetchone()
    return bool(row) and row[0] == _state(con)


def ensure(con: duckdb.DuckDBPyConnection, relevance_threshold: float | None = None) -> bool:
    """Set the relevance threshold (if given) and rebuild the rollups if they may be out of date, in one
    transaction; True when it rebuilt them."""
    from pipeline.store import transaction  # store imports this module

    with transaction(con):
        if relevance_threshold is not None:
            _setting(con, "relevance_threshold", str(relevance_threshold))
        stale = not current(con)
        if stale:
            rebuild(con)
    return stale
