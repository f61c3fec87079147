"""Evaluate newsmon's NLP against the labelled set in tests/data/gold/.

Prints precision, recall and F1 for actors (the set of canonical actors per article, micro-averaged),
topics (micro-averaged) and quotes (found / gold), the accuracy of quote speakers, and relevance on the
off-subject articles; with --throughput, NLP speed against bare spaCy NER on the same texts.

    .venv/bin/python bench/eval_nlp.py [--errors] [--throughput] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.domain import load_domain  # noqa: E402
from pipeline.nlp import Annotator, load_model  # noqa: E402
from pipeline.settings import load_settings  # noqa: E402

GOLD_DIR = ROOT / "tests" / "data" / "gold"
BUNDLED_SEED = ROOT / "newsmon" / "sample_site" / "seed_article.txt"


@dataclass(frozen=True)
class GoldArticle:
    name: str
    text: str
    relevant: bool
    actors: frozenset[str]
    topics: frozenset[str]
    quotes: tuple[tuple[str, str], ...]  # (speaker, text)


def _body(entry: dict) -> str:
    if "text" in entry:
        return entry["text"].strip()
    source = (ROOT / entry["source"]).resolve()
    if not source.is_file():
        source = BUNDLED_SEED  # the same file, bundled with the sample site
    return "\n".join(source.read_text(encoding="utf-8").splitlines()[4:]).strip()


def load_gold(folder: Path = GOLD_DIR) -> list[GoldArticle]:
    articles = []
    for path in sorted(folder.glob("*.toml")):
        entry = tomllib.loads(path.read_text(encoding="utf-8"))
        articles.append(
            GoldArticle(
                name=path.stem,
                text=_body(entry),
                relevant=entry.get("relevant", True),
                actors=frozenset(entry.get("actors", [])),
                topics=frozenset(entry.get("topics", [])),
                quotes=tuple((q["speaker"], q["text"]) for q in entry.get("quotes", [])),
            )
        )
    return articles


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "tp": tp, "fp": fp, "fn": fn}


_WORDS = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORDS.findall(text.lower())


def same_quote(gold: str, found: str) -> bool:
    """The found quote covers the gold one (or the other way round), by words, allowing a trailing split."""
    g, f = _words(gold), _words(found)
    if not g or not f:
        return False
    gs, fs = " ".join(g), " ".join(f)
    return gs in fs or fs in gs and len(f) >= 0.6 * len(g)


def evaluate(annotator: Annotator, gold: list[GoldArticle], threshold: float) -> tuple[dict, list[str]]:
    results = annotator.annotate([(g.name, g.text) for g in gold])
    counts = {"actors": [0, 0, 0], "topics": [0, 0, 0], "quotes": [0, 0, 0]}
    speakers_right = speakers_total = 0
    errors: list[str] = []
    relevance = {}
    for g in gold:
        e = results[g.name]
        relevance[g.name] = e.relevance
        found_actors = {m.actor for m in e.mentions if m.actor}
        found_topics = {t.topic for t in e.topics}
        for key, want, got in (("actors", g.actors, found_actors), ("topics", g.topics, found_topics)):
            counts[key][0] += len(want & got)
            counts[key][1] += len(got - want)
            counts[key][2] += len(want - got)
            if want != got:
                errors.append(f"{g.name} {key}: missed {sorted(want - got)} extra {sorted(got - want)}")
        unmatched = list(e.quotes)
        for speaker, text in g.quotes:
            speakers_total += 1
            match = next((q for q in unmatched if same_quote(text, q.quote)), None)
            if match is None:
                counts["quotes"][2] += 1
                errors.append(f"{g.name} quote missed: {speaker}: {text[:70]!r}")
                continue
            unmatched.remove(match)
            counts["quotes"][0] += 1
            if match.speaker == speaker:
                speakers_right += 1
            else:
                errors.append(f"{g.name} speaker: {match.speaker!r} for {speaker!r}: {text[:50]!r}")
        counts["quotes"][1] += len(unmatched)
        errors += [f"{g.name} quote extra: {q.speaker}: {q.quote[:70]!r}" for q in unmatched]
    off_subject = {g.name: relevance[g.name] for g in gold if not g.relevant}
    on_subject = [relevance[g.name] for g in gold if g.relevant]
    report = {
        "articles": len(gold),
        "actors": prf(*counts["actors"]),
        "topics": prf(*counts["topics"]),
        "quotes": prf(*counts["quotes"]),
        "quote_speaker_accuracy": round(speakers_right / speakers_total, 4) if speakers_total else 1.0,
        "gold_quotes": speakers_total,
        "relevance_threshold": threshold,
        "off_subject_relevance": off_subject,
        "on_subject_below_threshold": sum(r < threshold for r in on_subject),
        "on_subject": len(on_subject),
    }
    return report, errors


def throughput(annotator: Annotator, texts: list[str], model: str, repeat: int = 5) -> dict:
    """Words per second of the whole NLP step against bare spaCy NER (the model's ner alone, no ruler)."""
    bare = load_model.__wrapped__(model)  # a fresh copy, without the registry's ruler
    words = sum(len(t.split()) for t in texts)

    def best(fn) -> float:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
        return min(times)

    bare_s = best(lambda: list(bare.pipe(texts, batch_size=annotator.batch_size)))
    ours_s = best(lambda: annotator.annotate([(str(i), t) for i, t in enumerate(texts)]))
    return {
        "words": words,
        "bare_ner_words_per_s": round(words / bare_s),
        "newsmon_nlp_words_per_s": round(words / ours_s),
        "ratio": round(bare_s / ours_s, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list every disagreement with the gold set")
    parser.add_argument("--throughput", action="store_true", help="also measure speed against bare spaCy NER")
    parser.add_argument("--json", type=Path, help="write the report here too")
    args = parser.parse_args()
    settings = load_settings()
    annotator = Annotator(load_domain(), settings.spacy_model, settings.nlp_batch_size, 1)
    gold = load_gold()
    report, errors = evaluate(annotator, gold, settings.relevance_threshold)
    if args.throughput:
        texts = [g.text for g in gold] * 20
        report["throughput"] = throughput(annotator, texts, settings.spacy_model)
    if args.errors:
        print("\n".join(errors))
        print()
    print(json.dumps(report, indent=1))
    print()
    print("| measure | precision | recall | F1 |")
    print("| --- | --- | --- | --- |")
    for key in ("actors", "topics", "quotes"):
        r = report[key]
        print(f"| {key} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} |")
    print(f"\nquote speaker accuracy: {report['quote_speaker_accuracy']:.3f} over {report['gold_quotes']} gold quotes")
    if "throughput" in report:
        t = report["throughput"]
        print(f"NLP throughput: {t['newsmon_nlp_words_per_s']} words/s vs bare NER {t['bare_ner_words_per_s']} "
              f"words/s: ratio {t['ratio']:.2f}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
