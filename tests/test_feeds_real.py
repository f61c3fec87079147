"""Real publishers' feeds, served from 127.0.0.1, through the pipeline's fetch and parse stages."""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest
from httpserver import Reply
from pipeline_helpers import make_config

from pipeline import store
from pipeline.ingest import Ingest

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "feeds-real"
NEWS = sorted((CORPUS / "news").glob("*.xml"))
MALFORMED = sorted((CORPUS / "malformed").glob("*.xml"))
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")


def _serve(http_server, files):
    urls = {}
    for path in files:
        http_server.add(f"/{path.name}", Reply(body=path.read_bytes(), content_type="application/rss+xml"))
        urls[path] = http_server.url(f"/{path.name}")
    return urls


def test_every_news_feed_yields_what_feedparser_yields(http_server, tmp_path):
    urls = _serve(http_server, NEWS)
    config = make_config({"real": list(urls.values())})
    assert len(NEWS) == 20
    with Ingest(config, tmp_path / "db.duckdb") as ingest:
        ingest.start_run("ingest")
        for path, url in urls.items():
            check = ingest.check_feed("real", url)
            direct = feedparser.parse(path.read_bytes())
            assert check.status == "ok", (path.name, check.status)
            assert check.entries_total == len(direct.entries) > 0, path.name
            assert check.entries, path.name  # nothing stored yet: every distinct link is new


def test_malformed_feeds_yield_entries_or_a_recorded_reason(http_server, tmp_path):
    urls = _serve(http_server, MALFORMED)
    config = make_config({"broken": list(urls.values())})
    db = tmp_path / "db.duckdb"
    outcomes = {}
    with Ingest(config, db) as ingest:
        run_id = ingest.start_run("ingest")
        checks = [ingest.check_feed("broken", url) for url in urls.values()]
        with ingest.writer() as w, w.transaction():
            for check in checks:
                ingest.record_feed(w, run_id, check)
        for path, check in zip(urls, checks):
            outcomes[path.name] = check
            if check.failure is None:
                assert check.entries_total > 0, path.name
            else:
                assert check.failure.reason == "malformed_feed" and check.failure.detail
    with store.reader(db) as con:
        states = dict(con.execute("SELECT feed_url, last_status FROM feeds").fetchall())
        failed = {r[0]: r[1] for r in con.execute("SELECT url, reason FROM failures").fetchall()}
    assert len(states) == len(MALFORMED)
    for path, url in urls.items():
        check = outcomes[path.name]
        assert states[url] == check.status
        assert (url in failed) == (check.failure is not None)
    # the one feed with no recoverable items is recorded; the JSON Feed is read as such
    assert failed == {urls[CORPUS / "malformed" / "7ef13a42fa7e177a.xml"]: "malformed_feed"}
    assert outcomes["d4b7ab74da763119.xml"].entries_total == 10
