"""Orchestration overhead: the `ingest` flow under Prefect against the same work without Prefect.

On the sample site (181 articles, 109 in its feeds), on a fresh database each time: the flow as
`newsmon run` runs it (Prefect's temporary server already up, so its start-up is not counted) and the
same sequence of plain function calls with the same concurrency. Overhead = 1 - plain / prefect. Median
of 3 runs of each, interleaved.

    .venv/bin/python bench/orchestration.py [--runs 3] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flows  # noqa: E402  (telemetry off)
from flows.ingest import ingest_flow  # noqa: E402
from newsmon.sample_site.generate import sources_toml  # noqa: E402
from newsmon.sample_site.server import serve_generated_site  # noqa: E402
from bench.plain import run_plain  # noqa: E402


def run_prefect(sources: Path, db: Path) -> int:
    with flows.in_process():  # as `newsmon run` calls it
        return ingest_flow(db=str(db), sources=str(sources))["articles_new"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    times: dict[str, list[float]] = {"plain": [], "prefect": []}
    counts: dict[str, set[int]] = {"plain": set(), "prefect": set()}
    with tempfile.TemporaryDirectory() as tmp, serve_generated_site(Path(tmp) / "site") as site:
        sources = Path(tmp) / "sources.toml"
        sources.write_text(sources_toml(site.manifest))
        run_prefect(sources, Path(tmp) / "warm-up.duckdb")  # starts the temporary server, loads the model
        for i in range(args.runs):
            for name, fn in (("plain", run_plain), ("prefect", run_prefect)):
                started = time.perf_counter()
                counts[name].add(fn(sources, Path(tmp) / f"{name}-{i}.duckdb"))
                times[name].append(time.perf_counter() - started)
    plain, prefect = statistics.median(times["plain"]), statistics.median(times["prefect"])
    result = {
        "articles_per_run": sorted(counts["plain"] | counts["prefect"]),
        "plain_seconds_median": round(plain, 2),
        "prefect_seconds_median": round(prefect, 2),
        "overhead_share": round(1 - plain / prefect, 3),
        "runs": args.runs,
        "all_seconds": {k: [round(v, 2) for v in vs] for k, vs in times.items()},
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
    }
    print(json.dumps(result, indent=1))
    print(
        f"\n| sample site, fresh database | without Prefect | `ingest` flow | orchestration share |\n| --- | --- | --- | --- |\n"
        f"| {result['articles_per_run']} articles | {plain:.2f} s | {prefect:.2f} s | {100 * result['overhead_share']:.1f}% |"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
