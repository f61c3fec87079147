"""End to end in a real browser: `newsmon dashboard` on a database filled from the sample site, opened in
headless Chromium (Debian's, driven by Playwright) while a `newsmon backfill --reprocess` writes to the same
database. Every page must render its charts and data with no error; the screenshots of the README are
taken here (`NEWSMON_SCREENSHOTS=docs/screenshots make test` writes them to docs/screenshots/<page>.png)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from dashboard_helpers import WINDOW, free_port, sample_database

from pipeline import store

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
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
    "pairs": ("Who meets whom", True, "Taliban"),
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


def start_reprocess(dashboard) -> subprocess.Popen:
    """A backfill that re-runs extraction and NLP over every stored article: it writes batch after batch."""
    env = {k: v for k, v in os.environ.items() if k not in ("NEWSMON_DB", "NEWSMON_SOURCES")}
    return subprocess.Popen(
        [sys.executable, "-m", "newsmon", "backfill", "--start", WINDOW[0], "--end", WINDOW[1], "--reprocess",
         "--db", str(dashboard["db"]), "--sources", str(dashboard["sources"])],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(dashboard["tmp"] / "reprocess.log", "w"),
    )  # fmt: skip


class Writing:
    """A backfill --reprocess kept running: `ensure()` starts the next one when the last has finished (well)."""

    def __init__(self, dashboard):
        self.dashboard = dashboard
        self.process = start_reprocess(dashboard)

    def log(self) -> str:
        return (self.dashboard["tmp"] / "reprocess.log").read_text()[-2000:]

    def ensure(self) -> None:
        if self.process.poll() is not None:
            assert self.process.returncode == 0, self.log()
            self.process = start_reprocess(self.dashboard)
            wait_until_running(self.dashboard["db"], self)

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def wait_until_running(db: Path, writing: Writing) -> None:
    deadline = time.monotonic() + 120
    while not reprocess_running(db):  # the reprocess run has started writing
        assert writing.running(), writing.log()
        assert time.monotonic() < deadline, "the reprocess run did not start"
        time.sleep(0.2)


def reprocess_running(db: Path) -> bool:
    with store.reader(db) as con:
        return con.execute("SELECT COUNT(*) FROM runs WHERE flow = 'reprocess' AND status = 'running'").fetchone()[0] > 0


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


def test_every_page_renders_in_chromium_while_a_backfill_writes(dashboard):
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    writing = Writing(dashboard)
    try:
        wait_until_running(dashboard["db"], writing)
        visited_while_writing = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1500})
            for key in PAGES:
                for _attempt in range(3):  # a writer that finishes mid-page is replaced, and the page loaded again
                    writing.ensure()  # a writer is at work when the page starts loading ...
                    open_page(page, dashboard["url"], key)
                    check_page(page, key)
                    if writing.running():  # ... and still when it has rendered
                        break
                visited_while_writing.append(writing.running())
                page.screenshot(path=str(SCREENSHOTS / f"{key}.png"))
            # the article view: a search, an article opened, its actors marked, a link to the original
            open_page(page, dashboard["url"], "articles")
            page.locator('input[aria-label="Search titles and texts"]').fill("Doha talks")
            page.keyboard.press("Enter")
            page.get_by_text("by full-text index (BM25)").first.wait_for(timeout=90_000)
            page.locator('[data-testid="stHtml"] h3', has_text="Doha").first.wait_for(timeout=90_000)  # best match
            page.locator('[data-testid="stHtml"] mark', has_text="Taliban").first.wait_for(timeout=90_000)
            page.get_by_text("Open the original").first.wait_for(timeout=30_000)
            page.wait_for_function(WHEN_DRAWN, timeout=90_000)
            check_page(page, "articles")
            page.locator('input[aria-label="Search titles and texts"]').blur()
            page.screenshot(path=str(SCREENSHOTS / "articles.png"))
            # who meets whom: a click on a cell of the heat map lists that pair's articles
            open_page(page, dashboard["url"], "pairs")
            page.locator(
                '[data-testid="stVegaLiteChart"] path[aria-roledescription="rect mark"]'
                '[aria-label*="actor_b: Qatar"][aria-label*="actor_a: Taliban"]'
            ).first.click()
            page.get_by_text("Articles naming Qatar and Taliban").first.wait_for(timeout=90_000)
            check_page(page, "pairs")
            assert writing.process.wait(timeout=600) == 0, writing.log()
            for key in ("overview", "pairs"):  # and after the writer finished
                open_page(page, dashboard["url"], key)
                check_page(page, key)
            browser.close()
        assert all(visited_while_writing), visited_while_writing
    finally:
        writing.stop()
