"""The writer alone: batches of articles written one session each, as a run writes them.

No fetching, extraction, NLP or Prefect while it times: each batch of --batch generated articles (about 640
words of text, a compressed page, 20 mentions, 2 topics and a quote each; no two of them near-duplicates),
or with --corpus N each batch a run over the benchmark's corpus of N articles writes (fetched from
127.0.0.1, extracted and annotated first, untimed: real articles carry about 80 mentions and 230 pairs of
registry actors each, which the rollups of pairs feel and generated ones do not), goes through
`Ingest.write_batch` on a fresh database, in its own writer session (open, write in one transaction with
the rollup upkeep, commit, close). For every --every-th batch it prints the session's wall time, its CPU
time and the most memory (RSS, sampled every 5 ms) the process used during it, and how much that was above
what it used before it. A write path whose cost grows with what is stored shows here as rising rows.

    .venv/bin/python bench/writes.py [--batches 50] [--batch 200] [--json OUT]
    .venv/bin/python bench/writes.py --corpus 2000 [--json OUT]     # about 3 minutes, 2 of them preparing

Linux only (memory from /proc).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.throughput import _kb, machine  # noqa: E402
from pipeline import dedup  # noqa: E402
from pipeline.ingest import Batch, Ingest, PreparedBatch  # noqa: E402
from pipeline.records import Article, Enrichment, Mention, Quote, TopicScore  # noqa: E402
from pipeline.settings import Config, load_settings  # noqa: E402

SOURCES = 21
ACTORS = [f"Actor {i}" for i in range(60)]
LABELS = ("PERSON", "ORG", "GPE")
WORDS = 640


def rss_mib() -> int:
    return _kb("/proc/self/status", "VmRSS:") // 1024


class Peak:
    """The most RSS the process had since the last `reset`, sampled every 5 ms by a thread."""

    def __init__(self) -> None:
        self.value = 0
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while True:
            self.value = max(self.value, rss_mib())
            time.sleep(0.005)

    def reset(self) -> int:
        self.value = rss_mib()
        return self.value


def generated(n: int, rnd: random.Random, vocabulary: list[str]) -> tuple[Article, Enrichment]:
    article_id = f"{n:020x}"
    text = " ".join(rnd.choice(vocabulary) for _ in range(WORDS))
    page = f"<html><body><nav>menu</nav><article><p>{text}</p></article><footer>{n}</footer></body></html>"
    when = datetime(2026, 1, 1) + timedelta(minutes=30 * n)
    url = f"https://outlet{n % SOURCES}.example/{n}.html"
    article = Article(
        article_id=article_id, url=url, fetched_url=url, source=f"Outlet {n % SOURCES}", feed_url=None,
        title=f"Story {n}", author=None, published_at=when, date_origin="feed", fetched_at=when, language="en",
        sitename=None, text=text, extraction="trafilatura", raw_html=zlib.compress(page.encode(), 6),
        text_sketch=dedup.sketch(text),
    )
    mentions = []
    for k in range(20):
        actor = rnd.choice(ACTORS) if rnd.random() < 0.6 else None
        name = actor or f"Name {rnd.randrange(5000)}"
        mentions.append(Mention(name, rnd.choice(LABELS), actor, 10 * k, 10 * k + 5, name))
    enrichment = Enrichment(
        article_id, tuple(mentions), (TopicScore("aid", 0.5), TopicScore("talks", 0.3)),
        (Quote("Name 1", None, "We will talk."),), 0.9,
    )
    return article, enrichment


def corpus_batches(n: int, folder: Path) -> tuple[Config, list[tuple[Batch, PreparedBatch]]]:
    """The batches a run over the benchmark's corpus of `n` articles writes, prepared as the run prepares
    them (fetched from 127.0.0.1, extracted and annotated on the worker processes)."""
    from bench.corpus import serve_corpus
    from pipeline.analysis import shutdown_pools
    from pipeline.ingest import fetch_feeds, prepare_batch
    from pipeline.settings import load_config

    server, corpus = serve_corpus(folder / "site", n)
    with server:
        config = load_config(corpus.sources_file)
        checks = fetch_feeds(config, [(s.name, url, None, None) for s in config.sources for url in s.feeds])
        batches = Ingest(config, folder / "unused.duckdb").plan_batches(checks)
        prepared = [(batch, prepare_batch(config, batch.entries)) for batch in batches]
    shutdown_pools()
    return config, prepared


def generated_batches(count: int, size: int) -> Iterator[tuple[Batch, PreparedBatch]]:
    """`count` batches of `size` generated articles, each made when it is asked for."""
    rnd = random.Random(1)
    # a large vocabulary: generated texts share few 5-word shingles, so none is a near-duplicate of another
    vocabulary = [f"w{i}" for i in range(20_000)]
    for b in range(count):
        pairs = [generated(b * size + i, rnd, vocabulary) for i in range(size)]
        articles = tuple(a for a, _ in pairs)
        yield Batch(()), PreparedBatch(articles, {e.article_id: e for _, e in pairs}, (), len(pairs))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=50)
    parser.add_argument("--batch", type=int, default=200, help="articles per batch")
    parser.add_argument("--every", type=int, default=5, help="print every n-th batch")
    parser.add_argument("--corpus", type=int, metavar="N", help="the batches of a run over a corpus of N articles")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    peak = Peak()
    rows = []
    with tempfile.TemporaryDirectory(prefix="newsmon-writes-") as tmp:
        if args.corpus:
            config, batches = corpus_batches(args.corpus, Path(tmp))
            count = len(batches)
        else:
            config = Config(sources=(), settings=load_settings(), sources_path=Path("<bench>"))
            batches, count = generated_batches(args.batches, args.batch), args.batches
        ingest = Ingest(config, Path(tmp) / "w.duckdb")
        run_id = ingest.start_run("ingest")
        stored = 0
        for b, (batch, prepared) in enumerate(batches):
            before = peak.reset()
            started, cpu = time.perf_counter(), time.process_time()
            ingest.write_batch(run_id, prepared, batch.feeds)
            stored += len(prepared.articles)
            row = {
                "batch": b + 1,
                "stored": stored,
                "seconds": round(time.perf_counter() - started, 3),
                "cpu_seconds": round(time.process_time() - cpu, 3),
                "peak_mib": peak.value,
                "peak_above_mib": peak.value - before,
            }
            rows.append(row)
            if (b + 1) % args.every == 0 or b + 1 == count:
                print(f"batch {row['batch']:4d} ({row['stored']:6d} stored): {row['seconds']:.3f} s, "
                      f"CPU {row['cpu_seconds']:.3f} s, peak {row['peak_mib']} MiB (+{row['peak_above_mib']})", flush=True)
        ingest.finish_run(run_id, "completed", {})
    total = sum(r["cpu_seconds"] for r in rows)
    print(f"{len(rows)} batches, {stored} articles: {total:.2f} s of CPU in all")
    if args.json:
        kind = {"corpus": args.corpus} if args.corpus else {"batch": args.batch}
        result = {"machine": machine(), **kind, "cpu_seconds": round(total, 3), "batches": rows}
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
