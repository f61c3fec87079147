"""Generate the bundled sample news site: three fictional outlets, synthetic articles about
Afghanistan diplomacy from 15 August to 31 December 2021 (and ~10% sport, markets and weather),
one real report included verbatim, wire copies, feeds, sitemaps and a few failure fixtures.

    python -m newsmon.sample_site.generate OUT_DIR BASE_URL [--seed N]

Deterministic: the same seed and base URL give byte-identical files (and file times), with no
wall clock involved. Layout of OUT_DIR (every path below is also the URL path):

    index.html, robots.txt, manifest.json, sources.toml, files/report.pdf
    kabul-ledger/   news/YYYY/MM/DD/<slug>.html, rss/latest.xml, atom/diplomacy.xml,
                    sitemap.xml -> sitemaps/YYYY-MM.xml + sitemaps/news.xml
    gulf-wire/      <section>/<slug>-idGW<nnnnn>/ (index.html), feeds/top-news.rss, feeds/asia.rdf,
                    sitemap_index.xml -> sitemaps/sitemap-YYYY-MM.xml + sitemaps/news-sitemap.xml
    frontier-post/  YYYY-MM-DD/<slug>-<n>.html, feed.xml, feeds/region.xml (malformed),
                    sitemaps/index.xml -> sitemaps/posts-YYYY-MM.xml + sitemaps/google-news.xml
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from newsmon.sample_site import feeds as fx
from newsmon.sample_site.manifest import (
    FailureFixture,
    ManifestArticle,
    ManifestFeed,
    ManifestOutlet,
    ManifestSitemap,
    SiteManifest,
    sources_toml,
)
from newsmon.sample_site.outlets import OUTLETS, Outlet
from newsmon.sample_site.pages import (
    ArticleView,
    render_article,
    render_front_page,
    render_outlet_index,
)
from newsmon.sample_site.stories import (
    OFF_TOPIC_KINDS,
    Draft,
    actors_in,
    pick_beat,
    write_beat_story,
    write_off_topic,
)

UTC = timezone.utc
START = datetime(2021, 8, 15, 0, 0, tzinfo=UTC)
END = datetime(2021, 12, 31, 23, 59, tzinfo=UTC)
DEFAULT_SEED = 20211011

ARTICLES_PER_OUTLET = 55  # own stories, before wire copies
OFF_TOPIC_PER_OUTLET = 6
COPIES_PER_OUTLET = 5  # originals of each outlet that another outlet republishes
FEED_SHARE = 0.6  # the feeds hold the newest ~60% of articles; sitemaps hold them all
NEWS_SITEMAP_SIZE = 20
HUGE_PAGE_BYTES = 6_500_000

SEED_ARTICLE_FILE = Path(__file__).with_name("seed_article.txt")
SEED_PUBLISHED = datetime(2021, 10, 11, 9, 30, tzinfo=UTC)
SEED_OUTLET = "kabul-ledger"


@dataclass
class _Story:
    """A story on its way to a page (mutable while the site is assembled)."""

    outlet: Outlet
    draft: Draft | None  # None for the real seed article
    title: str
    author: str
    published: datetime
    section: str
    paragraphs: tuple[str, ...]
    credit: str | None
    city: str
    synthetic: bool = True
    original: _Story | None = None
    lastmod: datetime | None = None
    number: int = 0
    path: str = ""
    feeds: list[str] = field(default_factory=list)

    @property
    def topic(self) -> str:
        return self.draft.topic if self.draft else "doha_talks"

    @property
    def on_topic(self) -> bool:
        return self.draft.on_topic if self.draft else True


def read_seed_article(path: Path = SEED_ARTICLE_FILE) -> tuple[str, str, tuple[str, ...]]:
    """(title, date, paragraphs) of the real report: '#' lines are comments, then 'Title:' and
    'Date:' lines, then the body, one paragraph per block of text between blank lines."""
    title = day = ""
    body: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        if not body and line.startswith("Title:"):
            title = line.removeprefix("Title:").strip()
        elif not body and line.startswith("Date:"):
            day = line.removeprefix("Date:").strip()
        elif line.strip():
            body.append(line)
    return title, day, tuple(body)


def slugify(title: str, words: int = 9) -> str:
    parts = re.sub(r"[^a-z0-9]+", " ", title.lower().replace("'", "")).split()
    return "-".join(parts[:words])


def _random_time(rng: random.Random) -> datetime:
    days = (END.date() - START.date()).days
    return START + timedelta(days=rng.randint(0, days), hours=rng.randint(5, 19), minutes=rng.randint(0, 59))


def _pick_title(candidates: tuple[str, ...], used: set[str]) -> str:
    for title in candidates:
        if title not in used:
            used.add(title)
            return title
    n = 1
    while f"UPDATE {n}-{candidates[0]}" in used:
        n += 1
    used.add(f"UPDATE {n}-{candidates[0]}")
    return f"UPDATE {n}-{candidates[0]}"


def _write_stories(rng: random.Random) -> list[_Story]:
    used: set[str] = set()
    stories: list[_Story] = []
    for outlet in OUTLETS:
        kinds: list[str | None] = [None] * (ARTICLES_PER_OUTLET - OFF_TOPIC_PER_OUTLET)
        kinds += [OFF_TOPIC_KINDS[i % len(OFF_TOPIC_KINDS)] for i in range(OFF_TOPIC_PER_OUTLET)]
        rng.shuffle(kinds)
        for kind in kinds:
            if kind is None:
                beat, published = pick_beat(rng, START, END)
                draft = write_beat_story(rng, beat, published)
            else:
                published = _random_time(rng)
                draft = write_off_topic(rng, kind, published)
            author, colleague = rng.sample(outlet.authors, 2)
            editor = rng.choice(outlet.editors)
            first = outlet.dateline(draft.dateline, published) + draft.paragraphs[0]
            stories.append(
                _Story(
                    outlet=outlet,
                    draft=draft,
                    title=_pick_title(draft.headlines, used),
                    author=author,
                    published=published,
                    section=outlet.section_for(draft),
                    paragraphs=(first, *draft.paragraphs[1:]),
                    credit=outlet.own_credit(author, colleague, editor, draft.dateline) if draft.on_topic else None,
                    city=draft.dateline,
                )
            )
    title, _, body = read_seed_article()
    used.add(title)
    kl = next(o for o in OUTLETS if o.slug == SEED_OUTLET)
    stories.append(
        _Story(kl, None, title, "Staff reporter", SEED_PUBLISHED, "diplomacy", body, None, "KABUL", synthetic=False)
    )
    stories += _wire_copies(rng, stories, used)
    return stories


def _wire_copies(rng: random.Random, stories: list[_Story], used: set[str]) -> list[_Story]:
    """Republish COPIES_PER_OUTLET stories of each outlet on another outlet, 2 to 7 hours later,
    under another URL and headline, with the same body and another credit line (and byline)."""
    copies = []
    for outlet in OUTLETS:
        candidates = [
            s for s in stories
            if s.outlet is outlet and s.synthetic and s.on_topic and s.published <= END - timedelta(hours=8)
        ]
        # wire copies are long stories, so that the copy stays a near-duplicate whatever the headline
        candidates.sort(key=lambda s: -sum(len(p.split()) for p in s.paragraphs))
        for original in rng.sample(candidates[: 2 * COPIES_PER_OUTLET], COPIES_PER_OUTLET):
            target = rng.choice([o for o in OUTLETS if o is not outlet])
            draft = original.draft
            assert draft is not None
            published = original.published + timedelta(hours=rng.randint(2, 6), minutes=rng.randint(0, 59))
            others = tuple(h for h in draft.headlines if h != original.title)
            title = _pick_title(others or (f"{draft.dateline.title()}: {original.title}",), used)
            copies.append(
                _Story(
                    outlet=target,
                    draft=draft,
                    title=title,
                    author=target.copy_author(original.author),
                    published=published,
                    section=target.section_for(draft),
                    paragraphs=original.paragraphs,
                    credit=target.copy_credit(outlet, rng.choice(target.editors)),
                    city=draft.dateline,
                    original=original,
                )
            )
    return copies


def _lastmod(rng: random.Random, published: datetime) -> datetime:
    """Publication time, or for about one story in eight an update a little later the same day."""
    if rng.random() < 0.125:
        later = published + timedelta(hours=rng.randint(1, 3), minutes=rng.randint(0, 59))
        return min(later, published.replace(hour=23, minute=59))
    return published


# ---- feeds ----


@dataclass(frozen=True)
class _FeedSpec:
    outlet: str
    path: str
    format: str  # rss2.0 / atom / rss1.0
    section: str  # "all" for an outlet's main feed
    title: str
    malformed: bool = False


FEED_SPECS = (
    _FeedSpec("kabul-ledger", "/kabul-ledger/rss/latest.xml", "rss2.0", "all", "The Kabul Ledger - Latest news"),
    _FeedSpec("kabul-ledger", "/kabul-ledger/atom/diplomacy.xml", "atom", "diplomacy", "The Kabul Ledger - Diplomacy"),
    _FeedSpec("gulf-wire", "/gulf-wire/feeds/top-news.rss", "rss2.0", "all", "Gulf Wire Service: Top News"),
    _FeedSpec("gulf-wire", "/gulf-wire/feeds/asia.rdf", "rss1.0", "asia", "Gulf Wire Service: Asia"),
    _FeedSpec("frontier-post", "/frontier-post/feed.xml", "rss2.0", "all", "Frontier Post Daily"),
    _FeedSpec("frontier-post", "/frontier-post/feeds/region.xml", "rss2.0", "region", "Frontier Post Daily - Region", malformed=True),
)

FIXTURES = (
    # (outlet, feed path, URL path, title, published, expected reason)
    ("kabul-ledger", "/kabul-ledger/rss/latest.xml",
     "/kabul-ledger/news/2021/12/29/kabul-traders-report-rising-prices-ahead-of-winter.html",
     "Kabul traders report rising prices ahead of winter", datetime(2021, 12, 29, 10, 5, tzinfo=UTC), "http_status"),
    ("gulf-wire", "/gulf-wire/feeds/top-news.rss", "/files/report.pdf",
     "Report: humanitarian needs in Afghanistan, winter 2021 (PDF)", datetime(2021, 12, 30, 8, 40, tzinfo=UTC), "not_html"),
    ("frontier-post", "/frontier-post/feed.xml", "/frontier-post/2021-12-30/live-updates-winter-aid-appeal-for-afghanistan.html",
     "Live updates: winter aid appeal for Afghanistan", datetime(2021, 12, 30, 14, 15, tzinfo=UTC), "too_large"),
)


def _feed_link(spec: _FeedSpec, url: str, number: int) -> str:
    """The link as the feed gives it: tracking parameters and fragments vary by feed and item."""
    campaign = spec.path.rsplit("/", 1)[-1].split(".")[0]
    utm = f"?utm_source={'atom' if spec.format == 'atom' else 'rss'}&utm_medium=feed&utm_campaign={campaign}"
    if spec.outlet == "gulf-wire" and spec.format == "rss2.0":
        return (url, url + utm, url + "#story-start", url + utm + "#top")[number % 4]
    if spec.outlet == "frontier-post" and spec.section == "all":
        return url + "#comments" if number % 3 == 0 else url + utm
    return url + utm


def _summary(story: _Story) -> str:
    text = story.paragraphs[0]
    return text if len(text) <= 280 else text[:277].rsplit(" ", 1)[0] + "..."


def _guid(spec: _FeedSpec, base_url: str, url: str, number: int) -> str:
    if spec.outlet == "kabul-ledger":
        return f"tag:kabul-ledger.sample,2021:{number}" if spec.format == "atom" else f"kl-{number:05d}"
    if spec.outlet == "gulf-wire":
        return url
    return f"{base_url}/frontier-post/?p={number}"


def _render_feed(spec: _FeedSpec, outlet: Outlet, base_url: str, items: list[fx.FeedItem]) -> str:
    self_url = base_url + spec.path
    site = base_url + outlet.prefix
    if spec.format == "atom":
        return fx.atom(title=spec.title, site=site, self_url=self_url, feed_id=f"tag:kabul-ledger.sample,2021:{spec.section}",
                       items=items, tz=outlet.local_tz)
    if spec.format == "rss1.0":
        return fx.rdf(title=spec.title, site=site, self_url=self_url, description="News from Asia by Gulf Wire Service", items=items)
    kwargs = dict(title=spec.title, site=site, self_url=self_url, items=items, tz=outlet.local_tz,
                  description=f"Latest stories from {outlet.name}")
    if outlet.slug == "gulf-wire":
        kwargs.update(guid_is_link=True)
    if outlet.slug == "frontier-post":
        kwargs.update(author_tag="author", cdata=not spec.malformed)
    return fx.malformed_rss2(**kwargs) if spec.malformed else fx.rss2(**kwargs)


# ---- fixtures ----


def tiny_pdf(text: str = "Synthetic sample report generated by newsmon for demonstration.") -> bytes:
    """A small, valid one-page PDF."""
    stream = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _live_updates(target_bytes: int) -> str:
    """Enough live-blog entries to push a page past `target_bytes`."""
    entry = ('<div class="live-update" id="update-{n}"><p class="live-time">Update {n}</p>'
             "<p>Aid convoys continued to arrive in provincial centres as agencies pressed ahead with winter "
             "distributions of food, fuel and blankets, according to the latest situation report (entry {n}).</p></div>")
    parts, size, n = [], 0, 0
    while size < target_bytes:
        n += 1
        piece = entry.format(n=n)
        parts.append(piece)
        size += len(piece) + 1
    return "\n".join(parts)


# ---- the site ----


def generate_site(out_dir: Path, base_url: str, seed: int = DEFAULT_SEED) -> SiteManifest:
    """Write the sample site under `out_dir` for serving at `base_url`; return its manifest."""
    out_dir = Path(out_dir)
    base_url = base_url.rstrip("/")
    rng = random.Random(seed)
    stories = _write_stories(rng)
    stories.sort(key=lambda s: (s.published, s.outlet.slug, s.title))
    for number, story in enumerate(stories, 1):
        story.number = number
        story.lastmod = _lastmod(rng, story.published) if story.synthetic else story.published
    paths: set[str] = set()
    for story in stories:
        path = story.outlet.article_path(story.number, slugify(story.title), story.section, story.published)
        if path in paths:
            path = path.replace(".html", f"-{story.number}.html")
        paths.add(path)
        story.path = path
    cutoff = stories[int(len(stories) * (1 - FEED_SHARE))].published

    files: dict[str, tuple[bytes, datetime]] = {}  # URL path -> (content, mtime)

    def put(path: str, content: str | bytes, mtime: datetime = END) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        files[path] = (data, mtime)

    # feeds
    feed_records = []
    for spec in FEED_SPECS:
        outlet = next(o for o in OUTLETS if o.slug == spec.outlet)
        chosen = [
            s for s in stories
            if s.outlet is outlet and s.published >= cutoff and spec.section in ("all", s.section)
        ]
        items = []
        for s in chosen:
            url = base_url + s.path
            s.feeds.append(base_url + spec.path)
            items.append(fx.FeedItem(s.title, _feed_link(spec, url, s.number), _guid(spec, base_url, url, s.number),
                                     s.published, s.author, _summary(s), s.section))
        for f_outlet, f_feed, f_path, f_title, f_published, _ in FIXTURES:
            if f_feed == spec.path:
                n = 90000 + len(items)
                items.append(fx.FeedItem(f_title, base_url + f_path, _guid(spec, base_url, base_url + f_path, n),
                                         f_published, outlet.authors[0], f"{f_title}.", "world"))
        items.sort(key=lambda i: i.published, reverse=True)
        put(spec.path, _render_feed(spec, outlet, base_url, items), items[0].published)
        feed_records.append(ManifestFeed(base_url + spec.path, spec.outlet, spec.format, spec.section, spec.malformed, len(items)))

    # article pages
    by_outlet = {o.slug: [s for s in stories if s.outlet is o] for o in OUTLETS}
    for story in stories:
        siblings = [s for s in by_outlet[story.outlet.slug] if s is not story]
        related = tuple((s.title, base_url + s.path) for s in rng.sample(siblings, 5))
        view = ArticleView(story.outlet, story.title, story.author, story.published, story.section, base_url + story.path,
                           story.paragraphs, story.credit, story.synthetic, story.city, related)
        put(story.path, render_article(view), story.lastmod)

    # sitemaps, outlet index pages, robots.txt
    sitemap_records: list[ManifestSitemap] = []
    outlet_records = []
    for outlet in OUTLETS:
        own = by_outlet[outlet.slug]
        index_path, month_path, news_path = {
            "kabul-ledger": ("/kabul-ledger/sitemap.xml", "/kabul-ledger/sitemaps/{m}.xml", "/kabul-ledger/sitemaps/news.xml"),
            "gulf-wire": ("/gulf-wire/sitemap_index.xml", "/gulf-wire/sitemaps/sitemap-{m}.xml", "/gulf-wire/sitemaps/news-sitemap.xml"),
            "frontier-post": ("/frontier-post/sitemaps/index.xml", "/frontier-post/sitemaps/posts-{m}.xml", "/frontier-post/sitemaps/google-news.xml"),
        }[outlet.slug]
        tz = UTC if outlet.slug == "kabul-ledger" else outlet.local_tz
        index_entries = []
        own_sitemaps = []
        for month in sorted({f"{s.published:%Y-%m}" for s in own}):
            entries = [(base_url + s.path, s.lastmod) for s in own if f"{s.published:%Y-%m}" == month]
            path = month_path.format(m=month)
            newest = max(m for _, m in entries)
            put(path, fx.urlset(entries, tz), newest)
            index_entries.append((base_url + path, newest))
            own_sitemaps.append(ManifestSitemap(base_url + path, outlet.slug, "urlset", len(entries)))
        newest_stories = sorted(own, key=lambda s: s.published, reverse=True)[:NEWS_SITEMAP_SIZE]
        put(news_path, fx.news_sitemap([(base_url + s.path, s.published, s.title) for s in newest_stories], outlet.name, tz),
            newest_stories[0].published)
        index_entries.append((base_url + news_path, newest_stories[0].published))
        own_sitemaps.append(ManifestSitemap(base_url + news_path, outlet.slug, "news", len(newest_stories)))
        put(index_path, fx.sitemap_index(index_entries, tz), max(m for _, m in index_entries))
        sitemap_records += [ManifestSitemap(base_url + index_path, outlet.slug, "index", len(index_entries)), *own_sitemaps]
        listing = [(s.title, s.path, s.published, s.section) for s in sorted(own, key=lambda s: s.published, reverse=True)]
        put(outlet.prefix + "index.html", render_outlet_index(outlet, listing, base_url))
        outlet_records.append(ManifestOutlet(
            outlet.slug, outlet.name, base_url + outlet.prefix,
            tuple(base_url + f.path for f in FEED_SPECS if f.outlet == outlet.slug), (base_url + index_path,),
        ))
    robots = ["User-agent: *", "Disallow: /search", "Disallow: /*/search", "Allow: /", ""]
    robots += [f"Sitemap: {s.url}" for s in sitemap_records if s.kind in ("index", "news")]
    put("/robots.txt", "\n".join(robots) + "\n")
    put("/index.html", render_front_page(OUTLETS, base_url))

    # failure fixtures (the 404 is simply a page that is never written)
    put("/files/report.pdf", tiny_pdf())
    huge = next(f for f in FIXTURES if f[5] == "too_large")
    fp = next(o for o in OUTLETS if o.slug == huge[0])
    huge_view = ArticleView(
        fp, huge[3], fp.authors[0], huge[4], "world", base_url + huge[2],
        ("Aid agencies are racing to deliver food, fuel and blankets across Afghanistan before the worst of the winter. Follow the latest updates below.",),
        None, True, "PESHAWAR", (), live_updates=_live_updates(HUGE_PAGE_BYTES),
    )
    put(huge[2], render_article(huge_view), huge[4])
    failures = tuple(FailureFixture(base_url + p, o, base_url + f, t, r) for o, f, p, t, _, r in FIXTURES)

    articles = tuple(
        ManifestArticle(
            outlet=s.outlet.slug,
            outlet_name=s.outlet.name,
            path=s.path,
            url=base_url + s.path,
            title=s.title,
            author=s.author,
            published=s.published.isoformat(timespec="minutes"),
            lastmod=s.lastmod.isoformat(timespec="minutes"),
            section=s.section,
            topic=s.topic,
            on_topic=s.on_topic,
            synthetic=s.synthetic,
            syndicated_from=s.original.path if s.original else None,
            in_feeds=bool(s.feeds),
            in_sitemaps=True,
            feeds=tuple(s.feeds),
            actors=actors_in(s.title + "\n" + "\n".join(s.paragraphs)),
            quotes=s.draft.quotes if s.draft else (),
        )
        for s in stories
    )
    seed_story = next(s for s in stories if not s.synthetic)
    manifest = SiteManifest(
        base_url=base_url,
        seed=seed,
        start=f"{START:%Y-%m-%d}",
        end=f"{END:%Y-%m-%d}",
        feed_cutoff=cutoff.isoformat(timespec="minutes"),
        robots_url=base_url + "/robots.txt",
        seed_article=seed_story.path,
        outlets=tuple(outlet_records),
        articles=articles,
        feeds=tuple(feed_records),
        sitemaps=tuple(sitemap_records),
        failures=failures,
    )
    put("/manifest.json", manifest.to_json())
    put("/sources.toml", sources_toml(manifest))
    _write_files(out_dir, files)
    return manifest


def _write_files(out_dir: Path, files: dict[str, tuple[bytes, datetime]]) -> None:
    for url_path, (data, mtime) in sorted(files.items()):
        target = out_dir / url_path.lstrip("/")
        if url_path.endswith("/"):
            target = target / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        stamp = mtime.timestamp()
        os.utime(target, (stamp, stamp))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m newsmon.sample_site.generate",
        description="Write the newsmon sample news site (deterministic for a given seed and base URL).",
    )
    parser.add_argument("out_dir", type=Path, help="directory to write the site into")
    parser.add_argument("base_url", help="URL the site will be served at, e.g. http://127.0.0.1:8000")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    if not args.base_url.startswith(("http://", "https://")):
        parser.error(f"base URL must start with http:// or https://: {args.base_url}")
    try:
        manifest = generate_site(args.out_dir, args.base_url, args.seed)
    except OSError as exc:
        print(f"error: cannot write the site to {args.out_dir}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    off = sum(not a.on_topic for a in manifest.articles)
    copies = sum(a.syndicated_from is not None for a in manifest.articles)
    print(f"wrote {len(manifest.articles)} articles ({off} off-topic, {copies} wire copies) from "
          f"{len(manifest.outlets)} outlets to {args.out_dir}; sources file: {args.out_dir / 'sources.toml'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
