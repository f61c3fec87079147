"""The `ingest` flow: one pass over every feed of every source. It only sequences; the work is in
`pipeline.ingest`. Tasks are coarse (all feeds, a batch of pages) to keep orchestration cheap: fetching,
extraction and NLP of the next batch overlap with the write of the current one, and there is one writer."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import flows  # noqa: F401  (telemetry off before prefect loads)
from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from flows.runners import warm_workers
from pipeline.ingest import (
    Batch,
    BatchOutcome,
    FeedCheck,
    Ingest,
    PreparedBatch,
    batch_collections,
    fetch_feeds,
    prepare_batch,
    prepared_in_order,
)
from pipeline.settings import Config, load_config


@task(name="fetch-feeds", cache_policy=NO_CACHE)
def fetch(config: Config, feeds: list[tuple[str, str, str | None, str | None]]) -> list[FeedCheck]:
    """Fetch and parse every feed of the run, concurrently: network work, which may run on another process.
    Each feed's outcome is in the run report and the `feeds` table."""
    return fetch_feeds(config, feeds)


@task(name="prepare-batch", cache_policy=NO_CACHE)
def prepare(config: Config, entries: tuple, window: tuple[date, date] | None = None) -> PreparedBatch:
    """Fetch, extract and annotate: the CPU and network work, which may run on another process."""
    return prepare_batch(config, entries, window)


def process_batches(
    ingest: Ingest, run_id: str, batches: Iterable[Batch], window: tuple[date, date] | None = None
) -> list[BatchOutcome]:
    """Prepare batches ahead on the flow's task runner (`prepared_in_order`: PREPARING at once, the next
    started as soon as one is prepared) while this process, the single writer, stores them one by one in
    order."""
    outcomes: list[BatchOutcome] = []
    with batch_collections():
        for batch, future in prepared_in_order(batches, lambda b: prepare.submit(ingest.config, b.entries, window)):
            outcomes.append(ingest.write_batch(run_id, future.result(), batch.feeds))
    return outcomes


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
        "outside_window": sum(o.outside_window for o in outcomes),
        "articles_new": sum(o.new for o in outcomes),
        "duplicates_new": sum(o.duplicates for o in outcomes),
        "page_failures": dict(reasons),
    }


def report(title: str, summary: dict, new_by_source: dict[str, int]) -> str:
    """The run report left as a Prefect markdown artifact."""
    lines = [f"# {title}", "", f"Run `{summary['run_id']}`: **{summary['status']}**.", "", "| source | new articles |",
             "| --- | --- |"]
    lines += [f"| {name} | {n} |" for name, n in sorted(new_by_source.items())] or ["| (none) | 0 |"]
    lines += ["", f"Near-duplicate copies among them: {summary['duplicates_new']}.", ""]
    lines += ["| failures by reason | count |", "| --- | --- |"]
    failures = Counter(summary["page_failures"])
    failures.update(Counter(summary["feed_failures"].values()))
    lines += [f"| {reason} | {n} |" for reason, n in sorted(failures.items())] or ["| (none) | 0 |"]
    if summary.get("feeds_total"):
        lines += ["", f"Feeds: {summary['feeds_total']}, not modified: {summary['feeds_not_modified']}, "
                  f"failed: {summary['feeds_failed']}."]
    return "\n".join(lines)


def leave_report(ingest: Ingest, key: str, title: str, summary: dict) -> None:
    create_markdown_artifact(
        markdown=report(title, summary, ingest.new_by_source(summary["run_id"])),
        key=key,
        description=f"{title}: new articles per source, failures by reason",
    )


@flow(name="ingest", log_prints=True)
def ingest_flow(db: str, sources: str) -> dict:
    """Fetch every feed, then fetch, clean, annotate and store its new articles batch by batch."""
    config = load_config(Path(sources))
    warm_workers(config.settings)
    ingest = Ingest(config, Path(db))
    run_id = ingest.start_run("ingest")
    status, checks, outcomes = "failed", [], []
    try:
        feeds = [(s.name, url) for s in config.sources for url in s.feeds]
        states = ingest.feed_states([url for _name, url in feeds])
        pending = fetch.submit(config, [(name, url, *states[url]) for name, url in feeds])
        checks = ingest.keep_unstored_all(pending.result())
        outcomes = process_batches(ingest, run_id, ingest.plan_batches(checks, ingest.retry_entries()))
        nothing_done = checks and all(c.failure is not None for c in checks)
        status = "failed" if nothing_done else "completed"
    finally:
        summary = summarise(checks, outcomes)
        ingest.finish_run(run_id, status, summary)
    summary.update(run_id=run_id, status=status)
    leave_report(ingest, "ingest-report", "Ingest run", summary)
    print(
        f"run {run_id}: {summary['articles_new']} new articles ({summary['duplicates_new']} near-duplicates), "
        f"{summary['feeds_total']} feeds ({summary['feeds_not_modified']} not modified, "
        f"{summary['feeds_failed']} failed), {summary['pages_failed']} pages failed"
    )
    return summary
