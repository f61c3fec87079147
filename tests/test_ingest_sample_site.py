"""End to end: `newsmon run` twice over the sample site served from 127.0.0.1, into a real DuckDB file."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from test_cli import newsmon

from newsmon.sample_site.generate import sources_toml
from newsmon.sample_site.manifest import SiteManifest
from newsmon.sample_site.server import serve_generated_site
from pipeline import store
from pipeline.identity import canonical_url

pytestmark = pytest.mark.e2e

BOILERPLATE = (
    "We use cookies",
    "Accept all",
    "Advertisement",
    "Related stories",
    "newsletter",
    "All rights reserved",
    "Privacy policy",
    "Crescent Mobile",
    "Khyber Motors",
    "Meridian Trade Bank",
)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("site")
    with serve_generated_site(tmp / "site") as server:
        sources = tmp / "sources.toml"
        sources.write_text(sources_toml(server.manifest))
        db = tmp / "newsmon.duckdb"
        first = newsmon("run", "--db", str(db), "--sources", str(sources))
        first_requests = list(server.requests)
        server.clear_requests()
        with store.reader(db) as con:
            after_first = con.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        second = newsmon("run", "--db", str(db), "--sources", str(sources))
        second_requests = list(server.requests)
        yield {
            "manifest": server.manifest,
            "db": db,
            "first": first,
            "second": second,
            "first_requests": first_requests,
            "second_requests": second_requests,
            "after_first": after_first,
        }


def rows(db, sql, params=None):
    with store.reader(db) as con:
        return con.execute(sql, params or []).fetchall()


def test_both_runs_exit_0(two_runs):
    assert two_runs["first"].returncode == 0, two_runs["first"].stderr[-2000:]
    assert two_runs["second"].returncode == 0, two_runs["second"].stderr[-2000:]


def test_every_feed_article_is_stored_once(two_runs):
    manifest, db = two_runs["manifest"], two_runs["db"]
    expected = {a.url for a in manifest.articles if a.in_feeds}
    stored = {r[0] for r in rows(db, "SELECT url FROM articles")}
    assert stored == expected
    assert two_runs["after_first"] == len(expected)
    assert not [u for u in stored if "utm_" in u or "#" in u]


def test_the_second_run_stores_nothing_asks_conditionally_and_fetches_no_stored_page(two_runs):
    manifest, db = two_runs["manifest"], two_runs["db"]
    runs = rows(db, "SELECT status, articles_new, feeds_total, feeds_not_modified FROM runs ORDER BY started_at")
    assert runs[0][:2] == ("completed", two_runs["after_first"])
    assert runs[1] == ("completed", 0, len(manifest.feeds), len(manifest.feeds))
    second = two_runs["second_requests"]
    feed_paths = {f.url.split(str(manifest.base_url), 1)[1] for f in manifest.feeds}
    assert {r.path for r in second} == feed_paths
    for request in second:
        assert request.headers.get("if-none-match") or request.headers.get("if-modified-since"), request.path
        assert request.status == 304
    article_paths = {a.path for a in manifest.articles}
    assert not [r for r in second if r.path.split("?")[0] in article_paths]


def test_each_page_was_fetched_once_despite_tracking_parameters_and_two_feeds(two_runs):
    manifest = two_runs["manifest"]
    article_paths = {a.path for a in manifest.articles}
    fetched = [r.path.split("?")[0].split("#")[0] for r in two_runs["first_requests"]]
    fetched_articles = [p for p in fetched if p in article_paths]
    assert len(fetched_articles) == len(set(fetched_articles)) == sum(a.in_feeds for a in manifest.articles)


def test_a_feed_item_becomes_a_row_with_title_author_timestamp_and_clean_text(two_runs):
    manifest, db = two_runs["manifest"], two_runs["db"]
    checked = 0
    for article in manifest.articles:
        if not article.in_feeds:
            continue
        [(title, author, published, origin, text, extraction)] = rows(
            db,
            "SELECT title, author, published_at, date_origin, text, extraction FROM articles WHERE url = ?",
            [canonical_url(article.url)],
        )
        assert title == article.title
        assert author == article.author
        assert published == datetime.fromisoformat(article.published).replace(tzinfo=None)
        assert origin == "feed" and extraction == "trafilatura"
        for junk in BOILERPLATE:
            assert junk not in text, (article.path, junk)
        checked += 1
    assert checked >= 100


def test_a_syndicated_copy_is_its_own_row_pointing_at_the_original(two_runs):
    manifest, db = two_runs["manifest"], two_runs["db"]
    by_path = {a.path: a for a in manifest.articles}
    duplicate_of = dict(rows(db, "SELECT url, duplicate_of FROM articles"))
    ids = dict(rows(db, "SELECT url, article_id FROM articles"))
    pairs = [
        (a, by_path[a.syndicated_from]) for a in manifest.articles
        if a.syndicated_from and a.in_feeds and by_path[a.syndicated_from].in_feeds
    ]
    assert pairs
    for copy, original in pairs:
        assert copy.outlet != original.outlet
        assert duplicate_of[copy.url] == ids[original.url], copy.path
        assert duplicate_of[original.url] is None
    copies = {a.url for a, _ in pairs}
    assert not [u for u, d in duplicate_of.items() if d is not None and u not in copies]


def test_failure_fixtures_are_recorded_with_their_reasons_and_never_stored(two_runs):
    manifest, db = two_runs["manifest"], two_runs["db"]
    failures = {url: (reason, permanent) for url, reason, permanent in rows(db, "SELECT url, reason, permanent FROM failures")}
    stored = {r[0] for r in rows(db, "SELECT fetched_url FROM articles")}
    assert manifest.failures
    for fixture in manifest.failures:
        assert failures[fixture.url] == (fixture.expected_reason, True)
        assert fixture.url not in stored


def test_the_malformed_feed_still_gave_its_entries(two_runs):
    manifest, db = two_runs["manifest"], two_runs["db"]
    [malformed] = [f for f in manifest.feeds if f.malformed]
    [(entries,)] = rows(db, "SELECT entries_last FROM feeds WHERE feed_url = ?", [malformed.url])
    assert entries == malformed.entries
    listed = {a.url for a in manifest.articles if malformed.url in a.feeds}
    stored = {r[0] for r in rows(db, "SELECT url FROM articles")}
    assert listed and listed <= stored


def test_views_count_relevant_articles_with_canonical_actors(two_runs):
    manifest, db = two_runs["manifest"], two_runs["db"]
    off_topic = [a.url for a in manifest.articles if a.in_feeds and not a.on_topic]
    assert off_topic
    relevance = dict(rows(db, "SELECT url, relevance FROM articles"))
    assert all(relevance[u] < 0.5 for u in off_topic)
    top = rows(db, "SELECT actor, SUM(articles) AS n FROM actor_daily GROUP BY actor ORDER BY n DESC LIMIT 5")
    assert {"Taliban", "Afghanistan"} <= {a for a, _ in top}
    assert rows(db, "SELECT COUNT(*) FROM topic_daily")[0][0] > 0
    assert rows(db, "SELECT COUNT(*) FROM actor_pairs WHERE actor_a < actor_b")[0][0] > 0
    [(in_views,)] = rows(
        db,
        "SELECT COUNT(*) FROM relevant_articles WHERE url IN (SELECT UNNEST(?))",
        [off_topic],
    )
    assert in_views == 0


def test_newsmon_demo_prints_a_trend_summary_with_canonical_actors(tmp_path, monkeypatch):
    """As `make demo` on a new machine: no Prefect server running, so the demo's flows start a temporary one."""
    monkeypatch.delenv("PREFECT_API_URL")
    db = tmp_path / "demo.duckdb"
    result = newsmon("demo", "--port", "0", "--site-dir", str(tmp_path / "site"), "--db", str(db))
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "Top 3 actors and topics by week" in out
    weeks = [line for line in out.splitlines() if line.strip().startswith("week of 2021-")]
    assert len(weeks) >= 10
    assert "Taliban (" in out and "United Nations (" in out and "humanitarian_aid (" in out
    # the week's Taliban figures are the direct counts: articles, and stories (an original with its copies) once
    printed = {}
    for line in weeks:
        found = re.search(r"\bTaliban \((\d+)(?:, (\d+) stories)?\)", line)
        if found:
            printed[line.split(":")[0].split()[-1]] = (int(found[1]), int(found[2] or found[1]))
    with store.reader(db) as con:
        direct = {str(w): (n, s) for w, n, s in con.execute(
            """SELECT CAST(date_trunc('week', r.day) AS DATE), COUNT(DISTINCT r.article_id), COUNT(DISTINCT r.story_id)
               FROM mentions AS m JOIN relevant_articles AS r USING (article_id)
               WHERE m.actor = 'Taliban' GROUP BY 1""").fetchall()}
    assert printed and all(direct[w] == counts for w, counts in printed.items()), (printed, direct)
    assert any(n > s for n, s in printed.values())  # copies made some week's stories fewer
    headline = re.search(r"(\d+) relevant \((\d+) stories, each original with its copies\), (\d+) near-duplicate", out)
    with store.reader(db) as con:
        assert tuple(map(int, headline.groups())) == con.execute(
            """SELECT (SELECT COUNT(*) FROM relevant_articles), (SELECT COUNT(DISTINCT story_id) FROM relevant_articles),
                      (SELECT COUNT(duplicate_of) FROM articles)""").fetchone()
    met = [line for line in out.splitlines() if line.strip().startswith("met: ")]  # the week's meetings
    assert len(met) >= 5 and any(" in Doha" in line for line in met)
    manifest = SiteManifest.load(tmp_path / "site" / "manifest.json")
    by_path = {a.path: a for a in manifest.articles}
    with store.reader(db) as con:
        ids = dict(con.execute("SELECT url, article_id FROM articles").fetchall())
        duplicate_of = dict(con.execute("SELECT url, duplicate_of FROM articles").fetchall())
    # the ingest and the backfill together store every article of the site, failure fixtures aside
    assert set(ids) == {a.url for a in manifest.articles}
    # every wire copy on the site points at its original, and nothing else is taken for a copy
    copies = {a.url: ids[by_path[a.syndicated_from].url] for a in manifest.articles if a.syndicated_from}
    assert len(copies) >= 10
    assert {u: d for u, d in duplicate_of.items() if d is not None} == copies
