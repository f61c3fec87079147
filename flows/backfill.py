"""The `backfill` flow: the articles of a date window that are not stored yet, through the sitemaps; with
`reprocess`, extraction and NLP are re-run over the window's stored articles too. Day by day: a day that
fails is recorded and the others go on, so it can be re-run alone. Safe to repeat."""

from __future__ import annotations

import os
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.cache_policies import NO_CACHE

import flows  # noqa: F401  (telemetry off before prefect loads)
from flows.ingest import leave_report, process_batches, summarise
from pipeline.backfill import (
    keep_unstored,
    plan_days,
    read_sitemaps,
    selected_sources,
    window_problem,
)
from pipeline.ingest import BatchOutcome, Ingest
from pipeline.records import Source
from pipeline.reprocess import reprocess_window
from pipeline.settings import Config, load_config
from pipeline.sitemaps import Discovery

DEFAULT_DB = "data/newsmon.duckdb"
DEFAULT_SOURCES = "config/sources.toml"


def resolve_window(start: str | None, end: str | None) -> tuple[date, date]:
    """Dates from the parameters, defaulting at run time (not import time) to yesterday and today, UTC."""
    today = datetime.now(timezone.utc).date()
    first = date.fromisoformat(start) if start else today - timedelta(days=1)
    last = date.fromisoformat(end) if end else today
    problem = window_problem(first, last, today)
    if problem:
        raise ValueError(problem)
    return first, last


@task(name="discover-sitemaps", cache_policy=NO_CACHE, task_run_name="sitemaps of {source.name}")
def discover_task(config: Config, source: Source, start: date, end: date) -> Discovery:
    """Read one source's sitemaps: network work without the database, which may run on another process."""
    return read_sitemaps(config, source, start, end)


class TextProgress:
    """A progress bar on stderr for the command line."""

    def __init__(self, total: int):
        self.total = max(total, 1)

    def __call__(self, done: int, label: str) -> None:
        width = 30
        filled = int(width * done / self.total)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{self.total} days  {label:<40}")
        if done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


@flow(name="backfill", log_prints=True)
def backfill_flow(
    start: str | None = None,
    end: str | None = None,
    sources: list[str] | None = None,
    reprocess: bool = False,
    db: str | None = None,
    sources_file: str | None = None,
    show_progress: bool = False,
) -> dict:
    """Bring in the window's articles found in the sitemaps (only those not stored), day by day."""
    first, last = resolve_window(start, end)
    db_path = Path(db or os.environ.get("NEWSMON_DB") or DEFAULT_DB)
    config = load_config(Path(sources_file or os.environ.get("NEWSMON_SOURCES") or DEFAULT_SOURCES))
    ingest = Ingest(config, db_path)
    chosen = selected_sources(ingest, sources)
    run_id = ingest.start_run("backfill")
    outcomes: list[BatchOutcome] = []
    failed_days: list[str] = []
    status = "failed"
    try:
        futures = [discover_task.submit(config, s, first, last) for s in chosen]
        discoveries = [keep_unstored(ingest, s, f.result(), first, last) for s, f in zip(chosen, futures)]
        sitemap_failures = [(f, d.source) for d in discoveries for f in d.failures]
        if sitemap_failures:
            with ingest.writer() as w:
                w.record_failures(run_id, sitemap_failures)
        plans = plan_days(ingest, discoveries, first, last)
        progress_id = create_progress_artifact(progress=0.0, key="backfill-progress", description="days done")
        bar = TextProgress(len(plans)) if show_progress else None
        for i, plan in enumerate(plans, 1):
            try:
                day_outcomes = process_batches(ingest, run_id, plan.batches, (first, last))
                outcomes += day_outcomes
                label = f"{plan.day}: {sum(o.new for o in day_outcomes)} new"
            except Exception as exc:  # a day that fails is recorded; the others go on  # noqa: BLE001
                failed_days.append(str(plan.day))
                label = f"{plan.day}: failed ({type(exc).__name__})"
                print(f"backfill day {plan.day} failed: {type(exc).__name__}: {exc}")
            update_progress_artifact(progress_id, progress=100.0 * i / len(plans))
            if bar:
                bar(i, label)
        if reprocess:
            result = reprocess_window(db_path, config.settings, first, last, tuple(sources or ()))
            print(f"reprocessed {result.articles} stored articles ({result.texts_changed} with a new text)")
        status = "failed" if failed_days else "completed"
    finally:
        summary = summarise([], outcomes)
        detail = f"window {first}..{last}" + (f"; failed days: {', '.join(failed_days)}" if failed_days else "")
        ingest.finish_run(run_id, status, summary, detail)
    summary.update(run_id=run_id, status=status, failed_days=failed_days, start=str(first), end=str(last))
    leave_report(ingest, "backfill-report", f"Backfill {first} to {last}", summary)
    print(
        f"backfill {first}..{last} run {run_id}: {summary['articles_new']} new articles "
        f"({summary['duplicates_new']} near-duplicates), {summary['pages_failed']} pages failed, "
        f"{summary['outside_window']} pages outside the window"
        + (f"; failed days: {', '.join(failed_days)} (re-run them alone)" if failed_days else "")
    )
    return summary
