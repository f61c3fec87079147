"""The views read rollup tables kept by the writer: on a generated database, after every kind of write,
they must hold exactly what the straightforward aggregations over the base tables give (the views as
they were, in tests/reference_views/)."""

from __future__ import annotations

import re
import shutil
import sys
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from pipeline import dedup, rollups, store
from pipeline.extract import compress_html
from pipeline.records import Article, Enrichment, Meeting, Mention, Quote, TopicScore

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import views_data

REFERENCE = Path(__file__).resolve().parent / "reference_views"
DEBUG = False
VIEWS = sorted(p.stem for p in (ROOT / "pipeline" / "sql" / "views").glob("*.sql"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("generated") / "generated.duckdb"
    views_data.generate(db, 3000)  # rows written by SQL, as an older newsmon or another tool would
    step, rollups.REBUILD_ARTICLES = rollups.REBUILD_ARTICLES, 700  # a rebuild in several steps
    try:
        store.prepare(db)  # notices and builds the rollups
    finally:
        rollups.REBUILD_ARTICLES = step
    return db


@pytest.fixture
def db(generated, tmp_path) -> Path:
    copy = tmp_path / "copy.duckdb"
    shutil.copy(generated, copy)
    return copy


def differences(db: Path) -> dict[str, int]:
    """Per view, the rows that differ (both ways, as multisets) from its reference; DOUBLEs compared to 9
    decimals (an average may be summed in another order)."""
    out = {}
    with store.writer(db) as w:
        con = w.con
        pending = sorted(REFERENCE.glob("*.sql"))
        while pending:  # as store.create_views: a view whose base view is not there yet waits for the next round
            failed = []
            for path in pending:
                sql = path.read_text().replace(
                    f"CREATE OR REPLACE VIEW {path.stem} AS", f"CREATE OR REPLACE TEMP VIEW ref_{path.stem} AS"
                )
                for name in [p.stem for p in REFERENCE.glob("*.sql")]:
                    sql = re.sub(rf"\b(FROM|JOIN)\s+{name}\b", rf"\1 ref_{name}", sql)
                try:
                    con.execute(sql)
                except duckdb.CatalogException:
                    failed.append(path)
            assert len(failed) < len(pending), failed
            pending = failed
        for view in VIEWS:
            # the reference's columns, in its order and of its types (a view may have more)
            columns = con.execute(f"DESCRIBE ref_{view}").fetchall()
            assert [c[:2] for c in con.execute(f"DESCRIBE {view}").fetchall()][: len(columns)] == [c[:2] for c in columns], view
            select = ", ".join(f"round({c[0]}, 9)" if c[1] == "DOUBLE" else c[0] for c in columns)
            [(n,)] = con.execute(
                f"""SELECT COUNT(*) FROM (
                        (SELECT {select} FROM {view} EXCEPT ALL SELECT {select} FROM ref_{view})
                        UNION ALL
                        (SELECT {select} FROM ref_{view} EXCEPT ALL SELECT {select} FROM {view}))"""
            ).fetchall()
            out[view] = n
            if n and DEBUG:
                print(view, con.execute(f"SELECT * FROM {view} EXCEPT ALL SELECT * FROM ref_{view}").fetchall())
                print(view, con.execute(f"SELECT * FROM ref_{view} EXCEPT ALL SELECT * FROM {view}").fetchall())
    return out


def macro_differences(db: Path) -> dict[str, int]:
    """actor_totals and topic_totals against a direct count over the base tables (each story once over the
    range: a copy in another outlet or on another day is not counted again), for the whole span, a month,
    and a month of two sources."""
    direct = {
        "actor_totals": """SELECT m.actor, COUNT(DISTINCT r.article_id) AS articles, COUNT(DISTINCT r.story_id) AS stories,
                                  COUNT(*) AS mentions
                           FROM mentions AS m JOIN relevant_articles AS r USING (article_id)
                           WHERE m.actor IS NOT NULL AND r.day BETWEEN $1 AND $2 AND ($3 IS NULL OR list_contains($3, r.source))
                           GROUP BY m.actor""",
        "topic_totals": """SELECT t.topic, COUNT(DISTINCT r.article_id) AS articles, COUNT(DISTINCT r.story_id) AS stories
                           FROM article_topics AS t JOIN relevant_articles AS r USING (article_id)
                           WHERE r.day BETWEEN $1 AND $2 AND ($3 IS NULL OR list_contains($3, r.source))
                           GROUP BY t.topic""",
    }
    out = {}
    with store.reader(db) as con:
        first, last = con.execute("SELECT MIN(day), MAX(day) FROM relevant_articles").fetchone()
        two = [r[0] for r in con.execute("SELECT DISTINCT source FROM relevant_articles ORDER BY source LIMIT 2").fetchall()]
        middle = first + (last - first) / 2
        for macro, sql in direct.items():
            for start, end, sources in ((first, last, None), (middle, middle + timedelta(days=30), None),
                                        (middle, middle + timedelta(days=30), two)):
                named = "" if sources is None else ", sources := $3"
                [(n, rows)] = con.execute(
                    f"""WITH got AS (SELECT * FROM {macro}($1, $2{named})), want AS ({sql})
                        SELECT (SELECT COUNT(*) FROM (SELECT * FROM got EXCEPT ALL SELECT * FROM want))
                             + (SELECT COUNT(*) FROM (SELECT * FROM want EXCEPT ALL SELECT * FROM got)),
                               (SELECT COUNT(*) FROM got)""",
                    [start, end, sources],
                ).fetchall()
                assert rows > 0, (macro, start, end, sources)  # not equal by being empty
                if n:
                    out[f"{macro} {start}..{end} {sources}"] = n
    return out


def count(db: Path, sql: str) -> int:
    with store.reader(db) as con:
        return con.execute(sql).fetchone()[0]


def assert_equal_to_reference(db: Path) -> None:
    assert {v: n for v, n in differences(db).items() if n} == {}
    with store.reader(db) as con:  # unregistered_daily's name_id: one number per name and label, and back
        [(ids, names, both)] = con.execute(
            "SELECT COUNT(DISTINCT name_id), COUNT(DISTINCT (name, label)), COUNT(DISTINCT (name_id, name, label))"
            " FROM unregistered_daily"
        ).fetchall()
        assert ids == names == both
    assert macro_differences(db) == {}
    for view in ("article_list", "actor_source_daily", "pair_articles", "unregistered_daily", "emerging_actors",
                 "topic_source_daily", "actor_pairs", "quote_list"):
        assert count(db, f"SELECT COUNT(*) FROM {view}") > 0, view  # not equal by being empty


# a few articles written through the writer, with names and pairs the generated ones do not have ------------
TEXT = " ".join(f"Line {i}: envoys met officials in Doha to discuss aid, the seat and the border." for i in range(30))


def article(n: int, published: datetime, text: str = TEXT, source: str = "Source 03") -> Article:
    url = f"http://new.example/{n}.html"
    return Article(
        article_id=f"new{n:017d}", url=url, fetched_url=url, source=source, feed_url=None,
        title=f"New story {n}", author=None, published_at=published, date_origin="feed",
        fetched_at=datetime(2025, 6, 2, 8, 0), language="en", sitename="New", text=text,
        extraction="trafilatura", raw_html=compress_html(b"<html>x</html>"), text_sketch=dedup.sketch(text),
    )


def enrichment(article_id: str, relevance: float, actors: tuple[str, ...], names: tuple[str, ...] = ()) -> Enrichment:
    mentions = tuple(Mention(a, "ORG", a, 10 * i, 10 * i + 5) for i, a in enumerate(actors))
    mentions += tuple(Mention(n, "PERSON", None, 500 + 10 * i, 505 + 10 * i, n) for i, n in enumerate(names))
    return Enrichment(
        article_id=article_id,
        mentions=mentions + mentions[:1],  # an actor named twice
        topics=(TopicScore("topic 03", 0.7), TopicScore("new topic", 0.4)),
        quotes=(Quote(actors[0] if actors else "Nobody Known", actors[0] if actors else None, "We talk."),),
        relevance=relevance,
        # a meeting of the article's first two actors, as the generated ones are (so that reports join events)
        meetings=(Meeting("met", tuple(sorted(actors[:2])), "Kabul", None, "They met.", 0, 9),) if len(actors) > 1 else (),
    )


def test_the_rollups_equal_the_reference_once_built(generated):
    assert_equal_to_reference(generated)
    with store.reader(generated) as con:
        assert rollups.current(con)


def test_new_articles_copies_and_a_late_original_keep_every_view_equal(db):
    before = count(db, "SELECT COUNT(*) FROM actor_pairs")
    # the copy is another outlet's: the per-source rollups of its day and source must follow its story
    copy = article(2, datetime(2025, 6, 1, 17, 0), "Kabul (Agencies) - " + TEXT, source="Source 07")
    other = article(3, datetime(2025, 5, 20, 9, 0), "An unrelated report on the drought in the north.")
    with store.writer(db) as w, w.transaction():
        run = w.start_run("ingest")
        w.write_articles(run, [copy, other], {
            copy.article_id: enrichment(copy.article_id, 0.9, ("Actor 001", "Zeta Actor", "Actor 002"), ("Newname Person",)),
            other.article_id: enrichment(other.article_id, 0.2, ("Actor 001", "Zeta Actor")),
        }, 0.7)
    assert_equal_to_reference(db)
    # the original arrives later, published earlier (another day): the copy's story moves to it
    original = article(1, datetime(2025, 5, 31, 12, 0))
    with store.writer(db) as w, w.transaction():
        run = w.start_run("backfill")
        result = w.write_articles(run, [original], {
            original.article_id: enrichment(original.article_id, 0.8, ("Actor 001", "Zeta Actor"), ("Newname Person",)),
        }, 0.7)
    assert result.new == 1
    assert count(db, f"SELECT COUNT(*) FROM articles WHERE duplicate_of = '{original.article_id}'") == 1
    assert count(db, "SELECT stories FROM actor_pairs WHERE actor_a = 'Actor 001' AND actor_b = 'Zeta Actor'") == 1
    assert count(db, "SELECT COUNT(*) FROM actor_pairs") == before + 2  # Actor 001 and 002 with Zeta Actor
    assert_equal_to_reference(db)
    with store.reader(db) as con:
        assert rollups.current(con)  # kept by the writes, not rebuilt


def test_reprocessing_that_changes_relevance_and_mentions_keeps_every_view_equal(db):
    with store.reader(db) as con:
        # relevant articles naming pairs, and articles below the threshold
        relevant = [r[0] for r in con.execute(
            "SELECT article_id FROM rollup_articles WHERE relevance >= 0.5 AND len(actors) >= 3 ORDER BY article_id LIMIT 20").fetchall()]
        irrelevant = [r[0] for r in con.execute(
            "SELECT article_id FROM rollup_articles WHERE relevance < 0.5 AND len(actors) >= 1 ORDER BY article_id LIMIT 20").fetchall()]
        originals = [r[0] for r in con.execute(
            "SELECT DISTINCT duplicate_of FROM articles WHERE duplicate_of IS NOT NULL ORDER BY 1 LIMIT 5").fetchall()]
    enrichments = [enrichment(a, 0.1, ("Actor 250",)) for a in relevant]  # no longer relevant, pairs gone
    enrichments += [enrichment(a, 0.95, ("Actor 007", "Actor 009"), ("Another Name",)) for a in irrelevant]
    enrichments += [enrichment(a, 0.99, ()) for a in originals]  # no actor at all
    with store.writer(db) as w, w.transaction():
        w.replace_enrichments(enrichments)
    assert count(db, f"SELECT COUNT(*) FROM pair_articles WHERE article_id IN ({', '.join(repr(a) for a in relevant)})") == 0
    assert_equal_to_reference(db)
    with store.reader(db) as con:
        assert rollups.current(con)


def test_another_threshold_rebuilds_the_rollups(db):
    relevant = count(db, "SELECT SUM(relevant_articles) FROM source_daily")
    store.prepare(db, relevance_threshold=0.8)
    assert count(db, "SELECT SUM(relevant_articles) FROM source_daily") < relevant
    assert_equal_to_reference(db)


def test_a_write_that_bypassed_the_writer_is_noticed_and_rebuilt(db):
    with store.writer(db) as w:
        w.con.execute("""INSERT INTO mentions SELECT article_id, 'Actor 003', 'Actor 003', 'ORG', 0, 5, 'Actor 003'
                         FROM articles WHERE relevance >= 0.5 ORDER BY article_id LIMIT 50""")
        assert not rollups.current(w.con)
    store.prepare(db)
    assert_equal_to_reference(db)



# the dashboard's rewritten queries give what its former ones gave -----------------------------------------
def rows(db: Path, sql: str, params: list) -> list[tuple]:
    with store.reader(db) as con:
        return con.execute(sql, params).fetchall()


def test_the_dashboard_pages_show_what_their_former_queries_gave(generated):
    from test_dashboard import app, frame

    with store.reader(generated) as con:
        first, last = con.execute("SELECT MIN(day), MAX(day) FROM article_list").fetchone()
        sources = [r[0] for r in con.execute("SELECT DISTINCT source FROM article_list ORDER BY source").fetchall()]
    from datetime import timedelta

    from dashboards.app import DEFAULT_DAYS

    # the range the dashboard opens on: the last year that has articles
    everything = [max(first, last - timedelta(days=DEFAULT_DAYS - 1)), last, sources]
    former_where = "day BETWEEN ? AND ? AND source IN (SELECT UNNEST(?))"

    pairs = frame(app(generated, "pairs"), "actor_b")  # the 12 most connected actors' pairs
    former = rows(generated, f"""
        WITH counted AS (
            SELECT actor_a, actor_b, COUNT(DISTINCT article_id) AS articles
            FROM pair_articles WHERE {former_where} GROUP BY actor_a, actor_b
        ),
        involvement AS (
            SELECT actor, SUM(articles) AS weight
            FROM (SELECT actor_a AS actor, articles FROM counted UNION ALL SELECT actor_b, articles FROM counted)
            GROUP BY actor ORDER BY weight DESC, actor LIMIT 12
        )
        SELECT c.* FROM counted AS c
        WHERE c.actor_a IN (SELECT actor FROM involvement) AND c.actor_b IN (SELECT actor FROM involvement)
        ORDER BY c.articles DESC, c.actor_a, c.actor_b""", everything)
    assert len(former) > 20 and list(pairs.itertuples(index=False, name=None)) == former

    names = frame(app(generated, "emerging"), "first_seen")
    former = rows(generated, f"""
        SELECT name, label, SUM(articles) AS articles, SUM(mentions) AS mentions, MIN(day), MAX(day)
        FROM unregistered_daily WHERE {former_where} AND label IN ('PERSON', 'ORG')
        GROUP BY name, label ORDER BY articles DESC, mentions DESC, name LIMIT 200""", everything)
    assert len(former) == 200
    assert [r[:4] for r in names.itertuples(index=False, name=None)] == [r[:4] for r in former]

    listed = frame(app(generated, "articles"), "title")
    former = rows(generated, f"""
        WITH matches AS (SELECT article_id, CAST(NULL AS DOUBLE) AS score FROM article_list)
        SELECT l.article_id FROM article_list AS l JOIN matches AS m USING (article_id)
        WHERE {former_where}
        ORDER BY m.score DESC NULLS LAST, l.day DESC, l.article_id LIMIT 500""", everything)
    assert listed["article_id"].tolist() == [r[0] for r in former]

    at = app(generated, "quotes")
    quoted = frame(at, "quote")
    every_day = [first, last, sources]
    at.sidebar.date_input(key="date_range").set_value((first, last))  # the whole span: more than 1000 quotes
    from test_dashboard import rerun

    quoted = frame(rerun(at, generated), "quote")
    in_range = rows(generated, f"SELECT COUNT(*) FROM quote_list WHERE {former_where}", every_day)[0][0]
    assert in_range > 1000 and len(quoted) == 1000  # the newest 1000, and says so
    assert any(f"the newest 1000 matching quotes of the {in_range} in range" in c.value for c in at.caption)
    newest = rows(generated, "SELECT article_id FROM quote_list ORDER BY day DESC, source, article_id LIMIT 1000", [])
    assert quoted["article_id"].tolist() == [r[0] for r in newest]
