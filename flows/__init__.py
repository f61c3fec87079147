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
    """For a flow called in this process (`newsmon run`, an in-process backfill, the demo).

    Without PREFECT_API_URL, Prefect runs the flow against a temporary server that lives as long as this
    process, so flow-run heartbeats (which let a lasting server mark a vanished run as crashed) have no one
    to tell; Prefect 3.9 also waits up to a second for its heartbeat thread at the end of every flow run,
    which is most of the orchestration cost of a small run. They are switched off then, and only then.
    """
    if os.environ.get("PREFECT_API_URL"):
        yield
        return
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield
