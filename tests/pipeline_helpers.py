"""Building a Config for tests without a sources file on disk."""

from __future__ import annotations

from pathlib import Path

from pipeline.settings import Config, load_settings, parse_sources


def make_config(sources: dict[str, list[str]], sitemaps: dict[str, list[str]] | None = None, **fetch) -> Config:
    """A Config with local addresses allowed, no politeness delay, no retry back-off, plus `fetch` overrides."""
    fetch = {"allow_private_networks": True, "per_host_delay": 0.0, "backoff": 0.0, **fetch}
    data = {
        "fetch": fetch,
        "sources": [
            {"name": name, "feeds": feeds, "sitemaps": (sitemaps or {}).get(name, [])}
            for name, feeds in sources.items()
        ],
    }
    parsed, settings = parse_sources(data, load_settings())
    return Config(sources=parsed, settings=settings, sources_path=Path("<test>"))


def ingest_pass(config: Config, db: Path) -> dict:
    """One ingest pass in-process without Prefect, with the flow's sequence and concurrency
    (`pipeline.ingest.run_ingest`): every feed at once, then the new entries and the pending retries in
    batches prepared ahead, each written in one transaction. Returns the run's summary."""
    from pipeline.ingest import run_ingest

    return run_ingest(config, db)


def serve_outlets(server, posts: list[tuple[str, str, bytes, str]], folder: Path) -> Path:
    """On a LocalHTTPServer: each post's page (`/<outlet>/<n>.html`) and one RSS feed per outlet; returns a sources
    file in `folder` listing every outlet as '<Outlet> News' (local addresses allowed, no politeness delay).
    A post is (outlet, title, page, RFC 822 publication date)."""
    from httpserver import Reply

    feeds: dict[str, list[str]] = {}
    for n, (outlet, title, page, published) in enumerate(posts):
        path = f"/{outlet}/{n}.html"
        server.add(path, Reply(body=page))
        feeds.setdefault(outlet, []).append(
            f"<item><title>{title}</title><link>{server.url(path)}</link><pubDate>{published}</pubDate></item>"
        )
    sources = ["[fetch]\nallow_private_networks = true\nper_host_delay = 0.0\n"]
    for outlet, items in feeds.items():
        server.add(f"/{outlet}/rss.xml", Reply(
            body=f"<rss version='2.0'><channel><title>{outlet}</title>{''.join(items)}</channel></rss>".encode()))
        sources.append(f"[[sources]]\nname = '{outlet.title()} News'\nfeeds = ['{server.url(f'/{outlet}/rss.xml')}']\n")
    path = folder / "sources.toml"
    path.write_text("".join(sources))
    return path
