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
