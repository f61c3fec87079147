"""Refused targets, end to end at the ingest level: feeds, article links from a feed and sitemap URLs that
point at loopback, private, link-local, cloud-metadata or unique-local addresses (as literals, through
host names, through redirects) or at other schemes are refused unless allowed, recorded, and NEVER
requested.

The feeds are served from 127.0.0.1, allowed by `allowed_networks = ["127.0.0.1/32"]` (as an intranet
mirror would be); everything else non-public stays refused. "Never requested" is checked where it
happens: real servers on 127.0.0.2 and [::1] whose request logs must stay empty, and, for addresses
nothing here can serve (10.x, 169.254.169.254, fd00:ec2::254), the interpreter's audit events, which
show every socket.connect this process makes. Host names are given addresses by replacing
socket.getaddrinfo (the resolver seam: the fetcher, and the standard library's connect, both call it).
On a machine that cannot listen on [::1] (no IPv6 in the container), the [::1] cases are left out, every
other case still runs, and test_ipv6_loopback_is_served is skipped with the reason.
"""

from __future__ import annotations

import http.client
import socket
import sys
from collections.abc import Iterator
from datetime import date

import pytest
from fault_helpers import failures, item, rows, rss, serve_feed, serve_page
from httpserver import LocalHTTPServer, Reply
from pipeline_helpers import ingest_pass, make_config

from pipeline.backfill import keep_unstored, plan_days, read_sitemaps
from pipeline.ingest import Ingest

_connects: list[str] | None = None  # the hosts this process connects to, while a test records them


def _audit(event: str, args: tuple) -> None:
    if _connects is not None and event == "socket.connect" and isinstance(args[1], tuple):
        _connects.append(str(args[1][0]))


sys.addaudithook(_audit)  # an audit hook cannot be removed: it records only inside the fixture


@pytest.fixture
def connects() -> Iterator[list[str]]:
    global _connects
    _connects = []
    try:
        yield _connects
    finally:
        _connects = None


class Resolver:
    """socket.getaddrinfo with made-up names: a name maps to a list of addresses, or to a list of such
    lists answered in turn (the last one repeating), as a DNS-rebinding attacker's server would."""

    def __init__(self, real) -> None:
        self.real = real
        self.names: dict[str, list] = {}
        self.asked: list[str] = []

    def __call__(self, host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in self.names:
            return self.real(host, port, family, type, proto, flags)
        self.asked.append(name)
        answers = self.names[name]
        if isinstance(answers[0], list):  # answers in turn
            addresses = answers.pop(0) if len(answers) > 1 else answers[0]
        else:
            addresses = answers
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, port or 0, 0, 0)) if ":" in a
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port or 0))
            for a in addresses
        ]


@pytest.fixture
def resolver(monkeypatch) -> Resolver:
    fake = Resolver(socket.getaddrinfo)
    fake.names.update({
        "intranet.test": ["127.0.0.2"],
        "loop6.test": ["::1"],
        "metadata.test": ["169.254.169.254"],
        "ula.test": ["fd00:ec2::254"],
        "mixed.test": ["93.184.216.34", "10.0.0.7"],  # one public, one private address: refused
    })
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


def _server(host: str, port: int = 0) -> LocalHTTPServer:
    try:
        return LocalHTTPServer(host, port)
    except OSError as exc:
        pytest.skip(f"cannot listen on {host}: {exc}")


@pytest.fixture
def internal() -> Iterator[LocalHTTPServer]:
    """A loopback server that must never be asked anything: it stands for the intranet."""
    with _server("127.0.0.2") as server:
        server.add("/secret", Reply(body=b"<html><body><p>internal only</p></body></html>"))
        yield server


def _ipv6_loopback() -> LocalHTTPServer | str:
    """A server on [::1], or why this machine cannot listen there (a host or container without IPv6)."""
    try:
        return LocalHTTPServer("::1")
    except OSError as exc:
        return f"cannot listen on ::1: {exc}"


@pytest.fixture
def internal6() -> Iterator[LocalHTTPServer | None]:
    """The IPv6 loopback's stand-in for the intranet; None where [::1] cannot be served, and the tests leave
    their [::1] cases out (test_ipv6_loopback_is_served reports it)."""
    server = _ipv6_loopback()
    if isinstance(server, str):
        yield None
        return
    with server:
        server.add("/secret", Reply(body=b"<html><body><p>internal only</p></body></html>"))
        yield server


def asked(*servers: LocalHTTPServer | None) -> list[str]:
    """The paths these servers were asked for (None: a server this machine could not start)."""
    return [path for server in servers if server is not None for path in server.paths()]


def guarded(sources: dict[str, list[str]], sitemaps: dict[str, list[str]] | None = None, **fetch):
    return make_config(sources, sitemaps, allow_private_networks=False, allowed_networks=["127.0.0.1/32"],
                       **fetch)


def refused_links(s: LocalHTTPServer, internal: LocalHTTPServer, internal6: LocalHTTPServer | None) -> dict[str, str]:
    """URL -> the reason it must be refused with (without the [::1] cases when `internal6` is None)."""
    s.redirect("/to-internal", internal.url("/secret"))
    s.redirect("/to-metadata", "http://169.254.169.254/latest/meta-data/")
    s.redirect("/to-file", "file:///etc/passwd")
    addresses = {
        internal.url("/secret"): "loopback",
        f"http://intranet.test:{internal.port}/secret": "a name for loopback",
        f"http://0.0.0.0:{s.port}/ok": "unspecified (would reach this host)",
        f"http://[::ffff:127.0.0.2]:{internal.port}/secret": "IPv4-mapped loopback",
        "http://10.1.2.3/": "private 10/8",
        "http://172.16.5.4/": "private 172.16/12",
        "http://192.168.1.1/admin": "private 192.168/16",
        "http://169.254.169.254/latest/meta-data/": "link-local, cloud metadata",
        "http://[fd00:ec2::254]/latest/meta-data/": "AWS metadata over IPv6 (unique local)",
        "http://[fe80::1]/": "IPv6 link-local",
        "http://[fc00::1]/": "IPv6 unique local",
        "http://metadata.test/latest/meta-data/": "a name for the metadata address",
        "http://ula.test/": "a name for a unique-local address",
        "http://mixed.test/": "a name with one private address among public ones",
        s.url("/to-internal"): "a redirect into loopback",
        s.url("/to-metadata"): "a redirect to the metadata address",
    }
    if internal6 is not None:
        addresses[internal6.url("/secret")] = "IPv6 loopback"
        addresses[f"http://loop6.test:{internal6.port}/secret"] = "a name for IPv6 loopback"
    schemes = ["file:///etc/passwd", "ftp://ftp.example.test/pub/x", "gopher://gopher.example.test/1/",
               s.url("/to-file")]
    return {url: "refused_address" for url in addresses} | {url: "bad_scheme" for url in schemes}


def test_article_links_to_refused_targets_are_recorded_and_never_requested(
    http_server, internal, internal6, resolver, connects, tmp_path
):
    s = http_server
    refused = refused_links(s, internal, internal6)
    serve_page(s, "/ok")
    feed = serve_feed(s, "/rss.xml", rss(*(item(url, f"Link {i}") for i, url in enumerate(refused)),
                                         item(s.url("/ok"), "Allowed")))
    config = guarded({"Hostile": [feed]})
    db = tmp_path / "n.duckdb"

    counts = ingest_pass(config, db)
    assert asked(internal, internal6) == []
    assert set(connects) == {"127.0.0.1"}  # no connection attempted anywhere else
    assert sorted(s.paths()) == ["/ok", "/rss.xml", "/to-file", "/to-internal", "/to-metadata"]
    recorded = {url.replace("file://etc", "file:///etc"): v for url, v in failures(db).items()}  # feedparser's
    assert recorded == {url: ("page", reason, True) for url, reason in refused.items()}  # rewrite undone
    assert rows(db, "SELECT url FROM articles") == [(s.url("/ok"),)]
    assert rows(db, "SELECT COUNT(*) FROM retry_entries") == [(0,)]
    assert counts["pages_failed"] == len(refused)
    details = dict(rows(db, "SELECT url, detail FROM failures"))
    assert "169.254.169.254" in details["http://metadata.test/latest/meta-data/"]
    assert "10.0.0.7" in details["http://mixed.test/"]

    s.requests.clear()
    ingest_pass(config, db)  # refusals are permanent: not even tried again
    assert s.paths() == ["/rss.xml"] and set(connects) == {"127.0.0.1"}
    assert asked(internal, internal6) == []


def test_control_the_same_links_are_fetched_when_private_networks_are_allowed(
    http_server, internal, internal6, resolver, tmp_path
):
    s = http_server
    links = [internal.url("/secret"), f"http://intranet.test:{internal.port}/secret"]
    links += [internal6.url("/secret")] if internal6 is not None else []
    s.redirect("/to-internal", internal.url("/secret"))
    feed = serve_feed(s, "/rss.xml", rss(*(item(u, "x") for u in [*links, s.url("/to-internal")])))
    config = make_config({"Hostile": [feed]}, allow_private_networks=True)

    ingest_pass(config, tmp_path / "n.duckdb")
    assert internal.paths() == ["/secret"] * 3
    assert internal6 is None or internal6.paths() == ["/secret"]


def test_ipv6_loopback_is_served():
    """The [::1] cases above need a server on [::1]; where this machine cannot listen there they are left
    out, and this test is skipped with the reason, so that the report shows it."""
    server = _ipv6_loopback()
    if isinstance(server, str):
        pytest.skip(f"{server}: the [::1] cases of the refused-target tests were left out")
    with server:
        server.add("/secret", Reply(body=b"internal only"))
        client = http.client.HTTPConnection("::1", server.port, timeout=30)
        try:
            client.request("GET", "/secret")
            assert client.getresponse().read() == b"internal only"
        finally:
            client.close()
        assert server.paths() == ["/secret"]


def test_feeds_on_refused_targets_are_recorded_and_never_requested(
    http_server, internal, resolver, connects, tmp_path
):
    s = http_server
    internal.add("/rss.xml", Reply(body=rss().encode(), content_type="application/rss+xml"))
    s.redirect("/moved.xml", internal.url("/rss.xml"))
    s.redirect("/to-file.xml", "file:///etc/passwd")
    serve_page(s, "/ok")
    good = serve_feed(s, "/rss.xml", rss(item(s.url("/ok"), "Allowed")))
    bad = [internal.url("/rss.xml"), f"http://intranet.test:{internal.port}/rss.xml",
           "http://metadata.test/latest/rss.xml", "http://[fd00:ec2::254]/rss.xml", s.url("/moved.xml")]
    db = tmp_path / "n.duckdb"

    counts = ingest_pass(guarded({"Hostile": [*bad, s.url("/to-file.xml")], "Good": [good]}), db)
    assert internal.requests == [] and set(connects) == {"127.0.0.1"}
    assert failures(db) == {
        **{url: ("feed", "refused_address", True) for url in bad}, s.url("/to-file.xml"): ("feed", "bad_scheme", True)}
    assert dict(rows(db, "SELECT feed_url, last_status FROM feeds")) == {
        **{url: "refused_address" for url in bad}, s.url("/to-file.xml"): "bad_scheme", good: "ok"}
    assert counts["feeds_failed"] == len(bad) + 1 and counts["articles_new"] == 1


def test_sitemap_urls_to_refused_targets_are_recorded_and_never_requested(
    http_server, internal, resolver, connects, tmp_path
):
    """The backfill's discovery and pages, sequenced as flows/backfill.py does it. (A sitemap or a feed
    that is not http(s) in the sources file is a one-line error before anything runs: test_cli.py.)"""
    s = http_server
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    news_ns = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'
    internal.add("/sitemap.xml", Reply(body=b"<urlset/>", content_type="application/xml"))
    s.redirect("/to-internal.xml", internal.url("/sitemap.xml"))
    children = [internal.url("/sitemap.xml"), "file:///etc/sitemap.xml", s.url("/to-internal.xml"), s.url("/news.xml")]
    s.add("/index.xml", Reply(content_type="application/xml", body=(
        f"<sitemapindex {ns}>" + "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in children) + "</sitemapindex>"
    ).encode()))
    locs = [internal.url("/secret"), "http://169.254.169.254/latest/meta-data/", "http://ula.test/x",
            "file:///etc/passwd", "gopher://gopher.example.test/1/", s.url("/ok")]
    s.add("/news.xml", Reply(content_type="application/xml", body=(
        f"<urlset {ns} {news_ns}>" + "".join(
            f"<url><loc>{u}</loc><news:news><news:publication_date>2021-10-11T08:00Z</news:publication_date>"
            "</news:news></url>" for u in locs) + "</urlset>"
    ).encode()))
    serve_page(s, "/ok")
    sitemaps = [s.url("/index.xml"), internal.url("/sitemap.xml"), "http://metadata.test/sitemap.xml"]
    config = guarded({"Hostile": []}, {"Hostile": sitemaps})
    window = (date(2021, 10, 1), date(2021, 10, 31))
    db = tmp_path / "n.duckdb"

    with Ingest(config, db) as ingest:
        run_id = ingest.start_run("backfill")
        source = config.sources[0]
        found = keep_unstored(ingest, source, read_sitemaps(config, source, *window), *window)
        with ingest.writer() as w:
            w.record_failures(run_id, [(f, source.name) for f in found.failures])
        for plan in plan_days(ingest, [found], *window):
            for batch in plan.batches:
                ingest.process_batch(run_id, batch, window)
    assert internal.requests == [] and set(connects) == {"127.0.0.1"}
    assert failures(db) == {
        internal.url("/sitemap.xml"): ("sitemap", "refused_address", True),
        "http://metadata.test/sitemap.xml": ("sitemap", "refused_address", True),
        "file:///etc/sitemap.xml": ("sitemap", "bad_scheme", True),
        s.url("/to-internal.xml"): ("sitemap", "refused_address", True),
        internal.url("/secret"): ("page", "refused_address", True),
        "http://169.254.169.254/latest/meta-data/": ("page", "refused_address", True),
        "http://ula.test/x": ("page", "refused_address", True),
        "file:///etc/passwd": ("page", "bad_scheme", True),
        "gopher://gopher.example.test/1/": ("page", "bad_scheme", True),
    }
    assert rows(db, "SELECT url, date_origin FROM articles") == [(s.url("/ok"), "sitemap")]


def test_dns_rebinding_the_address_checked_is_the_address_connected_to(
    http_server, resolver, connects, tmp_path
):
    """rebind.test answers 127.0.0.1 (allowed) first and 127.0.0.2 (refused) afterwards, on the same port:
    a fetcher that checked one answer and then let the connect resolve again would reach the internal
    server. The fetcher resolves once and connects to the address it checked."""
    s = http_server
    with _server("127.0.0.2", s.port) as twin:
        twin.add("/page", Reply(body=b"<html><body><p>internal only</p></body></html>"))
        resolver.names["rebind.test"] = [["127.0.0.1"], ["127.0.0.2"]]
        link = f"http://rebind.test:{s.port}/page"
        serve_page(s, "/page")
        feed = serve_feed(s, "/rss.xml", rss(item(link, "Rebinding")))
        db = tmp_path / "n.duckdb"

        ingest_pass(guarded({"Hostile": [feed]}), db)
        assert twin.requests == [] and set(connects) == {"127.0.0.1"}
        assert resolver.asked == ["rebind.test"]  # resolved once, for the one connection
    assert s.paths() == ["/rss.xml", "/page"]
    assert rows(db, "SELECT url FROM articles") == [(link,)]


def test_allowed_networks_is_validated_with_a_one_line_error():
    from pipeline.settings import ConfigError

    for value, needle in ((["10.0.0.0/33"], "'10.0.0.0/33' is not an IP network"),
                          ("10.0.0.0/8", "must be a list of networks"), ([10], "10 is not an IP network")):
        with pytest.raises(ConfigError, match=needle) as raised:
            make_config({"x": ["http://example.test/rss"]}, allowed_networks=value)
        assert "\n" not in str(raised.value)
    config = make_config({"x": ["http://example.test/rss"]}, allowed_networks=["192.168.1.10/24", "::1"])
    assert config.fetch.allowed_networks == ("192.168.1.0/24", "::1/128")


def test_the_resolver_seam_reaches_the_fetcher(resolver):
    """If the fetcher stopped resolving through socket.getaddrinfo, the host-name tests above would
    test nothing: check the seam itself."""
    assert socket.getaddrinfo("metadata.test", 80)[0][4] == ("169.254.169.254", 80)
    from pipeline.fetch import Fetcher

    with Fetcher(make_config({"x": ["http://a.test/"]}, allow_private_networks=False).fetch) as fetcher:
        result = fetcher.fetch("http://metadata.test/", kind="page")
    assert result.reason == "refused_address" and "169.254.169.254" in result.detail
    assert resolver.asked == ["metadata.test", "metadata.test"]

