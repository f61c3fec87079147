"""Evaluate newsmon's NLP against the labelled sets: the synthetic one (tests/data/gold/, written by the
project in the style its rules expect) and the real one (tests/data/real/, real articles annotated by hand,
reported as its development half, tuned on, and its held-out half, never tuned on).

Per set: persons (P/R/F1, and how many got two names in one article), organisations and acting states
(recall), registry coverage of the labelled persons, registry actors (synthetic set), topics, quotes found by
exact span and their speakers, quote precision, relevance accuracy, and the resolution of role and surname
mentions, scored mention by mention (bench/scoring.py). With --throughput, NLP speed against bare spaCy NER.

    .venv/bin/python bench/eval_nlp.py [--set synthetic|dev|heldout ...] [--errors] [--throughput] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from real_set import load_real, word_occurrences  # noqa: E402
from scoring import Labels, Score, frequent_unregistered, registry_coverage, report, score_article  # noqa: E402

from pipeline.domain import load_domain  # noqa: E402
from pipeline.nlp import Annotator, load_model  # noqa: E402
from pipeline.settings import load_settings  # noqa: E402

GOLD_DIR = ROOT / "tests" / "data" / "gold"
BUNDLED_SEED = ROOT / "newsmon" / "sample_site" / "seed_article.txt"
SETS = ("synthetic", "dev", "heldout")


@dataclass(frozen=True)
class GoldArticle:
    name: str
    text: str
    relevant: bool
    actors: frozenset[str]
    topics: frozenset[str]
    quotes: tuple[tuple[str, str], ...]  # (speaker, text)
    mentions: tuple[tuple[int, str, str], ...] = ()  # (offset, surface, canonical name or "")
    published: object = None
    meetings: tuple = ()  # (participants, kind, place, day)


def _body(entry: dict) -> str:
    if "text" in entry:
        return entry["text"].strip()
    source = (ROOT / entry["source"]).resolve()
    if not source.is_file():
        source = BUNDLED_SEED  # the same file, bundled with the sample site
    return "\n".join(source.read_text(encoding="utf-8").splitlines()[4:]).strip()


def _mention_offsets(text: str, entries: list[dict]) -> tuple[tuple[int, str, str], ...]:
    found = []
    for m in entries:
        starts = word_occurrences(text, m["surface"])
        if m.get("nth"):
            starts = [starts[n - 1] for n in m["nth"]]
        found += [(start, m["surface"], m["actor"]) for start in starts]
    return tuple(sorted(found))


def load_gold(folder: Path = GOLD_DIR) -> list[GoldArticle]:
    articles = []
    for path in sorted(folder.glob("*.toml")):
        entry = tomllib.loads(path.read_text(encoding="utf-8"))
        text = _body(entry)
        articles.append(
            GoldArticle(
                name=path.stem,
                text=text,
                relevant=entry.get("relevant", True),
                actors=frozenset(entry.get("actors", [])),
                topics=frozenset(entry.get("topics", [])),
                quotes=tuple((q["speaker"], q["text"]) for q in entry.get("quotes", [])),
                mentions=_mention_offsets(text, entry.get("mentions", [])),
                published=entry.get("date"),
                meetings=tuple(
                    (frozenset(m.get("participants", [])), m.get("kind", ""), m.get("place", ""), m.get("day"))
                    for m in entry.get("meetings", [])
                ),
            )
        )
    return articles


def labelled(which: str) -> list[Labels]:
    """One set as `Labels`: "synthetic", or the real set's "dev" or "heldout" half."""
    if which == "synthetic":
        return [
            Labels(g.name, g.text, g.relevant, g.topics, g.quotes, g.mentions, actors=g.actors,
                   published=g.published, meetings=g.meetings)
            for g in load_gold()
        ]
    return [
        Labels(a.name, a.text, a.relevant, a.topics, a.quotes, tuple((m.start, m.surface, m.actor) for m in a.mentions),
               persons=a.persons, others=a.organisations | a.states, published=a.published,
               meetings=tuple((m.participants, m.kind, m.place, m.day) for m in a.meetings))
        for a in load_real(split=which)
    ]


def evaluate(annotator: Annotator, labels: list[Labels], threshold: float) -> tuple[dict, list[str]]:
    """The measures of one set (bench/scoring.py) and every disagreement, one line each."""
    results = annotator.annotate([(x.name, x.text, x.published) for x in labels])
    persons = {a.name for a in annotator.domain.actors if a.kind == "person"}
    score = Score()
    for x in labels:
        score_article(x, results[x.name], threshold, persons, score)
    out = report(score)
    if labels and labels[0].persons is not None:
        out["registry_coverage_of_persons"] = registry_coverage([x.persons for x in labels], persons)
        out["unregistered_in_two_or_more"] = frequent_unregistered([x.persons for x in labels], persons)
    return out, score.errors


def throughput(annotator: Annotator, texts: list[str], model: str, repeat: int = 7) -> dict:
    """Words per second of the whole NLP step against bare spaCy NER (the model's ner alone, no ruler)."""
    bare = load_model.__wrapped__(model)  # a fresh copy, without the registry's ruler
    words = sum(len(t.split()) for t in texts)

    def timed(fn) -> float:
        started = time.perf_counter()
        fn()
        return time.perf_counter() - started

    def ours() -> None:
        annotator.clear_caches()  # every run starts cold: the texts are the same each time
        annotator.annotate([(str(i), t) for i, t in enumerate(texts)])

    bare_times, our_times = [], []
    for _ in range(repeat):  # interleaved, so that a slow spell of the machine falls on both
        bare_times.append(timed(lambda: list(bare.pipe(texts, batch_size=annotator.batch_size))))
        our_times.append(timed(ours))
    bare_s, ours_s = min(bare_times), min(our_times)
    return {
        "words": words,
        "bare_ner_words_per_s": round(words / bare_s),
        "newsmon_nlp_words_per_s": round(words / ours_s),
        "ratio": round(bare_s / ours_s, 3),
    }


ROWS = (  # (label, key, kind): kind "prf" prints P/R/F1, "ratio" one figure
    ("persons", "persons", "prf"),
    ("persons with two names in an article", "persons_two_names", "ratio"),
    ("organisations and acting states recall", "organisations_states_recall", "ratio"),
    ("registry coverage of the labelled persons", "registry_coverage_of_persons", "ratio"),
    ("registry actors (synthetic labels)", "actors", "prf"),
    ("topics", "topics", "prf"),
    ("quotes found (exact span)", "quotes_found", "ratio"),
    ("quotes with a named speaker found", "named_quotes_found", "ratio"),
    ("speaker right (of those with a named speaker)", "speaker_right", "ratio"),
    ("quote precision (found quotes of 6+ words)", "quote_precision", "ratio"),
    ("relevance accuracy", "relevance_accuracy", "ratio"),
    ("role and surname mentions resolved right", "mention_resolution", "ratio"),
    ("meeting events (participants and kind right)", "meeting_events", "prf"),
    ("meeting place right (events that state one)", "meeting_place_right", "ratio"),
    ("meeting day right (events whose day is known)", "meeting_day_right", "ratio"),
)


def table(reports: dict[str, dict]) -> str:
    names = list(reports)
    lines = ["| measure | " + " | ".join(names) + " |", "| --- |" + " --- |" * len(names)]
    for label, key, kind in ROWS:
        cells = []
        for name in names:
            r = reports[name].get(key)
            if r is None:
                cells.append("")
            elif kind == "prf":
                cells.append(f"P {r['precision']:.3f} R {r['recall']:.3f} F1 {r['f1']:.3f}")
            else:
                cells.append(f"{r['value']:.3f} ({r['right']}/{r['total']})")
        if any(cells):
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", choices=SETS, help="which sets (default: all three)")
    parser.add_argument("--errors", action="store_true", help="list every disagreement with the labels")
    parser.add_argument("--throughput", action="store_true", help="also measure speed against bare spaCy NER")
    parser.add_argument("--json", type=Path, help="write the report here too")
    args = parser.parse_args()
    settings = load_settings()
    annotator = Annotator(load_domain(), settings.spacy_model, settings.nlp_batch_size, 1, settings.relevance_threshold)
    reports = {}
    for which in args.set or SETS:
        labels = labelled(which)
        if not labels:
            continue
        reports[which], errors = evaluate(annotator, labels, settings.relevance_threshold)
        if args.errors:
            print(f"# {which}\n" + "\n".join(errors) + "\n")
    if args.throughput:
        texts = [x.text for which in ("synthetic", "dev") for x in labelled(which)]  # each once: a cold cache
        reports["throughput"] = throughput(annotator, texts, settings.spacy_model)
    print(json.dumps(reports, indent=1))
    print()
    print(table({k: v for k, v in reports.items() if k != "throughput"}))
    if "throughput" in reports:
        t = reports["throughput"]
        print(f"\nNLP throughput: {t['newsmon_nlp_words_per_s']} words/s vs bare NER {t['bare_ner_words_per_s']} "
              f"words/s: ratio {t['ratio']:.2f}")
    if args.json:
        args.json.write_text(json.dumps(reports, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
