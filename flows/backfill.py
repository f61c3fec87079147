"""The `backfill` flow: the articles of a date window that are not stored yet, through the sitemaps; with
`reprocess`, extraction and NLP are re-run over the window's stored articles too. Day by day (quiet days
share a write batch): a day that fails is recorded and the others go on, so it can be re-run alone. Safe to
repeat."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.cache_policies import NO_CACHE

import flows  # noqa: F401  (telemetry off before prefect loads)
from flows.ingest import evaluate_alerts, leave_report, prepare, summarise
from flows.runners import warm_workers
from pipeline import store
from pipeline.alerts import load_alerts
from pipeline.backfill import (
    DayPlan,
    keep_unstored,
    plan_days,
    read_sitemaps,
    selected_sources,
    window_problem,
)
from pipeline.ingest import Batch, BatchOutcome, Ingest, batch_collections, prepared_in_order
from pipeline.records import Source
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


class DayProgress:
    """The run's progress artifact (updated at most once a second, and at the end) and, on the command line,
    the progress bar."""

    def __init__(self, total: int, show_bar: bool):
        self.total = total
        self.artifact = create_progress_artifact(progress=0.0, key="backfill-progress", description="days done")
        self.bar = TextProgress(total) if show_bar else None
        self.updated = time.monotonic()

    def __call__(self, done: int, label: str) -> None:
        if done >= self.total or time.monotonic() - self.updated >= 1.0:
            update_progress_artifact(self.artifact, progress=100.0 * done / max(self.total, 1))
            self.updated = time.monotonic()
        if self.bar:
            self.bar(done, label)


def write_groups(plans: list[DayPlan], size: int) -> list[tuple[tuple[int, ...], Batch]]:
    """The write batches of a backfill: consecutive days whose pages fit in one batch of `size` are written
    together (a quiet day does not cost a transaction of its own), a day is never split between them, and
    a day with more than one batch of its own keeps them. Each comes with the indexes of its days."""
    groups: list[tuple[tuple[int, ...], Batch]] = []
    days: list[int] = []
    entries: list = []

    def flush() -> None:
        if entries:
            groups.append((tuple(days), Batch(tuple(entries))))
        days.clear()
        entries.clear()

    for i, plan in enumerate(plans):
        if len(plan.batches) > 1:
            flush()
            groups += [((i,), batch) for batch in plan.batches]
        elif plan.batches:
            if len(entries) + len(plan.batches[0].entries) > size:
                flush()
            days.append(i)
            entries.extend(plan.batches[0].entries)
    flush()
    return groups


def process_days(
    ingest: Ingest,
    run_id: str,
    plans: list[DayPlan],
    window: tuple[date, date],
    day_done: Callable[[int, DayPlan, BaseException | None], None],
    submit: Callable[[tuple], Future] | None = None,
) -> list[BatchOutcome]:
    """Write the days' pages in batches of up to batch_size pages (`write_groups`), preparing batches ahead
    (`prepared_in_order`: the next days' pages are fetched and analysed while these are written), in order,
    in this process, the single writer.

    A batch that cannot be prepared or written fails its days: a day's later batches are not written (those
    already written stay; the day can be re-run alone) and the other days go on. `day_done(i, plan, error)`
    is called for every day, in order, once its last batch is written. `submit(entries)` starts the
    preparation of a batch (default: the prepare task on the flow's task runner)."""
    if submit is None:

        def submit(entries: tuple) -> Future:
            return prepare.submit(ingest.config, entries, window)

    items = write_groups(plans, max(1, ingest.config.settings.batch_size))
    last_item = {day: k for k, (days, _batch) in enumerate(items) for day in days}
    failed: dict[int, BaseException] = {}
    outcomes: list[BatchOutcome] = []
    reported = 0

    def report(written: int) -> None:
        """Report, in order, the days none of whose batches comes after item `written`."""
        nonlocal reported
        while reported < len(plans) and last_item.get(reported, -1) <= written:
            day_done(reported, plans[reported], failed.get(reported))
            reported += 1

    def start(item: tuple[tuple[int, ...], Batch]) -> Future | None:
        days, batch = item
        return None if any(day in failed for day in days) else submit(batch.entries)

    report(-1)
    with batch_collections():
        for k, ((days, batch), future) in enumerate(prepared_in_order(items, start)):
            if future is not None and any(day in failed for day in days):
                _wait_quietly(future)
            elif future is not None:
                try:
                    outcomes.append(ingest.write_batch(run_id, future.result(), batch.feeds))
                except Exception as exc:  # days that fail are recorded; the others go on  # noqa: BLE001
                    failed.update({day: exc for day in days})
            report(k)
    report(len(items))
    return outcomes


def _wait_quietly(future: Future) -> None:
    """Wait for a batch of a day that has failed already: it is not written, and its error is the day's."""
    with contextlib.suppress(Exception):
        future.result()


@flow(name="backfill", log_prints=True)
def backfill_flow(
    start: str | None = None,
    end: str | None = None,
    sources: list[str] | None = None,
    reprocess: bool = False,
    db: str | None = None,
    sources_file: str | None = None,
    show_progress: bool = False,
    alerts: str | None = None,
) -> dict:
    """Bring in the window's articles found in the sitemaps (only those not stored), day by day; then evaluate
    the alert rules over the days it touched (the whole window when reprocessing)."""
    first, last = resolve_window(start, end)
    db_path = db or os.environ.get("NEWSMON_DB") or DEFAULT_DB
    db_path = db_path if store.is_store(db_path) else Path(db_path)
    config = load_config(Path(sources_file or os.environ.get("NEWSMON_SOURCES") or DEFAULT_SOURCES))
    rules = load_alerts(Path(alerts) if alerts else None)
    warm_workers(config.settings)
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
            store.write(ingest.db_path, lambda w: w.record_failures(run_id, sitemap_failures))
        plans = plan_days(ingest, discoveries, first, last)
        progress = DayProgress(len(plans), show_progress)

        def day_done(i: int, plan: DayPlan, error: BaseException | None) -> None:
            if error is None:
                label = f"{plan.day}: {plan.entries} pages"
            else:
                failed_days.append(str(plan.day))
                label = f"{plan.day}: failed ({type(error).__name__})"
                print(f"backfill day {plan.day} failed: {type(error).__name__}: {error}")
            progress(i + 1, label)

        outcomes = process_days(ingest, run_id, plans, (first, last), day_done)
        if reprocess:
            # trafilatura and spaCy are loaded here, only when asked
            from pipeline.reprocess import reprocess_window

            result = reprocess_window(db_path, config.settings, first, last, tuple(sources or ()))
            print(f"reprocessed {result.articles} stored articles ({result.texts_changed} with a new text)")
        status = "failed" if failed_days else "completed"
    finally:
        summary = summarise([], outcomes)
        detail = f"window {first}..{last}" + (f"; failed days: {', '.join(failed_days)}" if failed_days else "")
        ingest.finish_run(run_id, status, summary, detail)
    summary.update(run_id=run_id, status=status, failed_days=failed_days, start=str(first), end=str(last),
                   **ingest.conflicts_retried())
    summary.update(evaluate_alerts(ingest, rules, run_id, (first, last) if reprocess else None))
    leave_report(ingest, "backfill-report", f"Backfill {first} to {last}", summary)
    print(
        f"backfill {first}..{last} run {run_id}: {summary['articles_new']} new articles "
        f"({summary['duplicates_new']} near-duplicates), {summary['pages_failed']} pages failed, "
        f"{summary['outside_window']} pages outside the window"
        + (f"; failed days: {', '.join(failed_days)} (re-run them alone)" if failed_days else "")
        + f"; {summary['alerts_new']} new alerts"
    )
    return summary
