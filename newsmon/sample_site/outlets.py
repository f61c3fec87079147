"""The three fictional outlets of the sample site: names, staff, sections, URL patterns, datelines
and credit lines. Each outlet lives under its own path prefix on the one host.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from newsmon.sample_site.stories import Draft

KABUL_TIME = timezone(timedelta(hours=4, minutes=30))
PAKISTAN_TIME = timezone(timedelta(hours=5))

_MONTHS_SHORT = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Outlet:
    slug: str  # the path prefix, without slashes
    name: str
    short: str  # in a wire dateline: "KABUL, Oct 12 (Gulf Wire) - "
    local_tz: timezone
    tz_label: str
    authors: tuple[str, ...]
    editors: tuple[str, ...]

    @property
    def prefix(self) -> str:
        return f"/{self.slug}/"

    def section_for(self, draft: Draft) -> str:
        if not draft.on_topic:
            return {
                "kabul-ledger": {"sport": "sport", "markets": "business", "weather": "weather"},
                "gulf-wire": {"sport": "sports", "markets": "markets", "weather": "weather"},
                "frontier-post": {"sport": "sports", "markets": "business", "weather": "weather"},
            }[self.slug][draft.topic]
        if self.slug == "kabul-ledger":
            return "diplomacy" if draft.diplomatic else "national"
        if self.slug == "gulf-wire":
            return "world" if draft.diplomatic else "asia"
        regional = {"islamabad_troika", "oic_session", "pakistan_ttp", "refugees", "moscow_format", "narcotics"}
        return "region" if draft.topic in regional else "world"

    def article_path(self, number: int, slug: str, section: str, published: datetime) -> str:
        d = published
        if self.slug == "kabul-ledger":
            return f"/kabul-ledger/news/{d:%Y/%m/%d}/{slug}.html"
        if self.slug == "gulf-wire":
            return f"/gulf-wire/{section}/{slug}-idGW{number:05d}/"
        return f"/frontier-post/{d:%Y-%m-%d}/{slug}-{number}.html"

    def dateline(self, city: str, published: datetime) -> str:
        """What goes before the first paragraph ("" for an outlet that shows the place elsewhere)."""
        if self.slug == "gulf-wire":
            return f"{city}, {_MONTHS_SHORT[published.month - 1]} {published.day} ({self.short}) - "
        if self.slug == "frontier-post":
            return f"{city}: "
        return ""

    def own_credit(self, author: str, colleague: str, editor: str, city: str) -> str | None:
        if self.slug == "gulf-wire":
            return f"(Reporting by {author}; additional reporting by {colleague}; Editing by {editor})"
        if self.slug == "frontier-post":
            return f"Our correspondent in {city.title()} contributed to this report."
        return None

    def copy_credit(self, original: Outlet, editor: str) -> str:
        if self.slug == "gulf-wire":
            return f"(Reporting by {original.name}; Editing by {editor})"
        if self.slug == "frontier-post":
            return "— Frontier Post Daily with agencies"
        return f"First published by {original.name}."

    def copy_author(self, original_author: str) -> str:
        return "News Desk" if self.slug == "frontier-post" else original_author


OUTLETS: tuple[Outlet, ...] = (
    Outlet(
        slug="kabul-ledger",
        name="The Kabul Ledger",
        short="Kabul Ledger",
        local_tz=KABUL_TIME,
        tz_label="Kabul time",
        authors=("Farid Rahimi", "Sara Noori", "Jawad Azimi", "Laila Hakimi", "Mirwais Tanha"),
        editors=("Nasrin Wardak", "Hamed Popal"),
    ),
    Outlet(
        slug="gulf-wire",
        name="Gulf Wire Service",
        short="Gulf Wire",
        local_tz=timezone.utc,
        tz_label="UTC",
        authors=("Hannah Ellery", "Omar Haddad", "Michael Stroud", "Priya Natarajan", "Karim Mansour"),
        editors=("Gareth Lowe", "Alison Pratt"),
    ),
    Outlet(
        slug="frontier-post",
        name="Frontier Post Daily",
        short="Frontier Post",
        local_tz=PAKISTAN_TIME,
        tz_label="PKT",
        authors=("Rukhsana Baig", "Tariq Lodhi", "Sameer Awan", "Zainab Kakar"),
        editors=("Faisal Durrani", "Mehwish Rana"),
    ),
)

OUTLETS_BY_SLUG = {o.slug: o for o in OUTLETS}
