"""Per-run cost as the database grows: the same new articles ingested into databases of 0, 10k, 100k and 1M
stored articles.

newsmon runs every 30 minutes for months, so what matters is the cost of the next run on a database that
keeps growing. For each base size a database is generated inside DuckDB (`bench/views_data.py`: articles of
`--text-words` words drawn Zipf-like from `--vocabulary` made-up words, mentions, topics, quotes, meetings,
runs, failures, then the rollups by `store.prepare`) with what the writer keeps beside the rows
(`writer_state`): each article's near-duplicate sketch and band keys, and the full-text index, taken in by
the writer's own incremental update in chunks. Stored pages (`article_html`) are not generated: no run reads
them. The bases are kept in `--dir` and reused while their parameters match.

Each measurement copies a base to a scratch file and runs one ingest pass there, in a child process, over a
served corpus of N new articles (`bench/corpus.py`: about 600 words each, the same N articles into every
base): `pipeline.ingest.run_ingest`, the ingest flow's calls without Prefect (Prefect's cost does not grow
with the database; `bench/throughput.py` measures it). Timers (seconds, summed over the run):

- fetch: the feeds (`fetch_feeds`); prepare: fetching the pages, extraction and NLP on the worker
  processes (`prepare_batch`, on threads ahead of the writer: overlaps the writes), model loading included;
- write: the batch writes (`write_batch`: articles, NLP rows, scoped rollup refresh, commit, and the
  checkpoint when the session closes), of which rollups (`rollups.refresh`) and checkpoint (the session's
  close);
- search index: bringing the full-text index up to date at the run's end (`store.refresh_search_index`);
- bookkeeping: the run's start (`store.prepare`: migrations, rollup check, views; the actors; the runs row)
  and end (the runs row), without the index;
- run: the whole pass, wall clock; owned = write + search index + bookkeeping, the parts whose cost could
  grow with the database.

Peak memory: the child process's own peak RSS (the writer; the worker processes do not hold the database)
and the whole process tree's (sampled). Medians of --runs runs, interleaved over sizes in one sitting.

    .venv/bin/python bench/growth.py [--sizes 0,10000,100000,1000000] [--news 100,1000] [--runs 3]
                                     [--dir /tmp/newsmon-growth] [--json OUT] [--markdown OUT]
    .venv/bin/python bench/growth.py --build-only # make the bases (1M: about 7 minutes on 2 cores) and stop
    .venv/bin/python bench/growth.py --smoke      # sizes 0 and 2,000, 20 new articles, one run
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PARTS = ("fetch", "prepare", "write", "rollups", "checkpoint", "search_index", "bookkeeping")


# ---- what the child process runs -----------------------------------------------------------------------


def child(sources: str, db: str, timings: str) -> int:
    """One ingest pass with timers around its parts; writes them to `timings`."""
    from pipeline import ingest as ingest_module
    from pipeline import rollups, store
    from pipeline.settings import load_config

    times = dict.fromkeys(PARTS, 0.0)

    def timed(owner, name: str, key: str) -> None:
        original = getattr(owner, name)

        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                times[key] += time.perf_counter() - started

        setattr(owner, name, wrapper)

    original_writer = store.writer

    @contextmanager
    def writer(*args, **kwargs):  # the time from the end of a session's work to its close: the checkpoint
        with original_writer(*args, **kwargs) as w:
            yield w
            closing = time.perf_counter()
        if kwargs.get("row_group_size") == store.BATCH_ROW_GROUP_SIZE:  # a batch's session
            times["checkpoint"] += time.perf_counter() - closing

    store.writer = writer
    timed(ingest_module, "fetch_feeds", "fetch")
    timed(ingest_module, "prepare_batch", "prepare")
    timed(ingest_module.Ingest, "write_batch", "write")
    timed(rollups, "refresh", "rollups")
    timed(store, "refresh_search_index", "search_index")
    timed(ingest_module.Ingest, "start_run", "bookkeeping")
    timed(ingest_module.Ingest, "finish_run", "bookkeeping")
    started = time.perf_counter()
    summary = ingest_module.run_ingest(load_config(Path(sources)), Path(db))
    run = time.perf_counter() - started
    times["bookkeeping"] -= times["search_index"]  # the index is brought up to date inside finish_run
    Path(timings).write_text(json.dumps({
        **times, "run": run, "articles_new": summary["articles_new"], "status": summary["status"],
        "peak_rss_mib": _high_water_mib(),
    }))
    return 0 if summary["status"] == "completed" else 1


def _high_water_mib() -> float:
    """This process's peak RSS (VmHWM: getrusage's ru_maxrss would carry the parent's peak across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---- the bases and the measurements --------------------------------------------------------------------


def base(folder: Path, size: int, text_words: int, vocabulary: int) -> dict:
    """The base database of `size` articles in `folder` (made once, reused while its parameters match)."""
    from bench import views_data
    from pipeline import store

    db = folder / f"base-{size}.duckdb"
    meta_path = db.with_suffix(".json")
    wanted = {"articles": size, "text_words": text_words, "vocabulary": vocabulary, "version": 1}
    meta = json.loads(meta_path.read_text()) if meta_path.exists() and db.exists() else {}
    if {k: meta.get(k) for k in wanted} != wanted:
        for path in (db, meta_path, Path(f"{db}.wal"), Path(f"{db}.lock")):
            path.unlink(missing_ok=True)
        print(f"generating the base of {size:,} articles ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        if size:
            views_data.generate(db, size, text_words=text_words, vocabulary=vocabulary, writer_state=True)
        store.prepare(db)  # the rollups, the views; the index is current
        with store.writer(db) as w:
            assert store.refresh_search_index(w.con) in ("current", "empty")
        meta = {**wanted, "generation_seconds": round(time.perf_counter() - started, 1)}
        meta_path.write_text(json.dumps(meta, indent=1))
    store.prepare(db)  # a base made by an older newsmon takes its migrations now, not inside a measured run
    meta["path"] = str(db)
    meta["bytes"] = db.stat().st_size
    return meta


def measure(base_db: Path, work: Path, sources: Path) -> dict:
    from bench.throughput import run_child

    for suffix in ("", ".wal", ".lock"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copy(base_db, work)
    os.sync()  # the copy's dirty pages written out now, not during the measured run (a scheduled run finds none)
    timings = work.with_suffix(".times.json")
    try:
        result = run_child([str(Path(__file__).resolve()), "--child", str(sources), str(work), str(timings)], timings)
    finally:
        for suffix in ("", ".wal", ".lock"):
            Path(f"{work}{suffix}").unlink(missing_ok=True)
    times = result["timings"]
    return {**{k: times[k] for k in (*PARTS, "run", "articles_new", "peak_rss_mib")},
            "owned": times["write"] + times["search_index"] + times["bookkeeping"],
            "tree_peak_rss_mib": result["peak_rss_mib"], "command_seconds": result["seconds"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=3, metavar=("SOURCES", "DB", "TIMINGS"), help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="0,10000,100000,1000000")
    parser.add_argument("--news", default="100,1000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--text-words", type=int, default=150)
    parser.add_argument("--vocabulary", type=int, default=200_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/newsmon-growth"))
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--build-only", action="store_true", help="make the bases and stop")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args(argv)
    if args.child:
        return child(*args.child)
    if args.smoke:
        args.sizes, args.news, args.runs = "0,2000", "20", 1
    sizes = [int(s) for s in args.sizes.split(",")]
    news = [int(n) for n in args.news.split(",")]
    args.dir.mkdir(parents=True, exist_ok=True)
    from bench.corpus import serve_corpus

    bases = {size: base(args.dir, size, args.text_words, args.vocabulary) for size in sizes}
    if args.build_only:
        print(json.dumps(bases, indent=1))
        return 0
    results: dict[str, list[dict]] = {}
    servers = []
    try:
        corpora = {}
        for n in news:
            server, corpus = serve_corpus(args.dir / f"corpus-{n}", n)
            server.__enter__()
            servers.append(server)
            corpora[n] = corpus
        for run in range(args.runs):
            for size in sizes:
                for n in news:
                    print(f"run {run + 1}: {n} new into {size:,}", file=sys.stderr, flush=True)
                    got = measure(Path(bases[size]["path"]), args.dir / "work.duckdb", corpora[n].sources_file)
                    if got["articles_new"] != corpora[n].articles:
                        raise RuntimeError(f"stored {got['articles_new']} of {corpora[n].articles} new articles")
                    results.setdefault(f"{n}:{size}", []).append(got)
    finally:
        for server in servers:
            server.__exit__(None, None, None)
    table = {key: {k: statistics.median(r[k] for r in runs) for k in runs[0]} for key, runs in results.items()}
    ratios = {}
    for n in news:
        smallest, largest = table[f"{n}:{sizes[0]}"], table[f"{n}:{sizes[-1]}"]
        ratios[n] = {k: largest[k] / smallest[k] if smallest[k] else None
                     for k in ("run", "owned", "write", "search_index", "bookkeeping", "peak_rss_mib",
                               "tree_peak_rss_mib")}
    report = {
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python bench/growth.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "bases": bases, "medians": table, "runs": results,
        "ratios_largest_to_smallest": {str(n): r for n, r in ratios.items()},
    }
    text = json.dumps(report, indent=1)
    if args.json:
        args.json.write_text(text)
    markdown = render(report, sizes, news)
    if args.markdown:
        args.markdown.write_text(markdown)
    print(markdown)
    return 0


def render(report: dict, sizes: list[int], news: list[int]) -> str:
    lines = [f"Growth benchmark, {report['when']} ({report['machine']['cores']} cores): `{report['command']}`", "",
             "| new | stored | run s | owned s | write s | rollups s | checkpoint s | index s | bookkeeping s |"
             " prepare s | fetch s | peak RSS MiB (writer / tree) |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for n in news:
        for size in sizes:
            m = report["medians"][f"{n}:{size}"]
            lines.append(
                f"| {n:,} | {size:,} | {m['run']:.2f} | {m['owned']:.2f} | {m['write']:.2f} | {m['rollups']:.2f} | "
                f"{m['checkpoint']:.2f} | {m['search_index']:.2f} | {m['bookkeeping']:.2f} | {m['prepare']:.2f} | "
                f"{m['fetch']:.2f} | {m['peak_rss_mib']:.0f} / {m['tree_peak_rss_mib']:.0f} |")
    lines += ["", f"Largest ({sizes[-1]:,}) over smallest ({sizes[0]:,}) base, medians:", ""]
    for n, r in report["ratios_largest_to_smallest"].items():
        lines.append(f"- {int(n):,} new: run {r['run']:.2f}x, owned parts {r['owned']:.2f}x (write {r['write']:.2f}x, "
                     f"index {(r['search_index'] or 0):.2f}x, bookkeeping {r['bookkeeping']:.2f}x), peak RSS writer "
                     f"{r['peak_rss_mib']:.2f}x, tree {r['tree_peak_rss_mib']:.2f}x")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
