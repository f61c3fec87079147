"""The kept local Prefect server (README, "Scheduling"): without PREFECT_API_URL the first `newsmon run`
starts one beside the database and leaves it running; the next run records its flow run on the same server
without starting another; `newsmon server status|stop` report and stop it."""

from __future__ import annotations

import os
import subprocess

import httpx
import pytest
from test_cli import NEWSMON, ROOT

from newsmon import serving
from newsmon.sample_site.generate import sources_toml
from newsmon.sample_site.server import serve_generated_site

pytestmark = pytest.mark.e2e


def newsmon(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([*NEWSMON, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def ingest_runs(api_url: str) -> list[str]:
    """The state of each flow run of the `ingest` flow the server holds."""
    runs = httpx.post(f"{api_url}/flow_runs/filter", json={"flows": {"name": {"any_": ["ingest"]}}},
                      trust_env=False, timeout=30).json()
    return [run["state_type"] for run in runs]


def test_the_first_run_starts_a_kept_server_the_next_reuses_it_and_server_stop_stops_it(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("PREFECT_API_URL", "NEWSMON_PREFECT_SERVER", "NEWSMON_DB", "NEWSMON_SOURCES")}
    db = tmp_path / "data" / "n.duckdb"
    db.parent.mkdir()
    home = serving.kept_server_home(db)
    try:
        with serve_generated_site(tmp_path / "site") as site:
            sources = tmp_path / "sources.toml"
            sources.write_text(sources_toml(site.manifest))
            first = newsmon("run", "--db", str(db), "--sources", str(sources), env=env)
            assert first.returncode == 0, first.stderr[-3000:]
            assert "started a local Prefect server at http://127.0.0.1:" in first.stderr
            state = serving.kept_server(home)
            assert state is not None and state["api_url"].removesuffix("/api") in first.stderr
            status = newsmon("server", "status", "--db", str(db), env=env)
            assert status.returncode == 0 and f"pid {state['pid']}" in status.stdout
            second = newsmon("run", "--db", str(db), "--sources", str(sources), env=env)
            assert second.returncode == 0, second.stderr[-3000:]
            assert "started a local Prefect server" not in second.stderr
            assert serving.kept_server(home) == state  # the same server, still running
            assert ingest_runs(state["api_url"]) == ["COMPLETED", "COMPLETED"]
        stopped = newsmon("server", "stop", "--db", str(db), env=env)
        assert stopped.returncode == 0 and "stopped http://127.0.0.1:" in stopped.stdout
        with pytest.raises(ProcessLookupError):
            os.kill(state["pid"], 0)
        status = newsmon("server", "status", "--db", str(db), env=env)
        assert status.returncode == 1 and "not running" in status.stdout
    finally:
        serving.stop_kept_server(home)
