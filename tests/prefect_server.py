"""A Prefect server (the API only: no UI, no background services) in a process of its own, for tests whose
flows only need *a* server: one per test session (per xdist worker), instead of a temporary server started
by each `newsmon run`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from newsmon.serving import server_healthy

START_WAIT = 300  # seconds: an upper bound for a start that normally takes 5-10 s, not a timing assertion


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_prefect_server(home: Path, services: bool = False, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """`prefect server start --no-services --no-ui` on a free loopback port with its own PREFECT_HOME;
    returns once /api/health answers (or raises with the end of the server's log)."""
    port = free_port()
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **(env or {}), "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "DO_NOT_TRACK": "1"}
    env.pop("PREFECT_API_URL", None)
    with open(home / "server.log", "wb") as log:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("prefect")), "server", "start", "--host", "127.0.0.1", "--port",
             str(port), *([] if services else ["--no-services"]), "--no-ui"],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    api_url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + START_WAIT
    while not server_healthy(api_url):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_process(process)
            raise RuntimeError(f"the Prefect server did not start: {(home / 'server.log').read_text()[-2000:]}")
        time.sleep(0.2)
    return process, api_url


def stop_process(process: subprocess.Popen) -> None:
    """SIGTERM the process group, SIGKILL it if it has not ended 20 s later."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
