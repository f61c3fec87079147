"""The ingest flow's sequence of calls without Prefect, for the benchmarks that measure Prefect's share
(bench/orchestration.py, bench/throughput.py): `pipeline.ingest.run_ingest`. Prefect is not imported here,
so a process that runs only this never loads it."""

from __future__ import annotations

from pathlib import Path

from pipeline.ingest import run_ingest
from pipeline.settings import load_config


def run_plain(sources: Path, db: Path) -> int:
    """One ingest pass as the flow runs it, on threads instead of Prefect tasks; returns the new articles."""
    return run_ingest(load_config(Path(sources)), Path(db))["articles_new"]
