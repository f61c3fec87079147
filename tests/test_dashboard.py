"""The dashboard page by page with Streamlit's AppTest, on a real DuckDB file filled from the sample site
through the command line; and the views it reads, checked against the tables they summarise."""

from __future__ import annotations

import os
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from dashboard_helpers import WINDOW, sample_database
from streamlit.testing.v1 import AppTest
from test_cli import ROOT, newsmon

from pipeline import dedup, store
from pipeline.extract import compress_html
from pipeline.records import Article, Enrichment, Mention, Quote, TopicScore

pytestmark = pytest.mark.e2e

APP = Path(__file__).resolve().parent.parent / "dashboards" / "app.py"
HOSTILE_TITLE = '<script>alert("title")</script><img src=x onerror=alert(1)> Zebulon envoy & donors'
HOSTILE_TEXT = (
    "KABUL - The Taliban met Zebulon donors on Monday. <script>document.location='http://evil.example'</script>\n"
    'Officials said <img src=x onerror=alert(2)> "talks will go on," and *nothing* [more](javascript:alert(3)).'
)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    with sample_database(tmp_path_factory.mktemp("dashboard")) as built:
        yield built


@pytest.fixture(scope="module")
def db(sample) -> Path:
    return sample.db


def rows(db: Path, sql: str, params=None) -> list[tuple]:
    with store.reader(db) as con:
        return con.execute(sql, params or []).fetchall()


def app(db: Path, page: str) -> AppTest:
    """The app on `page` (as `?page=` in the URL), run once, with no exception."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["page"] = page
    return rerun(at, db)


def rerun(at: AppTest, db: Path) -> AppTest:
    """Run the script again (after widget changes) on `db`, as `newsmon dashboard --db` passes it."""
    os.environ["NEWSMON_DB"] = str(db)
    try:
        at.run()
    finally:
        os.environ.pop("NEWSMON_DB", None)
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame(at: AppTest, column: str):
    """The first table that has `column`."""
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with a {column} column")


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "success", "header", "subheader")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def opened(at: AppTest) -> str:
    """The article_id the article view shows."""
    [choice] = [s for s in at.selectbox if s.label == "Article"]
    return choice.value


def metric(at: AppTest, label: str) -> int:
    return int(next(m.value for m in at.metric if m.label == label))


# the views --------------------------------------------------------------------------------------------
def test_the_split_views_add_up_to_the_interface_views(db):
    assert rows(db, """SELECT day, actor, SUM(articles), SUM(mentions) FROM actor_source_daily GROUP BY ALL
                       EXCEPT SELECT day, actor, articles, mentions FROM actor_daily""") == []
    assert rows(db, """SELECT day, topic, SUM(articles) FROM topic_source_daily GROUP BY ALL
                       EXCEPT SELECT day, topic, articles FROM topic_daily""") == []
    assert rows(db, """SELECT actor_a, actor_b, COUNT(DISTINCT article_id) FROM pair_articles GROUP BY ALL
                       EXCEPT SELECT actor_a, actor_b, articles FROM actor_pairs""") == []
    [(relevant, total)] = rows(db, "SELECT SUM(relevant_articles), SUM(articles) FROM source_daily")
    assert relevant == rows(db, "SELECT COUNT(*) FROM relevant_articles")[0][0] > 100
    assert total == rows(db, "SELECT COUNT(*) FROM articles")[0][0]
    assert rows(db, "SELECT COUNT(*) FROM quote_list")[0][0] == rows(
        db, "SELECT COUNT(*) FROM quotes JOIN relevant_articles USING (article_id)"
    )[0][0] > 0
    [(actors, topics)] = rows(db, "SELECT actors, topics FROM article_list WHERE relevant ORDER BY relevance DESC LIMIT 1")
    assert "Taliban" in actors and topics
    flows = {r[0]: r[1:] for r in rows(db, "SELECT flow, last_status, minutes_since_success, runs FROM run_status")}
    assert flows["ingest"][0] == "completed" and 0 <= flows["ingest"][1] < 30 and "backfill" in flows


def test_the_search_index_takes_in_the_latest_run_and_the_articles_page_finds_it_by_bm25(db, tmp_path):
    copy = tmp_path / "copy.duckdb"
    shutil.copy(db, copy)
    assert rows(copy, "SELECT COUNT(*) FROM fts_main_articles.docs") == rows(copy, "SELECT COUNT(*) FROM articles")
    with store.writer(copy) as w:
        assert store.refresh_search_index(w.con) == "current"
    article_id = add_hostile_article(copy)  # a run stores it; the index has it once that run finishes
    assert rows(copy, "SELECT article_id FROM search_pending") == [(article_id,)]
    with store.writer(copy) as w:
        run = w.start_run("ingest")
        w.finish_run(run, "completed", {})
        assert w.search_index == "updated"
    assert rows(copy, "SELECT COUNT(*) FROM search_pending") == [(0,)]
    assert rows(copy, "SELECT COUNT(*) FROM fts_main_articles.docs") == rows(copy, "SELECT COUNT(*) FROM articles")
    at = app(copy, "articles")
    at.text_input(key="article_search").input("Zebulon")
    rerun(at, copy)
    found = frame(at, "title")
    assert found["title"].tolist() == [HOSTILE_TITLE] and found["score"].notna().all()  # ranked by the index


# the pages --------------------------------------------------------------------------------------------
def test_overview_counts_the_range_and_says_the_data_is_fresh(db):
    at = app(db, "overview")
    assert metric(at, "Articles") == rows(db, "SELECT COUNT(*) FROM articles")[0][0]
    assert metric(at, "Relevant articles") == rows(db, "SELECT COUNT(*) FROM relevant_articles")[0][0]
    assert metric(at, "Sources") == 3
    assert metric(at, "Topics") == rows(db, "SELECT COUNT(DISTINCT topic) FROM topic_daily")[0][0]
    assert metric(at, "Actors") == rows(db, "SELECT COUNT(DISTINCT actor) FROM actor_daily")[0][0] > 20
    top = frame(at, "actor")
    assert top.iloc[0]["actor"] == "Taliban"
    assert "Last run:" in texts(at)
    assert any("Up to date" in s.value for s in at.success) and not at.warning
    assert len(at.get("download_button")) == len(at.dataframe) >= 3
    assert at.get("vega_lite_chart"), "no chart"


def test_overview_warns_when_no_ingest_completed_for_twice_the_schedule(db, tmp_path, monkeypatch):
    copy = tmp_path / "stale.duckdb"
    shutil.copy(db, copy)
    with store.writer(copy) as w:
        w.con.execute("UPDATE runs SET started_at = started_at - INTERVAL 3 HOUR, finished_at = finished_at - INTERVAL 3 HOUR")
    at = app(copy, "overview")
    assert any("stale" in w.value and "30-minute schedule" in w.value for w in at.warning), texts(at)
    monkeypatch.setenv("NEWSMON_SCHEDULE_MINUTES", "240")
    at = app(copy, "overview")
    assert not at.warning and any("Up to date" in s.value for s in at.success)


def test_the_global_filters_apply(db):
    at = app(db, "overview")
    at.sidebar.multiselect(key="sources").set_value(["Gulf Wire Service"])
    at.sidebar.date_input(key="date_range").set_value((date(2021, 10, 1), date(2021, 10, 31)))
    rerun(at, db)
    expected = rows(
        db,
        "SELECT COUNT(*) FROM article_list WHERE source = 'Gulf Wire Service' AND day BETWEEN '2021-10-01' AND '2021-10-31'",
    )[0][0]
    assert 0 < metric(at, "Articles") == expected < rows(db, "SELECT COUNT(*) FROM articles")[0][0]
    assert metric(at, "Sources") == 1
    at.query_params["page"] = "outlets"
    at.sidebar.radio(key="page").set_value("outlets")
    rerun(at, db)
    assert frame(at, "subject_share")["source"].tolist() == ["Gulf Wire Service"]


def test_actors_page_trends_chosen_actors_daily_or_weekly_in_articles_or_mentions(db):
    at = app(db, "actors")
    assert "Taliban" in at.multiselect(key="actors").value
    weekly = frame(at, "period")
    taliban_articles = rows(db, "SELECT SUM(articles), SUM(mentions) FROM actor_daily WHERE actor = 'Taliban'")[0]
    assert weekly[weekly["actor"] == "Taliban"]["articles"].sum() == taliban_articles[0]
    at.radio(key="actor_period").set_value("daily")
    at.radio(key="actor_measure").set_value("mentions")
    at.multiselect(key="actors").set_value(["Taliban", "Qatar"])
    rerun(at, db)
    daily = frame(at, "period")
    assert set(daily["actor"]) == {"Taliban", "Qatar"}
    assert daily[daily["actor"] == "Taliban"]["mentions"].sum() == taliban_articles[1]
    assert at.get("vega_lite_chart")


def test_topics_page_shows_each_topics_share_of_relevant_coverage(db):
    at = app(db, "topics")
    share = frame(at, "share")
    assert {"talks", "humanitarian_aid", "womens_rights"} <= set(share["topic"])
    assert ((share["share"] > 0) & (share["share"] <= 1)).all()
    weekly_relevant = share.groupby("period")["relevant_articles"].first().sum()
    assert weekly_relevant == rows(db, "SELECT COUNT(*) FROM relevant_articles")[0][0]
    at.radio(key="topic_period").set_value("daily")
    rerun(at, db)
    assert at.get("vega_lite_chart")


def test_who_meets_whom_shows_meeting_events_their_network_and_the_sentences_that_report_them(db):
    at = app(db, "meetings")
    held = rows(db, "SELECT COUNT(*) FROM meeting_events WHERE held = 'held'")[0][0]
    assert held > 5
    events = frame(at, "who")  # the events shown: held kinds by default
    assert len(events) == held and set(events["kind"]) <= {"met", "talks", "call", "visit"}
    assert len(at.get("vega_lite_chart")) == 2  # the timeline and the network
    reports = frame(at, "sentence")  # the first event's evidence
    first = at.selectbox(key="meeting_event").value
    assert f"({len(reports)} articles)" in first and reports["url"].str.startswith("http").all()
    [(actor,)] = rows(db, """SELECT actor FROM meetings_daily WHERE held = 'held'
                             GROUP BY actor ORDER BY SUM(meetings) DESC, actor LIMIT 1""")
    at.multiselect(key="meeting_actors").set_value([actor])
    rerun(at, db)
    narrowed = frame(at, "who")
    assert 0 < len(narrowed) < held and all(actor in who.split(" + ") for who in narrowed["who"])
    at.multiselect(key="meeting_kinds").set_value(["planned", "refused"])
    rerun(at, db)
    planned = rows(db, "SELECT COUNT(*) FROM meeting_events WHERE held <> 'held' AND list_contains(participants, ?)",
                   [actor])[0][0]
    if planned:
        assert len(frame(at, "who")) == planned
    else:
        assert "No meeting matches" in texts(at)


def test_named_together_lists_the_articles_behind_a_pair(db):
    at = app(db, "pairs")
    first = at.selectbox(key="pair").value
    [(a, b, n)] = rows(db, "SELECT actor_a, actor_b, articles FROM actor_pairs ORDER BY articles DESC, actor_a, actor_b LIMIT 1")
    assert first == f"{a} + {b} ({n})"
    behind = frame(at, "title")
    assert len(behind) == n and behind["url"].str.startswith("http").all()
    other = at.selectbox(key="pair").options[3]
    at.selectbox(key="pair").set_value(other)
    rerun(at, db)
    assert len(frame(at, "title")) == int(other.rsplit("(", 1)[1].rstrip(")"))
    assert at.get("vega_lite_chart")


def test_outlets_page_shows_volume_and_subject_share_per_source(db):
    at = app(db, "outlets")
    volume = frame(at, "subject_share")
    assert len(volume) == 3 and volume["articles"].sum() == rows(db, "SELECT COUNT(*) FROM articles")[0][0]
    assert ((volume["subject_share"] > 0.5) & (volume["subject_share"] <= 1)).all()
    mix = frame(at, "topic")
    assert set(mix["source"]) == set(volume["source"])
    assert len(at.get("vega_lite_chart")) == 2


def test_quotes_page_searches_and_filters_by_speaker(db):
    at = app(db, "quotes")
    everything = frame(at, "quote")
    assert len(everything) == rows(db, "SELECT COUNT(*) FROM quote_list")[0][0] > 50
    at.multiselect(key="quote_speakers").set_value(["Zabihullah Mujahid"])
    rerun(at, db)
    said = frame(at, "quote")
    assert 0 < len(said) < len(everything) and set(said["speaker"]) == {"Zabihullah Mujahid"}
    # "health": in some of the sample's quotes ("Health facilities ...", "... essential health services
    # ..."), in no speaker's name or title; the page matches quote, speaker or title with ILIKE '%word%'
    word = "health"
    at.multiselect(key="quote_speakers").set_value([])
    at.text_input(key="quote_search").input(word)
    rerun(at, db)
    found = frame(at, "quote")
    assert 0 < len(found) < len(everything)
    assert found["quote"].str.lower().str.contains(word, regex=False).all()
    assert found["quote"].str.contains("Health").any() and found["quote"].str.contains("health").any()  # any case
    pattern = f"%{word}%"
    assert len(found) == rows(
        db, "SELECT COUNT(*) FROM quote_list WHERE quote ILIKE ? OR speaker ILIKE ? OR title ILIKE ?", [pattern] * 3
    )[0][0] == rows(db, "SELECT COUNT(*) FROM quote_list WHERE quote ILIKE ?", [pattern])[0][0]


def test_articles_page_searches_the_full_text_index_and_shows_an_article_with_its_actors_marked(db):
    at = app(db, "articles")
    assert len(frame(at, "title")) == rows(db, "SELECT COUNT(*) FROM articles")[0][0]
    at.text_input(key="article_search").input("talking")  # the index stems it: talk, talks, talked
    rerun(at, db)
    found = frame(at, "title")
    assert len(found) > 10 and found["score"].notna().all()
    assert rows(db, "SELECT COUNT(*) FROM articles WHERE title || text ILIKE '%talking%'")[0][0] < len(found)
    assert any("BM25" in c.value for c in at.caption)
    assert opened(at) == found.iloc[0]["article_id"]  # a new search opens its best
    at.multiselect(key="article_actors").set_value(["Qatar"])
    at.multiselect(key="article_topics").set_value(["talks"])
    at.toggle(key="article_relevant").set_value(True)
    rerun(at, db)
    narrowed = frame(at, "title")
    assert 0 < len(narrowed) < len(found)
    assert all("Qatar" in list(a) and "talks" in list(t) for a, t in zip(narrowed["actors"], narrowed["topics"]))
    [body] = [h.proto.body for h in at.get("html")]
    assert '<mark title="Qatar">' in body or '<mark title="Taliban">' in body
    assert any(b.proto.url.startswith("http://127.0.0.1") for b in at.get("link_button"))


def test_emerging_actors_page_lists_names_not_in_the_registry(db):
    at = app(db, "emerging")
    names = frame(at, "first_seen")
    registry = {r[0] for r in rows(db, "SELECT actor FROM actors")}
    assert len(names) > 5 and not set(names["name"]) & registry
    assert set(names["label"]) <= {"PERSON", "ORG"}
    at.radio(key="emerging_label").set_value("ORG")
    rerun(at, db)
    assert set(frame(at, "first_seen")["label"]) == {"ORG"}
    assert at.get("vega_lite_chart")


# actor profile ----------------------------------------------------------------------------------------
PROFILE_SECTIONS = ("Coverage", "Topics of its coverage", "Named with", "Meetings", "Quotes", "Recent articles",
                    "Spellings matched")


def test_the_profile_of_a_registered_actor_shows_every_section(db):
    at = app(db, "actor")
    at.selectbox(key="actor").set_value("Amir Khan Muttaqi")
    rerun(at, db)
    assert [h.value for h in at.subheader] == list(PROFILE_SECTIONS)
    assert "Registry actor (person)" in texts(at) and "Muttaqi" in texts(at)  # the kind and the aliases
    [(first, last, articles, stories)] = rows(
        db, """SELECT MIN(day), MAX(day), COUNT(DISTINCT article_id), COUNT(DISTINCT story_id) FROM actor_articles
               WHERE actor = 'Amir Khan Muttaqi'""")
    assert (metric(at, "Articles in range"), metric(at, "Stories in range")) == (articles, stories)
    assert [m.value for m in at.metric if m.label in ("First seen", "Last seen")] == [str(first), str(last)]
    weekly = at.get("vega_lite_chart")
    assert weekly
    topics = frame(at, "topic")
    assert topics["articles"].max() <= articles and len(topics) > 1
    named = frame(at, "registered")
    assert "Amir Khan Muttaqi" not in set(named["actor"]) and named["articles"].max() <= articles
    met = frame(at, "participants")
    assert len(met) and all("Amir Khan Muttaqi" in p for p in met["participants"])
    said = frame(at, "quote")  # quotes by him: the first quote table
    assert len(said) == rows(db, "SELECT COUNT(*) FROM quote_list WHERE actor = 'Amir Khan Muttaqi'")[0][0] > 0
    recent = frame(at, "title")
    assert len(recent) == min(100, articles) and recent["url"].str.startswith("http").all()
    spellings = frame(at, "spelling")
    assert {"Amir Khan Muttaqi", "Muttaqi"} <= set(spellings["spelling"])


def test_the_profile_of_a_name_outside_the_registry(db):
    [(name, articles)] = rows(db, """SELECT name, COUNT(DISTINCT article_id) FROM name_articles WHERE NOT registered
                                     AND label = 'PERSON' GROUP BY name ORDER BY 2 DESC, name LIMIT 1""")
    at = app(db, "actor")
    at.selectbox(key="actor").set_value(name)
    rerun(at, db)
    assert "Not in the actor registry" in texts(at)
    assert metric(at, "Articles in range") == articles
    assert [h.value for h in at.subheader] == list(PROFILE_SECTIONS)
    assert name in set(frame(at, "spelling")["spelling"])
    # a link may name anyone, even a name the picker does not offer for this range
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update({"page": "actor", "actor": name, "start": "2021-08-15", "end": "2021-08-16"})
    rerun(at, db)
    assert at.selectbox(key="actor").value == name


# alerts ---------------------------------------------------------------------------------------------------
def test_the_alerts_page_lists_each_alert_once_with_its_articles(db):
    """The sample run evaluated config/alerts.toml: its meetings and first co-mentions are alerts."""
    by_kind = dict(rows(db, "SELECT kind, COUNT(*) FROM alerts GROUP BY kind"))
    assert by_kind.get("comention") and by_kind.get("meeting"), by_kind
    at = app(db, "alerts")
    assert metric(at, "Alerts in range") == sum(by_kind.values())
    at.multiselect(key="alert_kinds").set_value(["meeting"])
    rerun(at, db)
    assert metric(at, "Alerts in range") == by_kind["meeting"]
    assert set(frame(at, "deliveries")["kind"]) == {"meeting"}
    [(first, ids)] = rows(db, """SELECT alert_id, article_ids FROM alerts WHERE kind = 'meeting'
                                 ORDER BY fired_at DESC, window_start DESC, rule, subject LIMIT 1""")
    assert at.selectbox(key="alert").value == first
    assert len(frame(at, "copy")) == len(ids)


def test_an_alert_about_an_actor_links_its_profile_and_a_pair_does_not(db, tmp_path):
    copy = tmp_path / "copy.duckdb"
    shutil.copy(db, copy)
    rules = tmp_path / "alerts.toml"
    rules.write_text("[[rule]]\nname = 'taliban'\nkind = 'spike'\nactor = 'Taliban'\nfactor = 1.0\nmin_stories = 1\n"
                     "[[rule]]\nname = 'pairs'\nkind = 'comention'\nactors = ['Taliban', 'Qatar', 'United States']\n")
    done = newsmon("alerts", "evaluate", "--db", str(copy), "--alerts", str(rules), "--start", WINDOW[0], "--end",
                   WINDOW[1])
    assert done.returncode == 0, done.stderr
    at = app(copy, "alerts")
    at.multiselect(key="alert_rules").set_value(["taliban", "pairs"])
    rerun(at, copy)
    shown = frame(at, "deliveries")
    assert set(shown.loc[shown["kind"] == "spike", "actor"]) == {"Taliban"}  # a click on it opens the profile
    assert shown.loc[shown["kind"] == "comention", "actor"].isna().all()  # a pair has no profile


# links that reopen the view ---------------------------------------------------------------------------
VIEWS = {  # page: the widgets to set (key: value or a function of the widget's options)
    "overview": {"sources": ["Gulf Wire Service"], "date_range": (date(2021, 10, 1), date(2021, 11, 30))},
    "actors": {"actors": ["Qatar", "Taliban"], "actor_period": "daily", "actor_measure": "stories"},
    "actor": {"actor": "Zabihullah Mujahid", "profile_period": "daily"},
    "topics": {"topic_period": "daily", "topics": ["talks", "womens_rights"]},
    "meetings": {"meeting_kinds": ["met", "planned"], "meeting_actors": lambda options: options[:1]},
    "pairs": {"pair_size": 8, "pair": lambda options: options[2]},
    "outlets": {"sources": ["Gulf Wire Service", "Kabul Daily Monitor"]},
    "quotes": {"quote_search": "aid", "quote_speakers": lambda options: options[:1]},
    "articles": {"article_search": "Doha talks", "article_topics": ["talks"], "article_relevant": True,
                 "article": lambda options: options[1]},
    "emerging": {"emerging_label": "ORG"},
    "alerts": {"alert_kinds": ["comention"], "alert": lambda options: options[-1]},
}


def widget(at: AppTest, key: str):
    for kind in ("multiselect", "radio", "selectbox", "text_input", "toggle", "slider", "date_input"):
        try:
            return getattr(at, kind)(key=key)
        except KeyError:
            continue
    raise AssertionError(f"no widget {key}")


@pytest.mark.parametrize("page", list(VIEWS))
def test_a_link_copied_from_a_page_with_filters_set_reopens_the_same_view(db, page):
    at = app(db, page)
    for key, value in VIEWS[page].items():
        w = widget(at, key)
        value = value(w.options) if callable(value) else value
        w.input(value) if key.endswith("_search") else w.set_value(value)
        rerun(at, db)
    link = dict(at.query_params)
    assert link.get("page", "overview") == page and len(link) > (page != "overview")
    shown = {key: widget(at, key).value for key in VIEWS[page]}
    [code] = [c.value for c in at.sidebar.code]
    assert code.startswith("?") and all(k in code for k in link)  # the link shown, to copy
    fresh = AppTest.from_file(str(APP), default_timeout=60)  # another browser: nothing but the link
    fresh.query_params.update(link)
    rerun(fresh, db)
    assert {key: widget(fresh, key).value for key in VIEWS[page]} == shown
    assert dict(fresh.query_params) == link  # nothing lost or added on the way
    if page != "overview":
        assert [t.value for t in fresh.subheader] == [t.value for t in at.subheader]


def test_the_default_view_keeps_a_bare_link_and_an_unknown_page_opens_the_overview(db):
    at = app(db, "overview")
    assert dict(at.query_params) == {}
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update({"page": "nonsense", "start": "not a day", "actors": "Nobody"})
    rerun(at, db)
    assert at.header[0].value == "Overview" and dict(at.query_params) == {}


# safety -----------------------------------------------------------------------------------------------
def add_hostile_article(db: Path) -> str:
    """An article whose title and text carry HTML and markdown, stored as a run would store it."""
    url = "http://127.0.0.1:1/hostile.html"
    start = HOSTILE_TEXT.index("Taliban")
    article = Article(
        article_id="f" * 20, url=url, fetched_url=url, source="Gulf Wire Service", feed_url=None,
        title=HOSTILE_TITLE, author="<b>Mallory</b>", published_at=datetime(2021, 10, 20, 9, 0), date_origin="page",
        fetched_at=datetime(2021, 10, 20, 10, 0), language="en", sitename=None, text=HOSTILE_TEXT,
        extraction="trafilatura", raw_html=compress_html(b"<html></html>"), text_sketch=dedup.sketch(HOSTILE_TEXT),
    )  # fmt: skip
    enrichment = Enrichment(
        article_id=article.article_id,
        mentions=(
            Mention("Taliban", "ORG", "Taliban", start, start + 7),
            Mention("Qatar", "GPE", "Qatar", 0, 0),  # an empty span: never marked
            Mention("Zebulon", "ORG", None, HOSTILE_TEXT.index("Zebulon"), HOSTILE_TEXT.index("Zebulon") + 7),
        ),
        topics=(TopicScore("talks", 0.9),),
        quotes=(Quote("<i>Officials</i>", None, "talks will go on <script>x()</script>"),),
        relevance=0.95,
    )
    with store.writer(db) as w, w.transaction():
        run = w.start_run("ingest")
        w.write_articles(run, [article], {article.article_id: enrichment}, duplicate_threshold=0.8)
    return article.article_id


def unsafe_bodies(at: AppTest) -> list[str]:
    """What reaches the page as HTML: st.html bodies and markdown that allows HTML."""
    bodies = [h.proto.body for h in at.get("html")]
    for kind in ("markdown", "caption", "info", "warning", "success"):
        bodies += [e.proto.body for e in getattr(at, kind) if getattr(e.proto, "allow_html", False)]
    return bodies


def test_titles_and_texts_from_articles_never_reach_the_page_as_markup(db, tmp_path):
    copy = tmp_path / "hostile.duckdb"
    shutil.copy(db, copy)
    article_id = add_hostile_article(copy)  # stored after the index was built: found by the ILIKE fallback
    at = app(copy, "articles")
    at.text_input(key="article_search").input("Zebulon")
    rerun(at, copy)
    found = frame(at, "title")
    assert found["title"].tolist() == [HOSTILE_TITLE]  # the literal text, as a table cell
    assert opened(at) == article_id
    [body] = [h.proto.body for h in at.get("html")]
    assert "&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in body
    assert "&lt;script&gt;document.location" in body and "&lt;b&gt;Mallory&lt;/b&gt;" in body
    assert '<mark title="Taliban">Taliban</mark>' in body
    assert "*nothing* [more](javascript:alert(3))" in body
    for page in ("articles", "pairs", "quotes", "overview", "actors"):
        at = at if page == "articles" else app(copy, page)
        for html in unsafe_bodies(at):
            assert "<script" not in html and "<img" not in html and "<b>" not in html and "<i>" not in html, page
    quotes = app(copy, "quotes")
    quotes.text_input(key="quote_search").input("Zebulon")
    rerun(quotes, copy)
    assert frame(quotes, "quote")["title"].tolist() == [HOSTILE_TITLE]


# first start ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["missing", "empty", "not_newsmon"])
def test_a_first_start_without_data_says_what_to_do(tmp_path, kind):
    db = tmp_path / "fresh.duckdb"
    if kind == "empty":
        store.prepare(db)
    elif kind == "not_newsmon":
        import duckdb

        duckdb.connect(str(db)).close()
    at = app(db, "overview")
    shown = texts(at)
    assert "make demo" in shown and "newsmon run" in shown
    assert not at.warning and not at.error
    assert kind != "missing" or not db.exists()  # the dashboard creates nothing


def test_newsmon_dashboard_refuses_a_bad_port_in_one_line(tmp_path):
    import socket

    result = newsmon("dashboard", "--port", "70000", "--db", str(tmp_path / "n.duckdb"))
    assert result.returncode == 2 and "--port must be between 1 and 65535" in result.stderr
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result = newsmon("dashboard", "--port", str(busy.getsockname()[1]), "--db", str(tmp_path / "n.duckdb"))
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "cannot serve the dashboard" in result.stderr


# --- `newsmon actors suggest` on the same (demo) database ------------------------------------------------
def test_actors_suggest_prints_reviewable_blocks_for_frequent_unregistered_names(db, tmp_path):
    import tomllib

    from pipeline.domain import KINDS, load_actors

    result = newsmon("actors", "suggest", "--db", str(db), "--min-articles", "3", "--limit", "10")
    assert result.returncode == 0, result.stderr
    blocks = tomllib.loads(result.stdout)["actor"]
    assert 1 <= len(blocks) <= 10
    registry = {r[0] for r in rows(db, "SELECT actor FROM actors")}
    for block in blocks:
        assert block["name"] not in registry and block["kind"] in KINDS and block["name"] in block["aliases"]
        stories = rows(
            db,
            "SELECT COUNT(DISTINCT r.story_id) FROM mentions m JOIN relevant_articles r USING (article_id) "
            "WHERE m.actor IS NULL AND m.label IN ('PERSON', 'ORG') AND COALESCE(m.name, m.surface) = ?",
            [block["name"]],
        )[0][0]
        assert stories >= 3
        assert f"# {block['name']}: {stories} stories" in result.stdout  # the count is the direct count
    assert sum(line.startswith("#   ") for line in result.stdout.splitlines()) >= len(blocks)  # sentences
    # ready to paste: the registry with every block added still loads (no alias owned twice)
    registry_file = tmp_path / "actors.toml"
    registry_file.write_text((ROOT / "config" / "actors.toml").read_text(encoding="utf-8") + "\n" + result.stdout)
    assert {b["name"] for b in blocks} <= {a.name for a in load_actors(registry_file)}
    # --since narrows to later articles
    later = newsmon("actors", "suggest", "--db", str(db), "--since", "2021-12-01", "--min-articles", "1")
    assert later.returncode == 0, later.stderr
    for block in tomllib.loads(later.stdout).get("actor", []):
        first = rows(
            db,
            "SELECT MIN(r.day) FROM mentions m JOIN relevant_articles r USING (article_id) "
            "WHERE m.actor IS NULL AND COALESCE(m.name, m.surface) = ? AND r.day >= DATE '2021-12-01'",
            [block["name"]],
        )[0][0]
        assert first is not None
    for bad, needle in ((["--since", "2021-13-01"], "--since"), (["--min-articles", "0"], "at least 1")):
        refused = newsmon("actors", "suggest", "--db", str(db), *bad)
        assert refused.returncode == 2 and refused.stderr.count("\n") == 1 and needle in refused.stderr
