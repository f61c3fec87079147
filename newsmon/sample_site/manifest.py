"""What a generated sample site holds, as frozen records: the ground truth tests and the demo check
the pipeline against. Written beside the site as `manifest.json`; `sources_toml` turns it into a
sources file for `newsmon`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class ManifestArticle:
    outlet: str  # outlet slug, e.g. "kabul-ledger" (also the path prefix)
    outlet_name: str  # e.g. "The Kabul Ledger": the source name in sources_toml
    path: str  # URL path on the site, e.g. "/kabul-ledger/news/2021/10/11/...html"
    url: str  # canonical URL (base_url + path), as in <link rel="canonical"> and the sitemaps
    title: str
    author: str
    published: str  # UTC, ISO 8601 to the minute: "2021-10-11T09:30+00:00"
    lastmod: str  # the sitemap's <lastmod>, same form (a few stories were updated after publication)
    section: str
    topic: str  # a catalogue topic ("doha_talks", "iskp_attacks", ...) or "sport" / "markets" / "weather"
    on_topic: bool  # about Afghanistan (False for the ~10% sport, markets and weather stories)
    synthetic: bool  # False only for the real seed article
    syndicated_from: str | None  # path of the original when this page is a wire copy of it
    in_feeds: bool  # listed by at least one of its outlet's feeds
    in_sitemaps: bool
    feeds: tuple[str, ...]  # URLs of the feeds that list it
    actors: tuple[str, ...]  # catalogue actors the title or body names (people by full name)
    quotes: tuple[tuple[str, str], ...]  # (speaker, quote) for each direct quote in the body

    @property
    def published_at(self) -> datetime:
        return datetime.fromisoformat(self.published)


@dataclass(frozen=True)
class ManifestFeed:
    url: str
    outlet: str
    format: str  # "rss2.0", "atom", "rss1.0"
    section: str
    malformed: bool  # not well-formed XML: feedparser sets bozo but still yields the entries
    entries: int  # items, failure fixtures included


@dataclass(frozen=True)
class ManifestSitemap:
    url: str
    outlet: str
    kind: str  # "index", "urlset" or "news"
    urls: int  # <sitemap> entries in an index, <url> entries otherwise


@dataclass(frozen=True)
class FailureFixture:
    url: str
    outlet: str
    feed: str  # the feed whose item links to it
    title: str
    expected_reason: str  # "http_status" (a 404), "not_html" (a PDF), "too_large" (over 6 MB)


@dataclass(frozen=True)
class ManifestOutlet:
    slug: str
    name: str
    index_url: str
    feeds: tuple[str, ...]
    sitemaps: tuple[str, ...]  # the sitemap index only: it lists the others


@dataclass(frozen=True)
class SiteManifest:
    base_url: str
    seed: int
    start: str  # first publication day, "2021-08-15"
    end: str  # last publication day, "2021-12-31"
    feed_cutoff: str  # feeds list the articles published at or after this instant (UTC)
    robots_url: str
    seed_article: str  # path of the real article
    outlets: tuple[ManifestOutlet, ...]
    articles: tuple[ManifestArticle, ...]  # oldest first
    feeds: tuple[ManifestFeed, ...]
    sitemaps: tuple[ManifestSitemap, ...]
    failures: tuple[FailureFixture, ...]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> SiteManifest:
        data = json.loads(text)
        return cls(
            **{k: v for k, v in data.items() if k not in ("outlets", "articles", "feeds", "sitemaps", "failures")},
            outlets=tuple(_record(ManifestOutlet, d) for d in data["outlets"]),
            articles=tuple(_record(ManifestArticle, d) for d in data["articles"]),
            feeds=tuple(_record(ManifestFeed, d) for d in data["feeds"]),
            sitemaps=tuple(_record(ManifestSitemap, d) for d in data["sitemaps"]),
            failures=tuple(_record(FailureFixture, d) for d in data["failures"]),
        )

    @classmethod
    def load(cls, path: Path) -> SiteManifest:
        return cls.from_json(Path(path).read_text(encoding="utf-8"))

    def article(self, path: str) -> ManifestArticle:
        for art in self.articles:
            if art.path == path:
                return art
        raise KeyError(path)


def _record(cls, data: dict):
    """Rebuild a record from JSON, lists back to tuples (quotes: tuples of pairs)."""
    values = {}
    for f in fields(cls):
        v = data[f.name]
        if isinstance(v, list):
            v = tuple(tuple(x) if isinstance(x, list) else x for x in v)
        values[f.name] = v
    return cls(**values)


def _toml_list(values: tuple[str, ...]) -> str:
    return "[\n" + "".join(f"    {json.dumps(v)},\n" for v in values) + "]"


def sources_toml(manifest: SiteManifest) -> str:
    """A sources file (see INTERFACE.md) for the sample site: one [[sources]] per outlet."""
    parts = [
        f"# Sources for the newsmon sample site at {manifest.base_url} (generated; seed {manifest.seed}).\n",
        "# Loopback addresses must be allowed, and the local server needs no politeness delay.\n\n",
        "[fetch]\nallow_private_networks = true\nper_host_delay = 0.0\n",
    ]
    for outlet in manifest.outlets:
        parts.append(
            f"\n[[sources]]\nname = {json.dumps(outlet.name)}\n"
            f"feeds = {_toml_list(outlet.feeds)}\nsitemaps = {_toml_list(outlet.sitemaps)}\n"
        )
    return "".join(parts)
