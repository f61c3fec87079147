"""Extraction through the whole pipeline against trafilatura called directly, on a real benchmark.

The 181 pages of ../shared/corpora/extraction-benchmark are served from 127.0.0.1 behind an RSS feed and
ingested by the pipeline (fetch, extract, NLP, DuckDB); the stored text is scored against the hand-checked
article bodies, and so is trafilatura's output on the same files called directly (with the options the
pipeline uses, and with the library's defaults). Scores are mean per-page token F1 (tokens: \\w+,
lower-cased, multiset overlap) and, as the benchmark itself reports, F1 over 4-token shingles.

    .venv/bin/python bench/extraction.py [--corpus ../shared/corpora/extraction-benchmark] [--json OUT]
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from newsmon.sample_site.server import serve_site  # noqa: E402
from pipeline import store  # noqa: E402
from pipeline.extract import run_trafilatura  # noqa: E402
from pipeline.ingest import Ingest  # noqa: E402
from pipeline.settings import Config, load_settings, parse_sources  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "extraction-benchmark"
_TOKEN = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall((text or "").lower())


def token_f1(truth: str, predicted: str) -> float:
    t, p = Counter(tokens(truth)), Counter(tokens(predicted))
    if not t and not p:
        return 1.0
    overlap = sum((t & p).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(p.values()), overlap / sum(t.values())
    return 2 * precision * recall / (precision + recall)


def shingle_f1(truth: str, predicted: str, n: int = 4) -> float:
    def grams(text: str) -> Counter:
        words = tokens(text)
        return Counter(tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1)))

    t, p = grams(truth), grams(predicted)
    overlap = sum((t & p).values())
    if not overlap:
        return 0.0 if (t or p) else 1.0
    precision, recall = overlap / sum(p.values()), overlap / sum(t.values())
    return 2 * precision * recall / (precision + recall)


def mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def prepare_site(corpus: Path, root: Path, base_url: str) -> dict[str, str]:
    """Decompress the pages into `root` and write a feed listing them; returns sha -> local URL."""
    urls = {}
    items = []
    for page in sorted((corpus / "html").glob("*.html.gz")):
        sha = page.name.split(".")[0]
        (root / f"{sha}.html").write_bytes(gzip.decompress(page.read_bytes()))
        urls[sha] = f"{base_url}/{sha}.html"
        items.append(f"<item><title>{sha}</title><link>{escape(urls[sha])}</link><guid>{sha}</guid></item>")
    (root / "feed.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>benchmark</title>'
        f"<link>{base_url}/</link>{''.join(items)}</channel></rss>",
        encoding="utf-8",
    )
    return urls


def ingest_site(feed_url: str, db: Path) -> None:
    data = {
        "fetch": {"allow_private_networks": True, "per_host_delay": 0.0, "retries": 0},
        "sources": [{"name": "benchmark", "feeds": [feed_url]}],
    }
    sources, settings = parse_sources(data, load_settings())
    config = Config(sources=sources, settings=settings, sources_path=Path("<benchmark>"))
    with Ingest(config, db) as ingest:
        run_id = ingest.start_run("ingest")
        checks = [ingest.check_feed("benchmark", feed_url)]
        for batch in ingest.plan_batches(checks):
            ingest.process_batch(run_id, batch)
        ingest.finish_run(run_id, "completed", {})


def run(corpus: Path = DEFAULT_CORPUS, workdir: Path | None = None) -> dict:
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(workdir or tmp)
        site = work / "site"
        site.mkdir(parents=True, exist_ok=True)
        with serve_site(site) as server:
            urls = prepare_site(corpus, site, server.base_url)
            db = work / "benchmark.duckdb"
            started = time.perf_counter()
            ingest_site(f"{server.base_url}/feed.xml", db)
            pipeline_seconds = time.perf_counter() - started
        with store.reader(db) as con:
            stored = dict(con.execute("SELECT fetched_url, text FROM articles").fetchall())
        started = time.perf_counter()
        direct, default = {}, {}
        for sha, url in urls.items():
            html = (site / f"{sha}.html").read_bytes()
            document = run_trafilatura(html, url)
            direct[sha] = document.text if document is not None else ""
            default[sha] = trafilatura.extract(html, url=url) or ""
        direct_seconds = time.perf_counter() - started
    rows = []
    for sha, url in urls.items():
        body = truth[sha]["articleBody"]
        got = stored.get(url, "")
        rows.append(
            {
                "sha": sha,
                "stored": url in stored,
                "pipeline_token_f1": token_f1(body, got),
                "direct_token_f1": token_f1(body, direct[sha]),
                "default_token_f1": token_f1(body, default[sha]),
                "pipeline_shingle_f1": shingle_f1(body, got),
                "direct_shingle_f1": shingle_f1(body, direct[sha]),
            }
        )
    result = {
        "pages": len(rows),
        "stored": sum(r["stored"] for r in rows),
        "pipeline_token_f1": round(mean(r["pipeline_token_f1"] for r in rows), 4),
        "direct_token_f1": round(mean(r["direct_token_f1"] for r in rows), 4),
        "trafilatura_defaults_token_f1": round(mean(r["default_token_f1"] for r in rows), 4),
        "pipeline_shingle_f1": round(mean(r["pipeline_shingle_f1"] for r in rows), 4),
        "direct_shingle_f1": round(mean(r["direct_shingle_f1"] for r in rows), 4),
        "pipeline_seconds": round(pipeline_seconds, 1),
        "direct_seconds": round(direct_seconds, 1),
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
        "per_page": rows,
    }
    result["gap"] = round(result["direct_token_f1"] - result["pipeline_token_f1"], 4)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--json", type=Path, help="also write the full result (with per-page scores) here")
    args = parser.parse_args()
    result = run(args.corpus)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    summary = {k: v for k, v in result.items() if k != "per_page"}
    print(json.dumps(summary, indent=1))
    print()
    print("| measure | pipeline (stored text) | trafilatura direct, same options | trafilatura.extract defaults |")
    print("| --- | --- | --- | --- |")
    print(
        f"| mean token F1 | {result['pipeline_token_f1']:.4f} | {result['direct_token_f1']:.4f} | "
        f"{result['trafilatura_defaults_token_f1']:.4f} |"
    )
    print(f"| mean 4-shingle F1 | {result['pipeline_shingle_f1']:.4f} | {result['direct_shingle_f1']:.4f} | |")
    print(f"\n{result['stored']}/{result['pages']} pages stored; gap {result['gap']:+.4f}; {summary['machine']}")


if __name__ == "__main__":
    main()
