"""newsmon's dashboard: `newsmon dashboard` (or `streamlit run dashboards/app.py -- --db PATH`).

The sidebar holds the page choice and the global filters (date range, sources) that every page applies.
The page is also in the URL (`?page=actors`), so a page can be linked to.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run` puts dashboards/ on the path, not the project
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboards.data import Filters, database_state, db_path, query  # noqa: E402
from dashboards.pages import PAGES  # noqa: E402
from pipeline.store import StoreError  # noqa: E402

st.set_page_config(page_title="newsmon: Afghanistan diplomacy in the press", layout="wide")


def first_steps(db: Path, problem: str) -> None:
    """What a first start on an empty or missing database shows."""
    st.title("newsmon")
    st.info(problem)
    st.markdown(
        "To fill it:\n\n"
        "- **Try it on the bundled sample news site:** `make demo` (or `.venv/bin/newsmon demo`), then "
        "start the dashboard again with `.venv/bin/newsmon dashboard`.\n"
        "- **Real feeds:** edit `config/sources.toml`, then run `.venv/bin/newsmon run` "
        "(and `.venv/bin/newsmon serve` to keep it running every 30 minutes).\n"
        "- **Older articles:** `.venv/bin/newsmon backfill --start YYYY-MM-DD --end YYYY-MM-DD`.\n\n"
        "This page reloads what it finds every few seconds: reload it once a run has finished."
    )
    st.caption(f"Database: {db} (another file: `newsmon dashboard --db PATH` or $NEWSMON_DB)")


def sidebar_filters(db: str) -> Filters | None:
    span = query(db, "SELECT MIN(day) AS first, MAX(day) AS last FROM article_list").iloc[0]
    sources = query(db, "SELECT DISTINCT source FROM article_list ORDER BY source")["source"].tolist()
    first, last = span["first"], span["last"]
    first = first.date() if hasattr(first, "date") else first
    last = last.date() if hasattr(last, "date") else last
    picked = st.sidebar.date_input(
        "Date range", value=(first, last), min_value=first, max_value=last, format="YYYY-MM-DD", key="date_range"
    )
    if not isinstance(picked, (tuple, list)) or len(picked) != 2:
        st.sidebar.caption("Pick the last day of the range.")
        return None
    chosen = st.sidebar.multiselect("Sources", sources, key="sources", placeholder="All sources")
    return Filters(start=picked[0], end=picked[1], sources=tuple(chosen or sources))


def main() -> None:
    db = db_path()
    state = database_state(str(db))
    if not state.ready:
        first_steps(db, state.problem)
        return
    keys = list(PAGES)
    wanted = st.query_params.get("page", "overview")
    if "page" not in st.session_state:
        st.session_state["page"] = wanted if wanted in PAGES else "overview"
    st.sidebar.title("newsmon")
    st.sidebar.caption("Afghanistan diplomacy in the press")
    page = st.sidebar.radio("Page", keys, format_func=lambda k: PAGES[k][0], key="page")
    st.query_params["page"] = page
    filters = sidebar_filters(str(db))
    st.sidebar.caption(f"Database: {db}")
    if filters is None:
        return
    PAGES[page][1](str(db), filters, state)


try:
    main()
except StoreError as exc:  # the lock was held past the reader's wait, or the file went away
    st.warning(f"The database could not be read just now: {exc}. Reload the page in a moment.")
