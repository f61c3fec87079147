"""The real labelled set (tests/data/real/, see its GUIDE.md): loading and checking.

    .venv/bin/python bench/real_set.py check [FILE ...]     # every file, or the ones given; exit 1 on errors
    .venv/bin/python bench/real_set.py stats                # counts per half, outlet, kind and subject
    .venv/bin/python bench/real_set.py split                # ONCE: assign every outlet to a half (SPLIT.md)

The check validates the labels against the text and the registry; it runs no NLP.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline.domain import load_domain  # noqa: E402

REAL_DIR = ROOT / "tests" / "data" / "real"
OUTLET_KINDS = {"afghan", "pakistani", "indian", "iranian", "central_asian", "chinese", "russian", "turkish", "gulf",
                "wire", "un", "western"}
SUBJECTS = {"diplomacy", "aid", "security", "rights", "economy", "domestic", "off_subject"}
KINDS = ("met", "talks", "call", "visit", "planned", "refused")
SPLITS = ("dev", "heldout")


@dataclass(frozen=True)
class Mention:
    """One occurrence of a role or surname mention, with its character offset."""

    surface: str
    start: int
    actor: str  # canonical name, or "" when the article does not name who is meant


@dataclass(frozen=True)
class Meeting:
    participants: frozenset[str]
    kind: str
    place: str
    day: date | None
    evidence: str


@dataclass(frozen=True)
class RealArticle:
    name: str
    url: str
    outlet: str
    outlet_kind: str
    published: date
    title: str
    relevant: bool
    subject: str
    split: str
    text: str
    persons: frozenset[str]
    organisations: frozenset[str]
    states: frozenset[str]
    topics: frozenset[str]
    quotes: tuple[tuple[str, str], ...]  # (speaker or "", exact text)
    mentions: tuple[Mention, ...]
    meetings: tuple[Meeting, ...] = field(default=())


def word_occurrences(text: str, surface: str) -> list[int]:
    """Start offsets of `surface` as a whole word (or words) in `text`."""
    pattern = re.compile(rf"(?<![\w’'-]){re.escape(surface)}(?![\w-])")
    return [m.start() for m in pattern.finditer(text)]


def _mentions(text: str, entries: list[dict], where: str, errors: list[str]) -> tuple[Mention, ...]:
    found = []
    for entry in entries:
        surface, actor = entry.get("surface", ""), entry.get("actor")
        if not surface or actor is None:
            errors.append(f"{where}: a mention needs surface and actor: {entry}")
            continue
        starts = word_occurrences(text, surface)
        nth = entry.get("nth")
        if not starts:
            errors.append(f"{where}: mention {surface!r} is not in the text as a whole word")
            continue
        if nth is not None:
            if not isinstance(nth, list) or not all(isinstance(n, int) and 1 <= n <= len(starts) for n in nth):
                errors.append(f"{where}: mention {surface!r}: nth {nth} not within 1..{len(starts)}")
                continue
            starts = [starts[n - 1] for n in nth]
        found += [Mention(surface, s, actor) for s in starts]
    return tuple(sorted(found, key=lambda m: m.start))


def load_article(path: Path, errors: list[str] | None = None) -> RealArticle:
    errors = [] if errors is None else errors
    where = path.name
    entry = tomllib.loads(path.read_text(encoding="utf-8"))
    text = entry.get("text", "").strip("\n")
    meetings = []
    for m in entry.get("meetings", []):
        day = m.get("day")
        meetings.append(
            Meeting(
                participants=frozenset(m.get("participants", [])),
                kind=m.get("kind", ""),
                place=m.get("place", ""),
                day=day if isinstance(day, date) else None,
                evidence=m.get("evidence", ""),
            )
        )
    return RealArticle(
        name=path.stem,
        url=entry.get("url", ""),
        outlet=entry.get("outlet", ""),
        outlet_kind=entry.get("outlet_kind", ""),
        published=entry.get("date"),
        title=entry.get("title", ""),
        relevant=entry.get("relevant"),
        subject=entry.get("subject", ""),
        split=entry.get("split", ""),
        text=text,
        persons=frozenset(entry.get("persons", [])),
        organisations=frozenset(entry.get("organisations", [])),
        states=frozenset(entry.get("states", [])),
        topics=frozenset(entry.get("topics", [])),
        quotes=tuple((q.get("speaker", ""), q.get("text", "")) for q in entry.get("quotes", [])),
        mentions=_mentions(text, entry.get("mentions", []), where, errors),
        meetings=tuple(meetings),
    )


def load_real(folder: Path = REAL_DIR, split: str | None = None) -> list[RealArticle]:
    articles = [load_article(p) for p in sorted(folder.glob("*.toml"))]
    return [a for a in articles if split is None or a.split == split]


def check_article(path: Path) -> list[str]:
    """Every problem of one file, as one line each."""
    errors: list[str] = []
    where = path.name
    try:
        a = load_article(path, errors)
    except tomllib.TOMLDecodeError as exc:
        return [f"{where}: not valid TOML: {exc}"]
    domain = load_domain()
    canonical = {x.name for x in domain.actors}
    alias_of = {alias.lower(): x.name for x in domain.actors for alias in x.aliases}
    topics = {t.name for t in domain.topics}
    if not a.url.startswith(("http://", "https://")):
        errors.append(f"{where}: url missing")
    if not a.outlet:
        errors.append(f"{where}: outlet missing")
    if a.outlet_kind not in OUTLET_KINDS:
        errors.append(f"{where}: outlet_kind {a.outlet_kind!r} not one of {sorted(OUTLET_KINDS)}")
    if not isinstance(a.published, date) or not date(2021, 1, 1) <= a.published <= date(2025, 12, 31):
        errors.append(f"{where}: date {a.published!r} must be a TOML date in 2021-2025")
    if not isinstance(a.relevant, bool):
        errors.append(f"{where}: relevant must be true or false")
    if a.subject not in SUBJECTS:
        errors.append(f"{where}: subject {a.subject!r} not one of {sorted(SUBJECTS)}")
    if (a.subject == "off_subject") == bool(a.relevant):
        errors.append(f"{where}: subject {a.subject!r} does not fit relevant = {a.relevant}")
    if a.split not in (*SPLITS, ""):
        errors.append(f"{where}: split {a.split!r} not one of {SPLITS}")
    if len(a.text.split()) < 60:
        errors.append(f"{where}: text has {len(a.text.split())} words, fewer than 60")
    if a.title and a.title not in a.text[: len(a.title) + 200]:
        errors.append(f"{where}: the title is not at the start of the text")
    if not a.relevant and a.topics:
        errors.append(f"{where}: an off-subject article has no topics")
    for t in sorted(a.topics - topics):
        errors.append(f"{where}: topic {t!r} not in config/topics.toml")
    named = a.persons | a.organisations | a.states
    for name in sorted(named):
        registered = alias_of.get(name.lower())
        if registered and registered != name:
            errors.append(f"{where}: {name!r} is the registry's {registered!r}: write the canonical name")
    for speaker, quote in a.quotes:
        if not quote or quote not in a.text:
            errors.append(f"{where}: quote not found verbatim: {quote[:60]!r}")
        elif len(quote.split()) < 6:
            errors.append(f"{where}: quote of fewer than 6 words: {quote!r}")
        if quote != quote.strip() or quote.endswith(","):
            errors.append(f"{where}: quote has surrounding spaces or a trailing comma: {quote[:40]!r}")
        if speaker and speaker not in named:
            errors.append(f"{where}: speaker {speaker!r} is not among persons, organisations or states")
    for m in a.mentions:
        if m.actor and m.actor not in a.persons | a.organisations | a.states:
            errors.append(f"{where}: mention {m.surface!r} -> {m.actor!r}, who is not among persons")
    for m in a.meetings:
        if len(m.participants) < 2:
            errors.append(f"{where}: a meeting needs two or more participants: {sorted(m.participants)}")
        if m.kind not in KINDS:
            errors.append(f"{where}: meeting kind {m.kind!r} not one of {KINDS}")
        if not m.evidence or m.evidence not in a.text:
            errors.append(f"{where}: meeting evidence not found verbatim: {m.evidence[:60]!r}")
        for p in sorted(m.participants - named):
            errors.append(f"{where}: meeting participant {p!r} is not among persons, organisations or states")
    _ = canonical
    return errors


def check(paths: list[Path]) -> list[str]:
    errors = []
    urls: Counter = Counter()
    for path in paths:
        errors += check_article(path)
        urls[tomllib.loads(path.read_text(encoding="utf-8")).get("url")] += 1
    errors += [f"url {u} is in {n} files" for u, n in urls.items() if n > 1]
    return errors


def stats(articles: list[RealArticle]) -> str:
    lines = []
    for split in (*SPLITS, ""):
        part = [a for a in articles if a.split == split]
        if not part:
            continue
        outlets = Counter(a.outlet for a in part)
        lines.append(
            f"{split or '(no split)'}: {len(part)} articles, {len(outlets)} outlets, "
            f"{sum(a.relevant for a in part)} about Afghanistan, {sum(not a.relevant for a in part)} off-subject, "
            f"{sum(len(a.quotes) for a in part)} quotes, {sum(len(a.mentions) for a in part)} role/surname mentions, "
            f"{sum(len(a.meetings) for a in part)} meetings, years {sorted({a.published.year for a in part})}"
        )
    lines.append("kinds: " + ", ".join(f"{k} {n}" for k, n in Counter(a.outlet_kind for a in articles).most_common()))
    lines.append("subjects: " + ", ".join(f"{k} {n}" for k, n in Counter(a.subject for a in articles).most_common()))
    lines.append("outlets: " + ", ".join(f"{k} {n}" for k, n in sorted(Counter(a.outlet for a in articles).items())))
    return "\n".join(lines)


def assign_halves(articles: list[RealArticle]) -> dict[str, str]:
    """Each outlet's half: outlets in order of (outlet kind, most articles first, name), each to the half
    that so far has fewer articles of that kind, then fewer articles in all (ties: dev first). Whole outlets
    move, so no outlet's style is on both sides; each kind of outlet is on both sides where it can be."""
    outlets: dict[str, list[RealArticle]] = {}
    for a in articles:
        outlets.setdefault(a.outlet, []).append(a)
    count = {split: Counter() for split in SPLITS}
    halves = {}
    for outlet, items in sorted(outlets.items(), key=lambda kv: (kv[1][0].outlet_kind, -len(kv[1]), kv[0])):
        kind = items[0].outlet_kind
        split = min(SPLITS, key=lambda s: (count[s][kind], sum(count[s].values()), SPLITS.index(s)))
        halves[outlet] = split
        count[split][kind] += len(items)
    return halves


def write_split(folder: Path = REAL_DIR) -> str:
    """Write `split = ...` into every file (after `outlet_kind`) and SPLIT.md; refuse if any file has one."""
    paths = sorted(folder.glob("*.toml"))
    articles = [load_article(p) for p in paths]
    if any(a.split for a in articles):
        raise SystemExit("the set is split already: the split is made once (see SPLIT.md)")
    halves = assign_halves(articles)
    for path, a in zip(paths, articles):
        text = path.read_text(encoding="utf-8")
        head, sep, rest = text.partition("\noutlet_kind")
        line_end = rest.index("\n")
        path.write_text(head + sep + rest[:line_end] + f'\nsplit = "{halves[a.outlet]}"' + rest[line_end:],
                        encoding="utf-8")
    lines = ["# The split of the real set", "",
             "Made once, by `python bench/real_set.py split`, before any tuning on the set: outlets in order of "
             "(outlet kind, most articles first, name), each to the half with fewer articles of its kind so far, "
             "then fewer in all. Every article of an outlet is in the same half. newsmon is tuned on `dev` only; "
             "`heldout` is reported, never tuned on.", ""]
    for split in SPLITS:
        part = [a for a in articles if halves[a.outlet] == split]
        lines += [f"## {split}: {len(part)} articles, {len({a.outlet for a in part})} outlets, "
                  f"{sum(a.relevant for a in part)} about Afghanistan, {sum(not a.relevant for a in part)} off-subject",
                  ""]
        lines += [f"- {o} ({k}): {n}" for (o, k), n in sorted(Counter((a.outlet, a.outlet_kind) for a in part).items())]
        lines.append("")
    (folder / "SPLIT.md").write_text("\n".join(lines), encoding="utf-8")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("check", "stats", "split"):
        print(__doc__)
        return 2
    if argv[0] == "split":
        print(write_split())
        return 0
    paths = [Path(p) for p in argv[1:]] or sorted(REAL_DIR.glob("*.toml"))
    if argv[0] == "stats":
        print(stats([load_article(p) for p in paths]))
        return 0
    errors = check(paths)
    print("\n".join(errors) if errors else f"{len(paths)} files: no problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
