"""Builders for the fault suite: article pages with distinct texts, RSS feeds, and the stored rows."""

from __future__ import annotations

import random
from pathlib import Path
from xml.sax.saxutils import escape

from httpserver import LocalHTTPServer, Reply

from pipeline import store

_VOCABULARY = (
    "envoy Doha talks Taliban ministry aid convoy border Kabul province council delegation agreement "
    "humanitarian relief school girls university bank reserves sanctions embassy refugees winter wheat "
    "drought earthquake Herat Kandahar Mazar governor spokesman statement meeting officials negotiators "
    "ceasefire prisoners exchange airport flights visas trade corridor electricity debt donors pledge "
    "clinic vaccination hospital teachers salaries currency afghani market prices fuel shortage"
)
WORDS = _VOCABULARY.split()


def article_html(key: str, title: str = "", *, head: str = "", charset: str | None = "utf-8", extra: str = "") -> str:
    """A news page whose main text (about 1,500 characters) is different for every `key`, so that no two
    pages are near-duplicates of each other; `extra` (markup) ends the article."""
    rng = random.Random(key)
    paragraphs = "".join(
        "<p>" + " ".join(rng.choice(WORDS) for _ in range(40)).capitalize() + ".</p>" for _ in range(5)
    )
    meta = f'<meta charset="{charset}">' if charset else ""
    title = title or f"Report {key}"
    return (
        f"<!DOCTYPE html><html lang='en'><head>{meta}<title>{escape(title)}</title>{head}</head><body>"
        f"<nav><a href='/'>Home</a></nav><article><h1>{escape(title)}</h1>{paragraphs}{extra}</article>"
        "<footer>Copyright Example News</footer></body></html>"
    )


def item(link: str | None, title: str = "", *, pub: str | None = "Mon, 11 Oct 2021 09:30:00 +0000",
         guid: str | None = None, extra: str = "") -> str:
    """One RSS <item>; `title` and `extra` are inserted as they are (already escaped markup)."""
    parts = [f"<title>{title}</title>" if title else ""]
    parts.append(f"<link>{escape(link)}</link>" if link is not None else "")
    parts.append(f"<guid>{escape(guid)}</guid>" if guid is not None else "")
    parts.append(f"<pubDate>{pub}</pubDate>" if pub else "")
    return "<item>" + "".join(parts) + extra + "</item>"


def rss(*items: str, encoding: str = "utf-8") -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel><title>Faults</title>'
        f"<link>http://example.test/</link><description>d</description>{''.join(items)}</channel></rss>"
    )


def serve_feed(server: LocalHTTPServer, path: str, body: str | bytes, *replies: Reply, **reply) -> str:
    """Serve an RSS feed at `path` (content type application/rss+xml unless given); returns its URL."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    reply.setdefault("content_type", "application/rss+xml; charset=utf-8")
    server.add(path, *replies, Reply(body=data, **reply))
    return server.url(path)


def serve_page(server: LocalHTTPServer, path: str, title: str = "", **reply) -> str:
    server.add(path, Reply(body=article_html(path, title).encode("utf-8"), **reply))
    return server.url(path)


def rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with store.reader(db) as con:
        return con.execute(sql, params or []).fetchall()


def failures(db: Path) -> dict[str, tuple[str, str, bool]]:
    """url -> (stage, reason, permanent) for every recorded failure (the last run's wins)."""
    found = rows(db, "SELECT url, stage, reason, permanent FROM failures ORDER BY failed_at")
    return {url: (stage, reason, permanent) for url, stage, reason, permanent in found}
