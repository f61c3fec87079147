"""`newsmon serve` and the deployment path of `newsmon backfill`: Prefect deployments on a local server
(started here when PREFECT_API_URL is not set) or on the user's."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from pipeline.store import is_store

INGEST_DEPLOYMENT = "ingest/scheduled"
BACKFILL_DEPLOYMENT = "backfill/manual"
DEFAULT_CRON = "*/30 * * * *"
SERVER_START_SECONDS = 120.0


class ServeError(Exception):
    """A one-line reason why serving cannot go on."""


def telemetry_off(env: dict) -> dict:
    return {**env, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}


def server_healthy(api_url: str) -> bool:
    try:
        return httpx.get(f"{api_url.rstrip('/')}/health", timeout=2.0, trust_env=False).status_code == 200
    except httpx.HTTPError:
        return False


def start_local_server(home: Path, port: int) -> tuple[subprocess.Popen, str]:
    """`prefect server start` on 127.0.0.1 with its own PREFECT_HOME; returns once it answers /api/health."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise ServeError(f"port {port} on 127.0.0.1 is taken; choose another with --prefect-port")
    home.mkdir(parents=True, exist_ok=True)
    env = telemetry_off({**os.environ, "PREFECT_HOME": str(home.resolve())})
    env.pop("PREFECT_API_URL", None)
    prefect = Path(sys.executable).with_name("prefect")
    log = open(home / "server.log", "ab")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(
        [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    api_url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + SERVER_START_SECONDS
    while not server_healthy(api_url):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_process(process)
            raise ServeError(f"the local Prefect server did not start; see {home / 'server.log'}")
        time.sleep(0.5)
    return process, api_url


# The kept local server: the first `newsmon run`, `backfill` or `demo` on a machine (PREFECT_API_URL not set)
# starts `prefect server start` in the background, with the UI, its home beside the database (the folder
# `newsmon serve` uses too), and leaves it running; later runs find it there and record their flow runs on it
# at once instead of paying a temporary server's start (about 10 s) every time. `newsmon server stop` stops it.
KEPT_STATE = "server.json"
KEPT_PORT = 4200  # Prefect's usual port, when free; another free port otherwise


def kept_server_home(db: Path | str) -> Path:
    """Where the kept local server of a database lives: beside a DuckDB file; for a DuckLake store, in ./data."""
    return (Path("data") if is_store(db) else Path(db).resolve().parent) / "prefect"


def db_parameter(db: Path | str) -> str:
    """The database as a flow parameter: a DuckDB file by its absolute path, a DuckLake store as given."""
    return str(db) if is_store(db) else str(Path(db).resolve())


MAINTENANCE_DEPLOYMENT = "maintain-store/daily"


def kept_server(home: Path) -> dict | None:
    """The kept server recorded in `home` ({"pid", "api_url"}), if its process lives and it answers."""
    try:
        state = json.loads((home / KEPT_STATE).read_text(encoding="utf-8"))
        os.kill(int(state["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return state if server_healthy(state["api_url"]) else None


def ensure_kept_server(home: Path, before_start=lambda: None) -> tuple[str, bool]:
    """The API URL of the kept server in `home`, started now (after `before_start()`) if none runs; and whether
    it was started now. Runs starting at once start one server: they take turns on `<home>/server.lock`."""
    home.mkdir(parents=True, exist_ok=True)
    with open(home / "server.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = kept_server(home)
        if state is not None:
            return state["api_url"], False
        before_start()
        process, api_url = start_local_server(home, _free_port(KEPT_PORT))
        _record_kept(home, process.pid, api_url)
        return api_url, True


def _record_kept(home: Path, pid: int, api_url: str) -> None:
    (home / KEPT_STATE).write_text(json.dumps({"pid": pid, "api_url": api_url}), encoding="utf-8")


def stop_kept_server(home: Path) -> str | None:
    """Stop the kept server in `home`; its API URL, or None when none was running."""
    state = kept_server(home)
    (home / KEPT_STATE).unlink(missing_ok=True)
    if state is None:
        return None
    pid = int(state["pid"])
    try:
        os.killpg(pid, signal.SIGTERM)
        for _ in range(200):  # up to 20 s, as stop_process
            os.kill(pid, 0)
            time.sleep(0.1)
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return state["api_url"]


def _free_port(preferred: int) -> int:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", preferred)) != 0:
            return preferred
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def served_flows(cron: str, db: Path | str, sources: Path, task_runner: str = "thread",
                 dask_address: str | None = None):
    """The deployments as (flow, deployment options): the flows carry the chosen task runner, so they
    are served as flow objects (a served run is that object in a subprocess, not a fresh import of the
    module, which would lose the runner). A DuckLake store gets a third, its daily maintenance."""
    from prefect.flows import EntrypointType

    from flows.backfill import backfill_flow
    from flows.ingest import ingest_flow
    from flows.runners import task_runner as make_runner

    runner = make_runner(task_runner, dask_address)
    scheduled = (
        ingest_flow.with_options(task_runner=runner),
        dict(
            name="scheduled",
            cron=cron,
            parameters={"db": db_parameter(db), "sources": str(sources.resolve())},
            description="One ingest pass over every feed of every source.",
            entrypoint_type=EntrypointType.MODULE_PATH,
        ),
    )
    manual = (
        backfill_flow.with_options(task_runner=runner),  # each run starts its own copy
        dict(
            name="manual",
            parameters={"db": db_parameter(db), "sources_file": str(sources.resolve())},
            description="The articles of a date window from the sitemaps; parameters start, end, sources, reprocess.",
            entrypoint_type=EntrypointType.MODULE_PATH,
        ),
    )
    if not is_store(db):
        return scheduled, manual
    from flows.maintain import DEFAULT_CRON, maintain_flow

    maintenance = (maintain_flow, dict(name="daily", cron=DEFAULT_CRON, parameters={"db": str(db)},
                                       description="Merge small files, expire old snapshots, delete what they leave.",
                                       entrypoint_type=EntrypointType.MODULE_PATH))
    return scheduled, manual, maintenance


def serve(
    cron: str, db: Path | str, sources: Path, prefect_port: int, task_runner: str = "thread", dask_address: str | None = None
) -> None:
    """Serve the deployments until interrupted; stop the local server if this started it."""
    server = None
    if not os.environ.get("PREFECT_API_URL"):
        kept = kept_server(kept_server_home(db))  # the runs' kept server, when one is running: serve on it
        if kept is not None:
            os.environ["PREFECT_API_URL"] = kept["api_url"]
        else:  # recorded as the kept server while serve runs, so that `newsmon run` records its runs there too
            server, api_url = start_local_server(kept_server_home(db), prefect_port)
            os.environ["PREFECT_API_URL"] = api_url
            _record_kept(kept_server_home(db), server.pid, api_url)
    api_url = os.environ["PREFECT_API_URL"]
    os.environ.update(telemetry_off({}))
    if not server_healthy(api_url):
        raise ServeError(f"no Prefect server answers at {api_url}")
    try:
        import asyncio

        from prefect.exceptions import TerminationSignal
        from prefect.runner import Runner

        runner = Runner(pause_on_shutdown=False)
        for flow, options in served_flows(cron, db, sources, task_runner, dask_address):
            runner.add_flow(flow, **options)
        ui = api_url.removesuffix("/api")
        print(f"Prefect UI: {ui}")
        print(f"Scheduled ingest: deployment '{INGEST_DEPLOYMENT}' on cron '{cron}'")
        print(
            f"Backfill: prefect deployment run '{BACKFILL_DEPLOYMENT}' -p start=2021-10-01 -p end=2021-10-31"
            f"   (with PREFECT_API_URL={api_url}), or: newsmon backfill --start ... --end ..."
        )
        where = f"the Dask cluster at {dask_address}" if dask_address else (
            "a temporary local Dask cluster per run" if task_runner == "dask" else "threads of each run's process")
        print(f"Tasks run on {where}; each run's process writes the database")
        if is_store(db):
            print(f"Store maintenance: deployment '{MAINTENANCE_DEPLOYMENT}' daily")
        sys.stdout.flush()
        try:
            asyncio.run(runner.start())
        except (KeyboardInterrupt, TerminationSignal):
            pass  # as prefect.serve: Ctrl-C or SIGTERM stops serving
    finally:
        if server is not None:
            (kept_server_home(db) / KEPT_STATE).unlink(missing_ok=True)
            stop_process(server)


def deployment_ready(name: str) -> bool:
    """A deployment that a running `newsmon serve` is serving, on the server PREFECT_API_URL names."""
    api_url = os.environ.get("PREFECT_API_URL")
    if not api_url or not server_healthy(api_url):
        return False
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.objects import DeploymentStatus
    from prefect.exceptions import ObjectNotFound

    try:
        with get_client(sync_client=True) as client:
            deployment = client.read_deployment_by_name(name)
    except ObjectNotFound:
        return False
    return deployment.status == DeploymentStatus.READY


def run_backfill_deployment(parameters: dict) -> dict:
    """Start the served backfill deployment and follow it to the end, with its progress."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey, FlowRunFilter, FlowRunFilterId
    from prefect.deployments import run_deployment

    flow_run = run_deployment(BACKFILL_DEPLOYMENT, parameters=parameters, timeout=0, as_subflow=False)
    print(f"backfill running through deployment '{BACKFILL_DEPLOYMENT}' as flow run {flow_run.name} ({flow_run.id})")
    with get_client(sync_client=True) as client:
        while True:
            run = client.read_flow_run(flow_run.id)
            progress = client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["backfill-progress"])),
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run.id])),
            )
            done = float(progress[0].data) if progress and progress[0].data is not None else 0.0
            filled = int(30 * done / 100)
            state = run.state.name if run.state else "Pending"
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done:5.1f}%  {state:<12}")
            sys.stderr.flush()
            if run.state and run.state.is_final():
                sys.stderr.write("\n")
                break
            time.sleep(1.0)
    status = "completed" if run.state.is_completed() else "failed"
    print(f"backfill flow run {flow_run.name}: {run.state.name}")
    return {"status": status}


# several machines: a work pool on a shared Prefect server, and workers ------------------------------------------
def shared_server() -> str:
    """The shared Prefect server's API (PREFECT_API_URL), which must answer."""
    api_url = os.environ.get("PREFECT_API_URL")
    if not api_url:
        raise ServeError("set PREFECT_API_URL to the shared Prefect server (docs/scaling.md#several-machines)")
    if not server_healthy(api_url):
        raise ServeError(f"no Prefect server answers at {api_url}")
    return api_url


def deploy_to_pool(pool: str, cron: str, db: Path | str, sources: Path, alerts: Path | None = None) -> list[str]:
    """Register the two deployments on work pool `pool` (a process pool, made if missing) of the shared server:
    the scheduled ingest, at most one run at a time (a run due while one is running is cancelled: the next
    schedule picks up what it would have), and the manual backfill. The runs execute on whichever `newsmon
    worker --pool` is free; each loads the flows from this checkout's path, which must be the same on every
    machine. Returns the deployments' names."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.exceptions import ObjectNotFound
    from prefect.flows import Flow

    from pipeline.settings import PROJECT_ROOT

    shared_server()
    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(pool)
        except ObjectNotFound:
            client.create_work_pool(WorkPoolCreate(name=pool, type="process"))
    common = {"db": db_parameter(db), **({"alerts": str(alerts)} if alerts else {})}
    env = telemetry_off({})
    if is_store(db) and os.environ.get("NEWSMON_DATA_PATH"):
        env["NEWSMON_DATA_PATH"] = os.environ["NEWSMON_DATA_PATH"]  # the store's shared data folder
    jobs = {"env": env}
    ingest = Flow.from_source(source=str(PROJECT_ROOT), entrypoint="flows/ingest.py:ingest_flow")
    ingest.deploy(
        name="scheduled", work_pool_name=pool, cron=cron, parameters={**common, "sources": str(sources)},
        concurrency_limit=ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW),
        job_variables=jobs, build=False, push=False, print_next_steps=False,
        description="One ingest pass over every feed of every source; never two at once.",
    )  # fmt: skip
    backfill = Flow.from_source(source=str(PROJECT_ROOT), entrypoint="flows/backfill.py:backfill_flow")
    backfill.deploy(
        name="manual", work_pool_name=pool, parameters={**common, "sources_file": str(sources)}, job_variables=jobs,
        build=False, push=False, print_next_steps=False,
        description="The articles of a date window from the sitemaps; parameters start, end, sources, reprocess.",
    )  # fmt: skip
    names = [INGEST_DEPLOYMENT, BACKFILL_DEPLOYMENT]
    if is_store(db):
        from flows.maintain import DEFAULT_CRON

        Flow.from_source(source=str(PROJECT_ROOT), entrypoint="flows/maintain.py:maintain_flow").deploy(
            name="daily", work_pool_name=pool, cron=DEFAULT_CRON, parameters={"db": str(db)}, job_variables=jobs,
            concurrency_limit=ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW),
            build=False, push=False, print_next_steps=False,
            description="Merge small files, expire old snapshots, delete what they leave.",
        )  # fmt: skip
        names.append(MAINTENANCE_DEPLOYMENT)
    return names


def worker_command(pool: str, name: str | None = None, limit: int | None = None) -> list[str]:
    """`prefect worker start` for a process worker polling `pool`."""
    command = [str(Path(sys.executable).with_name("prefect")), "worker", "start", "--pool", pool, "--type", "process"]
    if name:
        command += ["--name", name]
    if limit:
        command += ["--limit", str(limit)]
    return command
