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


def ingest_pass(config: Config, db: Path) -> dict[str, int]:
    """One ingest pass in-process, sequenced as flows/ingest.py does it (without Prefect): every feed,
    then the new entries and the pending retries in batches, each written in one transaction."""
    from pipeline.ingest import Ingest

    with Ingest(config, db) as ingest:
        run_id = ingest.start_run("ingest")
        checks = [ingest.check_feed(s.name, url) for s in config.sources for url in s.feeds]
        batches = ingest.plan_batches(checks, ingest.retry_entries())
        outcomes = [ingest.process_batch(run_id, batch) for batch in batches]
        counts = {
            "feeds_total": len(checks),
            "feeds_not_modified": sum(c.status == "not_modified" for c in checks),
            "feeds_failed": sum(c.failure is not None for c in checks),
            "pages_fetched": sum(o.fetched for o in outcomes),
            "pages_failed": sum(o.failed for o in outcomes),
        }
        ingest.finish_run(run_id, "completed", counts)
    return {**counts, "articles_new": sum(o.new for o in outcomes), "batches": len(batches)}
