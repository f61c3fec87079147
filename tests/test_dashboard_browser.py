"""End to end in a real browser: `newsmon dashboard` on a database filled from the sample site, opened in
headless Chromium (Debian's, driven by Playwright) while a `newsmon run` writes to the same database, batch
after batch. Every page must render its charts and data with no error; the screenshots of the README are
taken here (`NEWSMON_SCREENSHOTS=docs/screenshots make test` writes them to docs/screenshots/<page>.png)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from dashboard_helpers import free_port, sample_database
from httpserver import Reply

from pipeline import store

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
WAIT = 300  # seconds: a safety net for events that take seconds, not a timing assertion
CHROMIUM = Path("/usr/bin/chromium")
# the README's screenshots are refreshed with `NEWSMON_SCREENSHOTS=docs/screenshots make test`; by default
# they go to a temporary folder, so that running the tests leaves the working tree as it was
SCREENSHOTS = Path(os.environ.get("NEWSMON_SCREENSHOTS") or tempfile.mkdtemp(prefix="newsmon-screenshots-"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]  # fmt: skip
# page key -> (heading, has a chart, text that must show: in a widget, so in the DOM, not a canvas)
PAGES = {
    "overview": ("Overview", True, "Up to date"),
    "actors": ("Actors", True, "Taliban"),
    "topics": ("Topics", True, "humanitarian_aid"),
    "meetings": ("Who meets whom", True, "Download meeting_reports.csv"),
    "pairs": ("Named together", True, "Taliban"),
    "outlets": ("Outlets", True, "Download outlets.csv"),
    "quotes": ("Quotes", False, "Download quotes.csv"),
    "articles": ("Articles", False, "Read an article"),
    "emerging": ("Emerging actors", True, "Download emerging_actors.csv"),
}


def chromium_or_skip() -> None:
    """Debian's chromium, installed with apt-get when missing (as .ci/run does); skip only if that fails."""
    if CHROMIUM.exists():
        return
    if shutil.which("apt-get") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=env, capture_output=True, timeout=900)
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing and could not be installed with apt-get")


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"newsmon dashboard exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"the dashboard did not answer at {url} within {timeout:.0f} s")


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    chromium_or_skip()
    tmp = tmp_path_factory.mktemp("browser")
    with sample_database(tmp) as sample:
        port = free_port()
        log = open(tmp / "dashboard.log", "w")
        env = {k: v for k, v in os.environ.items() if k not in ("NEWSMON_DB", "NEWSMON_SCHEDULE_MINUTES")}
        process = subprocess.Popen(
            [sys.executable, "-m", "newsmon", "dashboard", "--port", str(port), "--db", str(sample.db)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(url, process)
            yield {"url": url, "db": sample.db, "sources": sample.sources, "tmp": tmp}
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()


HELD_PAGES = 16  # more than the views the test opens while the run writes


class HeldRun:
    """`newsmon run` into the dashboard's database over a feed of HELD_PAGES new articles that the site hands
    out one at a time, in batches of one page. `release()` lets the next page go: its batch is fetched,
    annotated and committed while the test does something else; `committed()` waits for that commit. The run
    cannot end before the test lets its last page go, so it is at work whenever the test says so: events,
    not the clock."""

    def __init__(self, dashboard, server):
        self.db, self.tmp = dashboard["db"], dashboard["tmp"]
        self.gates = [threading.Event() for _ in range(HELD_PAGES)]
        self.released = 0
        body = "<p>Amir Khan Muttaqi met the envoy of Qatar in Kabul to discuss humanitarian aid and the frozen reserves.</p>"
        for n in range(HELD_PAGES):
            html = f"<html lang='en'><head><title>Held {n}</title></head><body><article><h1>Talks in Kabul, part {n}</h1>"
            server.add(f"/held/{n}.html", self.held(n, (html + body * 6 + "</article></body></html>").encode()))
        items = "".join(
            f"<item><title>Talks in Kabul, part {n}</title><link>{server.url(f'/held/{n}.html')}</link>"
            f"<pubDate>Thu, 30 Dec 2021 {n % 24:02d}:00:00 +0000</pubDate></item>"
            for n in range(HELD_PAGES)
        )
        server.add("/held/rss.xml", Reply(body=f"<rss version='2.0'><channel><title>Held</title>{items}</channel></rss>".encode()))
        sources = self.tmp / "held-sources.toml"
        sources.write_text(  # a held page never times out; the held requests leave connections for the others
            f"[fetch]\nallow_private_networks = true\nper_host_delay = 0.0\nconcurrency = 32\nread_timeout = {WAIT}\n"
            f"deadline = {WAIT}\n[settings]\nbatch_size = 1\n"
            f"[[sources]]\nname = 'Held Wire'\nfeeds = ['{server.url('/held/rss.xml')}']\n"
        )
        env = {k: v for k, v in os.environ.items() if k not in ("NEWSMON_DB", "NEWSMON_SOURCES")}
        with open(self.tmp / "held-run.log", "w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "newsmon", "run", "--db", str(self.db), "--sources", str(sources)],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def held(self, n: int, body: bytes):
        def answer(_request) -> Reply:
            assert self.gates[n].wait(WAIT), "the test never let this page go"
            return Reply(body=body)

        return answer

    def log(self) -> str:
        return (self.tmp / "held-run.log").read_text()[-2000:]

    def release(self) -> None:
        """Let the next page go: the run fetches, annotates and commits it (one batch) from now on."""
        self.gates[self.released].set()
        self.released += 1

    def committed(self) -> None:
        """Wait until every page let go is stored."""
        deadline = time.monotonic() + WAIT  # a safety net, not a timing assertion
        while stored(self.db, "Held Wire") < self.released:
            assert self.running(), self.log()
            assert time.monotonic() < deadline, f"the run did not store its page: {self.log()}"
            time.sleep(0.2)

    def running(self) -> bool:
        return self.process.poll() is None

    def finish(self) -> int:
        for gate in self.gates:
            gate.set()
        return self.process.wait(timeout=WAIT)

    def stop(self) -> None:
        for gate in self.gates:
            gate.set()
        if self.running():
            self.process.terminate()
            self.process.wait(timeout=60)


def stored(db: Path, source: str) -> int:
    with store.reader(db) as con:
        return con.execute("SELECT COUNT(*) FROM articles WHERE source = ?", [source]).fetchone()[0]


def open_page(page, url: str, key: str) -> None:
    heading, has_chart, needle = PAGES[key]
    page.goto(f"{url}/?page={key}")
    page.locator('[data-testid="stHeading"]', has_text=heading).first.wait_for(timeout=90_000)
    page.get_by_text(needle).first.wait_for(timeout=90_000)
    if has_chart:  # vega-embed has drawn it
        page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg').first.wait_for(
            timeout=90_000
        )
    page.wait_for_function(WHEN_DRAWN, timeout=90_000)


# the script run is over (no "Running..." widget) and the tables are drawn (no visible placeholder)
WHEN_DRAWN = """() => !document.querySelector('[data-testid="stStatusWidget"]')
    && [...document.querySelectorAll('[data-testid="stSkeleton"]')].every(e => e.offsetParent === null)
    && [...document.querySelectorAll('[data-testid="stDataFrame"]')].some(e => e.querySelector('canvas'))"""


def check_page(page, key: str) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, key
    assert page.get_by_text("could not be read").count() == 0, key
    assert page.get_by_text("locked").count() == 0, key
    if PAGES[key][1]:
        assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 1, key


def test_every_page_renders_in_chromium_while_a_run_writes(dashboard, http_server):
    """Each view is opened right after the writer was let go on a new batch, and checked; then that batch's
    commit is awaited and the writer must still be at work (its next page is held): so every view loaded
    while a run was writing the database, its commits landing before, during or after the render."""
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    writer = HeldRun(dashboard, http_server)

    def while_writing(view) -> None:
        writer.release()  # a batch is fetched, annotated and committed ...
        view()  # ... while the view loads, renders and is checked
        writer.committed()
        assert writer.running(), "the run must still be writing: its next page is held"

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1500})
            for key in PAGES:
                while_writing(lambda key=key: (open_page(page, dashboard["url"], key), check_page(page, key)))
                page.screenshot(path=str(SCREENSHOTS / f"{key}.png"))

            def article_view() -> None:
                """A search, an article opened, its actors marked, a link to the original."""
                open_page(page, dashboard["url"], "articles")
                page.locator('input[aria-label="Search titles and texts"]').fill("Doha talks")
                page.keyboard.press("Enter")
                page.get_by_text("by full-text index (BM25)").first.wait_for(timeout=90_000)
                page.locator('[data-testid="stHtml"] h3', has_text="Doha").first.wait_for(timeout=90_000)  # best
                page.locator('[data-testid="stHtml"] mark', has_text="Taliban").first.wait_for(timeout=90_000)
                page.get_by_text("Open the original").first.wait_for(timeout=30_000)
                page.wait_for_function(WHEN_DRAWN, timeout=90_000)
                check_page(page, "articles")

            while_writing(article_view)
            page.locator('input[aria-label="Search titles and texts"]').blur()
            page.screenshot(path=str(SCREENSHOTS / "articles.png"))

            def pair_click() -> None:
                """Named together: a click on a cell of the heat map lists that pair's articles."""
                open_page(page, dashboard["url"], "pairs")
                page.locator(
                    '[data-testid="stVegaLiteChart"] path[aria-roledescription="rect mark"]'
                    '[aria-label*="actor_b: Qatar"][aria-label*="actor_a: Taliban"]'
                ).first.click()
                page.get_by_text("Articles naming Qatar and Taliban").first.wait_for(timeout=90_000)
                check_page(page, "pairs")

            while_writing(pair_click)
            assert writer.finish() == 0, writer.log()
            assert stored(dashboard["db"], "Held Wire") == HELD_PAGES
            for key in ("overview", "pairs"):  # and after the writer finished
                open_page(page, dashboard["url"], key)
                check_page(page, key)
            browser.close()
    finally:
        writer.stop()
