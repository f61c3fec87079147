"""One ingest pass through the plain-Python core, in the order `flows.ingest.ingest_flow` runs it, without
Prefect: for tests that need many runs in one process (soak) or a writer in a process of its own that
starts in a fraction of `newsmon run`'s time (concurrency).

    python tests/faults/plain_ingest.py SOURCES DB    # logs pipeline.store (lock waits) on stderr
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline.ingest import Ingest
from pipeline.settings import load_config


def ingest_pass(sources: Path, db: Path) -> dict:
    """Every feed, then its new entries batch by batch; the run recorded as the flow records it."""
    config = load_config(Path(sources))
    ingest = Ingest(config, Path(db))
    run_id = ingest.start_run("ingest")
    checks, outcomes, status = [], [], "failed"
    try:
        checks = [ingest.check_feed(s.name, url) for s in config.sources for url in s.feeds]
        outcomes = [ingest.process_batch(run_id, b) for b in ingest.plan_batches(checks, ingest.retry_entries())]
        status = "failed" if checks and all(c.failure is not None for c in checks) else "completed"
    finally:
        counts = {
            "feeds_total": len(checks),
            "feeds_not_modified": sum(c.status == "not_modified" for c in checks),
            "feeds_failed": sum(c.failure is not None for c in checks),
            "pages_fetched": sum(o.fetched for o in outcomes),
            "pages_failed": sum(o.failed for o in outcomes),
        }
        ingest.finish_run(run_id, status, counts)
    return {**counts, "run_id": run_id, "status": status, "articles_new": sum(o.new for o in outcomes)}


if __name__ == "__main__":
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(name)s: %(message)s")
    logging.getLogger("pipeline.store").setLevel(logging.INFO)
    summary = ingest_pass(Path(sys.argv[1]), Path(sys.argv[2]))
    print(summary, flush=True)
    sys.exit(0 if summary["status"] == "completed" else 1)
