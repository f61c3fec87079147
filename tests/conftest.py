"""Shared fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from httpserver import LocalHTTPServer
from prefect_server import start_prefect_server, stop_process


@pytest.fixture
def http_server() -> Iterator[LocalHTTPServer]:
    """A programmable HTTP server on 127.0.0.1 (see tests/httpserver.py)."""
    with LocalHTTPServer() as server:
        yield server


@pytest.fixture(scope="session", autouse=True)
def prefect_home(tmp_path_factory) -> Iterator[None]:
    """One Prefect home for the session's temporary servers, telemetry off; nothing in the user's ~/.prefect.
    A temporary server may take 120 s to answer instead of Prefect's 20: the first one of the session creates
    its database, which on a busy machine (2 cores shared) has taken longer than 20 s."""
    import os

    keys = ("PREFECT_HOME", "PREFECT_SERVER_ANALYTICS_ENABLED", "DO_NOT_TRACK", "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS",
            "NEWSMON_PREFECT_SERVER")
    saved = {k: os.environ.get(k) for k in keys}
    # a `newsmon run` without PREFECT_API_URL uses a temporary server, as before, and leaves no kept server
    # running behind a test; tests/test_kept_server.py tests the kept one
    os.environ["NEWSMON_PREFECT_SERVER"] = "temporary"
    os.environ["PREFECT_HOME"] = str(tmp_path_factory.mktemp("prefect-home"))
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ["DO_NOT_TRACK"] = "1"
    os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "120"
    os.environ.pop("PREFECT_API_URL", None)
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def prefect_api(prefect_home, tmp_path_factory) -> Iterator[str]:
    """One Prefect server for the session (each xdist worker has its own), its URL in PREFECT_API_URL for this
    process and every `newsmon` process the tests start. A test of the first-run path (no server running,
    `newsmon run` starts a temporary one) removes the variable itself."""
    import os

    process, api_url = start_prefect_server(tmp_path_factory.mktemp("prefect-server"))
    os.environ["PREFECT_API_URL"] = api_url
    try:
        yield api_url
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        stop_process(process)


def pytest_collection_modifyitems(items) -> None:
    """Tests marked `e2e` or `browser` run flows: they get the session's Prefect server, set up before any of
    their fixtures (a module's fixture may run `newsmon run` itself); the other tests start none. Their
    files, the long ones, come first, so that xdist (a file per worker) starts them first and the short
    files fill the workers at the end, instead of a long file starting last."""
    def end_to_end(item) -> bool:
        return bool(item.get_closest_marker("e2e") or item.get_closest_marker("browser"))

    for item in items:
        if end_to_end(item):
            item.fixturenames.insert(0, "prefect_api")
    long_files = {item.path for item in items if end_to_end(item)}
    items.sort(key=lambda item: item.path not in long_files)  # stable: the order within each group stays
