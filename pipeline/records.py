"""The typed records that carry an item between stages, one type per stage.

A skipped or failed item is a value with a reason (`Failure`), never a bare `None`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    feeds: tuple[str, ...]
    sitemaps: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a URL produced nothing. `permanent` failures (a 404, a PDF) are not retried."""

    url: str
    stage: str  # "feed", "page", "sitemap", "extract"
    reason: str  # a short name from pipeline.fetch.REASONS or the stage's own
    detail: str = ""
    status: int | None = None
    permanent: bool = False


@dataclass(frozen=True, slots=True)
class Response:
    """A successful HTTP response, body already read within the size cap."""

    url: str  # the URL asked for
    final_url: str  # after redirects
    status: int
    content_type: str
    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    encoding: str | None = None  # charset from the Content-Type header, if any


@dataclass(frozen=True, slots=True)
class NotModified:
    """A conditional request answered 304."""

    url: str


@dataclass(frozen=True, slots=True)
class FeedEntry:
    source: str
    feed_url: str
    link: str
    title: str
    published: datetime | None  # UTC, naive
    author: str
    summary: str
    guid: str
    via: str = "feed"  # "feed" or "sitemap": where the entry (and its `published`) came from


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    feed_url: str
    entries: tuple[FeedEntry, ...]
    format: str  # e.g. "rss20", "atom10", "rss10"
    problem: str | None = None  # a bozo feed that still yielded entries, or an encoding repaired
    skipped: int = 0  # entries dropped because they had no link at all


@dataclass(frozen=True, slots=True)
class Article:
    """One cleaned article, ready for NLP and storage."""

    article_id: str
    url: str  # canonical
    fetched_url: str
    source: str
    feed_url: str | None
    title: str
    author: str | None
    published_at: datetime | None  # UTC, naive
    date_origin: str | None  # "feed", "sitemap", "page", "fetched" (every date given was later) or None
    fetched_at: datetime  # UTC, naive
    language: str | None
    sitename: str | None
    text: str
    extraction: str  # "trafilatura" or "feed_summary"
    raw_html: bytes  # zstd/gzip-compressed page as fetched
    text_sketch: tuple[int, ...] = field(default=(), repr=False)  # MinHash signature of the text


@dataclass(frozen=True, slots=True)
class Mention:
    surface: str
    label: str
    actor: str | None
    start_char: int
    end_char: int
    name: str | None = None  # what it resolves to in the article: the actor, or a full name, else the surface


@dataclass(frozen=True, slots=True)
class TopicScore:
    topic: str
    score: float


@dataclass(frozen=True, slots=True)
class Quote:
    speaker: str
    actor: str | None
    quote: str
    start_char: int | None = None  # the quote's span in the text, quote marks excluded
    end_char: int | None = None
    speaker_start: int | None = None  # the mention naming the speaker, when one does
    speaker_end: int | None = None


@dataclass(frozen=True, slots=True)
class Meeting:
    """A meeting an article reports: who, what kind, where and when, and the sentence that says so."""

    kind: str  # met, talks, call, visit (held); planned; refused
    participants: tuple[str, ...]  # canonical actors, else names as written; two or more, in name order
    place: str | None
    day: date | None
    sentence: str
    start_char: int
    end_char: int


@dataclass(frozen=True, slots=True)
class Enrichment:
    """What NLP found in one article."""

    article_id: str
    mentions: tuple[Mention, ...]
    topics: tuple[TopicScore, ...]
    quotes: tuple[Quote, ...]
    relevance: float
    meetings: tuple[Meeting, ...] = ()
