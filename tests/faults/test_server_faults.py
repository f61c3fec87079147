"""A misbehaving server, end to end at the ingest level: pipeline.ingest in-process over a tmp DuckDB,
real HTTP from 127.0.0.1. Each test checks the stored rows, the recorded failures and the server's
request log (what was asked, how often, and what the next run asks again)."""

from __future__ import annotations

import gzip

from fault_helpers import (
    article_html,
    failures,
    item,
    rows,
    rss,
    serve_feed,
    serve_page,
)
from httpserver import RecordedRequest, Reply
from pipeline_helpers import ingest_pass, make_config


def page(key: str, **reply) -> Reply:
    return Reply(body=article_html(key).encode(), **reply)


def conditional_feed(server, path: str, body: str) -> str:
    """A feed that answers 304 to its own ETag, as a well-behaved server does."""

    def answer(request: RecordedRequest) -> Reply:
        if request.headers["If-None-Match"] == '"v1"':
            return Reply(status=304, content_type=None)
        return Reply(body=body.encode(), content_type="application/rss+xml", headers={"ETag": '"v1"'})

    server.add(path, answer)
    return server.url(path)


def stored(db) -> set[str]:
    return {url for (url,) in rows(db, "SELECT fetched_url FROM articles")}


def test_5xx_is_retried_in_the_run_and_by_the_next_run_until_stored(http_server, tmp_path):
    s = http_server
    s.add("/flaky", Reply(status=503), Reply(status=503), page("/flaky"))  # recovers on the 2nd retry
    s.add("/down", Reply(status=500), Reply(status=500), Reply(status=500), page("/down"))  # next run
    feed = conditional_feed(s, "/rss.xml", rss(item(s.url("/flaky"), "Flaky"), item(s.url("/down"), "Down")))
    config = make_config({"Faults": [feed]}, retries=2)
    db = tmp_path / "n.duckdb"

    first = ingest_pass(config, db)
    assert s.paths().count("/flaky") == 3 and s.paths().count("/down") == 3
    assert stored(db) == {s.url("/flaky")}
    assert failures(db) == {s.url("/down"): ("page", "http_status", False)}
    assert rows(db, "SELECT link, attempts, last_reason FROM retry_entries") == [(s.url("/down"), 1, "http_status")]
    assert first["articles_new"] == 1

    s.requests.clear()
    second = ingest_pass(config, db)
    assert s.paths() == ["/rss.xml", "/down"]  # feed not modified; the queued page tried again
    assert second["feeds_not_modified"] == 1 and second["articles_new"] == 1
    assert stored(db) == {s.url("/flaky"), s.url("/down")}
    assert rows(db, "SELECT COUNT(*) FROM retry_entries") == [(0,)]


def test_timeouts_are_recorded_and_the_page_queued_for_the_next_run(http_server, tmp_path):
    s = http_server
    s.add("/slow", Reply(delay=120, body=b"late"))  # answers only when the server stops
    serve_page(s, "/ok")
    feed = serve_feed(s, "/rss.xml", rss(item(s.url("/slow"), "Slow"), item(s.url("/ok"), "Fine")))
    s.add("/slow.xml", Reply(delay=120, body=b"<rss/>"))
    config = make_config({"Faults": [feed, s.url("/slow.xml")]}, read_timeout=0.5, retries=1)
    db = tmp_path / "n.duckdb"

    counts = ingest_pass(config, db)
    assert s.paths().count("/slow") == 2 and s.paths().count("/slow.xml") == 2  # one retry each
    assert stored(db) == {s.url("/ok")}
    assert failures(db) == {s.url("/slow"): ("page", "timeout", False), s.url("/slow.xml"): ("feed", "timeout", False)}
    assert rows(db, "SELECT link FROM retry_entries") == [(s.url("/slow"),)]
    assert rows(db, "SELECT last_status FROM feeds WHERE feed_url = ?", [s.url("/slow.xml")]) == [("timeout",)]
    assert counts["feeds_failed"] == 1


def test_a_feed_trickling_forever_ends_at_the_deadline_and_the_others_go_on(http_server, tmp_path):
    s = http_server
    s.add("/drip.xml", Reply(body=b"<rss><channel>", chunk_size=1, interval=0.05, forever=True,
                             content_type="application/rss+xml"))
    serve_page(s, "/ok")
    feed = serve_feed(s, "/rss.xml", rss(item(s.url("/ok"), "Fine")))
    config = make_config({"Faults": [s.url("/drip.xml"), feed]}, deadline=1.5, read_timeout=5.0, retries=2)
    db = tmp_path / "n.duckdb"

    ingest_pass(config, db)
    assert s.paths().count("/drip.xml") == 1  # a deadline is not retried at once
    assert failures(db) == {s.url("/drip.xml"): ("feed", "deadline", False)}
    assert stored(db) == {s.url("/ok")}


def test_connection_resets_mid_headers_and_mid_body(http_server, tmp_path):
    s = http_server
    s.add("/reset-once", Reply(reset="headers"), page("/reset-once"))
    s.add("/cut", page("/cut", reset="body"))  # half the page, then a reset: every time
    serve_feed(s, "/cut.xml", rss(item(s.url("/x"), "X")), reset="body")
    feed = serve_feed(s, "/rss.xml", rss(item(s.url("/reset-once"), "Once"), item(s.url("/cut"), "Cut")))
    config = make_config({"Faults": [feed, s.url("/cut.xml")]}, retries=1)
    db = tmp_path / "n.duckdb"

    ingest_pass(config, db)
    assert s.paths().count("/reset-once") == 2 and s.paths().count("/cut") == 2
    assert stored(db) == {s.url("/reset-once")}  # never the half page
    assert failures(db) == {
        s.url("/cut"): ("page", "connection_error", False),
        s.url("/cut.xml"): ("feed", "connection_error", False),
    }
    assert rows(db, "SELECT link FROM retry_entries") == [(s.url("/cut"),)]
    assert rows(db, "SELECT etag, last_status FROM feeds WHERE feed_url = ?", [s.url("/cut.xml")]) == [
        (None, "connection_error")
    ]


def test_permanent_failures_are_recorded_once_and_never_requested_again(http_server, tmp_path):
    s = http_server
    bomb = gzip.compress(b"\0" * 20_000_000)
    assert len(bomb) < 100_000  # only the decoded size can trip the cap
    s.add("/404", Reply(status=404))
    s.add("/410", Reply(status=410))
    s.redirect("/loop", "/loop")
    s.add("/image", Reply(body=b"\x89PNG\r\n\x1a\n" + bytes(2000), content_type="image/png"))
    s.add("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    s.add("/huge", Reply(body=article_html("/huge").encode() * 700))  # about 1.3 MB
    serve_page(s, "/ok")
    paths = ["/404", "/410", "/loop", "/image", "/bomb", "/huge", "/ok"]
    feed = serve_feed(s, "/rss.xml", rss(*(item(s.url(p), p) for p in paths)))  # no ETag: read in full
    config = make_config({"Faults": [feed]}, max_bytes=1_000_000, max_redirects=3, retries=2)
    db = tmp_path / "n.duckdb"

    ingest_pass(config, db)
    assert sorted(p for p in s.paths() if p != "/loop") == sorted(["/rss.xml", *paths[:2], *paths[3:]])
    assert s.paths().count("/loop") == 4  # the first request and 3 redirects, no retry
    assert failures(db) == {
        s.url("/404"): ("page", "http_status", True),
        s.url("/410"): ("page", "http_status", True),
        s.url("/loop"): ("page", "too_many_redirects", True),
        s.url("/image"): ("page", "not_html", True),
        s.url("/bomb"): ("page", "too_large", True),
        s.url("/huge"): ("page", "too_large", True),
    }
    assert stored(db) == {s.url("/ok")}
    assert rows(db, "SELECT COUNT(*) FROM retry_entries") == [(0,)]

    s.requests.clear()
    second = ingest_pass(config, db)
    assert s.paths() == ["/rss.xml"]  # the feed still lists them all; none is asked for again
    assert second["pages_failed"] == 0
    assert rows(db, "SELECT COUNT(*), COUNT(DISTINCT run_id) FROM failures") == [(6, 1)]


def test_wrong_content_types_for_feeds(http_server, tmp_path):
    s = http_server
    serve_page(s, "/a")
    as_html = serve_feed(s, "/as-html.xml", rss(item(s.url("/a"), "A")), content_type="text/html; charset=utf-8")
    login = serve_feed(s, "/login.xml", "<html><body><form>Sign in</form></body></html>", content_type="text/html")
    png = serve_feed(s, "/png.xml", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, content_type="image/png")
    db = tmp_path / "n.duckdb"

    counts = ingest_pass(make_config({"Faults": [as_html, login, png]}), db)
    assert stored(db) == {s.url("/a")}  # a real feed served as text/html is still read
    assert failures(db) == {login: ("feed", "malformed_feed", False), png: ("feed", "malformed_feed", False)}
    assert counts["feeds_failed"] == 2
