"""The maintenance of a DuckLake store on a schedule (`newsmon serve` and `newsmon deploy` add it when --db is a
store): merge the small files commits leave, expire old snapshots, delete the files they leave once the grace
period has passed (pipeline/lake.py `maintain`)."""

from __future__ import annotations

from datetime import timedelta

from prefect import flow

import flows  # noqa: F401  (telemetry off before prefect loads)
from pipeline.lake import describe, maintain

DEFAULT_CRON = "17 3 * * *"  # daily, at a quiet hour


@flow(name="maintain-store", log_prints=True)
def maintain_flow(db: str, keep_days: float = 7.0, grace_hours: float = 24.0) -> dict:
    """One maintenance pass over the store `db` (ducklake:postgres:...). Returns what it did."""
    done = maintain(db, timedelta(days=keep_days), timedelta(hours=grace_hours))
    print(f"{describe(db)}: data and delete files {done.files_before} -> {done.files_after}, "
          f"{done.snapshots_expired} snapshots expired ({done.snapshots_left} kept), {done.files_deleted} files "
          f"deleted, {done.tables} tables checked unchanged")
    return {"files_before": done.files_before, "files_after": done.files_after,
            "snapshots_expired": done.snapshots_expired, "snapshots_left": done.snapshots_left,
            "files_deleted": done.files_deleted, "tables": done.tables}
