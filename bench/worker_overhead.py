"""What a worker does beyond the ceiling's work, in one process: newsmon's extraction and NLP of a page
against trafilatura plus spaCy NER alone, on the same pages of the generated corpus.

`analyse_pages` (charset decision, trafilatura with metadata, dates, the compressed page, the MinHash
sketch, NER with the registry's entity ruler, mentions, topics, quotes, relevance) is timed against the
ceiling's work of bench/throughput.py (trafilatura as newsmon calls it, then the NER-only model), in chunks
of 25 pages, in CPU seconds of this one process. The two alternate --rounds times, so that a slow spell
of the machine falls on both.

    .venv/bin/python bench/worker_overhead.py [--n 400] [--rounds 2] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus import generate_corpus  # noqa: E402
from bench.throughput import CHUNK, machine  # noqa: E402
from pipeline import analysis  # noqa: E402
from pipeline.extract import run_trafilatura  # noqa: E402
from pipeline.nlp import load_model  # noqa: E402
from pipeline.records import FeedEntry, Response  # noqa: E402
from pipeline.settings import load_settings  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    settings = load_settings()
    with tempfile.TemporaryDirectory(prefix="newsmon-worker-") as tmp:
        corpus = generate_corpus(Path(tmp) / "site", "http://127.0.0.1:9", args.n)
        pages = [(corpus.base_url + p, corpus.page_file(p).read_bytes()) for p in corpus.pages][: args.n]
    items = [
        (FeedEntry("Outlet", "feed", url, "", None, "", "", url), Response(url, url, 200, "text/html", body, encoding="utf-8"))
        for url, body in pages
    ]
    # the ceiling's own copy of the model: the Annotator adds the registry's entity ruler to the cached one
    nlp = load_model.__wrapped__(settings.spacy_model)
    analysis.analyse_pages(settings, items[:CHUNK])  # newsmon's model and ruler, loaded once
    assert "actor_ruler" not in nlp.pipe_names

    def ceiling() -> None:
        for i in range(0, len(pages), CHUNK):
            texts = []
            for url, body in pages[i : i + CHUNK]:
                document = run_trafilatura(body, url)
                texts.append((document.text or "") if document is not None else "")
            for _doc in nlp.pipe(texts, batch_size=settings.nlp_batch_size):
                pass

    def newsmon() -> None:
        for i in range(0, len(items), CHUNK):
            analysis.analyse_pages(settings, items[i : i + CHUNK])

    seconds: dict[str, list[float]] = {"ceiling": [], "newsmon": []}
    for _round in range(args.rounds):
        for name, work in (("ceiling", ceiling), ("newsmon", newsmon)):
            started = time.process_time()
            work()
            seconds[name].append(round(time.process_time() - started, 2))
            print(f"{name}: {seconds[name][-1]:.2f} s of CPU for {len(pages)} pages", flush=True)
    ratio = statistics.median(seconds["newsmon"]) / statistics.median(seconds["ceiling"])
    print(f"newsmon's work / the ceiling's: {ratio:.3f} (medians of {args.rounds})")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "pages": len(pages), "cpu_seconds": seconds,
                                         "ratio": round(ratio, 3)}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
