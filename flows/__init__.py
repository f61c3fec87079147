"""Prefect flows over the plain-Python core in `pipeline/`.

Telemetry is off before Prefect is imported: neither the client nor a local server phones home.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# Prefect gives its temporary server 20 s to answer, which a busy 2-core machine can exceed (several runs
# starting at once, spaCy loading beside them): the run then fails before doing anything. Wait longer.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")


@contextmanager
def in_process() -> Iterator[None]:
    """For a flow called in this process (`newsmon run`, an in-process backfill, the demo): flow-run heartbeats
    off, unless PREFECT_FLOWS_HEARTBEAT_FREQUENCY is set. The process that would send them is the one running
    the flow and reporting its end; a Prefect server acts on missing heartbeats only through an automation a
    user adds (and newsmon marks a run whose process vanished 'crashed' in its runs table), while Prefect 3.9
    waits up to a second for its heartbeat thread at the end of every flow run, most of the orchestration
    cost of a small run.
    """
    if os.environ.get("PREFECT_FLOWS_HEARTBEAT_FREQUENCY"):
        yield
        return
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield
