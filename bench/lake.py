"""DuckLake on PostgreSQL against a DuckDB file: ingest throughput with one and with two writers at once, the
commit conflicts two writers meet, and the dashboard views on a store of the 1M-article benchmark database.

A PostgreSQL server of its own is started for the benchmark (initdb in a temporary folder, as the tests do:
tests/postgres.py). The generated corpus (bench/corpus.py, served from 127.0.0.1) is ingested through the
plain-Python core (`pipeline.ingest.run_ingest`, the ingest flow's sequence without Prefect), each writer a
process of its own that loads its NLP workers, timed from its start to its end:

- one writer over every feed, into a new DuckDB file and into a new store;
- two writers at once, each over half of the outlets, into one new DuckDB file (they queue on its writer
  lock, batch by batch) and into one new store (no lock: their commits conflict, and are begun again);
  wall time until both have ended, and the commit conflicts retried per 1,000 articles stored.

Each figure is the median of --runs, the four set-ups interleaved. With --views-db, that database (made by
bench/views.py) is copied into a store (`newsmon storage copy`: once, kept while --views-store names it) and
every dashboard query is timed there as bench/views.py times it on the file.

    .venv/bin/python bench/lake.py [--n 1000] [--runs 3] [--views-db /tmp/newsmon-bench/views.duckdb]
        [--json bench/results/lake.json] [--markdown bench/results/lake.md]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from bench.throughput import machine  # noqa: E402


def child(sources: str, db: str) -> int:
    """One writer: an ingest pass, then its summary and the conflicts it retried, as JSON on stdout."""
    from pipeline import lake
    from pipeline.ingest import run_ingest
    from pipeline.settings import load_config

    summary = run_ingest(load_config(Path(sources)), db)
    print(json.dumps({"articles_new": summary["articles_new"], "status": summary["status"],
                      "retries": lake.retries()}))
    return 0 if summary["status"] == "completed" else 1


def writers(sources: list[Path], db: str, env: dict) -> dict:
    """Start one writer per sources file at once; wall time until the last ends."""
    started = time.perf_counter()
    processes = [subprocess.Popen([sys.executable, __file__, "--child", str(s), db], env=env, cwd=ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for s in sources]
    results = []
    for process in processes:
        out, err = process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"writer failed: {err[-2000:]}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    seconds = time.perf_counter() - started
    articles = sum(r["articles_new"] for r in results)
    retries = sum(r["retries"] for r in results)
    return {"seconds": round(seconds, 2), "articles": articles, "articles_per_s": round(articles / seconds, 1),
            "retries": retries, "retries_per_1000": round(1000 * retries / max(articles, 1), 1)}


def halves(corpus, folder: Path) -> list[Path]:
    """The corpus's sources file split into two, each with half of the outlets."""
    text = corpus.sources_file.read_text()
    head, *blocks = text.split("[[sources]]")
    files = []
    for i in range(2):
        path = folder / f"half{i}.toml"
        path.write_text(head + "".join("[[sources]]" + b for b in blocks[i::2]))
        files.append(path)
    return files


def views_on_store(views_db: Path, spec: str, data: Path, reps: int, log) -> dict:
    from bench import views
    from pipeline import lake, store

    with ExitStack() as stack:
        try:
            con = stack.enter_context(store.reader(spec))
            copied = con.execute("SELECT COUNT(*) FROM articles").fetchone()[0] > 0
        except store.StoreError:
            copied = False
    if not copied:
        started = time.perf_counter()
        data.mkdir(parents=True, exist_ok=True)
        lake.copy_store(str(views_db), spec, str(data))
        log(f"views: {views_db} copied into the store in {time.perf_counter() - started:.0f} s")
    result = views.run(spec, reps, None)
    timed = [v["p95_ms"] for v in result["per_view"].values() if v["p95_ms"] is not None]
    return {"per_view": result["per_view"], "worst_p95_ms": max(timed),
            "queries": len(result["queries"])}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child(*argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--views-db", type=Path, help="time the dashboard views on a store copy of this database")
    parser.add_argument("--views-store", help="the store to copy it into and keep (default: one in this run's server)")
    parser.add_argument("--views-data", type=Path, default=Path("/tmp/newsmon-bench/lake-views"))
    parser.add_argument("--json", type=Path)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args(argv)
    from bench.corpus import serve_corpus
    from postgres import create_database, postgres_server

    began = time.perf_counter()
    log = lambda msg: print(f"[{time.perf_counter() - began:7.1f} s] {msg}", file=sys.stderr, flush=True)
    setups = {"file, 1 writer": [], "store, 1 writer": [], "file, 2 writers": [], "store, 2 writers": []}
    views = None
    with tempfile.TemporaryDirectory(prefix="newsmon-lake-") as tmp:
        work = Path(tmp)
        os.chmod(work, 0o755)
        with postgres_server(work / "pg") as port:
            server, corpus = serve_corpus(work / "site", args.n)
            with server:
                log(f"corpus: {corpus.articles} articles, {len(corpus.feeds)} feeds")
                split = halves(corpus, work)
                for i in range(args.runs):
                    for name in setups:
                        if name.startswith("file"):
                            db = str(work / f"{i}-{name[:4]}-{name[6]}.duckdb")
                        else:
                            db = "ducklake:postgres:" + create_database(port, f"run{i}_{name[7]}")
                        env = {**os.environ, "NEWSMON_DATA_PATH": str(work / f"data-{i}-{name[7]}")}
                        files = [corpus.sources_file] if "1 writer" in name else split
                        setups[name].append(writers(files, db, env))
                        log(f"run {i + 1}: {name}: {setups[name][-1]}")
            if args.views_db:
                spec = args.views_store or "ducklake:postgres:" + create_database(port, "views")
                views = views_on_store(args.views_db, spec, args.views_data, 20, log)
                log(f"views on the store: worst p95 {views['worst_p95_ms']} ms over {views['queries']} queries")
    med = {name: {k: statistics.median(r[k] for r in rows) for k in rows[0]} for name, rows in setups.items()}
    report = {
        "machine": machine(), "n": args.n, "runs": args.runs, "setups": med, "all_runs": setups,
        "ratios": {
            "store / file, 1 writer (articles/s)": round(med["store, 1 writer"]["articles_per_s"]
                                                       / med["file, 1 writer"]["articles_per_s"], 2),
            "store / file, 2 writers (articles/s)": round(med["store, 2 writers"]["articles_per_s"]
                                                        / med["file, 2 writers"]["articles_per_s"], 2),
            "store, 2 writers / 1 writer (articles/s)": round(med["store, 2 writers"]["articles_per_s"]
                                                            / med["store, 1 writer"]["articles_per_s"], 2),
        },
        "views_on_store": views,
    }
    text = markdown(report)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n")
    if args.markdown:
        args.markdown.write_text(text)
    return 0


def markdown(report: dict) -> str:
    lines = [f"DuckLake against a DuckDB file, {report['n']} generated articles, median of {report['runs']} runs "
             f"({report['machine']['cpu']}, {report['machine']['cores']} cores):", "",
             "| set-up | wall s | articles/s | conflicts retried | per 1,000 articles |", "| --- | --- | --- | --- | --- |"]
    for name, m in report["setups"].items():
        lines.append(f"| {name} | {m['seconds']:.1f} | {m['articles_per_s']:.1f} | {m['retries']:.0f} | "
                     f"{m['retries_per_1000']:.1f} |")
    lines += [""] + [f"- {k}: **{v}**" for k, v in report["ratios"].items()]
    if report["views_on_store"]:
        v = report["views_on_store"]
        lines += ["", f"Dashboard views on a store of the 1M-article database: worst p95 **{v['worst_p95_ms']} ms** "
                      f"over {v['queries']} queries.", "", "| view | p95 ms |", "| --- | --- |"]
        lines += [f"| {name} | {row['p95_ms']} |" for name, row in sorted(v["per_view"].items()) if row["p95_ms"] is not None]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
