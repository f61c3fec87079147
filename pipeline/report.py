"""Read-side helpers: run a query file or a user's query read-only, and the trend summary."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import duckdb

from pipeline import store
from pipeline.store import SQL_ROOT, StoreError


def query_file(name: str) -> str:
    return (SQL_ROOT / "queries" / f"{name}.sql").read_text(encoding="utf-8")


# what `newsmon sql` runs: queries (SELECT, and DESCRIBE, SHOW, SUMMARIZE, FROM ..., which are SELECTs),
# EXPLAIN, and PRAGMA or CALL of the catalogue functions (table_info, database_size, ...)
QUERY_TYPES = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN, duckdb.StatementType.PRAGMA,
               duckdb.StatementType.CALL}


def check_one_query(sql: str) -> None:
    """Refuse anything but exactly one query, with a one-line StoreError. The connection is what enforces
    read-only (see `store.reader`); this only says clearly what was refused."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise StoreError(str(exc).strip().splitlines()[0]) from None
    if not statements:
        raise StoreError("no SQL statement given")
    if len(statements) > 1:
        raise StoreError(f"one statement at a time: {len(statements)} given")
    kind = statements[0].type
    if kind not in QUERY_TYPES:
        name = {"LOAD": "INSTALL or LOAD", "SET": "SET, RESET or USE", "VACUUM": "VACUUM or ANALYZE"}.get(
            kind.name, kind.name
        )
        raise StoreError(f"only queries can run here (SELECT, EXPLAIN, ...), not {name}")


def run_query(
    db_path: Path | str, sql: str, params: dict | None = None, search: bool = False, one_query: bool = False,
    at: str | None = None,
) -> tuple[list[str], list[tuple]]:
    """Run a query on a sealed read-only connection (`store.reader`): nothing can be written, inside the
    database or out, and no file but the database read. With `one_query` (a user's SQL), anything but one
    query is refused first; with `search`, the full-text search macros work."""
    if one_query:
        check_one_query(sql)
    with store.reader(db_path, search=search, at=at) as con:
        try:
            cursor = con.execute(sql, params or {})
        except duckdb.Error as exc:
            raise StoreError(str(exc).strip().splitlines()[0]) from None
        if cursor.description is None:
            return [], []
        return [d[0] for d in cursor.description], cursor.fetchall()


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def render(columns: list[str], rows: list[tuple], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([dict(zip(columns, map(_plain, r))) for r in rows], ensure_ascii=False, indent=1)
    if fmt == "csv":
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(columns)
        w.writerows([[("" if v is None else _plain(v)) for v in r] for r in rows])
        return out.getvalue().rstrip("\n")
    cells = [["NULL" if v is None else str(_plain(v)).replace("\n", " ") for v in r] for r in rows]
    cells = [[c if len(c) <= 80 else c[:77] + "..." for c in r] for r in cells]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()  # noqa: E731
    rule = "  ".join("-" * w for w in widths)
    footer = f"({len(rows)} row{'s' if len(rows) != 1 else ''})"
    return "\n".join([line(columns), rule, *(line(r) for r in cells), footer])


def _counted(articles: int, stories: int) -> str:
    return str(articles) if stories == articles else f"{articles}, {stories} stories"


def trend_summary(db_path: Path, top: int = 3) -> str:
    """Top actors and topics by week, with headline counts, and the week's most reported meetings."""
    _cols, [totals] = run_query(db_path, query_file("totals"))
    articles, relevant, stories, duplicates, sources, mentions, failed = totals
    _c, actor_rows = run_query(db_path, query_file("weekly_top_actors"), {"top": top})
    _c, topic_rows = run_query(db_path, query_file("weekly_top_topics"), {"top": top})
    _c, meeting_rows = run_query(db_path, query_file("weekly_meetings"), {"top": top})
    weeks: dict[date, dict[str, list[str]]] = defaultdict(lambda: {"actors": [], "topics": [], "meetings": []})
    for week, participants, kind, place, n in meeting_rows:
        where = f" in {place}" if place else ""
        weeks[week]["meetings"].append(f"{' + '.join(participants)} ({kind}{where}, {n} article{'s' * (n != 1)})")
    for week, actor, n, actor_stories in actor_rows:
        weeks[week]["actors"].append(f"{actor} ({_counted(n, actor_stories)})")
    for week, topic, n, topic_stories in topic_rows:
        weeks[week]["topics"].append(f"{topic} ({_counted(n, topic_stories)})")
    lines = [
        f"{articles} articles from {sources} sources: {relevant} relevant ({stories} stories, each original with "
        f"its copies), {duplicates} near-duplicate copies, "
        f"{mentions} actor mentions; {failed} URLs failed (see the failures table).",
        f"Top {top} actors and topics by week (relevant articles, and stories when copies made them fewer), and the "
        "week's most reported meetings:",
    ]
    for week in sorted(weeks):
        w = weeks[week]
        lines.append(f"  week of {week}: {', '.join(w['actors']) or '-'}  |  {', '.join(w['topics']) or '-'}")
        if w["meetings"]:
            lines.append(f"    met: {'; '.join(w['meetings'])}")
    return "\n".join(lines)
