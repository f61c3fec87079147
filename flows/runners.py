"""Where a flow's tasks run. The flow process always sequences and is the single writer; its tasks (feeds,
sitemaps, batches: fetching, extraction and NLP) run either on threads of the flow process ("thread", the
default) or on a Dask cluster ("dask"). Everything a task takes and returns is picklable and no task opens
the database, so a Dask worker may be on another machine: it needs the same newsmon install (code and
`config/`) and must reach the news sites; the flow process needs the scheduler.

With "dask" and a scheduler address, the tasks go to that running cluster. Without an address, a temporary
`distributed.LocalCluster` on this machine is started for the run and closed at its end (worker processes,
one model each: more cores for NLP, no second machine).

Task-run records: a task on a worker reports to the Prefect API of its flow run when PREFECT_API_URL is set
(the server of `newsmon serve`, or the user's: the workers must reach it); without one, each worker process
starts a temporary Prefect server of its own at its first task (a few seconds, once per worker process).

Neither Prefect nor Dask is imported here until a runner is made (the command line checks its options
before `newsmon serve` points Prefect at its server), and Dask only when it is chosen.
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from prefect.task_runners import TaskRunner

KINDS = ("thread", "dask")
SCHEMES = ("tcp", "tls")
CONNECT_SECONDS = 5.0


class RunnerChoiceError(ValueError):
    """A task runner or scheduler address that cannot be used; one line."""


def scheduler_host_port(address: str) -> tuple[str, int]:
    """`tcp://host:port` (or `tls://`) as (host, port); anything else is a RunnerChoiceError."""
    parts = urlsplit(address)
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme not in SCHEMES or not parts.hostname or port is None or parts.path not in ("", "/"):
        raise RunnerChoiceError(f"a Dask scheduler address is tcp://HOST:PORT, not {address!r}")
    return parts.hostname, port


def task_runner(kind: str = "thread", address: str | None = None) -> TaskRunner:
    """The task runner for `kind`: threads of the flow process, or Dask (the cluster at `address`, else a
    temporary local one)."""
    if kind not in KINDS:
        raise RunnerChoiceError(f"the task runner is one of {', '.join(KINDS)}, not {kind!r}")
    if kind == "thread":
        if address:
            raise RunnerChoiceError("a Dask scheduler address goes with the dask task runner, not with threads")
        from prefect.task_runners import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner()
    from prefect_dask import DaskTaskRunner

    if address:
        scheduler_host_port(address)
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_kwargs={"dashboard_address": None})


def check_scheduler(address: str, timeout: float = CONNECT_SECONDS) -> None:
    """Fail before a run starts when nothing listens at the scheduler's address (a TCP connect, no Dask)."""
    host, port = scheduler_host_port(address)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise RunnerChoiceError(f"no Dask scheduler answers at {address}: {reason}") from None


def warm_workers(settings) -> None:
    """When a flow knows it has pages to analyse (the backfill at its start, the ingest once its feeds name new
    articles) and its tasks run on threads of this process: start the extraction and NLP worker processes now
    (`pipeline.analysis.warm`), so that they load the model while the sitemaps are read or the pages fetched.
    On Dask the work is done by the cluster's workers, which load it themselves."""
    from prefect.context import FlowRunContext
    from prefect.task_runners import ThreadPoolTaskRunner

    from pipeline.analysis import warm

    context = FlowRunContext.get()
    if context is not None and isinstance(context.task_runner, ThreadPoolTaskRunner):
        warm(settings)
