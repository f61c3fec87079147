"""All of newsmon's HTTP: one guarded, polite, bounded fetcher.

`Fetcher.fetch` returns a `Response`, a `NotModified` or a `Failure` whose `reason` is one of
`REASONS`; network trouble never raises. What it guarantees:

- no connection is ever opened to a non-public address (unless `allow_private_networks`, or the
  address is in `allowed_networks`): the host is resolved once, every address is checked, and the
  socket connects to the checked address, so DNS cannot change between the check and the connect;
  redirects go through the same check because every hop does;
- redirects are followed by hand, at most `max_redirects`, http(s) only;
- the size cap counts decoded bytes, and gzip/deflate are inflated here in steps of at most
  `max_bytes` + 1, so a compression bomb costs about twice `max_bytes` of memory at worst;
- retries with doubling backoff on timeouts, connection errors, 408, 429 and 5xx only;
- per request attempt, a deadline covering every hop and the whole body; each network wait is cut
  to the time left when its hop starts, and the clock is checked after every chunk, so a request
  ends at most `read_timeout` after its deadline even if a trickle then stalls;
- two requests to one host:port start at least `per_host_delay` apart, across threads.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpcore
import httpx

from pipeline.faults import checkpoint
from pipeline.records import Failure, NotModified, Response
from pipeline.settings import FetchSettings

REASONS = (
    "http_status",  # 4xx/5xx; permanent except 408, 429 and 5xx
    "timeout",  # connect or read timeout
    "deadline",  # the whole request took longer than settings.deadline
    "too_large",  # over settings.max_bytes, by Content-Length or while reading (decoded)
    "not_html",  # a "page" that is not text/html or application/xhtml+xml
    "refused_address",  # resolves to a loopback, private or otherwise non-public address
    "bad_scheme",  # not http(s), asked for or redirected to
    "too_many_redirects",
    "connection_error",  # DNS failure, refused connection, reset, TLS or protocol error
    "bad_url",  # unparsable URL or Location header
    "bad_encoding",  # corrupt gzip/deflate body or a Content-Encoding we did not ask for
)
PERMANENT = {"too_large", "not_html", "refused_address", "bad_scheme", "too_many_redirects",
             "bad_url"}
RETRY_STATUSES = {408, 429}  # and every 5xx; other 4xx are permanent and never retried
RETRY_REASONS = {"timeout", "connection_error", "http_status"}  # if not permanent
HTML_TYPES = {"text/html", "application/xhtml+xml"}
ACCEPT = {
    "feed": "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1",
    "page": "text/html, application/xhtml+xml;q=0.9, */*;q=0.1",
    "sitemap": "application/xml, text/xml;q=0.9, application/x-gzip;q=0.5, */*;q=0.1",
}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressPolicy = Callable[[IPAddress], bool]
Result = Response | NotModified | Failure

_NOT_PUBLIC = tuple(
    ipaddress.ip_network(net)
    for net in (
        "100.64.0.0/10",  # carrier-grade NAT (100.100.100.200 is Alibaba Cloud's metadata)
        "192.0.0.0/24",  # IETF assignments; 192.0.0.192 is Oracle Cloud's metadata
        "198.18.0.0/15",  # benchmarking
        "64:ff9b:1::/48",  # local-use NAT64
        "fc00::/7",  # unique local, e.g. fd00:ec2::254 (AWS metadata)
        "fec0::/10",  # deprecated site-local
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_public_address(ip: IPAddress) -> bool:
    """True for a globally routable unicast address; IPv4 embedded in IPv6 is judged as IPv4."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public_address(embedded)
    special = ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
    special = special or ip.is_reserved or ip.is_unspecified
    return ip.is_global and not special and not any(ip in net for net in _NOT_PUBLIC)


def _any_address(ip: IPAddress) -> bool:
    return True


def allow_networks(networks: Iterable[str]) -> AddressPolicy:
    """Public addresses, and those in `networks` (an IPv4-mapped IPv6 address is judged as IPv4)."""
    allowed = tuple(ipaddress.ip_network(net) for net in networks)

    def policy(ip: IPAddress) -> bool:
        if is_public_address(ip):
            return True
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return any(ip in net for net in allowed)

    return policy


class AddressRefused(httpcore.ConnectError):
    """Raised by the backend instead of connecting; httpx wraps it in an httpx.ConnectError."""


class GuardedBackend(httpcore.SyncBackend):
    """Resolves the host itself, refuses it unless every address passes `policy`, then connects
    to a checked IP literal. TLS still verifies and sends SNI for the hostname: httpcore passes
    `server_hostname` (the URL's host) to `start_tls` separately from the host given here."""

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        for address in addresses:
            if not self.policy(ipaddress.ip_address(address)):
                shown = address if address == host else f"{host} resolves to {address}, which"
                raise AddressRefused(f"{shown} is not a public address")
        error: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:  # like socket.create_connection: the first that answers
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None  # getaddrinfo never returns an empty list
        raise error


class GuardedTransport(httpx.HTTPTransport):
    """An httpx transport whose connections all go through a `GuardedBackend`.

    httpx takes no network backend, so this replaces the private `_pool` that
    `HTTPTransport.__init__` builds (httpx 0.28) with an equivalent pool using the backend.
    tests/test_fetch.py checks the attribute and that a refused address gets no request.
    """

    def __init__(self, policy: AddressPolicy, limits: httpx.Limits) -> None:
        ssl_context = httpx.create_ssl_context()
        super().__init__(verify=ssl_context, limits=limits)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(policy),
        )


class HostScheduler:
    """Hands out start times so two requests to one host start at least `delay` seconds apart."""

    def __init__(self, delay: float, clock: Callable[[], float], sleep: Callable[[float], None]):
        self.delay, self._clock, self._sleep = delay, clock, sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str) -> None:
        with self._lock:  # reserve a slot, then sleep outside the lock
            now = self._clock()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + self.delay
        if start > now:
            self._sleep(start - now)


class _Stop(Exception):
    """Ends one attempt early with a failure reason."""

    def __init__(self, reason: str, detail: str, status: int | None = None) -> None:
        super().__init__(detail)
        self.reason, self.detail, self.status = reason, detail, status


def _refusal(exc: BaseException) -> AddressRefused | None:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, AddressRefused):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _checked_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise _Stop("bad_url", f"cannot parse URL {url!r}: {exc}") from None
    if parsed.scheme and parsed.scheme not in ("http", "https"):
        raise _Stop("bad_scheme", f"only http(s) is fetched, not {parsed.scheme}: {url}")
    if not parsed.scheme or not parsed.host or "%" in parsed.host:
        raise _Stop("bad_url", f"not an absolute URL with a valid host: {url!r}")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise _Stop("bad_url", f"port out of range: {url!r}")
    return parsed


def _reject_bad_location(response: httpx.Response) -> None:
    """A response hook. With follow_redirects=False httpx still builds the next request of a
    redirect, raising RemoteProtocolError on a malformed Location; name the problem first."""
    if response.has_redirect_location:
        location = response.headers["location"]
        try:
            httpx.URL(location)
        except httpx.InvalidURL as exc:
            raise _Stop("bad_url", f"bad Location {location!r}: {exc}") from None


def _decoded(response: httpx.Response, limit: int) -> Iterator[bytes]:
    """The body, inflated here (not by httpx, which inflates a whole network read at once)
    so that no step yields more than `limit` + 1 bytes."""
    codings = [c.strip().lower() for c in response.headers.get("content-encoding", "").split(",")]
    codings = [c for c in codings if c not in ("", "identity")]
    if not codings:
        yield from response.iter_raw()
        return
    if len(codings) > 1 or codings[0] not in ("gzip", "x-gzip", "deflate"):
        raise _Stop("bad_encoding", f"unexpected Content-Encoding {', '.join(codings)}")
    wbits = zlib.MAX_WBITS | 16 if codings[0] != "deflate" else zlib.MAX_WBITS
    inflater, first = zlib.decompressobj(wbits), True
    try:
        for chunk in response.iter_raw():
            try:
                yield inflater.decompress(chunk, limit + 1)
            except zlib.error:
                if not (first and codings[0] == "deflate"):
                    raise
                inflater = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, no zlib header
                yield inflater.decompress(chunk, limit + 1)
            first = False
        yield inflater.flush()
    except zlib.error as exc:
        raise _Stop("bad_encoding", f"corrupt {codings[0]} body: {exc}") from None


class Fetcher:
    """Fetches URLs as the settings say. Use as a context manager; thread-safe.

    `address_policy(ip) -> bool` decides which resolved addresses may be connected to (default:
    public addresses and `allowed_networks`, or everything with `allow_private_networks`). `sleep` and
    `clock` drive the retry backoff and the per-host delay; the deadline always uses the real monotonic clock.
    """

    def __init__(
        self,
        settings: FetchSettings,
        *,
        address_policy: AddressPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        if address_policy is None:
            if settings.allow_private_networks:
                address_policy = _any_address
            elif settings.allowed_networks:
                address_policy = allow_networks(settings.allowed_networks)
            else:
                address_policy = is_public_address
        workers = max(1, settings.concurrency)
        self.transport = GuardedTransport(address_policy, httpx.Limits(max_connections=workers))
        # trust_env=False: proxy variables would route requests around the guarded transport.
        self._client = httpx.Client(
            transport=self.transport,
            follow_redirects=False,
            trust_env=False,
            event_hooks={"response": [_reject_bad_location]},
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
        )
        self._sleep = sleep
        self._hosts = HostScheduler(settings.per_host_delay, clock, sleep)
        # one pool for every fetch_many call: `concurrency` bounds the requests in flight across callers
        # (two batches prepared at once share it), matching the connection pool's size
        self._pool = ThreadPoolExecutor(workers, "fetch")

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._client.close()

    def fetch_many(self, urls: Iterable[str], *, kind: str) -> list[Result]:
        """Fetch on the fetcher's `concurrency` threads; results in input order."""
        return list(self.fetch_each(urls, kind=kind))

    def fetch_each(self, urls: Iterable[str], *, kind: str) -> Iterator[Result]:
        """Start fetching every URL on the fetcher's threads; yield the results in input order, each as soon
        as it and those before it are done."""
        point = "fetch" if kind == "page" else kind

        def one(url: str) -> Result:
            result = self.fetch(url, kind=kind)
            checkpoint(point)
            return result

        return self._pool.map(one, urls)

    def fetch(
        self, url: str, *, kind: str, etag: str | None = None, last_modified: str | None = None
    ) -> Result:
        if kind not in ACCEPT:
            raise ValueError(f"kind must be one of {sorted(ACCEPT)}, not {kind!r}")
        headers = {"Accept": ACCEPT[kind]}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempt = 0
        while True:
            result = self._attempt(url, kind, headers)
            retry = isinstance(result, Failure) and result.reason in RETRY_REASONS
            if not retry or result.permanent or attempt >= self.settings.retries:
                return result
            self._sleep(self.settings.backoff * 2**attempt)
            attempt += 1

    def post_json(self, url: str, payload: object, timeout: float | None = None) -> Response | Failure:
        """POST `payload` as JSON, once (the caller retries later), through the same address guard as every
        fetch; a redirect is not followed. Anything but a 2xx answer is a Failure; network trouble never raises."""
        s = self.settings
        wait = timeout or s.read_timeout
        try:
            target = _checked_url(url)
            response = self._client.post(target, json=payload, timeout=httpx.Timeout(wait, connect=min(wait, s.connect_timeout)))
        except _Stop as stop:
            return self._failure(url, "webhook", stop.reason, stop.detail, stop.status)
        except httpx.TimeoutException as exc:
            return self._failure(url, "webhook", "timeout", f"{type(exc).__name__} at {url}: {exc}")
        except httpx.TransportError as exc:
            refused = _refusal(exc)
            if refused is not None:
                return self._failure(url, "webhook", "refused_address", f"{refused} ({url})")
            return self._failure(url, "webhook", "connection_error", f"{type(exc).__name__} at {url}: {exc}")
        if not 200 <= response.status_code < 300:
            detail = f"HTTP {response.status_code} {response.reason_phrase}"
            return self._failure(url, "webhook", "http_status", detail, response.status_code)
        return Response(url=url, final_url=url, status=response.status_code,
                        content_type=response.headers.get("content-type", ""), body=response.content[:10_000],
                        etag=None, last_modified=None, encoding=response.charset_encoding)

    def _attempt(self, url: str, kind: str, headers: dict[str, str]) -> Result:
        s = self.settings
        current, deadline_at = url, time.monotonic() + s.deadline
        try:
            for _ in range(s.max_redirects + 1):
                target = _checked_url(current)
                waited = time.monotonic()
                default_port = 443 if target.scheme == "https" else 80
                self._hosts.wait(f"{target.host}:{target.port or default_port}")
                deadline_at += time.monotonic() - waited  # politeness is not the server's time
                left = deadline_at - time.monotonic()
                if left <= 0:
                    raise _Stop("deadline", f"over the {s.deadline:g}s deadline before {current}")
                read, connect = min(s.read_timeout, left), min(s.connect_timeout, left)
                timeout = httpx.Timeout(read, connect=connect)
                with self._client.stream("GET", target, headers=headers, timeout=timeout) as resp:
                    if resp.next_request is None:  # not a redirect
                        return self._finish(url, kind, resp, deadline_at)
                    current = str(resp.next_request.url)
            raise _Stop("too_many_redirects", f"over {s.max_redirects} redirects, next {current}")
        except _Stop as stop:
            return self._failure(url, kind, stop.reason, stop.detail, stop.status)
        except httpx.TimeoutException as exc:
            # A timeout that was cut down to the time left fires at the deadline, not before.
            reason = "deadline" if time.monotonic() >= deadline_at - 0.01 else "timeout"
            return self._failure(url, kind, reason, f"{type(exc).__name__} at {current}: {exc}")
        except httpx.TransportError as exc:
            refused = _refusal(exc)
            if refused is not None:
                return self._failure(url, kind, "refused_address", f"{refused} ({current})")
            detail = f"{type(exc).__name__} at {current}: {exc}"
            return self._failure(url, kind, "connection_error", detail)

    def _finish(self, url: str, kind: str, response: httpx.Response, deadline_at: float) -> Result:
        status = response.status_code
        if status == 304:
            return NotModified(url=url)
        if status >= 300:  # a 3xx here is one without a Location
            permanent = status < 500 and status not in RETRY_STATUSES
            where = "" if str(response.url) == url else f" at {response.url}"
            detail = f"HTTP {status} {response.reason_phrase}{where}"
            return self._failure(url, kind, "http_status", detail, status, permanent)
        content_type = response.headers.get("content-type", "").strip()
        media_type = content_type.split(";")[0].strip().lower()
        if kind == "page" and media_type and media_type not in HTML_TYPES:
            raise _Stop("not_html", f"content type {media_type} is not HTML", status)
        cap = self.settings.max_bytes
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > cap:
            raise _Stop("too_large", f"Content-Length {length} is over the {cap}-byte cap", status)
        body, size = [], 0
        for chunk in _decoded(response, cap):
            size += len(chunk)
            if size > cap:
                raise _Stop("too_large", f"body over the {cap}-byte cap (decoded)", status)
            if time.monotonic() > deadline_at:
                raise _Stop("deadline", f"body unfinished after {self.settings.deadline:g}s")
            body.append(chunk)
        return Response(
            url=url,
            final_url=str(response.url),
            status=status,
            content_type=content_type,  # whole, as feedparser wants it with its charset
            body=b"".join(body),
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            encoding=response.charset_encoding,
        )

    @staticmethod
    def _failure(
        url: str, kind: str, reason: str, detail: str, status: int | None = None,
        permanent: bool | None = None,
    ) -> Failure:
        permanent = reason in PERMANENT if permanent is None else permanent
        detail = " ".join(detail.split())[:300]  # one line
        return Failure(url=url, stage=kind, reason=reason, detail=detail, status=status,
                       permanent=permanent)
