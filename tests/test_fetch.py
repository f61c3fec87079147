"""pipeline.fetch against real HTTP from 127.0.0.1 (tests/httpserver.py); httpx is not mocked."""

from __future__ import annotations

import gzip
import ipaddress
import shutil
import socket
import ssl
import subprocess
import threading
import zlib
from collections.abc import Callable, Iterator

import httpcore
import pytest
from httpserver import LocalHTTPServer, RecordedRequest, Reply

from pipeline.fetch import REASONS, Fetcher, GuardedBackend, HostScheduler, is_public_address
from pipeline.records import Failure, NotModified, Response
from pipeline.settings import FetchSettings

FAST = dict(
    allow_private_networks=True,  # the test server is on loopback
    per_host_delay=0.0,
    connect_timeout=2.0,
    read_timeout=2.0,
    deadline=10.0,
    retries=2,
    backoff=1.0,  # sleeps are recorded, not slept
)

MakeFetcher = Callable[..., Fetcher]


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_fetcher(sleeps: list[float]) -> Iterator[MakeFetcher]:
    made: list[Fetcher] = []

    def make(*, address_policy=None, clock=None, **overrides: object) -> Fetcher:
        extra = {"clock": clock} if clock else {}
        settings = FetchSettings(**{**FAST, **overrides})
        fetcher = Fetcher(settings, address_policy=address_policy, sleep=sleeps.append, **extra)
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        fetcher.close()


def failed(result: object, reason: str) -> Failure:
    assert isinstance(result, Failure), result
    assert result.reason == reason, result
    assert result.reason in REASONS
    assert "\n" not in result.detail
    return result


# --- plain responses and status codes ---


def test_html_page(http_server: LocalHTTPServer, make_fetcher: MakeFetcher) -> None:
    http_server.add("/a", Reply(body="<p>Grüße</p>".encode(), headers={"X-Ignored": "1"}))
    result = make_fetcher(user_agent="newsmon-test/1.0").fetch(http_server.url("/a"), kind="page")
    assert result == Response(
        url=http_server.url("/a"),
        final_url=http_server.url("/a"),
        status=200,
        content_type="text/html; charset=utf-8",
        body="<p>Grüße</p>".encode(),
        encoding="utf-8",
    )
    (request,) = http_server.requests
    assert request.headers["User-Agent"] == "newsmon-test/1.0"
    assert request.headers["Accept"].startswith("text/html")
    assert "gzip" in request.headers["Accept-Encoding"]


@pytest.mark.parametrize("kind, accept", [("feed", "application/rss+xml"), ("sitemap", "xml")])
def test_accept_header_per_kind(http_server, make_fetcher, kind, accept) -> None:
    http_server.add("/f", Reply(body=b"<rss/>", content_type="application/rss+xml"))
    result = make_fetcher().fetch(http_server.url("/f"), kind=kind)
    assert isinstance(result, Response) and result.content_type == "application/rss+xml"
    assert result.encoding is None
    assert accept in http_server.requests[0].headers["Accept"]


@pytest.mark.parametrize("status", [400, 403, 404, 410])
def test_4xx_is_permanent_and_not_retried(http_server, make_fetcher, sleeps, status) -> None:
    http_server.add("/gone", Reply(status=status))
    result = failed(make_fetcher().fetch(http_server.url("/gone"), kind="page"), "http_status")
    assert result.status == status and result.permanent and result.stage == "page"
    assert http_server.paths() == ["/gone"] and sleeps == []


def test_503_twice_then_200_is_retried_with_doubling_backoff(http_server, make_fetcher, sleeps):
    http_server.add("/flaky", Reply(status=503), Reply(status=503), Reply(body=b"<p>ok</p>"))
    result = make_fetcher(backoff=0.5).fetch(http_server.url("/flaky"), kind="page")
    assert isinstance(result, Response) and result.body == b"<p>ok</p>"
    assert http_server.paths() == ["/flaky"] * 3
    assert sleeps == [0.5, 1.0]


@pytest.mark.parametrize("status", [500, 408, 429])
def test_retryable_status_gives_up_after_retries(http_server, make_fetcher, sleeps, status):
    http_server.add("/down", Reply(status=status))
    result = make_fetcher(retries=3).fetch(http_server.url("/down"), kind="feed")
    failed(result, "http_status")
    assert result.status == status and not result.permanent and result.stage == "feed"
    assert http_server.paths() == ["/down"] * 4
    assert sleeps == [1.0, 2.0, 4.0]


def test_connection_refused_is_a_retried_connection_error(make_fetcher, sleeps) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = make_fetcher().fetch(f"http://127.0.0.1:{port}/", kind="page")
    assert not failed(result, "connection_error").permanent and sleeps == [1.0, 2.0]


# --- content type, size and encoding ---


def test_pdf_page_is_not_html(http_server, make_fetcher) -> None:
    http_server.add("/doc.pdf", Reply(body=b"%PDF-1.7", content_type="application/pdf"))
    result = failed(make_fetcher().fetch(http_server.url("/doc.pdf"), kind="page"), "not_html")
    assert result.permanent and result.status == 200
    assert http_server.paths() == ["/doc.pdf"]


def test_xhtml_and_untyped_pages_are_accepted(http_server, make_fetcher) -> None:
    http_server.add("/x", Reply(body=b"<html/>", content_type="application/xhtml+xml"))
    http_server.add("/untyped", Reply(body=b"<html/>", content_type=None))
    fetcher = make_fetcher()
    assert isinstance(fetcher.fetch(http_server.url("/x"), kind="page"), Response)
    assert isinstance(fetcher.fetch(http_server.url("/untyped"), kind="page"), Response)


@pytest.mark.parametrize("content_length", [True, False])
def test_body_over_the_cap_is_too_large(http_server, make_fetcher, sleeps, content_length):
    http_server.add("/big", Reply(body=b"x" * 5000, content_length=content_length))
    result = make_fetcher(max_bytes=1000).fetch(http_server.url("/big"), kind="page")
    assert failed(result, "too_large").permanent and sleeps == []
    assert ("Content-Length" in result.detail) == content_length


def test_endless_body_is_cut_at_the_cap(http_server, make_fetcher) -> None:
    http_server.add("/stream", Reply(body=b"y" * 4096, forever=True))
    result = make_fetcher(max_bytes=100_000).fetch(http_server.url("/stream"), kind="page")
    failed(result, "too_large")


def test_gzip_bomb_is_too_large(http_server, make_fetcher) -> None:
    bomb = gzip.compress(b"\0" * 20_000_000)
    assert len(bomb) < 1_000_000  # so only the decoded size can trip the cap
    http_server.add("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    result = make_fetcher(max_bytes=1_000_000).fetch(http_server.url("/bomb"), kind="page")
    assert "decoded" in failed(result, "too_large").detail


@pytest.mark.parametrize(
    "encoding, encode",
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),  # zlib-wrapped, as the RFC says
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send
        ("identity", lambda data: data),
    ],
)
def test_compressed_bodies_are_decoded(http_server, make_fetcher, encoding, encode) -> None:
    page = b"<html>" + b"news " * 10_000 + b"</html>"
    http_server.add("/z", Reply(body=encode(page), headers={"Content-Encoding": encoding}))
    result = make_fetcher().fetch(http_server.url("/z"), kind="page")
    assert isinstance(result, Response) and result.body == page


@pytest.mark.parametrize("encoding, body", [("br", b"\x1b\x00"), ("gzip", b"not gzip at all")])
def test_unexpected_or_corrupt_encoding(http_server, make_fetcher, encoding, body) -> None:
    http_server.add("/z", Reply(body=body, headers={"Content-Encoding": encoding}))
    failed(make_fetcher().fetch(http_server.url("/z"), kind="page"), "bad_encoding")


# --- timeouts and the deadline ---


def test_body_trickling_forever_hits_the_deadline(http_server, make_fetcher, sleeps) -> None:
    http_server.add("/drip", Reply(body=b"<p>", chunk_size=1, interval=0.05, forever=True))
    fetcher = make_fetcher(deadline=1.5, read_timeout=5.0)
    result = failed(fetcher.fetch(http_server.url("/drip"), kind="page"), "deadline")
    assert not result.permanent
    assert http_server.paths() == ["/drip"] and sleeps == []  # a deadline is not retried


def test_slow_redirect_chain_hits_the_deadline(http_server, make_fetcher, sleeps) -> None:
    """/r0 and /r1 redirect at once; /r2 holds its redirect for 8 s, under the 10 s read timeout: only the
    chain's 2 s deadline can end the request, and it does so while /r2 still holds its answer (not at the
    check before the next hop); /r3 is never asked."""
    let_go, answered = threading.Event(), threading.Event()

    def held(request: RecordedRequest) -> Reply:
        let_go.wait(8.0)
        answered.set()
        return Reply(status=302, headers={"Location": "/r3"}, content_type=None)

    http_server.redirect("/r0", "/r1")
    http_server.redirect("/r1", "/r2")
    http_server.add("/r2", held)
    http_server.add("/r3", Reply(body=b"<p>too late</p>"))
    try:
        result = make_fetcher(deadline=2.0, read_timeout=10.0).fetch(http_server.url("/r0"), kind="page")
        assert not answered.is_set()  # the request ended with /r2 still holding
    finally:
        let_go.set()
    assert not failed(result, "deadline").permanent
    assert http_server.paths() == ["/r0", "/r1", "/r2"] and sleeps == []  # a deadline is not retried


@pytest.mark.parametrize(
    "reply",
    [Reply(delay=3.0, body=b"late"), Reply(body=b"ab", chunk_size=1, interval=3.0)],
    ids=["no-headers", "stalled-body"],
)
def test_read_timeout_is_retried(http_server, make_fetcher, sleeps, reply) -> None:
    http_server.add("/slow", reply)
    result = make_fetcher(read_timeout=0.3, retries=1).fetch(http_server.url("/slow"), kind="page")
    assert not failed(result, "timeout").permanent
    assert http_server.paths() == ["/slow", "/slow"] and sleeps == [1.0]


# --- redirects and URLs ---


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_chain(http_server, make_fetcher, status) -> None:
    http_server.redirect("/a", "/b", status)  # relative
    http_server.redirect("/b", http_server.url("/c?x=1"), status)  # absolute
    http_server.add("/c", Reply(body=b"<p>c</p>"))
    result = make_fetcher().fetch(http_server.url("/a"), kind="page")
    assert isinstance(result, Response)
    assert result.url == http_server.url("/a") and result.final_url == http_server.url("/c?x=1")
    assert http_server.paths() == ["/a", "/b", "/c?x=1"]


def test_redirect_loop_is_too_many_redirects(http_server, make_fetcher, sleeps) -> None:
    http_server.redirect("/loop", "/loop")
    result = make_fetcher(max_redirects=3).fetch(http_server.url("/loop"), kind="page")
    assert failed(result, "too_many_redirects").permanent
    assert http_server.paths() == ["/loop"] * 4 and sleeps == []


@pytest.mark.parametrize("location", ["file:///etc/passwd", "ftp://example.org/x", "gopher://h/"])
def test_redirect_to_other_scheme_is_refused(http_server, make_fetcher, location) -> None:
    http_server.redirect("/r", location)
    assert failed(make_fetcher().fetch(http_server.url("/r"), kind="page"), "bad_scheme").permanent


def test_bad_location_is_bad_url(http_server, make_fetcher) -> None:
    http_server.redirect("/r", "http://[::1")
    failed(make_fetcher().fetch(http_server.url("/r"), kind="page"), "bad_url")


@pytest.mark.parametrize(
    "url, reason",
    [
        ("ftp://example.org/file", "bad_scheme"),
        ("file:///etc/passwd", "bad_scheme"),
        ("javascript:alert(1)", "bad_scheme"),
        ("not a url", "bad_url"),
        ("http:///no-host", "bad_url"),
        ("http://[::1", "bad_url"),
        ("http://bad host/", "bad_url"),
        ("http://example.org:99999/", "bad_url"),
    ],
)
def test_unfetchable_urls(make_fetcher, sleeps, url, reason) -> None:
    result = failed(make_fetcher().fetch(url, kind="feed"), reason)
    assert result.permanent and result.url == url and sleeps == []


def test_unknown_kind_is_a_programming_error(make_fetcher) -> None:
    with pytest.raises(ValueError):
        make_fetcher().fetch("http://127.0.0.1/", kind="video")


# --- conditional GET ---


def test_conditional_get(http_server, make_fetcher) -> None:
    etag, stamp = '"v1"', "Wed, 01 Oct 2025 08:00:00 GMT"

    def answer(request: RecordedRequest) -> Reply:
        if request.headers["If-None-Match"] == etag:
            return Reply(status=304, content_type=None)
        return Reply(body=b"<rss/>", content_type="application/rss+xml",
                     headers={"ETag": etag, "Last-Modified": stamp})

    http_server.add("/feed", answer)
    fetcher = make_fetcher()
    first = fetcher.fetch(http_server.url("/feed"), kind="feed")
    assert isinstance(first, Response) and (first.etag, first.last_modified) == (etag, stamp)
    second = fetcher.fetch(http_server.url("/feed"), kind="feed", etag=first.etag,
                           last_modified=first.last_modified)
    assert second == NotModified(url=http_server.url("/feed"))
    plain, conditional = http_server.requests
    assert plain.headers["If-None-Match"] is None and plain.headers["If-Modified-Since"] is None
    assert conditional.headers["If-None-Match"] == etag
    assert conditional.headers["If-Modified-Since"] == stamp


# --- the address guard ---


def test_loopback_is_refused_before_any_request(http_server, make_fetcher, sleeps) -> None:
    http_server.add("/a", Reply(body=b"<p>secret</p>"))
    fetcher = make_fetcher(allow_private_networks=False)
    result = failed(fetcher.fetch(http_server.url("/a"), kind="page"), "refused_address")
    assert result.permanent and "127.0.0.1" in result.detail
    assert http_server.requests == [] and sleeps == []


def test_hostname_resolving_to_loopback_is_refused(http_server, make_fetcher) -> None:
    http_server.add("/a", Reply(body=b"<p>secret</p>"))
    fetcher = make_fetcher(allow_private_networks=False)
    result = fetcher.fetch(f"http://localhost:{http_server.port}/a", kind="page")
    assert "localhost resolves to" in failed(result, "refused_address").detail
    assert http_server.requests == []


@pytest.fixture
def second_loopback() -> Iterator[LocalHTTPServer]:
    try:
        server = LocalHTTPServer("127.0.0.2")
    except OSError:
        pytest.skip("127.0.0.2 is not bindable here")
    with server:
        yield server


def test_redirect_into_a_refused_address(http_server, second_loopback, make_fetcher) -> None:
    http_server.redirect("/start", second_loopback.url("/internal"))
    second_loopback.add("/internal", Reply(body=b"<p>metadata</p>"))
    only_first = ipaddress.ip_address("127.0.0.1")
    fetcher = make_fetcher(allow_private_networks=False, address_policy=lambda ip: ip == only_first)
    result = failed(fetcher.fetch(http_server.url("/start"), kind="page"), "refused_address")
    assert "127.0.0.2" in result.detail
    assert http_server.paths() == ["/start"] and second_loopback.requests == []

    # Control: with both addresses allowed, the same redirect is followed.
    fetcher = make_fetcher(address_policy=lambda ip: ip.is_loopback)
    assert isinstance(fetcher.fetch(http_server.url("/start"), kind="page"), Response)
    assert second_loopback.paths() == ["/internal"]


def test_transport_uses_the_guarded_backend(make_fetcher) -> None:
    # GuardedTransport replaces httpx's private HTTPTransport._pool: if that changes, this fails
    # (and so do the refusal tests, which check that the server saw no request).
    pool = make_fetcher().transport._pool
    assert isinstance(pool, httpcore.ConnectionPool)
    assert isinstance(pool._network_backend, GuardedBackend)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "100.100.100.200", "192.0.0.192", "0.0.0.0", "224.0.0.1", "240.0.0.1",
        "255.255.255.255", "198.18.0.1", "192.0.2.1", "::1", "::", "fe80::1", "fc00::1",
        "fd00:ec2::254", "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1",
        "64:ff9b::7f00:1", "64:ff9b:1::1", "2002:7f00:1::1", "2002:a00:1::1", "2001:db8::1",
    ],
)
def test_non_public_addresses(address: str) -> None:
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address",
    ["93.184.216.34", "1.1.1.1", "8.8.8.8", "2606:4700:4700::1111", "::ffff:1.1.1.1",
     "64:ff9b::101:101", "2002:101:101::1"],
)
def test_public_addresses(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address))


@pytest.fixture
def tls_files(tmp_path) -> tuple[str, str]:
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return str(cert), str(key)


def test_tls_sends_the_hostname_not_the_checked_ip(tls_files, make_fetcher) -> None:
    """The guard connects to an IP literal; SNI (so certificate checks) must still use the name."""
    names: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*tls_files)
    context.sni_callback = lambda _sock, name, _ctx: names.append(name)
    listener = socket.create_server(("127.0.0.1", 0))

    def serve_one() -> None:
        conn, _ = listener.accept()
        try:
            context.wrap_socket(conn, server_side=True).close()
        except (ssl.SSLError, OSError):
            pass  # the client rejects our self-signed certificate, as it should
        finally:
            conn.close()

    thread = threading.Thread(target=serve_one, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    result = make_fetcher(retries=0).fetch(f"https://localhost:{port}/", kind="page")
    thread.join(5)
    listener.close()
    assert "CERTIFICATE_VERIFY_FAILED" in failed(result, "connection_error").detail
    assert names == ["localhost"]


# --- many URLs: order, concurrency and politeness ---


def test_fetch_many_keeps_order_and_spaces_requests_per_host(make_fetcher, sleeps) -> None:
    with LocalHTTPServer() as one, LocalHTTPServer() as two:  # two hosts: same IP, two ports
        for server in (one, two):
            for n in range(3):
                server.add(f"/{n}", Reply(body=f"{server.port}/{n}".encode()))
        urls = [one.url("/0"), two.url("/0"), one.url("/1"), one.url("/2"), two.url("/1")]
        fetcher = make_fetcher(concurrency=4, per_host_delay=2.0, clock=lambda: 100.0)
        results = fetcher.fetch_many(urls, kind="page")
        assert [r.final_url for r in results] == urls
        assert [r.body for r in results] == [u.split(":")[-1].encode() for u in urls]
        assert sorted(one.paths()) == ["/0", "/1", "/2"] and sorted(two.paths()) == ["/0", "/1"]
    # Time stands still, so host one waits 2 and 4 s for its slots, host two 2 s.
    assert sorted(sleeps) == [2.0, 2.0, 4.0]


def test_host_scheduler_spaces_starts() -> None:
    now, slept = [0.0], []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    scheduler = HostScheduler(1.5, clock=lambda: now[0], sleep=sleep)
    scheduler.wait("a:80")
    scheduler.wait("b:80")
    scheduler.wait("a:80")  # 1.5 s after the first
    now[0] += 5.0
    scheduler.wait("a:80")  # long enough ago: no wait
    assert slept == [1.5]
