"""DuckLake stores: newsmon's tables in a DuckLake whose catalog is a PostgreSQL database and whose data files
are Parquet files in a folder (or an object store), so that readers on several machines share one store and
can read its past (every commit is a snapshot).

A store is named `ducklake:postgres:<libpq connection string>` (`--db`), with its data files under `--data-path
DIR` ($NEWSMON_DATA_PATH; the catalog remembers it once the store exists). The extensions come from the pinned
PyPI packages and are loaded by path: nothing is downloaded. What works on a DuckLake store today: `newsmon
storage copy` (a DuckDB file into it, and back), reading (`newsmon sql`, with `--at` for the past) and
`newsmon storage maintain` (merging small files, expiring old snapshots, deleting what they leave); the
writers (run, backfill, serve) still need a DuckDB file (docs/scaling.md says why).
"""

from __future__ import annotations

import hashlib
import logging
import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import duckdb

from pipeline.store import StoreError
from pipeline.store import is_store as is_lake  # noqa: F401 (the name newsmon.cli and copy_store use)

log = logging.getLogger(__name__)

PREFIX = "ducklake:"
NAME = "lake"  # the name a store is attached under
INIT_ATTEMPTS = 10  # ATTACHes of a new store racing another process's (`_racing_init`)
_PACKAGES = {"ducklake": "duckdb_extension_ducklake", "postgres_scanner": "duckdb_extension_postgres_scanner"}


def describe(db: str) -> str:
    """The store's name without a password (`password=...` in the connection string)."""
    return re.sub(r"(password\s*=\s*)('[^']*'|\S+)", r"\1***", db)


def extension_path(name: str) -> Path:
    """The extension file inside its PyPI package, for this DuckDB."""
    try:
        package = __import__(_PACKAGES[name])
    except ImportError:
        raise StoreError(f"the {_PACKAGES[name]} package is not installed: run `make install`") from None
    path = Path(package.__file__).parent / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not path.is_file():
        raise StoreError(f"{_PACKAGES[name]} has no extension for DuckDB {duckdb.__version__}: run `make install`")
    return path


def _quoted(text: str) -> str:
    return str(text).replace("'", "''")


def check_spec(db: str) -> str:
    """The libpq connection string of `ducklake:postgres:...`; anything else is a one-line error."""
    rest = db[len(PREFIX):]
    if not rest.startswith("postgres:") or not rest[len("postgres:"):].strip():
        raise StoreError(f"a DuckLake store is ducklake:postgres:<libpq connection string>, not {describe(db)!r}")
    return rest[len("postgres:"):].strip()


def snapshot_option(at: str | None) -> str:
    """The ATTACH option that reads the store as of `at`: a snapshot id (a whole number) or a timestamp."""
    if at is None:
        return ""
    if re.fullmatch(r"\d+", at.strip()):
        return f", SNAPSHOT_VERSION {int(at)}"
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?([+-]\d{2}(:?\d{2})?|Z)?", at.strip()):
        raise StoreError(f"--at takes a snapshot id or a timestamp like 2026-12-03 14:05:00, not {at!r}")
    return f", SNAPSHOT_TIME '{_quoted(at.strip())}'"


def attach(con: duckdb.DuckDBPyConnection, db: str, name: str = NAME, data_path: str | None = None,
           read_only: bool = False, at: str | None = None) -> None:
    """ATTACH the store under `name` (a new store needs `data_path`)."""
    check_spec(db)
    for extension in _PACKAGES:
        con.execute(f"LOAD '{_quoted(extension_path(extension))}'")
    options = []
    data_path = data_path or os.environ.get("NEWSMON_DATA_PATH")
    if data_path:
        options.append(f"DATA_PATH '{_quoted(data_path)}'")
    if read_only:
        options.append("READ_ONLY")
    option_text = ", ".join(options) + snapshot_option(at)
    option_text = option_text.lstrip(", ")
    for attempt in range(INIT_ATTEMPTS):
        try:
            con.execute(f"ATTACH '{_quoted(db)}' AS {name}" + (f" ({option_text})" if option_text else ""))
            return
        except duckdb.Error as exc:
            if not _racing_init(exc) or attempt == INIT_ATTEMPTS - 1:
                _attach_failed(db, exc)
            time.sleep(0.1 * (attempt + 1))  # another process is creating the catalog's tables: it is there next


def _racing_init(exc: duckdb.Error) -> bool:
    """Two processes attaching a new store at once both create DuckLake's catalog tables; one of them fails
    on PostgreSQL's unique keys and finds them made when it tries again."""
    message = str(exc)
    return "Failed to initialize DuckLake" in message and ("duplicate key" in message or "already exists" in message)


def _attach_failed(db: str, exc: duckdb.Error) -> None:
    message = " ".join(str(exc).split())
    if "Unable to connect to Postgres" in message:
        message = "cannot connect to its PostgreSQL catalog: " + message.split("Unable to connect to Postgres", 1)[1]
    raise StoreError(f"cannot open DuckLake store {describe(db)}: {message[:300]}") from None


def data_path_of(con: duckdb.DuckDBPyConnection, name: str = NAME) -> str | None:
    row = con.execute("SELECT value FROM ducklake_options(?) WHERE option_name = 'data_path'", [name]).fetchone()
    return row[0] if row else None


def snapshot_id(con: duckdb.DuckDBPyConnection, name: str = NAME) -> int:
    return con.execute(f"FROM {name}.current_snapshot()").fetchone()[0]


@contextmanager
def reader(db: str, at: str | None = None, data_path: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the store (as of `at`, when given), sealed as `store.seal` seals a file: no
    file outside the store's data folder may be read or written, nothing attached, no setting changed."""
    con = duckdb.connect(":memory:")
    try:
        attach(con, db, NAME, data_path, read_only=True, at=at)
        con.execute(f"USE {NAME}")
        from pipeline.store import create_macros

        create_macros(con, temporary=True)
        folder = data_path_of(con)
        if folder and "://" not in folder:  # a local or shared folder: the only place left readable
            con.execute("SET allowed_directories = ?", [[str(Path(folder).resolve()) + os.sep]])
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        yield con
    except duckdb.Error as exc:
        raise StoreError(f"cannot read DuckLake store {describe(db)}: {str(exc).splitlines()[0]}") from None
    finally:
        con.close()


# writing ---------------------------------------------------------------------------------------------------
# Several writers, on one machine or many, write to a store at once without a lock: each writes a batch in
# ONE DuckLake transaction that also updates the single row of `newsmon_commits`. DuckLake checks at commit
# whether another transaction committed a change to a row this one changed since it began; two transactions
# that both updated that row conflict, and the second to commit fails whole (nothing of it is stored). So the
# writers' transactions take effect one after another, as under newsmon's writer lock on a file: a batch
# looks up which of its articles are stored, and inserts the others, in a transaction that can only commit if
# nobody committed in between. A writer whose commit fails begins again (it sees the other's articles now,
# and skips them), after a random back-off; the retries are counted. A writer killed at any point leaves no
# part of its transaction: DuckLake commits in one PostgreSQL transaction.
COMMITS_TABLE = "newsmon_commits"
CONFLICT_ATTEMPTS = 40
_retries = 0  # conflicts retried by this process (lake.retries())
_retries_guard = threading.Lock()
_counted: set[str] = set()  # stores known to have the commits table (it is never dropped)


def retries() -> int:
    """How many transactions of this process had to begin again after another writer's commit."""
    return _retries


def _is_conflict(exc: duckdb.Error) -> bool:
    message = str(exc)
    return "Transaction conflict" in message or "conflict" in message.lower() and "commit" in message.lower()


_instances: dict[tuple[str, str | None], duckdb.DuckDBPyConnection] = {}
_instances_guard = threading.Lock()


def _open(db: str, data_path: str | None) -> duckdb.DuckDBPyConnection:
    """A connection of its own (for one session or transaction) to the store, from one DuckDB instance per
    process and store that has it attached: loading the extensions and attaching (reading the catalog) cost
    about 0.3 s, a connection of the instance nothing."""
    key = (db, data_path or os.environ.get("NEWSMON_DATA_PATH"))
    with _instances_guard:
        instance = _instances.get(key)
        if instance is None:
            instance = duckdb.connect(":memory:")
            try:
                attach(instance, db, NAME, key[1])
            except BaseException:
                instance.close()
                raise
            _instances[key] = instance
        con = instance.cursor()
    con.execute(f"USE {NAME}")
    return con


@contextmanager
def session(db: str, data_path: str | None = None) -> Iterator:
    """A connection for reads between writes (the state of feeds, which entries are stored): each statement
    sees the last commit; it writes nothing."""
    from pipeline.store import Writer

    con = _open(db, data_path)
    try:
        yield Writer(con, None, lake=True)
    finally:
        con.close()


def write(db: str, work: Callable, data_path: str | None = None):
    """`work(writer)` in one transaction of the store, begun again from the start when another writer's commit
    conflicts with it (module comment above). Returns what `work` returns."""
    from pipeline.store import Writer, _one_transaction

    global _retries
    for attempt in range(CONFLICT_ATTEMPTS):
        con = _open(db, data_path)
        _one_transaction.add(id(con))
        try:
            con.execute("BEGIN TRANSACTION")
            if db in _counted or _has_table(con, COMMITS_TABLE):  # a store being created gets it in this transaction
                _counted.add(db)
                con.execute(f"UPDATE {COMMITS_TABLE} SET commits = commits + 1")
            result = work(Writer(con, None, lake=True))
            con.execute("COMMIT")
            return result
        except duckdb.Error as exc:
            _rollback(con)
            if not _is_conflict(exc) or attempt == CONFLICT_ATTEMPTS - 1:
                raise
            with _retries_guard:
                _retries += 1
            log.info("DuckLake commit conflict (attempt %d): beginning again", attempt + 1)
        except BaseException:
            _rollback(con)
            raise
        finally:
            _one_transaction.discard(id(con))
            con.close()
        time.sleep(random.uniform(0, min(2.0, 0.02 * 2 ** attempt)))  # back-off with jitter
    raise AssertionError("unreachable")


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass  # the failed commit ended the transaction already


def _has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute(
        "SELECT COUNT(*) FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' AND table_name = ?",
        [NAME, table]).fetchone()[0])


def prepare(db: str, relevance_threshold: float | None = None, data_path: str | None = None) -> None:
    """Create the store's tables when it has none (newsmon's migrations, applied to an empty database in
    memory, copied without their keys), or check that its tables are this newsmon's; then the rollups and
    views, as `store.prepare` does for a file. Writers racing to create a store conflict, and the later one
    finds it made."""
    from pipeline import rollups, store

    check_spec(db)

    def work(w) -> None:
        con = w.con
        if not _has_table(con, "articles"):
            _create_tables(con)
        else:
            maker = _made_by_another(con, "schema_migrations")
            if maker:
                raise StoreError(f"{describe(db)} was made by {maker} newsmon: copy it to a file with `newsmon "
                                 "storage copy`, run newsmon there, and copy it into a new store")
            if not _has_table(con, COMMITS_TABLE):  # a store made by `storage copy`
                _create_commits_table(con)
        rollups.ensure(con, relevance_threshold)
        if not _views_current(con):
            store.create_views(con, macros=False)  # a store's readers define the macros
            con.execute("CREATE OR REPLACE TABLE newsmon_views_made AS SELECT ? AS fingerprint",
                        [_views_fingerprint()])

    try:
        with session(db, data_path) as w:
            if _ready(w.con, relevance_threshold):
                return  # nothing to do: no commit, so no conflict with the writers at work
        write(db, work, data_path)
    except duckdb.Error as exc:
        raise StoreError(f"cannot prepare DuckLake store {describe(db)}: {' '.join(str(exc).split())[:300]}") from None


def _ready(con: duckdb.DuckDBPyConnection, relevance_threshold: float | None) -> bool:
    """Whether the store has this newsmon's tables, current rollups for the threshold, and its views."""
    from pipeline import rollups

    if not all(_has_table(con, t) for t in ("articles", COMMITS_TABLE)):
        return False
    if _made_by_another(con, "schema_migrations"):
        return False
    if relevance_threshold is not None and con.execute(
            "SELECT COUNT(*) FROM newsmon_settings WHERE key = 'relevance_threshold' AND value = ?",
            [str(relevance_threshold)]).fetchone()[0] == 0:
        return False
    return rollups.current(con) and _views_current(con)


def _views_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the store's views were made from this newsmon's view files."""
    return _has_table(con, "newsmon_views_made") and con.execute(
        "SELECT COUNT(*) FROM newsmon_views_made WHERE fingerprint = ?", [_views_fingerprint()]).fetchone()[0] > 0


def _made_by_another(con: duckdb.DuckDBPyConnection, ledger: str) -> str | None:
    """"a newer" or "an older" when the migrations in the ledger table are not exactly this newsmon's."""
    from pipeline import store

    known = {name for name, _sql in store._sql_files("migrations")}
    applied = {r[0] for r in con.execute(f"SELECT name FROM {ledger}").fetchall()}
    if applied == known:
        return None
    return "a newer" if applied - known else "an older"


def _views_fingerprint() -> str:
    from pipeline import store

    return hashlib.sha256("".join(sql for _name, sql in store._sql_files("views")).encode()).hexdigest()[:16]


def _create_tables(con: duckdb.DuckDBPyConnection) -> None:
    """newsmon's tables, with their columns, types and seeded rows as its migrations make them in an empty
    database (made apart: one transaction writes to one database), without keys."""
    from pipeline import store

    with duckdb.connect(":memory:") as fresh:
        store.migrate(fresh)
        for table in _base_tables(fresh, "memory"):
            columns = _column_definitions(fresh, "memory", table)
            con.execute(f'CREATE TABLE "{table}" ({", ".join(columns)})')
            rows = fresh.execute(f'SELECT * FROM "{table}"').fetchall()
            if rows:
                con.executemany(f'INSERT INTO "{table}" VALUES ({", ".join("?" for _ in columns)})', rows)
    _create_commits_table(con)


def _column_definitions(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> list[str]:
    """A table's columns as newsmon's migrations make them, with their types, NOT NULL and DEFAULT (DuckLake
    keeps both; it has no keys, unique constraints or indexes)."""
    rows = con.execute(
        "SELECT column_name, data_type, is_nullable, column_default FROM duckdb_columns()"
        " WHERE database_name = ? AND schema_name = 'main' AND table_name = ? ORDER BY column_index",
        [catalog, table]).fetchall()
    return [f"{_ident(name)} {kind}" + ("" if nullable else " NOT NULL")
            + ("" if default is None else f" DEFAULT {default}") for name, kind, nullable, default in rows]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _create_commits_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE TABLE {COMMITS_TABLE} (commits BIGINT NOT NULL)")
    con.execute(f"INSERT INTO {COMMITS_TABLE} VALUES (0)")


# copying a store ---------------------------------------------------------------------------------------------
LAKE_ONLY = ("newsmon_commits", "newsmon_views_made")  # a store's own bookkeeping, not newsmon's tables


def _base_tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    """newsmon's tables in `catalog` (the full-text index's tables are rebuilt, not copied)."""
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' ORDER BY 1",
        [catalog],
    ).fetchall()
    return [r[0] for r in rows if r[0] not in LAKE_ONLY]


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> list[str]:
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND schema_name = 'main' AND table_name = ?",
        [catalog, table],
    ).fetchall()
    return sorted(r[0] for r in rows)


def fingerprint(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> tuple[int, int]:
    """(rows, checksum) of a table: the checksum XORs a hash of every row's values, in column-name order, so it
    does not depend on row order or on the order of the columns."""
    columns = ", ".join(f'"{c}"' for c in _columns(con, catalog, table))
    count, checksum = con.execute(
        f'SELECT COUNT(*), COALESCE(bit_xor(hash({columns})), 0) FROM {catalog}.main."{table}"'
    ).fetchone()
    return int(count), int(checksum)


def _open_side(con: duckdb.DuckDBPyConnection, db: str, name: str, data_path: str | None, read_only: bool) -> None:
    if is_lake(db):
        attach(con, db, name, data_path, read_only=read_only)
        return
    path = Path(db)
    if read_only and not path.is_file():
        raise StoreError(f"no database at {path}")
    try:
        con.execute(f"ATTACH '{_quoted(path)}' AS {name}" + (" (READ_ONLY)" if read_only else ""))
    except duckdb.Error as exc:
        raise StoreError(f"cannot open database {path}: {str(exc).splitlines()[0]}") from None


def copy_store(source: str, target: str, data_path: str | None = None) -> dict[str, tuple[int, int]]:
    """Copy every newsmon table from `source` to `target` (a DuckDB file into a DuckLake store or back) in one
    transaction, then check each table's rows and checksum on both sides. The target must be new or empty:
    nothing stored there is ever replaced. The views, the table macros (and for a file, the full-text index)
    are made on the target. Returns {table: (rows, checksum)}."""
    from pipeline import store

    if is_lake(source) == is_lake(target):
        raise StoreError("copy goes from a DuckDB file to a DuckLake store (ducklake:postgres:...) or back")
    created = None
    if not is_lake(target):  # a new file gets newsmon's schema, keys and all, from its migrations
        created = Path(target)
        if created.exists():
            raise StoreError(f"{created} exists: copy into a new file, so that nothing stored there is replaced")
        if not created.parent.is_dir():
            raise StoreError(f"folder for database does not exist: {created.parent}")
    con = duckdb.connect(":memory:")
    try:
        _open_side(con, source, "src", data_path if is_lake(source) else None, read_only=True)
        tables = _base_tables(con, "src")
        if "articles" not in tables or "schema_migrations" not in tables:
            raise StoreError(f"{describe(source)} holds no newsmon tables")
        maker = _made_by_another(con, "src.main.schema_migrations")
        if maker:
            raise StoreError(f"{describe(source)} was made by {maker} newsmon: run any writing command on it "
                             "(newsmon run, or backfill) with this newsmon first, then copy")
        if created is not None:
            with duckdb.connect(str(created)) as fresh:
                store.migrate(fresh)
        _open_side(con, target, "dst", data_path if is_lake(target) else None, read_only=False)
        made = set(_base_tables(con, "dst"))
        if is_lake(target) and made:
            raise StoreError(f"{describe(target)} holds tables already: copy into a new, empty store")
        unknown = [t for t in tables if created is not None and t not in made]
        if unknown:
            raise StoreError(f"table {unknown[0]} of {describe(source)} is not in this newsmon's schema")
        con.execute("USE dst")
        con.execute("BEGIN TRANSACTION")
        try:
            for table in tables:
                if created is None:  # DuckLake keeps no keys or indexes: the columns as they are, then the rows
                    con.execute(f'CREATE TABLE dst.main."{table}" ({", ".join(_column_definitions(con, "src", table))})')
                    con.execute(f'INSERT INTO dst.main."{table}" SELECT * FROM src.main."{table}"')
                elif table != "schema_migrations":  # the file's ledger is its own migrations'
                    con.execute(f'DELETE FROM dst.main."{table}"')  # what its migrations seeded (a new file)
                    con.execute(f'INSERT INTO dst.main."{table}" BY NAME SELECT * FROM src.main."{table}"')
            store.create_views(con, macros=created is not None)  # a store's readers define the macros
            copied = {}  # checked before the commit: a copy that differs is never committed
            for table in tables:
                before, after = fingerprint(con, "src", table), fingerprint(con, "dst", table)
                if table != "schema_migrations" and before != after:
                    raise StoreError(f"table {table} differs after the copy: (rows, checksum) {before} there, "
                                     f"{after} here")
                copied[table] = after
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        if created is not None:
            store.refresh_search_index(con)
        created = None  # done: kept
        return copied
    except duckdb.Error as exc:
        raise StoreError(f"copy failed: {' '.join(str(exc).split())[:300]}") from None
    finally:
        con.close()
        if created is not None:  # a file this copy made and could not fill: nothing half-copied is left
            created.unlink(missing_ok=True)
            Path(f"{created}.wal").unlink(missing_ok=True)


# maintenance -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Maintenance:
    files_before: int  # data and delete files the catalog lists, over every table
    files_after: int
    snapshots_expired: int
    snapshots_left: int
    files_deleted: int  # from the data folder: scheduled for deletion at least `grace` ago
    tables: int  # tables whose rows and checksum were checked equal before and after


def _catalog_files(con: duckdb.DuckDBPyConnection, tables: list[str]) -> int:
    total = 0
    for table in tables:
        for row in con.execute(f"FROM ducklake_list_files('{NAME}', ?)", [table]).fetchall():
            total += 1 + (row[4] is not None)  # the data file, and its delete file when it has one
    return total


def maintain(db: str, keep: timedelta, grace: timedelta, data_path: str | None = None) -> Maintenance:
    """Keep a store's data folder from growing with every commit: merge the small files that each writer's
    commit leaves into larger ones (the smallest commits DuckLake keeps in its catalog, and they stay there),
    expire the snapshots older than `keep` (time travel to them ends there), then delete the files that
    expired snapshots and merges left behind, once they have waited `grace` (a reader that started before may
    still be scanning them). Every table's rows and checksum are checked
    to be the same after as before; a difference is an error that names the table."""
    check_spec(db)
    if keep < timedelta(0) or grace < timedelta(0):
        raise StoreError("the time to keep snapshots and the grace before deleting files cannot be negative")
    con = duckdb.connect(":memory:")
    try:
        attach(con, db, NAME, data_path)
        tables = _base_tables(con, NAME)
        if "articles" not in tables:
            raise StoreError(f"{describe(db)} holds no newsmon tables")
        before = {t: fingerprint(con, NAME, t) for t in tables}
        files_before = _catalog_files(con, tables)
        con.execute(f"CALL ducklake_merge_adjacent_files('{NAME}')")
        expired = con.execute(f"CALL ducklake_expire_snapshots('{NAME}', older_than => now() - to_seconds(?))",
                              [keep.total_seconds()]).fetchall()
        deleted = con.execute(f"CALL ducklake_cleanup_old_files('{NAME}', older_than => now() - to_seconds(?))",
                              [grace.total_seconds()]).fetchall()
        for table in tables:
            after = fingerprint(con, NAME, table)
            if after != before[table]:
                raise StoreError(f"table {table} differs after maintenance: (rows, checksum) {before[table]} "
                                 f"before, {after} after")
        [(left,)] = con.execute(f"SELECT COUNT(*) FROM {NAME}.snapshots()").fetchall()
        return Maintenance(files_before, _catalog_files(con, tables), len(expired), left, len(deleted), len(tables))
    except duckdb.Error as exc:
        raise StoreError(f"maintenance of {describe(db)} failed: {' '.join(str(exc).split())[:300]}") from None
    finally:
        con.close()
