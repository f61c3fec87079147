"""Discovering article URLs from XML sitemaps (sitemaps.org indexes and urlsets, Google News sitemaps).

`discover` starts from a source's sitemaps, or from the `Sitemap:` lines of the robots.txt of its feed
hosts, follows indexes breadth first (each sitemap fetched once, at most `max_sitemaps`) and keeps the
entries that may hold an article published in a date window. Every sitemap that cannot be fetched or
parsed becomes a `Failure` (stage "sitemap") and discovery goes on with the rest.

Sitemaps are parsed by lxml with entities, DTDs and the network off, so an XXE or an entity bomb
yields nothing; a gzipped sitemap is inflated up to the protocol's 50 MB limit.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timezone
from urllib.parse import urljoin, urlsplit

from lxml import etree

from pipeline.fetch import Fetcher
from pipeline.records import Failure, Response, Source

MAX_UNCOMPRESSED = 50_000_000  # the sitemaps.org limit for one sitemap, uncompressed
_BARE_AMPERSAND = re.compile(rb"&(?!#\d+;|#x[0-9a-fA-F]+;|\w+;)")  # a common error: `?a=1&b=2` unescaped
Child = tuple[str, datetime | None]  # a sitemap listed by an index, with its <lastmod>


@dataclass(frozen=True)
class SitemapEntry:
    url: str  # <loc>, absolute; any scheme (the fetcher refuses what is not http(s), and the run records it)
    source: str
    sitemap_url: str  # the urlset it came from
    lastmod: datetime | None  # UTC, naive
    published: datetime | None  # UTC, naive, from a Google News <news:publication_date>
    title: str = ""  # from <news:title>


@dataclass(frozen=True)
class Discovery:
    entries: tuple[SitemapEntry, ...]  # one per URL, in the order first found
    failures: tuple[Failure, ...]  # stage "sitemap"
    sitemaps_read: int  # fetched and parsed


def parse_w3c_datetime(text: str | None) -> datetime | None:
    """A W3C datetime (`2021-10-11`, `2021-10-11T09:30Z`, `...T09:30:00.123+04:30`) as UTC naive."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when.astimezone(timezone.utc).replace(tzinfo=None) if when.tzinfo else when


def _inflated(body: bytes, url: str) -> bytes | Failure:
    if not body.startswith(b"\x1f\x8b"):
        return body  # a `.xml.gz` that is not gzip was already inflated by the HTTP layer
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        data = inflater.decompress(body, MAX_UNCOMPRESSED + 1)
    except zlib.error as exc:
        return _failure(url, "malformed_sitemap", f"corrupt gzip: {exc}")
    if len(data) > MAX_UNCOMPRESSED:
        return _failure(url, "too_large", f"over {MAX_UNCOMPRESSED} bytes uncompressed", permanent=True)
    return data


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _children(element: etree._Element) -> dict[str, etree._Element]:
    """Child elements by local name (namespace ignored), the first of each name."""
    found: dict[str, etree._Element] = {}
    for child in element:
        found.setdefault(_local(child), child)
    return found


def _text(element: etree._Element | None) -> str:
    """The text content; an unresolved entity reference contributes nothing."""
    return str(element.xpath("string()")).strip() if element is not None else ""


def _absolute(loc: str, base: str) -> str:
    """`loc` resolved against `base`. Any scheme is kept: the fetcher refuses (and the run records) a
    `file:` or `ftp:` URL rather than discovery dropping it unseen."""
    return urljoin(base, loc) if loc else ""


def parse_sitemap(
    body: bytes, url: str, source: str = ""
) -> tuple[list[Child], list[SitemapEntry]] | Failure:
    """The sitemaps an index lists, or the entries of a urlset (one of the two lists is empty).

    Whether it is an index is decided by the root element, with or without the sitemaps.org
    namespace. Recoverable XML errors keep what lxml recovers; anything else is "malformed_sitemap".
    """
    data = _inflated(body, url)
    if isinstance(data, Failure):
        return data
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, recover=True, remove_comments=True, remove_pis=True)
    data = _BARE_AMPERSAND.sub(b"&amp;", data)
    try:
        root = etree.fromstring(data, parser) if data.strip() else None
    except etree.XMLSyntaxError as exc:
        return _failure(url, "malformed_sitemap", str(exc))
    kind = _local(root) if root is not None else ""
    if kind not in ("sitemapindex", "urlset"):
        detail = f"root element <{kind}> is not a sitemap" if kind else "no XML could be read"
        return _failure(url, "malformed_sitemap", detail)
    children: list[Child] = []
    entries: list[SitemapEntry] = []
    for item in root:
        fields = _children(item)
        loc = _absolute(_text(fields.get("loc")), url)
        if not loc:
            continue
        lastmod = parse_w3c_datetime(_text(fields.get("lastmod")))
        if kind == "sitemapindex" and _local(item) == "sitemap":
            children.append((loc, lastmod))
        elif kind == "urlset" and _local(item) == "url":
            news = _children(fields["news"]) if "news" in fields else {}
            published = parse_w3c_datetime(_text(news.get("publication_date")))
            entries.append(SitemapEntry(loc, source, url, lastmod, published, _text(news.get("title"))))
    return children, entries


def robots_sitemaps(body: bytes, base_url: str) -> list[str]:
    """The absolute URLs of a robots.txt's `Sitemap:` lines, in order, without repeats."""
    found: dict[str, None] = {}
    for line in body.decode("utf-8", errors="replace").splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == "sitemap":
            url = _absolute(value.split("#", 1)[0].strip(), base_url)
            if url:
                found[url] = None
    return list(found)


def in_window(entry: SitemapEntry, start: date, end: date) -> bool:
    """A news entry by its publication day; otherwise one last modified before `start` is out."""
    if entry.published is not None:
        return start <= entry.published.date() <= end
    return entry.lastmod is None or entry.lastmod.date() >= start


def _failure(url: str, reason: str, detail: str, permanent: bool = False) -> Failure:
    detail = " ".join(detail.split())[:300]
    return Failure(url=url, stage="sitemap", reason=reason, detail=detail, permanent=permanent)


def _robots_roots(source: Source) -> list[str]:
    roots: dict[str, None] = {}
    for feed in source.feeds:
        parts = urlsplit(feed)
        if parts.scheme in ("http", "https") and parts.netloc:
            roots[f"{parts.scheme}://{parts.netloc}/robots.txt"] = None
    return list(roots)


def _start_urls(fetcher: Fetcher, source: Source, failures: list[Failure]) -> list[str]:
    if source.sitemaps:
        return list(dict.fromkeys(source.sitemaps))
    found: dict[str, None] = {}
    roots = _robots_roots(source)
    for robots_url, result in zip(roots, fetcher.fetch_many(roots, kind="sitemap")):
        if isinstance(result, Failure):
            failures.append(result)
        elif isinstance(result, Response):
            found.update(dict.fromkeys(robots_sitemaps(result.body, result.final_url)))
    return list(found)


def discover(
    fetcher: Fetcher, source: Source, start: date, end: date, *, max_sitemaps: int = 500
) -> Discovery:
    """The entries of `source`'s sitemaps that may hold an article published in [start, end].

    An index's child whose `<lastmod>` is before `start` is not fetched: nothing in it changed in
    the window. Entries later than `end` by lastmod are kept; the caller filters pages by their own
    publication date.
    """
    failures: list[Failure] = []
    level = _start_urls(fetcher, source, failures)
    seen: set[str] = set()
    entries: dict[str, SitemapEntry] = {}
    read = fetched = 0
    while level:
        batch = [url for url in dict.fromkeys(level) if url not in seen]
        if fetched + len(batch) > max_sitemaps:
            left = batch[max_sitemaps - fetched:]
            failures.append(_failure(left[0], "too_many_sitemaps",
                                     f"{len(left)} sitemaps not read: over the limit of {max_sitemaps}"))
            batch = batch[: max_sitemaps - fetched]
        seen.update(batch)
        fetched += len(batch)
        level = []
        for url, result in zip(batch, fetcher.fetch_many(batch, kind="sitemap")):
            if isinstance(result, Failure):
                failures.append(result)
                continue
            if not isinstance(result, Response):
                continue  # NotModified: no conditional request is made, so none is expected
            seen.add(result.final_url)
            parsed = parse_sitemap(result.body, url, source.name)
            if isinstance(parsed, Failure):
                failures.append(parsed)
                continue
            read += 1
            children, found = parsed
            level += [loc for loc, lastmod in children
                      if loc not in seen and (lastmod is None or lastmod.date() >= start)]
            for entry in found:
                if not in_window(entry, start, end):
                    continue
                kept = entries.get(entry.url)
                if kept is None or (kept.published is None and entry.published is not None):
                    entries[entry.url] = entry
    return Discovery(entries=tuple(entries.values()), failures=tuple(failures), sitemaps_read=read)
