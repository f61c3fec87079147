"""Serve a generated sample site over HTTP on a local address: a quiet, threaded static file
server with the headers a polite fetcher relies on (Content-Type, Content-Length, ETag,
Last-Modified, 304 answers to conditional requests, HEAD), which records every request so that
tests can see what a fetcher asked for.

    with serve_generated_site(tmp_path) as site:
        fetch(site.base_url + "/kabul-ledger/rss/latest.xml")
        assert site.requests[-1].headers["user-agent"].startswith("newsmon")
"""

from __future__ import annotations

import hashlib
import shutil
import socketserver
import threading
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from newsmon.sample_site.generate import DEFAULT_SEED, generate_site
from newsmon.sample_site.manifest import SiteManifest

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".rdf": "application/rdf+xml",
    ".pdf": "application/pdf",
    ".txt": "text/plain; charset=utf-8",
    ".toml": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".css": "text/css; charset=utf-8",
}


def content_type(path: Path) -> str:
    """By extension; an .xml file by its root element (RSS, Atom or plain XML such as a sitemap)."""
    suffix = path.suffix.lower()
    if suffix != ".xml":
        return CONTENT_TYPES.get(suffix, "application/octet-stream")
    with path.open("rb") as fh:
        head = fh.read(1024)
    if b"<rss" in head:
        return "application/rss+xml"
    if b"<feed" in head:
        return "application/atom+xml"
    return "application/xml"


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str  # as requested, query string included
    headers: dict[str, str]  # names in lower case
    status: int


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # the listen backlog: socketserver's 5 drops the connections newsmon's 8 fetch threads open at once, and
    # the kernel resends a dropped SYN after 1 s (a run that found nothing new took 1 s longer, now and then)
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], root: Path | None):
        super().__init__(address, _Handler)
        self.root = root
        self.log: list[LoggedRequest] = []
        self.log_lock = threading.Lock()
        self.etags: dict[tuple[str, int, int], str] = {}

    def server_bind(self) -> None:  # skip HTTPServer's reverse DNS lookup (slow when offline)
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address) -> None:  # a client hung up: nothing to say
        pass


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "newsmon-sample-site/1.0"
    sys_version = ""

    def log_message(self, format: str, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def _record(self, status: int) -> None:
        entry = LoggedRequest(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, int(status))
        with self.server.log_lock:
            self.server.log.append(entry)

    def _file_for(self, url_path: str) -> Path | None:
        root = self.server.root
        if root is None:
            return None
        parts = [p for p in unquote(url_path).split("/") if p]
        if any(p in (".", "..") or "\\" in p for p in parts):
            return None
        target = root.joinpath(*parts)
        if url_path.endswith("/") or not parts:
            target = target / "index.html"
        return target

    def _etag(self, path: Path, size: int, mtime_ns: int) -> str:
        key = (str(path), size, mtime_ns)
        tag = self.server.etags.get(key)
        if tag is None:
            digest = hashlib.sha1()
            with path.open("rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(chunk)
            tag = f'"{digest.hexdigest()[:20]}"'
            self.server.etags[key] = tag
        return tag

    def _not_modified(self, etag: str, mtime: float) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
            return "*" in tags or etag in tags
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                return int(mtime) <= parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError, IndexError, OverflowError):
                return False
        return False

    def _simple(self, status: int, body: bytes, send_body: bool, extra: dict[str, str] | None = None) -> None:
        self._record(status)
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _answer(self, body: bool) -> None:
        url_path = urlsplit(self.path).path or "/"
        target = self._file_for(url_path)
        if target is not None and target.is_dir():
            query = urlsplit(self.path).query
            location = url_path + "/" + (f"?{query}" if query else "")
            self._simple(HTTPStatus.MOVED_PERMANENTLY, b"", body, {"Location": location})
            return
        if target is None or not target.is_file():
            page = b"<!DOCTYPE html><html lang=\"en\"><head><title>Not found</title></head><body><h1>404 Not found</h1></body></html>"
            self._simple(HTTPStatus.NOT_FOUND, page, body)
            return
        stat = target.stat()
        etag = self._etag(target, stat.st_size, stat.st_mtime_ns)
        headers = {
            "ETag": etag,
            "Last-Modified": formatdate(int(stat.st_mtime), usegmt=True),
            "Cache-Control": "max-age=60",
        }
        if self._not_modified(etag, stat.st_mtime):
            self._record(HTTPStatus.NOT_MODIFIED)  # before answering: a client's next request is logged after it
            self.send_response(HTTPStatus.NOT_MODIFIED)
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            return
        self._record(HTTPStatus.OK)
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type(target))
        self.send_header("Content-Length", str(stat.st_size))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if body:
            try:
                with target.open("rb") as fh:
                    shutil.copyfileobj(fh, self.wfile, 64 * 1024)
            except (BrokenPipeError, ConnectionResetError):  # the client stopped reading (size cap)
                self.close_connection = True


class SiteServer:
    """A running sample-site server. Use as a context manager, or call close()."""

    def __init__(self, httpd: _Server, manifest: SiteManifest | None = None):
        self._httpd = httpd
        host, port = httpd.server_address[:2]
        self.host = host
        self.port = port
        self.base_url = f"http://{host}:{port}"
        self.manifest = manifest
        self._thread = threading.Thread(target=httpd.serve_forever, name="sample-site", daemon=True)
        self._thread.start()

    @property
    def root(self) -> Path | None:
        return self._httpd.root

    @property
    def requests(self) -> list[LoggedRequest]:
        """Requests answered so far, oldest first (a copy)."""
        with self._httpd.log_lock:
            return list(self._httpd.log)

    def clear_requests(self) -> None:
        with self._httpd.log_lock:
            self._httpd.log.clear()

    def url(self, path: str) -> str:
        return self.base_url + path

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> SiteServer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def serve_site(root: Path, host: str = "127.0.0.1", port: int = 0) -> SiteServer:
    """Serve the files under `root` (an already generated site) until close()."""
    return SiteServer(_Server((host, port), Path(root)))


def serve_generated_site(
    out_dir: Path, seed: int = DEFAULT_SEED, host: str = "127.0.0.1", port: int = 0
) -> SiteServer:
    """Bind first (so the base URL, port included, is known), generate the site for that base
    URL into `out_dir`, then serve it. The manifest is on the returned server's `.manifest`."""
    httpd = _Server((host, port), None)
    try:
        bound_host, bound_port = httpd.server_address[:2]
        manifest = generate_site(Path(out_dir), f"http://{bound_host}:{bound_port}", seed)
    except BaseException:
        httpd.server_close()
        raise
    httpd.root = Path(out_dir)
    return SiteServer(httpd, manifest)


def main(argv: list[str] | None = None) -> int:
    import argparse
    import tempfile
    import time

    parser = argparse.ArgumentParser(prog="python -m newsmon.sample_site.server",
                                     description="Generate the sample site and serve it until interrupted.")
    parser.add_argument("--dir", type=Path, default=None, help="where to write the site (default: a temporary directory)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    out = args.dir or Path(tempfile.mkdtemp(prefix="newsmon-site-"))
    with serve_generated_site(out, seed=args.seed, port=args.port) as site:
        print(f"serving {out} at {site.base_url}/ (sources file: {out / 'sources.toml'}); Ctrl-C to stop")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
