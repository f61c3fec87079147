"""Bad input at the edges: a malformed sources file, bad dates, a database path that cannot be used, and SQL
that would write or read outside the database. Each is a one-line `newsmon: error: ...`, a non-zero exit,
and nothing written: every file in the folder keeps its bytes and its mtime, and no file appears (no
`<db>.lock`, no `<db>.wal`). Cases tests/test_cli.py, test_store.py and test_backfill.py already cover are
not repeated here."""

from __future__ import annotations

import hashlib
import os
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from httpserver import Reply
from test_cli import assert_one_line_error, newsmon
from test_store import article, enrichment

from newsmon.cli import main
from pipeline import report, store

FEED = "feeds = ['https://a.example/rss']\n"


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry under `folder`: kind, bytes (a hash) and mtime."""
    entries = {}
    for path in sorted(folder.rglob("*")):
        if path.is_dir():
            entries[str(path.relative_to(folder))] = ("dir", path.stat().st_mtime_ns)
        else:
            entries[str(path.relative_to(folder))] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    return entries


def newsmon_here(capsys, *args: str) -> subprocess.CompletedProcess:
    """`newsmon ARGS` in this process (the same `main` the script runs), for the many cases that stop before
    any work: no interpreter start-up each. A traceback would fail the test as it escapes `main`."""
    capsys.readouterr()
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse
        code = exc.code
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(["newsmon", *args], code, out, err)


# the sources file ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, needle",
    [
        (b"[[sources]]\nname = 'Caf\xe9'\n" + FEED.encode(), "not UTF-8 text"),  # Latin-1, not UTF-8
        (b"[[sources]]\nname = 3\n" + FEED.encode(), "source #1 has no name"),
        (b"[[sources]]\nname = '  '\n" + FEED.encode(), "source #1 has no name"),
        (b"[[sources]]\nname = 'A'\nfeeds = 5\n", "feeds must be a list of URLs"),
        (b"[[sources]]\nname = 'A'\nfeeds = ['https://a.example/rss', 7]\n", "feeds must be a list of URLs"),
        (b"sources = 'A'\n", "sources must be a list of [[sources]] tables"),
        (b"[sources]\nname = 'A'\n" + FEED.encode(), "sources must be a list of [[sources]] tables"),
        (b"fetch = 3\n[[sources]]\nname = 'A'\n" + FEED.encode(), "[fetch] in the sources file must be a table"),
        (b"[fetch]\nconcurrency = true\n[[sources]]\nname = 'A'\n" + FEED.encode(), "fetch.concurrency must be int"),
        (b"[fetch]\ndeadline = nan\n[[sources]]\nname = 'A'\n" + FEED.encode(), "fetch.deadline must be a finite number"),
        (b"[fetch]\nmax_bytes = 0\n[[sources]]\nname = 'A'\n" + FEED.encode(), "fetch.max_bytes must be more than 0"),
        (b"[[sources]]\nname = 'A'\n" + FEED.encode() + b"[[sources]]\nname = ' A'\nfeeds = ['https://b.example/rss']\n",
         "source 'A' is listed twice"),
        (b"[[sources]]\nname = 'A'\n" + FEED.encode() + b"[[sources]]\nname = 'B'\nfeeds = ['https://A.example/rss']\n",
         "source 'B': https://A.example/rss is listed by source 'A' too"),
        (b"[[sources]]\nname = 'A'\nfeeds = ['https://a.example/rss', 'https://a.example/rss']\n",
         "https://a.example/rss is listed twice"),
        (b"[[sources]]\nname = 'A'\nfeeds = ['https://a.example/rss']\nsitemaps = ['ftp://a.example/sitemap.xml']\n",
         "not an http(s) URL: ftp://a.example/sitemap.xml"),
        (b"[[sources]]\nname = 'A'\nfeeds = ['https://']\n", "not an http(s) URL: https://"),
        (b"[[sources]]\nname = 'A'\nfeeds = ['http://[::1/rss']\n", "not an http(s) URL: http://[::1/rss"),
        (b"[[sources]]\nname = 'A'\nfeeds = ['a.example/rss']\n", "not an http(s) URL: a.example/rss"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_a_malformed_sources_file_is_one_line_and_writes_nothing(tmp_path, capsys, content, needle):
    sources = tmp_path / "sources.toml"
    sources.write_bytes(content)
    before = snapshot(tmp_path)
    result = newsmon_here(capsys, "run", "--db", str(tmp_path / "n.duckdb"), "--sources", str(sources))
    assert_one_line_error(result, needle)
    assert snapshot(tmp_path) == before


@pytest.mark.e2e
def test_unknown_keys_are_one_line_warnings_and_the_run_goes_on(http_server, tmp_path):
    body = "<html><body><article><h1>Talks</h1>" + "<p>Envoys met in Doha to discuss humanitarian aid.</p>" * 12
    http_server.add("/p.html", Reply(body=(body + "</article></body></html>").encode()))
    http_server.add("/rss.xml", Reply(body=(
        f"<rss version='2.0'><channel><title>t</title><item><title>Talks</title><link>{http_server.url('/p.html')}"
        "</link></item></channel></rss>").encode(), content_type="application/rss+xml"))
    sources = tmp_path / "sources.toml"
    sources.write_text(
        "[fetch]\nallow_private_networks = true\nper_host_delay = 0.0\nallow_privat_networks = false\n"
        "[schedule]\ncron = '*/5 * * * *'\n"
        f"[[sources]]\nname = 'A'\nfeeds = ['{http_server.url('/rss.xml')}']\ncolour = 'red'\n"
    )
    db = tmp_path / "n.duckdb"
    result = newsmon("run", "--db", str(db), "--sources", str(sources))
    assert result.returncode == 0, result.stderr[-3000:]
    warnings = [line for line in result.stderr.splitlines() if line.startswith("newsmon: warning: ")]
    assert warnings == [
        f"newsmon: warning: sources file {sources}: unknown section [schedule] (ignored)",
        f"newsmon: warning: sources file {sources}: unknown key 'allow_privat_networks' in [fetch] (ignored)",
        f"newsmon: warning: sources file {sources}: unknown key 'colour' in source 'A' (ignored)",
    ]
    assert "Traceback" not in result.stderr
    with store.reader(db) as con:
        assert con.execute("SELECT url FROM articles").fetchall() == [(http_server.url("/p.html"),)]


# dates ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, end, needle",
    [
        ("2021-13-01", "2021-10-31", "--start must be a date as YYYY-MM-DD, not '2021-13-01'"),
        ("2021-10-01", "2021-02-30", "--end must be a date as YYYY-MM-DD, not '2021-02-30'"),
        ("2021-10-01", "", "--end must be a date as YYYY-MM-DD, not ''"),
        ("2021-10-01'; DROP TABLE articles; --", "2021-10-31", "--start must be a date"),
        ("2021-10-01", "9999-12-31", "the window ends in the future: end 9999-12-31"),
        ("2021-10-01", str(date.today() + timedelta(days=3)), "the window ends in the future"),
    ],
)
def test_a_bad_backfill_window_is_one_line_and_writes_nothing(tmp_path, capsys, start, end, needle):
    sources = tmp_path / "sources.toml"
    sources.write_text("[[sources]]\nname = 'A'\n" + FEED)
    before = snapshot(tmp_path)
    result = newsmon_here(capsys, "backfill", "--start", start, "--end", end, "--db", str(tmp_path / "n.duckdb"),
                     "--sources", str(sources))
    assert_one_line_error(result, needle)
    assert snapshot(tmp_path) == before


def test_the_backfill_flow_checks_its_window_too():
    """A backfill started from Prefect (`prefect deployment run 'backfill/manual' -p end=...`) does not go
    through the command line: the flow checks its window itself, before it records a run."""
    from flows.backfill import resolve_window

    today = datetime.now(UTC).date()
    assert resolve_window("2021-10-01", str(today + timedelta(days=1))) == (date(2021, 10, 1), today + timedelta(days=1))
    for start, end, needle in [("2021-10-01", str(today + timedelta(days=2)), "in the future"),
                               ("2021-10-02", "2021-10-01", "inverted"), ("2021-13-01", "2021-10-01", "month")]:
        with pytest.raises(ValueError, match=needle):
            resolve_window(start, end)


# the database path ----------------------------------------------------------------------------------------

NOT_DUCKDB = {
    "random bytes": lambda p: p.write_bytes(os.urandom(64 * 1024)),
    "a text file": lambda p: p.write_text("my notes, not a database\n" * 500),
    "an empty file": lambda p: p.write_bytes(b""),
    "a directory": lambda p: (p.mkdir(), (p / "inside.txt").write_text("keep me")),
    # DuckDB's magic bytes, then garbage: it passes newsmon's look at the header, so DuckDB refuses it, after
    # the writer took its lock: the (empty) lock file stays, the database file is untouched
    "a DuckDB header, then garbage": lambda p: p.write_bytes(b"\0" * 8 + b"DUCK" + os.urandom(4096)),
}


@pytest.mark.parametrize("kind", NOT_DUCKDB)
def test_a_database_that_is_not_duckdb_is_refused_and_left_alone(tmp_path, kind):
    sources = tmp_path / "sources.toml"
    sources.write_text("[[sources]]\nname = 'A'\n" + FEED)
    db = tmp_path / "n.duckdb"
    NOT_DUCKDB[kind](db)
    before = snapshot(tmp_path)
    assert_one_line_error(newsmon("run", "--db", str(db), "--sources", str(sources)), str(db))
    assert_one_line_error(newsmon("sql", "SELECT 1", "--db", str(db)), str(db))
    after = snapshot(tmp_path)
    if "DuckDB header" in kind:
        assert after.pop("n.duckdb.lock")[0] == hashlib.sha256(b"").hexdigest()
    assert after == before  # the file untouched; no n.duckdb.wal, and no n.duckdb.lock


@pytest.mark.timeout(60)
def test_a_corrupt_duckdb_file_is_refused_at_once_not_waited_on_as_if_locked(tmp_path):
    """DuckDB says "Corrupt database file: ... in block at location 0"; a "lock" inside "block" must not make
    newsmon wait for it as for a database another process holds (here: for an hour, past the timeout)."""
    db = tmp_path / "n.duckdb"
    NOT_DUCKDB["a DuckDB header, then garbage"](db)
    for open_it in (lambda: store.reader(db, wait=3600), lambda: store.writer(db, wait=3600)):
        with pytest.raises(store.StoreError, match="Corrupt database file"), open_it():
            pass


def test_backfill_into_a_missing_folder_is_refused(tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text("[[sources]]\nname = 'A'\n" + FEED)
    before = snapshot(tmp_path)
    result = newsmon("backfill", "--start", "2021-10-01", "--end", "2021-10-02", "--db",
                     str(tmp_path / "no" / "such" / "n.duckdb"), "--sources", str(sources))
    assert_one_line_error(result, "folder for database does not exist")
    assert snapshot(tmp_path) == before


def test_a_database_of_a_newer_newsmon_is_refused_untouched_and_still_readable(tmp_path):
    db = tmp_path / "n.duckdb"
    store.prepare(db)
    with store.writer(db) as w:
        w.con.execute("INSERT INTO schema_migrations VALUES ('999_from_a_newer_newsmon.sql', now())")
    sources = tmp_path / "sources.toml"
    sources.write_text("[[sources]]\nname = 'A'\n" + FEED)
    before = snapshot(tmp_path)
    result = newsmon("run", "--db", str(db), "--sources", str(sources))
    assert_one_line_error(result, str(db), "made by a newer newsmon", "999_from_a_newer_newsmon.sql")
    assert snapshot(tmp_path) == before  # no migration, no view recreated, no run row
    query = newsmon("sql", "SELECT COUNT(*) AS n FROM schema_migrations", "--db", str(db), "--format", "csv")
    assert query.returncode == 0 and query.stdout.split() == ["n", str(len(store._sql_files("migrations")) + 1)]
    assert snapshot(tmp_path) == before


# newsmon sql: one query that reads the database and nothing else ----------------------------------------


@pytest.fixture
def db_with_article(tmp_path) -> Path:
    db = tmp_path / "n.duckdb"
    store.prepare(db)
    a = article(1)
    with store.writer(db) as w:
        run = w.start_run("ingest")
        w.write_articles(run, [a], {a.article_id: enrichment(a)}, 0.7)
        w.finish_run(run, "completed", {})  # builds the full-text index
    (tmp_path / "secret.txt").write_text("password=hunter2\n")
    return db


REFUSED = [
    ("UPDATE articles SET title = 'x'", "not UPDATE"),
    ("DROP TABLE articles", "not DROP"),
    ("CREATE VIEW v AS SELECT 1", "not CREATE"),
    ("COPY articles TO 'dump.csv'", "not COPY"),
    ("COPY (SELECT text FROM articles) TO 'dump.parquet' (FORMAT parquet)", "not COPY"),
    ("EXPORT DATABASE 'dump'", "not EXPORT"),
    ("ATTACH 'other.duckdb' AS o (READ_ONLY false)", "not ATTACH"),
    ("INSTALL httpfs", "not INSTALL or LOAD"),
    ("LOAD httpfs", "not INSTALL or LOAD"),
    ("SET threads = 1", "not SET, RESET or USE"),
    ("RESET memory_limit", "not SET, RESET or USE"),
    ("VACUUM", "not VACUUM or ANALYZE"),
    ("BEGIN TRANSACTION", "not TRANSACTION"),
    ("SELECT 1; DROP TABLE articles", "one statement at a time: 2 given"),
    ("SELECT COUNT(*) FROM articles; SELECT 1", "one statement at a time: 2 given"),
    ("   ", "no SQL statement given"),
    # one query, but it would reach outside the database: the sealed connection refuses it
    ("SELECT * FROM read_text('secret.txt')", "file system operations are disabled"),
    ("SELECT * FROM read_csv('secret.txt')", "file system operations are disabled"),
    ("SELECT * FROM glob('*')", "file system operations are disabled"),
    ("SELECT * FROM read_parquet('https://example.org/x.parquet')", "disabled"),
]


@pytest.mark.parametrize("sql, needle", REFUSED, ids=[s for s, _ in REFUSED])
def test_sql_refuses_what_would_write_or_read_outside_the_database(db_with_article, sql, needle):
    folder = db_with_article.parent
    before = snapshot(folder)
    cwd = os.getcwd()
    os.chdir(folder)  # relative paths in the statement point here
    try:
        with pytest.raises(store.StoreError) as refused:
            report.run_query(db_with_article, sql, search=True, one_query=True)
    finally:
        os.chdir(cwd)
    assert needle in str(refused.value) and "\n" not in str(refused.value)
    assert snapshot(folder) == before


def test_newsmon_sql_refusals_are_one_line_and_write_nothing(db_with_article):
    folder = db_with_article.parent
    before = snapshot(folder)
    for sql in ("COPY articles TO 'dump.csv'", "SELECT 1; DROP TABLE articles", "SELECT content FROM read_text('secret.txt')"):
        assert_one_line_error(newsmon("sql", sql, "--db", str(db_with_article)))
    assert snapshot(folder) == before


def test_the_read_connection_itself_cannot_write_or_reach_outside(db_with_article):
    """The refusals above do not rest on recognising statements: the connection `store.reader` hands out
    is read-only, cannot touch a file outside the database and cannot change a setting."""
    folder = db_with_article.parent
    before = snapshot(folder)
    with store.reader(db_with_article) as con:
        for sql in (
            f"COPY articles TO '{folder / 'dump.csv'}'",
            f"EXPORT DATABASE '{folder / 'dump'}'",
            f"ATTACH '{folder / 'other.duckdb'}' AS o (READ_ONLY false)",
            f"SELECT * FROM read_text('{folder / 'secret.txt'}')",
            "INSTALL httpfs",
            "SET enable_external_access = true",
            "SET lock_configuration = false",
            "SELECT 1; DELETE FROM runs",
        ):
            with pytest.raises(duckdb.Error):
                con.execute(sql)
    assert snapshot(folder) == before


def test_sql_still_answers_queries_catalogue_questions_and_full_text_search(db_with_article):
    def one(sql):
        return report.run_query(db_with_article, sql, search=True, one_query=True)

    assert one("SELECT COUNT(*) AS n FROM articles;") == (["n"], [(1,)])  # a trailing ; is one statement
    assert one("FROM runs SELECT status") == (["status"], [("completed",)])
    assert ("title",) in [r[:1] for r in one("DESCRIBE articles")[1]]
    assert "articles" in {r[0] for r in one("SHOW TABLES")[1]}
    assert one("PRAGMA table_info('runs')")[1][0][1] == "run_id"
    assert one("EXPLAIN SELECT 1")[0] == ["explain_key", "explain_value"]
    hits = one("SELECT title FROM (SELECT *, fts_main_articles.match_bm25(article_id, 'envoy talks') AS score"
               " FROM articles) WHERE score IS NOT NULL")
    assert hits == (["title"], [("Story 1",)])


def test_an_unknown_setting_is_a_warning_and_a_known_one_applies():
    from pipeline.settings import load_settings, parse_sources

    warnings: list[str] = []
    data = {"settings": {"colour": 1, "batch_size": 7}, "sources": [{"name": "A", "feeds": ["https://a.example/rss"]}]}
    _sources, settings = parse_sources(data, load_settings(), warnings)
    assert warnings == ["unknown key 'colour' in [settings] (ignored)"]
    assert settings.batch_size == 7
