"""Backfill through the sample site's sitemaps, and writers and readers at the same time."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import date, datetime

import pytest
from httpserver import Reply
from test_cli import ROOT, newsmon

from newsmon.sample_site.generate import sources_toml
from newsmon.sample_site.server import serve_generated_site
from pipeline import store

pytestmark = pytest.mark.e2e

WAIT = 300  # seconds: a safety net for events that take a few seconds, not a timing assertion


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("backfill-site")
    with serve_generated_site(tmp / "site") as server:
        sources = tmp / "sources.toml"
        sources.write_text(sources_toml(server.manifest))
        yield server, sources


def published_in(manifest, start: date, end: date) -> set[str]:
    return {
        a.url for a in manifest.articles
        if a.in_sitemaps and start <= datetime.fromisoformat(a.published).date() <= end
    }


def stored_urls(db) -> set[str]:
    with store.reader(db) as con:
        return {r[0] for r in con.execute("SELECT url FROM articles").fetchall()}


def test_backfill_stores_exactly_the_window_and_repeating_it_stores_nothing(site, tmp_path):
    server, sources = site
    db = tmp_path / "n.duckdb"
    window = ("2021-09-01", "2021-10-11")
    server.clear_requests()
    first = newsmon("backfill", "--start", window[0], "--end", window[1], "--db", str(db), "--sources", str(sources))
    assert first.returncode == 0, first.stderr[-3000:]
    expected = published_in(server.manifest, date(2021, 9, 1), date(2021, 10, 11))
    assert len(expected) > 40
    assert stored_urls(db) == expected  # nothing outside the window, nothing missing
    seed = server.manifest.seed_article
    assert seed is not None
    with store.reader(db) as con:
        [(title, origin)] = con.execute(
            "SELECT title, date_origin FROM articles WHERE url LIKE ?", [f"%{seed}%"]
        ).fetchall() or [(None, None)]
    assert title is not None and "Taliban will meet with the EU and the US" in title
    server.clear_requests()
    again = newsmon("backfill", "--start", window[0], "--end", window[1], "--db", str(db), "--sources", str(sources))
    assert again.returncode == 0, again.stderr[-3000:]
    article_paths = {a.path for a in server.manifest.articles}
    assert not [r.path for r in server.requests if r.path.split("?")[0] in article_paths]  # no page fetched
    with store.reader(db) as con:
        runs = con.execute("SELECT flow, status, articles_new FROM runs ORDER BY started_at").fetchall()
    assert runs == [("backfill", "completed", len(expected)), ("backfill", "completed", 0)]


def test_a_bad_window_is_a_one_line_error(site, tmp_path):
    _server, sources = site
    db = tmp_path / "n.duckdb"
    for start, end, needle in [("2021-10-31", "2021-10-01", "inverted"), ("yesterday", "2021-10-01", "YYYY-MM-DD")]:
        result = newsmon("backfill", "--start", start, "--end", end, "--db", str(db), "--sources", str(sources))
        assert result.returncode == 2 and needle in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert not db.exists()


def test_two_writers_at_once_both_finish_without_lock_errors_or_duplicates(site, tmp_path):
    server, sources = site
    db = tmp_path / "n.duckdb"
    store.prepare(db)
    cmd = [sys.executable, "-m", "newsmon"]
    common = ["--db", str(db), "--sources", str(sources)]
    processes = [
        subprocess.Popen([*cmd, "run", *common], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
        subprocess.Popen(
            [*cmd, "backfill", "--start", "2021-10-01", "--end", "2021-12-31", *common],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ),
        subprocess.Popen(
            [*cmd, "backfill", "--start", "2021-10-15", "--end", "2021-11-15", *common],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ),
    ]
    outputs = [p.communicate(timeout=600) for p in processes]
    for process, (_out, err) in zip(processes, outputs):
        assert process.returncode == 0, err[-3000:]
        assert "Could not set lock" not in err
    feed_articles = {a.url for a in server.manifest.articles if a.in_feeds}
    expected = feed_articles | published_in(server.manifest, date(2021, 10, 1), date(2021, 12, 31))
    with store.reader(db) as con:
        urls = [r[0] for r in con.execute("SELECT url FROM articles").fetchall()]
        doubled = con.execute(
            """SELECT
                 (SELECT COUNT(*) FROM (SELECT article_id FROM article_sketches GROUP BY ALL HAVING COUNT(*) > 1)),
                 (SELECT COUNT(*) FROM (SELECT article_id, start_char FROM mentions GROUP BY ALL HAVING COUNT(*) > 1)),
                 (SELECT COUNT(*) FROM (SELECT band_key, article_id FROM sketch_bands GROUP BY ALL HAVING COUNT(*) > 1))"""
        ).fetchone()
        new_total = con.execute("SELECT SUM(articles_new) FROM runs").fetchone()[0]
    assert len(urls) == len(set(urls)) == new_total
    assert set(urls) == expected
    assert doubled == (0, 0, 0)


def test_sql_answers_between_the_write_batches_of_a_running_run(http_server, tmp_path):
    """A run writes 3 batches of 4 pages. The pages of each batch are held by the site until the test lets
    them go, so the run is still running, with exactly k batches committed, when `newsmon sql` asks: the
    reader gets in between two commits of one run, sees each commit whole, and the run goes on."""
    s = http_server
    batch, batches = 4, 3
    gates = [threading.Event() for _ in range(batches)]
    body = (
        "<html><body><article><h1>Talks</h1>"
        + "<p>Amir Khan Muttaqi met envoys in Doha to discuss humanitarian aid and the frozen reserves.</p>" * 8
        + "</article></body></html>"
    ).encode()

    def held(n: int):
        def answer(_request) -> Reply:
            assert gates[n // batch].wait(WAIT), "the test never let this page go"
            return Reply(body=body)

        return answer

    for n in range(batch * batches):
        s.add(f"/p{n}.html", held(n))
    items = "".join(
        f"<item><title>t{n}</title><link>{s.url(f'/p{n}.html')}</link></item>" for n in range(batch * batches)
    )
    s.add("/rss.xml", Reply(body=f"<rss version='2.0'><channel><title>t</title>{items}</channel></rss>".encode()))
    sources = tmp_path / "sources.toml"
    # a held page must not time out (the run waits for the test, however slow the machine), and the held
    # requests of the batches prepared ahead must leave connections free for the batch let go (concurrency)
    sources.write_text(
        f"[fetch]\nallow_private_networks = true\nper_host_delay = 0.0\nconcurrency = 16\nread_timeout = {WAIT}\n"
        f"deadline = {WAIT}\n[settings]\nbatch_size = {batch}\n"
        f"[[sources]]\nname = 'Slow'\nfeeds = ['{s.url('/rss.xml')}']\n"
    )
    db = tmp_path / "n.duckdb"
    store.prepare(db)
    log = tmp_path / "run.log"
    with open(log, "w") as out:
        run = subprocess.Popen(
            [sys.executable, "-m", "newsmon", "run", "--db", str(db), "--sources", str(sources)],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
    query = "SELECT (SELECT COUNT(*) FROM articles), (SELECT string_agg(status, ',') FROM runs)"
    try:
        for k in range(batches - 1):
            gates[k].set()  # batch k may be fetched and written; batch k + 1 stays held
            deadline = time.monotonic() + WAIT  # a safety net, not a timing assertion
            while stored_count(db) < batch * (k + 1):
                assert run.poll() is None and time.monotonic() < deadline, log.read_text()[-2000:]
                time.sleep(0.1)
            answer = newsmon("sql", query, "--db", str(db), "--format", "csv")
            assert answer.returncode == 0, answer.stderr
            assert answer.stdout.splitlines()[1] == f"{batch * (k + 1)},running"  # whole batches, the run going on
            assert run.poll() is None  # the writer is still at work: the reader came between two of its commits
        gates[-1].set()
        run.wait(timeout=WAIT)
    finally:
        for gate in gates:
            gate.set()
        if run.poll() is None:
            run.kill()
            run.wait()
    assert run.returncode == 0, log.read_text()[-2000:]
    final = newsmon("sql", query, "--db", str(db), "--format", "csv").stdout.splitlines()[1]
    assert final == f"{batch * batches},completed"


def stored_count(db) -> int:
    with store.reader(db) as con:
        return con.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
