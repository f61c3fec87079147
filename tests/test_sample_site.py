"""The bundled sample news site: generated deterministically, served over real HTTP on 127.0.0.1,
and checked with the same libraries the pipeline uses (feedparser, trafilatura)."""

from __future__ import annotations

import html
import re
import tomllib
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import feedparser
import pytest
import trafilatura

from newsmon.sample_site import SiteManifest, generate_site, serve_generated_site, sources_toml
from newsmon.sample_site.generate import SEED_ARTICLE_FILE, main, read_seed_article
from newsmon.sample_site.pages import REAL_NOTE, SYNTHETIC_NOTE

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
AFGHAN_WORDS = ("Afghan", "Taliban", "Kabul", "Kandahar", "Islamic Emirate", "ISKP", "Doha", "Pakistan", "UNAMA")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with serve_generated_site(tmp_path_factory.mktemp("site")) as server:
        yield server


@pytest.fixture(scope="module")
def manifest(site) -> SiteManifest:
    return site.manifest


def get(url: str, method: str = "GET", headers: dict[str, str] | None = None):
    """(status, headers, body) without raising on 4xx."""
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def page_file(root: Path, path: str) -> Path:
    target = root / path.lstrip("/")
    return target / "index.html" if path.endswith("/") else target


def canonical(link: str) -> str:
    parts = urlsplit(link)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def tree_bytes(root: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(root.rglob("*")) if p.is_file()}


# ---- generation ----


def test_generation_is_deterministic(tmp_path):
    base = "http://127.0.0.1:8000"
    first = generate_site(tmp_path / "a", base)
    second = generate_site(tmp_path / "b", base)
    assert first == second
    a, b = tree_bytes(tmp_path / "a"), tree_bytes(tmp_path / "b")
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []
    other = generate_site(tmp_path / "c", base, seed=7)
    assert other.articles != first.articles


def test_counts_dates_and_mix(manifest):
    articles = manifest.articles
    assert len(articles) >= 150
    assert len(manifest.outlets) >= 3
    assert {a.outlet for a in articles} == {o.slug for o in manifest.outlets}
    start = datetime(2021, 8, 15, tzinfo=timezone.utc)
    end = datetime(2022, 1, 1, tzinfo=timezone.utc)
    assert all(start <= a.published_at < end for a in articles)
    assert all(a.published_at.second == 0 for a in articles)
    assert len({a.path for a in articles}) == len(articles)
    assert len({a.title for a in articles}) == len(articles)
    off = [a for a in articles if not a.on_topic]
    assert 0.07 <= len(off) / len(articles) <= 0.13
    assert all(a.path.startswith(f"/{a.outlet}/") for a in articles)
    assert all(a.in_sitemaps for a in articles)
    in_feeds = sum(a.in_feeds for a in articles) / len(articles)
    assert 0.5 <= in_feeds <= 0.7
    cutoff = datetime.fromisoformat(manifest.feed_cutoff)
    assert all(a.in_feeds == (a.published_at >= cutoff) for a in articles)
    months = Counter(a.published[:7] for a in articles)
    assert set(months) == {"2021-08", "2021-09", "2021-10", "2021-11", "2021-12"}


def test_wire_copies(manifest):
    by_path = {a.path: a for a in manifest.articles}
    copies = [a for a in manifest.articles if a.syndicated_from]
    assert len(copies) >= 10
    for copy in copies:
        original = by_path[copy.syndicated_from]
        assert original.syndicated_from is None
        assert copy.outlet != original.outlet
        assert copy.title != original.title
        hours = (copy.published_at - original.published_at).total_seconds() / 3600
        assert 1 <= hours <= 8
        assert copy.quotes == original.quotes and copy.topic == original.topic


def test_copies_are_near_duplicates_and_other_stories_are_not(site, manifest):
    def shingles(path: str) -> set[tuple[str, ...]]:
        text = trafilatura.extract(page_file(site.root, path).read_text(encoding="utf-8")) or ""
        words = re.findall(r"\w+", text.lower())
        return {tuple(words[i : i + 5]) for i in range(len(words) - 4)}

    def jaccard(a: set, b: set) -> float:
        return len(a & b) / len(a | b)

    copies = [a for a in manifest.articles if a.syndicated_from]
    for copy in copies:
        assert jaccard(shingles(copy.path), shingles(copy.syndicated_from)) >= 0.8, copy.path
    # stories on the same topic share templates, but stay far from duplicates
    pairs = Counter()
    for topic in ("humanitarian", "frozen_reserves", "girls_education"):
        same = [a for a in manifest.articles if a.topic == topic and not a.syndicated_from][:6]
        sets = [shingles(a.path) for a in same]
        for i in range(len(sets)):
            for j in range(i + 1, len(sets)):
                pairs[(topic, i, j)] = jaccard(sets[i], sets[j])
    assert pairs and max(pairs.values()) < 0.6


def test_seed_article_is_included_verbatim(site, manifest):
    title, day, paragraphs = read_seed_article(SEED_ARTICLE_FILE)
    assert title.startswith("Under duress, the Taliban will meet") and day == "2021-10-11"
    assert len(paragraphs) == 15
    seed = manifest.article(manifest.seed_article)
    assert seed.title == title and not seed.synthetic and seed.on_topic
    assert seed.published.startswith("2021-10-11T")
    page = page_file(site.root, seed.path).read_text(encoding="utf-8")
    text = html.unescape(page)
    assert f"<h1 class=\"kl-headline\">{title}</h1>" in text
    for paragraph in paragraphs:
        assert f"<p>{paragraph}</p>" in text
    assert '<meta name="newsmon:synthetic" content="false">' in page
    assert REAL_NOTE in text and SYNTHETIC_NOTE not in text
    extracted = trafilatura.extract(page) or ""
    assert all(p in extracted for p in paragraphs)


def test_bundled_seed_article_matches_the_shared_copy():
    shared = Path(__file__).resolve().parents[2] / "shared" / "seed-article.txt"
    if not shared.exists():
        pytest.skip("no ../shared beside the repository")
    assert SEED_ARTICLE_FILE.read_bytes() == shared.read_bytes()


def test_synthetic_pages_are_marked_and_carry_their_quotes(site, manifest):
    for article in manifest.articles:
        page = page_file(site.root, article.path).read_text(encoding="utf-8")
        text = html.unescape(page)
        if article.synthetic:
            assert '<meta name="newsmon:synthetic" content="true">' in page
            after_note = text[text.index(SYNTHETIC_NOTE) :]
            body_rest = after_note[: min(after_note.index(end) for end in ("</div>", "</main>") if end in after_note)]
            assert "<p" not in body_rest  # the note is the body's last paragraph
        for _, quote in article.quotes:
            assert quote in text, (article.path, quote)
        assert f'<link rel="canonical" href="{article.url}">' in page


def test_off_topic_stories_do_not_mention_afghanistan(site, manifest):
    off = [a for a in manifest.articles if not a.on_topic]
    assert {a.topic for a in off} == {"sport", "markets", "weather"}
    for article in off:
        body = trafilatura.extract(page_file(site.root, article.path).read_text(encoding="utf-8")) or ""
        assert not [w for w in AFGHAN_WORDS if w in body], article.path
        assert article.actors == ()


def test_topics_and_actors_cover_the_subject(manifest):
    topics = Counter(a.topic for a in manifest.articles if a.on_topic)
    for topic in ("doha_talks", "moscow_format", "islamabad_troika", "oic_session", "aid_pledges", "un_seat",
                  "girls_education", "iskp_attacks", "frozen_reserves", "evacuation", "refugees", "humanitarian",
                  "narcotics"):
        assert topics[topic] >= 1, topic
    actors = Counter(x for a in manifest.articles for x in a.actors)
    for actor in ("Amir Khan Muttaqi", "Zabihullah Mujahid", "Antonio Guterres", "Josep Borrell", "Taliban",
                  "UNAMA", "World Food Programme", "Islamic State Khorasan Province", "World Bank",
                  "Organisation of Islamic Cooperation", "Pakistan", "United States"):
        assert actors[actor] >= 2, actor
    speakers = {s for a in manifest.articles for s, _ in a.quotes}
    assert {"Amir Khan Muttaqi", "Ned Price", "Sergei Lavrov", "Shah Mahmood Qureshi"} <= speakers


# ---- serving ----


def test_content_types(site, manifest):
    expected = {
        "/robots.txt": "text/plain",
        manifest.seed_article: "text/html; charset=utf-8",
        "/kabul-ledger/rss/latest.xml": "application/rss+xml",
        "/kabul-ledger/atom/diplomacy.xml": "application/atom+xml",
        "/kabul-ledger/sitemap.xml": "application/xml",
        "/files/report.pdf": "application/pdf",
    }
    for path, content_type in expected.items():
        status, headers, body = get(site.url(path))
        assert status == 200 and headers["Content-Type"].startswith(content_type), path
    assert get(site.url("/files/report.pdf"))[2].startswith(b"%PDF-1.4")


def test_conditional_get_head_and_request_log(site, manifest):
    url = manifest.articles[5].url
    site.clear_requests()
    status, headers, body = get(url, headers={"User-Agent": "newsmon-test/1.0"})
    assert status == 200 and body
    etag, last_modified = headers["ETag"], headers["Last-Modified"]
    assert parsedate_to_datetime(last_modified) == datetime.fromisoformat(manifest.articles[5].lastmod)
    assert get(url, headers={"If-None-Match": etag})[0] == 304
    assert get(url, headers={"If-Modified-Since": last_modified})[0] == 304
    assert get(url, headers={"If-None-Match": '"something-else"'})[0] == 200
    feed = manifest.feeds[0].url
    _, feed_headers, _ = get(feed)
    assert get(feed, headers={"If-None-Match": feed_headers["ETag"]})[0] == 304
    status, head_headers, head_body = get(url, method="HEAD")
    assert status == 200 and head_body == b"" and int(head_headers["Content-Length"]) == len(body)
    log = [r for r in site.requests if r.path == urlsplit(url).path]
    assert [r.method for r in log][:2] == ["GET", "GET"]
    assert log[0].headers["user-agent"] == "newsmon-test/1.0" and log[0].status == 200
    assert log[1].headers["if-none-match"] == etag and log[1].status == 304


def test_directory_urls_redirect_and_missing_paths_404(site):
    status, headers, _ = get(site.url("/gulf-wire"))  # urllib follows the 301
    assert status == 200
    assert get(site.url("/no/such/page.html"))[0] == 404
    assert get(site.url("/../../etc/passwd"))[0] == 404


# ---- feeds ----


def _parsed_feeds(manifest):
    for feed in manifest.feeds:
        status, headers, body = get(feed.url)
        assert status == 200
        yield feed, feedparser.parse(body)


def test_feeds_parse_with_feedparser(manifest):
    versions = {"rss2.0": "rss20", "atom": "atom10", "rss1.0": "rss10"}
    by_url = {a.url: a for a in manifest.articles}
    assert {f.format for f in manifest.feeds} == {"rss2.0", "atom", "rss1.0"}
    assert sum(f.malformed for f in manifest.feeds) == 1
    for feed, parsed in _parsed_feeds(manifest):
        assert parsed.version == versions[feed.format]
        assert bool(parsed.bozo) == feed.malformed, feed.url
        assert len(parsed.entries) == feed.entries > 0
        for entry in parsed.entries:
            assert entry.title and entry.link and entry.get("author")
            stamp = entry.get("published_parsed") or entry.get("updated_parsed")
            when = datetime(*stamp[:6], tzinfo=timezone.utc)
            article = by_url.get(canonical(entry.link))
            if article:
                assert when == article.published_at, entry.link
                assert entry.title == article.title


def test_feeds_hold_the_newest_articles_with_tracking_variants(manifest):
    links: dict[str, set[str]] = {}
    for feed, parsed in _parsed_feeds(manifest):
        for entry in parsed.entries:
            links.setdefault(canonical(entry.link), set()).add(entry.link)
    fed = {a.url for a in manifest.articles if a.in_feeds}
    assert fed <= set(links)
    assert {a.url for a in manifest.articles if not a.in_feeds}.isdisjoint(links)
    everything = [link for variants in links.values() for link in variants]
    assert any("utm_source=" in link for link in everything)
    assert any("#" in link for link in everything)
    assert any(not urlsplit(link).query and not urlsplit(link).fragment for link in everything)
    assert any(len(variants) >= 2 for variants in links.values())  # one article, two feeds, two links


def test_every_feed_link_resolves_except_the_failure_fixtures(manifest):
    failures = {f.url: f for f in manifest.failures}
    assert {f.expected_reason for f in failures.values()} == {"http_status", "not_html", "too_large"}
    seen = set()
    for feed, parsed in _parsed_feeds(manifest):
        for entry in parsed.entries:
            url = canonical(entry.link)
            fixture = failures.get(url)
            if fixture is None:
                if url not in seen:
                    status, headers, body = get(entry.link)
                    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8", entry.link
                    seen.add(url)
                continue
            assert fixture.feed == feed.url
            status, headers, _ = get(url, method="HEAD")
            if fixture.expected_reason == "http_status":
                assert status == 404
            elif fixture.expected_reason == "not_html":
                assert status == 200 and headers["Content-Type"] == "application/pdf"
            else:
                assert status == 200 and int(headers["Content-Length"]) > 6_000_000
    assert seen and set(failures) <= {canonical(e.link) for _, p in _parsed_feeds(manifest) for e in p.entries}


# ---- sitemaps and robots.txt ----


def test_robots_and_sitemaps_list_every_article(site, manifest):
    _, _, robots = get(manifest.robots_url)
    sitemap_urls = [line.split(":", 1)[1].strip() for line in robots.decode().splitlines() if line.startswith("Sitemap:")]
    indexes = [s.url for s in manifest.sitemaps if s.kind == "index"]
    assert set(indexes) <= set(sitemap_urls)
    found: dict[str, str] = {}
    news = 0
    for index in indexes:
        root = ET.fromstring(get(index)[2])
        assert root.tag == f"{SM}sitemapindex"
        for child in root.iter(f"{SM}sitemap"):
            assert child.find(f"{SM}lastmod").text
            urlset = ET.fromstring(get(child.find(f"{SM}loc").text)[2])
            for url in urlset.iter(f"{SM}url"):
                loc = url.find(f"{SM}loc").text
                if url.find(f"{NEWS}news") is not None:
                    news += 1
                    assert url.find(f"{NEWS}news/{NEWS}publication_date").text
                    continue
                found[loc] = url.find(f"{SM}lastmod").text
    assert news > 0
    assert set(found) == {a.url for a in manifest.articles}
    for article in manifest.articles:
        assert datetime.fromisoformat(found[article.url]) == datetime.fromisoformat(article.lastmod)


# ---- pages ----


@pytest.mark.parametrize("outlet", ["kabul-ledger", "gulf-wire", "frontier-post"])
def test_pages_have_boilerplate_that_extraction_drops(site, manifest, outlet):
    articles = [a for a in manifest.articles if a.outlet == outlet and a.synthetic and a.quotes][:4]
    for article in articles:
        status, headers, body = get(article.url)
        page = body.decode("utf-8")
        assert '<html lang="en">' in page and "<nav" in page and "<footer" in page
        assert f'<meta property="og:title" content="{html.escape(article.title)}">' in page
        assert f'<meta property="article:published_time" content="{article.published_at:%Y-%m-%dT%H:%M:%S}+00:00">' in page
        boilerplate = ["We use cookies", "Accept all", "Advertisement", "Related stories", "All rights reserved",
                       "newsletter", "Share on" if outlet != "frontier-post" else "WhatsApp"]
        for phrase in boilerplate:
            assert phrase in page, (outlet, phrase)
        text = trafilatura.extract(page, url=article.url) or ""
        for phrase in boilerplate + ["Meridian", "SkyPalm", "Crescent", "Privacy policy"]:
            assert phrase not in text, (article.path, phrase)
        related_list = page.split("Related stories</h2>", 1)[1].split("</ul>", 1)[0]
        related = [html.unescape(h) for h in re.findall(r'<li><a href="[^"]+">([^<]+)</a></li>', related_list)]
        assert len(related) == 5
        assert not [h for h in related if h in text]
        for _, quote in article.quotes:
            assert quote in text
        assert text.rstrip().endswith(SYNTHETIC_NOTE)


def test_index_pages(site, manifest):
    for outlet in manifest.outlets:
        status, _, body = get(outlet.index_url)
        page = body.decode()
        assert status == 200
        own = [a for a in manifest.articles if a.outlet == outlet.slug]
        assert all(a.url in page for a in own)


# ---- manifest, sources file, command line ----


def test_manifest_json_round_trips(site, manifest):
    assert SiteManifest.load(site.root / "manifest.json") == manifest


def test_sources_toml(site, manifest):
    text = sources_toml(manifest)
    assert (site.root / "sources.toml").read_text() == text
    data = tomllib.loads(text)
    assert data["fetch"] == {"allow_private_networks": True, "per_host_delay": 0.0}
    assert [s["name"] for s in data["sources"]] == [o.name for o in manifest.outlets]
    for source, outlet in zip(data["sources"], manifest.outlets):
        assert source["feeds"] == list(outlet.feeds) and source["sitemaps"] == list(outlet.sitemaps)
    settings = pytest.importorskip("pipeline.settings")
    sources, merged = settings.parse_sources(data, settings.load_settings())
    assert len(sources) == len(manifest.outlets) and merged.fetch.allow_private_networks


def test_command_line(tmp_path, capsys):
    assert main([str(tmp_path / "out"), "http://127.0.0.1:9999"]) == 0
    assert "articles" in capsys.readouterr().out
    loaded = SiteManifest.load(tmp_path / "out" / "manifest.json")
    assert loaded.base_url == "http://127.0.0.1:9999"
    with pytest.raises(SystemExit):
        main([str(tmp_path / "bad"), "ftp://example.org"])
