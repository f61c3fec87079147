"""Backfill: the articles of a date window that are not stored yet, found through the sources' sitemaps.

Sitemap entries are kept by their dates (`pipeline.sitemaps`), the ones already stored or failed for good
are dropped, and the rest are planned day by day (by their news-sitemap publication date, else their
lastmod clipped to the window), so that the work of one day can fail and be re-run alone. A fetched page
is stored only when its own publication date falls inside the window.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from pipeline.ingest import Batch, Ingest, fetcher_for
from pipeline.records import Failure, FeedEntry, Source
from pipeline.settings import Config
from pipeline.sitemaps import Discovery, SitemapEntry, discover


@dataclass(frozen=True)
class DayPlan:
    day: date
    batches: tuple[Batch, ...]

    @property
    def entries(self) -> int:
        return sum(len(b.entries) for b in self.batches)


@dataclass(frozen=True)
class SourceDiscovery:
    source: str
    entries: tuple[FeedEntry, ...]  # not stored yet
    failures: tuple[Failure, ...]
    sitemaps_read: int
    found: int  # entries in the window before dropping the stored ones
    lastmod: dict[str, date]  # entry URL -> the day of its sitemap <lastmod>


def window_problem(start: date, end: date, today: date) -> str | None:
    """What is wrong with a backfill window, or None. `today` is the UTC date; an end up to tomorrow is
    accepted (a day that has begun somewhere), a later one is refused: nothing is published in the future."""
    if start > end:
        return f"the window is inverted: start {start} is after end {end}"
    if end > today + timedelta(days=1):
        return f"the window ends in the future: end {end} is after {today + timedelta(days=1)} (UTC)"
    return None


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def as_entry(entry: SitemapEntry) -> FeedEntry:
    return FeedEntry(
        source=entry.source,
        feed_url=entry.sitemap_url,
        link=entry.url,
        title=entry.title,
        published=entry.published,
        author="",
        summary="",
        guid=entry.url,
        via="sitemap",
    )


def read_sitemaps(config: Config, source: Source, start: date, end: date) -> Discovery:
    """The network half of discovery: no database, so it can run on another machine (a Dask worker)."""
    return discover(fetcher_for(config), source, start, end)


def keep_unstored(ingest: Ingest, source: Source, found: Discovery, start: date, end: date) -> SourceDiscovery:
    """The database half, in the writer's process: drop what is stored, failed for good, or known from an
    earlier backfill to be dated outside the window."""
    entries = ingest.outside(ingest.unstored([as_entry(e) for e in found.entries]), (start, end))
    lastmod = {e.url: e.lastmod.date() for e in found.entries if e.lastmod is not None}
    return SourceDiscovery(source.name, entries, found.failures, found.sitemaps_read, len(found.entries), lastmod)


def planned_day(entry: FeedEntry, lastmod: dict[str, date], start: date, end: date) -> date:
    if entry.published is not None:
        return min(max(entry.published.date(), start), end)
    modified = lastmod.get(entry.link)
    return min(max(modified, start), end) if modified else end


def plan_days(ingest: Ingest, discoveries: list[SourceDiscovery], start: date, end: date) -> list[DayPlan]:
    """Every day of the window, with its batches of entries (possibly none)."""
    lastmod = {url: day for d in discoveries for url, day in d.lastmod.items()}
    by_day: dict[date, list[FeedEntry]] = defaultdict(list)
    seen: set[str] = set()
    for discovery in discoveries:
        for entry in discovery.entries:
            if entry.link not in seen:
                seen.add(entry.link)
                by_day[planned_day(entry, lastmod, start, end)].append(entry)
    size = max(1, ingest.config.settings.batch_size)
    plans = []
    for day in days(start, end):
        entries = by_day.get(day, [])
        plans.append(DayPlan(day, tuple(Batch(tuple(entries[i : i + size])) for i in range(0, len(entries), size))))
    return plans


def selected_sources(ingest: Ingest, names: tuple[str, ...] | list[str] | None) -> list[Source]:
    if not names:
        return list(ingest.config.sources)
    known = {s.name: s for s in ingest.config.sources}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"no source named {unknown[0]!r} in {ingest.config.sources_path}")
    return [known[n] for n in names]
