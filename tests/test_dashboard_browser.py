"""End to end in a real browser: `newsmon dashboard` on a database filled from the sample site, opened in
headless Chromium (Debian's, driven by Playwright) while a `newsmon run` writes to the same database, batch
after batch. Every page must render its charts and data with no error; the screenshots of the README are
taken here (`NEWSMON_SCREENSHOTS=docs/screenshots make test` writes them to docs/screenshots/<page>.png).

Then the views in the URL: a link with filters set, opened in a fresh browser, shows every page with those
filters in its widgets and in its "Link to this view"; a click on an actor in a table opens that actor's
profile, and the back button walks back through the views."""

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
from urllib.parse import parse_qsl, urlencode, urlsplit

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
VIEWPORT = {"width": 1400, "height": 1500}  # the README's screenshots are this size
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
    "alerts": ("Alerts", True, "Download alerts.csv"),
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
        # the code under test is the code the server started with: an edit of dashboards/ in the checkout while
        # the tests run would only put "File change. Rerun" on every page (and the pages never look drawn)
        env["STREAMLIT_SERVER_FILE_WATCHER_TYPE"] = "none"
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


@pytest.fixture(scope="module")
def browser(dashboard):
    """One headless Chromium for the module's tests; each opens its pages in a context of its own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


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


def test_every_page_renders_in_chromium_while_a_run_writes(dashboard, browser, http_server):
    """Each view is opened right after the writer was let go on a new batch, and checked; then that batch's
    commit is awaited and the writer must still be at work (its next page is held): so every view loaded
    while a run was writing the database, its commits landing before, during or after the render."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    writer = HeldRun(dashboard, http_server)

    def while_writing(view) -> None:
        writer.release()  # a batch is fetched, annotated and committed ...
        view()  # ... while the view loads, renders and is checked
        writer.committed()
        assert writer.running(), "the run must still be writing: its next page is held"

    try:
        page = browser.new_page(viewport=VIEWPORT)
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
    finally:
        writer.stop()


# the view in the URL --------------------------------------------------------------------------------------
START, END = "2021-09-01", "2021-11-30"  # a range within the sample site's span
SOURCE = "Gulf Wire Service"
HEADINGS = {**{key: heading for key, (heading, _, _) in PAGES.items()}, "actor": "Actor profile"}
SHARED = ("overview", "actors", "actor", "topics", "meetings", "pairs", "outlets", "quotes", "articles", "emerging",
          "alerts")
PROFILE_SECTIONS = ["Coverage", "Topics of its coverage", "Named with", "Meetings", "Quotes", "Recent articles",
                    "Spellings matched"]
ROW_HEIGHT = 35  # a row of Streamlit's dataframe (glide-data-grid), in CSS pixels


def rows(db: Path, sql: str, params=()) -> list[tuple]:
    with store.reader(db) as con:
        return con.execute(sql, list(params)).fetchall()


@pytest.fixture(scope="module")
def shared_views(dashboard) -> dict[str, tuple[str, list[tuple[str, str, object]]]]:
    """Page -> (the query string of a view with the dates narrowed, a source and the page's own filters set,
    as copied from its "Link to this view"; what its widgets must show: (kind, label, value) each). Values
    that depend on the data (an event, a pair, an article) are read from the database."""
    db = dashboard["db"]
    where = "day BETWEEN ? AND ? AND list_contains(?, source)"
    in_range = (START, END, [SOURCE])
    [(day, participants, place, articles)] = rows(
        db, """SELECT day, participants, place, articles FROM meeting_events
               WHERE day BETWEEN ? AND ? AND list_has_any(sources, ?) AND kind = 'met' AND place IS NOT NULL
               ORDER BY day, articles DESC, event_id LIMIT 1""", in_range)
    event = f"{day:%Y-%m-%d} met: {' + '.join(participants)} ({articles} articles)"
    pairs = rows(  # as the Named together page counts them, for its 8 most involved actors
        db, f"""WITH counted AS (
                    SELECT actor_a, actor_b, CAST(SUM(articles) AS BIGINT) AS articles
                    FROM pair_source_daily WHERE {where} GROUP BY actor_a, actor_b
                ),
                involvement AS (
                    SELECT actor, SUM(articles) AS weight
                    FROM (SELECT actor_a AS actor, articles FROM counted
                          UNION ALL SELECT actor_b, articles FROM counted)
                    GROUP BY actor ORDER BY weight DESC, actor LIMIT 8
                )
                SELECT c.* FROM counted AS c
                WHERE c.actor_a IN (SELECT actor FROM involvement) AND c.actor_b IN (SELECT actor FROM involvement)
                ORDER BY c.articles DESC, c.actor_a, c.actor_b""", in_range)
    pair = "{} + {} ({})".format(*pairs[2])
    [(speaker,)] = rows(
        db, f"""SELECT speaker FROM quote_list WHERE {where} AND quote ILIKE '%aid%'
                GROUP BY speaker ORDER BY COUNT(*) DESC, speaker LIMIT 1""", in_range)
    [(article_day, article_source, title, article_id)] = rows(
        db, f"""SELECT day, source, title, article_id FROM article_list WHERE {where} AND relevant
                AND list_contains(topics, 'talks') AND title ILIKE '%Doha%' ORDER BY day, article_id LIMIT 1""",
        in_range)
    own = {  # page: (its keys in the URL, its widgets)
        "overview": ([], []),
        "actors": (
            [("actors", "Qatar"), ("actors", "Taliban"), ("actor_period", "daily"), ("actor_measure", "stories")],
            [("multiselect", "Actors", ["Qatar", "Taliban"]), ("radio", "Period", "daily"),
             ("radio", "Count", "stories (syndicated copies once)")],
        ),
        "actor": (
            [("actor", "Zabihullah Mujahid"), ("profile_period", "daily")],
            [("selectbox", "Actor or name", "Zabihullah Mujahid"), ("radio", "Period", "daily")],
        ),
        "topics": (
            [("topic_period", "daily"), ("topics", "talks"), ("topics", "womens_rights")],
            [("radio", "Period", "daily"), ("multiselect", "Topics", ["talks", "womens_rights"])],
        ),
        "meetings": (
            [("meeting_actors", participants[0]), ("meeting_kinds", "met"), ("meeting_kinds", "planned"),
             ("meeting_places", place), ("meeting_event", event)],
            [("multiselect", "Actors", [participants[0]]), ("multiselect", "Kinds", ["met", "planned"]),
             ("multiselect", "Places", [place]), ("selectbox", "Event", event)],
        ),
        "pairs": ([("pair_size", "8"), ("pair", pair)], [("slider", "Actors shown", "8"), ("selectbox", "Pair", pair)]),
        "outlets": ([], []),
        "quotes": (
            [("quote_search", "aid"), ("quote_speakers", speaker)],
            [("text", "Search quotes, speakers and titles", "aid"), ("multiselect", "Speakers", [speaker])],
        ),
        "articles": (
            [("article_search", "Doha talks"), ("article_topics", "talks"), ("article_relevant", "true"),
             ("article", article_id)],
            [("text", "Search titles and texts", "Doha talks"), ("multiselect", "Topics (any of them)", ["talks"]),
             ("toggle", "Relevant only", True),
             ("selectbox", "Article", f"{article_day:%Y-%m-%d} · {article_source} · {title}")],
        ),
        "emerging": ([("emerging_label", "ORG")], [("radio", "Kind", "ORG")]),
        "alerts": ([("alert_kinds", "meeting")], [("multiselect", "Kinds", ["meeting"])]),
    }
    views = {}
    for key in SHARED:
        sources = [SOURCE, "The Kabul Ledger"] if key == "outlets" else [SOURCE]
        # in the order the dashboard writes them; the overview is the bare address
        pairs_in_url = [("page", key)] if key != "overview" else []
        pairs_in_url += [("start", START), ("end", END), *(("sources", s) for s in sources), *own[key][0]]
        widgets = [("dates", "Date range", (START, END)), ("multiselect", "Sources", sources),
                   ("radio", "Page", HEADINGS[key]), *own[key][1]]
        views[key] = (urlencode(pairs_in_url), widgets)
    return views


def link_block(page):
    """The sidebar's "Link to this view"."""
    return page.locator('[data-testid="stSidebar"] [data-testid="stCode"]')


def drawn(page, url: str, key: str, query: str) -> None:
    """Wait until the run that draws the view is over: its link (drawn last, in the sidebar) is `query`, its
    heading is the page's and no table is still a placeholder; no error on the way."""
    from playwright.sync_api import expect

    expect(link_block(page)).to_have_text(f"{url}?{query}" if query else url, timeout=90_000)
    expect(page.locator('[data-testid="stMain"] [data-testid="stHeading"]').first).to_have_text(HEADINGS[key])
    try:
        page.wait_for_function(WHEN_DRAWN, timeout=90_000)
    except Exception as exc:  # say what is in the way: the status widget ("Running...", "File change"...)
        status = page.locator('[data-testid="stStatusWidget"]').all_inner_texts()
        raise AssertionError(f"{key}: the view never looked drawn; status widget: {status}") from exc
    assert page.locator('[data-testid="stException"]').count() == 0, key
    assert page.get_by_text("could not be read").count() == 0, key


def shows(page, kind: str, label: str, value) -> None:
    """The widget labelled `label` shows `value`: the chips of a multiselect, the checked option of a radio, the
    text of a selectbox, a text input or the date range, the state of a toggle, the value of a slider."""
    from playwright.sync_api import expect

    if kind == "multiselect":
        chips = page.locator(f'[data-testid="stMultiSelect"]:has(input[aria-label="{label}"]) [data-tag]')
        expect(chips).to_have_text(value)
    elif kind == "radio":  # every checked option shown: Streamlit may draw a copy of the widget while it reruns
        checked = page.locator(f'[role="radiogroup"][aria-label="{label}"] label:has(input:checked)')
        expect(checked.first).to_have_text(value)
        expect(checked.filter(has_not_text=value)).to_have_count(0)
    elif kind == "selectbox":
        expect(page.locator(f'[data-testid="stSelectbox"] input[aria-label="{label}"]')).to_have_value(value)
    elif kind == "text":
        expect(page.locator(f'[data-testid="stTextInput"] input[aria-label="{label}"]')).to_have_value(value)
    elif kind == "toggle":
        expect(page.locator(f'input[role="switch"][aria-label="{label}"]')).to_be_checked(checked=value)
    elif kind == "slider":
        slider = page.locator(f'[data-testid="stSlider"]:has(input[aria-label="{label}"])')
        expect(slider.locator('input[type="range"]')).to_have_value(value)
        expect(slider.locator('[data-testid="stSliderThumbValue"]')).to_have_text(value)
    elif kind == "dates":
        field = page.locator(f'[data-testid="stDateInput"]:has([aria-label="{label} start date"])')
        expect(field.locator('[data-testid="stDateInputField"]')).to_have_text(f"{value[0]}–{value[1]}")
        assert field.locator('input[type="date"]').evaluate_all("inputs => inputs.map(i => i.value)") == list(value)
    else:
        raise AssertionError(f"no widget kind {kind}")


@pytest.mark.parametrize("key", SHARED)
def test_a_shared_link_opens_the_same_view_in_a_fresh_browser(dashboard, browser, shared_views, key):
    """The link of a view with filters set, opened in a browser that never saw the dashboard (no session, no
    history), shows that view: every filter in its widget, the same link to copy, the address unchanged."""
    query, widgets = shared_views[key]
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(f"{dashboard['url']}/?{query}")
        drawn(page, dashboard["url"], key, query)
        for kind, label, value in widgets:
            shows(page, kind, label, value)
        assert urlsplit(page.url).query == query  # nothing lost or added on the way
    finally:
        context.close()


def click_cell(table, row: int) -> None:
    """A click on the cell of the first column in `row` (0: the first under the header) of a dataframe:
    glide-data-grid draws it on a canvas, under a scroller that takes the clicks; its header is a canvas of its
    own, as tall as the header row."""
    header = table.locator(".dvn-underlay canvas").nth(1).bounding_box()["height"]
    table.locator(".dvn-scroller").click(position={"x": 30, "y": header + ROW_HEIGHT * row + ROW_HEIGHT / 2})


def test_a_click_on_an_actor_opens_its_profile_and_back_walks_back_through_the_views(dashboard, browser):
    """On the Actors page (filters set), a click on the top actor of "All actors in range" opens its profile
    (the filters kept, one entry in the history); on it, a click on a name of "Named with" opens that profile,
    once. The back button then walks back: that first profile, then the Actors page with its filters."""
    from playwright.sync_api import expect

    db, url = dashboard["db"], dashboard["url"]
    in_range = (START, END, [SOURCE])
    [(top,)] = rows(db, """SELECT actor FROM actor_source_daily WHERE day BETWEEN ? AND ? AND list_contains(?, source)
                           GROUP BY actor ORDER BY SUM(articles) DESC, SUM(mentions) DESC, actor LIMIT 1""", in_range)
    named_with_top = {name for (name,) in rows(
        db, """SELECT DISTINCT CASE WHEN actor_a = ? THEN actor_b ELSE actor_a END FROM pair_articles
               WHERE day BETWEEN ? AND ? AND list_contains(?, source) AND ? IN (actor_a, actor_b)""",
        (top, *in_range, top))}
    filters = [("start", START), ("end", END), ("sources", SOURCE)]
    actors = urlencode([("page", "actors"), *filters, ("actors", "Qatar"), ("actors", "Taliban"),
                        ("actor_measure", "stories")])
    profile = urlencode([("page", "actor"), *filters, ("actor", top)])
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(f"{url}/?{actors}")
        drawn(page, url, "actors", actors)
        entries = page.evaluate("history.length")

        # the top actor is the first the profile's picker offers: its link names it all the same
        click_cell(page.locator('[data-testid="stDataFrame"]').last, row=0)  # "All actors in range"
        drawn(page, url, "actor", profile)
        shows(page, "selectbox", "Actor or name", top)
        shows(page, "multiselect", "Sources", [SOURCE])
        assert sorted(parse_qsl(urlsplit(page.url).query)) == sorted(parse_qsl(profile))  # the filters kept
        assert page.evaluate("history.length") == entries + 1  # one view, one entry

        named_with = page.locator('[data-testid="stColumn"]').filter(
            has=page.locator('[data-testid="stHeading"]', has_text="Named with")
        ).locator('[data-testid="stDataFrame"]')
        click_cell(named_with, row=1)
        expect(link_block(page)).not_to_have_text(f"{url}?{profile}", timeout=90_000)
        other = dict(parse_qsl(urlsplit(link_block(page).inner_text()).query)).get("actor")
        assert other in named_with_top, other
        second = urlencode([("page", "actor"), *filters, ("actor", other)])
        drawn(page, url, "actor", second)
        shows(page, "selectbox", "Actor or name", other)
        # and it stays there: one more entry in the history (the table on this profile lists other names)
        assert page.evaluate("history.length") == entries + 2
        expect(link_block(page)).to_have_text(f"{url}?{second}")

        page.go_back()
        drawn(page, url, "actor", profile)
        shows(page, "selectbox", "Actor or name", top)
        page.go_back()
        drawn(page, url, "actors", actors)
        for kind, label, value in [
            ("multiselect", "Actors", ["Qatar", "Taliban"]), ("radio", "Count", "stories (syndicated copies once)"),
            ("radio", "Period", "weekly"), ("multiselect", "Sources", [SOURCE]), ("dates", "Date range", (START, END)),
        ]:
            shows(page, kind, label, value)
        expect(page).to_have_url(f"{url}/?{actors}")
    finally:
        context.close()


def test_the_profile_of_a_registered_actor_in_chromium(dashboard, browser):
    """Amir Khan Muttaqi's profile over the whole range: the registry's kind and aliases, every section, the
    coverage chart; its screenshot is docs/screenshots/actor.png (NEWSMON_SCREENSHOTS, as the pages')."""
    from playwright.sync_api import expect

    name = "Amir Khan Muttaqi"
    query = urlencode([("page", "actor"), ("actor", name)])
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(f"{dashboard['url']}/?{query}")
        drawn(page, dashboard["url"], "actor", query)
        shows(page, "selectbox", "Actor or name", name)
        expect(page.locator('[data-testid="stMain"] h3')).to_have_text(PROFILE_SECTIONS)
        expect(page.get_by_text("Registry actor (person); aliases:")).to_contain_text("Muttaqi")
        page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg').first.wait_for(
            timeout=90_000
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "actor.png"))
    finally:
        context.close()
