"""A scale corpus for the throughput benchmark: N news articles of about 600 words, with feeds and sitemaps,
written to a folder and served on 127.0.0.1.

The text is assembled from the sample site's catalogue (`newsmon.sample_site`: beats about Afghanistan
diplomacy, their leads, quotes, background and reports, in the usual attribution forms), so NER, the actor
registry, topics and quotes have real work: an article is one beat's story followed by developments from
other beats valid on its date, until it reaches its length; about 8% are off-subject round-ups (sport,
markets, weather) and about 4% are wire copies of an earlier article under another outlet's template and
headline (near-duplicates). Pages use the sample site's three outlet templates (navigation, cookie banner,
ads, related stories, newsletter box, footer). Deterministic: the same N, seed and base URL give the same
bytes.

Each outlet has feeds of at most FEED_ITEMS entries (newest first) that together list all its articles, and
a sitemap index over monthly urlsets with each page's lastmod, so that `newsmon run` finds every article
through the feeds and `newsmon backfill` over the span finds every article through the sitemaps.

    python bench/corpus.py OUT_DIR BASE_URL [--n 2000] [--seed N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from newsmon.sample_site import feeds as fx
from newsmon.sample_site.catalogue import BEATS, Beat
from newsmon.sample_site.generate import END, START, slugify
from newsmon.sample_site.outlets import OUTLETS, Outlet
from newsmon.sample_site.pages import ArticleView, render_article
from newsmon.sample_site.server import SiteServer, _Server
from newsmon.sample_site.stories import (
    OFF_TOPIC_KINDS,
    Draft,
    pick_beat,
    write_beat_story,
    write_off_topic,
)

DEFAULT_SEED = 7
FEED_ITEMS = 100  # entries per feed
TARGET_WORDS = (540, 660)  # an article's length is drawn from this range
OFF_TOPIC_SHARE = 0.08
COPY_SHARE = 0.04
TRANSITIONS = ("Separately, ", "In other developments, ", "Elsewhere, ", "Meanwhile, ", "")
COMMON_OPENERS = frozenset(
    ["The", "A", "An", "In", "On", "At", "Hundreds", "Thousands", "Dozens", "Millions", "Several", "Some", "Many", "More", "About", "Two", "Three", "Four", "Five"]
)


@dataclass
class CorpusArticle:
    number: int
    outlet: Outlet
    title: str
    author: str
    published: datetime
    section: str
    paragraphs: tuple[str, ...]
    credit: str | None
    city: str
    draft: Draft
    copy_of: int | None = None
    path: str = ""

    @property
    def on_topic(self) -> bool:
        return self.draft.on_topic


@dataclass(frozen=True)
class Corpus:
    base_url: str
    root: Path
    articles: int
    words: int
    feeds: tuple[str, ...]
    sitemaps: tuple[str, ...]  # the index of each outlet
    start: str  # first and last publication day
    end: str
    pages: tuple[str, ...] = ()  # URL path of every article page

    def page_file(self, path: str) -> Path:
        target = self.root / path.lstrip("/")
        return target / "index.html" if path.endswith("/") else target

    @property
    def sources_file(self) -> Path:
        return self.root / "sources.toml"


def _words(paragraphs) -> int:
    return sum(len(p.split()) for p in paragraphs)


def _lower_first(text: str) -> str:
    """'The Taliban said ...' -> 'the Taliban said ...'; a name or an acronym stays as written."""
    return text[:1].lower() + text[1:] if text.split(" ", 1)[0] in COMMON_OPENERS else text


def _beats_on(day: date) -> list[Beat]:
    """The beats a story dated `day` may draw on: in their window, with a lead and a quote valid that day."""
    def ok(beat: Beat) -> bool:
        window = date(2021, *beat.window[0]) <= day <= date(2021, *beat.window[1])
        return window and any(x.valid_on(day) for x in beat.leads) and any(q.valid_on(day) for q in beat.quotes)

    return [b for b in BEATS if ok(b)]


def _story_text(rng: random.Random, outlet: Outlet) -> tuple[Draft, datetime, tuple[str, ...]]:
    """(draft of the main story, publication time, paragraphs of about the target length)."""
    target = rng.randint(*TARGET_WORDS)
    if rng.random() < OFF_TOPIC_SHARE:
        kind = rng.choice(OFF_TOPIC_KINDS)
        published = START + timedelta(seconds=rng.randint(0, int((END - START).total_seconds())))
        draft = write_off_topic(rng, kind, published)
        paragraphs = list(draft.paragraphs)
        while _words(paragraphs) < target:  # a round-up: several reports of the same kind
            paragraphs += write_off_topic(rng, kind, published).paragraphs
        first = outlet.dateline(draft.dateline, published) + paragraphs[0]
        return draft, published, (first, *paragraphs[1:])
    beat, published = pick_beat(rng, START, END)
    draft = write_beat_story(rng, beat, published)
    paragraphs = list(draft.paragraphs)
    seen = set(paragraphs)
    beats = _beats_on(published.date())
    while _words(paragraphs) < target:
        other = rng.choices(beats, weights=[b.weight for b in beats])[0]
        extra = write_beat_story(rng, other, published).paragraphs
        lead = rng.choice(TRANSITIONS)
        added = [lead + _lower_first(extra[0]) if lead else extra[0], *extra[1 : rng.randint(2, 4)]]
        for paragraph in added:
            if paragraph not in seen:
                seen.add(paragraph)
                paragraphs.append(paragraph)
    first = outlet.dateline(draft.dateline, published) + paragraphs[0]
    return draft, published, (first, *paragraphs[1:])


def write_articles(n: int, seed: int) -> list[CorpusArticle]:
    rng = random.Random(seed)
    articles: list[CorpusArticle] = []
    for number in range(1, n + 1):
        outlet = OUTLETS[number % len(OUTLETS)]
        if articles and rng.random() < COPY_SHARE:  # a wire copy of an earlier article, hours later
            original = rng.choice([a for a in articles[-200:] if a.on_topic and a.copy_of is None] or articles[-1:])
            published = original.published + timedelta(hours=rng.randint(2, 6), minutes=rng.randint(0, 59))
            articles.append(
                CorpusArticle(
                    number, outlet, f"{original.city.title()}: {original.title}", outlet.copy_author(original.author),
                    published, outlet.section_for(original.draft), original.paragraphs,
                    outlet.copy_credit(original.outlet, rng.choice(outlet.editors)), original.city, original.draft,
                    copy_of=original.number,
                )
            )
            continue
        draft, published, paragraphs = _story_text(rng, outlet)
        author, colleague = rng.sample(outlet.authors, 2)
        articles.append(
            CorpusArticle(
                number, outlet, rng.choice(draft.headlines), author, published, outlet.section_for(draft), paragraphs,
                outlet.own_credit(author, colleague, rng.choice(outlet.editors), draft.dateline) if draft.on_topic else None,
                draft.dateline, draft,
            )
        )
    for a in articles:
        path = a.outlet.article_path(a.number, slugify(a.title), a.section, a.published)
        a.path = path.replace(".html", f"-n{a.number}.html") if path.endswith(".html") else path
    return articles


def _put(files: dict[str, bytes], path: str, text: str) -> None:
    files[path] = text.encode("utf-8")


def generate_corpus(out_dir: Path, base_url: str, n: int, seed: int = DEFAULT_SEED) -> Corpus:
    """Write N articles with their feeds, sitemaps and a sources file under `out_dir`, for serving at
    `base_url`."""
    out_dir = Path(out_dir)
    base_url = base_url.rstrip("/")
    articles = write_articles(n, seed)
    rng = random.Random(seed + 1)
    files: dict[str, bytes] = {}
    by_outlet = {o.slug: [a for a in articles if a.outlet is o] for o in OUTLETS}
    for a in articles:
        siblings = by_outlet[a.outlet.slug]
        related = tuple((s.title, base_url + s.path) for s in rng.sample(siblings, min(5, len(siblings))) if s is not a)
        view = ArticleView(a.outlet, a.title, a.author, a.published, a.section, base_url + a.path, a.paragraphs,
                           a.credit, True, a.city, related)
        _put(files, a.path, render_article(view))
    feeds: list[str] = []
    sitemaps: list[str] = []
    sources = ["# Scale corpus for bench/throughput.py (generated).\n\n",
               "[fetch]\nallow_private_networks = true\nper_host_delay = 0.0\n"]
    for outlet in OUTLETS:
        own = sorted(by_outlet[outlet.slug], key=lambda a: (a.published, a.number), reverse=True)
        own_feeds = []
        for k in range(0, len(own), FEED_ITEMS):
            path = f"{outlet.prefix}feeds/latest-{k // FEED_ITEMS + 1}.xml"
            items = [
                fx.FeedItem(a.title, base_url + a.path + "?utm_source=rss&utm_medium=feed", f"{outlet.slug}-{a.number}",
                            a.published, a.author, a.paragraphs[0][:277], a.section)
                for a in own[k : k + FEED_ITEMS]
            ]
            _put(files, path, fx.rss2(title=f"{outlet.name} ({k // FEED_ITEMS + 1})", site=base_url + outlet.prefix,
                                      self_url=base_url + path, description=f"Stories from {outlet.name}",
                                      items=items, tz=outlet.local_tz))
            own_feeds.append(base_url + path)
        months = sorted({f"{a.published:%Y-%m}" for a in own})
        index = []
        for month in months:
            path = f"{outlet.prefix}sitemaps/{month}.xml"
            entries = [(base_url + a.path, a.published) for a in own if f"{a.published:%Y-%m}" == month]
            _put(files, path, fx.urlset(entries, UTC))
            index.append((base_url + path, max(m for _, m in entries)))
        index_path = f"{outlet.prefix}sitemap.xml"
        _put(files, index_path, fx.sitemap_index(index, UTC))
        feeds += own_feeds
        sitemaps.append(base_url + index_path)
        sources.append(f"\n[[sources]]\nname = {json.dumps(outlet.name)}\nfeeds = {json.dumps(own_feeds)}\n"
                       f"sitemaps = {json.dumps([base_url + index_path])}\n")
    _put(files, "/sources.toml", "".join(sources))
    stamp = END.timestamp()
    for url_path, data in files.items():
        target = out_dir / url_path.lstrip("/")
        if url_path.endswith("/"):
            target = target / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        os.utime(target, (stamp, stamp))
    days = sorted(a.published.date() for a in articles)
    return Corpus(base_url, out_dir, len(articles), sum(_words(a.paragraphs) for a in articles), tuple(feeds),
                  tuple(sitemaps), str(days[0]), str(days[-1]), tuple(a.path for a in articles))


def serve_corpus(out_dir: Path, n: int, seed: int = DEFAULT_SEED, host: str = "127.0.0.1") -> tuple[SiteServer, Corpus]:
    """Bind a port, generate the corpus for that address, serve it. Close the server when done."""
    httpd = _Server((host, 0), None)
    try:
        bound_host, bound_port = httpd.server_address[:2]
        corpus = generate_corpus(out_dir, f"http://{bound_host}:{bound_port}", n, seed)
    except BaseException:
        httpd.server_close()
        raise
    httpd.root = Path(out_dir)
    return SiteServer(httpd), corpus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("base_url")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    corpus = generate_corpus(args.out_dir, args.base_url, args.n, args.seed)
    print(f"wrote {corpus.articles} articles ({corpus.words} words) to {corpus.root}; sources: {corpus.sources_file}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
