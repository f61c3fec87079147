"""A PostgreSQL server of the test's own: initdb into a temporary folder, on a free loopback port, stopped at
the end. As root it runs as the `postgres` user (PostgreSQL refuses to run as root). Skips when no PostgreSQL
server is installed (`.ci/run` installs Debian's)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

START_WAIT = 120  # seconds: an upper bound for a start that takes about 1 s, not a timing assertion


def _bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def postgres_server(folder: Path) -> Iterator[int]:
    """Start a server whose data is under `folder`; yield its port (user `postgres`, trust on loopback)."""
    bin_dir = _bin()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server installed (apt-get install postgresql)")
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        folder.chmod(0o755)
        parent = folder.parent
        while parent != parent.parent:  # the server user must reach its folder
            parent.chmod(parent.stat().st_mode | 0o011)
            parent = parent.parent
    data, port = folder / "data", _free_port()
    subprocess.run(_as_server_user([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                                    "--no-sync"]), check=True, capture_output=True)
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(_as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                                    str(folder / "server.log"), "-w", "-t", str(START_WAIT), "start"]),
                   check=True, capture_output=True)
    try:
        yield port
    finally:
        subprocess.run(_as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True)


def create_database(port: int, name: str) -> str:
    """A new database; returns its libpq connection string."""
    psql = shutil.which("psql") or str(_bin() / "psql")
    deadline = time.monotonic() + START_WAIT
    while True:
        done = subprocess.run([psql, "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-q", "-c",
                               f'CREATE DATABASE "{name}"'], capture_output=True, text=True)
        if done.returncode == 0:
            return f"dbname={name} host=127.0.0.1 port={port} user=postgres"
        if time.monotonic() > deadline:
            raise RuntimeError(done.stderr)
        time.sleep(0.2)
