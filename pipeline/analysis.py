"""Extraction and NLP of fetched pages: the CPU half of preparing a batch, spread over worker processes.

trafilatura and spaCy hold the GIL, so threads cannot put a second core to work on them. A batch's fetched
pages go to the worker processes in chunks of CHUNK pages, as they are fetched; each worker loads the NLP
model once, keeps it, and returns a chunk's articles (or failures) and their enrichments. Fetching stays in
the calling process (one HTTP client, one per-host schedule), and so does every write.

How many workers: `nlp_processes` in config/settings.toml. 0 means one per CPU core this process may use,
1 means none (the calling process does the work itself), n means n. A daemonic process, such as a Dask
worker, may not start processes of its own: it does the work itself (the cluster is its parallelism).
The pool is started at the first batch (or earlier, by `warm`) and kept for the life of the process, so the
model loads once per worker, not once per batch; a pool whose worker died is replaced at the next batch.
It is shut down when the process exits, before multiprocessing waits for the process's children: a flow
run that Prefect's runner started as a multiprocessing child (as `newsmon serve` does) would otherwise
wait for its idle workers for good, and `serve` with it.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.util
import os
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from pipeline import store
from pipeline.domain import load_domain
from pipeline.records import Article, Enrichment, Failure, FeedEntry, Response
from pipeline.settings import Config, Settings

if TYPE_CHECKING:
    from pipeline.nlp import Annotator

# trafilatura (pipeline.extract) and spaCy (pipeline.nlp) are imported where the work is done, so that a
# process whose workers do it never loads them.


class AnalysisError(Exception):
    """A worker process died while it worked on a batch (the batch is not stored); one line."""


@dataclass(frozen=True)
class Analysis:
    items: tuple[Article | Failure, ...]  # one per page, in the order given
    enrichments: dict[str, Enrichment]  # for the articles inside the window


def in_window(article: Article, window: tuple[date, date] | None) -> bool:
    if window is None:
        return True
    return article.published_at is not None and window[0] <= article.published_at.date() <= window[1]


_ANNOTATOR_LOCK = threading.Lock()


@lru_cache(maxsize=4)
def _build_annotator(settings: Settings) -> Annotator:
    from pipeline.nlp import Annotator

    return Annotator(
        load_domain(), settings.spacy_model, settings.nlp_batch_size, relevance_threshold=settings.relevance_threshold
    )


def annotator_for(settings: Settings) -> Annotator:
    """One NLP pipeline per process and settings, built by the first batch that needs it and kept: the
    model loads once, even when several batches start at the same moment."""
    with _ANNOTATOR_LOCK:
        return _build_annotator(settings)


def annotators_built() -> int:
    return _build_annotator.cache_info().currsize


def analyse_pages(
    settings: Settings, pages: Sequence[tuple[FeedEntry, Response]], window: tuple[date, date] | None = None
) -> Analysis:
    """Extract every page and annotate the articles inside `window`, in this process."""
    from pipeline.extract import extract_article

    items = tuple(extract_article(page, entry.source, entry, store.utcnow()) for entry, page in pages)
    keep = [a for a in items if isinstance(a, Article) and in_window(a, window)]
    enrichments = annotator_for(settings).annotate(
        [(a.article_id, a.text, (a.published_at or a.fetched_at).date()) for a in keep]
    ) if keep else {}
    return Analysis(items, enrichments)


def worker_count(settings: Settings) -> int:
    """Worker processes for extraction and NLP in this process (1: no pool)."""
    if multiprocessing.current_process().daemon:
        return 1
    if settings.nlp_processes:
        return settings.nlp_processes
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_POOLS: dict[int, ProcessPoolExecutor] = {}
_POOLS_LOCK = threading.Lock()


PARENT_CHECK_SECONDS = 1.0
WORKER_NICENESS = 5  # workers yield the CPU to the process that fetches, writes and orchestrates


def _start_worker(parent: int) -> None:
    """A worker's initializer. It lowers the worker's priority: the writer, on the critical path, then
    gets a core as soon as it has a batch to write, and the workers use the rest. And it ends the worker
    when the process that started it is gone: a worker waits for work on a queue whose writing end it
    holds itself, so it would never notice a parent killed with SIGKILL (or by the kernel for lack of
    memory) and would stay, with its model, for good."""
    os.nice(WORKER_NICENESS)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _pool(workers: int) -> ProcessPoolExecutor:
    with _POOLS_LOCK:
        pool = _POOLS.get(workers)
        if pool is None:
            # spawn, not fork: the flow process runs threads (Prefect, HTTP), whose locks a fork would copy,
            # and holds file locks (the run's) that a forked worker would keep after a crash
            context = multiprocessing.get_context("spawn")
            pool = _POOLS[workers] = ProcessPoolExecutor(
                workers, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),)
            )
        return pool


def shutdown_pools() -> None:
    """Stop every worker process of this process (they load the model again if work comes later)."""
    with _POOLS_LOCK:
        pools = list(_POOLS.values())
        _POOLS.clear()
    for pool in pools:
        pool.shutdown(wait=True, cancel_futures=True)


# At exit, multiprocessing joins the process's non-daemonic children (which the workers are) before
# threading's exit hooks would stop them: so stop them first, from a finalizer that runs before that join.
multiprocessing.util.Finalize(None, shutdown_pools, exitpriority=100)


def _discard(pool: ProcessPoolExecutor) -> None:
    with _POOLS_LOCK:
        for workers, known in list(_POOLS.items()):
            if known is pool:
                del _POOLS[workers]
    pool.shutdown(wait=False, cancel_futures=True)


CHUNK = 25  # pages per job of a worker: a second or two of work, small enough to keep both cores busy to
#            the end of a batch, large enough that handing it over costs nothing (about 5 ms for 25 pages)


def _warm_worker(settings: Settings) -> tuple[int, int]:
    """(this worker's PID, NLP pipelines it has) once trafilatura and the model are loaded."""
    import pipeline.extract  # noqa: F401  (trafilatura, lxml)

    annotator_for(settings)
    return os.getpid(), annotators_built()


def warm(settings: Settings) -> list[Future]:
    """Start the worker processes now, each loading trafilatura and the NLP model in the background, so that
    the first batch does not wait for them (`newsmon run` calls this before Prefect's start-up, which then
    hides it, and the flow again at its start, for `newsmon serve`). Does nothing without a pool, or when
    the pool is running already; the workers load what they need on first use anyway."""
    workers = worker_count(settings)
    if workers <= 1 or workers in _POOLS:
        return []
    pool = _pool(workers)
    return [pool.submit(_warm_worker, settings) for _ in range(workers)]  # seconds each: one job a worker


def analyse(config: Config, pages: Sequence[tuple[FeedEntry, Response]], window: tuple[date, date] | None = None) -> Analysis:
    """Extract and annotate `pages`: on the worker processes, or here when there are none."""
    return analyse_stream(config, [pages], window)


def analyse_stream(
    config: Config, groups: Iterable[Sequence[tuple[FeedEntry, Response]]], window: tuple[date, date] | None = None
) -> Analysis:
    """Extract and annotate pages that arrive in groups (a generator may fetch each group as it is asked for):
    each group goes to the workers in chunks of CHUNK pages as soon as it is there, so they start on the first
    pages of a batch while the rest are still being fetched. The result is in the order of the pages."""
    settings = config.settings
    workers = worker_count(settings)
    if workers <= 1:
        parts = [analyse_pages(settings, group, window) for group in groups if group]
    else:
        pool = _pool(workers)
        try:
            futures = [
                pool.submit(analyse_pages, settings, group[i : i + CHUNK], window)
                for group in groups
                for i in range(0, len(group), CHUNK)
            ]
            parts = [f.result() for f in futures]
        except BrokenProcessPool as exc:
            _discard(pool)
            raise AnalysisError(f"a worker process for extraction and NLP died ({exc}); the batch was not stored") from None
    enrichments: dict[str, Enrichment] = {}
    for part in parts:
        enrichments.update(part.enrichments)
    return Analysis(tuple(item for part in parts for item in part.items), enrichments)
