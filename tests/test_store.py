"""DuckDB storage: the migrations ledger, atomic batches, idempotent writes, duplicates, readers."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from pipeline import dedup, store
from pipeline.extract import compress_html
from pipeline.records import Article, Enrichment, Mention, Quote, TopicScore

BODY = " ".join(f"Line {i}: envoys met Taliban officials in Doha to discuss aid and the UN seat." for i in range(30))


def article(n: int, text: str = BODY, published: datetime | None = None) -> Article:
    url = f"http://news.example/{n}.html"
    return Article(
        article_id=f"{n:020d}",
        url=url,
        fetched_url=url,
        source="Example",
        feed_url="http://news.example/rss.xml",
        title=f"Story {n}",
        author="A. Writer",
        published_at=published or datetime(2021, 10, 11, 9, n % 60),
        date_origin="feed",
        fetched_at=datetime(2021, 10, 12, 0, 0),
        language="en",
        sitename="Example",
        text=text,
        extraction="trafilatura",
        raw_html=compress_html(b"<html>x</html>"),
        text_sketch=dedup.sketch(text),
    )


def enrichment(a: Article) -> Enrichment:
    return Enrichment(
        article_id=a.article_id,
        mentions=(Mention("Taliban", "ORG", "Taliban", 0, 7), Mention("Doha", "GPE", None, 20, 24)),
        topics=(TopicScore("talks", 0.8),),
        quotes=(Quote("Josep Borrell", "Josep Borrell", "We must act"),),
        relevance=0.9,
    )


def fresh_db(tmp_path):
    db = tmp_path / "n.duckdb"
    store.prepare(db)
    return db


def counts(db) -> dict[str, int]:
    with store.reader(db) as con:
        return {
            t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("articles", "article_html", "mentions", "article_topics", "quotes", "sketch_bands")
        }


def test_migrations_are_recorded_once_and_views_exist(tmp_path):
    db = tmp_path / "n.duckdb"
    for _ in range(2):
        store.prepare(db)
    with store.reader(db) as con:
        applied = [r[0] for r in con.execute("SELECT name FROM schema_migrations ORDER BY name").fetchall()]
        views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    assert applied == sorted(f.name for f in (store.SQL_ROOT / "migrations").iterdir() if f.name.endswith(".sql"))
    assert {"actor_daily", "topic_daily", "actor_pairs", "relevant_articles", "emerging_actors"} <= views


def test_an_article_and_all_its_rows_land_together_or_not_at_all(tmp_path):
    db = fresh_db(tmp_path)
    a = article(1)
    with store.writer(db) as w:
        run = w.start_run("ingest")
    with pytest.raises(RuntimeError):
        with store.writer(db) as w, w.transaction():
            w.write_articles(run, [a], {a.article_id: enrichment(a)}, 0.8)
            raise RuntimeError("the machine fails mid-batch")
    assert counts(db)["articles"] == counts(db)["mentions"] == 0
    with store.writer(db) as w, w.transaction():
        w.write_articles(run, [a], {a.article_id: enrichment(a)}, 0.8)
    assert counts(db) == {
        "articles": 1, "article_html": 1, "mentions": 2, "article_topics": 1, "quotes": 1, "sketch_bands": 16
    }


def test_writing_the_same_articles_again_stores_nothing(tmp_path):
    db = fresh_db(tmp_path)
    arts = [article(1), article(2, text=BODY.replace("Doha", "Moscow").replace("UN seat", "frozen reserves") * 1)]
    with store.writer(db) as w:
        run = w.start_run("ingest")
        first = w.write_articles(run, arts, {a.article_id: enrichment(a) for a in arts}, 0.8)
    before = counts(db)
    with store.writer(db) as w:
        again = w.write_articles(run, arts, {a.article_id: enrichment(a) for a in arts}, 0.8)
    assert first.new == 2 and again.new == 0 and again.skipped == 2
    assert counts(db) == before


def test_near_duplicate_points_at_the_earliest_original(tmp_path):
    db = fresh_db(tmp_path)
    original = article(1, published=datetime(2021, 10, 11, 8, 0))
    copy_text = "Doha (Agencies) - " + BODY + " With agencies."
    copy = article(2, text=copy_text, published=datetime(2021, 10, 11, 11, 0))
    later_copy = article(3, text="Reprinted: " + BODY, published=datetime(2021, 10, 12, 7, 0))
    other = article(4, text=" ".join(f"Cricket score {i} at the stadium tonight." for i in range(60)))
    with store.writer(db) as w:
        run = w.start_run("ingest")
        w.write_articles(run, [copy, original], {a.article_id: enrichment(a) for a in (copy, original)}, 0.8)
        w.write_articles(run, [later_copy, other], {a.article_id: enrichment(a) for a in (later_copy, other)}, 0.8)
    with store.reader(db) as con:
        dup = dict(con.execute("SELECT article_id, duplicate_of FROM articles").fetchall())
    assert dup == {
        original.article_id: None,
        copy.article_id: original.article_id,
        later_copy.article_id: original.article_id,
        other.article_id: None,
    }


READ_IN_ANOTHER_PROCESS = """
import json, sys
import duckdb
from pipeline import store
with store.reader(sys.argv[1]) as con:
    ids = sorted(r[0] for r in con.execute("SELECT article_id FROM articles").fetchall())
    runs = con.execute("SELECT run_id, status FROM runs").fetchall()
    try:
        con.execute("DELETE FROM articles")
        refused = None
    except duckdb.Error as exc:
        refused = str(exc).splitlines()[0]
print(json.dumps({"ids": ids, "runs": runs, "refused": refused}))
"""


def test_another_process_reads_a_running_run_between_its_batches_and_cannot_write(tmp_path):
    """As in production: a run writes batch after batch through `Ingest.write_batch` (one writer session
    each); between two batches a reader in another process (the dashboard, `newsmon sql`) opens the file,
    sees the committed batch and the run still 'running', and cannot write; the next batch then commits."""
    from pipeline.ingest import Ingest, PreparedBatch
    from pipeline_helpers import make_config

    def prepared(arts: list[Article]) -> PreparedBatch:
        return PreparedBatch(tuple(arts), {a.article_id: enrichment(a) for a in arts}, (), len(arts))

    db = fresh_db(tmp_path)
    ingest = Ingest(make_config({"Example": ["http://news.example/rss.xml"]}), db)
    run_id = ingest.start_run("ingest")
    first = [article(n, f"{BODY} First batch, story {n}.") for n in range(1, 4)]
    second = [article(n, f"{BODY} Second batch, story {n}.") for n in range(4, 6)]
    assert ingest.write_batch(run_id, prepared(first)).new == 3

    read = subprocess.run(
        [sys.executable, "-c", READ_IN_ANOTHER_PROCESS, str(db)],
        cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, check=False,
    )
    assert read.returncode == 0, read.stderr[-2000:]
    seen = json.loads(read.stdout)
    assert seen["ids"] == sorted(a.article_id for a in first)
    assert seen["runs"] == [[run_id, "running"]]
    assert seen["refused"] is not None and "read-only" in seen["refused"], seen["refused"]

    assert ingest.write_batch(run_id, prepared(second)).new == 2
    ingest.finish_run(run_id, "completed", {})
    with store.reader(db) as con:
        ids = sorted(r[0] for r in con.execute("SELECT article_id FROM articles").fetchall())
        status = con.execute("SELECT status, articles_new FROM runs WHERE run_id = ?", [run_id]).fetchone()
    assert ids == sorted(a.article_id for a in first + second)
    assert status == ("completed", 5)


def test_unusable_databases_give_one_line_errors(tmp_path):
    not_duckdb = tmp_path / "notes.duckdb"
    not_duckdb.write_text("just some text, not a database\n" * 100)
    with pytest.raises(store.StoreError) as err:
        store.prepare(not_duckdb)
    assert "\n" not in str(err.value) and str(not_duckdb) in str(err.value)
    assert not_duckdb.read_text().startswith("just some text")
    with pytest.raises(store.StoreError, match="does not exist"):
        with store.writer(tmp_path / "missing" / "n.duckdb"):
            pass
    with pytest.raises(store.StoreError, match="no database"):
        with store.reader(tmp_path / "absent.duckdb"):
            pass


def test_an_original_arriving_after_its_copy_becomes_the_root(tmp_path):
    db = fresh_db(tmp_path)
    original = article(1, published=datetime(2021, 11, 18, 12, 25))
    copy = article(2, text="Kabul (Agencies) - " + BODY, published=datetime(2021, 11, 18, 17, 31))
    second_copy = article(3, text=BODY + " With agencies.", published=datetime(2021, 11, 19, 8, 0))
    with store.writer(db) as w:
        run = w.start_run("ingest")
        w.write_articles(run, [copy, second_copy], {a.article_id: enrichment(a) for a in (copy, second_copy)}, 0.8)
    with store.writer(db) as w:
        w.write_articles(run, [original], {original.article_id: enrichment(original)}, 0.8)
    with store.reader(db) as con:
        dup = dict(con.execute("SELECT article_id, duplicate_of FROM articles").fetchall())
    assert dup == {
        original.article_id: None,
        copy.article_id: original.article_id,
        second_copy.article_id: original.article_id,
    }


def test_batch_writes_keep_the_row_groups_of_indexed_tables_small(tmp_path):
    """A batch's session ends in a checkpoint that rewrites the last row group of each table with an index
    it appended to: those row groups must stay at BATCH_ROW_GROUP_SIZE rows, not grow with the table."""
    import random

    from pipeline.ingest import Ingest, PreparedBatch
    from pipeline_helpers import make_config

    rnd = random.Random(7)
    words = BODY.replace(":", "").split() + [f"w{i}" for i in range(400)]
    db = fresh_db(tmp_path)
    ingest = Ingest(make_config({"Example": ["http://news.example/rss.xml"]}), db)
    run_id = ingest.start_run("ingest")
    size, batches = 200, store.BATCH_ROW_GROUP_SIZE // 200 + 2  # a little more than one row group
    for b in range(batches):
        # distinct texts: identical ones would all be near-duplicates of one another
        batch = [article(b * size + i, " ".join(rnd.choice(words) for _ in range(80))) for i in range(size)]
        ingest.write_batch(run_id, PreparedBatch(tuple(batch), {a.article_id: enrichment(a) for a in batch}, (), size))
    ingest.finish_run(run_id, "completed", {})  # as a run ends: its last session is not a batch's
    assert not Path(f"{db}.wal").exists()
    with store.reader(db) as con:
        assert con.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == size * batches
        for table in ("articles", "article_html"):
            groups = dict(con.execute(
                f"SELECT row_group_id, MAX(count) FROM pragma_storage_info('{table}') GROUP BY ALL"
            ).fetchall())
            assert len(groups) >= 2 and max(groups.values()) <= store.BATCH_ROW_GROUP_SIZE, (table, groups)
