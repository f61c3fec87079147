"""Soak: 20 consecutive runs over a site that changes between runs, in one process through the plain-Python
core (tests/faults/plain_ingest.py, the ingest flow's sequence without Prefect).

Between runs, new stories appear (4 per run, none in runs 5, 10, 15 and 20), stories age out of the feed
(it lists the 8 newest), some come back (one with tracking parameters, one with a fragment), and the
stories in the feed are edited in runs 6, 12 and 18 (same URL, new headline and text). After every run:
articles = the distinct canonical URLs seen so far, only the new pages were fetched, no row is duplicated,
and the database file grows with the new articles only.
"""

from __future__ import annotations

import hashlib
import random
import time
from pathlib import Path

import pytest
from httpserver import Reply
from plain_ingest import ingest_pass

from pipeline import store

pytestmark = pytest.mark.e2e

RUNS = 20
NEW_PER_RUN = 4
QUIET = {5, 10, 15, 20}  # runs with no new story
WINDOW = 8  # the feed lists the 8 newest stories ...
COMEBACKS = {7: ["/a/0.html", "/a/1.html"], 9: ["/a/3.html?utm_source=feed&utm_medium=rss"], 11: ["/a/12.html#top"],
             13: ["/a/5.html", "/a/6.html", "/a/7.html"], 19: ["/a/2.html", "/a/20.html"]}  # ... and these
EDITS = {6, 12, 18}  # runs in which every story in the feed has a new headline and text
BLOCK = 256 * 1024  # DuckDB's block size: the file grows and shrinks by whole blocks

SENTENCES = [
    "Amir Khan Muttaqi met envoys in Doha to discuss humanitarian aid and the frozen reserves.",
    "The UN Security Council extended the mandate of its assistance mission in Afghanistan.",
    "Zabihullah Mujahid told reporters that the ban on girls' schooling would be reviewed.",
    "Pakistan closed the Torkham crossing after clashes between border forces overnight.",
    "Aid agencies warned that millions face acute hunger as winter approaches in the highlands.",
    "The World Bank said it would release part of the frozen trust fund for health workers.",
    "A delegation from Uzbekistan signed an agreement on a railway through Mazar-i-Sharif.",
    "Women protested in Kabul against new restrictions on work for non-governmental groups.",
    "China's foreign minister hosted a meeting of neighbouring countries in Tunxi.",
    "Iran and the interim government discussed the water of the Helmand river again.",
    "The European Union reopened a minimal presence in Kabul to coordinate assistance.",
    "Qatar offered to mediate between Washington and the Taliban on detained citizens.",
    "Refugees returning from Iran described long waits and little support at the border.",
    "Roza Otunbayeva briefed the council on the economy and the rights of women and girls.",
    "India sent a technical team to its embassy and shipped wheat through Chabahar.",
    "The central bank auctioned dollars to steady the afghani after a sharp fall.",
    "Russia invited a Taliban delegation to the Moscow format consultations in October.",
    "An earthquake in Herat destroyed villages and the death toll rose through the night.",
    "Turkey and Qatar proposed to run Kabul airport together under a security arrangement.",
    "The Organisation of Islamic Cooperation called for the reopening of secondary schools.",
    "Opium cultivation fell sharply after the ban, the UN Office on Drugs and Crime reported.",
    "Germany resumed deportations of convicted offenders on a charter flight via Qatar.",
    "Tajikistan hosted an opposition conference that the authorities in Kabul condemned.",
    "The Asian Development Bank approved a grant for food security and livelihoods.",
    "Doctors in Kandahar reported a rise in measles cases among children under five.",
    "The International Committee of the Red Cross paid salaries at eighteen hospitals.",
    "Britain's envoy met officials in Kabul to press for the release of aid workers.",
    "Human Rights Watch documented detentions of former soldiers despite the amnesty.",
    "Kazakhstan removed the movement from its list of banned organisations this year.",
    "The United States announced new humanitarian funding at a conference in Geneva.",
]


def story_text(number: int, version: int) -> tuple[str, list[str]]:
    """(headline, paragraphs) of story `number` as it reads in its `version` (0, then one more per edit)."""
    rng = random.Random(number * 1000 + version)
    title = f"Story {number}: {rng.choice(SENTENCES)[:60].rstrip()}" + (f" (update {version})" if version else "")
    return title, [f"{s} {rng.choice(SENTENCES)}" for s in rng.sample(SENTENCES, 8)]


class ChangingSite:
    """The site as it stands at run `self.run`: a feed answering conditional GETs, and story pages."""

    def __init__(self, server):
        self.server = server
        self.run = 0
        self.version: dict[int, int] = {}  # story -> its current version
        server.add("/rss.xml", self.feed)
        for number in range(NEW_PER_RUN * RUNS):
            server.add(f"/a/{number}.html", lambda request, n=number: self.page(n))

    def introduced(self, run: int) -> int:
        return sum(NEW_PER_RUN for r in range(1, run + 1) if r not in QUIET)

    def links(self, run: int) -> list[str]:
        newest = range(max(0, self.introduced(run) - WINDOW), self.introduced(run))
        return [f"/a/{n}.html" for n in reversed(newest)] + COMEBACKS.get(run, [])

    def advance(self) -> None:
        self.run += 1
        if self.run in EDITS:
            for link in self.links(self.run):
                number = int(link.split("/")[2].split(".")[0])
                self.version[number] = self.version.get(number, 0) + 1

    def feed_body(self) -> bytes:
        items = []
        for link in self.links(self.run):
            number = int(link.split("/")[2].split(".")[0])
            title, _ = story_text(number, self.version.get(number, 0))
            items.append(
                f"<item><title>{title}</title><link>{self.server.url(link)}</link>"
                f"<pubDate>Mon, {1 + number % 28:02d} Nov 2021 09:30:00 +0000</pubDate></item>"
            )
        return f"<rss version='2.0'><channel><title>Changing</title>{''.join(items)}</channel></rss>".encode()

    def feed(self, request) -> Reply:
        body = self.feed_body()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            return Reply(status=304, content_type=None, headers={"ETag": etag})
        return Reply(body=body, content_type="application/rss+xml", headers={"ETag": etag})

    def page(self, number: int) -> Reply:
        title, paragraphs = story_text(number, self.version.get(number, 0))
        html = (f"<html lang='en'><head><title>{title}</title></head><body><nav><a href='/'>Home</a></nav>"
                f"<article><h1>{title}</h1>{''.join(f'<p>{p}</p>' for p in paragraphs)}</article><footer>Changing News</footer></body></html>")
        return Reply(body=html.encode())


def canonical_paths(links: list[str]) -> set[str]:
    return {link.split("?")[0].split("#")[0] for link in links}


def table_counts(db: Path) -> dict[str, int]:
    tables = ("articles", "article_html", "article_sketches", "sketch_bands", "mentions", "article_topics",
              "quotes", "failures", "retry_entries")
    with store.reader(db) as con:
        return {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


def duplicated_rows(db: Path) -> tuple[int, ...]:
    with store.reader(db) as con:
        return con.execute(
            """SELECT
                 (SELECT COUNT(*) - COUNT(DISTINCT url) FROM articles),
                 (SELECT COUNT(*) FROM (SELECT article_id, start_char, label FROM mentions GROUP BY ALL
                                        HAVING COUNT(*) > 1)),
                 (SELECT COUNT(*) FROM (SELECT band_key, article_id FROM sketch_bands GROUP BY ALL
                                        HAVING COUNT(*) > 1)),
                 (SELECT COUNT(*) FROM (SELECT article_id, position FROM quotes GROUP BY ALL HAVING COUNT(*) > 1))"""
        ).fetchone()


@pytest.mark.timeout(300)
def test_twenty_runs_over_a_changing_site(http_server, tmp_path):
    site = ChangingSite(http_server)
    sources = tmp_path / "sources.toml"
    sources.write_text(
        "[fetch]\nallow_private_networks = true\nper_host_delay = 0.0\nbackoff = 0.0\n"
        f"[[sources]]\nname = 'Changing News'\nfeeds = ['{http_server.url('/rss.xml')}']\n"
    )
    db = tmp_path / "n.duckdb"
    seen: set[str] = set()
    sizes, started = [], time.monotonic()
    first_seen: dict[str, int] = {}  # URL -> the version of the story when it was first in the feed
    for run in range(1, RUNS + 1):
        site.advance()
        links = site.links(run)
        new = canonical_paths(links) - seen
        seen |= new
        for path in new:
            number = int(path.split("/")[2].split(".")[0])
            first_seen[http_server.url(path)] = site.version.get(number, 0)
        before = len(http_server.requests)
        before_counts = table_counts(db) if db.exists() else None
        summary = ingest_pass(sources, db)
        fetched = {r.path for r in http_server.requests[before:] if r.path.startswith("/a/")}
        assert summary["status"] == "completed", (run, summary)
        assert summary["articles_new"] == len(new), run
        assert fetched == new, run  # only the new stories' pages, each once; stored ones never again
        counts = table_counts(db)
        assert counts["articles"] == len(seen), run  # none lost when it leaves the feed, none twice
        assert counts["failures"] == counts["retry_entries"] == 0, run
        if not new:
            assert counts == before_counts, run  # a quiet run adds no article rows of any kind
        assert duplicated_rows(db) == (0, 0, 0, 0), run
        sizes.append(db.stat().st_size)
        assert not Path(f"{db}.wal").exists(), run  # every write checkpointed when its connection closed
        if not new:
            assert sizes[-1] <= sizes[-2] + BLOCK, (run, sizes)  # a quiet run adds nothing (a block of slack)
    elapsed = time.monotonic() - started
    with store.reader(db) as con:
        runs = con.execute("SELECT status, articles_new FROM runs ORDER BY started_at").fetchall()
        stored = {url: (title, text) for url, title, text in con.execute("SELECT url, title, text FROM articles").fetchall()}
        not_modified = con.execute("SELECT COUNT(*) FROM runs WHERE feeds_not_modified = 1").fetchone()[0]
    assert len(runs) == RUNS and {status for status, _ in runs} == {"completed"}
    assert sum(n for _s, n in runs) == len(seen) == NEW_PER_RUN * (RUNS - len(QUIET))
    assert not_modified >= 1  # run 5 lists exactly what run 4 did: the feed answered 304
    # a story edited after it was stored keeps what was first stored: identity is the canonical URL and a
    # stored page is not fetched again (the README says so)
    edited = 0
    for url, (title, text) in stored.items():
        number = int(url.rsplit("/", 1)[1].split(".")[0])
        first_title, first_paragraphs = story_text(number, first_seen[url])
        assert title == first_title, url
        assert all(p in text for p in first_paragraphs), url
        edited += site.version.get(number, 0) > first_seen[url]
    assert edited == len(EDITS) * (WINDOW - NEW_PER_RUN)  # the feed's older half, each edit run
    # the file does not creep up run after run: DuckDB writes a checkpoint's changed row groups to new blocks
    # and frees the old ones, which later checkpoints reuse. Which freed blocks are reused varies from one
    # sitting to the next (the file swings by up to about 2 MiB between runs: 18.0-22.0 MiB here, 20.0-22.3
    # MiB on CI), so the bound is 16 blocks (4 MiB) over the first half's largest file. A file that crept up
    # (freed blocks never reused) grows by the rewritten row groups on every run; the first runs here grow it
    # by 2-6 MiB each.
    assert max(sizes[RUNS // 2:]) <= max(sizes[: RUNS // 2]) + 16 * BLOCK, sizes
    print(f"\nsoak: {RUNS} runs, {len(seen)} articles in {elapsed:.1f} s; file sizes (KiB): "
          + " ".join(str(s // 1024) for s in sizes))
