"""Parsing feeds (RSS 0.9x/2.0, RSS 1.0/RDF, Atom, JSON Feed) from bytes already fetched.

A "bozo" feed (not well-formed) keeps whatever entries feedparser recovers; only a feed that yields no
entries at all because it is broken becomes a `Failure`. A feed whose bytes do not match its declared
encoding is read as `pipeline.charsets` decides, before feedparser sees it. An entry's link is kept
whatever its scheme, so that the fetcher refuses (and the run records) a `file:` or `javascript:` link;
an entry without any link is skipped and counted. Titles, authors and summaries are plain text.
"""

from __future__ import annotations

import calendar
import html
import json
import re
from datetime import datetime, timezone
from urllib.parse import urljoin

import feedparser

from pipeline import charsets
from pipeline.records import Failure, FeedEntry, ParsedFeed

_HIDDEN = re.compile(r"<(script|style|template)\b.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)  # with content
_TAG = re.compile(r"<!--.*?(?:-->|$)|<[!?][^>]*>?|</?([A-Za-z][A-Za-z0-9]*)[^>]*>?", re.DOTALL)  # starts with a letter
_INLINE = {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "em", "font", "i", "kbd", "mark", "q", "s", "samp",
           "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr"}  # removed without a space


def _untag(text: str) -> str:
    return _TAG.sub(lambda m: "" if (m.group(1) or "").lower() in _INLINE else " ", _HIDDEN.sub(" ", text))
_SPACE = re.compile(r"\s+")


def plain_text(value: str | None) -> str:
    """Markup stripped (scripts and styles with their content), entities decoded, whitespace collapsed:
    a title or summary as text. Markup that was escaped once or twice more ("&lt;script&gt;") is markup
    too, so decoding and stripping repeat until nothing changes; a "<" not followed by a letter
    ("x < y") is text."""
    text = value or ""
    for _ in range(4):
        stripped = html.unescape(_untag(text))
        if stripped == text:
            break
        text = stripped
    else:
        text = _untag(text).replace("<", " ")  # escaped more deeply still
    return _SPACE.sub(" ", text).strip()


def _timestamp(entry) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                return datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc).replace(tzinfo=None)
            except (OverflowError, ValueError):
                continue
    return None


def _link(entry, base: str) -> str:
    link = entry.get("link") or ""
    if not link:
        for candidate in entry.get("links", []):
            if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
                link = candidate["href"]
                break
    if not link and str(entry.get("id", "")).startswith(("http://", "https://")):
        link = entry["id"]
    return urljoin(base, link.strip()) if link.strip() else ""


def _author(entry) -> str:
    author = entry.get("author") or ""
    if not author and entry.get("authors"):
        author = ", ".join(a.get("name", "") for a in entry["authors"] if a.get("name"))
    return plain_text(author)


def _json_feed(body: bytes, feed_url: str, source: str) -> ParsedFeed | None:
    """A JSON Feed (jsonfeed.org, versions 1 and 1.1), which feedparser does not read."""
    if not body.lstrip()[:1] == b"{":
        return None
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or "jsonfeed.org" not in str(data.get("version", "")):
        return None
    entries, skipped = [], 0
    for item in data.get("items") or []:
        if not isinstance(item, dict):
            skipped += 1
            continue
        link = str(item.get("url") or item.get("external_url") or "").strip()
        if not link:
            skipped += 1
            continue
        link = urljoin(feed_url, link)
        published = None
        stamp = item.get("date_published") or item.get("date_modified")
        if isinstance(stamp, str):
            try:
                when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
                published = (when.astimezone(timezone.utc) if when.tzinfo else when).replace(tzinfo=None)
            except ValueError:
                published = None
        authors = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else [])
        entries.append(
            FeedEntry(
                source=source,
                feed_url=feed_url,
                link=link,
                title=plain_text(str(item.get("title") or "")),
                published=published,
                author=", ".join(str(a.get("name")) for a in authors if isinstance(a, dict) and a.get("name")),
                summary=plain_text(str(item.get("summary") or item.get("content_html") or item.get("content_text") or "")),
                guid=str(item.get("id") or link),
            )
        )
    return ParsedFeed(feed_url=feed_url, entries=tuple(entries), format="json1", skipped=skipped)


def _as_utf8(body: bytes, content_type: str | None) -> tuple[bytes, str | None, str | None]:
    """The body re-encoded as UTF-8, with the content type and XML declaration saying so, when the
    declared encoding does not fit it (`pipeline.charsets`); else unchanged. Plus a note on what was done."""
    media_type, _, params = (content_type or "").partition(";")
    header = re.search(r"charset\s*=\s*[\"']?([^\"';\s]+)", params, re.IGNORECASE)
    declared = header.group(1) if header else charsets.xml_declared(body)
    decoded = charsets.decode(body, declared, default="utf-8")
    if decoded is None or decoded.note is None:
        return body, content_type, None
    text = re.sub(r"^(\s*<\?xml\b[^>]*?\bencoding\s*=\s*[\"'])[^\"']*", r"\g<1>utf-8", decoded.text)
    media_type = media_type.strip() or "application/xml"
    return text.encode("utf-8"), f"{media_type}; charset=utf-8", decoded.note


def parse_feed(body: bytes, feed_url: str, source: str, content_type: str | None = None) -> ParsedFeed | Failure:
    body, content_type, encoding_note = _as_utf8(body, content_type)
    json_feed = _json_feed(body, feed_url, source)
    if json_feed is not None:
        return json_feed
    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(body, response_headers=headers, resolve_relative_uris=False, sanitize_html=False)
    problem = encoding_note
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        problem = f"{type(exc).__name__}: {exc}".splitlines()[0][:300] if exc else "not well-formed"
    base = parsed.get("href") or feed_url
    entries: list[FeedEntry] = []
    skipped = 0
    for entry in parsed.entries:
        link = _link(entry, base)
        if not link:
            skipped += 1
            continue
        summary = entry.get("summary") or ""
        if not summary and entry.get("content"):
            summary = entry["content"][0].get("value", "")
        entries.append(
            FeedEntry(
                source=source,
                feed_url=feed_url,
                link=link,
                title=plain_text(entry.get("title")),
                published=_timestamp(entry),
                author=_author(entry),
                summary=plain_text(summary),
                guid=str(entry.get("id") or link),
            )
        )
    if not entries and not skipped and parsed.get("bozo"):
        return Failure(url=feed_url, stage="feed", reason="malformed_feed", detail=problem, permanent=False)
    return ParsedFeed(
        feed_url=feed_url,
        entries=tuple(entries),
        format=parsed.get("version") or "unknown",
        problem=problem,
        skipped=skipped,
    )
