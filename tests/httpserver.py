"""A programmable HTTP server on 127.0.0.1 (or another local address) for tests.

    with LocalHTTPServer() as server:
        server.add("/a", Reply(body=b"<html></html>"))
        server.add("/flaky", Reply(status=503), Reply(status=503), Reply(body=b"ok"))  # in turn
        server.redirect("/old", "/a")
        fetch(server.url("/a"))
        assert server.paths() == ["/a"]

Each path answers its replies in turn and then repeats the last one; an unknown path gets 404.
A reply may also be a function of the request (`RecordedRequest -> Reply`), e.g. to answer 304
to a matching If-None-Match.
Every request is logged (`server.requests`) before it is answered, with its headers, the
monotonic time it arrived and, for a POST, its body. A reply can wait before answering, trickle its body in chunks, omit
Content-Length, send its body again and again for as long as the client listens, or reset the
connection (TCP RST) part-way through its headers or its body. `host` may be an IPv6 address ("::1").
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = "text/html; charset=utf-8"
    content_length: bool = True  # False: no Content-Length; the body ends when the connection does
    delay: float = 0.0  # seconds to wait before the status line
    chunk_size: int = 0  # >0: send the body in chunks of this size ...
    interval: float = 0.0  # ... this many seconds apart
    forever: bool = False  # send the body again and again until the client hangs up
    reset: str | None = None  # "headers" or "body": send half of it, then reset the connection


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # with the query string
    headers: Message  # case-insensitive: request.headers["user-agent"]
    at: float  # time.monotonic() when the request line arrived
    body: bytes = b""  # what a POST sent


Answer = Reply | Callable[[RecordedRequest], Reply]


class LocalHTTPServer:
    """A threaded http.server on `host`, on `port` (0: chosen by the system); use as a context manager."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.routes: dict[str, list[Answer]] = {}
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        server_class = _IPv6Server if ":" in host else _IPv4Server
        self._server = server_class((host, port), _make_handler(self))
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self.host, self.port = self._server.server_address[:2]
        serve = self._server.serve_forever
        self._thread = threading.Thread(target=serve, args=(0.05,), daemon=True)

    def __enter__(self) -> LocalHTTPServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    @property
    def origin(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.origin + path

    def add(self, path: str, *replies: Answer) -> None:
        self.routes[path] = list(replies) or [Reply()]

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.add(path, Reply(status=status, headers={"Location": location}, content_type=None))

    def paths(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests]

    def _next_reply(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            replies = self.routes.get(urlsplit(request.path).path)
            if replies is None:
                return Reply(status=404, body=b"not found", content_type="text/plain")
            answer = replies.pop(0) if len(replies) > 1 else replies[0]
        return answer(request) if callable(answer) else answer


class _IPv4Server(ThreadingHTTPServer):
    request_queue_size = 128  # socketserver's backlog of 5 drops concurrent connects: each waits 1 s for a resent SYN


class _IPv6Server(_IPv4Server):
    address_family = socket.AF_INET6


def _make_handler(server: LocalHTTPServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def handle(self) -> None:
            try:
                super().handle()
            except ConnectionResetError:
                pass  # a client may drop a kept-alive connection while the server waits for its next request

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            request = RecordedRequest(self.command, self.path, self.headers, time.monotonic())
            reply = server._next_reply(request)
            try:
                self._answer(reply)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up, as it may

        do_HEAD = do_GET  # noqa: N815

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            request = RecordedRequest(self.command, self.path, self.headers, time.monotonic(), body)
            reply = server._next_reply(request)
            try:
                self._answer(reply)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def _reset(self, partial: bytes) -> None:
            """Send `partial`, then abort the connection: SO_LINGER 0 makes close() send a RST."""
            self.wfile.write(partial)
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True

        def _answer(self, reply: Reply) -> None:
            if reply.delay and server._stopping.wait(reply.delay):
                return
            if reply.reset == "headers":
                head = f"HTTP/1.1 {reply.status} OK\r\nContent-Type: text/html\r\nContent-Len"
                return self._reset(head.encode())
            self.send_response(reply.status)
            if reply.content_type:
                self.send_header("Content-Type", reply.content_type)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            endless = reply.forever or not reply.content_length
            if endless:
                self.send_header("Connection", "close")
            else:
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if self.command == "HEAD" or not reply.body:
                return
            if reply.reset == "body":
                return self._reset(reply.body[: len(reply.body) // 2])
            size = reply.chunk_size or len(reply.body) or 1
            while True:
                for start in range(0, len(reply.body), size):
                    self.wfile.write(reply.body[start : start + size])
                    self.wfile.flush()
                    if reply.interval and server._stopping.wait(reply.interval):
                        return
                if not reply.forever or server._stopping.is_set():
                    return

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # keep test output quiet

    return Handler
