"""Stories counted once over a range: a wire story reprinted by other outlets on later days is one story in
the table macros, the dashboard's tables and the actor profile, however the range is cut (a served site,
`newsmon run`, and the dashboard through AppTest)."""

from __future__ import annotations

from datetime import date

import pytest
from httpserver import LocalHTTPServer
from pipeline_helpers import serve_outlets
from test_cli import newsmon
from test_dashboard import app, frame, metric, rerun

from pipeline import store

pytestmark = pytest.mark.e2e

STORIES = {
    "talks": "KABUL - Acting foreign minister Amir Khan Muttaqi met Qatar's envoy in Kabul to discuss the Doha "
             "process, humanitarian aid and the reopening of girls' schools, the Taliban government said.",
    "aid": "ISLAMABAD - Pakistan and the Taliban administration agreed to reopen the Torkham crossing for aid convoys "
           "after talks between Amir Khan Muttaqi and Pakistani officials on refugees and transit trade.",
    "bank": "DOHA - The United Nations urged the Taliban to let women work for aid agencies, as Amir Khan Muttaqi "
            "told envoys that the frozen central bank reserves should be returned to Afghanistan.",
}
FILLER = {
    name: f" Report {name}: " + " ".join(f"{name}{i} detail of the {name} story number {i}." for i in range(40))
    for name in STORIES
}
# (outlet, story, day): "talks" runs in three outlets on three days, "aid" in two outlets on one day
POSTS = [("alpha", "talks", 1), ("beta", "talks", 2), ("gamma", "talks", 3), ("alpha", "bank", 3),
         ("beta", "aid", 2), ("alpha", "aid", 2)]


def page(title: str, story: str) -> bytes:
    return (f"<html lang='en'><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            f"<p>{STORIES[story]}</p><p>{FILLER[story]}</p></article></body></html>").encode()


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("stories")
    with LocalHTTPServer() as s:
        titles = [f"{story.title()} story, as {outlet} ran it" for outlet, story, _day in POSTS]
        published = [(outlet, title, page(title, story), f"0{day} Mar 2023 0{n}:00:00 +0000")
                     for n, ((outlet, story, day), title) in enumerate(zip(POSTS, titles))]
        sources = serve_outlets(s, published, tmp)
        db = tmp / "n.duckdb"
        run = newsmon("run", "--db", str(db), "--sources", str(sources))
        assert run.returncode == 0, run.stderr[-2000:]
    return db


def direct(db, actor: str, start: date, end: date) -> tuple[int, int]:
    """Articles and stories naming `actor` in the range, counted from the base tables."""
    with store.reader(db) as con:
        return con.execute(
            """SELECT COUNT(DISTINCT r.article_id), COUNT(DISTINCT r.story_id)
               FROM mentions AS m JOIN relevant_articles AS r USING (article_id)
               WHERE m.actor = ? AND r.day BETWEEN ? AND ?""",
            [actor, start, end],
        ).fetchone()


def test_the_copies_are_found_and_summing_days_would_count_them_again(db):
    with store.reader(db) as con:
        copies = con.execute("""SELECT c.source <> o.source, c.day - o.day FROM relevant_articles AS c
                                JOIN relevant_articles AS o ON c.duplicate_of = o.article_id ORDER BY ALL""").fetchall()
        summed = con.execute("SELECT SUM(stories) FROM actor_daily WHERE actor = 'Amir Khan Muttaqi'").fetchone()[0]
    assert copies == [(True, 0), (True, 1), (True, 2)]  # another outlet the same day, the next day, two days on
    assert direct(db, "Amir Khan Muttaqi", date(2023, 3, 1), date(2023, 3, 3)) == (6, 3)
    assert summed == 5  # what adding up the per-day stories gives: the wrong figure the macros replace


@pytest.mark.parametrize("start, end", [(date(2023, 3, 1), date(2023, 3, 3)), (date(2023, 3, 2), date(2023, 3, 3)),
                                        (date(2023, 3, 1), date(2023, 3, 1))])
def test_actor_totals_and_the_dashboard_count_each_story_once(db, start, end):
    articles, stories = direct(db, "Amir Khan Muttaqi", start, end)
    with store.reader(db) as con:
        got = con.execute("SELECT articles, stories FROM actor_totals(?, ?) WHERE actor = 'Amir Khan Muttaqi'",
                          [start, end]).fetchone()
    assert got == (articles, stories)
    at = app(db, "actors")
    at.sidebar.date_input(key="date_range").set_value((start, end))
    rerun(at, db)
    shown = frame(at, "stories").set_index("actor").loc["Amir Khan Muttaqi"]
    assert (shown["articles"], shown["stories"]) == (articles, stories)
    at = app(db, "actor")
    at.sidebar.date_input(key="date_range").set_value((start, end))
    at.selectbox(key="actor").set_value("Amir Khan Muttaqi")
    rerun(at, db)
    assert (metric(at, "Articles in range"), metric(at, "Stories in range")) == (articles, stories)


def test_topic_totals_count_each_story_once(db):
    with store.reader(db) as con:
        got = dict(con.execute("SELECT topic, stories FROM topic_totals(DATE '2023-03-01', DATE '2023-03-03')").fetchall())
        want = dict(con.execute(
            """SELECT t.topic, COUNT(DISTINCT r.story_id) FROM article_topics AS t
               JOIN relevant_articles AS r USING (article_id) GROUP BY t.topic""").fetchall())
    assert got == want and got
