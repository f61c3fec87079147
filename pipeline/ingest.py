"""One ingest pass as plain functions: check feeds, plan batches, and process each batch.

`flows/` wraps these in Prefect tasks; tests and benchmarks can call them directly. A batch is fetched,
extracted, annotated and then written in ONE transaction with its failures, its retry bookkeeping and the
state of the feeds whose last entries it holds: a feed's ETag/Last-Modified only advance once all of its
new articles are committed, so a crash means the feed is read again in full next time.
"""

from __future__ import annotations

import gc
import queue
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from pathlib import Path

from typing import TYPE_CHECKING, Protocol, TypeVar

from pipeline import store
from pipeline.alerts import AlertConfig, Evaluation, evaluate
from pipeline.domain import Domain, load_domain, registry_rows
from pipeline.feeds import parse_feed
from pipeline.fetch import Fetcher, Result
from pipeline.identity import article_id, canonical_url
from pipeline.notify import DeliveryReport, deliver
from pipeline.records import Article, Enrichment, Failure, FeedEntry, NotModified, Response
from pipeline.settings import Config

if TYPE_CHECKING:
    from pipeline.nlp import Annotator

# trafilatura and spaCy (pipeline.analysis) are imported by the first batch that needs them: a run that finds
# nothing new, a feed task or a sitemap task never loads them, and with worker processes the flow's process
# never does.

MAX_PAGE_ATTEMPTS = 5  # a page that failed for a passing reason is tried this often in all

PREPARING = 3  # batches being fetched, extracted and annotated at once, while the writer stores the others
HELD = PREPARING + 1  # batches started and not yet handed to the writer: what bounds the memory


@dataclass(frozen=True)
class FeedCheck:
    """What one feed gave this run."""

    source: str
    feed_url: str
    status: str  # "ok", "not_modified" or the failure reason
    entries: tuple[FeedEntry, ...] = ()  # entries whose pages are not stored yet
    entries_total: int = 0
    etag: str | None = None
    last_modified: str | None = None
    failure: Failure | None = None
    problem: str | None = None  # a bozo feed that still gave entries, a repaired encoding, items skipped


@dataclass(frozen=True)
class Batch:
    entries: tuple[FeedEntry, ...]
    feeds: tuple[FeedCheck, ...] = ()  # feeds whose state this batch's transaction advances


@dataclass(frozen=True)
class PreparedBatch:
    """A batch fetched, extracted and annotated, ready for the single writer. Picklable, so the CPU stages
    can run on other processes (Dask workers) while the database has one writer."""

    articles: tuple[Article, ...]
    enrichments: dict[str, Enrichment]
    failures: tuple[tuple[FeedEntry, Failure], ...]
    fetched: int
    outside_window: tuple[Article, ...] = ()  # backfill: pages whose own date fell outside the window


@dataclass(frozen=True)
class BatchOutcome:
    new: int = 0
    duplicates: int = 0
    fetched: int = 0
    failed: int = 0
    outside_window: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


_RESOURCES_LOCK = threading.Lock()


@lru_cache(maxsize=4)
def _build_fetcher(config: Config) -> Fetcher:
    return Fetcher(config.fetch)


def fetcher_for(config: Config) -> Fetcher:
    """One HTTP client per process and configuration, built by the first task that needs it in that process
    (a thread of the flow process, or a Dask worker) and kept for the next."""
    with _RESOURCES_LOCK:
        return _build_fetcher(config)


def worker_resources(config: Config) -> tuple[Fetcher, Annotator]:
    """The HTTP client and the NLP pipeline of this process (each built once, when first needed)."""
    from pipeline.analysis import annotator_for

    return fetcher_for(config), annotator_for(config.settings)


def resources_built() -> int:
    """How many (HTTP client, NLP pipeline) pairs this process holds: where the tasks ran. With worker
    processes for extraction and NLP, the pipelines are in those, not here."""
    from pipeline.analysis import annotators_built

    return min(_build_fetcher.cache_info().currsize, annotators_built())


def fetch_feed(
    config: Config, source: str, feed_url: str, etag: str | None = None, last_modified: str | None = None
) -> FeedCheck:
    """Fetch (conditionally) and parse one feed; every entry is kept. Needs no database."""
    result = fetcher_for(config).fetch(feed_url, kind="feed", etag=etag, last_modified=last_modified)
    if isinstance(result, NotModified):
        return FeedCheck(source, feed_url, "not_modified", etag=etag, last_modified=last_modified)
    if isinstance(result, Failure):
        return FeedCheck(source, feed_url, result.reason, failure=result)
    parsed = parse_feed(result.body, feed_url, source, result.content_type)
    if isinstance(parsed, Failure):
        return FeedCheck(source, feed_url, parsed.reason, failure=parsed)
    skipped = f"{parsed.skipped} item{'s' * (parsed.skipped > 1)} without a link skipped" if parsed.skipped else None
    return FeedCheck(
        source,
        feed_url,
        "ok",
        entries=parsed.entries,
        entries_total=len(parsed.entries),
        etag=result.etag,
        last_modified=result.last_modified,
        problem="; ".join(note for note in (parsed.problem, skipped) if note) or None,
    )


def fetch_feeds(config: Config, feeds: list[tuple[str, str, str | None, str | None]]) -> list[FeedCheck]:
    """`fetch_feed` of every (source, feed URL, ETag, Last-Modified), on up to `concurrency` threads (the
    fetcher's per-host delay still applies); the checks in the order given. One task for all of a run's feeds,
    not one each: a task run costs Prefect's server about 100 ms of CPU, which it takes from the workers."""
    if not feeds:
        return []
    with ThreadPoolExecutor(max(1, min(config.fetch.concurrency, len(feeds))), "feed") as pool:
        return list(pool.map(lambda feed: fetch_feed(config, *feed), feeds))


def prepare_batch(config: Config, entries: tuple[FeedEntry, ...], window: tuple[date, date] | None = None) -> PreparedBatch:
    """Fetch, extract and annotate a batch of entries: everything but the write. With a window (backfill),
    pages whose own publication date is outside it, or unknown, are dropped. Extraction and NLP run on
    worker processes when there are any (`pipeline.analysis`)."""
    from pipeline.analysis import CHUNK, analyse_stream, in_window

    results: list[Result] = []

    def fetched_groups() -> Iterator[list[tuple[FeedEntry, Response]]]:
        """The fetched pages, CHUNK at a time, as they arrive: the workers start on the first ones while
        the others are still being fetched."""
        group = []
        for entry, result in zip(entries, fetcher_for(config).fetch_each([e.link for e in entries], kind="page")):
            results.append(result)
            if isinstance(result, Response):
                group.append((entry, result))
                if len(group) == CHUNK:
                    yield group
                    group = []
        if group:
            yield group

    analysis = analyse_stream(config, fetched_groups(), window)
    analysed = iter(analysis.items)
    articles: list[Article] = []
    failures: list[tuple[FeedEntry, Failure]] = []
    outside: list[Article] = []
    for entry, result in zip(entries, results):
        if isinstance(result, Response):
            item = next(analysed)
        elif isinstance(result, Failure):
            item = result
        else:  # a page answered 304 to a request that was not conditional
            item = Failure(entry.link, "page", "not_modified", "unexpected 304")
        if isinstance(item, Failure):
            failures.append((entry, item))
        elif in_window(item, window):
            articles.append(item)
        else:
            outside.append(item)
    return PreparedBatch(
        articles=tuple(articles),
        enrichments=analysis.enrichments,
        failures=tuple(failures),
        fetched=sum(isinstance(r, Response) for r in results),
        outside_window=tuple(outside),
    )


class Done(Protocol):
    """A future (concurrent.futures or Prefect) as `prepared_in_order` uses it."""

    def add_done_callback(self, fn: Callable) -> None: ...


T = TypeVar("T")
F = TypeVar("F", bound=Done)


def prepared_in_order(
    items: Iterable[T], submit: Callable[[T], F | None], preparing: int = PREPARING, held: int = HELD
) -> Iterator[tuple[T, F | None]]:
    """Each item with the future `submit(item)` gave it, in the items' order, once that future is done (an
    item for which `submit` gave None comes out in its turn, with None).

    Up to `preparing` futures run at once, and a new one starts as soon as any of them finishes while this
    generator waits (one that finishes while the caller works on an item is seen when the caller asks for
    the next), not only when the oldest is taken: batches prepared together share the worker processes and
    finish close together, and starting the next only after the oldest was written would leave the workers
    idle while the others are written. At most `held` items are started and not yet taken, which bounds the
    memory when the oldest is slow. Items are read, and submitted, lazily: `submit` sees what the caller did with the items
    taken before."""
    source = iter(items)
    started: deque[tuple[int, T, F | None]] = deque()
    finished: queue.SimpleQueue[int] = queue.SimpleQueue()
    completed: set[int] = set()
    running = count = 0
    exhausted = False

    def collect(block: bool) -> None:
        nonlocal running
        try:
            while True:
                completed.add(finished.get(block=block))
                running -= 1
                block = False
        except queue.Empty:
            pass

    def top_up() -> None:
        nonlocal running, count, exhausted
        while not exhausted and running < preparing and len(started) < held:
            try:
                item = next(source)
            except StopIteration:
                exhausted = True
                return
            future, index = submit(item), count
            count += 1
            started.append((index, item, future))
            if future is not None:
                running += 1
                future.add_done_callback(lambda _future, index=index: finished.put(index))

    top_up()
    while started:
        index, item, future = started[0]
        if future is None or index in completed:
            started.popleft()
            completed.discard(index)
            yield item, future
            collect(block=False)
        else:
            collect(block=True)
        top_up()


@contextmanager
def batch_collections() -> Iterator[None]:
    """The objects alive when the batches start (the imports, Prefect's client, the configuration) moved out
    of the cyclic garbage collector's sight (`gc.freeze`) until they end. Each batch brings tens of
    thousands of short-lived objects, and each time the oldest generation came round the collector scanned
    everything the process holds again (0.3 s each): in the flow's process of a run of 2,000 it took 2.3 s
    of CPU after the run's start, about 1 s with this. Raising its thresholds as well (10,000, 50, 100)
    took it to 0.55 s but let garbage live longer: 1,402 MiB at the peak of a run of 10,000 against 1,245
    without either and 1,230 with the freeze alone (one run each, the same corpus, in a row)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()

class Ingest:
    """The resources of one run: configuration, database path, HTTP client and NLP."""

    def __init__(self, config: Config, db_path: Path):
        self.config = config
        self.db_path = db_path if store.is_store(db_path) else Path(db_path)
        self._domain: Domain | None = None
        self._retries_before = 0  # DuckLake commit conflicts this process had retried when the run started

    def __enter__(self) -> Ingest:
        return self

    def __exit__(self, *exc) -> None:
        pass  # the HTTP client and the model stay loaded for the process (fetcher_for, pipeline.analysis)

    @property
    def domain(self) -> Domain:
        """The actors and topics, read from `config/` (the NLP model is not loaded for this: with a Dask
        task runner it only loads on the workers)."""
        if self._domain is None:
            self._domain = load_domain()
        return self._domain

    def writer(self, row_group_size: int | None = None):
        return store.writer(self.db_path, row_group_size=row_group_size)

    # run bookkeeping ----------------------------------------------------------------------------
    def start_run(self, flow: str) -> str:
        store.prepare(self.db_path, self.config.settings.relevance_threshold)
        self._retries_before = self._retries()

        def start(w: store.Writer) -> str:
            with w.transaction():
                w.sync_actors(registry_rows(self.domain.actors))
                return w.start_run(flow)

        return store.write(self.db_path, start)

    def _retries(self) -> int:
        if not store.is_store(self.db_path):
            return 0
        from pipeline import lake

        return lake.retries()

    def conflicts_retried(self) -> dict:
        """For a DuckLake store, {"commit_conflicts_retried": N}: the transactions of this run begun again after
        another writer's commit (pipeline/lake.py); nothing for a file."""
        return {"commit_conflicts_retried": self._retries() - self._retries_before} if store.is_store(self.db_path) else {}

    def finish_run(self, run_id: str, status: str, counts: dict[str, int], detail: str = "") -> None:
        store.write(self.db_path, lambda w: w.finish_run(run_id, status, counts, detail))

    def new_by_source(self, run_id: str) -> dict[str, int]:
        with self.writer() as w:
            return w.new_by_source(run_id)

    def alerts(self, rules: AlertConfig, run_id: str, window: tuple[date, date] | None = None
               ) -> tuple[Evaluation, DeliveryReport]:
        """Evaluate the alert rules over what the run touched (and `window`'s articles), store the new alerts,
        then send every delivery still owed, this run's and earlier ones'."""
        found = store.write(self.db_path, lambda w: evaluate(w.con, rules, run_id, window))
        return found, deliver(self.db_path, rules, self.config.fetch)

    # feeds --------------------------------------------------------------------------------------
    def check_feed(self, source: str, feed_url: str) -> FeedCheck:
        """Fetch one feed (conditionally) and keep the entries whose pages are not stored yet."""
        return self.keep_unstored(fetch_feed(self.config, source, feed_url, *self.feed_state(feed_url)))

    def feed_state(self, feed_url: str) -> tuple[str | None, str | None]:
        return self.feed_states([feed_url])[feed_url]

    def feed_states(self, feed_urls: list[str]) -> dict[str, tuple[str | None, str | None]]:
        """Each feed's (ETag, Last-Modified), in one database session."""
        with self.writer() as w:
            return {url: w.feed_state(url) for url in feed_urls}

    def keep_unstored(self, check: FeedCheck) -> FeedCheck:
        return self.keep_unstored_all([check])[0]

    def keep_unstored_all(self, checks: list[FeedCheck]) -> list[FeedCheck]:
        """Each check with only its entries that are not stored (`unstored`), in one database session."""
        kept = self.unstored_groups([c.entries for c in checks])
        return [replace(c, entries=entries) if c.entries else c for c, entries in zip(checks, kept)]

    def unstored(self, entries: tuple[FeedEntry, ...] | list[FeedEntry]) -> tuple[FeedEntry, ...]:
        """Entries whose canonical URL is not stored and has not failed for good, once each."""
        return self.unstored_groups([entries])[0]

    def unstored_groups(self, groups: list) -> list[tuple[FeedEntry, ...]]:
        """`unstored` of each group of entries, looked up in one database session."""
        by_ids: list[dict[str, tuple[FeedEntry, str]]] = []
        for entries in groups:
            by_id: dict[str, tuple[FeedEntry, str]] = {}
            for entry in entries:
                url = canonical_url(entry.link)
                by_id.setdefault(article_id(url), (entry, url))
            by_ids.append(by_id)
        ids = list({aid for by_id in by_ids for aid in by_id})
        if not ids:
            return [() for _ in groups]
        with self.writer() as w:
            stored = w.stored_ids(ids)
            dead = w.permanently_failed(list({url for by_id in by_ids for _e, url in by_id.values()}))
        return [
            tuple(e for aid, (e, url) in by_id.items() if aid not in stored and url not in dead) for by_id in by_ids
        ]

    def outside(self, entries: tuple[FeedEntry, ...], window: tuple[date, date]) -> tuple[FeedEntry, ...]:
        """Drop the entries whose page an earlier backfill found dated outside `window` (or undated)."""
        ids = {article_id(canonical_url(e.link)): e for e in entries}
        with self.writer() as w:
            known = w.out_of_window_dates(list(ids))
        keep = []
        for aid, entry in ids.items():
            if aid in known:
                when = known[aid]
                if when is None or not window[0] <= when.date() <= window[1]:
                    continue
            keep.append(entry)
        return tuple(keep)

    def retry_entries(self) -> tuple[FeedEntry, ...]:
        with self.writer() as w:
            pending = w.pending_retries(MAX_PAGE_ATTEMPTS)
        return self.unstored([entry for entry, _attempts in pending])

    # batches ------------------------------------------------------------------------------------
    def plan_batches(self, checks: list[FeedCheck], retries: tuple[FeedEntry, ...] = ()) -> list[Batch]:
        """Group new entries into batches; each feed's state rides on the batch holding its last entry."""
        size = max(1, self.config.settings.batch_size)
        seen: set[str] = set()
        work: list[tuple[FeedEntry, FeedCheck | None]] = []
        for check in checks:
            fresh = []
            for entry in check.entries:
                aid = article_id(canonical_url(entry.link))
                if aid not in seen:
                    seen.add(aid)
                    fresh.append(entry)
            work += [(e, None) for e in fresh[:-1]]
            work.append((fresh[-1], check) if fresh else (None, check))
        for entry in retries:
            aid = article_id(canonical_url(entry.link))
            if aid not in seen:
                seen.add(aid)
                work.append((entry, None))
        batches, entries, feeds = [], [], []
        for entry, check in work:
            if entry is not None:
                entries.append(entry)
            if check is not None:
                feeds.append(check)
            if len(entries) >= size:
                batches.append(Batch(tuple(entries), tuple(feeds)))
                entries, feeds = [], []
        if entries or feeds:
            batches.append(Batch(tuple(entries), tuple(feeds)))
        return batches

    def process_batch(self, run_id: str, batch: Batch, window: tuple[date, date] | None = None) -> BatchOutcome:
        """Fetch, extract, annotate and store one batch."""
        return self.write_batch(run_id, prepare_batch(self.config, batch.entries, window), batch.feeds)

    def write_batch(self, run_id: str, prepared: PreparedBatch, feeds: tuple[FeedCheck, ...] = ()) -> BatchOutcome:
        """Store a prepared batch in ONE transaction with its failures, retries and the feeds' new state."""
        failures = prepared.failures

        def write(w: store.Writer) -> store.BatchResult:
            with w.transaction():
                written = w.write_articles(
                    run_id, prepared.articles, prepared.enrichments, self.config.settings.duplicate_threshold
                )
                w.record_failures(run_id, [(f, e.source) for e, f in failures])
                w.clear_retries([a.article_id for a in prepared.articles])
                passing = [(article_id(canonical_url(e.link)), e, f) for e, f in failures if not f.permanent]
                w.queue_retries(passing)
                w.clear_retries([article_id(canonical_url(e.link)) for e, f in failures if f.permanent])
                for check in feeds:
                    self.record_feed(w, run_id, check)
                w.remember_out_of_window([(a.article_id, a.url, a.published_at) for a in prepared.outside_window])
                return written

        written = store.write(self.db_path, write, store.BATCH_ROW_GROUP_SIZE)
        return BatchOutcome(
            new=written.new,
            duplicates=written.duplicates,
            fetched=prepared.fetched,
            failed=len(failures),
            outside_window=len(prepared.outside_window),
            reasons=dict(Counter(f.reason for _e, f in failures)),
        )

    def record_feed(self, w: store.Writer, run_id: str, check: FeedCheck) -> None:
        if check.failure is not None:
            w.record_failures(run_id, [(check.failure, check.source)])
            w.record_feed(check.feed_url, check.source, check.status, error=check.failure.detail)
        else:
            w.record_feed(
                check.feed_url,
                check.source,
                check.status,
                etag=check.etag,
                last_modified=check.last_modified,
                entries=check.entries_total if check.status == "ok" else None,
                error=check.problem,
            )


# one pass -----------------------------------------------------------------------------------------------
@dataclass
class PassProgress:
    """What an ingest pass has done so far; kept when the pass fails part-way, for the run's record."""

    checks: list[FeedCheck] = field(default_factory=list)
    outcomes: list[BatchOutcome] = field(default_factory=list)

    def status(self) -> str:
        """'failed' when every feed failed (nothing could be done at all), else 'completed'."""
        return "failed" if self.checks and all(c.failure is not None for c in self.checks) else "completed"

    def summary(self) -> dict:
        """The run's counts, as the `runs` row and the run report keep them."""
        reasons: Counter = Counter()
        for outcome in self.outcomes:
            reasons.update(outcome.reasons)
        failed_feeds = [c for c in self.checks if c.failure is not None]
        return {
            "feeds_total": len(self.checks),
            "feeds_not_modified": sum(c.status == "not_modified" for c in self.checks),
            "feeds_failed": len(failed_feeds),
            "feed_failures": {c.feed_url: c.status for c in failed_feeds},
            "pages_fetched": sum(o.fetched for o in self.outcomes),
            "pages_failed": sum(o.failed for o in self.outcomes),
            "outside_window": sum(o.outside_window for o in self.outcomes),
            "articles_new": sum(o.new for o in self.outcomes),
            "duplicates_new": sum(o.duplicates for o in self.outcomes),
            "page_failures": dict(reasons),
        }


FeedList = list[tuple[str, str, str | None, str | None]]


def ingest_pass(
    ingest: Ingest,
    run_id: str,
    fetch_all: Callable[[FeedList], list[FeedCheck]],
    prepare: Callable[[Batch], Done],
    progress: PassProgress,
    on_work: Callable[[], object] = lambda: None,
) -> None:
    """The sequence of one ingest pass, whatever runs its parts: every feed of every source fetched in one
    call (`fetch_all`, e.g. `fetch_feeds`), then the new entries and the pending retries in batches, each
    prepared ahead by `prepare` (which returns a future: a Prefect task's, or a thread pool's) as
    `prepared_in_order` starts them, while this thread, the single writer, stores them one by one in order.
    `progress` holds the checks and outcomes as they come. `on_work` is called once the feeds have named
    articles to fetch, and only then (a flow starts its NLP workers there: a run with nothing new starts none)."""
    feeds = [(s.name, url) for s in ingest.config.sources for url in s.feeds]
    states = ingest.feed_states([url for _name, url in feeds])
    progress.checks = ingest.keep_unstored_all(fetch_all([(name, url, *states[url]) for name, url in feeds]))
    batches = ingest.plan_batches(progress.checks, ingest.retry_entries())
    if any(batch.entries for batch in batches):
        on_work()
    with batch_collections():
        for batch, future in prepared_in_order(batches, prepare):
            progress.outcomes.append(ingest.write_batch(run_id, future.result(), batch.feeds))


def run_ingest(config: Config, db_path: Path | str) -> dict:
    """One ingest pass without Prefect, with the `ingest` flow's sequence and concurrency (`ingest_pass`):
    feeds fetched concurrently, batches prepared ahead on PREPARING threads (extraction and NLP on the
    worker processes), the run recorded as the flow records it. For tests that need many runs in one process
    and benchmarks that measure Prefect's share. Returns the run's summary with its id and status."""
    ingest = Ingest(config, db_path)
    run_id = ingest.start_run("ingest")
    progress, status = PassProgress(), "failed"
    try:
        with ThreadPoolExecutor(PREPARING, "prepare") as pool:
            ingest_pass(
                ingest,
                run_id,
                lambda feeds: fetch_feeds(config, feeds),
                lambda batch: pool.submit(prepare_batch, config, batch.entries, None),
                progress,
            )
        status = progress.status()
    finally:
        summary = progress.summary()
        ingest.finish_run(run_id, status, summary)
    return {**summary, **ingest.conflicts_retried(), "run_id": run_id, "status": status,
            "batches": len(progress.outcomes)}
