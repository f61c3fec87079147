"""One ingest pass through the plain-Python core without Prefect (`pipeline.ingest.run_ingest`: the
`ingest` flow's sequence and concurrency, on threads instead of tasks), in a process of its own: a writer
that starts in a fraction of `newsmon run`'s time (concurrency tests).

    python tests/faults/plain_ingest.py SOURCES DB    # logs pipeline.store (lock waits) on stderr

DB: a DuckDB file or a DuckLake store.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline.ingest import run_ingest
from pipeline.settings import load_config


def ingest_pass(sources: Path, db: Path | str) -> dict:
    """Every feed, then its new entries batch by batch; the run recorded as the flow records it. `db`: a
    DuckDB file, or a DuckLake store (`ducklake:postgres:...`, its data folder in $NEWSMON_DATA_PATH)."""
    return run_ingest(load_config(Path(sources)), db)


if __name__ == "__main__":
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(name)s: %(message)s")
    logging.getLogger("pipeline.store").setLevel(logging.INFO)
    logging.getLogger("pipeline.lake").setLevel(logging.INFO)  # commit conflicts, each retried
    summary = ingest_pass(Path(sys.argv[1]), sys.argv[2])
    print(summary, flush=True)
    sys.exit(0 if summary["status"] == "completed" else 1)
