"""Writers and readers at the same time, made deterministic: the test itself holds newsmon's writer lock or
DuckDB's write connection, waits until the other party says (in its log) that it is waiting, checks what
can be read meanwhile, then lets go. No sleeps: events, with generous timeouts only as safety nets.

tests/test_backfill.py runs three real writers at once (`newsmon run` and two backfills, interleaved as the
scheduler decides) and `newsmon sql` during a run; these tests pin the orderings down."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest
from httpserver import Reply
from test_cli import ROOT
from test_store import article, enrichment

from pipeline import store

pytestmark = pytest.mark.e2e

HERE = Path(__file__).resolve().parent
PAGES = 6
WAITING_FOR_WRITER = "another newsmon process is writing to"
WAITING_FOR_DUCKDB = "is locked by another process: waiting"


class Party:
    """A process whose stderr is read line by line on a thread, so the test can wait for one line."""

    def __init__(self, *args: str):
        self.process = subprocess.Popen(
            [sys.executable, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.stdout = ""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stderr:
            with self.changed:
                self.lines.append(line.rstrip("\n"))
                self.changed.notify_all()
        with self.changed:
            self.lines.append(None)  # end of stream
            self.changed.notify_all()

    def wait_for(self, needle: str, timeout: float = 120) -> None:
        """Until a stderr line holds `needle`; fails at once if the process ends first."""
        with self.changed:
            done = self.changed.wait_for(
                lambda: any(line is None or needle in line for line in self.lines), timeout=timeout
            )
            assert done and None not in self.lines, (needle, self.lines[-20:])

    def finish(self, timeout: float = 300) -> tuple[int, str, str]:
        self.stdout, _ = self.process.communicate(timeout=timeout)
        with self.changed:
            self.changed.wait_for(lambda: None in self.lines, timeout=30)
            stderr = "\n".join(line for line in self.lines if line is not None)
        return self.process.returncode, self.stdout, stderr


def writer(sources: Path, db: Path) -> Party:
    """An ingest pass through the plain core in a process of its own; it logs when it waits for a lock."""
    return Party(str(HERE / "plain_ingest.py"), str(sources), str(db))


def reader(db: Path, query: str) -> Party:
    """`newsmon sql QUERY --format csv`, with the store's log (lock waits) on stderr."""
    code = (
        "import logging, sys; logging.basicConfig(stream=sys.stderr, level=logging.WARNING);"
        "logging.getLogger('pipeline.store').setLevel(logging.INFO);"
        "from newsmon.cli import main;"
        f"sys.exit(main(['sql', {query!r}, '--db', {str(db)!r}, '--format', 'csv']))"
    )
    return Party("-c", code)


COUNTS = "SELECT (SELECT COUNT(*) FROM articles) AS articles, (SELECT COUNT(*) FROM runs) AS runs"


def committed(db: Path) -> tuple[int, int]:
    with store.reader(db) as con:
        return con.execute(COUNTS).fetchone()


@pytest.fixture
def site(http_server, tmp_path) -> tuple[Path, Path]:
    """A feed of PAGES stories, and a database holding one completed run with 2 articles."""
    body = "<html lang='en'><body><article><h1>Story {n}</h1>" + "<p>Envoys met in Doha about aid, talk {n}.</p>" * 10
    for n in range(PAGES):
        http_server.add(f"/p{n}.html", Reply(body=(body.format(n=n) + "</article></body></html>").encode()))
    items = "".join(f"<item><title>Story {n}</title><link>{http_server.url(f'/p{n}.html')}</link></item>"
                    for n in range(PAGES))
    http_server.add("/rss.xml", Reply(body=f"<rss version='2.0'><channel><title>t</title>{items}</channel></rss>".encode(),
                                      content_type="application/rss+xml"))
    sources = tmp_path / "sources.toml"
    sources.write_text(
        "[fetch]\nallow_private_networks = true\nper_host_delay = 0.0\n"
        f"[[sources]]\nname = 'Wire'\nfeeds = ['{http_server.url('/rss.xml')}']\n"
    )
    db = tmp_path / "n.duckdb"
    store.prepare(db)
    stored = [article(1), article(2, text="Cricket scores from the weekend. " * 40)]
    with store.writer(db) as w:
        run = w.start_run("ingest")
        w.write_articles(run, stored, {a.article_id: enrichment(a) for a in stored}, 0.7)
        w.finish_run(run, "completed", {})
    return sources, db


def assert_stored_once(db: Path, articles: int, runs: int) -> None:
    with store.reader(db) as con:
        assert con.execute(COUNTS).fetchone() == (articles, runs)
        assert con.execute("SELECT COUNT(*) - COUNT(DISTINCT url) FROM articles").fetchone()[0] == 0
        assert con.execute(
            "SELECT COUNT(*) FROM (SELECT article_id, start_char FROM mentions GROUP BY ALL HAVING COUNT(*) > 1)"
        ).fetchone()[0] == 0
        assert con.execute("SELECT SUM(articles_new) FROM runs").fetchone()[0] == articles  # each counted once
        assert {s for (s,) in con.execute("SELECT status FROM runs").fetchall()} == {"completed"}


def test_writers_queue_behind_a_writer_and_readers_answer_meanwhile(site):
    """Two ingest passes start while another writer holds the writer lock (as a run does for each batch):
    both wait for it, `newsmon sql` and store.reader answer meanwhile with the last committed data; once
    the lock is released both finish, with no lock error and every article stored once."""
    sources, db = site
    with store.writer_lock(db):
        first, second = writer(sources, db), writer(sources, db)
        first.wait_for(WAITING_FOR_WRITER)
        second.wait_for(WAITING_FOR_WRITER)
        query = reader(db, COUNTS)
        code, out, err = query.finish()
        assert code == 0, err
        assert out.split() == ["articles,runs", "2,1"]  # the last commit: nothing of the waiting writers
        assert committed(db) == (2, 1)
        assert first.process.poll() is None and second.process.poll() is None  # still waiting
    for party in (first, second):
        code, out, err = party.finish()
        assert code == 0, err[-3000:]
        assert "Traceback" not in err and "Could not set lock" not in err
    assert_stored_once(db, articles=2 + PAGES, runs=3)


@pytest.mark.parametrize("other", ["reader", "writer"])
def test_a_commit_in_progress_is_waited_for_and_then_seen_whole(site, other):
    """The test holds DuckDB's write connection in the middle of a transaction (as a writer does while it
    commits a batch, or as a `duckdb` shell opened read-write would). `newsmon sql`, or a newsmon writer,
    says it waits, and goes on when the transaction commits: the reader sees all of it, never part."""
    sources, db = site
    extra = [article(3, text="Floods in the north destroyed homes and roads. " * 30),
             article(4, text="The budget for hospitals was passed by parliament. " * 30)]
    con = duckdb.connect(str(db))  # DuckDB's own lock only, not newsmon's writer lock
    try:
        w = store.Writer(con)
        with w.transaction():
            run = w.start_run("ingest")
            w.write_articles(run, extra, {a.article_id: enrichment(a) for a in extra}, 0.7)
            w.finish_run(run, "completed", {})
            party = reader(db, COUNTS) if other == "reader" else writer(sources, db)
            party.wait_for(WAITING_FOR_DUCKDB)
            assert party.process.poll() is None
    finally:
        con.close()  # committed above; now the file is free
    code, out, err = party.finish()
    assert code == 0, err[-3000:]
    assert "Traceback" not in err and "Could not set lock" not in err
    if other == "reader":
        assert out.split() == ["articles,runs", "4,2"]  # all of the transaction
    else:
        assert_stored_once(db, articles=4 + PAGES, runs=3)
