"""Hostile feeds and pages, end to end at the ingest level (pipeline.ingest in-process, tmp DuckDB, real
HTTP from 127.0.0.1): wrong encodings, a huge feed, items without links or dates, dates in the future,
duplicates within and across feeds, markup and scripts in titles."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fault_helpers import (
    article_html,
    failures,
    item,
    rows,
    rss,
    serve_feed,
    serve_page,
)
from httpserver import Reply
from pipeline_helpers import ingest_pass, make_config

from pipeline.ingest import Ingest

ACCENTED = "Le café “naïve” – résumé des négociations à Doha, déjà reportées."  # all in Windows-1252
MOJIBAKE = re.compile("[\ufffdÃÂĂďŕ]|â€")  # what UTF-8 read as a single-byte encoding, or the reverse, leaves


def stored_by_path(db: Path, server, columns: str) -> dict[str, tuple]:
    found = rows(db, f"SELECT fetched_url, {columns} FROM articles")
    return {url.removeprefix(server.origin): tuple(rest) for url, *rest in found}


# --- encodings ---


def test_windows_1252_declared_as_utf8_is_read_without_mojibake(http_server, tmp_path):
    """Decision (pipeline/charsets.py): bytes that are not valid UTF-8 in a document declared UTF-8 are
    read as Windows-1252, byte by byte, so a feed or page mixing both keeps every character."""
    s = http_server
    accented_p = f"<p>{ACCENTED}</p>"
    pages = {
        # Windows-1252 throughout, declared UTF-8 by the header and the page
        "/cp1252": (article_html("/cp1252", extra=accented_p).encode("cp1252"), "text/html; charset=utf-8"),
        # UTF-8 with one Windows-1252 paragraph pasted in
        "/mixed": (article_html("/mixed", extra=accented_p).encode().replace(
            accented_p.encode(), (accented_p * 2).encode().replace(ACCENTED.encode(), ACCENTED.encode("cp1252"), 1)),
            "text/html; charset=utf-8"),
        # UTF-8, but the server says ISO-8859-1
        "/latin1-header": (article_html("/latin1-header", extra=accented_p).encode(), "text/html; charset=iso-8859-1"),
        # Windows-1252 declared as such, in the page only (trafilatura on its own would guess ISO-8859-2)
        "/declared-1252": (article_html("/declared-1252", charset="windows-1252", extra=accented_p).encode("cp1252"),
                           "text/html"),
    }
    for path, (body, content_type) in pages.items():
        s.add(path, Reply(body=body, content_type=content_type))
    titles = {"/cp1252": "Café “one”", "/mixed": "Naïve – two", "/latin1-header": "Résumé three",
              "/declared-1252": "Déjà four"}
    utf8_items = "".join(item(s.url(p), t) for p, t in titles.items() if p != "/mixed")
    feed = rss(utf8_items).encode().replace(
        b"</channel>", item(s.url("/mixed"), titles["/mixed"]).encode("cp1252") + b"</channel>")
    url = serve_feed(s, "/rss.xml", feed)  # declared UTF-8 by header and XML declaration
    serve_page(s, "/quoted")
    titles["/quoted"] = "“Quoted” – in ISO-8859-1"  # curly quotes and dashes exist in Windows-1252 only
    latin1 = serve_feed(s, "/latin1.xml", rss(item(s.url("/quoted"), titles["/quoted"]), encoding="iso-8859-1")
                        .encode("cp1252"), content_type="application/rss+xml")
    db = tmp_path / "n.duckdb"

    ingest_pass(make_config({"Encodings": [url, latin1]}), db)
    got = stored_by_path(db, s, "title, text")
    assert {path: title for path, (title, _text) in got.items()} == titles
    del got["/quoted"]
    for path, (title, text) in got.items():
        assert ACCENTED in text, (path, text[-200:])
        assert not MOJIBAKE.search(title + text), path
    for (note,) in rows(db, "SELECT last_error FROM feeds"):
        assert "Windows-1252" in note  # the repair is on record for the feed


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_feed_with_a_bom_is_read_whatever_the_header_says(http_server, tmp_path, codec):
    s = http_server
    serve_page(s, "/a")
    body = "\ufeff" + rss(item(s.url("/a"), "Ça va – “UTF-16”"), encoding="utf-16")
    url = serve_feed(s, "/rss.xml", body.encode(codec), content_type="application/rss+xml; charset=utf-8")
    db = tmp_path / "n.duckdb"

    ingest_pass(make_config({"Encodings": [url]}), db)
    assert stored_by_path(db, s, "title") == {"/a": ("Ça va – “UTF-16”",)}


# --- size ---


def rss_memory_peak_kb() -> int | None:
    """Resets this process's peak RSS (Linux clear_refs) and returns the current RSS, or None."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))


def peak_rss_kb() -> int:
    return int(re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text()).group(1))


def test_a_feed_of_10000_items_is_planned_in_bounded_batches(http_server, tmp_path):
    s = http_server
    links = [s.url(f"/story/{i}") for i in range(10_000)]
    items = "".join(item(link, f"Story {i} about aid convoys", guid=link) for i, link in enumerate(links))
    url = serve_feed(s, "/rss.xml", rss(items))
    config = make_config({"Big": [url]})
    size = config.settings.batch_size
    assert 10_000 % size == 0
    db = tmp_path / "n.duckdb"

    with Ingest(config, db) as ingest:
        run_id = ingest.start_run("ingest")
        before = rss_memory_peak_kb()
        check = ingest.check_feed("Big", url)
        batches = ingest.plan_batches([check])
        growth_mb = (peak_rss_kb() - before) / 1024 if before is not None else None
        assert check.status == "ok" and check.entries_total == len(check.entries) == 10_000
        assert [len(b.entries) for b in batches] == [size] * (10_000 // size)
        assert [e.link for b in batches for e in b.entries] == links
        assert [b.feeds for b in batches] == [()] * (10_000 // size - 1) + [(check,)]  # the state rides on the last
        outcome = ingest.process_batch(run_id, batches[0])  # `size` pages, all 404 here
    print(f"10,000-item feed: peak RSS growth {growth_mb} MB")
    assert growth_mb is None or growth_mb < 150, growth_mb  # the 2 MB feed, its entries and the parse
    assert outcome.failed == size and outcome.fetched == 0
    assert rows(db, "SELECT COUNT(*) FROM failures") == [(size,)]
    assert rows(db, "SELECT COUNT(*) FROM feeds") == [(0,)]  # not advanced until its last batch commits


# --- missing and impossible values ---


def test_items_without_links_or_dates(http_server, tmp_path):
    s = http_server
    serve_page(s, "/permalink")
    serve_page(s, "/undated")
    s.add("/page-dated", Reply(body=article_html(
        "/page-dated", head='<meta property="article:published_time" content="2021-10-09T06:15:00+00:00">').encode()))
    url = serve_feed(s, "/rss.xml", rss(
        item(None, "No link, a URN", guid="urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66"),
        item(None, "No link at all"),
        item(None, "A permalink GUID", guid=s.url("/permalink")),
        item(s.url("/undated"), "Undated", pub=None),
        item(s.url("/page-dated"), "Dated by its page", pub=None),
    ))
    db = tmp_path / "n.duckdb"

    before = datetime.now(UTC).date()
    counts = ingest_pass(make_config({"Gaps": [url]}), db)
    fetch_days = {before, datetime.now(UTC).date()}  # one day, unless the run crossed midnight
    assert stored_by_path(db, s, "published_at, date_origin") == {
        "/permalink": (datetime(2021, 10, 11, 9, 30), "feed"),
        "/undated": (None, None),
        "/page-dated": (datetime(2021, 10, 9, 6, 15), "page"),
    }
    days = dict(rows(db, "SELECT url, day FROM article_list"))
    assert days[s.url("/undated")] in fetch_days  # an undated article counts on the day it was fetched
    assert rows(db, "SELECT last_status, entries_last, last_error FROM feeds") == [
        ("ok", 4, "1 item without a link skipped")
    ]
    # a <guid> is a permalink unless it says otherwise: this one is not http(s), so it is refused
    assert failures(db) == {"urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66": ("page", "bad_scheme", True)}
    assert counts["pages_failed"] == 1


def test_dates_in_the_future_never_reach_the_day_views(http_server, tmp_path):
    """Decision: a page cannot be published after it was fetched. A later date (2099) is not believed: the
    page's own date is used if it is believable, else fetched_at, with date_origin 'fetched'."""
    s = http_server
    page_2021 = '<meta property="article:published_time" content="2021-10-11T08:00:00Z">'
    page_2099 = '<meta property="article:published_time" content="2099-01-01T00:00:00Z">'
    serve_page(s, "/feed-2099")
    s.add("/feed-2099-page-2021", Reply(body=article_html("/feed-2099-page-2021", head=page_2021).encode()))
    s.add("/page-2099", Reply(body=article_html("/page-2099", head=page_2099).encode()))
    serve_page(s, "/fine")
    year_2099 = "Thu, 01 Jan 2099 00:00:00 +0000"
    url = serve_feed(s, "/rss.xml", rss(
        item(s.url("/feed-2099"), "Feed says 2099", pub=year_2099),
        item(s.url("/feed-2099-page-2021"), "Feed says 2099, page 2021", pub=year_2099),
        item(s.url("/page-2099"), "Page says 2099", pub=None),
        item(s.url("/fine"), "Fine"),
    ))
    db = tmp_path / "n.duckdb"

    before = datetime.now(UTC).date()
    ingest_pass(make_config({"Future": [url]}), db)
    got = stored_by_path(db, s, "published_at, date_origin, published_at = fetched_at")
    assert got == {
        "/feed-2099": (got["/feed-2099"][0], "fetched", True),
        "/feed-2099-page-2021": (datetime(2021, 10, 11, 8, 0), "page", False),
        "/page-2099": (got["/page-2099"][0], "fetched", True),
        "/fine": (datetime(2021, 10, 11, 9, 30), "feed", False),
    }
    fetch_days = {before, datetime.now(UTC).date()}
    for view in ("article_list", "source_daily"):
        [(latest,)] = rows(db, f"SELECT MAX(day) FROM {view}")
        assert latest in fetch_days, view


# --- duplicates ---


def test_duplicate_items_and_links_within_and_across_feeds_are_fetched_and_stored_once(http_server, tmp_path):
    """Identity is the canonical URL (tracking parameters and fragments dropped), not the GUID: a GUID
    reused for another link is another article."""
    s = http_server
    for path in ("/x", "/y", "/z"):
        serve_page(s, path)
    a1 = serve_feed(s, "/a1.xml", rss(
        item(s.url("/x"), "X", guid="g1"),
        item(s.url("/x"), "X again", guid="g1"),  # the same item twice
        item(s.url("/y?utm_source=rss&utm_medium=feed#top"), "Y", guid="g2"),
        item(s.url("/z"), "Z", guid="g1"),  # a GUID reused for another link
    ))
    a2 = serve_feed(s, "/a2.xml", rss(item(s.url("/x?utm_campaign=a2"), "X in a2"), item(s.url("/y"), "Y in a2")))
    b1 = serve_feed(s, "/b1.xml", rss(item(s.url("/x"), "X in b1")))
    config = make_config({"A": [a1, a2], "B": [b1]})
    db = tmp_path / "n.duckdb"

    first = ingest_pass(config, db)
    pages = [p.split("?")[0] for p in s.paths() if not p.endswith(".xml")]
    assert sorted(pages) == ["/x", "/y", "/z"]  # each page fetched once
    assert rows(db, "SELECT url, source, title FROM articles ORDER BY url") == [
        (s.url("/x"), "A", "X"), (s.url("/y"), "A", "Y"), (s.url("/z"), "A", "Z"),
    ]
    assert first["articles_new"] == 3

    s.requests.clear()
    second = ingest_pass(config, db)
    assert sorted(s.paths()) == ["/a1.xml", "/a2.xml", "/b1.xml"] and second["articles_new"] == 0


# --- markup ---


def test_markup_and_scripts_in_titles_are_stored_as_plain_text(http_server, tmp_path):
    s = http_server
    summary = "Relief convoys reached Herat after the earthquake, officials said. " * 4
    for n in range(1, 6):
        serve_page(s, f"/t{n}")
    s.add("/t6", Reply(body=article_html("/t6", "Page <script>alert(6)</script> title").encode()))
    s.add("/t7", Reply(body=b"<html><head><title>Video</title></head><body><nav>Home</nav></body></html>"))
    url = serve_feed(s, "/rss.xml", rss(
        item(s.url("/t1"), "&lt;b&gt;Bold&lt;/b&gt; news"),
        item(s.url("/t2"), "&amp;lt;script&amp;gt;alert(2)&amp;lt;/script&amp;gt;Escaped twice"),
        item(s.url("/t3"), "<![CDATA[<script>alert(3)</script><img src=x onerror=alert(3)>CDATA title]]>"),
        item(s.url("/t4"), "x &lt; y and y &gt; z"),
        item(s.url("/t5"), "Unclosed &lt;img src=x onerror=alert(5)"),
        item(s.url("/t6"), ""),  # no title in the feed: the page's, which carries an escaped script
        item(s.url("/t7"), "Summary only", extra=(
            f"<description>&lt;script&gt;alert(7)&lt;/script&gt;&lt;p&gt;{summary}&lt;/p&gt;</description>"
            "<author>desk@example.test (&lt;a href='javascript:alert(7)'&gt;Desk&lt;/a&gt;)</author>")),
    ))
    db = tmp_path / "n.duckdb"

    ingest_pass(make_config({"Markup": [url]}), db)
    got = stored_by_path(db, s, "title, author, text")
    assert {path: title for path, (title, *_rest) in got.items()} == {
        "/t1": "Bold news",
        "/t2": "Escaped twice",
        "/t3": "CDATA title",
        "/t4": "x < y and y > z",
        "/t5": "Unclosed",
        "/t6": "Page title",
        "/t7": "Summary only",
    }
    assert got["/t7"][1:] == ("desk@example.test (Desk)", summary.strip())  # the summary stands in as text
    for path, (title, author, _text) in got.items():
        for value in (title, author or "", got["/t7"][2]):
            assert not re.search(r"<[A-Za-z/!]|script|alert\(|onerror", value), (path, value)
