"""Writing one synthetic story: a beat from the catalogue (or an off-subject kind) and a date in,
headline candidates, paragraphs and the quotes they carry out. Outlet-independent: the outlet adds
its dateline, credit line and page around it. Every random choice comes from the caller's
`random.Random`, so a seed fixes the text.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from newsmon.sample_site.catalogue import (
    ACTOR_ALIASES,
    BEATS,
    COACHES,
    CONTEXT,
    CRICKET_SIDES,
    FOOTBALL_CLUBS,
    PLAYERS,
    REACTIONS,
    SPEAKERS,
    TOWNS,
    Beat,
    Quote,
    Report,
)

OFF_TOPIC_KINDS = ("cricket", "football", "markets", "weather")


@dataclass(frozen=True)
class Draft:
    """A story before an outlet publishes it."""

    kind: str  # the beat key, or an off-topic kind
    topic: str  # manifest topic: a beat's topic, or "sport" / "markets" / "weather"
    diplomatic: bool
    on_topic: bool
    dateline: str  # city, upper case
    headlines: tuple[str, ...]  # candidates, best first
    paragraphs: tuple[str, ...]
    quotes: tuple[tuple[str, str], ...]  # (speaker, quote) for each direct quote


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _with_title(name: str) -> str:
    sp = SPEAKERS[name]
    return f"{sp.title} {sp.name}".strip() if sp.title else sp.name


def quote_paragraph(rng: random.Random, quote: Quote, text_so_far: str) -> str:
    """One paragraph carrying `quote` in one of the usual attribution forms."""
    sp = SPEAKERS[quote.speaker]
    q = quote.text
    if sp.org:
        forms = (
            f'"{q}," {sp.role} said in a statement.',
            f'In a statement, {sp.role} said: "{q}."',
            f'"{q}," according to {sp.role}.',
        )
        return _cap(rng.choice(forms))
    if sp.name in text_so_far:  # mentioned already: the short name will do
        forms = (
            f'"{q}," {sp.short} said.',
            f'{sp.short} added: "{q}."',
            f'"{q}," {sp.short} told reporters.',
        )
        return rng.choice(forms)
    titled = _with_title(quote.speaker)
    forms = (
        f'"{q}," {titled} said.',
        f'"{q}," {titled} said.',
        f'{_cap(titled)} said: "{q}."',
        f'"{q}," {sp.name}, {sp.role}, told reporters.',
        f'{sp.name}, {sp.role}, told reporters: "{q}."',
        f'"{q}," {sp.name}, {sp.role}, said in a statement.',
        f'In remarks to journalists, {titled} said: "{q}."',
        f'"{q}," according to {titled}.',
    )
    return rng.choice(forms)


def report_paragraph(rng: random.Random, report: Report) -> str:
    sp = SPEAKERS[report.speaker]
    c = report.clause
    if sp.org:
        forms = (f"{_cap(c)}, according to {sp.role}.", f"{_cap(sp.role)} said that {c}.")
    else:
        titled = _with_title(report.speaker)
        forms = (
            f"{_cap(c)}, according to {titled}.",
            f"{_cap(titled)} told reporters that {c}.",
            f"{sp.name}, {sp.role}, said {c}.",
        )
    return rng.choice(forms)


def _quote_headlines(quote: Quote, subject: str) -> list[str]:
    """Headlines built on a quote: "Guterres: '...'" or "Guterres on girls' schools: '...'"."""
    short = SPEAKERS[quote.speaker].short
    out = []
    if len(quote.text.split()) <= 14:
        out.append(f"{short}: '{quote.text}'")
    fragment = re.split(r"[,;]", quote.text)[0]
    if 4 <= len(fragment.split()) <= 11:
        out.append(f"{short} on {subject}: '{fragment}'")
    return out


def write_beat_story(rng: random.Random, beat: Beat, published: datetime) -> Draft:
    day = published.date()
    weekday = published.strftime("%A")
    valid = lambda items: [x for x in items if x.valid_on(day)]  # noqa: E731

    lead_line = rng.choice(valid(beat.leads))
    lead = lead_line.text.format(weekday=weekday)
    named = [c for c in beat.datelines if c.title() in lead or (c == "UNITED NATIONS" and "United Nations" in lead)]
    city = lead_line.city or (named[0] if named else rng.choice(beat.datelines))
    quotes = valid(beat.quotes)
    rng.shuffle(quotes)
    chosen = quotes[: rng.choice((2, 2, 3, 3))]
    if rng.random() < 0.35:
        extra = [q for q in valid(REACTIONS) if q not in chosen]
        chosen.append(rng.choice(extra))
    background = valid(beat.background)
    rng.shuffle(background)
    n_background = rng.choice((2, 2, 3, 3))
    spare_background = [b.text for b in background[n_background:]]
    background = background[:n_background]
    context = valid(CONTEXT)
    rng.shuffle(context)
    reports = valid(beat.reports)
    report = rng.choice(reports) if reports and rng.random() < 0.6 else None

    paragraphs = [lead]
    quotes_out: list[tuple[str, str]] = []
    n_context = rng.choice((1, 1, 2))
    spare = [c.text for c in context[n_context:]]
    texts = [b.text for b in background]
    for i in range(len(texts)):  # two-sentence paragraphs, now and then
        if rng.random() < 0.4:
            texts[i] += " " + (spare_background or spare).pop()
    middle: list[object] = [*chosen[1:], *texts, *(c.text for c in context[:n_context])]
    if report:
        middle.append(report)
    rng.shuffle(middle)
    ordered: list[object] = [chosen[0], *middle]
    while len(ordered) < 4:
        ordered.append(spare.pop(0))
    for item in ordered[:8]:
        if isinstance(item, Quote):
            paragraphs.append(quote_paragraph(rng, item, " ".join(paragraphs)))
            quotes_out.append((SPEAKERS[item.speaker].actor, item.text))
        elif isinstance(item, Report):
            paragraphs.append(report_paragraph(rng, item))
        else:
            paragraphs.append(str(item))

    headlines = [h.text for h in valid(beat.headlines)]
    rng.shuffle(headlines)
    for quote in (q for q in chosen if q in beat.quotes):  # not a general reaction: off the subject
        for quoted in _quote_headlines(quote, beat.subject):
            headlines.insert(rng.randrange(len(headlines) + 1), quoted)
    return Draft(
        kind=beat.key,
        topic=beat.topic,
        diplomatic=beat.diplomatic,
        on_topic=True,
        dateline=city,
        headlines=tuple(headlines),
        paragraphs=tuple(paragraphs),
        quotes=tuple(quotes_out),
    )


def pick_beat(rng: random.Random, start: datetime, end: datetime) -> tuple[Beat, datetime]:
    """A beat (by weight) and a publication time inside both its window and [start, end]."""
    beat = rng.choices(BEATS, weights=[b.weight for b in BEATS])[0]
    first = max(datetime(2021, *beat.window[0], tzinfo=start.tzinfo), start)
    last = min(datetime(2021, *beat.window[1], tzinfo=start.tzinfo), end)
    days = (last.date() - first.date()).days
    day = first.replace(hour=0, minute=0) + timedelta(days=rng.randint(0, days))
    return beat, day + timedelta(hours=rng.randint(3, 18), minutes=rng.randint(0, 59))


# ---- off-subject stories ----


def _cricket(rng: random.Random, weekday: str) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    a, b, c = rng.sample(CRICKET_SIDES, 3)
    bat, bowler, captain = rng.sample(PLAYERS, 3)
    coach = rng.choice(COACHES)
    margin, total, wkts, runs = rng.randint(6, 58), rng.randint(151, 212), rng.randint(3, 9), rng.randint(44, 97)
    figures = f"{rng.randint(3, 5)} for {rng.randint(14, 35)}"
    ground = rng.choice(("Marlow Park", "the Eastvale Oval", "Saltmarsh Road", "the Riverside Ground"))
    heads = [f"{a} beat {b} by {margin} runs", f"{bat} stars as {a} see off {b}", f"{a} climb Coastal T20 League table with win over {b}"]
    q1 = rng.choice(("We were outstanding with the ball in the last five overs", "The pitch was slower than we expected, but the bowlers adapted brilliantly", "That is the most complete performance we have put together this season"))
    q2 = rng.choice(("We let them get twenty runs too many", "We will learn from this and come back stronger", "Credit to them, they played the conditions better than we did"))
    paras = [
        rng.choice((f"{a} beat {b} by {margin} runs at {ground} on {weekday} to move up the Coastal T20 League table.", f"{bat} struck {runs} as {a} beat {b} by {margin} runs in the Coastal T20 League on {weekday}.")),
        rng.choice((f"Batting first, {a} made {total} for {wkts}, with {bat} hitting {rng.randint(3, 9)} fours and {rng.randint(1, 6)} sixes.", f"{a} posted {total} for {wkts} after being put in to bat, {bat} top-scoring with {runs}.")),
        rng.choice((f"{b} were bowled out for {total - margin} in reply, {bowler} taking {figures}.", f"{b}'s reply never recovered from the loss of early wickets, and they finished on {total - margin} despite a late flurry.")),
        f'"{q1}," {a} captain {captain} said.',
        rng.choice((f'{b} coach {coach} said: "{q2}."', f'"{q2}," said {b} coach {coach}.')),
        rng.choice((f"{a} face {c} next week, while {b} travel to {rng.choice(TOWNS)}.", f"The crowd of {rng.randint(3, 14)},{rng.randint(100, 999)} was the largest at the ground this season.")),
    ]
    return heads, paras, [(captain, q1), (coach, q2)]


def _football(rng: random.Random, weekday: str) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    a, b = rng.sample(FOOTBALL_CLUBS, 2)
    s1, s2 = rng.sample(PLAYERS, 2)
    coach = rng.choice(COACHES)
    ga, gb = rng.randint(2, 4), rng.randint(0, 1)
    m1, m2, m3 = sorted(rng.sample(range(4, 90), 3))
    heads = [f"{a} beat {b} {ga}-{gb} in Premier Division", f"{s1} double lifts {a} past {b}", f"{a} ease past {b} to extend unbeaten run"]
    q = rng.choice(("The players showed great character after a difficult week", "We controlled the game from the first minute", "It was not our best performance, but three points are three points"))
    paras = [
        rng.choice((f"{a} beat {b} {ga}-{gb} in the Premier Division on {weekday}, with {s1} scoring twice.", f"{s1} scored twice as {a} beat {b} {ga}-{gb} on {weekday} to extend their unbeaten run to {rng.randint(3, 9)} matches.")),
        rng.choice((f"{s1} opened the scoring in the {m1}th minute with a low shot from the edge of the area and added a second after {m2} minutes.", f"The home side took the lead after {m1} minutes when {s1} headed in a corner, and {s1} doubled the lead after {m2} minutes.")),
        rng.choice((f"{s2} pulled one back for {b} in the {m3}th minute, but the visitors could not find an equaliser.", f"{b} had chances through {s2} but were unable to break through a well-organised defence.")),
        rng.choice((f'"{q}," {a} manager {coach} said.', f'{a} manager {coach} said: "{q}."')),
        rng.choice((f"{a} are {rng.choice(('second', 'third', 'fourth'))} in the table, {rng.randint(1, 6)} points behind the leaders.", f"A crowd of {rng.randint(8, 31)},{rng.randint(100, 999)} watched the match at {a}'s home ground.")),
    ]
    return heads, paras, [(coach, q)]


def _markets(rng: random.Random, weekday: str) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    up = rng.random() < 0.5
    move = f"{rng.randint(2, 19) / 10:.1f}"
    crude = f"{rng.randint(680, 860) / 10:.2f}"
    analyst = rng.choice(PLAYERS)
    firm = rng.choice(("Harbour Capital", "Northgate Securities", "Alder Street Partners", "Kingsport Asset Management"))
    heads = [
        f"Stocks {'rise' if up else 'fall'} as investors weigh inflation data",
        f"Oil prices {'climb' if up else 'slip'} on supply outlook",
        f"Shares {'rally' if up else 'retreat'} ahead of central bank decisions",
    ]
    q = rng.choice(("Investors are trying to work out how quickly central banks will move", "The market is looking for signs that supply bottlenecks are easing", "Earnings have been strong, but valuations leave little room for disappointment"))
    paras = [
        f"Global stock markets {'rose' if up else 'fell'} on {weekday} as investors assessed new inflation figures and the outlook for interest rates.",
        rng.choice((f"A broad index of world shares {'gained' if up else 'lost'} {move} percent, led by technology and energy companies.", f"Benchmark indexes in Europe and North America ended the session {move} percent {'higher' if up else 'lower'}.")),
        f"Benchmark crude oil futures {'rose' if up else 'fell'} to ${crude} a barrel, as traders weighed demand forecasts against output plans of major producers.",
        rng.choice((f'"{q}," said {analyst}, chief strategist at {firm}.', f'{analyst}, an analyst at {firm}, said: "{q}."')),
        rng.choice(("Government bond yields edged higher, while the dollar was little changed against a basket of currencies.", "Gold was steady, and the dollar slipped slightly against major currencies.")),
    ]
    return heads, paras, [(analyst, q)]


def _weather(rng: random.Random, weekday: str, month: int) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    town = rng.choice(TOWNS)
    forecaster = rng.choice(PLAYERS)
    if month in (8, 9):
        heads = ["Heatwave to continue across the south, forecasters say", f"Temperatures in {town} near record for the month"]
        event = f"temperatures of up to {rng.randint(31, 37)} degrees Celsius"
        advice = "People are advised to drink plenty of water and avoid strenuous activity in the afternoon"
    elif month in (10, 11):
        heads = ["Storm warning issued for coastal towns", f"Gales and heavy rain to hit {town} overnight"]
        event = f"gusts of up to {rng.randint(80, 120)} kilometres an hour and heavy rain"
        advice = "Drivers should expect difficult conditions and possible flooding on low-lying roads"
    else:
        heads = ["Snow and ice warning for the Westmoor hills", f"Cold snap brings first snow of winter to {town}"]
        event = f"up to {rng.randint(5, 25)} centimetres of snow on higher ground"
        advice = "Travel may be disrupted and some rural communities could be cut off"
    paras = [
        f"Forecasters warned on {weekday} of {event} in the coming days, with {town} and surrounding districts likely to be worst affected.",
        rng.choice((f"The Regional Weather Service issued a {rng.choice(('yellow', 'amber'))} warning covering much of the region until the end of the week.", "A weather warning has been issued for large parts of the region until the weekend.")),
        f'"{advice}," forecaster {forecaster} of the Regional Weather Service said.',
        rng.choice(("Conditions are expected to ease early next week.", "Local councils said they had crews on standby.", "Ferry operators said some crossings could be cancelled.")),
    ]
    return heads, paras, [(forecaster, advice)]


def write_off_topic(rng: random.Random, kind: str, published: datetime) -> Draft:
    weekday = published.strftime("%A")
    if kind == "cricket":
        heads, paras, quotes = _cricket(rng, weekday)
    elif kind == "football":
        heads, paras, quotes = _football(rng, weekday)
    elif kind == "markets":
        heads, paras, quotes = _markets(rng, weekday)
    else:
        heads, paras, quotes = _weather(rng, weekday, published.month)
    rng.shuffle(heads)
    topic = "sport" if kind in ("cricket", "football") else kind
    return Draft(
        kind=kind,
        topic=topic,
        diplomatic=False,
        on_topic=False,
        dateline=rng.choice(TOWNS).upper(),
        headlines=tuple(heads),
        paragraphs=tuple(paras),
        quotes=tuple(quotes),
    )


def actors_in(text: str) -> tuple[str, ...]:
    """The catalogue actors a finished text names, in catalogue order."""
    found = []
    for actor, aliases in ACTOR_ALIASES.items():
        if any(re.search(rf"(?<![\w-]){re.escape(a)}(?![\w-])", text) for a in aliases):
            found.append(actor)
    return tuple(found)
