"""Feeds (RSS 2.0, Atom, RSS 1.0/RDF, one deliberately malformed RSS) and sitemaps (index,
monthly urlsets, Google News) for the sample site, as XML text.

Times are given to the minute, in the zone each outlet uses: "+0430" (Kabul), "GMT", "+0500"
(Pakistan), so that a reader has to normalise them to UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

RSS_NS = 'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom"'


@dataclass(frozen=True)
class FeedItem:
    title: str
    link: str  # as the feed gives it: tracking parameters and fragments included
    guid: str
    published: datetime  # UTC
    author: str
    summary: str
    section: str


def _rfc822(dt: datetime, tz: tzinfo) -> str:
    if tz is timezone.utc:
        return format_datetime(dt.astimezone(timezone.utc), usegmt=True)
    return format_datetime(dt.astimezone(tz))


def _iso(dt: datetime, tz: tzinfo) -> str:
    text = dt.astimezone(tz).strftime("%Y-%m-%dT%H:%M:%S%z")
    return text[:-2] + ":" + text[-2:]


def rss2(
    *,
    title: str,
    site: str,
    self_url: str,
    description: str,
    items: list[FeedItem],
    tz: tzinfo,
    author_tag: str = "dc:creator",  # or "author"
    guid_is_link: bool = False,
    cdata: bool = False,
    channel_extra: str = "",
) -> str:
    newest = max((i.published for i in items), default=None)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<rss version="2.0" {RSS_NS}>',
        "<channel>",
        f"<title>{escape(title)}</title>",
        f"<link>{escape(site)}</link>",
        f"<description>{description}</description>",
        "<language>en</language>",
        f'<atom:link href={quoteattr(self_url)} rel="self" type="application/rss+xml"/>',
    ]
    if newest:
        out.append(f"<lastBuildDate>{_rfc822(newest, tz)}</lastBuildDate>")
    out.append("<ttl>30</ttl>")
    if channel_extra:
        out.append(channel_extra)
    for i in items:
        summary = f"<![CDATA[<p>{i.summary}</p>]]>" if cdata else escape(i.summary)
        out += [
            "<item>",
            f"<title>{escape(i.title)}</title>",
            f"<link>{escape(i.link)}</link>",
            f'<guid isPermaLink="{"true" if guid_is_link else "false"}">{escape(i.guid)}</guid>',
            f"<pubDate>{_rfc822(i.published, tz)}</pubDate>",
            f"<{author_tag}>{escape(i.author)}</{author_tag}>",
            f"<category>{escape(i.section.title())}</category>",
            f"<description>{summary}</description>",
            "</item>",
        ]
    out += ["</channel>", "</rss>", ""]
    return "\n".join(out)


def malformed_rss2(**kwargs) -> str:
    """RSS 2.0 that is not well-formed XML: HTML entities XML does not define (`&nbsp;`,
    `&mdash;`) in the channel and item descriptions, as careless CMS templates write them.
    A strict XML parser rejects it; feedparser flags it (bozo) and still reads every item.
    """
    text = rss2(**kwargs)
    text = text.replace("</description>\n<language>", "&nbsp;&mdash;&nbsp;updated hourly</description>\n<language>", 1)
    return text.replace("</description>\n</item>", "&nbsp;&raquo;</description>\n</item>")


def atom(*, title: str, site: str, self_url: str, feed_id: str, items: list[FeedItem], tz: tzinfo) -> str:
    newest = max(i.published for i in items)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">',
        f"<title>{escape(title)}</title>",
        f'<link rel="alternate" type="text/html" href={quoteattr(site)}/>',
        f'<link rel="self" type="application/atom+xml" href={quoteattr(self_url)}/>',
        f"<id>{escape(feed_id)}</id>",
        f"<updated>{_iso(newest, tz)}</updated>",
    ]
    for i in items:
        out += [
            "<entry>",
            f"<title>{escape(i.title)}</title>",
            f'<link rel="alternate" type="text/html" href={quoteattr(i.link)}/>',
            f"<id>{escape(i.guid)}</id>",
            f"<published>{_iso(i.published, tz)}</published>",
            f"<updated>{_iso(i.published, tz)}</updated>",
            f"<author><name>{escape(i.author)}</name></author>",
            f'<category term={quoteattr(i.section)}/>',
            f'<summary type="text">{escape(i.summary)}</summary>',
            "</entry>",
        ]
    out += ["</feed>", ""]
    return "\n".join(out)


def rdf(*, title: str, site: str, self_url: str, description: str, items: list[FeedItem]) -> str:
    """RSS 1.0; dates as W3C-DTF to the minute in UTC ("2021-10-11T09:30Z")."""
    seq = "\n".join(f"<rdf:li rdf:resource={quoteattr(i.link)}/>" for i in items)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/">',
        f"<channel rdf:about={quoteattr(self_url)}>",
        f"<title>{escape(title)}</title>",
        f"<link>{escape(site)}</link>",
        f"<description>{escape(description)}</description>",
        f"<items>\n<rdf:Seq>\n{seq}\n</rdf:Seq>\n</items>",
        "</channel>",
    ]
    for i in items:
        out += [
            f"<item rdf:about={quoteattr(i.link)}>",
            f"<title>{escape(i.title)}</title>",
            f"<link>{escape(i.link)}</link>",
            f"<description>{escape(i.summary)}</description>",
            f"<dc:creator>{escape(i.author)}</dc:creator>",
            f"<dc:date>{i.published.astimezone(timezone.utc):%Y-%m-%dT%H:%MZ}</dc:date>",
            f"<dc:subject>{escape(i.section.title())}</dc:subject>",
            "</item>",
        ]
    out += ["</rdf:RDF>", ""]
    return "\n".join(out)


# ---- sitemaps ----

SITEMAP_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def sitemap_index(entries: list[tuple[str, datetime]], tz: tzinfo) -> str:
    body = "\n".join(
        f"<sitemap><loc>{escape(loc)}</loc><lastmod>{_iso(lastmod, tz)}</lastmod></sitemap>" for loc, lastmod in entries
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex {SITEMAP_NS}>\n{body}\n</sitemapindex>\n'


def urlset(entries: list[tuple[str, datetime]], tz: tzinfo) -> str:
    body = "\n".join(
        f"<url><loc>{escape(loc)}</loc><lastmod>{_iso(lastmod, tz)}</lastmod><changefreq>never</changefreq></url>"
        for loc, lastmod in entries
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {SITEMAP_NS}>\n{body}\n</urlset>\n'


def news_sitemap(entries: list[tuple[str, datetime, str]], publication: str, tz: tzinfo) -> str:
    """Google News sitemap: (loc, published, title) for the newest stories."""
    body = "\n".join(
        "<url>"
        f"<loc>{escape(loc)}</loc>"
        "<news:news><news:publication>"
        f"<news:name>{escape(publication)}</news:name><news:language>en</news:language>"
        "</news:publication>"
        f"<news:publication_date>{_iso(published, tz)}</news:publication_date>"
        f"<news:title>{escape(title)}</news:title>"
        "</news:news></url>"
        for loc, published, title in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset {SITEMAP_NS} xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n{body}\n</urlset>\n'
    )
