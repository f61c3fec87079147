"""DuckDB storage: a migrations ledger, views recreated on open, and one transaction per batch.

Writers hold the file only while they write a batch, so that readers (`newsmon sql`, the dashboard) can
open it read-only between batches; both sides wait a little for the lock instead of failing at once. A
DuckLake store (`ducklake:postgres:...`) takes the same writes from several writers at once (pipeline/lake.py).
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import BinaryIO, TypeVar

import duckdb

from pipeline import dedup, rollups
from pipeline.faults import checkpoint
from pipeline.records import Article, Enrichment, Failure, FeedEntry

SQL_ROOT = resources.files("pipeline") / "sql"
T = TypeVar("T")
log = logging.getLogger(__name__)
LOCK_WAIT_SECONDS = 60.0  # for DuckDB's file lock, which readers also hold briefly
WRITER_WAIT_SECONDS = 1800.0  # for another writer's batch to commit
# The writer runs beside the extraction and NLP workers, which keep every core busy: DuckDB's own threads
# would only contend with them (one thread: a batch write takes 0.20 s of CPU instead of 0.27 s, the
# full-text index of 10,000 articles 5 s instead of 11 s).
WRITER_THREADS = 1
# A batch's session ends in a checkpoint, which rewrites the last row group of every table with an index it
# appended to (DuckDB starts a new row group for an append only in tables without one): in `articles` and
# `article_html` (long texts, pages) that rewrite grows with the table, up to DuckDB's row groups of
# 122,880 rows. The sessions that write batches use row groups of BATCH_ROW_GROUP_SIZE rows, which keep it
# bounded. 2,048 did that too, but a table without an index then writes a row group to disk every 2,048 rows
# as they are inserted: a batch's 47,000 article pairs took 117 ms to insert instead of 23 ms, and writing
# the 10 batches of 2,000 real corpus articles took 10.3 s of CPU instead of 7.8 s (bench/writes.py has no
# article pairs to speak of and showed no difference). Other sessions keep DuckDB's size: the full-text
# index, built at a run's end, takes three times the memory when built in small row groups.
BATCH_ROW_GROUP_SIZE = 8192
# Writers do not try FSST on strings: at each checkpoint DuckDB analyses every new string segment with
# every method it may use, and FSST's analysis was about a seventh of a batch's write (10 batches of real
# corpus articles: 6.7 s of CPU against 7.7 s, medians of 3) while the file came out the same size (10,000
# articles: 251 against 247 MiB): article texts are long and distinct, and the pages are zlib-compressed.
# (A SET: passed to connect() in its config, DuckDB 1.5.5 checks the value but does not apply it.)
# Writers keep DuckDB's memory to WRITER_MEMORY_LIMIT (its buffer of blocks read, and what queries hold;
# beyond it they spill to `<database>.tmp`). Each session starts cold and DuckDB keeps every block it reads
# while it has room, so without a limit a batch's session at 1,000,000 stored articles took the writer
# process to 1,250 MiB against 373 MiB into an empty database; with 128 MB, 403 MiB, and the batches were
# no slower (1.2-1.9 s against 1.5-2.7 s; bench/growth.py). Only the batch sessions have it: migrations and
# rebuilds rewrite whole tables (a rollup rebuild of 1,000,000 articles failed within 128 MB, and once set,
# DuckDB 1.5.5 kept the limit in force after a RESET).
WRITER_MEMORY_LIMIT = "128MB"
WRITER_SETTINGS = "SET disabled_compression_methods = 'fsst,dict_fsst'"


_VALUES = re.compile(r"\bVALUES\s*\(([^()]*)\)", re.IGNORECASE)


class StoreError(Exception):
    """The database cannot be used; the message is one line naming the problem."""


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _sql_files(folder: str) -> list[tuple[str, str]]:
    entries = sorted((f.name, f) for f in (SQL_ROOT / folder).iterdir() if f.name.endswith(".sql"))
    return [(name, f.read_text(encoding="utf-8")) for name, f in entries]


def _is_lock_error(exc: duckdb.Error) -> bool:
    """DuckDB's "Could not set lock on file ...: Conflicting lock is held in ...", and nothing else (a corrupt
    file's "... in block at location 0" is not a lock to wait for)."""
    message = str(exc).lower()
    return "could not set lock" in message or "conflicting lock" in message


def _open(path: Path, read_only: bool, row_group_size: int | None = None) -> duckdb.DuckDBPyConnection:
    """A connection to the database file. With `row_group_size`, the writer attaches the file (under the
    name that opening it would give) with row groups of that many rows."""
    if row_group_size is None:
        if read_only:
            return duckdb.connect(str(path), read_only=True)
        con = duckdb.connect(str(path), config={"threads": WRITER_THREADS})
        con.execute(WRITER_SETTINGS)
        return con
    con = duckdb.connect(":memory:", config={"threads": WRITER_THREADS, "temp_directory": f"{path}.tmp"})
    try:
        con.execute(WRITER_SETTINGS)
        con.execute(f"SET memory_limit = '{WRITER_MEMORY_LIMIT}'")
        con.execute(f"ATTACH '{_quoted(path)}' (ROW_GROUP_SIZE {int(row_group_size)})")
        [(name,)] = con.execute(
            "SELECT database_name FROM duckdb_databases() WHERE database_name NOT IN ('memory', 'system', 'temp')"
        ).fetchall()
        con.execute(f'USE "{name.replace(chr(34), chr(34) * 2)}"')
    except BaseException:
        con.close()
        raise
    return con


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def _connect(path: Path, read_only: bool, wait: float, row_group_size: int | None = None) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait
    delay = 0.05
    while True:
        try:
            return _open(path, read_only, row_group_size)
        except duckdb.IOException as exc:
            if _is_lock_error(exc) and time.monotonic() < deadline:
                if delay == 0.05:
                    log.info("database %s is locked by another process: waiting up to %.0f s", path, wait)
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
                continue
            message = str(exc).splitlines()[0]
            if _is_lock_error(exc):
                raise StoreError(f"database {path} is locked by another process: {message}") from None
            raise StoreError(f"cannot open database {path}: {message}") from None
        except duckdb.Error as exc:
            raise StoreError(f"cannot open database {path}: {str(exc).splitlines()[0]}") from None


def _is_duckdb_file(path: Path) -> bool:
    """DuckDB's main header: a checksum (8 bytes), then the magic bytes DUCK."""
    with open(path, "rb") as fh:
        return fh.read(12)[8:] == b"DUCK"


def check_database_file(path: Path) -> None:
    """Refuse, before anything is opened or created next to it, a path that is a folder or a file that is
    not a DuckDB database (text, random bytes, an empty file, SQLite...). A path that does not exist is fine."""
    path = Path(path)
    if path.is_dir():
        raise StoreError(f"database path is a directory: {path}")
    if not path.exists() or _is_duckdb_file(path):
        return
    if Path(f"{path}.lock").exists():  # a newsmon writer may be creating it this very moment: look again
        with writer_lock(path):  # once it has finished (the lock file exists already: nothing is created)
            if _is_duckdb_file(path):
                return
    raise StoreError(f"not a DuckDB database: {path} (newsmon leaves it alone)")


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the migrations not yet in the ledger, each in its own transaction. A database whose ledger
    names a migration this newsmon does not have was made by a newer newsmon: it is refused untouched."""
    known = [name for name, _sql in _sql_files("migrations")]
    ledger = con.execute(
        "SELECT COUNT(*) FROM duckdb_tables() WHERE table_name = 'schema_migrations' AND schema_name = 'main'"
    ).fetchone()[0]
    if ledger:
        newer = sorted({r[0] for r in con.execute("SELECT name FROM schema_migrations").fetchall()} - set(known))
        if newer:
            raise StoreError(f"made by a newer newsmon (migration {newer[-1]} is unknown here): upgrade newsmon")
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT NULL)"
    )
    done = {row[0] for row in con.execute("SELECT name FROM schema_migrations").fetchall()}
    applied = []
    for name, sql in _sql_files("migrations"):
        if name in done:
            continue
        with transaction(con):
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?)", [name, utcnow()])
        applied.append(name)
    return applied


def create_views(con: duckdb.DuckDBPyConnection, macros: bool = True) -> None:
    """(Re)create every view, and with `macros` the table macros. Views select from one another: one whose base
    view does not exist yet is tried again after the others, until all exist (a view that can never be created
    raises)."""
    pending = _sql_files("views")
    while pending:
        failed = []
        for name, sql in pending:
            try:
                con.execute(sql)
            except duckdb.CatalogException:
                failed.append((name, sql))
        if len(failed) == len(pending):
            con.execute(failed[0][1])  # no progress: raise the first one's error
        pending = failed
    if macros:
        create_macros(con)


def create_macros(con: duckdb.DuckDBPyConnection, temporary: bool = False) -> None:
    """The table macros over the rollups (actor_totals, topic_totals); `temporary`: for this connection only
    (a DuckLake store cannot keep a macro with a default parameter, so its readers define them)."""
    for _name, sql in _sql_files("macros"):
        con.execute(sql.replace("CREATE OR REPLACE MACRO", "CREATE OR REPLACE TEMP MACRO") if temporary else sql)


# Full-text search over article titles and texts (DuckDB's fts extension, from the PyPI package
# duckdb-extension-fts, loaded from its file: nothing is downloaded). Readers open the database read-only
# and cannot build an index, so the writer keeps it: built whole once (create_fts_index), then at the end of
# every run brought up to date with the articles stored since (search_pending), in the index's own tables,
# at a cost that follows the run and not the database. Articles stored after the index's last update (a
# run still writing) are not in it: the dashboard searches those with ILIKE.


def fts_extension_path() -> Path | None:
    """The fts extension file inside the duckdb-extension-fts package matching this DuckDB, if installed."""
    try:
        import duckdb_extension_fts
    except ImportError:
        return None
    path = Path(duckdb_extension_fts.__file__).parent / "extensions" / f"v{duckdb.__version__}" / "fts.duckdb_extension"
    return path if path.is_file() else None


def load_fts(con: duckdb.DuckDBPyConnection) -> bool:
    """LOAD the fts extension into this connection; False when the package is not installed."""
    path = fts_extension_path()
    if path is None:
        return False
    con.execute(f"LOAD '{_quoted(path)}'")
    return True


def search_index_ready(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "SELECT COUNT(*) FROM duckdb_tables() WHERE schema_name = 'fts_main_articles' AND table_name = 'docs'"
        ).fetchone()[0]
    )


def refresh_search_index(con: duckdb.DuckDBPyConnection, in_transaction: bool = False) -> str:
    """Bring the full-text index of articles (title, text) up to date: add the articles stored since its last
    update (and re-read those whose text was replaced), or build it whole when there is none or it does not
    cover every article (an index from before search_pending, a copied database). Returns what happened:
    'updated', 'built', 'current', 'empty' or 'no_extension'. Done in a transaction of its own, unless the
    caller has `con` in one (`in_transaction`), whose commit then covers it."""
    count = con.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    if count == 0:
        return "empty"
    pending = con.execute("SELECT COUNT(*) FROM search_pending").fetchone()[0]
    ready = search_index_ready(con)
    if ready and not pending and _indexed(con) == count:
        return "current"
    if not load_fts(con):
        return "no_extension"
    with nullcontext() if in_transaction else transaction(con):
        if ready:
            con.execute((SQL_ROOT / "search" / "update.sql").read_text(encoding="utf-8"))
            if _indexed(con) == count:
                return "updated"
        con.execute(
            "PRAGMA create_fts_index('articles', 'article_id', 'title', 'text',"
            " stemmer = 'porter', stopwords = 'english', strip_accents = 1, lower = 1, overwrite = 1)"
        )
        con.execute("DELETE FROM search_pending")
    return "built"


def _indexed(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT COUNT(*) FROM fts_main_articles.docs").fetchone()[0]


# Connections whose whole session is one transaction, committed by its owner (a DuckLake writer's session:
# pipeline/lake.py): a transaction asked for inside one joins it (DuckDB has no nested transactions, and a
# BEGIN inside one aborts it).
_one_transaction: set[int] = set()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """A transaction on `con`, committed when the block ends and rolled back when it raises; joins the
    session's transaction instead on a DuckLake writer's connection."""
    if id(con) in _one_transaction:
        yield
        return
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def seal(con: duckdb.DuckDBPyConnection) -> None:
    """Leave a connection the database and nothing else: no file outside it may be read or written (COPY TO,
    EXPORT DATABASE, ATTACH, read_csv, read_text, glob), no extension installed or loaded, and no setting
    changed (so none of this can be switched back on)."""
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


@contextmanager
def reader(
    path: Path | str, wait: float = LOCK_WAIT_SECONDS, search: bool = False, at: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to an existing database, sealed (see `seal`); with `search`, the bundled
    full-text search extension is loaded first, when installed. A DuckLake store (`ducklake:postgres:...`,
    pipeline/lake.py) is read at its latest snapshot, or as of `at`."""
    if is_store(path):
        from pipeline import lake

        with lake.reader(str(path), at=at) as con:
            yield con
        return
    if at is not None:
        raise StoreError("--at reads the past of a DuckLake store; a DuckDB file keeps no history")
    path = Path(path)
    if path.is_dir():
        raise StoreError(f"database path is a directory: {path}")
    if not path.is_file():
        raise StoreError(f"no database at {path} (run `newsmon run` or `newsmon demo` first)")
    con = _connect(path, read_only=True, wait=wait)  # a file that is not DuckDB is refused here, untouched
    try:
        try:
            if search:
                load_fts(con)
            seal(con)
        except duckdb.Error as exc:
            raise StoreError(f"cannot open database {path}: {str(exc).splitlines()[0]}") from None
        yield con
    finally:
        con.close()


@dataclass(frozen=True)
class BatchResult:
    new: int
    duplicates: int
    skipped: int  # already stored


# A run's process holds an exclusive lock on `<database>.run-<run_id>.lock` from start_run to finish_run.
# The kernel drops it when the process ends, however it ends (kill -9, out of memory), so a run still
# 'running' whose lock nobody holds has crashed: the next run marks it so. This holds across process ids
# reused and containers restarted under another host name, where a host + pid check would not.
_run_locks: dict[str, BinaryIO] = {}
_run_locks_guard = threading.Lock()


def run_lock_path(db: Path, run_id: str) -> Path:
    return Path(f"{db}.run-{run_id}.lock")


def _hold_run_lock(path: Path) -> None:
    handle = open(path, "a+b")  # noqa: SIM115 (kept open for the life of the run)
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a new run id: nobody else has it
    with _run_locks_guard:
        _run_locks[str(path)] = handle


def _release_run_lock(path: Path) -> None:
    with _run_locks_guard:
        handle = _run_locks.pop(str(path), None)
    if handle is not None:
        path.unlink(missing_ok=True)
        handle.close()


def _run_lock_held(path: Path) -> bool:
    """Whether a process (this one included) holds the run's lock; a missing file is a lock nobody holds,
    and one this process may not open is taken as held (nothing is known of that run)."""
    try:
        handle = open(path, "rb")  # noqa: SIM115
    except FileNotFoundError:
        return False
    except OSError:
        return True
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        return False


class Writer:
    """The one read-write connection of a batch. Use through `writer()`."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path | None = None, lake: bool = False):
        self.con = con
        self.path = path  # the database file: where the runs' locks are
        self.lake = lake  # a DuckLake store (pipeline/lake.py): no keys, no full-text index
        self.search_index = ""  # what finish_run did to the full-text index
        self._in_transaction = False  # inside `transaction()`

    def _many(self, sql: str, rows: list) -> None:
        """Run a statement for many rows. An `INSERT ... VALUES (?, ...)` becomes one bulk statement,
        `INSERT ... SELECT UNNEST(?), ...` over the rows' columns, which DuckDB runs in one pass instead of
        row by row (two orders of magnitude faster for mentions); other statements go through executemany.
        An empty list does nothing (DuckDB's executemany refuses one)."""
        if not rows:
            return
        values = _VALUES.search(sql)
        if values is None:
            self.con.executemany(sql, rows)
            return
        items = [item.strip() for item in values.group(1).split(",")]
        select = ", ".join("UNNEST(?)" if item == "?" else item for item in items)
        columns = [list(column) for column in zip(*rows)]
        self.con.execute(f"{sql[: values.start()]}SELECT {select}{sql[values.end():]}", columns)

    # runs ---------------------------------------------------------------------------------------
    def start_run(self, flow: str) -> str:
        """Record a new run of `flow` by this process, after marking the runs whose process is gone."""
        run_id = f"{utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        self.mark_crashed_runs(run_id)
        if self.path is not None:
            _hold_run_lock(run_lock_path(self.path, run_id))
        self.con.execute(
            "INSERT INTO runs (run_id, flow, started_at, status, host, pid) VALUES (?, ?, ?, 'running', ?, ?)",
            [run_id, flow, utcnow(), socket.gethostname(), os.getpid()],
        )
        return run_id

    def mark_crashed_runs(self, noticed_by: str = "") -> list[str]:
        """Mark 'crashed' the runs still 'running' whose process has ended (nobody holds their lock), with
        what they had committed. Runs recorded before runs had a process (no pid) are left as they are."""
        if self.path is None:
            return []
        running = self.con.execute("SELECT run_id, host, pid FROM runs WHERE status = 'running' AND pid IS NOT NULL")
        crashed = [row for row in running.fetchall() if not _run_lock_held(run_lock_path(self.path, row[0]))]
        for run_id, host, pid in crashed:
            by = f" when run {noticed_by} started" if noticed_by else ""
            self.con.execute(
                """UPDATE runs SET status = 'crashed',
                       articles_new = (SELECT COUNT(*) FROM articles WHERE run_id = $run),
                       duplicates_new = (SELECT COUNT(duplicate_of) FROM articles WHERE run_id = $run),
                       detail = $detail
                   WHERE run_id = $run AND status = 'running'""",
                {"run": run_id, "detail": f"process {pid} on {host} ended without finishing; "
                                          f"noticed at {utcnow():%Y-%m-%d %H:%M:%S} UTC{by}"},
            )
            run_lock_path(self.path, run_id).unlink(missing_ok=True)
        return [row[0] for row in crashed]

    def finish_run(self, run_id: str, status: str, counts: dict[str, int], detail: str = "") -> None:
        columns = ("feeds_total", "feeds_not_modified", "feeds_failed", "pages_fetched", "pages_failed")
        new, duplicates = self.con.execute(
            "SELECT COUNT(*), COUNT(duplicate_of) FROM articles WHERE run_id = ?", [run_id]
        ).fetchone()
        self.con.execute(
            f"""UPDATE runs SET finished_at = ?, status = ?, articles_new = ?, duplicates_new = ?, detail = ?,
                {", ".join(f"{c} = ?" for c in columns)} WHERE run_id = ?""",
            [utcnow(), status, new, duplicates, detail or None, *(counts.get(c, 0) for c in columns), run_id],
        )
        # a run's last write: bring the search index up to date. The run is recorded whatever happens here;
        # an index that could not be rebuilt leaves the search on the previous index plus ILIKE.
        try:
            self.search_index = "none in a DuckLake store" if self.lake else refresh_search_index(
                self.con, in_transaction=self._in_transaction)
        except duckdb.Error as exc:
            self.search_index = f"failed: {str(exc).splitlines()[0]}"
            log.warning("search index not rebuilt: %s", self.search_index)
        if self.path is not None:
            _release_run_lock(run_lock_path(self.path, run_id))

    def new_by_source(self, run_id: str) -> dict[str, int]:
        rows = self.con.execute("SELECT source, COUNT(*) FROM articles WHERE run_id = ? GROUP BY source", [run_id])
        return dict(rows.fetchall())

    # feeds --------------------------------------------------------------------------------------
    def feed_state(self, feed_url: str) -> tuple[str | None, str | None]:
        row = self.con.execute("SELECT etag, last_modified FROM feeds WHERE feed_url = ?", [feed_url]).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def record_feed(
        self,
        feed_url: str,
        source: str,
        status: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        entries: int | None = None,
        error: str | None = None,
    ) -> None:
        """Advance a feed's state: call in the transaction that commits the feed's articles."""
        now = utcnow()
        ok = status in ("ok", "not_modified")
        self.con.execute(  # MERGE, not ON CONFLICT: the same statement in a DuckLake store, which has no keys
            """
            MERGE INTO feeds USING (
                SELECT ? AS feed_url, ? AS source, ? AS etag, ? AS last_modified, ?::TIMESTAMP AS last_checked_at,
                       ?::TIMESTAMP AS last_ok_at, ? AS last_status, ? AS last_error, ?::INTEGER AS entries_last,
                       ?::INTEGER AS consecutive_failures
            ) AS excluded ON feeds.feed_url = excluded.feed_url
            WHEN MATCHED THEN UPDATE SET
                source = excluded.source,
                etag = CASE WHEN excluded.last_status = 'ok' THEN excluded.etag ELSE feeds.etag END,
                last_modified = CASE WHEN excluded.last_status = 'ok' THEN excluded.last_modified
                                     ELSE feeds.last_modified END,
                last_checked_at = excluded.last_checked_at,
                last_ok_at = COALESCE(excluded.last_ok_at, feeds.last_ok_at),
                last_status = excluded.last_status,
                last_error = excluded.last_error,
                entries_last = COALESCE(excluded.entries_last, feeds.entries_last),
                consecutive_failures = CASE WHEN excluded.consecutive_failures = 0 THEN 0
                                            ELSE feeds.consecutive_failures + 1 END
            WHEN NOT MATCHED THEN INSERT BY NAME
            """,
            [feed_url, source, etag, last_modified, now, now if ok else None, status, error, entries, 0 if ok else 1],
        )

    # lookups ------------------------------------------------------------------------------------
    def stored_ids(self, article_ids: Sequence[str]) -> set[str]:
        if not article_ids:
            return set()
        rows = self.con.execute(
            "SELECT article_id FROM articles WHERE article_id IN (SELECT UNNEST(?))", [list(article_ids)]
        ).fetchall()
        return {r[0] for r in rows}

    def permanently_failed(self, urls: Sequence[str]) -> set[str]:
        if not urls:
            return set()
        rows = self.con.execute(
            "SELECT DISTINCT url FROM failures WHERE permanent AND url IN (SELECT UNNEST(?))", [list(urls)]
        ).fetchall()
        return {r[0] for r in rows}

    def pending_retries(self, max_attempts: int) -> list[tuple[FeedEntry, int]]:
        rows = self.con.execute(
            """SELECT source, feed_url, link, title, published, author, summary, guid, attempts
               FROM retry_entries WHERE attempts < ? ORDER BY last_try_at""",
            [max_attempts],
        ).fetchall()
        return [
            (FeedEntry(r[0], r[1] or "", r[2], r[3] or "", r[4], r[5] or "", r[6] or "", r[7] or r[2]), r[8])
            for r in rows
        ]

    # writes -------------------------------------------------------------------------------------
    def queue_retries(self, entries: Sequence[tuple[str, FeedEntry, Failure]]) -> None:
        """Remember entries whose page failed for a passing reason; count the attempt."""
        now = utcnow()
        rows = {aid: [aid, e.link, e.source, e.feed_url or None, e.title, e.published, e.author, e.summary, e.guid,
                      f.reason, now] for aid, e, f in entries}  # an entry once: MERGE updates a row once
        if not rows:
            return
        self.con.execute(
            """MERGE INTO retry_entries USING (
                   SELECT UNNEST(?) AS article_id, UNNEST(?) AS link, UNNEST(?) AS source, UNNEST(?) AS feed_url,
                          UNNEST(?) AS title, UNNEST(?::TIMESTAMP[]) AS published, UNNEST(?) AS author,
                          UNNEST(?) AS summary, UNNEST(?) AS guid, 1 AS attempts, UNNEST(?) AS last_reason,
                          UNNEST(?::TIMESTAMP[]) AS last_try_at
               ) AS excluded ON retry_entries.article_id = excluded.article_id
               WHEN MATCHED THEN UPDATE SET attempts = retry_entries.attempts + 1,
                   last_reason = excluded.last_reason, last_try_at = excluded.last_try_at
               WHEN NOT MATCHED THEN INSERT BY NAME""",
            [list(column) for column in zip(*rows.values())],
        )

    def clear_retries(self, article_ids: Sequence[str]) -> None:
        if article_ids:
            self.con.execute(
                "DELETE FROM retry_entries WHERE article_id IN (SELECT UNNEST(?))", [list(article_ids)]
            )

    def record_failures(self, run_id: str, failures: Sequence[tuple[Failure, str | None]]) -> None:
        now = utcnow()
        rows = {(run_id, f.url, f.stage): [run_id, f.url, f.stage, source, f.reason, f.detail[:1000], f.status,
                                           f.permanent, now] for f, source in failures}
        if not rows:
            return
        self.con.execute(  # a failure already recorded for the run, URL and stage is kept as it is
            """MERGE INTO failures USING (
                   SELECT UNNEST(?) AS run_id, UNNEST(?) AS url, UNNEST(?) AS stage, UNNEST(?) AS source,
                          UNNEST(?) AS reason, UNNEST(?) AS detail, UNNEST(?::INTEGER[]) AS http_status,
                          UNNEST(?::BOOLEAN[]) AS permanent, UNNEST(?::TIMESTAMP[]) AS failed_at
               ) AS excluded ON failures.run_id = excluded.run_id AND failures.url = excluded.url
                                AND failures.stage = excluded.stage
               WHEN NOT MATCHED THEN INSERT BY NAME""",
            [list(column) for column in zip(*rows.values())],
        )

    def _find_originals(
        self, articles: Sequence[Article], threshold: float
    ) -> tuple[dict[str, str], dict[str, str]]:
        """Group near-duplicates under their earliest article (by publication time).

        Returns (article_id -> original for the new articles that are copies, old root -> new root for stored
        groups whose original turns out to be a newly arrived, earlier article, or that merge into another).
        """
        keyed = {a.article_id: dedup.band_keys(a.text_sketch) for a in articles}
        all_keys = sorted({k for keys in keyed.values() for k in keys})
        # article_id -> (signature, root id); root id -> root's time
        known: dict[str, tuple[tuple[int, ...], str]] = {}
        root_time: dict[str, datetime] = {}
        if all_keys:
            rows = self.con.execute(  # the few candidates first: no join over every stored article
                """
                WITH candidates AS (SELECT DISTINCT article_id FROM sketch_bands WHERE band_key IN (SELECT UNNEST(?))),
                roots AS (
                    SELECT article_id, COALESCE(duplicate_of, article_id) AS root FROM articles
                    WHERE article_id IN (SELECT article_id FROM candidates)
                ),
                root_times AS (
                    SELECT article_id AS root, COALESCE(published_at, fetched_at) AS root_time FROM articles
                    WHERE article_id IN (SELECT root FROM roots)
                )
                SELECT s.article_id, s.signature, roots.root, root_times.root_time
                FROM article_sketches AS s JOIN roots USING (article_id) JOIN root_times USING (root)
                WHERE s.rowid IN (SELECT rowid FROM article_sketches WHERE article_id IN (SELECT article_id FROM candidates))
                """,  # the signatures by row id: not every stored signature read (see pipeline/rollups.py)
                [all_keys],
            ).fetchall()
            for article_id, signature, root, when in rows:
                known[article_id] = (tuple(signature), root)
                root_time[root] = when
        band_index: dict[int, list[str]] = {}
        for article_id, (signature, _root) in known.items():
            for key in dedup.band_keys(signature):
                band_index.setdefault(key, []).append(article_id)
        assigned: dict[str, str] = {}  # new article -> its root when it arrived
        reroots: dict[str, str] = {}  # a root that turned out not to be the earliest -> the earlier one

        def resolve(root: str) -> str:
            while root in reroots:
                root = reroots[root]
            return root

        for article in articles:  # in publication order
            candidates = {c for k in keyed[article.article_id] for c in band_index.get(k, [])}
            roots = {
                resolve(known[c][1])
                for c in candidates
                if dedup.similarity(article.text_sketch, known[c][0]) >= threshold
            }
            root_time[article.article_id] = article.published_at or article.fetched_at
            group = sorted(roots | {article.article_id}, key=lambda r: (root_time[r], r))
            root = group[0]
            reroots.update({other: root for other in group[1:] if other != article.article_id})
            assigned[article.article_id] = root
            known[article.article_id] = (article.text_sketch, root)
            for key in keyed[article.article_id]:
                band_index.setdefault(key, []).append(article.article_id)
        originals = {a: resolve(r) for a, r in assigned.items() if resolve(r) != a}
        stored_reroots = {old: resolve(old) for old in reroots if old not in assigned}
        return originals, stored_reroots

    def write_articles(
        self,
        run_id: str,
        articles: Sequence[Article],
        enrichments: dict[str, Enrichment],
        duplicate_threshold: float,
    ) -> BatchResult:
        """Insert the articles not yet stored, with all their rows. Call inside a transaction."""
        stored = self.stored_ids([a.article_id for a in articles])
        unique: dict[str, Article] = {}
        for a in articles:
            if a.article_id not in stored:
                unique.setdefault(a.article_id, a)
        fresh = sorted(unique.values(), key=lambda a: (a.published_at or a.fetched_at, a.fetched_at, a.url))
        if not fresh:  # another writer stored them all (a DuckLake store), or none was fetched
            checkpoint("write")  # every batch's transaction reaches the point, so a crash test can count them
            return BatchResult(new=0, duplicates=0, skipped=len(articles))
        originals, reroots = self._find_originals(fresh, duplicate_threshold)
        self._many(
            """INSERT INTO articles (article_id, url, fetched_url, source, feed_url, title, author, published_at,
                   date_origin, fetched_at, language, sitename, text, extraction, duplicate_of, relevance, run_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                [a.article_id, a.url, a.fetched_url, a.source, a.feed_url, a.title, a.author, a.published_at,
                 a.date_origin, a.fetched_at, a.language, a.sitename, a.text, a.extraction,
                 originals.get(a.article_id), enrichments[a.article_id].relevance, run_id]
                for a in fresh
            ],
        )
        self._search_pending([a.article_id for a in fresh])  # the run's end indexes these for search
        self._many(
            "INSERT INTO article_html VALUES (?, ?)",
            [[a.article_id, a.raw_html] for a in fresh],
        )
        with_sketch = [a for a in fresh if a.text_sketch]
        self._many(
            "INSERT INTO article_sketches VALUES (?, ?)",
            [[a.article_id, list(a.text_sketch)] for a in with_sketch],
        )
        self._many(
            "INSERT INTO sketch_bands VALUES (?, ?)",
            [[key, a.article_id] for a in with_sketch for key in dedup.band_keys(a.text_sketch)],
        )
        checkpoint("write")  # a crash test stops here: articles inserted, their NLP rows not, nothing committed
        self.replace_enrichments([enrichments[a.article_id] for a in fresh], delete_first=False)
        # a stored group whose original arrived only now: point it, and its copies, at that original
        self._many(
            "UPDATE articles SET duplicate_of = ? WHERE article_id = ? OR duplicate_of = ?",
            [[new, old, old] for old, new in reroots.items()],
        )
        rollups.refresh(self.con, [a.article_id for a in fresh], reroots, fresh=True)
        return BatchResult(
            new=len(fresh), duplicates=len(originals), skipped=len(articles) - len(fresh)
        )

    def replace_enrichments(self, enrichments: Sequence[Enrichment], delete_first: bool = True) -> None:
        """Write the NLP rows of articles; with delete_first, their old rows go in the same transaction, and
        so does the refresh of the rollups (write_articles refreshes them itself)."""
        ids = [e.article_id for e in enrichments]
        if delete_first and ids:
            for table in ("mentions", "article_topics", "quotes", "meetings"):
                self.con.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT UNNEST(?))", [ids])
            self.con.execute(  # one pass over the table, not a scan per article
                """UPDATE articles SET relevance = v.relevance
                   FROM (SELECT UNNEST(?) AS article_id, UNNEST(?) AS relevance) AS v
                   WHERE articles.article_id = v.article_id""",
                [ids, [e.relevance for e in enrichments]],
            )
        mention_rows = [
            [e.article_id, m.actor, m.surface, m.label, m.start_char, m.end_char, m.name or m.actor or m.surface]
            for e in enrichments
            for m in e.mentions
        ]
        # staged first: the rollups are refreshed from these rows rather than from every stored mention
        rollups.stage_mentions(self.con, mention_rows)
        self.con.execute(
            f"INSERT INTO mentions ({', '.join(rollups.MENTION_COLUMNS)})"
            f" SELECT {', '.join(rollups.MENTION_COLUMNS)} FROM staged_mentions"
        )
        topics: dict[tuple[str, str], float] = {}
        for e in enrichments:
            for t in e.topics:
                topics.setdefault((e.article_id, t.topic), t.score)  # a topic once an article
        self._many("INSERT INTO article_topics VALUES (?, ?, ?)", [[a, t, score] for (a, t), score in topics.items()])
        quote_rows = [
            [e.article_id, q.speaker, q.actor, q.quote, i, q.start_char, q.end_char, q.speaker_start, q.speaker_end]
            for e in enrichments
            for i, q in enumerate(e.quotes)
        ]
        self._many(
            "INSERT INTO quotes (article_id, speaker, actor, quote, position, start_char, end_char, speaker_start, "
            "speaker_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            quote_rows,
        )
        meeting_rows = [
            [e.article_id, i, m.kind, m.day, m.place, list(m.participants), m.sentence, m.start_char, m.end_char]
            for e in enrichments
            for i, m in enumerate(e.meetings)
        ]
        self._many("INSERT INTO meetings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", meeting_rows)
        if delete_first:
            rollups.refresh(self.con, ids)

    def _search_pending(self, ids: list[str]) -> None:
        if not self.lake:  # a store keeps no full-text index
            self.con.execute("INSERT OR IGNORE INTO search_pending SELECT UNNEST(?)", [ids])

    def remember_out_of_window(self, pages: Sequence[tuple[str, str, datetime | None]]) -> None:
        rows = {aid: [aid, url, when, utcnow()] for aid, url, when in pages}
        if not rows:
            return
        self.con.execute(
            """MERGE INTO out_of_window USING (
                   SELECT UNNEST(?) AS article_id, UNNEST(?) AS url, UNNEST(?::TIMESTAMP[]) AS published_at,
                          UNNEST(?::TIMESTAMP[]) AS seen_at
               ) AS excluded ON out_of_window.article_id = excluded.article_id
               WHEN MATCHED THEN UPDATE SET published_at = excluded.published_at, seen_at = excluded.seen_at
               WHEN NOT MATCHED THEN INSERT BY NAME""",
            [list(column) for column in zip(*rows.values())],
        )

    def out_of_window_dates(self, article_ids: Sequence[str]) -> dict[str, datetime | None]:
        if not article_ids:
            return {}
        rows = self.con.execute(
            "SELECT article_id, published_at FROM out_of_window WHERE article_id IN (SELECT UNNEST(?))",
            [list(article_ids)],
        ).fetchall()
        return dict(rows)

    def window_articles(self, start: date, end: date, sources: Sequence[str] = ()) -> list[str]:
        """Ids of the stored articles whose day falls in [start, end], oldest first."""
        rows = self.con.execute(
            """SELECT article_id FROM articles
               WHERE CAST(COALESCE(published_at, fetched_at) AS DATE) BETWEEN ? AND ?
                 AND (len(?) = 0 OR source IN (SELECT UNNEST(?)))
               ORDER BY COALESCE(published_at, fetched_at), article_id""",
            [start, end, list(sources), list(sources)],
        ).fetchall()
        return [r[0] for r in rows]

    def article_days(self, article_ids: Sequence[str]) -> dict[str, date]:
        """Each stored article's day (of publication, else of fetching): what its meetings are dated from."""
        rows = self.con.execute(
            "SELECT article_id, CAST(COALESCE(published_at, fetched_at) AS DATE) FROM articles"
            " WHERE article_id IN (SELECT UNNEST(?))",
            [list(article_ids)],
        ).fetchall()
        return dict(rows)

    def stored_pages(self, article_ids: Sequence[str]) -> list[tuple[str, str, str, str, bytes | None]]:
        """(article_id, fetched_url, extraction, text, compressed html) of stored articles."""
        return self.con.execute(
            """SELECT a.article_id, a.fetched_url, a.extraction, a.text, h.html
               FROM articles AS a LEFT JOIN article_html AS h USING (article_id)
               WHERE a.article_id IN (SELECT UNNEST(?)) ORDER BY a.article_id""",
            [list(article_ids)],
        ).fetchall()

    def replace_texts(self, texts: Sequence[tuple[str, str, tuple[int, ...]]]) -> None:
        """New main text (and its near-duplicate sketch) for stored articles: (article_id, text, sketch)."""
        ids = [t[0] for t in texts]
        if not ids:
            return
        self.con.execute(
            """UPDATE articles SET text = v.text FROM (SELECT UNNEST(?) AS article_id, UNNEST(?) AS text) AS v
               WHERE articles.article_id = v.article_id""",
            [ids, [text for _aid, text, _sk in texts]],
        )
        self._search_pending(ids)
        for table in ("article_sketches", "sketch_bands"):
            self.con.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT UNNEST(?))", [ids])
        self._many(
            "INSERT INTO article_sketches VALUES (?, ?)", [[aid, list(sk)] for aid, _t, sk in texts if sk]
        )
        self._many(
            "INSERT INTO sketch_bands VALUES (?, ?)",
            [[key, aid] for aid, _t, sk in texts for key in dedup.band_keys(sk)],
        )

    def sync_actors(self, actors: Sequence[tuple[str, str, tuple[str, ...]]]) -> None:
        """Make the actors table equal the registry."""
        self.con.execute("DELETE FROM actors")
        self._many("INSERT INTO actors VALUES (?, ?, ?)", [[a, k, list(al)] for a, k, al in actors])

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with transaction(self.con):
            self._in_transaction = True
            try:
                yield
            finally:
                self._in_transaction = False


def is_store(path) -> bool:
    """A DuckLake store (`ducklake:postgres:...`, pipeline/lake.py) rather than a DuckDB file."""
    return str(path).startswith("ducklake:")


def write(path, work: Callable[[Writer], T], row_group_size: int | None = None) -> T:
    """`work(writer)` with the database's writer: for a file, under the writer lock (`work` opens its own
    transactions); for a DuckLake store, in one transaction begun again when another writer's commit
    conflicts with it (pipeline/lake.py), so `work` must only write through the writer."""
    if is_store(path):
        from pipeline import lake

        return lake.write(str(path), work)
    with writer(path, row_group_size=row_group_size) as w:
        return work(w)


def prepare(path: Path, relevance_threshold: float | None = None, wait: float = LOCK_WAIT_SECONDS) -> None:
    """Create or migrate the database and recreate its views. Call once before a run's writers."""
    if is_store(path):
        from pipeline import lake

        lake.prepare(str(path), relevance_threshold)
        return
    with writer(path, wait=wait) as w:
        try:
            migrate(w.con)
            # the threshold and the rollups built for it commit together, before the views that read the
            # rollups replace older ones: a reader never sees rollups that are empty or for another threshold
            rollups.ensure(w.con, relevance_threshold)
            create_views(w.con)
            refresh_search_index(w.con)
        except duckdb.Error as exc:
            raise StoreError(f"cannot prepare database {path}: {str(exc).splitlines()[0]}") from None
        except StoreError as exc:
            raise StoreError(f"cannot use database {path}: {exc}") from None


_held = threading.local()  # the writer locks this thread holds: a nested writer() does not wait on itself


@contextmanager
def writer_lock(path: Path, wait: float = WRITER_WAIT_SECONDS) -> Iterator[None]:
    """One writer at a time across processes and threads: an exclusive lock on `<database>.lock`, taken
    before DuckDB's own file lock, so writers queue instead of failing on it (a scheduled ingest during a
    long backfill, two backfills at once). Readers do not take it."""
    lock_path = Path(f"{path}.lock")
    held = getattr(_held, "paths", None)
    if held is None:
        held = _held.paths = set()
    key = str(lock_path.resolve())
    if key in held:
        yield
        return
    with open(lock_path, "a+b") as handle:
        deadline = time.monotonic() + wait
        delay = 0.01
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if delay == 0.01:
                    log.info("another newsmon process is writing to %s: waiting for it", path)
                if time.monotonic() >= deadline:
                    raise StoreError(f"another newsmon process has been writing to {path} for {wait:.0f} s") from None
                time.sleep(delay)
                delay = min(delay * 2, 0.25)
        held.add(key)
        try:
            yield
        finally:
            held.discard(key)
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def writer(path: Path, wait: float = LOCK_WAIT_SECONDS, row_group_size: int | None = None) -> Iterator[Writer]:
    """A read-write connection, held (with the writer lock) only for as long as the block runs. A session
    that writes a batch passes BATCH_ROW_GROUP_SIZE (see there). On a DuckLake store, a session for reads:
    writes go through `write`."""
    if is_store(path):
        from pipeline import lake

        with lake.session(str(path)) as w:
            yield w
        return
    path = Path(path)
    if not path.parent.is_dir():
        raise StoreError(f"folder for database does not exist: {path.parent}")
    check_database_file(path)
    with writer_lock(path):
        con = _connect(path, read_only=False, wait=wait, row_group_size=row_group_size)
        try:
            yield Writer(con, path)
        finally:
            con.close()
