"""Sitemap discovery against real HTTP on 127.0.0.1: indexes, urlsets, news sitemaps, robots.txt."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import date, datetime

import pytest
from httpserver import LocalHTTPServer, Reply
from pipeline_helpers import make_config

from newsmon.sample_site.server import serve_generated_site
from pipeline.fetch import Fetcher
from pipeline.records import Source
from pipeline.sitemaps import Discovery, discover, parse_sitemap, parse_w3c_datetime, robots_sitemaps

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
NEWS_NS = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'
OCTOBER = (date(2021, 10, 1), date(2021, 10, 31))


def index(*children: tuple[str, str | None]) -> bytes:
    items = "".join(
        f"<sitemap><loc>{loc}</loc>{f'<lastmod>{m}</lastmod>' if m else ''}</sitemap>" for loc, m in children
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex {NS}>{items}</sitemapindex>'.encode()


def urlset(*urls: tuple[str, str | None]) -> bytes:
    items = "".join(f"<url><loc>{loc}</loc>{f'<lastmod>{m}</lastmod>' if m else ''}</url>" for loc, m in urls)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {NS}>{items}</urlset>'.encode()


def news(*urls: tuple[str, str, str]) -> bytes:
    items = "".join(
        f"<url><loc>{loc}</loc><news:news><news:publication><news:name>Wire</news:name>"
        f"<news:language>en</news:language></news:publication>"
        f"<news:publication_date>{published}</news:publication_date><news:title>{title}</news:title>"
        f"</news:news></url>"
        for loc, published, title in urls
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {NS} {NEWS_NS}>{items}</urlset>'.encode()


def xml(body: bytes) -> Reply:
    return Reply(body=body, content_type="application/xml")


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(make_config({"x": ["http://127.0.0.1/feed"]}, retries=0).fetch) as f:
        yield f


def run(fetcher: Fetcher, server: LocalHTTPServer, *sitemaps: str, feeds: tuple[str, ...] = (), **kw) -> Discovery:
    source = Source(name="Wire", feeds=feeds, sitemaps=tuple(server.url(s) for s in sitemaps))
    return discover(fetcher, source, *OCTOBER, **kw)


def by_url(found: Discovery, server: LocalHTTPServer) -> dict[str, object]:
    return {e.url.removeprefix(server.origin): e for e in found.entries}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-10-11", datetime(2021, 10, 11)),
        ("2021-10-11T09:30Z", datetime(2021, 10, 11, 9, 30)),
        ("2021-10-11T09:30:00+04:30", datetime(2021, 10, 11, 5, 0)),
        ("2021-10-11T09:30:00.123+00:00", datetime(2021, 10, 11, 9, 30, 0, 123000)),
        ("2021-10-11T01:00:00-02:00", datetime(2021, 10, 11, 3, 0)),
        (" 2021-10-11T23:30+00:00\n", datetime(2021, 10, 11, 23, 30)),
        ("yesterday", None),
        ("2021-13-45", None),
        ("", None),
    ],
)
def test_w3c_datetimes_become_utc_naive(text, expected) -> None:
    assert parse_w3c_datetime(text) == expected


def test_index_monthly_urlsets_and_news_sitemap_filtered_to_the_window(http_server, fetcher) -> None:
    s = http_server
    s.add("/sitemap.xml", xml(index(
        (s.url("/2021-09.xml"), "2021-09-30T18:00+04:30"),  # before the window: never requested
        (s.url("/2021-10.xml"), "2021-10-20"),
        (s.url("/news.xml"), None),  # no lastmod: always read
    )))
    s.add("/2021-09.xml", xml(urlset((s.url("/sep"), "2021-09-12"))))
    s.add("/2021-10.xml", xml(urlset(
        (s.url("/oct"), "2021-10-05T10:00:00Z"),
        (s.url("/late-edit"), "2021-11-02"),  # modified after the window: kept, the caller checks the page
        (s.url("/no-date"), None),
        (s.url("/stale"), "2021-09-28T23:59:59+00:00"),  # last modified before the window: dropped
        (s.url("/just-in"), "2021-10-01T02:00+04:30"),  # 2021-09-30 21:30 UTC: dropped
    )))
    s.add("/news.xml", xml(news(
        (s.url("/n-oct"), "2021-10-15T23:30:00-02:00", "October &amp; after"),  # 2021-10-16 UTC
        (s.url("/n-edge"), "2021-11-01T01:00+05:00", "Edge"),  # 2021-10-31 20:00 UTC: in
        (s.url("/n-sep"), "2021-09-30T12:00Z", "Too early"),
        (s.url("/n-nov"), "2021-11-01T00:00Z", "Too late"),
    )))
    found = run(fetcher, s, "/sitemap.xml")

    assert found.failures == ()
    assert found.sitemaps_read == 3
    assert sorted(s.paths()) == ["/2021-10.xml", "/news.xml", "/sitemap.xml"]
    entries = by_url(found, s)
    assert sorted(entries) == ["/late-edit", "/n-edge", "/n-oct", "/no-date", "/oct"]
    assert entries["/oct"].lastmod == datetime(2021, 10, 5, 10, 0)
    assert entries["/oct"].published is None and entries["/oct"].title == ""
    assert entries["/oct"].sitemap_url == s.url("/2021-10.xml") and entries["/oct"].source == "Wire"
    assert entries["/no-date"].lastmod is None
    assert entries["/n-oct"].published == datetime(2021, 10, 16, 1, 30)
    assert entries["/n-oct"].title == "October & after"
    assert entries["/n-edge"].published == datetime(2021, 10, 31, 20, 0)


def test_robots_txt_fallback_fetched_once_per_host(http_server, fetcher) -> None:
    s = http_server
    s.add("/robots.txt", Reply(content_type="text/plain", body=(
        b"User-agent: *\nDisallow: /search\n"
        b"SITEMAP: /sitemap.xml\n"
        b"sitemap: " + s.url("/news.xml").encode() + b"  # the news one\n"
        b"Sitemap: ftp://elsewhere/x.xml\n"
    )))
    s.add("/sitemap.xml", xml(urlset((s.url("/a"), "2021-10-02"))))
    s.add("/news.xml", xml(news((s.url("/b"), "2021-10-03T08:00Z", "B"))))
    found = run(fetcher, s, feeds=(s.url("/rss/latest.xml"), s.url("/atom/world.xml?x=1")))

    assert s.paths().count("/robots.txt") == 1
    assert sorted(by_url(found, s)) == ["/a", "/b"]
    assert [(f.url, f.reason) for f in found.failures] == [("ftp://elsewhere/x.xml", "bad_scheme")]
    assert found.sitemaps_read == 2


def test_robots_sitemaps_lines() -> None:
    body = b"user-agent: *\n Sitemap : https://a.test/s1.xml\nsitemap:/s2.xml\r\nSitemaps: /no\nSitemap: mailto:x@y\n"
    assert robots_sitemaps(body, "https://a.test/robots.txt") == [
        "https://a.test/s1.xml", "https://a.test/s2.xml", "mailto:x@y"  # the fetcher refuses the last
    ]
    assert robots_sitemaps(b"", "https://a.test/robots.txt") == []


def test_missing_robots_is_a_failure(http_server, fetcher) -> None:
    found = run(fetcher, http_server, feeds=(http_server.url("/feed"),))
    assert found.entries == ()
    assert [(f.stage, f.reason, f.status) for f in found.failures] == [("sitemap", "http_status", 404)]


def test_gzipped_sitemaps_raw_and_content_encoded(http_server, fetcher) -> None:
    s = http_server
    s.add("/index.xml", xml(index((s.url("/raw.xml.gz"), None), (s.url("/encoded.xml"), None))))
    s.add("/raw.xml.gz", Reply(body=gzip.compress(urlset((s.url("/raw"), None))), content_type="application/x-gzip"))
    s.add("/encoded.xml", Reply(body=gzip.compress(urlset((s.url("/encoded"), None))),
                                content_type="application/xml", headers={"Content-Encoding": "gzip"}))
    found = run(fetcher, s, "/index.xml")
    assert sorted(by_url(found, s)) == ["/encoded", "/raw"]
    assert found.failures == ()


def test_corrupt_gzip_is_malformed() -> None:
    result = parse_sitemap(b"\x1f\x8b\x08\x00garbage", "http://a.test/s.xml.gz")
    assert result.reason == "malformed_sitemap" and result.stage == "sitemap"


def test_a_404_child_is_a_failure_and_the_others_still_yield(http_server, fetcher) -> None:
    s = http_server
    s.add("/index.xml", xml(index((s.url("/gone.xml"), None), (s.url("/ok.xml"), None))))
    s.add("/ok.xml", xml(urlset((s.url("/a"), None))))
    found = run(fetcher, s, "/index.xml")
    assert sorted(by_url(found, s)) == ["/a"]
    assert [(f.url, f.stage, f.reason, f.status) for f in found.failures] == [
        (s.url("/gone.xml"), "sitemap", "http_status", 404)
    ]
    assert found.sitemaps_read == 2


def test_index_loops_terminate_with_each_sitemap_fetched_once(http_server, fetcher) -> None:
    s = http_server
    s.add("/index.xml", xml(index((s.url("/index.xml"), None), (s.url("/sub.xml"), None))))
    s.add("/sub.xml", xml(index((s.url("/index.xml"), None), (s.url("/sub.xml"), None), (s.url("/u.xml"), None))))
    s.add("/u.xml", xml(urlset((s.url("/a"), None))))
    found = run(fetcher, s, "/index.xml")
    assert sorted(s.paths()) == ["/index.xml", "/sub.xml", "/u.xml"]
    assert sorted(by_url(found, s)) == ["/a"] and found.sitemaps_read == 3


def test_at_most_max_sitemaps_are_fetched(http_server, fetcher) -> None:
    s = http_server
    s.add("/index.xml", xml(index(*[(s.url(f"/{i}.xml"), None) for i in range(5)])))
    for i in range(5):
        s.add(f"/{i}.xml", xml(urlset((s.url(f"/a{i}"), None))))
    found = run(fetcher, s, "/index.xml", max_sitemaps=3)
    assert len(s.paths()) == 3 and len(found.entries) == 2
    assert [(f.reason, f.detail) for f in found.failures] == [
        ("too_many_sitemaps", "3 sitemaps not read: over the limit of 3")
    ]


def test_malformed_sitemaps_fail_but_recoverable_ones_yield(http_server, fetcher) -> None:
    s = http_server
    s.add("/index.xml", xml(index(*[(s.url(p), None) for p in ("/junk.xml", "/html.xml", "/empty.xml", "/cut.xml")])))
    s.add("/junk.xml", xml(b"this is not < xml at all"))
    s.add("/html.xml", Reply(body=b"<html><body><p>Sitemap moved</p></body></html>"))
    s.add("/empty.xml", xml(b""))
    cut = urlset((s.url("/a?x=1&amp;y=2"), None), (s.url("/b?p=1&q=2"), None)).removesuffix(b"</urlset>")
    s.add("/cut.xml", xml(cut + b"<url><loc>" + s.url("/c").encode() + b"</loc><lastmod>2021-10-0"))
    found = run(fetcher, s, "/index.xml")

    assert sorted(by_url(found, s)) == ["/a?x=1&y=2", "/b?p=1&q=2", "/c"]
    assert sorted((f.url.removeprefix(s.origin), f.reason) for f in found.failures) == [
        ("/empty.xml", "malformed_sitemap"), ("/html.xml", "malformed_sitemap"), ("/junk.xml", "malformed_sitemap")
    ]
    assert all(f.stage == "sitemap" and f.detail for f in found.failures)


def test_external_entities_are_not_resolved(http_server, fetcher, tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7f3a")
    s = http_server
    body = (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE urlset [<!ENTITY passwd SYSTEM "file:///etc/passwd">'
        f'<!ENTITY secret SYSTEM "{secret.as_uri()}"><!ENTITY remote SYSTEM "{s.url("/dtd")}">]>\n'
        f'<urlset {NS} {NEWS_NS}>'
        f'<url><loc>{s.url("/a/")}&passwd;</loc><lastmod>&secret;</lastmod></url>'
        "<url><loc>&secret;</loc></url>"
        f'<url><loc>{s.url("/b")}</loc><news:news><news:publication_date>2021-10-02</news:publication_date>'
        "<news:title>&passwd;&secret;&remote;</news:title></news:news></url>"
        "</urlset>"
    ).encode()
    s.add("/evil.xml", xml(body))
    found = run(fetcher, s, "/evil.xml")

    assert sorted(by_url(found, s)) == ["/a/", "/b"]
    text = repr(found)
    assert "root:" not in text and "TOP-SECRET" not in text
    assert s.paths() == ["/evil.xml"]  # the remote entity was not fetched either


def test_dedupe_across_sitemaps_prefers_the_entry_with_a_publication_date(http_server, fetcher) -> None:
    s = http_server
    s.add("/index.xml", xml(index((s.url("/one.xml"), None), (s.url("/two.xml"), None), (s.url("/news.xml"), None))))
    s.add("/one.xml", xml(urlset((s.url("/a"), "2021-10-02"), (s.url("/b"), "2021-10-03"))))
    s.add("/two.xml", xml(urlset((s.url("/a"), "2021-10-09"), (s.url("/c"), None))))
    s.add("/news.xml", xml(news((s.url("/b"), "2021-10-03T07:00Z", "B"))))
    found = run(fetcher, s, "/index.xml")

    assert [e.url.removeprefix(s.origin) for e in found.entries] == ["/a", "/b", "/c"]
    entries = by_url(found, s)
    assert entries["/a"].sitemap_url == s.url("/one.xml") and entries["/a"].lastmod == datetime(2021, 10, 2)
    assert entries["/b"].sitemap_url == s.url("/news.xml") and entries["/b"].title == "B"
    assert entries["/b"].published == datetime(2021, 10, 3, 7, 0)


def test_non_http_locs_are_kept_for_the_fetcher_to_refuse(http_server, fetcher) -> None:
    s = http_server
    refused = ["ftp://files.test/a", "javascript:alert(1)", "mailto:a@b.test", "file:///etc/passwd"]
    s.add("/s.xml", xml(urlset(*[(loc, None) for loc in refused],
                               ("", None), ("https://other.test/ok", None), ("/relative", None))))
    found = run(fetcher, s, "/s.xml")
    assert [e.url for e in found.entries] == [*refused, "https://other.test/ok", s.url("/relative")]
    for url in refused:  # refused without a request, and recorded by the run (tests/faults/test_refused.py)
        assert fetcher.fetch(url, kind="page").reason == "bad_scheme"
    assert s.paths() == ["/s.xml"]


def test_sample_site_october(tmp_path) -> None:
    start, end = OCTOBER
    with serve_generated_site(tmp_path / "site") as site, \
            Fetcher(make_config({"x": [site.base_url]}).fetch) as fetcher:
        manifest = site.manifest
        found: dict[str, object] = {}
        for outlet in manifest.outlets:
            discovery = discover(fetcher, Source(outlet.name, outlet.feeds, outlet.sitemaps), start, end)
            assert discovery.failures == ()
            found.update({e.url: e for e in discovery.entries})
        requested = [r.path for r in site.requests]

    expected = {a.url for a in manifest.articles if a.in_sitemaps and start <= a.published_at.date() <= end}
    assert expected and expected <= set(found)
    lastmods = {a.url: datetime.fromisoformat(a.lastmod).date() for a in manifest.articles}
    assert all(lastmods[url] >= start for url in found)
    assert all(e.source in {o.name for o in manifest.outlets} for e in found.values())
    assert not [p for p in requested if "2021-08" in p or "2021-09" in p]  # old months never read
    assert len(requested) == len(set(requested))
