"""`--task-runner dask`: fetching, extraction and NLP on a Dask cluster (a real `distributed.LocalCluster`
with a worker process of its own), the flow process the single writer; the rows are the same as with the
default thread runner."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import distributed
import pytest
from test_backfill import published_in, stored_urls
from test_cli import assert_one_line_error, newsmon

from newsmon.sample_site.generate import sources_toml
from newsmon.sample_site.server import serve_generated_site
from pipeline import store
from pipeline.ingest import resources_built

pytestmark = pytest.mark.e2e

TABLES = {
    "articles": """SELECT a.url, a.title, a.author, a.published_at, a.text, d.url AS duplicate_of, a.relevance
                   FROM articles a LEFT JOIN articles d ON d.article_id = a.duplicate_of""",
    "mentions": "SELECT a.url, m.actor, m.surface, m.label, m.start_char FROM mentions m JOIN articles a USING (article_id)",
    "article_topics": "SELECT a.url, t.topic, t.score FROM article_topics t JOIN articles a USING (article_id)",
    "quotes": "SELECT a.url, q.speaker, q.actor, q.quote, q.position FROM quotes q JOIN articles a USING (article_id)",
    "failures": "SELECT url, stage, reason, permanent FROM failures",
}


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        yield cluster, client


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dask-site")
    with serve_generated_site(tmp / "site") as server:
        sources = tmp / "sources.toml"
        sources.write_text(sources_toml(server.manifest))
        yield server, sources


def contents(db) -> dict[str, list[tuple]]:
    with store.reader(db) as con:
        return {table: sorted(con.execute(sql).fetchall(), key=repr) for table, sql in TABLES.items()}


def ran_on_cluster(client, body) -> tuple[set[str], dict]:
    """Run `body`; return the names of the tasks the cluster's workers executed meanwhile, and how many
    (HTTP client, NLP model) pairs each worker process holds."""
    with distributed.get_task_stream(client) as stream:
        body()
    names = {t["key"].split("-")[0] if isinstance(t["key"], str) else str(t["key"]) for t in stream.data}
    return names, client.run(resources_built)


def test_ingest_on_dask_stores_the_same_rows_as_the_thread_runner(cluster, site, tmp_path):
    scheduler, client = cluster[0].scheduler_address, cluster[1]
    server, sources = site
    on_dask, on_threads = tmp_path / "dask.duckdb", tmp_path / "threads.duckdb"
    results = {}

    def run_on_dask():
        results["dask"] = newsmon(
            "run", "--task-runner", "dask", "--dask-address", scheduler, "--db", str(on_dask), "--sources", str(sources)
        )

    names, built = ran_on_cluster(client, run_on_dask)
    assert results["dask"].returncode == 0, results["dask"].stderr[-3000:]
    assert {"fetch", "prepare"} <= names, names  # feeds and batches ran on the cluster's worker ...
    assert all(n >= 1 for n in built.values()), built  # ... which built its own HTTP client and model
    threads = newsmon("run", "--db", str(on_threads), "--sources", str(sources))
    assert threads.returncode == 0, threads.stderr[-3000:]

    dask_rows, thread_rows = contents(on_dask), contents(on_threads)
    assert len(dask_rows["articles"]) == len({a.url for a in server.manifest.articles if a.in_feeds})
    assert dask_rows["mentions"] and dask_rows["article_topics"] and dask_rows["quotes"]
    assert any(row[5] is not None for row in dask_rows["articles"])  # near-duplicates found the same way
    for table in TABLES:
        assert dask_rows[table] == thread_rows[table], table
    with store.reader(on_dask) as con:
        [run] = con.execute("SELECT status, articles_new, feeds_total FROM runs").fetchall()
    assert run == ("completed", len(dask_rows["articles"]), len(server.manifest.feeds))


def test_backfill_on_dask_stores_the_same_window_as_the_thread_runner(cluster, site, tmp_path):
    scheduler, client = cluster[0].scheduler_address, cluster[1]
    server, sources = site
    window = ("2021-10-04", "2021-10-10")
    on_dask, on_threads = tmp_path / "dask.duckdb", tmp_path / "threads.duckdb"
    results = {}

    def backfill_on_dask():
        results["dask"] = newsmon(
            "backfill", "--start", window[0], "--end", window[1], "--dask-address", scheduler,
            "--db", str(on_dask), "--sources", str(sources),
        )

    names, _built = ran_on_cluster(client, backfill_on_dask)
    assert results["dask"].returncode == 0, results["dask"].stderr[-3000:]
    assert {"discover_task", "prepare"} <= names, names
    threads = newsmon(
        "backfill", "--start", window[0], "--end", window[1], "--db", str(on_threads), "--sources", str(sources)
    )
    assert threads.returncode == 0, threads.stderr[-3000:]
    expected = published_in(server.manifest, date(2021, 10, 4), date(2021, 10, 10))
    assert expected
    assert stored_urls(on_dask) == stored_urls(on_threads) == expected
    assert contents(on_dask) == contents(on_threads)


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--task-runner", "thread", "--dask-address", "tcp://127.0.0.1:8786"], "goes with --task-runner dask"),
        (["--dask-address", "127.0.0.1:8786"], "tcp://HOST:PORT"),
        (["--dask-address", "tcp://127.0.0.1:1"], "no Dask scheduler answers at tcp://127.0.0.1:1"),
        (["--task-runner", "ray"], "invalid choice"),
    ],
)
def test_a_bad_runner_choice_is_one_line_and_writes_nothing(site, tmp_path, args, needle):
    _server, sources = site
    db = tmp_path / "n.duckdb"
    for command in (["run"], ["backfill", "--start", "2021-10-01", "--end", "2021-10-02"]):
        assert_one_line_error(newsmon(*command, *args, "--db", str(db), "--sources", str(sources)), needle)
    assert not db.exists()


def test_served_deployments_carry_the_chosen_runner(tmp_path):
    from newsmon.serving import served_flows

    address = "tcp://127.0.0.1:8786"
    flows = served_flows("*/30 * * * *", tmp_path / "n.duckdb", tmp_path / "s.toml", "dask", address)
    assert [options["name"] for _flow, options in flows] == ["scheduled", "manual"]
    assert [type(flow.task_runner).__name__ for flow, _ in flows] == ["DaskTaskRunner"] * 2
    assert {flow.task_runner.address for flow, _ in flows} == {address}


def test_the_thread_runner_does_not_import_dask():
    code = (
        "import sys, newsmon.cli, newsmon.serving, flows.ingest, flows.backfill\n"
        "from flows.runners import task_runner\n"
        "assert type(task_runner('thread')).__name__ == 'ThreadPoolTaskRunner'\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed', 'prefect_dask')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"
