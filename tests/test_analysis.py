"""Extraction and NLP on worker processes (`pipeline.analysis`), and the backfill's look-ahead across days
(`flows.backfill.process_days`): the same articles and enrichments as in one process, in the same order;
a worker that dies fails its batch with a one-line error and the next batch gets a fresh pool; a day whose
batch fails is recorded and the other days are written, in order, with the next batches prepared ahead; the
look-ahead itself (`pipeline.ingest.prepared_in_order`) starts a batch as soon as any is prepared, within a
bound."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import threading
import time
import weakref
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from pipeline_helpers import make_config

from newsmon.sample_site.server import serve_generated_site
from pipeline import analysis
from pipeline.backfill import DayPlan
from pipeline.fetch import Fetcher
from pipeline.identity import canonical_url
from pipeline.ingest import HELD, Batch, Ingest, batch_collections, prepare_batch, prepared_in_order
from pipeline.records import Article, FeedEntry, Response
from pipeline.settings import Config

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with serve_generated_site(tmp_path_factory.mktemp("analysis-site") / "site") as server:
        yield server


def config_with(processes: int) -> Config:
    config = make_config({"Sample": []}, sitemaps={"Sample": ["http://127.0.0.1/unused.xml"]})
    return replace(config, settings=replace(config.settings, nlp_processes=processes))


def entries_for(server, articles) -> list[FeedEntry]:
    return [
        FeedEntry(a.outlet_name, "", server.base_url + a.path, a.title, None, a.author, "", a.url, "sitemap")
        for a in articles
    ]


def fetched(server, count: int) -> list[tuple[FeedEntry, Response]]:
    entries = entries_for(server, [a for a in server.manifest.articles if a.synthetic][:count])
    with Fetcher(config_with(1).fetch) as fetcher:
        results = fetcher.fetch_many([e.link for e in entries], kind="page")
    assert all(isinstance(r, Response) for r in results)
    return list(zip(entries, results))


def comparable(result: analysis.Analysis) -> tuple:
    """Everything but the time of extraction."""
    items = tuple(replace(a, fetched_at=None) if isinstance(a, Article) else a for a in result.items)
    return items, result.enrichments


def test_workers_give_the_same_articles_and_enrichments_in_the_same_order(site):
    pages = fetched(site, 7)  # more pages than workers, not a multiple of their number
    alone = analysis.analyse(config_with(1), pages)
    pooled = analysis.analyse(config_with(2), pages)
    assert [a.url for a in pooled.items] == [canonical_url(e.link) for e, _ in pages]
    assert comparable(pooled) == comparable(alone)
    assert sum(len(e.mentions) for e in pooled.enrichments.values()) > 20
    assert 2 in analysis._POOLS  # the pool stays for the next batch
    niceness = analysis._POOLS[2].submit(os.nice, 0).result()
    assert niceness == min(19, os.nice(0) + analysis.WORKER_NICENESS)  # the writer goes first
    one = analysis.analyse(config_with(2), pages[:1])  # a batch of one goes to a worker too
    first = alone.items[0].article_id
    assert comparable(one) == (comparable(alone)[0][:1], {first: alone.enrichments[first]})


def test_pages_that_arrive_in_groups_go_to_the_workers_in_chunks_and_come_back_in_order(site, monkeypatch):
    pages = fetched(site, 9)
    alone = analysis.analyse(config_with(1), pages)
    monkeypatch.setattr(analysis, "CHUNK", 2)
    submitted = []
    pool = analysis._pool(2)
    real_submit = pool.submit
    monkeypatch.setattr(pool, "submit", lambda fn, s, chunk, w: submitted.append(len(chunk)) or real_submit(fn, s, chunk, w))
    groups = [pages[:1], [], pages[1:6], pages[6:]]  # as a fetch hands them over: uneven, one empty
    streamed = analysis.analyse_stream(config_with(2), iter(groups), None)
    assert submitted == [1, 2, 2, 1, 2, 1]  # each group in chunks of CHUNK, as it came
    assert comparable(streamed) == comparable(alone)


def test_warm_has_each_worker_load_the_model_before_the_first_batch(site):
    assert analysis.warm(config_with(1).settings) == []  # no pool, nothing to warm
    analysis.shutdown_pools()  # fresh workers, with no model yet
    futures = analysis.warm(config_with(2).settings)
    assert len(futures) == 2
    warmed = [future.result() for future in futures]  # raises if a worker could not load the model
    assert {pid for pid, _ in warmed} <= set(analysis._POOLS[2]._processes)
    assert [built for _, built in warmed] == [1, 1]  # the model of these settings, loaded once a worker
    assert analysis.warm(config_with(2).settings) == []  # the flow's call after the command line's: nothing again


def test_a_worker_that_dies_fails_its_batch_in_one_line_and_the_next_batch_gets_a_fresh_pool(site):
    pages = fetched(site, 4)
    config = config_with(2)
    expected = comparable(analysis.analyse(config, pages))
    pool = analysis._POOLS[2]
    os.kill(next(iter(pool._processes)), signal.SIGKILL)
    deadline = time.monotonic() + 60  # safety net: the pool notices a dead worker at once
    while not pool._broken and time.monotonic() < deadline:
        time.sleep(0.05)
    with pytest.raises(analysis.AnalysisError) as failure:
        analysis.analyse(config, pages)
    assert "worker process" in str(failure.value) and "\n" not in str(failure.value)
    assert analysis._POOLS.get(2) is not pool
    assert comparable(analysis.analyse(config, pages)) == expected


def test_a_daemonic_process_does_the_work_itself():
    import multiprocessing

    settings = config_with(0).settings
    assert analysis.worker_count(settings) == len(os.sched_getaffinity(0))
    current = multiprocessing.current_process()
    current._config["daemon"] = True  # as in a Dask worker, which may not start processes of its own
    try:
        assert analysis.worker_count(settings) == 1
        assert analysis.worker_count(config_with(4).settings) == 1
    finally:
        del current._config["daemon"]


def day_plans(server, per_day: int, batch_size: int) -> list[DayPlan]:
    """Four days of the sample site's articles, `per_day` each, in batches of `batch_size`, and an empty day
    third."""
    by_day: dict[date, list] = {}
    for a in server.manifest.articles:
        if a.synthetic:
            by_day.setdefault(datetime.fromisoformat(a.published).date(), []).append(a)
    days = [d for d in sorted(by_day) if len(by_day[d]) >= per_day][:4]
    plans = []
    for day in days:
        entries = entries_for(server, by_day[day][:per_day])
        plans.append(DayPlan(day, tuple(Batch(tuple(entries[i : i + batch_size])) for i in range(0, per_day, batch_size))))
    return plans[:2] + [DayPlan(date(2021, 1, 1), ())] + plans[2:]


def run_days(site, tmp_path, plans, batch_size: int, fail) -> tuple[list[str], list[tuple], int]:
    """process_days over `plans` with the real prepare_batch on threads, except that the batches for which
    `fail(entries)` is true fail; returns the events (prepare, write), the days reported, the articles new."""
    from flows.backfill import process_days

    config = make_config({"Sample": []}, sitemaps={"Sample": [site.base_url + "/unused.xml"]})
    config = replace(config, settings=replace(config.settings, batch_size=batch_size))
    events: list[str] = []

    def submit(entries) -> Future:
        events.append("prepare " + " ".join(canonical_url(e.link) for e in entries))
        if fail(entries):
            future: Future = Future()
            future.set_exception(RuntimeError("cannot prepare this batch"))
            return future
        return pool.submit(prepare_batch, config, entries, None)

    ingest = Ingest(config, tmp_path / "n.duckdb")
    run_id = ingest.start_run("backfill")
    original = ingest.write_batch

    def write_batch(run, prepared, feeds=()):
        events.extend(f"write {a.url}" for a in prepared.articles)
        return original(run, prepared, feeds)

    ingest.write_batch = write_batch
    reported = []
    with ThreadPoolExecutor(3) as pool:
        outcomes = process_days(
            ingest, run_id, plans, (date(2021, 1, 1), date(2021, 12, 31)),
            lambda i, plan, error: reported.append((i, plan.day, type(error).__name__ if error else None)),
            submit=submit,
        )
    return events, reported, sum(o.new for o in outcomes)


def test_backfill_days_fail_alone_are_written_in_order_and_prepared_ahead(site, tmp_path):
    plans = day_plans(site, per_day=3, batch_size=1)  # days with batches of their own
    failing_day = plans[1].day
    events, reported, new = run_days(site, tmp_path, plans, 50, lambda entries: entries is plans[1].batches[1].entries)
    assert reported == [
        (0, plans[0].day, None),
        (1, failing_day, "RuntimeError"),
        (2, date(2021, 1, 1), None),
        (3, plans[3].day, None),
        (4, plans[4].day, None),
    ]
    assert new == 10  # the failed day's first batch was written, then it failed: not its third
    url = {f"{p.day}#{i}": canonical_url(b.entries[0].link) for p in plans for i, b in enumerate(p.batches)}
    written = [e.removeprefix("write ") for e in events if e.startswith("write ")]
    assert written == [url[k] for k in url if k not in (f"{failing_day}#1", f"{failing_day}#2")]  # in order
    # look-ahead: the next day's first batch was being prepared before this day's last one was written
    assert events.index(f"prepare {url[f'{failing_day}#0']}") < events.index(f"write {url[f'{plans[0].day}#2']}")


def test_backfill_writes_quiet_days_together_and_a_failed_batch_fails_its_days(site, tmp_path):
    from flows.backfill import write_groups

    plans = day_plans(site, per_day=1, batch_size=1)  # five days of one page (one empty)
    plans += day_plans(site, per_day=3, batch_size=3)[3:4]  # and a day of three
    groups = write_groups(plans, 2)
    assert [days for days, _batch in groups] == [(0, 1), (3, 4), (5,)]  # the empty day 2 goes with nothing
    assert [len(batch.entries) for _days, batch in groups] == [2, 2, 3]  # a day is never split
    assert write_groups(plans, 50)[0][0] == (0, 1, 3, 4, 5)

    failing = groups[1][1].entries
    events, reported, new = run_days(site, tmp_path, plans, 2, lambda entries: list(entries) == list(failing))
    assert [(i, error) for i, _day, error in reported] == [
        (0, None), (1, None), (2, None), (3, "RuntimeError"), (4, "RuntimeError"), (5, None)
    ]
    assert new == 5
    assert len([e for e in events if e.startswith("prepare ")]) == 3  # three transactions for six days


def scripted_futures(n: int, late: dict[int, int], none: frozenset = frozenset()):
    """prepared_in_order over items 0..n-1 whose futures are done as soon as they are submitted, except each
    `late` item, done when the item `late[item]` is submitted (and those in `none`, which get no future).
    Returns the events in order: ("submit", i) and ("take", i)."""
    events: list[tuple[str, int]] = []
    futures: dict[int, Future] = {}
    timers: list[threading.Timer] = []

    def finish(item: int) -> None:
        if not futures[item].done():
            futures[item].set_result(item)

    def submit(i: int) -> Future | None:
        events.append(("submit", i))
        for item, trigger in late.items():
            if trigger == i:
                finish(item)
        if i in none:
            return None
        futures[i] = Future()
        if i not in late:
            futures[i].set_result(i)
        else:  # should its trigger never be submitted first, the test ends all the same, and fails
            timers.append(threading.Timer(10, finish, (i,)))
            timers[-1].start()
        return futures[i]

    try:
        for i, future in prepared_in_order(range(n), submit):
            assert future is None if i in none else future.result() == i
            events.append(("take", i))
    finally:
        for timer in timers:
            timer.cancel()
    return events


def test_the_next_batch_starts_when_any_is_prepared_not_when_the_oldest_is_written():
    # item 0 is prepared last of the first three: the next batch starts without waiting for it
    events = scripted_futures(10, late={0: 3})
    assert [i for kind, i in events if kind == "take"] == list(range(10))  # in order
    assert events.index(("submit", 3)) < events.index(("take", 0))
    assert events[:5] == [("submit", 0), ("submit", 1), ("submit", 2), ("submit", 3), ("take", 0)]


def test_batches_started_and_not_yet_written_are_bounded():
    events = scripted_futures(12, late={0: 3, 5: 8}, none=frozenset({6}))
    assert [i for kind, i in events if kind == "take"] == list(range(12))
    held = peak = 0
    for kind, _i in events:
        held += 1 if kind == "submit" else -1
        peak = max(peak, held)
    assert peak == HELD  # reached while item 0 waits, never passed
    assert events.index(("submit", 4)) > events.index(("take", 0))


ORPHANED = """
import os, sys, time
from pipeline import analysis
pool = analysis._pool(2)
for future in [pool.submit(os.getpid) for _ in range(4)]:
    future.result()
print(*pool._processes, flush=True)
time.sleep(600)
"""


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_workers_end_when_the_process_that_started_them_is_killed():
    process = subprocess.Popen([sys.executable, "-c", ORPHANED], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(pid) for pid in process.stdout.readline().split()]
        assert len(workers) == 2 and all(running(pid) for pid in workers)
    finally:
        process.kill()  # SIGKILL: the workers are not told
        process.wait()
    deadline = time.monotonic() + 60  # safety net: they notice within a second
    while any(running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(running(pid) for pid in workers)


def _use_a_pool_and_return() -> None:
    pool = analysis._pool(2)
    for future in [pool.submit(os.getpid) for _ in range(4)]:
        future.result()


def test_a_multiprocessing_child_with_workers_exits_when_its_work_returns():
    """As a flow run that Prefect's runner starts for `newsmon serve`: multiprocessing joins a child's
    children at its exit, and idle workers never end by themselves, so the pool must be shut down first."""
    import multiprocessing

    child = multiprocessing.get_context("spawn").Process(target=_use_a_pool_and_return)
    child.start()
    child.join(timeout=120)  # safety net: it exits as soon as the workers are stopped
    hung = child.is_alive()
    if hung:
        child.kill()
        child.join()
    assert not hung and child.exitcode == 0


class _Node:
    pass


def test_batch_collections_freeze_what_is_alive_and_put_the_collector_back():
    with batch_collections():
        assert gc.get_freeze_count() > 0  # the process's objects are out of the collector's sight
        node = _Node()
        node.itself = node  # a cycle that becomes garbage during the batches is still collected
        gone = weakref.ref(node)
        del node
        gc.collect()
        assert gone() is None
    assert gc.get_freeze_count() == 0
