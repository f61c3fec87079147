"""Several machines' orchestration, here as several processes: a Prefect server on PostgreSQL (a server the
test starts), the deployments registered on a work pool by `newsmon deploy`, and two `newsmon worker`
processes that take the runs. Two ingests started at once never run together (the deployment's concurrency
limit), a manual backfill runs beside them on the free worker, and every article is stored once."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from pathlib import Path

import pytest
from postgres import create_database, postgres_server
from prefect_server import start_prefect_server, stop_process
from test_cli import NEWSMON, ROOT, newsmon

from newsmon.sample_site.generate import sources_toml
from newsmon.sample_site.server import serve_generated_site
from pipeline import store

pytestmark = pytest.mark.e2e

RUN_WAIT = 600  # seconds: an upper bound for runs that take about half a minute, not a timing assertion


@pytest.fixture(scope="module")
def prefect_on_postgres(tmp_path_factory):
    with postgres_server(tmp_path_factory.mktemp("pg")) as port:
        libpq = create_database(port, "prefect")
        url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/prefect"
        assert "dbname=prefect" in libpq
        process, api_url = start_prefect_server(tmp_path_factory.mktemp("prefect-home"), services=True,
                                                env={"PREFECT_SERVER_DATABASE_CONNECTION_URL": url})
        try:
            yield api_url, port
        finally:
            stop_process(process)


def start_worker(name: str, env: dict, log: Path) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen([*NEWSMON, "worker", "--pool", "machines", "--name", name, "--limit", "1"], cwd=ROOT,
                                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def final_state(flow_run_id):
    from prefect.client.orchestration import get_client

    deadline = time.monotonic() + RUN_WAIT
    with get_client(sync_client=True) as client:
        while True:
            run = client.read_flow_run(flow_run_id)
            if run.state and run.state.is_final():
                return run
            assert time.monotonic() < deadline, f"flow run {run.name} still {run.state.name if run.state else None}"
            time.sleep(1.0)


@pytest.mark.parametrize("kind", ["file", "store"])
def test_two_workers_take_the_runs_and_never_two_ingests_at_once(prefect_on_postgres, tmp_path, kind):
    """The runbook of docs/scaling.md: the deployments on a work pool, two workers; the runs write a DuckDB
    file, or a DuckLake store in the same PostgreSQL (its data folder given to the workers by `deploy`)."""
    api_url, port = prefect_on_postgres
    env = {**os.environ, "PREFECT_API_URL": api_url, "PREFECT_WORKER_QUERY_SECONDS": "1",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
    env.pop("NEWSMON_DB", None)
    with contextlib.ExitStack() as stack:
        site = stack.enter_context(serve_generated_site(tmp_path / "site"))
        sources = tmp_path / "sources.toml"
        sources.write_text(sources_toml(site.manifest))
        if kind == "file":
            db, where = tmp_path / "shared.duckdb", ()
        else:
            db, where = f"ducklake:postgres:{create_database(port, 'newsmon')}", ("--data-path", str(tmp_path / "lake"))
        done = newsmon("deploy", "--pool", "machines", "--db", str(db), "--sources", str(sources), *where,
                       "--cron", "0 0 1 1 *", env={"PREFECT_API_URL": api_url})
        assert done.returncode == 0, done.stderr[-3000:]
        assert "newsmon worker --pool machines" in done.stdout

        from prefect.deployments import run_deployment
        from prefect.settings import PREFECT_API_URL, temporary_settings

        # this process's Prefect settings were read when prefect was first imported (perhaps pointing at the
        # session's server): the client here must talk to the server on PostgreSQL
        stack.enter_context(temporary_settings(updates={PREFECT_API_URL: api_url}))
        # two ingests asked for at once, and a backfill of the site's first days
        ingests = [run_deployment("ingest/scheduled", timeout=0, as_subflow=False) for _ in range(2)]
        first_day = site.manifest.start[:10]
        backfill = run_deployment("backfill/manual", timeout=0, as_subflow=False,
                                  parameters={"start": first_day, "end": first_day})
        workers = [start_worker(name, env, tmp_path / f"{name}.log") for name in ("alpha", "beta")]
        try:
            ended = [final_state(r.id) for r in (*ingests, backfill)]
        finally:
            for worker in workers:
                stop_process(worker)
    logs = "".join((tmp_path / f"{name}.log").read_text(errors="replace") for name in ("alpha", "beta"))
    states = [r.state.type.value for r in ended]
    print("flow run states:", states, [r.state.name for r in ended])
    assert states[2] == "COMPLETED", logs[-3000:]
    assert sorted(states[:2]) in (["CANCELLED", "COMPLETED"], ["COMPLETED", "COMPLETED"]), logs[-3000:]
    with store.reader(db) as con:
        runs = con.execute("""SELECT flow, started_at, finished_at, status FROM runs ORDER BY started_at""").fetchall()
        once = con.execute("SELECT COUNT(*) = COUNT(DISTINCT url) AND COUNT(*) > 0 FROM articles").fetchone()[0]
    ingest_runs = [r for r in runs if r[0] == "ingest"]
    assert len(ingest_runs) == states[:2].count("COMPLETED") and all(r[3] == "completed" for r in runs)
    for a, b in zip(ingest_runs, ingest_runs[1:]):  # one after the other, never together
        assert a[2] <= b[1]
    assert [r[0] for r in runs].count("backfill") == 1 and once
