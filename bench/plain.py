"""The ingest flow's sequence of calls without Prefect, for the benchmarks that measure Prefect's share
(bench/orchestration.py, bench/throughput.py). Prefect is not imported here, so a process that runs only
this never loads it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pipeline.ingest import PREPARING, Ingest, batch_collections, fetch_feeds, prepare_batch, prepared_in_order
from pipeline.settings import load_config


def run_plain(sources: Path, db: Path) -> int:
    """Feeds fetched concurrently, batches prepared ahead as the flow prepares them (`prepared_in_order`, on
    threads; extraction and NLP on the worker processes), one writer, in order. Returns the new articles."""
    config = load_config(Path(sources))
    ingest = Ingest(config, Path(db))
    run_id = ingest.start_run("ingest")
    feeds = [(s.name, url) for s in config.sources for url in s.feeds]
    states = ingest.feed_states([url for _name, url in feeds])
    checks = ingest.keep_unstored_all(fetch_feeds(config, [(name, url, *states[url]) for name, url in feeds]))
    new = 0
    with ThreadPoolExecutor(PREPARING) as pool:
        batches = ingest.plan_batches(checks, ingest.retry_entries())
        prepared = prepared_in_order(batches, lambda b: pool.submit(prepare_batch, config, b.entries, None))
        with batch_collections():
            for batch, future in prepared:
                new += ingest.write_batch(run_id, future.result(), batch.feeds).new
    ingest.finish_run(run_id, "completed", {})
    return new
