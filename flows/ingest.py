"""The `ingest` flow: one pass over every feed of every source. It only sequences; the work is in
`pipeline.ingest`. Tasks are coarse (a feed, a batch of pages) to keep orchestration cheap."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import flows  # noqa: F401  (telemetry off before prefect loads)
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from pipeline.ingest import Batch, BatchOutcome, FeedCheck, Ingest
from pipeline.settings import load_config


@task(name="check-feed", cache_policy=NO_CACHE, task_run_name="feed {feed_url}")
def check_feed(ingest: Ingest, source: str, feed_url: str) -> FeedCheck:
    return ingest.check_feed(source, feed_url)


@task(name="ingest-batch", cache_policy=NO_CACHE)
def ingest_batch(ingest: Ingest, run_id: str, batch: Batch) -> BatchOutcome:
    return ingest.process_batch(run_id, batch)


def summarise(checks: list[FeedCheck], outcomes: list[BatchOutcome]) -> dict:
    reasons = Counter()
    for outcome in outcomes:
        reasons.update(outcome.reasons)
    failed_feeds = [c for c in checks if c.failure is not None]
    return {
        "feeds_total": len(checks),
        "feeds_not_modified": sum(c.status == "not_modified" for c in checks),
        "feeds_failed": len(failed_feeds),
        "feed_failures": {c.feed_url: c.status for c in failed_feeds},
        "pages_fetched": sum(o.fetched for o in outcomes),
        "pages_failed": sum(o.failed for o in outcomes),
        "articles_new": sum(o.new for o in outcomes),
        "duplicates_new": sum(o.duplicates for o in outcomes),
        "page_failures": dict(reasons),
    }


@flow(name="ingest", log_prints=True)
def ingest_flow(db: str, sources: str) -> dict:
    """Fetch every feed, then fetch, clean, annotate and store its new articles batch by batch."""
    config = load_config(Path(sources))
    with Ingest(config, Path(db)) as ingest:
        run_id = ingest.start_run("ingest")
        status, checks, outcomes = "failed", [], []
        try:
            futures = [check_feed.submit(ingest, s.name, url) for s in config.sources for url in s.feeds]
            checks = [f.result() for f in futures]
            batches = ingest.plan_batches(checks, ingest.retry_entries())
            outcomes = [ingest_batch(ingest, run_id, b) for b in batches]
            summary = summarise(checks, outcomes)
            nothing_done = checks and summary["feeds_failed"] == len(checks)
            status = "failed" if nothing_done else "completed"
        finally:
            summary = summarise(checks, outcomes)
            ingest.finish_run(run_id, status, summary)
        summary.update(run_id=run_id, status=status)
        print(
            f"run {run_id}: {summary['articles_new']} new articles ({summary['duplicates_new']} near-duplicates), "
            f"{summary['feeds_total']} feeds ({summary['feeds_not_modified']} not modified, "
            f"{summary['feeds_failed']} failed), {summary['pages_failed']} pages failed"
        )
        return summary
