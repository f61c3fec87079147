"""`newsmon serve` on a real local Prefect server: a scheduled ingest fires by itself, and the manual
backfill deployment runs from `prefect deployment run` and from `newsmon backfill`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from test_cli import ROOT

from newsmon.sample_site.generate import sources_toml
from newsmon.sample_site.server import serve_generated_site
from pipeline import store

pytestmark = pytest.mark.e2e

WAIT = 300  # seconds: an upper bound for events that normally take a minute, not a timing assertion


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, what: str, process: subprocess.Popen):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"newsmon serve exited while waiting for {what}: {process.stdout.read()[-3000:]}")
        try:
            value = condition()
        except store.StoreError:
            value = None  # the database is being written or not created yet
        if value:
            return value
        time.sleep(1)
    pytest.fail(f"gave up waiting for {what}")


def interrupt(serve: subprocess.Popen) -> str:
    """Ctrl-C to `newsmon serve` (killed if it has not stopped within a minute); returns all it printed."""
    serve.send_signal(signal.SIGINT)
    try:
        output, _ = serve.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        serve.kill()
        output, _ = serve.communicate()
    return output


def runs(db: Path, flow: str) -> list[tuple]:
    with store.reader(db, wait=5) as con:
        return con.execute(
            "SELECT status, articles_new, detail FROM runs WHERE flow = ? AND status <> 'running' ORDER BY started_at",
            [flow],
        ).fetchall()


def urls_between(db: Path, start: str, end: str) -> set[str]:
    with store.reader(db, wait=5) as con:
        rows = con.execute(
            "SELECT url FROM articles WHERE CAST(published_at AS DATE) BETWEEN ? AND ?", [start, end]
        ).fetchall()
    return {r[0] for r in rows}


def test_serve_runs_the_schedule_and_the_manual_backfill(tmp_path):
    with serve_generated_site(tmp_path / "site") as site:
        sources = tmp_path / "sources.toml"
        sources.write_text(sources_toml(site.manifest))
        db = tmp_path / "data" / "newsmon.duckdb"
        db.parent.mkdir()
        port = free_port()
        env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_HOME")}
        serve = subprocess.Popen(
            [sys.executable, "-m", "newsmon", "serve", "--cron", "* * * * *", "--prefect-port", str(port),
             "--db", str(db), "--sources", str(sources)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        api = f"http://127.0.0.1:{port}/api"
        client_env = {**env, "PREFECT_API_URL": api, "PREFECT_HOME": str(tmp_path / "client-home")}
        try:
            # the schedule fires by itself within a minute or so and stores the feeds' articles
            wait_for(lambda: [r for r in runs(db, "ingest") if r[0] == "completed" and r[1] > 0], "a scheduled run", serve)
            assert (db.parent / "prefect").is_dir()  # the local server's own PREFECT_HOME
            # a backfill from Prefect itself stores exactly the window's articles
            started = subprocess.run(
                [str(Path(sys.executable).with_name("prefect")), "deployment", "run", "backfill/manual",
                 "-p", "start=2021-09-01", "-p", "end=2021-09-30"],
                cwd=ROOT, env=client_env, capture_output=True, text=True, timeout=120,
            )
            assert started.returncode == 0, started.stderr + started.stdout
            wait_for(lambda: runs(db, "backfill"), "the manual backfill", serve)
            september = {
                a.url for a in site.manifest.articles
                if a.in_sitemaps and date(2021, 9, 1) <= datetime.fromisoformat(a.published).date() <= date(2021, 9, 30)
            }
            assert september and urls_between(db, "2021-09-01", "2021-09-30") == september
            # `newsmon backfill` goes through the served deployment when a server is reachable: here with no
            # PREFECT_API_URL at all, serve's server being recorded as the database folder's kept server
            assert (db.parent / "prefect" / "server.json").is_file()
            via_cli = subprocess.run(
                [sys.executable, "-m", "newsmon", "backfill", "--start", "2021-08-15", "--end", "2021-08-31",
                 "--db", str(db), "--sources", str(sources)],
                cwd=ROOT, env={k: v for k, v in env.items() if k != "NEWSMON_PREFECT_SERVER"},
                capture_output=True, text=True, timeout=WAIT,
            )
            assert via_cli.returncode == 0, via_cli.stderr[-3000:]
            assert "through deployment 'backfill/manual'" in via_cli.stdout
            august = {
                a.url for a in site.manifest.articles
                if a.in_sitemaps and date(2021, 8, 15) <= datetime.fromisoformat(a.published).date() <= date(2021, 8, 31)
            }
            assert august and urls_between(db, "2021-08-15", "2021-08-31") == august
        finally:
            output = interrupt(serve)
        assert "Prefect UI: http://127.0.0.1:" in output
        assert "prefect deployment run 'backfill/manual'" in output
        with socket.socket() as probe:  # Ctrl-C stopped the server it started
            assert probe.connect_ex(("127.0.0.1", port)) != 0
        assert not (db.parent / "prefect" / "server.json").exists()  # and no run will look for it there
