"""The dashboard's pages. Each selects from the SQL views with the global filters as bound parameters;
Python only pivots for charts. `page(db, filters, state)` draws one page."""

from __future__ import annotations

import os
import re

import altair as alt
import pandas as pd
import streamlit as st

from dashboards import state as ui
from dashboards.data import DatabaseState, Filters, query
from dashboards.render import LINK, article_html, safe_url, table

# chart periods and measures come from these fixed lists, never from user text
PERIODS = {"weekly": "CAST(date_trunc('week', day) AS DATE)", "daily": "day"}
ACTOR_MEASURES = {
    "articles": "articles naming the actor",
    "mentions": "mentions of the actor",
    "stories": "stories (syndicated copies once)",
}
DEFAULT_SCHEDULE_MINUTES = 30


def schedule_minutes() -> float:
    """The ingest schedule the staleness warning assumes: $NEWSMON_SCHEDULE_MINUTES, else 30."""
    try:
        value = float(os.environ.get("NEWSMON_SCHEDULE_MINUTES", DEFAULT_SCHEDULE_MINUTES))
    except ValueError:
        return DEFAULT_SCHEDULE_MINUTES
    return value if value > 0 else DEFAULT_SCHEDULE_MINUTES


def _chart(chart: alt.Chart, height: int = 380, **kwargs):
    return st.altair_chart(chart, width="stretch", height=height, **kwargs)


def _clickable(chart: alt.Chart, field: str, key: str, height: int = 380) -> None:
    """A chart whose marks open the profile of the name in `field` when clicked."""
    pick = alt.selection_point(name="pick", fields=[field], on="click")
    if isinstance(chart, alt.LayerChart):
        chart.layer = [layer.add_params(pick) if i == len(chart.layer) - 2 else layer for i, layer in enumerate(chart.layer)]
    else:
        chart = chart.add_params(pick)
    event = _chart(chart, height=height, on_select="rerun", key=key)
    points = (event or {}).get("selection", {}).get("pick") or []
    name = points[0].get(field) if points and isinstance(points[0], dict) else None
    if isinstance(name, str) and name:
        ui.goto("actor", actor=name)


def _top_actors(db: str, f: Filters, limit: int) -> pd.DataFrame:
    """The `limit` actors named in the most relevant articles of the range, with their stories: each story once
    over the whole range, as actor_totals counts them (summing the per-day stories would count a copy in
    another outlet or on another day again). The ranking comes from the daily rollup; the stories are counted
    for the ranked actors only."""
    return query(
        db,
        f"""WITH ranked AS (
                SELECT actor, CAST(SUM(articles) AS BIGINT) AS articles, CAST(SUM(mentions) AS BIGINT) AS mentions
                FROM actor_source_daily WHERE {f.where}
                GROUP BY actor ORDER BY articles DESC, mentions DESC, actor LIMIT ?
            ),
            counted AS (
                SELECT actor, COUNT(DISTINCT story_id) AS stories FROM actor_articles
                WHERE {f.where} AND actor IN (SELECT actor FROM ranked) GROUP BY actor
            )
            SELECT r.actor, r.articles, r.mentions, c.stories FROM ranked AS r JOIN counted AS c USING (actor)
            ORDER BY r.articles DESC, r.mentions DESC, r.actor""",
        (*f.params, limit, *f.params),
    )


def _actor_names(db: str, f: Filters, limit: int) -> list[str]:
    """The names of the `limit` actors named in the most relevant articles of the range (for pickers)."""
    return query(
        db,
        f"""SELECT actor FROM actor_source_daily WHERE {f.where}
            GROUP BY actor ORDER BY SUM(articles) DESC, SUM(mentions) DESC, actor LIMIT ?""",
        (*f.params, limit),
    )["actor"].tolist()


# Overview ---------------------------------------------------------------------------------------------
def overview(db: str, f: Filters, state: DatabaseState) -> None:
    st.header("Overview")
    totals = query(
        db,
        f"""SELECT
              (SELECT COALESCE(SUM(articles), 0) FROM source_daily WHERE {f.where}) AS articles,
              (SELECT COALESCE(SUM(relevant_articles), 0) FROM source_daily WHERE {f.where}) AS relevant,
              (SELECT COUNT(DISTINCT source) FROM source_daily WHERE {f.where}) AS sources,
              (SELECT COUNT(DISTINCT actor) FROM actor_source_daily WHERE {f.where}) AS actors,
              (SELECT COUNT(DISTINCT topic) FROM topic_source_daily WHERE {f.where}) AS topics""",
        f.params * 5,
    ).iloc[0]
    cols = st.columns(5)
    cols[0].metric("Articles", int(totals["articles"]))
    cols[1].metric("Relevant articles", int(totals["relevant"]))
    cols[2].metric("Sources", int(totals["sources"]))
    cols[3].metric("Actors", int(totals["actors"]))
    cols[4].metric("Topics", int(totals["topics"]))

    runs = query(db, "SELECT * FROM run_status ORDER BY last_started_at DESC")
    _freshness(runs)

    weekly = query(
        db,
        f"""SELECT CAST(date_trunc('week', day) AS DATE) AS week, source, SUM(relevant_articles) AS relevant_articles
            FROM source_daily WHERE {f.where} GROUP BY ALL ORDER BY week, source""",
        f.params,
    )
    st.subheader("Relevant articles per week")
    _chart(
        alt.Chart(weekly)
        .mark_bar()
        .encode(
            x=alt.X("yearmonthdate(week):O", title="week of", axis=alt.Axis(format="%d %b %Y", labelAngle=-45)),
            y=alt.Y("relevant_articles:Q", title="relevant articles"),
            color=alt.Color("source:N"),
            tooltip=["week:T", "source:N", "relevant_articles:Q"],
        )
    )
    left, right = st.columns(2)
    with left:
        st.subheader("Most covered actors")
        table(_top_actors(db, f, 10), "top_actors", profiles=("actor",))
    with right:
        st.subheader("Most covered topics")
        topics = query(
            db,
            f"""SELECT topic, SUM(articles) AS articles FROM topic_source_daily WHERE {f.where}
                GROUP BY topic ORDER BY articles DESC, topic""",
            f.params,
        )
        table(topics, "top_topics")
    st.subheader("Runs")
    table(runs, "runs")
    if not state.search_index:
        st.caption("No full-text index yet: article search matches words with ILIKE until a run builds it.")


def _freshness(runs: pd.DataFrame) -> None:
    """Last run and status, and a warning when the scheduled ingest has not completed for twice its schedule."""
    limit = 2 * schedule_minutes()
    if runs.empty:
        st.warning("No run is recorded in this database: start `newsmon serve` (or `newsmon run`).")
        return
    last = runs.iloc[0]
    finished = last["last_finished_at"]
    st.markdown(
        f"**Last run:** `{last['flow']}` started {last['last_started_at']:%Y-%m-%d %H:%M} UTC, "
        f"status **{last['last_status']}**"
        + ("" if pd.isna(finished) else f", finished {finished:%H:%M} UTC")
    )
    ingest = runs[runs["flow"] == "ingest"]
    since = None if ingest.empty else ingest.iloc[0]["minutes_since_success"]
    if since is None or pd.isna(since):
        st.warning(
            f"Data may be stale: the scheduled ingest has never completed (expected every {schedule_minutes():g} "
            "minutes). Check `newsmon serve` and the runs table below."
        )
    elif since > limit:
        st.warning(
            f"Data is stale: the last successful ingest finished {_minutes(since)} ago, more than twice the "
            f"{schedule_minutes():g}-minute schedule. Check `newsmon serve` and the runs table below."
        )
    else:
        st.success(f"Up to date: the last successful ingest finished {_minutes(since)} ago.")


def _minutes(n: float) -> str:
    n = int(n)
    return "less than a minute" if n < 1 else f"{n} minute{'s' if n != 1 else ''}"


# Actors -----------------------------------------------------------------------------------------------
def actors(db: str, f: Filters, state: DatabaseState) -> None:
    st.header("Actors")
    ranked = _top_actors(db, f, 1000)
    if ranked.empty:
        st.info("No actor is named in the relevant articles of this range and these sources.")
        return
    names = ranked["actor"].tolist()
    chosen = ui.multiselect(st, "Actors", names, key="actors", default=names[:5])
    c1, c2 = st.columns(2)
    period = ui.choice(c1.radio, "Period", list(PERIODS), horizontal=True, key="actor_period")
    measure = ui.choice(
        c2.radio, "Count", list(ACTOR_MEASURES), format_func=ACTOR_MEASURES.get, horizontal=True, key="actor_measure"
    )
    if chosen:
        # stories per period: each story once in its period (a copy on another day of the week counts once)
        counted = {"articles": "COUNT(*)", "mentions": "CAST(SUM(mentions) AS BIGINT)",
                   "stories": "COUNT(DISTINCT story_id)"}[measure]
        trend = query(
            db,
            f"""SELECT {PERIODS[period]} AS period, actor, {counted} AS {measure}
                FROM actor_articles WHERE {f.where} AND list_contains(?, actor)
                GROUP BY ALL ORDER BY period, actor""",
            (*f.params, tuple(chosen)),
        )
        _clickable(
            alt.Chart(trend)
            .mark_line(point=True)
            .encode(
                x=alt.X("period:T", title=period.replace("ly", "").replace("dai", "day")),
                y=alt.Y(f"{measure}:Q", title=ACTOR_MEASURES[measure]),
                color=alt.Color("actor:N"),
                tooltip=["period:T", "actor:N", f"{measure}:Q"],
            ),
            "actor", "actor_trend_chart",
        )
        table(trend, f"actor_trend_{period}_{measure}", profiles=("actor",))
    else:
        st.info("Choose one or more actors.")
    st.subheader("All actors in range")
    table(ranked, "actors", profiles=("actor",))


# Actor profile -----------------------------------------------------------------------------------------
PROFILE_NAMES = 300  # unregistered names offered in the picker (a link may open any other)
QUOTED_ARTICLES = 1000  # the latest articles naming a name whose quotes naming it are shown
NAMED_ARTICLES = 5000  # the latest articles naming an unregistered name whose other names are counted


def profile(db: str, f: Filters, state: DatabaseState) -> None:
    """What newsmon knows about one name, registered or not: coverage by week and outlet, topics, meetings,
    who it is named with, its quotes and the quotes naming it, recent articles, spellings, first and last seen."""
    st.header("Actor profile")
    registered = _actor_names(db, f, 2000)
    others = query(
        db,
        f"""SELECT ANY_VALUE(name) AS name, SUM(articles) AS articles FROM unregistered_daily WHERE {f.where}
            GROUP BY name_id ORDER BY articles DESC, name LIMIT ?""",
        (*f.params, PROFILE_NAMES),
    )["name"].tolist()
    options = registered + [n for n in others if n not in set(registered)]
    wanted = st.session_state.get("actor")
    if isinstance(wanted, str) and wanted and wanted not in options:
        options.insert(0, wanted)  # a link or a click may name anyone
    if not options:
        st.info("No name in the relevant articles of this range and these sources.")
        return
    name = ui.choice(st.selectbox, "Actor or name", options, key="actor")
    who = query(db, "SELECT actor, kind, aliases FROM actors WHERE actor = ?", (name,))
    seen = query(
        db,
        """SELECT MIN(day) AS first_seen, MAX(day) AS last_seen, COUNT(DISTINCT article_id) AS articles,
                  COUNT(DISTINCT story_id) AS stories, CAST(SUM(mentions) AS BIGINT) AS mentions,
                  string_agg(DISTINCT label, ', ') AS labels
           FROM name_articles WHERE name = ?""",
        (name,),
    ).iloc[0]
    if who.empty:
        st.caption(f"Not in the actor registry (named as {seen['labels'] or 'a name'}): add it to config/actors.toml "
                   "(`newsmon actors suggest` prints a block).")
    else:
        st.caption(f"Registry actor ({who.iloc[0]['kind']}); aliases: " + ", ".join(who.iloc[0]["aliases"]))
    if pd.isna(seen["first_seen"]):
        st.info(f"No relevant article names {name}.")
        return
    in_range = query(
        db,
        f"""SELECT COUNT(DISTINCT article_id) AS articles, COUNT(DISTINCT story_id) AS stories,
                   CAST(COALESCE(SUM(mentions), 0) AS BIGINT) AS mentions
            FROM name_articles WHERE name = ? AND {f.where}""",
        (name, *f.params),
    ).iloc[0]
    cols = st.columns(5)
    cols[0].metric("Articles in range", int(in_range["articles"]))
    cols[1].metric("Stories in range", int(in_range["stories"]), help="an original with its syndicated copies, once")
    cols[2].metric("Mentions in range", int(in_range["mentions"]))
    cols[3].metric("First seen", f"{pd.Timestamp(seen['first_seen']):%Y-%m-%d}")
    cols[4].metric("Last seen", f"{pd.Timestamp(seen['last_seen']):%Y-%m-%d}")
    if not int(in_range["articles"]):
        st.info(f"No relevant article of this range and these sources names {name}.")
        return

    period = ui.choice(st.radio, "Period", list(PERIODS), horizontal=True, key="profile_period")
    weekly = query(
        db,
        f"""SELECT {PERIODS[period]} AS period, source, COUNT(DISTINCT article_id) AS articles
            FROM name_articles WHERE name = ? AND {f.where} GROUP BY ALL ORDER BY period, source""",
        (name, *f.params),
    )
    stories = query(
        db,
        f"""SELECT {PERIODS[period]} AS period, COUNT(DISTINCT story_id) AS stories
            FROM name_articles WHERE name = ? AND {f.where} GROUP BY ALL ORDER BY period""",
        (name, *f.params),
    )
    st.subheader("Coverage")
    x = alt.X("yearmonthdate(period):O", title=period.replace("ly", "").replace("dai", "day") + " of",
              axis=alt.Axis(format="%d %b %Y", labelAngle=-45))
    bars = alt.Chart(weekly).mark_bar().encode(
        x=x, y=alt.Y("articles:Q", title="articles (bars, by outlet) and stories (line)"), color=alt.Color("source:N"),
        tooltip=["period:T", "source:N", "articles:Q"],
    )
    line = alt.Chart(stories).mark_line(point=True, color="black").encode(x=x, y="stories:Q",
                                                                         tooltip=["period:T", "stories:Q"])
    _chart(alt.layer(bars, line))

    left, right = st.columns(2)
    with left:
        st.subheader("Topics of its coverage")
        mix = query(
            db,
            f"""WITH mine AS (SELECT DISTINCT article_id FROM name_articles WHERE name = ? AND {f.where})
                SELECT t.topic, COUNT(*) AS articles, COUNT(DISTINCT t.story_id) AS stories
                FROM topic_articles AS t SEMI JOIN mine USING (article_id)
                WHERE t.{f.where.replace("list_contains(?, source)", "list_contains(?, t.source)")}
                GROUP BY t.topic ORDER BY articles DESC, t.topic""",
            (name, *f.params, *f.params),
        )
        table(mix, "profile_topics")
    with right:
        st.subheader("Named with")
        if not who.empty:  # a registry actor: the pairs' rollups count it (the top 50, their stories over the range)
            named_with = query(
                db,
                f"""WITH ranked AS (
                        SELECT CASE WHEN actor_a = ? THEN actor_b ELSE actor_a END AS actor,
                               CAST(SUM(articles) AS BIGINT) AS articles
                        FROM pair_source_daily WHERE {f.where} AND (actor_a = ? OR actor_b = ?)
                        GROUP BY 1 ORDER BY articles DESC, actor LIMIT 50
                    ),
                    counted AS (
                        SELECT CASE WHEN actor_a = ? THEN actor_b ELSE actor_a END AS actor,
                               COUNT(DISTINCT story_id) AS stories
                        FROM pair_articles WHERE {f.where} AND (actor_a = ? OR actor_b = ?) GROUP BY 1
                    )
                    SELECT r.actor, TRUE AS registered, r.articles, c.stories
                    FROM ranked AS r JOIN counted AS c USING (actor) ORDER BY r.articles DESC, r.actor""",
                (name, *f.params, name, name, name, *f.params, name, name),
            )
        else:  # a name outside the registry: every name its latest articles give
            st.caption(f"In the {NAMED_ARTICLES:,} latest articles of the range that name {name}.")
            named_with = query(
                db,
                f"""WITH mine AS (
                        SELECT article_id FROM name_articles WHERE name = ? AND {f.where}
                        GROUP BY article_id ORDER BY MAX(day) DESC, article_id LIMIT {NAMED_ARTICLES}
                    )
                    SELECT o.name AS actor, o.registered, COUNT(DISTINCT o.article_id) AS articles,
                           COUNT(DISTINCT o.story_id) AS stories
                    FROM name_articles AS o SEMI JOIN mine USING (article_id)
                    WHERE o.name <> ? AND o.day BETWEEN ? AND ?
                    GROUP BY o.name, o.registered ORDER BY articles DESC, actor LIMIT 50""",
                (name, *f.params, name, f.start, f.end),
            )
        table(named_with, "profile_named_with", profiles=("actor",))

    st.subheader("Meetings")
    met = query(
        db,
        f"""SELECT day, kind, participants, place, articles, outlets, sentence FROM meeting_events
            WHERE {EVENT_WHERE} AND list_contains(participants, ?) ORDER BY day DESC, articles DESC LIMIT 500""",
        (*f.params, name),
    )
    if met.empty:
        st.caption(f"No meeting with {name} is reported in this range.")
    else:
        counterparts = (met.assign(other=met["participants"].map(lambda ps: [p for p in ps if p != name]))
                        .explode("other").groupby("other", as_index=False).agg(meetings=("day", "count"))
                        .sort_values(["meetings", "other"], ascending=[False, True]).rename(columns={"other": "actor"}))
        a, b = st.columns([2, 3])
        with a:
            table(counterparts, "profile_met", profiles=("actor",))
        with b:
            table(met.assign(participants=met["participants"].map(" + ".join)), "profile_meetings")

    st.subheader("Quotes")
    said, about = st.columns(2)
    with said:
        st.caption(f"Said by {name}")
        table(query(
            db,
            f"""SELECT day, source, quote, url FROM quote_list WHERE {f.where} AND (actor = ? OR speaker = ?)
                ORDER BY day DESC, source, position LIMIT 200""",
            (*f.params, name, name),
        ), "profile_quotes_by", {"url": LINK, "quote": st.column_config.TextColumn(width="large")})
    with about:
        st.caption(f"Naming {name} (said by others; in the {QUOTED_ARTICLES:,} latest articles that name it)")
        spellings = [name, *(who.iloc[0]["aliases"] if not who.empty else [])]
        naming = r"(?i)(^|\W)(" + "|".join(re.escape(s) for s in sorted(set(spellings), key=len, reverse=True)) + r")($|\W)"
        table(query(
            db,
            f"""WITH mine AS (
                    SELECT article_id FROM name_articles WHERE name = ? AND {f.where}
                    GROUP BY article_id ORDER BY MAX(day) DESC, article_id LIMIT {QUOTED_ARTICLES}
                )
                SELECT q.day, q.source, q.speaker, q.quote, q.url FROM quote_list AS q SEMI JOIN mine USING (article_id)
                WHERE q.speaker <> ? AND COALESCE(q.actor, '') <> ? AND regexp_matches(q.quote, ?)
                ORDER BY q.day DESC, q.source LIMIT 200""",
            (name, *f.params, name, name, naming),
        ), "profile_quotes_about", {"url": LINK, "quote": st.column_config.TextColumn(width="large")},
            profiles=("speaker",))

    st.subheader("Recent articles")
    table(query(
        db,
        f"""WITH mine AS (
                SELECT article_id, ANY_VALUE(mentions) AS mentions FROM name_articles WHERE name = ? AND {f.where}
                GROUP BY article_id
            )
            SELECT l.day, l.source, l.title, m.mentions, l.duplicate_of IS NOT NULL AS copy, l.url
            FROM article_list AS l JOIN mine AS m USING (article_id)
            ORDER BY l.day DESC, l.source LIMIT 100""",
        (name, *f.params),
    ), "profile_articles", {"url": LINK, "title": st.column_config.TextColumn(width="large")})

    st.subheader("Spellings matched")
    table(query(
        db,
        f"""SELECT spelling, CAST(SUM(mentions) AS BIGINT) AS mentions, COUNT(DISTINCT article_id) AS articles
            FROM name_spellings WHERE name = ? AND registered = ? AND {f.where}
            GROUP BY spelling ORDER BY mentions DESC, spelling LIMIT 100""",
        (name, not who.empty, *f.params),
    ), "profile_spellings")


# Topics -----------------------------------------------------------------------------------------------
def topics(db: str, f: Filters, state: DatabaseState) -> None:
    st.header("Topics")
    st.caption("Each topic's share of the relevant articles of the period (an article can have several topics).")
    period = ui.choice(st.radio, "Period", list(PERIODS), horizontal=True, key="topic_period")
    share = query(
        db,
        f"""WITH relevant AS (
                SELECT {PERIODS[period]} AS period, SUM(relevant_articles) AS relevant_articles
                FROM source_daily WHERE {f.where} GROUP BY ALL
            ),
            topical AS (
                SELECT {PERIODS[period]} AS period, topic, SUM(articles) AS articles
                FROM topic_source_daily WHERE {f.where} GROUP BY ALL
            )
            SELECT t.period, t.topic, t.articles, r.relevant_articles,
                   t.articles / NULLIF(r.relevant_articles, 0) AS share
            FROM topical AS t JOIN relevant AS r USING (period)
            ORDER BY t.period, t.topic""",
        f.params * 2,
    )
    if share.empty:
        st.info("No topic in the relevant articles of this range and these sources.")
        return
    all_topics = sorted(share["topic"].unique())
    chosen = ui.multiselect(st, "Topics", all_topics, key="topics", default=all_topics)
    shown = share[share["topic"].isin(chosen)]
    # a heat map: a dozen topics stay readable, and a period without the topic stays blank
    _chart(
        alt.Chart(shown)
        .mark_rect()
        .encode(
            x=alt.X("yearmonthdate(period):O", title=period.replace("ly", "").replace("dai", "day") + " of",
                    axis=alt.Axis(format="%d %b", labelAngle=-45)),
            y=alt.Y("topic:N", title=None, axis=alt.Axis(labelLimit=200, labelOverlap=False)),
            color=alt.Color("share:Q", title="share", scale=alt.Scale(scheme="oranges"), legend=alt.Legend(format="%")),
            tooltip=[alt.Tooltip("period:T", title=period), "topic:N", "articles:Q", "relevant_articles:Q",
                     alt.Tooltip("share:Q", format=".0%")],
        ),
        height=60 + 32 * max(1, len(chosen)),
    )
    table(shown, f"topic_share_{period}", {"share": st.column_config.NumberColumn(format="percent")})


# Who meets whom -----------------------------------------------------------------------------------------
EVENT_WHERE = "day BETWEEN ? AND ? AND list_has_any(sources, ?)"  # meeting_events: a source list per event
MAX_EVENTS = 2000  # the most recent events of the range: a timeline of more is unreadable
KIND_LABELS = {"met": "met", "talks": "talks", "call": "call", "visit": "visit", "planned": "planned",
               "refused": "refused or called off"}


def meetings(db: str, f: Filters, state: DatabaseState) -> None:
    st.header("Who meets whom")
    st.caption(
        "Meetings the articles report (met, talks, calls, visits), each merged across the outlets and copies that "
        f"report it; planned and refused ones apart; the {MAX_EVENTS:,} most recent of the range. Pick an event to "
        "read the sentences that report it."
    )
    events = query(
        db,
        f"""SELECT day, kind, held, participants, place, articles, outlets, sentence, event_id, last_day
            FROM meeting_events WHERE {EVENT_WHERE} ORDER BY day DESC, articles DESC LIMIT {MAX_EVENTS}""",
        f.params,
    )
    if events.empty:
        st.info("No meeting is reported in a relevant article in this range and these sources.")
        return
    everyone = sorted({p for ps in events["participants"] for p in ps})
    left, middle, right = st.columns(3)
    chosen = ui.multiselect(left, "Actors", everyone, key="meeting_actors")
    kinds = ui.multiselect(middle, "Kinds", list(KIND_LABELS), key="meeting_kinds", default=["met", "talks", "call", "visit"],
                           format_func=KIND_LABELS.get)
    places = ui.multiselect(right, "Places", sorted({p for p in events["place"] if isinstance(p, str)}), key="meeting_places")
    shown = events[events["kind"].isin(kinds or list(KIND_LABELS))]
    if chosen:
        shown = shown[shown["participants"].map(lambda ps: bool(set(chosen) & set(ps)))]
    if places:
        shown = shown[shown["place"].isin(places)]
    if shown.empty:
        st.info("No meeting matches these actors, kinds and places.")
        return
    shown = shown.assign(who=shown["participants"].map(" + ".join), kind_label=shown["kind"].map(KIND_LABELS.get))
    st.subheader("Timeline")
    timeline = (
        alt.Chart(shown)
        .mark_circle(opacity=0.8)
        .encode(
            x=alt.X("day:T", title=None),
            y=alt.Y("who:N", title=None, sort="-x", axis=alt.Axis(labelLimit=320)),
            size=alt.Size("articles:Q", title="articles", scale=alt.Scale(range=[60, 600])),
            color=alt.Color("kind_label:N", title="kind"),
            tooltip=["day:T", "who:N", "kind_label:N", "place:N", "articles:Q", "outlets:Q"],
        )
    )
    _chart(timeline, height=max(220, 26 * min(25, shown["who"].nunique())))
    st.subheader("Who met whom")
    st.caption("Each line is a pair that met in this range; the thicker, the more meetings.")
    _clickable(_network(shown), "actor", "meeting_network", height=520)
    st.subheader("Events")
    labels = [f"{d:%Y-%m-%d} {k}: {w} ({n} articles)" for d, k, w, n in
              shown[["day", "kind_label", "who", "articles"]].itertuples(index=False)]
    label = ui.choice(st.selectbox, "Event", labels, key="meeting_event")
    event = shown.iloc[labels.index(label)]
    reports = query(
        db,
        f"""SELECT day, source, kind, place, sentence, title, url FROM meeting_reports
            WHERE {f.where} AND participants = ? AND held = ? AND day BETWEEN ? AND ?
            ORDER BY day, source""",
        (*f.params, list(event["participants"]), event["held"], event["day"], event["last_day"]),
    )
    st.markdown(f"**{event['who']}**, {event['kind_label']}" + (f" in {event['place']}" if isinstance(event["place"], str) else "")
                + f": reported by {event['outlets']} outlets in {event['articles']} articles.")
    table(reports, "meeting_reports", {"url": LINK})
    with st.expander("All events shown"):
        table(shown[["day", "kind", "who", "place", "articles", "outlets", "sentence"]], "meeting_events")


def _network(events: pd.DataFrame) -> alt.LayerChart:
    """Participants on a circle, a line for each pair that met, as thick as their meetings."""
    import itertools
    import math

    weights: dict[tuple[str, str], int] = {}
    for ps in events["participants"]:
        for a, b in itertools.combinations(sorted(ps), 2):
            weights[(a, b)] = weights.get((a, b), 0) + 1
    names = sorted({n for pair in weights for n in pair})
    where = {n: (math.cos(2 * math.pi * i / len(names)), math.sin(2 * math.pi * i / len(names)))
             for i, n in enumerate(names)}
    edges = pd.DataFrame(
        [{"a": a, "b": b, "meetings": w, "x": where[a][0], "y": where[a][1], "x2": where[b][0], "y2": where[b][1]}
         for (a, b), w in weights.items()]
    )
    nodes = pd.DataFrame([{"actor": n, "x": x, "y": y} for n, (x, y) in where.items()])
    axis = alt.Axis(labels=False, ticks=False, grid=False, domain=False, title=None)
    scale = alt.Scale(domain=[-1.45, 1.45])
    lines = alt.Chart(edges).mark_rule(opacity=0.6).encode(
        x=alt.X("x:Q", axis=axis, scale=scale), y=alt.Y("y:Q", axis=axis, scale=scale), x2="x2:Q", y2="y2:Q",
        strokeWidth=alt.StrokeWidth("meetings:Q", scale=alt.Scale(range=[1, 8]), title="meetings"),
        tooltip=["a:N", "b:N", "meetings:Q"],
    )
    dots = alt.Chart(nodes).mark_circle(size=90, color="#1f4e79").encode(x="x:Q", y="y:Q", tooltip=["actor:N"])
    text = alt.Chart(nodes).mark_text(dy=-10, fontSize=11).encode(x="x:Q", y="y:Q", text="actor:N")
    return alt.layer(lines, dots, text)


# Named together ----------------------------------------------------------------------------------------
def pairs(db: str, f: Filters, state: DatabaseState) -> None:
    st.header("Named together")
    st.caption("Relevant articles naming both actors, whether or not they met (who met whom is on the Who meets "
               "whom page). Click a cell to list the articles behind the pair.")
    size = ui.slider(st, "Actors shown", 5, 30, 12, key="pair_size")
    counted = query(
        db,
        f"""WITH counted AS (
                -- an article names a pair once, so its days add up (pair_source_daily: pair_articles per day)
                SELECT actor_a, actor_b, CAST(SUM(articles) AS BIGINT) AS articles
                FROM pair_source_daily WHERE {f.where} GROUP BY actor_a, actor_b
            ),
            involvement AS (
                SELECT actor, SUM(articles) AS weight
                FROM (SELECT actor_a AS actor, articles FROM counted UNION ALL SELECT actor_b, articles FROM counted)
                GROUP BY actor ORDER BY weight DESC, actor LIMIT ?
            )
            SELECT c.* FROM counted AS c
            WHERE c.actor_a IN (SELECT actor FROM involvement) AND c.actor_b IN (SELECT actor FROM involvement)
            ORDER BY c.articles DESC, c.actor_a, c.actor_b""",
        (*f.params, size),
    )
    if counted.empty:
        st.info("No two actors are named in the same relevant article in this range and these sources.")
        return
    # both halves of the symmetric matrix, for the heat map (a pivot, not an aggregation)
    mirrored = pd.concat(
        [counted, counted.rename(columns={"actor_a": "actor_b", "actor_b": "actor_a"})], ignore_index=True
    )
    order = sorted(set(mirrored["actor_a"]))
    pick = alt.selection_point(name="pair", fields=["actor_a", "actor_b"], on="click")
    heat = (
        alt.Chart(mirrored)
        .mark_rect()
        .encode(
            x=alt.X("actor_b:N", sort=order, title=None, axis=alt.Axis(labelAngle=-45, labelLimit=180, labelOverlap=False)),
            y=alt.Y("actor_a:N", sort=order, title=None, axis=alt.Axis(labelLimit=180, labelOverlap=False)),
            color=alt.Color("articles:Q", scale=alt.Scale(scheme="blues"), title="articles"),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.55)),
            tooltip=["actor_a:N", "actor_b:N", "articles:Q"],
        )
        .add_params(pick)
    )
    event = _chart(heat, on_select="rerun", key="pair_chart", height=max(320, 30 * len(order)))
    labels = [f"{a} + {b} ({n})" for a, b, n in counted[["actor_a", "actor_b", "articles"]].itertuples(index=False)]
    by_pair = {(a, b): label for (a, b), label in zip(counted[["actor_a", "actor_b"]].itertuples(index=False), labels)}
    clicked = _clicked_pair(event)
    if clicked and clicked != st.session_state.get("pair_clicked"):
        st.session_state["pair_clicked"] = clicked
        st.session_state["pair"] = by_pair.get(tuple(sorted(clicked)), labels[0])
    label = ui.choice(st.selectbox, "Pair", labels, key="pair")
    actor_a, actor_b = counted.iloc[labels.index(label)][["actor_a", "actor_b"]]
    st.subheader(f"Articles naming {actor_a} and {actor_b}")
    behind = query(
        db,
        f"""SELECT day, source, title, url FROM pair_articles
            WHERE {f.where} AND actor_a = ? AND actor_b = ? ORDER BY day DESC, source, title""",
        (*f.params, actor_a, actor_b),
    )
    table(behind, "pair_articles", {"url": LINK})
    with st.expander("All pairs in range"):
        table(counted, "actor_pairs", profiles=("actor_a", "actor_b"))


def _clicked_pair(event) -> tuple[str, str] | None:
    try:
        points = event["selection"]["pair"]
    except (KeyError, TypeError):
        return None
    if not points:
        return None
    point = points[0]
    if "actor_a" in point and "actor_b" in point and point["actor_a"] != point["actor_b"]:
        return point["actor_a"], point["actor_b"]
    return None


# Outlets ----------------------------------------------------------------------------------------------
def outlets(db: str, f: Filters, state: DatabaseState) -> None:
    st.header("Outlets")
    volume = query(
        db,
        f"""SELECT source, SUM(articles) AS articles, SUM(relevant_articles) AS relevant_articles,
                   SUM(relevant_articles) / NULLIF(SUM(articles), 0) AS subject_share, SUM(duplicates) AS duplicates
            FROM source_daily WHERE {f.where} GROUP BY source ORDER BY articles DESC, source""",
        f.params,
    )
    if volume.empty:
        st.info("No article from these sources in this range.")
        return
    stacked = volume.melt(
        id_vars="source", value_vars=["relevant_articles", "articles"], var_name="kind", value_name="n"
    )
    stacked.loc[stacked["kind"] == "articles", "n"] = (volume["articles"] - volume["relevant_articles"]).values
    stacked["kind"] = stacked["kind"].map({"relevant_articles": "on the subject", "articles": "other"})
    st.subheader("Volume and subject share")
    _chart(
        alt.Chart(stacked)
        .mark_bar()
        .encode(
            y=alt.Y("source:N", title=None, sort="-x", axis=alt.Axis(labelLimit=200, labelOverlap=False)),
            x=alt.X("n:Q", title="articles"),
            color=alt.Color("kind:N", title=None),
            tooltip=["source:N", "kind:N", "n:Q"],
        ),
        height=60 + 36 * len(volume),
    )
    table(volume, "outlets", {"subject_share": st.column_config.NumberColumn(format="percent")})
    st.subheader("Topic mix per outlet")
    mix = query(
        db,
        f"""WITH relevant AS (
                SELECT source, SUM(relevant_articles) AS relevant_articles FROM source_daily WHERE {f.where} GROUP BY source
            ),
            topical AS (
                SELECT source, topic, SUM(articles) AS articles FROM topic_source_daily WHERE {f.where} GROUP BY ALL
            )
            SELECT t.source, t.topic, t.articles, t.articles / NULLIF(r.relevant_articles, 0) AS share
            FROM topical AS t JOIN relevant AS r USING (source) ORDER BY t.source, t.articles DESC""",
        f.params * 2,
    )
    _chart(
        alt.Chart(mix)
        .mark_rect()
        .encode(
            x=alt.X("topic:N", title=None, axis=alt.Axis(labelAngle=-40, labelOverlap=False)),
            y=alt.Y("source:N", title=None, axis=alt.Axis(labelLimit=200, labelOverlap=False)),
            color=alt.Color("share:Q", title="share", scale=alt.Scale(scheme="greens"), legend=alt.Legend(format="%")),
            tooltip=["source:N", "topic:N", "articles:Q", alt.Tooltip("share:Q", format=".0%")],
        ),
        height=140 + 40 * mix["source"].nunique(),
    )
    table(mix, "outlet_topics", {"share": st.column_config.NumberColumn(format="percent")})


# Quotes -----------------------------------------------------------------------------------------------
QUOTE_LIMIT = 1000  # rows of the quote table: a wider range is searched or narrowed, not scrolled


def quotes(db: str, f: Filters, state: DatabaseState) -> None:
    st.header("Quotes")
    speakers = query(
        db,
        f"""SELECT speaker, COUNT(*) AS quotes FROM quote_list WHERE {f.where}
            GROUP BY speaker ORDER BY quotes DESC, speaker""",
        f.params,
    )
    c1, c2 = st.columns([2, 3])
    words = ui.text(c1, "Search quotes, speakers and titles", key="quote_search").strip()
    chosen = ui.multiselect(c2, "Speakers", speakers["speaker"].tolist(), key="quote_speakers", placeholder="All speakers")
    pattern = f"%{_escape_like(words)}%"
    found = query(
        db,
        f"""SELECT day, source, speaker, actor, quote, title, url, article_id FROM quote_list
            WHERE {f.where}
              AND (len(?) = 0 OR list_contains(?, speaker))
              AND (quote ILIKE ? ESCAPE '\\' OR speaker ILIKE ? ESCAPE '\\' OR title ILIKE ? ESCAPE '\\')
            ORDER BY day DESC, source, article_id, speaker, position
            LIMIT ?""",
        (*f.params, tuple(chosen), tuple(chosen), pattern, pattern, pattern, QUOTE_LIMIT),
    )
    in_range = int(speakers["quotes"].sum())
    st.caption(
        f"{len(found)} quotes" if len(found) < QUOTE_LIMIT
        else f"the newest {QUOTE_LIMIT} matching quotes of the {in_range} in range: narrow the range or search"
    )
    table(found, "quotes", {"url": LINK, "quote": st.column_config.TextColumn(width="large")}, profiles=("speaker",))
    with st.expander("Speakers in range"):
        table(speakers, "speakers", profiles=("speaker",))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# Articles ---------------------------------------------------------------------------------------------
SEARCH_LIMIT = 500
MAX_WORDS = 8


def _search_sql(words: list[str], indexed: bool) -> tuple[str, tuple]:
    """SQL and parameters for the articles that match `words`, with a score (NULL: matched by ILIKE).

    With the fts index: BM25 over the indexed articles (stemmed, stop words dropped, every word need not
    occur), plus an ILIKE match of every word for the articles stored since the index was last built.
    Without it: the ILIKE match over all articles. (No words: the caller lists article_list alone.)"""
    ilike = " AND ".join(["(title || ' ' || text) ILIKE ? ESCAPE '\\'"] * len(words))
    patterns = tuple(f"%{_escape_like(w)}%" for w in words)
    if not indexed:
        return f"SELECT article_id, CAST(NULL AS DOUBLE) AS score FROM article_detail WHERE {ilike}", patterns
    return (
        f"""SELECT article_id, score FROM (
                SELECT article_id, fts_main_articles.match_bm25(article_id, ?) AS score FROM article_list
            ) WHERE score IS NOT NULL
            UNION ALL
            SELECT article_id, CAST(NULL AS DOUBLE) AS score FROM article_detail
            WHERE article_id NOT IN (SELECT name FROM fts_main_articles.docs) AND {ilike}""",
        (" ".join(words), *patterns),
    )


def articles(db: str, f: Filters, state: DatabaseState) -> None:
    st.header("Articles")
    text = ui.text(st, "Search titles and texts", key="article_search", placeholder="e.g. Doha talks")
    words = text.split()[:MAX_WORDS]
    c1, c2, c3 = st.columns([3, 3, 2])
    actor_names = _actor_names(db, f, 1000)
    chosen_actors = ui.multiselect(c1, "Actors (all of them)", actor_names, key="article_actors", placeholder="Any actors")
    topic_names = query(
        db, f"SELECT DISTINCT topic FROM topic_source_daily WHERE {f.where} ORDER BY topic", f.params
    )["topic"].tolist()
    chosen_topics = ui.multiselect(c2, "Topics (any of them)", topic_names, key="article_topics", placeholder="Any topic")
    relevant_only = ui.toggle(c3, "Relevant only", key="article_relevant")
    if words:
        matches, match_params = _search_sql(words, state.search_index)
        head, joined, score = f"WITH matches AS ({matches})", "article_list AS l JOIN matches AS m USING (article_id)", "m.score"
        by_score = "m.score DESC NULLS LAST,"
    else:  # every article, newest first: read alone, so that DuckDB reads in full only the rows it lists
        head, joined, score, by_score, match_params = "", "article_list AS l", "CAST(NULL AS DOUBLE)", "", ()
    found = query(
        db,
        f"""{head}
            SELECT l.day, l.source, l.title, l.relevance, l.actors, l.topics, l.url, l.duplicate_of, l.article_id,
                   {score} AS score
            FROM {joined}
            WHERE {f.where}
              AND (NOT ? OR l.relevant)
              AND list_has_all(l.actors, ?)
              AND (len(?) = 0 OR list_has_any(l.topics, ?))
            ORDER BY {by_score} l.day DESC, l.article_id
            LIMIT ?""",
        (*match_params, *f.params, relevant_only, tuple(chosen_actors), tuple(chosen_topics), tuple(chosen_topics),
         SEARCH_LIMIT),
        fts=bool(words) and state.search_index,
    )
    how = "full-text index (BM25)" if state.search_index else "word match (no full-text index yet)"
    st.caption(
        f"{len(found)} articles" + (f" (first {SEARCH_LIMIT})" if len(found) == SEARCH_LIMIT else "")
        + (f", by {how}" if words else "")
    )
    table(
        found,
        "articles",
        {"url": LINK, "title": st.column_config.TextColumn(width="large"), "score": st.column_config.NumberColumn(format="%.2f")},
    )
    if found.empty:
        return
    st.subheader("Read an article")
    options = found["article_id"].tolist()
    labels = {r.article_id: f"{pd.Timestamp(r.day):%Y-%m-%d} · {r.source} · {r.title}" for r in found.itertuples()}
    # a search or filter whose results do not hold the article open opens its first result
    article_id = ui.choice(st.selectbox, "Article", options, format_func=lambda a: labels[a], key="article")
    show_article(db, article_id)


def show_article(db: str, article_id: str) -> None:
    detail = query(
        db,
        "SELECT title, source, day, author, url, relevance, actors, topics, text FROM article_detail WHERE article_id = ?",
        (article_id,),
    )
    if detail.empty:
        st.info("That article is no longer stored.")
        return
    row = detail.iloc[0]
    spans = query(
        db,
        "SELECT start_char, end_char, actor FROM article_mentions WHERE article_id = ? AND actor IS NOT NULL"
        " ORDER BY start_char",
        (article_id,),
    )
    meta = f"{row['source']} · {pd.Timestamp(row['day']):%Y-%m-%d}" + (f" · {row['author']}" if row["author"] else "")
    meta += f" · relevance {row['relevance']:.2f}"
    url = safe_url(row["url"])
    if url:
        st.link_button("Open the original", url)
    actors_named = list(row["actors"]) if row["actors"] is not None else []
    if actors_named:
        st.caption("Actors: " + ", ".join(actors_named))
    st.html(article_html(row["title"], meta, row["text"], [tuple(s) for s in spans.itertuples(index=False)]))


# Emerging actors --------------------------------------------------------------------------------------
def emerging(db: str, f: Filters, state: DatabaseState) -> None:
    st.header("Emerging actors")
    st.caption(
        "People and organisations named in relevant articles that are not in the actor registry "
        "(config/actors.toml): candidates to add."
    )
    label = ui.choice(st.radio, "Kind", ["PERSON and ORG", "PERSON", "ORG"], horizontal=True, key="emerging_label")
    labels = ("PERSON", "ORG") if label == "PERSON and ORG" else (label,)
    names = query(
        db,
        # grouped by name_id (one per name and label): a number hashes faster than two strings
        f"""SELECT ANY_VALUE(name) AS name, ANY_VALUE(label) AS label, SUM(articles) AS articles,
                   SUM(mentions) AS mentions, MIN(day) AS first_seen, MAX(day) AS last_seen
            FROM unregistered_daily WHERE {f.where} AND list_contains(?, label)
            GROUP BY name_id ORDER BY articles DESC, mentions DESC, name LIMIT 200""",
        (*f.params, labels),
    )
    if names.empty:
        st.info("No unregistered name in the relevant articles of this range and these sources.")
        return
    _clickable(
        alt.Chart(names.head(20))
        .mark_bar()
        .encode(
            y=alt.Y("name:N", sort="-x", title=None, axis=alt.Axis(labelLimit=200, labelOverlap=False)),
            x=alt.X("articles:Q", title="relevant articles"),
            color=alt.Color("label:N", title=None),
            tooltip=["name:N", "label:N", "articles:Q", "mentions:Q", "first_seen:T", "last_seen:T"],
        ),
        "name", "emerging_chart",
        height=40 + 24 * min(20, len(names)),
    )
    table(names, "emerging_actors", profiles=("name",))


def alerts(db: str, f: Filters, state: DatabaseState) -> None:
    st.header("Alerts")
    st.caption(
        "What the rules of the alerts file (config/alerts.toml; docs/alerts.md) found at the end of each run, each "
        "alert once, with where it was delivered. The date range applies to the days an alert is about."
    )
    if query(db, "SELECT COUNT(*) AS n FROM duckdb_views() WHERE view_name = 'alert_list'").iloc[0]["n"] == 0:
        st.info("This database has no alerts tables yet: the next `newsmon run` adds them.")
        return
    known = query(db, "SELECT DISTINCT rule, kind FROM alert_list ORDER BY rule")
    c1, c2 = st.columns(2)
    rules = ui.multiselect(c1, "Rules", known["rule"].tolist(), key="alert_rules", placeholder="Every rule")
    kinds = ui.multiselect(c2, "Kinds", sorted(set(known["kind"])), key="alert_kinds", placeholder="Every kind")
    found = query(
        db,
        """SELECT fired_at, rule, kind, subject, window_start, window_end, articles, deliveries, detail, alert_id,
                  -- an actor or a name has a profile; a topic, a pair or a story does not
                  CASE WHEN kind = 'new_name' OR subject IN (SELECT actor FROM actors) THEN subject END AS profile
           FROM alert_list
           WHERE window_end >= ? AND window_start <= ? AND (len(?) = 0 OR list_contains(?, rule))
             AND (len(?) = 0 OR list_contains(?, kind))
           ORDER BY fired_at DESC, window_start DESC, rule, subject LIMIT 1000""",
        (f.start, f.end, tuple(rules), tuple(rules), tuple(kinds), tuple(kinds)),
    )
    owed = query(db, "SELECT COUNT(*) AS n, COUNT(DISTINCT channel) AS channels FROM alert_deliveries "
                     "WHERE status = 'pending' AND attempts > 0").iloc[0]
    cols = st.columns(3)
    cols[0].metric("Alerts in range", len(found))
    cols[1].metric("Rules that fired", found["rule"].nunique())
    cols[2].metric("Deliveries failing", int(owed["n"]),
                   help=f"pending after a failed attempt, on {int(owed['channels'])} channels; retried by every run")
    if found.empty:
        st.info("No alert about the days of this range" + (" for these rules and kinds." if rules or kinds else "."))
        return
    st.altair_chart(
        alt.Chart(found)
        .mark_bar()
        .encode(
            x=alt.X("yearmonthdate(window_start):T", title="day the alert is about"),
            y=alt.Y("count():Q", title="alerts"),
            color=alt.Color("rule:N", title="rule"),
            tooltip=["rule:N", "kind:N", "subject:N", "window_start:T", "detail:N"],
        )
        .properties(height=220),
        width="stretch",
    )
    table(found.drop(columns=["alert_id"]).rename(columns={"profile": "actor"}), "alerts",
          {"detail": st.column_config.TextColumn(width="large")}, profiles=("actor",))
    labels = {row.alert_id: f"{row.window_start:%Y-%m-%d} {row.rule}: {row.subject}" for row in found.itertuples()}
    chosen = ui.choice(st.selectbox, "Alert", list(labels), format_func=lambda a: labels.get(a, a), key="alert")
    alert = found.set_index("alert_id").loc[chosen]
    st.markdown(f"**{alert['rule']}** ({alert['kind']}), fired {pd.Timestamp(alert['fired_at']):%Y-%m-%d %H:%M} UTC: "
                f"{alert['detail']}")
    st.caption(f"Deliveries: {alert['deliveries']}")
    behind = query(
        db,
        """SELECT l.day, l.source, l.title, l.url, l.duplicate_of IS NOT NULL AS copy
           FROM alerts AS a, article_list AS l
           WHERE a.alert_id = ? AND list_contains(a.article_ids, l.article_id) ORDER BY l.day, l.source""",
        (chosen,),
    )
    behind["url"] = behind["url"].map(safe_url)
    table(behind, "alert_articles", {"url": LINK})


PAGES = {
    "overview": ("Overview", overview),
    "actors": ("Actors", actors),
    "actor": ("Actor profile", profile),
    "topics": ("Topics", topics),
    "meetings": ("Who meets whom", meetings),
    "pairs": ("Named together", pairs),
    "outlets": ("Outlets", outlets),
    "quotes": ("Quotes", quotes),
    "articles": ("Articles", articles),
    "emerging": ("Emerging actors", emerging),
    "alerts": ("Alerts", alerts),
}
