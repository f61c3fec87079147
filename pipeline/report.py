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


def run_query(db_path: Path, sql: str, params: dict | None = None) -> tuple[list[str], list[tuple]]:
    """One read-only query; a statement that writes is refused by the read-only connection."""
    with store.reader(db_path) as con:
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


def trend_summary(db_path: Path, top: int = 3) -> str:
    """Top actors and topics by week, with headline counts."""
    _cols, [totals] = run_query(db_path, query_file("totals"))
    articles, relevant, duplicates, sources, mentions, failed = totals
    _c, actor_rows = run_query(db_path, query_file("weekly_top_actors"), {"top": top})
    _c, topic_rows = run_query(db_path, query_file("weekly_top_topics"), {"top": top})
    weeks: dict[date, dict[str, list[str]]] = defaultdict(lambda: {"actors": [], "topics": []})
    for week, actor, n in actor_rows:
        weeks[week]["actors"].append(f"{actor} ({n})")
    for week, topic, n in topic_rows:
        weeks[week]["topics"].append(f"{topic} ({n})")
    lines = [
        f"{articles} articles from {sources} sources: {relevant} relevant, {duplicates} near-duplicate copies, "
        f"{mentions} actor mentions; {failed} URLs failed (see the failures table).",
        f"Top {top} actors and topics by week (relevant articles):",
    ]
    for week in sorted(weeks):
        w = weeks[week]
        lines.append(f"  week of {week}: {', '.join(w['actors']) or '-'}  |  {', '.join(w['topics']) or '-'}")
    return "\n".join(lines)
