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

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import duckdb

from pipeline.store import StoreError

PREFIX = "ducklake:"
NAME = "lake"  # the name a store is attached under
_PACKAGES = {"ducklake": "duckdb_extension_ducklake", "postgres_scanner": "duckdb_extension_postgres_scanner"}


def is_lake(db: str | Path) -> bool:
    return str(db).startswith(PREFIX)


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
    try:
        con.execute(f"ATTACH '{_quoted(db)}' AS {name}" + (f" ({option_text})" if option_text else ""))
    except duckdb.Error as exc:
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


# copying a store ---------------------------------------------------------------------------------------------
def _base_tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    """newsmon's tables in `catalog` (the full-text index's tables are rebuilt, not copied)."""
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' ORDER BY 1",
        [catalog],
    ).fetchall()
    return [r[0] for r in rows]


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
        known = {name for name, _sql in store._sql_files("migrations")}
        applied = {r[0] for r in con.execute("SELECT name FROM src.main.schema_migrations").fetchall()}
        if applied != known:
            newer = "a newer" if applied - known else "an older"
            raise StoreError(f"{describe(source)} was made by {newer} newsmon: run any writing command on it "
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
                if created is None:  # DuckLake keeps no keys or indexes: the tables as they are, with their types
                    con.execute(f'CREATE TABLE dst.main."{table}" AS SELECT * FROM src.main."{table}"')
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
