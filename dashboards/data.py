"""The dashboard's only way to the database: one short read-only connection per query, cached for a minute.

Every query selects from the SQL views of `pipeline/sql/views/` (the aggregation lives there) with bound
parameters; the full-text search also reads the fts extension's index of `articles`. A run writing at the
same time only makes a query wait for DuckDB's lock (`store.reader` retries), under a spinner.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from pipeline import store

DEFAULT_DB = Path("data/newsmon.duckdb")
TTL_SECONDS = 60
WAITING = "Reading the database (waiting for it if a run is writing)..."
# the views this dashboard reads: a database prepared by an older newsmon lacks some of them
REQUIRED_VIEWS = (
    "article_list", "article_detail", "article_mentions", "source_daily", "actor_source_daily",
    "topic_source_daily", "pair_articles", "pair_source_daily", "quote_list", "unregistered_daily", "run_status",
    "actor_articles", "topic_articles", "name_articles", "name_spellings", "meeting_events", "meeting_reports",
)


def db_path() -> Path | str:
    """$NEWSMON_DB, else `--db PATH` after `streamlit run app.py --`, else data/newsmon.duckdb. A DuckLake store
    (`ducklake:postgres:...`) stays a string."""
    if os.environ.get("NEWSMON_DB"):
        value = os.environ["NEWSMON_DB"]
        return value if value.startswith("ducklake:") else Path(value)
    argv = sys.argv[1:]
    for i, arg in enumerate(argv):
        if arg == "--db" and i + 1 < len(argv):
            return Path(argv[i + 1])
        if arg.startswith("--db="):
            return Path(arg.split("=", 1)[1])
    return DEFAULT_DB


def _params(params: tuple) -> list:
    return [list(p) if isinstance(p, tuple) else p for p in params]


@st.cache_data(ttl=TTL_SECONDS, show_spinner=WAITING)
def query(db: str, sql: str, params: tuple = (), fts: bool = False) -> pd.DataFrame:
    """One read-only query; `fts` loads the full-text search extension first. Tuples in `params` are bound
    as lists (for `list_contains(?, column)`)."""
    with store.reader(db, search=fts) as con:
        return con.execute(sql, _params(params)).df()


@dataclass(frozen=True)
class DatabaseState:
    ready: bool
    problem: str = ""  # when not ready: what is wrong, in a sentence
    search_index: bool = False  # the fts index exists and its extension can be loaded


@st.cache_data(ttl=15, show_spinner=WAITING)
def database_state(db: str) -> DatabaseState:
    path = db if db.startswith("ducklake:") else Path(db)  # a DuckLake store is read as any database
    if isinstance(path, Path) and not path.exists():
        return DatabaseState(False, f"There is no database at `{path}` yet.")
    try:
        with store.reader(path) as con:
            names = {
                r[0]
                for r in con.execute(
                    "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'"
                    " UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main'"
                ).fetchall()
            }
            if "articles" not in names:
                return DatabaseState(False, f"`{path}` is not a newsmon database yet (it has no articles table).")
            missing = [v for v in REQUIRED_VIEWS if v not in names]
            if missing:
                return DatabaseState(
                    False,
                    f"`{path}` was prepared by an older newsmon (no `{missing[0]}` view): any `newsmon run` "
                    "or `newsmon backfill` brings its views up to date.",
                )
            if not con.execute("SELECT COUNT(*) FROM article_list").fetchone()[0]:
                return DatabaseState(False, f"The database `{path}` holds no articles yet.")
            index = store.search_index_ready(con) and store.fts_extension_path() is not None
            return DatabaseState(True, search_index=index)
    except store.StoreError as exc:
        return DatabaseState(False, str(exc))


@dataclass(frozen=True)
class Filters:
    """The sidebar's global filters: every query restricts to this date range and these sources."""

    start: date
    end: date
    sources: tuple[str, ...]

    # the WHERE clause every view with `day` and `source` takes, and its parameters (list_contains, not
    # IN (SELECT UNNEST(?)): a filter in the scan rather than a join, so that DuckDB reads only the rows
    # and columns it needs, e.g. the newest 500 articles)
    where = "day BETWEEN ? AND ? AND list_contains(?, source)"

    @property
    def params(self) -> tuple:
        return (self.start, self.end, self.sources)
