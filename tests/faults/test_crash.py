"""`newsmon run` and `newsmon backfill` killed with SIGKILL at named points: nothing lost, nothing doubled.

Extraction and NLP run in the newsmon process itself (nlp_processes = 1), so that "the 7th article
annotated" is counted in one process; a last test kills a run while a worker process annotates.

A small site (two outlets, 24 articles from the labelled set, three syndicated near-copies, a page that is
gone) is served from 127.0.0.1. The reference is one uninterrupted `run` followed by one uninterrupted
`backfill`. Each test starts a newsmon process with NEWSMON_PAUSE_AT (see pipeline/faults.py), waits until
it reports that it stopped at the point, kills it with SIGKILL, checks what a crash may leave (the
database opens; every stored article is whole, with exactly its reference rows; a feed's ETag is stored
only when all of its entries are), runs the same command again, and compares every table that matters
with the reference. Batches of 2 pages, so that several batches have committed when the kill comes.
The session's Prefect server (tests/conftest.py) serves the newsmon processes, instead of one each.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

import pytest
from httpserver import LocalHTTPServer, RecordedRequest, Reply

from pipeline import store
from pipeline.identity import article_id, canonical_url

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "data" / "gold"
WAIT = 240.0  # seconds: a safety net for events that take a few seconds, not a timing assertion
WINDOW = ("2021-10-01", "2021-10-12")
FIRST_DAY = datetime(2021, 10, 1, 8, 0)
FEEDS_FROM = datetime(2021, 10, 7)  # the feeds carry the newer articles; the older are in the sitemaps only
WIRE_COPIES = {1: True, 7: False, 19: True}  # gold number of an Alpha story -> is Beta's copy in Beta's feed


@dataclass(frozen=True)
class Page:
    path: str
    source: str  # "Alpha" or "Beta"
    title: str
    text: str
    published: datetime
    in_feed: bool
    copy_of: str | None = None  # path of the original, for a syndicated copy


def build_pages() -> list[Page]:
    """Gold articles 01-24, two a day from 1 October 2021, odd ones on Alpha and even ones on Beta; Beta
    also carries wire copies of three Alpha stories, five hours later. The copy of story 1 is in Beta's
    feed while its original is in Alpha's sitemap only: the run stores the copy first, and the backfill's
    earlier original must then take it over (duplicate_of)."""
    pages = []
    for number in range(1, 25):
        [path] = GOLD.glob(f"{number:02d}-*.toml")
        gold = tomllib.loads(path.read_text(encoding="utf-8"))
        source = "Alpha" if number % 2 else "Beta"
        published = FIRST_DAY + timedelta(days=(number - 1) // 2, hours=3 * (number % 2))
        page = Page(f"/{source.lower()}/{path.stem}.html", source, gold["title"], gold["text"].strip(), published,
                    published >= FEEDS_FROM)
        pages.append(page)
        if number in WIRE_COPIES:
            pages.append(
                Page(
                    f"/beta/wire-{path.stem}.html", "Beta", gold["title"] + " (wire)",
                    page.text + "\n\nThis story was distributed by a wire service.",
                    published + timedelta(hours=5), WIRE_COPIES[number], copy_of=page.path,
                )
            )
    return pages


def page_html(page: Page) -> bytes:
    paragraphs = "".join(f"<p>{escape(p.strip())}</p>" for p in page.text.split("\n\n") if p.strip())
    return (
        f"<!doctype html><html lang='en'><head><title>{escape(page.title)}</title>"
        f"<meta property='article:published_time' content='{page.published.isoformat()}Z'></head><body>"
        f"<nav><a href='/'>Home</a> <a href='/world'>World</a></nav><article><h1>{escape(page.title)}</h1>"
        f"{paragraphs}</article><footer>Copyright {page.source} News</footer></body></html>"
    ).encode()


def feed_reply(body: bytes, etag: str):
    """A feed that answers 304 to a request carrying its ETag."""

    def answer(request: RecordedRequest) -> Reply:
        if request.headers.get("if-none-match") == etag:
            return Reply(status=304, headers={"ETag": etag}, content_type=None)
        return Reply(body=body, headers={"ETag": etag}, content_type="application/rss+xml")

    return answer


def serve(server: LocalHTTPServer, pages: list[Page]) -> dict[str, list[str]]:
    """Routes for the pages, one RSS feed and one news sitemap per outlet; returns each feed's links."""
    links: dict[str, list[str]] = {}
    for page in pages:
        server.add(page.path, Reply(body=page_html(page)))
    for source in ("Alpha", "Beta"):
        mine = [p for p in pages if p.source == source]
        in_feed = sorted((p for p in mine if p.in_feed), key=lambda p: p.published, reverse=True)
        items = [
            f"<item><title>{escape(p.title)}</title><link>{server.url(p.path)}</link><guid>{server.url(p.path)}</guid>"
            f"<pubDate>{format_datetime(p.published.replace(tzinfo=UTC))}</pubDate>"
            f"<description>{escape(p.text[:200])}</description></item>"
            for p in in_feed
        ]
        links[source] = [server.url(p.path) for p in in_feed]
        if source == "Alpha":  # a page that is gone: a failure that is recorded, never retried
            gone = server.url("/alpha/gone.html")
            items.append(f"<item><title>Removed</title><link>{gone}</link><pubDate>Tue, 12 Oct 2021 20:00:00 +0000"
                         "</pubDate></item>")
            links[source].append(gone)
        feed = f"<?xml version='1.0'?><rss version='2.0'><channel><title>{source}</title>{''.join(items)}</channel></rss>"
        server.add(f"/{source.lower()}/rss.xml", feed_reply(feed.encode(), f'"{source.lower()}-v1"'))
        urls = "".join(
            f"<url><loc>{server.url(p.path)}</loc><lastmod>{p.published:%Y-%m-%d}</lastmod><news:news>"
            f"<news:publication><news:name>{source}</news:name><news:language>en</news:language></news:publication>"
            f"<news:publication_date>{p.published.isoformat()}Z</news:publication_date>"
            f"<news:title>{escape(p.title)}</news:title></news:news></url>"
            for p in mine
        )
        sitemap = (
            "<?xml version='1.0' encoding='UTF-8'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
            f"xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'>{urls}</urlset>"
        )
        server.add(f"/{source.lower()}/sitemap.xml", Reply(body=sitemap.encode(), content_type="application/xml"))
    return links


# --- the newsmon processes ------------------------------------------------------------------------------
def newsmon_env(api_url: str, pause: str | None = None, marker: Path | None = None) -> dict[str, str]:
    env = {**os.environ, "PREFECT_API_URL": api_url}
    for name in ("NEWSMON_DB", "NEWSMON_SOURCES", "NEWSMON_PAUSE_AT", "NEWSMON_PAUSE_FILE"):
        env.pop(name, None)
    if pause:
        env.update(NEWSMON_PAUSE_AT=pause, NEWSMON_PAUSE_FILE=str(marker))
    return env


def command(site, db: Path, flow: str) -> list[str]:
    args = ["run"] if flow == "run" else ["backfill", "--start", WINDOW[0], "--end", WINDOW[1]]
    return [sys.executable, "-m", "newsmon", *args, "--db", str(db), "--sources", str(site.sources)]


def complete(site, db: Path, flow: str) -> None:
    """Run `newsmon run` or `newsmon backfill` to its end; it must exit 0."""
    result = subprocess.run(
        command(site, db, flow), cwd=ROOT, env=newsmon_env(site.api_url), capture_output=True, text=True, check=False,
        timeout=WAIT,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def kill_at(site, db: Path, flow: str, point: str, tmp_path: Path) -> str:
    """Start the command, wait until it stops at `point`, SIGKILL it and every process of its group."""
    marker, log = tmp_path / "paused", tmp_path / f"{flow}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command(site, db, flow), cwd=ROOT, env=newsmon_env(site.api_url, point, marker),
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        deadline = time.monotonic() + WAIT
        while not marker.exists():
            if process.poll() is not None:
                pytest.fail(f"newsmon {flow} ended (exit {process.returncode}) before {point}: "
                            f"{log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"newsmon {flow} did not reach {point}")
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        assert process.returncode == -signal.SIGKILL
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
        try:
            os.killpg(process.pid, signal.SIGKILL)  # orphans of the group, if any
        except ProcessLookupError:
            pass
    return marker.read_text()


# --- what is stored ---------------------------------------------------------------------------------------
PER_ARTICLE = {  # tables whose rows belong to one article; the first column is its article_id
    "mentions": "SELECT article_id, actor, surface, label, start_char, end_char, name FROM mentions",
    "article_topics": "SELECT article_id, topic, score FROM article_topics",
    "quotes": "SELECT article_id, speaker, actor, quote, position FROM quotes",
    "article_html": "SELECT article_id, html FROM article_html",
    "article_sketches": "SELECT article_id, signature FROM article_sketches",
    "sketch_bands": "SELECT article_id, band_key FROM sketch_bands",
}
OTHER = {  # run ids and timestamps left out
    "articles": """SELECT article_id, url, fetched_url, source, feed_url, title, author, published_at, date_origin,
                          language, sitename, text, extraction, duplicate_of, relevance FROM articles""",
    "failures": "SELECT DISTINCT url, stage, source, reason, http_status, permanent FROM failures",
    "feeds": "SELECT feed_url, source, etag, last_modified, entries_last FROM feeds",
    "retry_entries": "SELECT article_id, link, attempts, last_reason FROM retry_entries",
    "out_of_window": "SELECT article_id, url, published_at FROM out_of_window",
}


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every table that matters, as sorted lists of rows (a row stored twice shows twice)."""
    with store.reader(db, wait=10) as con:
        return {name: sorted(con.execute(sql).fetchall(), key=repr) for name, sql in {**PER_ARTICLE, **OTHER}.items()}


def assert_same(now: dict[str, list[tuple]], reference: dict[str, list[tuple]]) -> None:
    """Table by table, the rows missing and the rows extra (stored twice, or not in the reference)."""
    problems = []
    for table, expected in reference.items():
        missing, extra = list(expected), []
        for row in now[table]:
            if row in missing:
                missing.remove(row)
            else:
                extra.append(row)
        if missing or extra:
            problems.append(f"{table}: {len(missing)} rows missing, {len(extra)} extra, e.g. {(missing or extra)[0]!r:.300}")
    assert not problems, "\n".join(problems)


def by_article(rows: list[tuple]) -> dict[str, list[tuple]]:
    grouped = defaultdict(list)
    for row in rows:
        grouped[row[0]].append(row)
    return grouped


def assert_opens(db: Path) -> None:
    """A reader and a writer open the database after the kill (locks released, WAL replayed)."""
    with store.reader(db, wait=10) as con:
        con.execute("SELECT COUNT(*) FROM articles").fetchone()
    with store.writer_lock(db, wait=10), store.writer(db, wait=10) as w:
        w.con.execute("SELECT COUNT(*) FROM runs").fetchone()


def assert_whole(db: Path, reference: dict[str, list[tuple]]) -> set[str]:
    """Every stored article is whole: its row and all its rows elsewhere equal the reference's, and no row
    belongs to an article that is not stored. Returns the stored ids."""
    now = snapshot(db)
    ref_articles = {row[0]: row for row in reference["articles"]}
    stored = {row[0]: row for row in now["articles"]}
    assert set(stored) <= set(ref_articles)
    for aid, row in stored.items():
        expected = ref_articles[aid]
        original = expected[13] if expected[13] in stored else None  # a copy whose original is not in yet
        assert row == (*expected[:13], original, expected[14]), aid
    for table in PER_ARTICLE:
        mine, theirs = by_article(now[table]), by_article(reference[table])
        assert set(mine) <= set(stored), f"{table} has rows of articles that are not stored"
        for aid in stored:
            assert mine.get(aid, []) == theirs.get(aid, []), f"{table} rows of {aid}"
    return set(stored)


def assert_feed_state_follows_articles(db: Path, links: dict[str, list[str]], stored: set[str]) -> None:
    """A feed's ETag is stored only once every entry of the feed is stored (or failed for good)."""
    with store.reader(db, wait=10) as con:
        etags = dict(con.execute("SELECT feed_url, etag FROM feeds WHERE etag IS NOT NULL").fetchall())
        failed = {r[0] for r in con.execute("SELECT url FROM failures WHERE permanent").fetchall()}
    for feed_url in etags:
        source = "Alpha" if "/alpha/" in feed_url else "Beta"
        missing = [u for u in links[source] if article_id(canonical_url(u)) not in stored and u not in failed]
        assert not missing, f"{feed_url}: ETag stored while {len(missing)} entries are not"


def runs(db: Path) -> list[tuple]:
    with store.reader(db, wait=10) as con:
        return con.execute(
            "SELECT flow, status, articles_new, detail, host, pid FROM runs ORDER BY started_at, run_id"
        ).fetchall()


# --- fixtures ------------------------------------------------------------------------------------------------
@dataclass
class Site:
    server: LocalHTTPServer
    pages: list[Page]
    links: dict[str, list[str]]
    sources: Path
    api_url: str


@pytest.fixture(scope="module")
def site(tmp_path_factory, prefect_api) -> Site:
    tmp = tmp_path_factory.mktemp("crash-site")
    with LocalHTTPServer() as server:
        pages = build_pages()
        links = serve(server, pages)
        sources = tmp / "sources.toml"
        sources.write_text(
            "[fetch]\nallow_private_networks = true\nper_host_delay = 0.0\nretries = 0\n"
            "[settings]\nbatch_size = 2\nnlp_processes = 1\n"
            f"[[sources]]\nname = 'Alpha'\nfeeds = ['{server.url('/alpha/rss.xml')}']\n"
            f"sitemaps = ['{server.url('/alpha/sitemap.xml')}']\n"
            f"[[sources]]\nname = 'Beta'\nfeeds = ['{server.url('/beta/rss.xml')}']\n"
            f"sitemaps = ['{server.url('/beta/sitemap.xml')}']\n"
        )
        yield Site(server, pages, links, sources, prefect_api)


@dataclass
class Reference:
    after_run: dict[str, list[tuple]]
    after_backfill: dict[str, list[tuple]]
    run_db: Path  # the database after the uninterrupted run: where each backfill test starts


@pytest.fixture(scope="module")
def reference(site, tmp_path_factory) -> Reference:
    """One uninterrupted run, then one uninterrupted backfill of the window."""
    tmp = tmp_path_factory.mktemp("reference")
    db = tmp / "reference.duckdb"
    complete(site, db, "run")
    run_db = tmp / "after-run.duckdb"
    shutil.copyfile(db, run_db)
    after_run = snapshot(db)
    complete(site, db, "backfill")
    return Reference(after_run, snapshot(db), run_db)


def ids(pages) -> set[str]:
    return {article_id(canonical_url(p)) for p in pages}


def test_the_reference_is_what_the_site_holds(site, reference):
    """The uninterrupted runs store what they should, so that comparing with them means something."""
    url = site.server.url
    feed_pages = [url(p.path) for p in site.pages if p.in_feed]
    assert {r[0] for r in reference.after_run["articles"]} == ids(feed_pages)
    assert {r[0] for r in reference.after_backfill["articles"]} == ids(url(p.path) for p in site.pages)
    copies = {article_id(canonical_url(url(p.path))): article_id(canonical_url(url(p.copy_of)))
              for p in site.pages if p.copy_of}
    assert {r[0]: r[13] for r in reference.after_backfill["articles"] if r[13]} == copies
    for table in ("mentions", "article_topics", "article_html", "article_sketches"):  # every article has rows
        assert set(by_article(reference.after_backfill[table])) == ids(url(p.path) for p in site.pages), table
    assert len(reference.after_backfill["quotes"]) > 20
    assert reference.after_backfill["failures"] == [
        (url("/alpha/gone.html"), "page", "Alpha", "http_status", 404, True)
    ]
    assert {r[0]: r[2] for r in reference.after_run["feeds"]} == {
        url("/alpha/rss.xml"): '"alpha-v1"', url("/beta/rss.xml"): '"beta-v1"'
    }


# Points of the run: the 9th page fetched and the 9th article annotated are in the fifth batch or later,
# which starts only once the first is written (`prepared_in_order`: at most four batches started and not
# written), and by then at most the first four (8 articles) are; the third write stops inside the
# transaction of the third batch, two being committed.
RUN_POINTS = {"fetch:9": range(2, 9), "nlp:9": range(2, 9), "write:3": [4]}  # -> articles committed
# Points of the backfill, which goes day by day and prepares batches ahead of the writer as the run does:
# a sitemap read (nothing committed); the 9th page (in the fifth batch, started once the first is
# written); inside the 4th batch's transaction (three days committed).
BACKFILL_POINTS = {"sitemap:1": [0], "fetch:9": range(2, 9), "write:4": [6]}  # -> articles committed


@pytest.mark.parametrize("point", RUN_POINTS)
def test_run_killed_then_run_again_equals_an_uninterrupted_run(site, reference, tmp_path, point):
    db = tmp_path / "n.duckdb"
    where = kill_at(site, db, "run", point, tmp_path)
    assert where.startswith(point)
    assert_opens(db)
    stored = assert_whole(db, reference.after_run)
    assert len(stored) in RUN_POINTS[point]  # some batches of 2 committed, not all
    assert_feed_state_follows_articles(db, site.links, stored)
    [(flow, status, *_)] = runs(db)
    assert (flow, status) == ("ingest", "running")  # until the next run looks

    complete(site, db, "run")
    assert_same(snapshot(db), reference.after_run)
    killed, again = runs(db)
    assert killed[:3] == ("ingest", "crashed", len(stored))
    assert "ended without finishing" in killed[3] and killed[4] == socket.gethostname() and killed[5] > 0
    assert again[:3] == ("ingest", "completed", len(reference.after_run["articles"]) - len(stored))


@pytest.mark.parametrize("point", BACKFILL_POINTS)
def test_backfill_killed_then_run_again_equals_an_uninterrupted_backfill(site, reference, tmp_path, point):
    db = tmp_path / "n.duckdb"
    shutil.copyfile(reference.run_db, db)
    before = len(reference.after_run["articles"])
    where = kill_at(site, db, "backfill", point, tmp_path)
    assert where.startswith(point)
    assert_opens(db)
    stored = assert_whole(db, reference.after_backfill)
    assert len(stored) - before in BACKFILL_POINTS[point]
    assert runs(db)[-1][:2] == ("backfill", "running")

    complete(site, db, "backfill")
    assert_same(snapshot(db), reference.after_backfill)
    *_, killed, again = runs(db)
    assert killed[:3] == ("backfill", "crashed", len(stored) - before)
    assert again[:3] == ("backfill", "completed", len(reference.after_backfill["articles"]) - len(stored))


HOLD_A_RUN = """
import sys, time
from pipeline import store
with store.writer(sys.argv[1]) as w:
    print(w.start_run(sys.argv[2]), flush=True)
time.sleep(600)
"""


def test_a_run_whose_process_died_is_marked_crashed_when_the_next_run_starts(tmp_path):
    """Without Prefect: one process starts a run and is killed, another starts one and lives on."""
    db = tmp_path / "n.duckdb"
    store.prepare(db)
    with store.writer(db) as w:  # a run recorded before runs had a process: nothing can be said of it
        w.con.execute("INSERT INTO runs (run_id, flow, started_at, status) VALUES ('old', 'ingest', '2021-01-01', 'running')")
    holders = {
        flow: subprocess.Popen([sys.executable, "-c", HOLD_A_RUN, str(db), flow], cwd=ROOT, stdout=subprocess.PIPE,
                               text=True, start_new_session=True)
        for flow in ("ingest", "backfill")
    }
    try:
        killed, alive = (holders[flow].stdout.readline().strip() for flow in ("ingest", "backfill"))
        os.kill(holders["ingest"].pid, signal.SIGKILL)
        holders["ingest"].wait()
        with store.reader(db) as con:
            assert con.execute("SELECT last_status FROM run_status WHERE flow = 'ingest'").fetchone() == ("running",)
        with store.writer(db) as w:
            mine = w.start_run("reprocess")
        with store.reader(db) as con:
            status = dict(con.execute("SELECT run_id, status FROM runs").fetchall())
            [(detail, pid)] = con.execute("SELECT detail, pid FROM runs WHERE run_id = ?", [killed]).fetchall()
            shown = dict(con.execute("SELECT flow, last_status FROM run_status").fetchall())
        assert status == {"old": "running", killed: "crashed", alive: "running", mine: "running"}
        assert pid == holders["ingest"].pid and f"process {pid} on {socket.gethostname()} ended" in detail
        assert shown == {"ingest": "crashed", "backfill": "running", "reprocess": "running"}
        assert not store.run_lock_path(db, killed).exists()
        with store.writer(db) as w:
            w.finish_run(mine, "completed", {})
        assert not store.run_lock_path(db, mine).exists()
    finally:
        for process in holders.values():
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()


PASS_POINTS = """
from pipeline.faults import checkpoint
checkpoint("nlp"); checkpoint("write"); print("first nlp passed", flush=True)
checkpoint("nlp"); print("second nlp passed", flush=True)
"""


def test_a_checkpoint_stops_the_whole_process_at_the_nth_time_and_only_then(tmp_path):
    marker = tmp_path / "paused"
    env = {**os.environ, "NEWSMON_PAUSE_AT": "nlp:2", "NEWSMON_PAUSE_FILE": str(marker)}
    process = subprocess.Popen([sys.executable, "-c", PASS_POINTS], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               text=True, start_new_session=True)
    try:
        assert process.stdout.readline() == "first nlp passed\n"
        deadline = time.monotonic() + WAIT
        while not marker.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.02)
        assert marker.read_text().startswith(f"nlp:2 pid {process.pid} ")
        state = ""
        while state != "T" and time.monotonic() < deadline:  # stopped, not merely slow
            state = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            time.sleep(0.01)
        assert state == "T"
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    assert process.stdout.read() == ""  # never got past the second "nlp"
    bad = subprocess.run([sys.executable, "-c", "import pipeline.faults"], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "NEWSMON_PAUSE_AT": "nlp:0"}, check=False)
    assert bad.returncode != 0 and "NEWSMON_PAUSE_AT must be one of" in bad.stderr


def test_run_killed_while_a_worker_process_annotates_then_run_again_equals_an_uninterrupted_run(
    site, reference, tmp_path
):
    """With worker processes for extraction and NLP (the default), the "nlp" point stops a worker: the run,
    its workers and its Prefect task are killed together, nothing of the batch is stored, and the run again
    (with workers) equals the reference, which was made without them."""
    sources = tmp_path / "sources.toml"
    sources.write_text(site.sources.read_text().replace("nlp_processes = 1", "nlp_processes = 2"))
    with_workers = Site(site.server, site.pages, site.links, sources, site.api_url)
    db = tmp_path / "n.duckdb"
    where = kill_at(with_workers, db, "run", "nlp:3", tmp_path)
    assert where.startswith("nlp:3") and "thread MainThread" in where  # a worker's main thread, not the run's
    assert_opens(db)
    stored = assert_whole(db, reference.after_run)
    assert len(stored) < len(reference.after_run["articles"])
    complete(with_workers, db, "run")
    assert_same(snapshot(db), reference.after_run)
