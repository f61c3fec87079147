"""One backfill through the plain-Python core without a Prefect server: the backfill flow's sequence (every
source's sitemaps, then the window's unstored pages day by day, batches prepared ahead and written in order by
`flows.backfill.process_days`) with the flow's preparation on threads of this process instead of Prefect
tasks. A writer that starts in a fraction of `newsmon backfill`'s time (tests/faults/test_lake_writers.py).

    python tests/faults/plain_backfill.py SOURCES DB START END    # DB: a DuckDB file or a DuckLake store
"""

from __future__ import annotations

import logging
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flows.backfill import process_days
from flows.ingest import summarise
from pipeline import store
from pipeline.backfill import keep_unstored, plan_days, read_sitemaps
from pipeline.ingest import PREPARING, Ingest, prepare_batch
from pipeline.settings import load_config


def backfill(sources: Path, db: str, first: date, last: date) -> dict:
    config = load_config(sources)
    ingest = Ingest(config, db)
    run_id = ingest.start_run("backfill")
    outcomes, status, failed_days = [], "failed", []
    try:
        found = [(s, read_sitemaps(config, s, first, last)) for s in config.sources]
        discoveries = [keep_unstored(ingest, s, d, first, last) for s, d in found]
        failures = [(f, d.source) for d in discoveries for f in d.failures]
        if failures:
            store.write(ingest.db_path, lambda w: w.record_failures(run_id, failures))
        with ThreadPoolExecutor(PREPARING, "prepare") as pool:
            outcomes = process_days(ingest, run_id, plan_days(ingest, discoveries, first, last), (first, last),
                                    lambda _i, plan, error: error and failed_days.append(plan.day),
                                    lambda entries: pool.submit(prepare_batch, config, entries, (first, last)))
        status = "failed" if failed_days else "completed"
    finally:
        summary = summarise([], outcomes)
        ingest.finish_run(run_id, status, summary, f"window {first}..{last}")
    return {**summary, "run_id": run_id, "status": status, "batches": len(outcomes)}


if __name__ == "__main__":
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(name)s: %(message)s")
    logging.getLogger("pipeline.lake").setLevel(logging.INFO)  # commit conflicts, each retried
    summary = backfill(Path(sys.argv[1]), sys.argv[2], date.fromisoformat(sys.argv[3]), date.fromisoformat(sys.argv[4]))
    print(summary, flush=True)
    sys.exit(0 if summary["status"] == "completed" else 1)
