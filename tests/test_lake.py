"""DuckLake stores on a real PostgreSQL server started by the test: `newsmon run`, `alerts` and `backfill
--reprocess` writing a store as they write a file (every view answering the same), a database made by `newsmon
run` copied into a store and back with every table equal, `newsmon sql` sealed there and reading the past with
`--at`, the dashboard on it, maintenance, and the one-line errors. Several writers at once, killed: tests/faults/
test_lake_writers.py."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from httpserver import LocalHTTPServer, Reply
from postgres import create_database, postgres_server
from test_alerts import POSTS, publish, write_files
from test_cli import assert_one_line_error, newsmon

from pipeline import lake, store

pytestmark = pytest.mark.e2e

QUERIES = [
    "SELECT actor, articles, stories, mentions FROM actor_totals(DATE '2023-03-01', DATE '2023-03-31') ORDER BY ALL",
    "SELECT day, actor, articles, mentions FROM actor_daily ORDER BY ALL",
    "SELECT day, kind, place, participants, articles, outlets FROM meeting_events ORDER BY ALL",
    "SELECT rule, subject, window_start, articles FROM alert_list ORDER BY ALL",
    "SELECT article_id, title, relevance FROM articles ORDER BY ALL",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with postgres_server(tmp_path_factory.mktemp("pg")) as port:
        yield port


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A database made by `newsmon run` over a served site, with meetings and alerts."""
    tmp = tmp_path_factory.mktemp("source")
    with LocalHTTPServer() as site, LocalHTTPServer() as hook:
        hook.add("/hook", Reply(status=204, content_type=None))
        publish(site, POSTS)
        sources, alerts = write_files(tmp, site, hook.url("/hook"), 9)
        db = tmp / "n.duckdb"
        done = newsmon("run", "--db", str(db), "--sources", str(sources), "--alerts", str(alerts))
        assert done.returncode == 0, done.stderr[-2000:]
    return db


@pytest.fixture()
def store_name(server, tmp_path, request):
    name = f"lake_{abs(hash(request.node.name)) % 10**8}"
    return f"ducklake:postgres:{create_database(server, name)}", tmp_path / "data"


def sql(db, query: str, *extra: str) -> str:
    done = newsmon("sql", query, "--db", str(db), "--format", "csv", *extra)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_database_copied_into_a_store_and_back_is_the_same_table_by_table(source, store_name, tmp_path):
    lake_db, data = store_name
    data.mkdir()
    done = newsmon("storage", "copy", "--from", str(source), "--to", lake_db, "--data-path", str(data))
    assert done.returncode == 0, done.stderr
    assert "every table's rows and checksum match" in done.stdout
    back = tmp_path / "back.duckdb"
    done = newsmon("storage", "copy", "--from", lake_db, "--to", str(back))
    assert done.returncode == 0, done.stderr
    with duckdb.connect(":memory:") as con:
        con.execute(f"ATTACH '{source}' AS a (READ_ONLY)")
        con.execute(f"ATTACH '{back}' AS b (READ_ONLY)")
        tables = lake._base_tables(con, "a")
        assert len(tables) > 30 and tables == lake._base_tables(con, "b")
        for table in tables:
            if table != "schema_migrations":
                assert lake.fingerprint(con, "a", table) == lake.fingerprint(con, "b", table), table
    for query in QUERIES:  # the views and macros answer the same on the file, the store and the copy back
        assert sql(lake_db, query) == sql(source, query) == sql(back, query), query
    assert sql(back, "SELECT title FROM (SELECT *, fts_main_articles.match_bm25(article_id, 'embassy') AS s "
                     "FROM articles) WHERE s IS NOT NULL").count("\n") == 2  # the copy has its search index


def test_a_store_is_read_sealed_and_its_past_with_at(source, store_name):
    lake_db, data = store_name
    data.mkdir()
    lake.copy_store(str(source), lake_db, str(data))
    with duckdb.connect(":memory:") as con:  # a later write to the store, as another writer would commit it
        lake.attach(con, lake_db)
        copied = lake.snapshot_id(con)
        con.execute("DELETE FROM lake.main.articles WHERE article_id IN (SELECT article_id FROM lake.main.articles "
                    "ORDER BY article_id LIMIT 2)")
    count = "SELECT COUNT(*) AS n FROM articles"
    assert sql(lake_db, count) == f"n\n{len(POSTS) - 2}\n"
    assert sql(lake_db, count, "--at", str(copied)) == f"n\n{len(POSTS)}\n"
    with store.reader(lake_db) as con:
        [(when,)] = con.execute(f"SELECT snapshot_time FROM lake.snapshots() WHERE snapshot_id = {copied}").fetchall()
    assert sql(lake_db, count, "--at", f"{when:%Y-%m-%d %H:%M:%S.%f%z}") == f"n\n{len(POSTS)}\n"
    for query, needle in [("SELECT * FROM read_csv('/etc/passwd')", "disabled"),
                          ("DELETE FROM articles", "only queries"),
                          ("SELECT 1; DELETE FROM articles", "one")]:
        assert_one_line_error(newsmon("sql", query, "--db", lake_db), needle)
    assert sql(lake_db, count) == f"n\n{len(POSTS) - 2}\n"
    assert_one_line_error(newsmon("sql", count, "--db", lake_db, "--at", "yesterday"), "snapshot id or a timestamp")
    assert_one_line_error(newsmon("sql", count, "--db", str(source), "--at", "1"), "keeps no history")


def test_the_dashboard_reads_a_store(source, store_name):
    from test_dashboard import app, metric

    lake_db, data = store_name
    data.mkdir()
    lake.copy_store(str(source), lake_db, str(data))
    on_file, on_lake = app(source, "actor"), app(lake_db, "actor")
    for at in (on_file, on_lake):
        at.selectbox(key="actor").set_value("Amir Khan Muttaqi")
    from test_dashboard import rerun

    rerun(on_file, source), rerun(on_lake, lake_db)
    for label in ("Articles in range", "Stories in range", "Mentions in range"):
        assert metric(on_lake, label) == metric(on_file, label) > 0
    assert "password" not in str([c.value for c in on_lake.sidebar.caption])


def test_copies_that_would_replace_something_are_refused_untouched(source, store_name, tmp_path):
    lake_db, data = store_name
    data.mkdir()
    lake.copy_store(str(source), lake_db, str(data))
    before = sql(lake_db, QUERIES[-1])
    assert_one_line_error(newsmon("storage", "copy", "--from", str(source), "--to", lake_db), "holds tables already")
    assert sql(lake_db, QUERIES[-1]) == before
    existing = tmp_path / "existing.duckdb"
    existing.write_bytes(source.read_bytes())
    assert_one_line_error(newsmon("storage", "copy", "--from", lake_db, "--to", str(existing)), "exists")
    assert existing.read_bytes() == source.read_bytes()
    assert_one_line_error(newsmon("storage", "copy", "--from", str(source), "--to", str(tmp_path / "x.duckdb")),
                          "from a DuckDB file to a DuckLake store")


def test_bad_stores_are_one_line_errors(server, source):
    assert_one_line_error(newsmon("sql", "SELECT 1", "--db", "ducklake:mysql:db=x"), "ducklake:postgres:")
    assert_one_line_error(newsmon("sql", "SELECT 1", "--db", f"ducklake:postgres:dbname=nowhere host=127.0.0.1 "
                                                             f"port={server} user=postgres"), "PostgreSQL")
    assert_one_line_error(newsmon("demo", "--db", "ducklake:postgres:dbname=x"), "takes a DuckDB file")


def _data_files(folder) -> int:
    return sum(1 for path in folder.rglob("*.parquet"))


def test_maintenance_merges_small_files_expires_old_snapshots_and_keeps_every_row(source, store_name):
    lake_db, data = store_name
    data.mkdir()
    lake.copy_store(str(source), lake_db, str(data))
    with duckdb.connect(":memory:") as con:  # small commits, as many writers' batches leave them
        lake.attach(con, lake_db)
        first = lake.snapshot_id(con)
        for i in range(5):  # 200 rows a commit: a Parquet file each, not rows inlined in the catalog
            con.execute("INSERT INTO lake.main.runs (run_id, flow, started_at, status) SELECT "
                        f"'maintenance-{i}-' || range, 'ingest', now(), 'completed' FROM range(200)")
        con.execute("INSERT INTO lake.main.runs (run_id, flow, started_at, status) "
                    "VALUES ('inlined', 'ingest', now(), 'completed')")
        con.execute("DELETE FROM lake.main.runs WHERE run_id LIKE 'maintenance-0-%'")
        tables = lake._base_tables(con, "lake")
        before = {t: lake.fingerprint(con, "lake", t) for t in tables}
    answers = [sql(lake_db, q) for q in QUERIES]
    files = _data_files(data)
    assert sql(lake_db, "SELECT COUNT(*) AS n FROM articles", "--at", str(first)) == f"n\n{len(POSTS)}\n"

    done = newsmon("storage", "maintain", "--db", lake_db, "--keep-days", "0", "--grace-hours", "0")
    assert done.returncode == 0, done.stderr
    assert "every table's rows and checksum unchanged" in done.stdout, done.stdout
    assert _data_files(data) < files, done.stdout  # merged, and the files they replace deleted from the folder
    with duckdb.connect(":memory:") as con:
        lake.attach(con, lake_db)
        assert {t: lake.fingerprint(con, "lake", t) for t in tables} == before
        assert con.execute("SELECT COUNT(*) FROM lake.snapshots()").fetchone()[0] == 1
    assert [sql(lake_db, q) for q in QUERIES] == answers
    # the past before the kept snapshots is gone, said in one line
    assert_one_line_error(newsmon("sql", "SELECT COUNT(*) FROM articles", "--db", lake_db, "--at", str(first)),
                          "snapshot")


def test_maintenance_refuses_a_file_and_bad_numbers_in_one_line(source, store_name):
    lake_db, _data = store_name
    assert_one_line_error(newsmon("storage", "maintain", "--db", str(source)), "DuckLake store")
    assert_one_line_error(newsmon("storage", "maintain", "--db", lake_db, "--keep-days", "-1"), "at least 0")


def test_readers_see_the_last_commit_while_a_writer_holds_a_transaction_open(source, store_name):
    """DuckLake over PostgreSQL: a reader never waits on a writer, and never sees what it has not committed
    (a DuckDB file, by contrast, refuses a reader while a writer holds it)."""
    lake_db, data = store_name
    data.mkdir()
    lake.copy_store(str(source), lake_db, str(data))
    count = "SELECT COUNT(*) AS n FROM runs"
    before = sql(lake_db, count)
    with duckdb.connect(":memory:") as con:
        lake.attach(con, lake_db)
        con.execute("BEGIN TRANSACTION")
        con.execute("INSERT INTO lake.main.runs (run_id, flow, started_at, status) SELECT 'open-' || range, "
                    "'ingest', now(), 'running' FROM range(500)")
        assert sql(lake_db, count) == before  # answered while the writer's transaction is open, without its rows
        assert sql(lake_db, "SELECT COUNT(*) AS n FROM articles") == f"n\n{len(POSTS)}\n"
        con.execute("COMMIT")
    n = int(before.split()[1])
    assert sql(lake_db, count) == f"n\n{n + 500}\n"


# writing a store -------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def written(server, tmp_path_factory):
    """The same served site written by `newsmon run` (with alerts) into a DuckDB file and into a new store."""
    tmp = tmp_path_factory.mktemp("written")
    with LocalHTTPServer() as site, LocalHTTPServer() as hook:
        hook.add("/hook", Reply(status=204, content_type=None))
        publish(site, POSTS)
        sources, alerts = write_files(tmp, site, hook.url("/hook"), 9)
        lake_db, data = f"ducklake:postgres:{create_database(server, 'written')}", tmp / "data"
        for db, extra in ((tmp / "n.duckdb", ()), (lake_db, ("--data-path", str(data)))):
            done = newsmon("run", "--db", str(db), "--sources", str(sources), "--alerts", str(alerts), *extra)
            assert done.returncode == 0, done.stderr[-2000:]
        yield tmp / "n.duckdb", lake_db, sources, alerts, hook


def test_newsmon_run_writes_a_store_as_it_writes_a_file_and_again_adds_nothing(written):
    file_db, lake_db, sources, alerts, hook = written
    for query in QUERIES:
        assert sql(lake_db, query) == sql(file_db, query), query
    alerts_stored = int(sql(file_db, "SELECT COUNT(*) AS n FROM alert_list").split()[1])
    assert alerts_stored and len(hook.requests) == 2 * alerts_stored  # each alert delivered from each database
    again = newsmon("run", "--db", lake_db, "--sources", str(sources), "--alerts", str(alerts))
    assert again.returncode == 0, again.stderr[-2000:]
    assert sql(lake_db, QUERIES[-1]) == sql(file_db, QUERIES[-1])
    assert "0 DuckLake commit conflicts retried" in again.stdout + again.stderr  # alone: none
    assert sql(lake_db, "SELECT status, articles_new FROM runs ORDER BY started_at") == (
        "status,articles_new\ncompleted,%d\ncompleted,0\n" % len(POSTS))


def test_backfill_reprocess_rewrites_a_store_as_a_file_and_at_reads_before_it(written):
    file_db, lake_db, sources, alerts, hook = written
    before = int(sql(lake_db, "SELECT max(snapshot_id) AS s FROM lake.snapshots()").split()[1])
    runs = "SELECT flow, status FROM runs ORDER BY started_at"
    earlier = sql(lake_db, runs)
    for db in (file_db, lake_db):
        done = newsmon("backfill", "--start", "2023-03-01", "--end", "2023-03-31", "--reprocess", "--db", str(db),
                       "--sources", str(sources))
        assert done.returncode == 0, done.stderr[-2000:]
        assert f"reprocessed {len(POSTS)} stored articles" in done.stdout + done.stderr
    for query in QUERIES:
        assert sql(lake_db, query) == sql(file_db, query), query
    assert sql(lake_db, runs).endswith("backfill,completed\nreprocess,completed\n")
    assert sql(lake_db, runs, "--at", str(before)) == earlier


def test_the_dashboard_reads_a_store_newsmon_wrote(written):
    from test_dashboard import app, metric, rerun

    file_db, lake_db, *_ = written
    on_file, on_lake = app(file_db, "actor"), app(lake_db, "actor")
    for at, db in ((on_file, file_db), (on_lake, lake_db)):
        at.selectbox(key="actor").set_value("Amir Khan Muttaqi")
        rerun(at, db)
    for label in ("Articles in range", "Stories in range", "Mentions in range"):
        assert metric(on_lake, label) == metric(on_file, label) > 0


def test_serve_on_a_store_runs_the_schedule_and_the_daily_maintenance(server, tmp_path):
    """`newsmon serve --db STORE`: the scheduled ingest writes the store, and the store's maintenance is a
    deployment of its own (daily), here started by hand through Prefect and followed to its end."""
    import os
    import subprocess
    import sys

    from test_cli import ROOT
    from test_serve import free_port, interrupt, runs, wait_for

    from newsmon.sample_site.generate import sources_toml
    from newsmon.sample_site.server import serve_generated_site

    lake_db = f"ducklake:postgres:{create_database(server, 'served')}"
    with serve_generated_site(tmp_path / "site") as site:
        sources = tmp_path / "sources.toml"
        sources.write_text(sources_toml(site.manifest))
        port = free_port()
        env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_HOME")}
        env["PYTHONPATH"] = str(ROOT)  # run from the test's folder: the kept server goes in its data/
        serving = subprocess.Popen(
            [sys.executable, "-m", "newsmon", "serve", "--cron", "* * * * *", "--prefect-port", str(port),
             "--db", lake_db, "--data-path", str(tmp_path / "lake"), "--sources", str(sources)],
            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        try:
            wait_for(lambda: [r for r in runs(lake_db, "ingest") if r[0] == "completed" and r[1] > 0],
                     "a scheduled run", serving)
            assert (tmp_path / "data" / "prefect").is_dir()
            maintained = subprocess.run(
                [str(Path(sys.executable).with_name("prefect")), "deployment", "run", "maintain-store/daily",
                 "--watch", "--watch-timeout", "300"],
                cwd=ROOT, env={**env, "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
                               "PREFECT_HOME": str(tmp_path / "client-home")},
                capture_output=True, text=True, timeout=400,
            )
            assert maintained.returncode == 0, maintained.stdout[-2000:] + maintained.stderr[-2000:]
            assert "Completed" in maintained.stdout + maintained.stderr
            assert sql(lake_db, "SELECT COUNT(*) > 0 AS stored FROM articles") == "stored\nTrue\n"
        finally:
            output = interrupt(serving)
        assert "Store maintenance: deployment 'maintain-store/daily' daily" in output
