"""The `ingest` flow: one pass over every feed of every source. It only sequences; the work is in
`pipeline.ingest`. Tasks are coarse (all feeds, a batch of pages) to keep orchestration cheap: fetching,
extraction and NLP of the next batch overlap with the write of the current one, and there is one writer."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import flows  # noqa: F401  (telemetry off before prefect loads)
from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from flows.runners import warm_workers
from pipeline.alerts import AlertConfig, load_alerts
from pipeline.ingest import (
    BatchOutcome,
    FeedCheck,
    Ingest,
    PassProgress,
    PreparedBatch,
    fetch_feeds,
    ingest_pass,
    prepare_batch,
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


@task(name="evaluate-alerts", cache_policy=NO_CACHE)
def evaluate_alerts(ingest: Ingest, rules: AlertConfig, run_id: str, window: tuple[date, date] | None = None) -> dict:
    """The end of every run: the alert rules over what the run touched, then the deliveries still owed."""
    found, sent = ingest.alerts(rules, run_id, window)
    for error in found.errors + sent.errors:
        print(f"alerts: {error}")
    return {
        "alerts_new": len(found.new),
        "alerts": [(a.rule, a.subject, a.detail) for a in found.new],
        "alert_errors": list(found.errors),
        "deliveries_sent": sent.delivered,
        "deliveries_pending": sent.pending,
        "deliveries_given_up": sent.given_up,
        "delivery_errors": list(sent.errors),
    }


def summarise(checks: list[FeedCheck], outcomes: list[BatchOutcome]) -> dict:
    """The counts of a run (the backfill's days too), as `PassProgress.summary` gives them."""
    return PassProgress(checks, outcomes).summary()


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
    if "commit_conflicts_retried" in summary:
        lines += ["", f"DuckLake commit conflicts retried: {summary['commit_conflicts_retried']}."]
    if "alerts_new" in summary:
        lines += ["", "## Alerts", "", f"New alerts: {summary['alerts_new']}; deliveries sent: "
                  f"{summary['deliveries_sent']}, still pending: {summary['deliveries_pending']}, given up: "
                  f"{summary['deliveries_given_up']}.", ""]
        if summary["alerts"]:
            lines += ["| rule | subject | detail |", "| --- | --- | --- |"]
            lines += [f"| {rule} | {subject} | {_cell(detail)} |" for rule, subject, detail in summary["alerts"]]
        lines += [f"- {error}" for error in summary["alert_errors"] + summary["delivery_errors"]]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")[:300]


def leave_report(ingest: Ingest, key: str, title: str, summary: dict) -> None:
    create_markdown_artifact(
        markdown=report(title, summary, ingest.new_by_source(summary["run_id"])),
        key=key,
        description=f"{title}: new articles per source, failures by reason",
    )


@flow(name="ingest", log_prints=True)
def ingest_flow(db: str, sources: str, alerts: str | None = None) -> dict:
    """Fetch every feed, then fetch, clean, annotate and store its new articles batch by batch; then evaluate
    the alert rules (`alerts`: the alerts file; default $NEWSMON_ALERTS, else config/alerts.toml)."""
    config = load_config(Path(sources))
    rules = load_alerts(Path(alerts) if alerts else None)
    ingest = Ingest(config, db)
    run_id = ingest.start_run("ingest")
    progress, status = PassProgress(), "failed"
    try:
        ingest_pass(
            ingest,
            run_id,
            lambda feeds: fetch.submit(config, feeds).result(),
            lambda batch: prepare.submit(config, batch.entries),
            progress,
            on_work=lambda: warm_workers(config.settings),  # the NLP workers load while the pages are fetched
        )
        status = progress.status()
    finally:
        summary = progress.summary()
        ingest.finish_run(run_id, status, summary)
    summary.update(run_id=run_id, status=status, **ingest.conflicts_retried())
    summary.update(evaluate_alerts(ingest, rules, run_id))
    leave_report(ingest, "ingest-report", "Ingest run", summary)
    print(
        f"run {run_id}: {summary['articles_new']} new articles ({summary['duplicates_new']} near-duplicates), "
        f"{summary['feeds_total']} feeds ({summary['feeds_not_modified']} not modified, "
        f"{summary['feeds_failed']} failed), {summary['pages_failed']} pages failed, {summary['alerts_new']} new alerts"
        + (f"; {summary['commit_conflicts_retried']} DuckLake commit conflicts retried"
           if "commit_conflicts_retried" in summary else "")
    )
    return summary
