"""Throughput and scale: `newsmon run` on N generated articles against the bare work it cannot avoid.

On a corpus of N articles of about 600 words (`bench/corpus.py`, served from 127.0.0.1 by this process),
each figure the median of --runs runs, interleaved:

- a Prefect server started once before everything (as the first `newsmon run` on a machine starts one and
  leaves it running, README): every command below records its flow runs on it (PREFECT_API_URL). Its start
  is reported, once.
- Prefect start-up: a command that runs an empty flow on that server (interpreter, imports, the flow,
  shut-down): what every `newsmon run` pays before and after its own work.
- end-to-end: `newsmon run` on a fresh database (the command line's `main` in a child process, with timers
  around its DuckDB sessions), wall clock; articles/s over the whole command and over the time beyond the
  Prefect start-up. The same command again right after it, with nothing new: the whole command's wall time.
  The whole command against the ceiling is the like-for-like ratio: both include their process start and
  their model loading.
- the ceiling: trafilatura and spaCy NER (the model newsmon loads: NER only, the other components excluded)
  on the same N pages, read from disk, in one process per core, with no orchestration, database or HTTP;
  from processes starting to the last doc, and (steady) the pages per second of busy workers.
- orchestration: the run's own duration as its `runs` row records it (start_run to finish_run), against the
  same calls made without Prefect in one child process (`plain`: feeds concurrently, batches prepared
  ahead as the flow prepares them, one writer); Prefect's share = 1 - plain / flow. DuckDB's share = time
  inside the writer's sessions (each opens the file, writes one batch or looks something up, commits and
  closes) / run time.
- peak memory: the summed RSS of the whole process tree of the command (newsmon, Prefect's temporary
  server, the worker processes), sampled every 0.2 s, and its PSS (which counts shared pages once), every
  5 s. The kernel walks a process's page tables to give PSS: about 25 ms of CPU for a run's tree, which,
  read every 0.2 s, took an eighth of a core from the run being measured and not from the ceiling. The
  tree's processes are looked up once a second; the sampler now takes under 1% of a core.
- backfill: `newsmon backfill` over the corpus's whole span on a fresh database (everything through the
  sitemaps), articles/s.
- with --scale-n: end-to-end and peak memory again at that size.
- with --views: every dashboard view's query latency (median and p95 of 20 runs) on a database of 1,000,000
  articles and about 20,000,000 mentions generated inside DuckDB (`bench/views.py`, run as a child process;
  the database is kept at --views-db and reused while it matches), after the rest, on a quiet machine.

    .venv/bin/python bench/throughput.py [--n 2000] [--scale-n 10000] [--runs 3] [--views] [--json OUT] [--markdown OUT]
    .venv/bin/python bench/throughput.py --smoke        # N=60, one run, no scale run: checks that it all works

Linux only (memory from /proc).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ENV = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
SAMPLE_SECONDS = 0.2
PSS_EVERY = 25  # samples: PSS is costly to read (see the docstring)
TREE_EVERY = 5  # samples: finding the tree's processes reads every process's stat
CHUNK = 25  # pages per task of the ceiling's pool


# ---- the machine ---------------------------------------------------------------------------------------


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
    except (OSError, IndexError, ValueError):
        mem_kb = 0
    return {
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0)),
        "ram_gib": round(mem_kb / 2**20, 1),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": platform.platform(),
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# ---- memory of a process tree ----------------------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def _kb(path: str, key: str) -> int:
    try:
        text = Path(path).read_text()
    except OSError:
        return 0
    at = text.find(key)
    return int(text[at + len(key) :].split()[0]) if at >= 0 else 0


def tree_pids(pid: int) -> list[int]:
    """`pid` and all its descendants."""
    tree, todo, pids = _children(), [pid], []
    while todo:
        p = todo.pop()
        pids.append(p)
        todo += tree.get(p, [])
    return pids


def tree_memory(pids: list[int], pss: bool = True) -> tuple[int, int]:
    """(RSS, PSS) in KiB summed over `pids` (processes gone count 0); PSS 0 unless asked for."""
    rss = sum(_kb(f"/proc/{p}/status", "VmRSS:") for p in pids)
    shared = sum(_kb(f"/proc/{p}/smaps_rollup", "\nPss:") for p in pids) if pss else 0
    return rss, shared


class PeakSampler:
    """Samples a process tree's memory until stopped; keeps the peaks."""

    def __init__(self, pid: int):
        self.pid, self.rss, self.pss, self.processes = pid, 0, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        samples, pids = 0, [self.pid]
        while not self._stop.is_set():
            if samples % TREE_EVERY == 0:
                pids = tree_pids(self.pid)
            rss, pss = tree_memory(pids, pss=samples % PSS_EVERY == 0)
            samples += 1
            self.rss, self.pss = max(self.rss, rss), max(self.pss, pss)
            self.processes = max(self.processes, len(pids))
            self._stop.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def child_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_child(args: list[str], timings: Path | None = None) -> dict:
    """Run `python bench/throughput.py --child ...` (or any argv); wall time, peak memory, CPU, exit."""
    env = {**os.environ, **ENV, "PYTHONPATH": str(ROOT)}
    if timings is not None:
        env["BENCH_TIMINGS"] = str(timings)
    cpu0 = child_cpu_seconds()
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = PeakSampler(proc.pid)
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    sampler.stop()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:4])} exited {proc.returncode}:\n{err[-3000:]}")
    result = {
        "seconds": seconds,
        "peak_rss_mib": sampler.rss / 1024,
        "peak_pss_mib": sampler.pss / 1024,
        "processes": sampler.processes,
        "cpu_seconds": child_cpu_seconds() - cpu0,
        "stdout": out,
    }
    if timings is not None and timings.exists():
        result["timings"] = json.loads(timings.read_text())
    return result


# ---- what the child process runs -----------------------------------------------------------------------


_TIMES: dict[str, float] = {}
_SESSIONS: list[float] = []  # each writer session's seconds, in order


def _timed(owner, name: str, key: str) -> None:
    original = getattr(owner, name)

    def timed(*args, **kwargs):
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            return original(*args, **kwargs)
        finally:
            _TIMES[key] = _TIMES.get(key, 0.0) + time.perf_counter() - started
            _TIMES[f"{key}_cpu"] = _TIMES.get(f"{key}_cpu", 0.0) + time.thread_time() - cpu

    setattr(owner, name, timed)


def _timed_writer() -> None:
    """Time every writer session (store.writer: open, work, commit, close), and the ones of batch writes and
    of a run's start and end, by what they did."""
    from pipeline import store
    from pipeline.ingest import Ingest

    original = store.writer

    @contextmanager
    def writer(*args, **kwargs):
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            with original(*args, **kwargs) as w:
                yield w
        finally:
            _TIMES["duckdb_sessions"] = _TIMES.get("duckdb_sessions", 0.0) + time.perf_counter() - started
            _TIMES["duckdb_sessions_cpu"] = _TIMES.get("duckdb_sessions_cpu", 0.0) + time.thread_time() - cpu
            _TIMES["duckdb_session_count"] = _TIMES.get("duckdb_session_count", 0) + 1
            _SESSIONS.append(round(time.perf_counter() - started, 4))

    store.writer = writer
    _timed(Ingest, "write_batch", "write_batch")
    _timed(Ingest, "start_run", "start_run")
    _timed(Ingest, "finish_run", "finish_run")


def _save_times() -> None:
    if os.environ.get("BENCH_TIMINGS"):
        Path(os.environ["BENCH_TIMINGS"]).write_text(json.dumps({**_TIMES, "sessions": _SESSIONS}))


def child_cli(argv: list[str]) -> int:
    """`newsmon ARGV` as the console script runs it, with the DuckDB timers."""
    _timed_writer()
    from newsmon.cli import main as newsmon_main

    try:
        return newsmon_main(argv)
    finally:
        _save_times()


def child_plain(sources: str, db: str) -> int:
    """The ingest flow's calls without Prefect (`bench.plain.run_plain`), its writer sessions timed."""
    _timed_writer()
    from bench.plain import run_plain
    from pipeline.analysis import warm
    from pipeline.settings import load_config

    # the workers warm, as `newsmon run` has them by the time its flow starts
    for future in warm(load_config(Path(sources)).settings):
        future.result()
    run_plain(Path(sources), Path(db))
    _save_times()
    return 0


@contextmanager
def prefect_server(home: Path, log):
    """A local Prefect server for the whole benchmark, as the first `newsmon run` on a machine leaves one
    running (README): every command measured here records its flow run on it (PREFECT_API_URL) and pays no
    server start. Yields a one-item list with the seconds the start took."""
    from newsmon.serving import _free_port, start_local_server, stop_process

    started = time.perf_counter()
    process, api_url = start_local_server(home / "prefect", _free_port(4200))
    took = [time.perf_counter() - started]
    log(f"Prefect server at {api_url} in {took[0]:.1f} s")
    saved = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = api_url
    try:
        yield took
    finally:
        if saved is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = saved
        stop_process(process)


def child_startup() -> int:
    """An empty flow, run as `newsmon run` runs its flow: the cost of Prefect around a run."""
    # isort: off
    import flows  # telemetry off and Prefect's settings before Prefect loads, as in newsmon
    from prefect import flow

    # isort: on

    @flow(name="empty")
    def empty() -> int:
        return 0

    with flows.in_process():
        return empty()


# ---- the ceiling ---------------------------------------------------------------------------------------


_NLP = None


def _ceiling_init(model: str) -> None:
    global _NLP
    from pipeline.nlp import load_model

    _NLP = load_model(model)


def _ceiling_chunk(pages: list[tuple[str, bytes]], batch_size: int) -> tuple[int, int, float]:
    """(pages, entities, busy seconds): trafilatura as newsmon calls it, then spaCy NER over the texts."""
    from pipeline.extract import run_trafilatura

    started = time.perf_counter()
    texts = []
    for url, body in pages:
        document = run_trafilatura(body, url)
        texts.append((document.text or "") if document is not None else "")
    entities = sum(len(doc.ents) for doc in _NLP.pipe(texts, batch_size=batch_size))
    return len(pages), entities, time.perf_counter() - started


def ceiling(pages: list[tuple[str, Path]], workers: int) -> dict:
    import multiprocessing

    from pipeline.settings import load_settings

    settings = load_settings()
    chunks = [pages[i : i + CHUNK] for i in range(0, len(pages), CHUNK)]
    cpu0 = child_cpu_seconds()
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_ceiling_init, initargs=(settings.spacy_model,)) as pool:
        jobs = [
            pool.apply_async(_ceiling_chunk, ([(url, path.read_bytes()) for url, path in chunk], settings.nlp_batch_size))
            for chunk in chunks
        ]
        results = [job.get() for job in jobs]
        seconds = time.perf_counter() - started
        pool.close()
        pool.join()
    done = sum(r[0] for r in results)
    busy = sum(r[2] for r in results)
    return {
        "seconds": seconds,
        "articles_per_s": done / seconds,
        "steady_articles_per_s": done / (busy / workers),
        "entities": sum(r[1] for r in results),
        "cpu_seconds": child_cpu_seconds() - cpu0,
        "workers": workers,
    }


# ---- the measurements ----------------------------------------------------------------------------------


def corpus_pages(corpus) -> list[tuple[str, Path]]:
    """(URL, file) of every article page of the corpus."""
    return [(corpus.base_url + path, corpus.page_file(path)) for path in corpus.pages]


def runs_row(db: Path) -> tuple[float, int]:
    """(seconds from start_run to finish_run, articles_new) of the database's only run."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        started, finished, new = con.execute("SELECT started_at, finished_at, articles_new FROM runs").fetchall()[0]
    finally:
        con.close()
    return (finished - started).total_seconds(), new


def stored(db: Path) -> int:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    finally:
        con.close()


def measure_run(corpus, work: Path, tag: str, second_run: bool = True) -> dict:
    """`newsmon run` on a fresh database, then (second_run) again with nothing new."""
    db = work / f"{tag}.duckdb"
    me = str(Path(__file__).resolve())
    argv = [me, "--child", "cli", "run", "--db", str(db), "--sources", str(corpus.sources_file)]
    first = run_child(argv, work / f"{tag}.times.json")
    run_seconds, new = runs_row(db)
    if new != corpus.articles or stored(db) != corpus.articles:
        raise RuntimeError(f"the run stored {stored(db)} articles, not {corpus.articles}")
    result = {**first, "run_seconds": run_seconds, "articles": new}
    if second_run:
        again = run_child(argv)
        result["nothing_new_seconds"] = again["seconds"]
    for suffix in (".duckdb", ".duckdb.wal", ".duckdb.lock", ".times.json"):
        Path(str(work / tag) + suffix).unlink(missing_ok=True)
    return result


def measure_plain(corpus, work: Path, tag: str) -> dict:
    db = work / f"{tag}.duckdb"
    argv = [str(Path(__file__).resolve()), "--child", "plain", str(corpus.sources_file), str(db)]
    result = run_child(argv, work / f"{tag}.times.json")
    result["run_seconds"], result["articles"] = runs_row(db)
    result["articles"] = stored(db)
    for suffix in (".duckdb", ".duckdb.wal", ".duckdb.lock", ".times.json"):
        Path(str(work / tag) + suffix).unlink(missing_ok=True)
    return result


def measure_backfill(corpus, work: Path, tag: str) -> dict:
    db = work / f"{tag}.duckdb"
    argv = [str(Path(__file__).resolve()), "--child", "cli", "backfill", "--start", corpus.start, "--end", corpus.end,
            "--db", str(db), "--sources", str(corpus.sources_file)]
    result = run_child(argv, work / f"{tag}.times.json")
    result["run_seconds"], _new = runs_row(db)
    result["articles"] = stored(db)
    if result["articles"] != corpus.articles:
        raise RuntimeError(f"the backfill stored {result['articles']} articles, not {corpus.articles}")
    for suffix in (".duckdb", ".duckdb.wal", ".duckdb.lock", ".times.json"):
        Path(str(work / tag) + suffix).unlink(missing_ok=True)
    return result


def measure_views(db: Path, work: Path, log) -> dict:
    """bench/views.py in a child process: per view, its slowest dashboard query's median and p95."""
    out = work / "views.json"
    db.parent.mkdir(parents=True, exist_ok=True)
    run_child([str(ROOT / "bench" / "views.py"), "--db", str(db), "--json", str(out)])
    report = json.loads(out.read_text())
    log(f"views: slowest p95 {max(v['p95_ms'] or 0 for v in report['per_view'].values())} ms")
    return {
        "articles": report["data"]["rows"]["articles"],
        "mentions": report["data"]["rows"]["mentions"],
        "reps": report["reps"],
        "per_view": report["per_view"],
        "writes": report.get("writes"),
        "all_views_under_target": report["all_views_under_target"],
        "load_before": report["load_before"],
        "load_after": report["load_after"],
    }


def median(values) -> float:
    return statistics.median(values)


def summarise(n: int, startup: list[dict], runs: list[dict], plain: list[dict], ceil: list[dict],
              backfill: list[dict], scale: list[dict], scale_n: int | None, workers: int) -> dict:
    start_s = median([s["seconds"] for s in startup])
    run_s = median([r["seconds"] for r in runs])
    flow_s = median([r["run_seconds"] for r in runs])
    beyond = run_s - start_s
    ceiling_rate = median([c["articles_per_s"] for c in ceil])
    steady_rate = median([c["steady_articles_per_s"] for c in ceil])
    out = {
        "n": n,
        "workers": workers,
        "prefect_startup_s": start_s,
        "run_s": run_s,
        "run_articles_per_s": n / run_s,
        "run_beyond_startup_s": beyond,
        "run_beyond_startup_articles_per_s": n / beyond,
        "run_recorded_s": flow_s,
        "ceiling_s": median([c["seconds"] for c in ceil]),
        "ceiling_articles_per_s": ceiling_rate,
        "ceiling_steady_articles_per_s": steady_rate,
        "ratio_beyond_startup": (n / beyond) / ceiling_rate,
        "ratio_beyond_startup_to_steady": (n / beyond) / steady_rate,
        "ratio_whole_command": (n / run_s) / ceiling_rate,
        "nothing_new_s": median([r["nothing_new_seconds"] for r in runs]),
        "nothing_new_beyond_startup_s": median([r["nothing_new_seconds"] for r in runs]) - start_s,
        "peak_rss_mib": median([r["peak_rss_mib"] for r in runs]),
        "peak_pss_mib": median([r["peak_pss_mib"] for r in runs]),
        "run_cpu_s": median([r["cpu_seconds"] for r in runs]),
        "ceiling_cpu_s": median([c["cpu_seconds"] for c in ceil]),
        "duckdb_s": median([r["timings"]["duckdb_sessions"] for r in runs]),
        "duckdb_write_batch_s": median([r["timings"].get("write_batch", 0.0) for r in runs]),
        "duckdb_share": median([r["timings"]["duckdb_sessions"] / r["run_seconds"] for r in runs]),
    }
    if plain:
        plain_s = median([p["run_seconds"] for p in plain])
        out.update(plain_recorded_s=plain_s, prefect_share_in_run=1 - plain_s / flow_s,
                   prefect_share_with_startup=1 - plain_s / run_s)
    if backfill:
        bf = median([b["seconds"] for b in backfill])
        out.update(backfill_s=bf, backfill_articles_per_s=n / bf, backfill_beyond_startup_articles_per_s=n / (bf - start_s),
                   backfill_recorded_s=median([b["run_seconds"] for b in backfill]))
    if scale:
        scale_s = median([r["seconds"] for r in scale])
        out.update(
            scale_n=scale_n,
            scale_run_s=scale_s,
            scale_articles_per_s=scale_n / scale_s,
            scale_beyond_startup_articles_per_s=scale_n / (scale_s - start_s),
            scale_peak_rss_mib=median([r["peak_rss_mib"] for r in scale]),
            scale_peak_pss_mib=median([r["peak_pss_mib"] for r in scale]),
            scale_rss_growth=median([r["peak_rss_mib"] for r in scale]) / out["peak_rss_mib"] - 1,
            scale_duckdb_share=median([r["timings"]["duckdb_sessions"] / r["run_seconds"] for r in scale]),
        )
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in out.items()}


def markdown(result: dict) -> str:
    s, m = result["summary"], result["machine"]
    n = s["n"]
    rows = [
        ("Prefect server start, once (later commands find it running)", f"{s.get('prefect_server_start_s', 0):.1f} s"),
        ("Prefect start-up per command (empty flow on the running server, whole command)",
         f"{s['prefect_startup_s']:.1f} s"),
        (f"`newsmon run`, fresh database, N={n}: whole command",
         f"{s['run_s']:.1f} s, **{s['run_articles_per_s']:.1f} articles/s**"),
        ("the same, beyond Prefect start-up",
         f"{s['run_beyond_startup_s']:.1f} s, **{s['run_beyond_startup_articles_per_s']:.1f} articles/s**"),
        (f"ceiling: trafilatura + spaCy NER, {s['workers']} processes, no orchestration or database",
         (f"{s['ceiling_s']:.1f} s, **{s['ceiling_articles_per_s']:.1f} articles/s** "
          f"(steady state {s['ceiling_steady_articles_per_s']:.1f}/s)")),
        ("end-to-end / ceiling, like for like (both with process start and model loading)",
         (f"**{s['ratio_whole_command']:.2f}** whole command; {s['ratio_beyond_startup']:.2f} beyond the "
          f"per-command start-up ({s['ratio_beyond_startup_to_steady']:.2f} of the steady state)")),
        ("second run, nothing new (whole command)",
         f"**{s['nothing_new_s']:.1f} s** ({s['nothing_new_beyond_startup_s']:.1f} s beyond start-up)"),
        (f"peak memory of the process tree, N={n}",
         f"RSS **{s['peak_rss_mib']:.0f} MiB** (PSS {s['peak_pss_mib']:.0f} MiB)"),
    ]
    if "scale_n" in s:
        rows += [
            (f"peak memory of the process tree, N={s['scale_n']}",
             (f"RSS **{s['scale_peak_rss_mib']:.0f} MiB** (PSS {s['scale_peak_pss_mib']:.0f} MiB), "
              f"**{100 * s['scale_rss_growth']:+.0f}%** from N={n}")),
            (f"`newsmon run`, fresh database, N={s['scale_n']}",
             (f"{s['scale_run_s']:.0f} s, {s['scale_articles_per_s']:.1f} articles/s "
              f"({s['scale_beyond_startup_articles_per_s']:.1f} beyond start-up); "
              f"DuckDB {100 * s['scale_duckdb_share']:.0f}% of the run")),
        ]
    if "prefect_share_in_run" in s:
        rows.append(("Prefect's share of the run (flow against the same calls without Prefect)",
                     (f"**{100 * s['prefect_share_in_run']:.1f}%** ({s['run_recorded_s']:.1f} s against "
                      f"{s['plain_recorded_s']:.1f} s); with start-up {100 * s['prefect_share_with_startup']:.1f}%")))
    rows.append(("DuckDB's share of the run (writer sessions: batch writes, look-ups, run start and end)",
                 (f"**{100 * s['duckdb_share']:.1f}%** ({s['duckdb_s']:.1f} s, of which batch writes "
                  f"{s['duckdb_write_batch_s']:.1f} s)")))
    if "backfill_s" in s:
        rows.append((f"`newsmon backfill` over the whole span, fresh database, N={n}",
                     (f"{s['backfill_s']:.1f} s, **{s['backfill_articles_per_s']:.1f} articles/s** "
                      f"({s['backfill_beyond_startup_articles_per_s']:.1f} beyond start-up)")))
    rows.append(("CPU time of the run's process tree against the ceiling's",
                 f"{s['run_cpu_s']:.0f} s against {s['ceiling_cpu_s']:.0f} s"))
    views = result.get("views")
    if views and "error" in views:
        rows.append(("dashboard views", f"**not measured**: {views['error'].splitlines()[0]}"))
        views = None
    if views:
        slowest = max(views["per_view"].items(), key=lambda kv: kv[1]["p95_ms"] or 0)  # a view not timed: None
        rows.append((f"dashboard views on {views['articles']:,} articles and {views['mentions']:,} mentions "
                     f"({views['reps']} runs per query)",
                     (f"every view under 200 ms at p95: **{'yes' if views['all_views_under_target'] else 'NO'}**; "
                      f"slowest `{slowest[0]}` {slowest[1]['median_ms']} ms median, **{slowest[1]['p95_ms']} ms p95**")))
    corpus = result["corpus"]
    lines = [
        (f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB, {m['python']}, {m['os']}; load average "
         f"{result['load_before']} before, {result['load_after']} after. Medians of {result['runs']} runs; corpus "
         f"{corpus['articles']} articles of {corpus['words'] // corpus['articles']} words on average."),
        "",
        "| measure | result |",
        "| --- | --- |",
        *[f"| {a} | {b} |" for a, b in rows],
    ]
    if views:
        lines += ["", "| view | slowest dashboard query reading it | median ms | p95 ms |", "| --- | --- | ---: | ---: |"]
        lines += [f"| `{v}` | {r['query']} | {r['median_ms']} | {r['p95_ms']} |" for v, r in views["per_view"].items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        kind, rest = argv[1], argv[2:]
        if kind == "cli":
            return child_cli(rest)
        if kind == "plain":
            return child_plain(*rest)
        if kind == "startup":
            return child_startup()
        raise SystemExit(f"unknown child {kind}")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="articles in the corpus (default 2000)")
    parser.add_argument("--scale-n", type=int, default=None, help="also measure end-to-end and memory at this size")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-backfill", action="store_true")
    parser.add_argument("--no-plain", action="store_true", help="skip the run without Prefect")
    parser.add_argument("--smoke", action="store_true", help="N=60, one run, no scale run")
    parser.add_argument("--views", action="store_true", help="also time the dashboard views on 1,000,000 articles")
    parser.add_argument("--views-db", type=Path, default=Path("/tmp/newsmon-bench/views.duckdb"))
    parser.add_argument("--json", type=Path)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args(argv)
    if args.smoke:
        args.n, args.runs, args.scale_n = 60, 1, None
    from bench.corpus import serve_corpus
    from pipeline.analysis import worker_count
    from pipeline.settings import load_settings

    workers = worker_count(load_settings())
    started = time.perf_counter()
    load_before = load_average()
    log = lambda msg: print(f"[{time.perf_counter() - started:7.1f} s] {msg}", file=sys.stderr, flush=True)
    me = str(Path(__file__).resolve())
    startup, runs, plain, ceil, backfill, scale = [], [], [], [], [], []
    with tempfile.TemporaryDirectory(prefix="newsmon-bench-") as tmp, prefect_server(Path(tmp), log) as server_start:
        work = Path(tmp)
        server, corpus = serve_corpus(work / "site", args.n)
        with server:
            pages = corpus_pages(corpus)
            log(f"corpus: {corpus.articles} articles, {corpus.words} words, {len(corpus.feeds)} feeds")
            for i in range(args.runs):
                startup.append(run_child([me, "--child", "startup"]))
                log(f"run {i + 1}: Prefect start-up {startup[-1]['seconds']:.1f} s")
                runs.append(measure_run(corpus, work, f"run{i}"))
                log(f"run {i + 1}: newsmon run {runs[-1]['seconds']:.1f} s, nothing new {runs[-1]['nothing_new_seconds']:.1f} s, "
                    f"peak RSS {runs[-1]['peak_rss_mib']:.0f} MiB")
                ceil.append(ceiling(pages, workers))
                log(f"run {i + 1}: ceiling {ceil[-1]['seconds']:.1f} s")
                if not args.no_plain:
                    plain.append(measure_plain(corpus, work, f"plain{i}"))
                    log(f"run {i + 1}: without Prefect {plain[-1]['run_seconds']:.1f} s (flow {runs[-1]['run_seconds']:.1f} s)")
                if not args.no_backfill:
                    backfill.append(measure_backfill(corpus, work, f"backfill{i}"))
                    log(f"run {i + 1}: backfill {backfill[-1]['seconds']:.1f} s")
        if args.scale_n:
            server, big = serve_corpus(work / "scale-site", args.scale_n)
            with server:
                log(f"scale corpus: {big.articles} articles")
                for i in range(args.runs):
                    scale.append(measure_run(big, work, f"scale{i}", second_run=False))
                    log(f"scale run {i + 1}: {scale[-1]['seconds']:.1f} s, peak RSS {scale[-1]['peak_rss_mib']:.0f} MiB")
        views = None
        if args.views:
            try:
                views = measure_views(args.views_db, work, log)
            except Exception as exc:  # the other figures are kept  # noqa: BLE001
                log(f"views: failed: {exc}")
                views = {"error": str(exc)[-2000:]}
    for item in (*startup, *runs, *plain, *backfill, *scale):
        item.pop("stdout", None)
    result = {
        "command": "bench/throughput.py " + " ".join(argv),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "load_before": load_before,
        "load_after": load_average(),
        "runs": args.runs,
        "corpus": {"articles": corpus.articles, "words": corpus.words, "feeds": len(corpus.feeds)},
        "summary": {**summarise(args.n, startup, runs, plain, ceil, backfill, scale, args.scale_n, workers),
                    "prefect_server_start_s": round(server_start[0], 1)},
        "bench_seconds": round(time.perf_counter() - started, 1),
        "all": {"startup": startup, "run": runs, "plain": plain, "ceiling": ceil, "backfill": backfill, "scale": scale},
    }
    if views is not None:
        result["views"] = views
    table = markdown(result)
    print(json.dumps(result["summary"], indent=1))
    print()
    print(table)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    if args.markdown:
        args.markdown.write_text(table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
