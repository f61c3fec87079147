"""Several writers at once into one DuckLake store on a real PostgreSQL, one of them killed at a named point:
the machinery of tests/faults/test_lake_writers.py and test_lake_backfill_killed.py (which say what is
checked)."""


from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from postgres import create_database, postgres_server
from test_crash import WAIT, WINDOW, assert_same, newsmon_env, snapshot

from pipeline import lake, rollups, store

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BATCH = 4  # pages a batch: each writer commits several, so that their commits interleave and conflict
# (writer, point): the writer stopped and killed there. "both" and "beta" are the ingest passes, "backfill" the
# backfill; a write:N point is inside the Nth batch's transaction.
# Alone, "both" fetches 15 pages in 4 batches, "beta" 8 in 2, the backfill 27 in 8. Twenty kill points in two
# test files (so that the suite's workers run them side by side): test_lake_writers.py and
# test_lake_backfill_killed.py.


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    with postgres_server(tmp_path_factory.mktemp("lake-pg")) as port:
        yield port


@pytest.fixture(scope="module")
def sources(site, tmp_path_factory) -> dict[str, Path]:
    """The site's sources file with batches of 4 pages, and the same with Beta alone (its feed is in both
    ingest passes)."""
    folder = tmp_path_factory.mktemp("lake-sources")
    text = site.sources.read_text().replace("batch_size = 2", f"batch_size = {BATCH}")
    beta = text[: text.index("[[sources]]")] + text[text.index("[[sources]]\nname = 'Beta'"):]
    (folder / "both.toml").write_text(text)
    (folder / "beta.toml").write_text(beta)
    return {"both": folder / "both.toml", "beta": folder / "beta.toml"}


def commands(sources: dict[str, Path], spec: str) -> dict[str, list[str]]:
    return {
        "both": [sys.executable, str(HERE / "plain_ingest.py"), str(sources["both"]), spec],
        "beta": [sys.executable, str(HERE / "plain_ingest.py"), str(sources["beta"]), spec],
        "backfill": [sys.executable, str(HERE / "plain_backfill.py"), str(sources["both"]), spec, *WINDOW],
    }


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def wait_for(process: subprocess.Popen, log: Path, marker: Path | None = None, until=lambda: False) -> None:
    """Until the process ends with exit 0, or (with `marker`) until it has stopped at its point or `until()`."""
    deadline = time.monotonic() + WAIT
    while marker is None or not marker.exists():
        if until():
            return
        if process.poll() is not None:
            assert marker is None and process.returncode == 0, log.read_text()[-3000:]
            return
        assert time.monotonic() < deadline, f"{process.args} did not finish: {log.read_text()[-2000:]}"
        time.sleep(0.02)


def kill(process: subprocess.Popen) -> None:
    for target in (lambda: os.kill(process.pid, signal.SIGKILL), lambda: os.killpg(process.pid, signal.SIGKILL)):
        try:
            target()
        except ProcessLookupError:
            pass
    process.wait()


def found_anyhow(tables: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """The tables without where each article was found (feed_url, and date_origin: its date from the feed or
    the sitemap): that is where the writer that stored it first found it, and which writer that is depends on
    who commits first."""
    return {**tables, "articles": sorted((r[:4] + r[5:8] + r[9:] for r in tables["articles"]), key=repr)}


def assert_rollups_exact(spec: str, copy: Path) -> None:
    """The rollups the writers kept up batch by batch, each in its own transaction, equal the rollups rebuilt
    whole from the stored rows (but for the names' numbers): the store copied into a DuckDB file, the rebuild
    done there and rolled back."""
    lake.copy_store(spec, str(copy))
    with duckdb.connect(str(copy)) as con:
        tables = rollups._tables(con)

        def fingerprint(table: str) -> tuple:  # name_id: a number given in order of arrival, not of name
            columns = ", ".join(f'"{c}"' for c in lake._columns(con, copy.stem, table) if c != "name_id")
            return con.execute(f'SELECT COUNT(*), bit_xor(hash({columns})) FROM "{table}"').fetchone()

        kept = {t: fingerprint(t) for t in tables}
        con.execute("BEGIN TRANSACTION")
        rollups.rebuild(con)
        rebuilt = {t: fingerprint(t) for t in tables}
        con.execute("ROLLBACK")
    assert len(tables) > 10 and kept == rebuilt, [t for t in tables if kept[t] != rebuilt[t]]


def conflicts(logs: list[Path]) -> int:
    return sum(log.read_text(errors="replace").count("DuckLake commit conflict") for log in logs)


def writers_at_once_one_killed(site, reference, sources: dict[str, Path], postgres: int, tmp_path: Path,
                               victim: str, point: str) -> None:
    """Start the three writers (the victim first), kill the victim at `point`, run it again, compare."""
    spec = "ducklake:postgres:" + create_database(postgres, f"store_{victim}_{point.replace(':', '_')}")
    env = {**newsmon_env(site.api_url), "NEWSMON_DATA_PATH": str(tmp_path / "data")}
    marker = tmp_path / "paused"
    logs, running = {}, {}

    def launch(name: str, command: list[str]) -> None:
        logs[name] = tmp_path / f"{name}.log"
        mine = {**env, "NEWSMON_PAUSE_AT": point, "NEWSMON_PAUSE_FILE": str(marker)} if name == victim else env
        running[name] = start(command, mine, logs[name])

    try:
        # the victim first, until it has planned its pages (its first page request) or stopped before: then
        # nothing is stored when it plans, and its Nth page, article or batch is the same in every run
        seen = len(site.server.paths())
        launch(victim, commands(sources, spec)[victim])
        wait_for(running[victim], logs[victim], marker,
                 until=lambda: any(not p.endswith(".xml") for p in site.server.paths()[seen:]))
        for name, command in commands(sources, spec).items():
            if name != victim:
                launch(name, command)
        wait_for(running[victim], logs[victim], marker)
        assert marker.read_text().startswith(point)
        # a reader answers while a writer is stopped, possibly inside its transaction, and the others commit
        with store.reader(spec) as con:
            con.execute("SELECT COUNT(*) FROM articles").fetchone()
        kill(running[victim])
        for name, process in running.items():
            if name != victim:
                wait_for(process, logs[name])
    finally:
        for process in running.values():
            if process.poll() is None:
                kill(process)
    logs["again"] = tmp_path / f"{victim}-again.log"
    wait_for(start(commands(sources, spec)[victim], env, logs["again"]), logs["again"])

    now = snapshot(spec)
    assert_same(found_anyhow(now), found_anyhow(reference.after_backfill))
    mine = {r[0]: r for r in now["articles"]}
    for row in reference.after_backfill["articles"]:  # found where the reference found it, or in the sitemap
        found = mine[row[0]]
        assert found[4] == row[4] and found[8] == row[8] or (found[4].endswith("/sitemap.xml"), found[8]) == (
            True, "sitemap"), found
    with store.reader(spec) as con:
        [(urls, distinct)] = con.execute("SELECT COUNT(url), COUNT(DISTINCT url) FROM articles").fetchall()
        flows = sorted(r[0] for r in con.execute("SELECT flow FROM runs WHERE status = 'completed'").fetchall())
    assert urls == distinct == len(reference.after_backfill["articles"])
    assert flows == ["backfill", "ingest", "ingest"]  # the killed run stays 'running' (no crash detection on a store)
    assert_rollups_exact(spec, tmp_path / "copy.duckdb")
    print(f"{victim} killed at {point}: {conflicts(list(logs.values()))} commit conflicts retried")
