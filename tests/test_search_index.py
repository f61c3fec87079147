"""The full-text index kept up to date run by run (pipeline/sql/search/update.sql) is the index a rebuild
would make: the same terms per article, document frequencies and collection statistics, so BM25 ranks
the same. Real texts: the article bodies of the extraction benchmark's ground truth, in three runs' worth,
one of them replacing stored texts as `backfill --reprocess` does."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from pipeline import store
from pipeline.extract import compress_html
from pipeline.records import Article, Enrichment

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "extraction-benchmark" / "ground-truth.json"
QUERIES = ("game console", "google apple", "president election vote", "climate", "the", "talks", "zzzz nothing")


def bodies() -> list[tuple[str, str, str]]:
    """(article_id, title, text) for each ground-truth article: its first line as the title."""
    truth = json.loads(CORPUS.read_text(encoding="utf-8"))
    out = []
    for key, entry in sorted(truth.items()):
        text = entry["articleBody"] or ""
        out.append((key[:20], text.split("\n", 1)[0][:120], text))
    return out


def store_articles(db: Path, articles: list[tuple[str, str, str]]) -> None:
    """Store articles through the writer, as a run's batch does."""
    stored = [
        Article(article_id=a, url=f"https://example.org/{a}", fetched_url=f"https://example.org/{a}", source="Bench",
                feed_url=None, title=title, author=None, published_at=datetime(2026, 1, 1), date_origin="feed",
                fetched_at=datetime(2026, 1, 1), language="en", sitename=None, text=text, extraction="trafilatura",
                raw_html=compress_html(b"<html></html>"), text_sketch=())
        for a, title, text in articles
    ]  # fmt: skip
    enrichments = {a.article_id: Enrichment(a.article_id, (), (), (), relevance=0.5) for a in stored}
    with store.writer(db) as w, w.transaction():
        run = w.start_run("ingest")
        w.write_articles(run, stored, enrichments, duplicate_threshold=0.8)


def index_state(db: Path) -> tuple:
    """The index as BM25 reads it, independent of how ids were numbered."""
    with store.reader(db, search=True) as con:
        terms = con.execute(
            """SELECT d.name, t.fieldid, w.term, COUNT(*) FROM fts_main_articles.terms AS t
               JOIN fts_main_articles.docs AS d USING (docid) JOIN fts_main_articles.dict AS w USING (termid)
               GROUP BY ALL ORDER BY ALL"""
        ).fetchall()
        lengths = con.execute("SELECT name, len FROM fts_main_articles.docs ORDER BY name").fetchall()
        df = con.execute("SELECT term, df FROM fts_main_articles.dict WHERE df > 0 ORDER BY term").fetchall()
        [(num_docs, avgdl)] = con.execute("SELECT num_docs, avgdl FROM fts_main_articles.stats").fetchall()
    return terms, lengths, df, num_docs, avgdl


def ranking(db: Path, query: str) -> list[tuple[str, float]]:
    with store.reader(db, search=True) as con:
        return con.execute(
            """SELECT article_id, score FROM (
                   SELECT article_id, fts_main_articles.match_bm25(article_id, ?) AS score FROM articles)
               WHERE score IS NOT NULL ORDER BY score DESC, article_id""",
            [query],
        ).fetchall()


@pytest.mark.skipif(store.fts_extension_path() is None, reason="duckdb-extension-fts is not installed")
def test_the_index_kept_run_by_run_equals_a_rebuild_and_ranks_the_same(tmp_path):
    articles = bodies()
    assert len(articles) > 150
    db = tmp_path / "kept.duckdb"
    store.prepare(db)
    first, second, third = articles[:60], articles[60:61], articles[61:]
    for batch, expected in ((first, "built"), (second, "updated"), (third, "updated")):
        store_articles(db, batch)
        with store.writer(db) as w:
            assert store.refresh_search_index(w.con) == expected
            assert store.refresh_search_index(w.con) == "current"  # nothing pending: nothing done
    # texts replaced (as `backfill --reprocess` re-extracts them): the old terms leave, the new ones come in
    replaced = [(a, t, text.upper().replace("THE", "the replaced")) for a, t, text in articles[10:14]]
    with store.writer(db) as w, w.transaction():
        w.replace_texts([(a, text, ()) for a, _t, text in replaced])
    with store.writer(db) as w:
        assert store.refresh_search_index(w.con) == "updated"
    rebuilt = tmp_path / "rebuilt.duckdb"
    shutil.copy(db, rebuilt)
    with store.writer(rebuilt) as w:
        store.load_fts(w.con)
        w.con.execute("PRAGMA drop_fts_index('articles')")  # no index: built whole
        assert store.refresh_search_index(w.con) == "built"
    kept, whole = index_state(db), index_state(rebuilt)
    assert kept[3] == whole[3] == len(articles)
    assert kept[0] == whole[0] and kept[1] == whole[1] and kept[2] == whole[2]
    assert kept[4] == pytest.approx(whole[4], rel=1e-12)
    for query in QUERIES:
        got, want = ranking(db, query), ranking(rebuilt, query)
        assert [a for a, _s in got] == [a for a, _s in want], query
        assert [s for _a, s in got] == pytest.approx([s for _a, s in want], rel=1e-9), query
    assert ranking(db, "the replaced") and not ranking(db, "zzzz nothing")
