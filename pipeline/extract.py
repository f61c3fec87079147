"""Cleaning a fetched page into an `Article` with trafilatura.

`published_at` comes from the feed entry's timestamp when there is one, else from the page's own
metadata. A page cannot be published after it was fetched: a timestamp later than `fetched_at` (a
feed saying 2099, a clock or time zone gone wrong) is not believed, the next source is tried, and
when none is believable `published_at` is `fetched_at` with `date_origin` "fetched", so day-based
views never see a day in the future. The page's bytes are read as text as `pipeline.charsets`
decides (trafilatura would ignore the declared encoding and guess). Titles and authors are plain text.
The raw HTML is kept, compressed, so that extraction or NLP can be re-run without fetching.
When extraction yields nothing usable, the feed summary stands in and the row says so.
"""

from __future__ import annotations

import re
import zlib
from datetime import datetime, timezone

import trafilatura
from trafilatura.settings import set_date_params

from pipeline import charsets, dedup
from pipeline.feeds import plain_text
from pipeline.identity import article_id, canonical_url
from pipeline.records import Article, FeedEntry, Failure, Response

MIN_TEXT_CHARS = 200  # below this, trafilatura's output is not taken for the article text
_HTML_LANG = re.compile(rb"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?", re.I)
_META_LANG = re.compile(
    rb"<meta\b[^>]*(?:http-equiv\s*=\s*[\"']?content-language|property\s*=\s*[\"']?og:locale)[^>]*"
    rb"content\s*=\s*[\"']?([A-Za-z]{2,3})",
    re.I,
)


def compress_html(body: bytes) -> bytes:
    return zlib.compress(body, 6)


def decompress_html(blob: bytes) -> bytes:
    return zlib.decompress(blob)


def _page_language(body: bytes) -> str | None:
    head = body[:20000]
    match = _HTML_LANG.search(head) or _META_LANG.search(head)
    return match.group(1).decode("ascii").lower() if match else None


_META_DATE = re.compile(
    rb"<meta\b(?=[^>]*\b(?:property|name|itemprop)\s*=\s*[\"']?(?:article:published_time|og:published_time|"
    rb"datePublished|pubdate|publishdate|publish-date|dc\.date\.issued)[\"'\s>])[^>]*\bcontent\s*=\s*[\"']([^\"']+)",
    re.I,
)
_JSONLD_DATE = re.compile(rb'"datePublished"\s*:\s*"([^"]+)"')


def _utc(value: str) -> datetime | None:
    """An ISO 8601 timestamp as naive UTC; a date alone is midnight UTC."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.astimezone(timezone.utc).replace(tzinfo=None) if parsed.tzinfo else parsed


def _page_timestamp(body: bytes, extracted: str | None) -> datetime | None:
    """The page's publication time: its metadata (to the minute, with time zone) when it states one, else
    the date trafilatura found."""
    head = body[:200_000]
    for pattern in (_META_DATE, _JSONLD_DATE):
        match = pattern.search(head)
        if match:
            found = _utc(match.group(1).decode("ascii", "replace"))
            if found is not None:
                return found
    return _utc(extracted) if extracted else None


def page_markup(body: bytes, header_charset: str | None = None) -> str | bytes:
    """The page as text when its encoding can be decided (`pipeline.charsets`: the HTTP header's
    charset, else its <meta> one), else the bytes, for trafilatura to guess."""
    decoded = charsets.decode(body, header_charset or charsets.html_declared(body))
    return decoded.text if decoded is not None else body


def run_trafilatura(body: bytes | str, url: str | None):
    """The one call to the library, shared by the pipeline and the extraction benchmark."""
    date_params = set_date_params(True)
    date_params["outputformat"] = "%Y-%m-%dT%H:%M:%S%z"
    return trafilatura.bare_extraction(
        body,
        url=url,
        with_metadata=True,
        include_comments=False,
        date_extraction_params=date_params,
    )


def extract_article(
    page: Response, source: str, entry: FeedEntry | None, fetched_at: datetime
) -> Article | Failure:
    """Turn one fetched page (and the feed entry that led to it, if any) into an article."""
    url = canonical_url(page.final_url if entry is None else entry.link)
    markup = page_markup(page.body, page.encoding)
    head = markup.encode("utf-8", "replace") if isinstance(markup, str) else page.body  # for the regexes
    try:
        document = run_trafilatura(markup, page.final_url)
    except (ValueError, TypeError, AttributeError) as exc:  # trafilatura's parser on hostile input
        document = None
        problem = f"{type(exc).__name__}: {exc}"
    else:
        problem = "no main text found" if document is None else ""
    text = (document.text or "").strip() if document is not None else ""
    extraction = "trafilatura"
    if len(text) < MIN_TEXT_CHARS:
        summary = entry.summary.strip() if entry else ""
        if not summary:
            return Failure(
                url=page.final_url,
                stage="extract",
                reason="no_text",
                detail=problem or f"main text of {len(text)} characters and no feed summary",
                permanent=True,
            )
        text, extraction = summary, "feed_summary"
    page_date = _page_timestamp(head, document.date if document is not None else None)
    claimed = [(entry.published, entry.via)] if entry is not None and entry.published is not None else []
    claimed += [(page_date, "page")] if page_date is not None else []
    believable = [(when, origin) for when, origin in claimed if when <= fetched_at]
    if believable:
        published, origin = believable[0]
    elif claimed:  # every date given is after the fetch
        published, origin = fetched_at, "fetched"
    else:
        published, origin = None, None
    title = (entry.title if entry else "") or (document.title if document is not None else None) or ""
    author = (entry.author if entry and entry.author else None) or (document.author if document else None)
    return Article(
        article_id=article_id(url),
        url=url,
        fetched_url=page.final_url,
        source=source,
        feed_url=entry.feed_url if entry else None,
        title=plain_text(title),
        author=plain_text(author) or None,
        published_at=published,
        date_origin=origin,
        fetched_at=fetched_at,
        language=(getattr(document, "language", None) if document else None) or _page_language(head),
        sitename=document.sitename if document is not None else None,
        text=text,
        extraction=extraction,
        raw_html=compress_html(page.body),
        text_sketch=dedup.sketch(text),
    )
