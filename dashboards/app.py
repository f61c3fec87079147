"""newsmon's dashboard: `newsmon dashboard` (or `streamlit run dashboards/app.py -- --db PATH`).

The sidebar holds the page choice and the global filters (date range, sources) that every page applies. The
whole view (page, filters, the page's own choices) is in the URL (`dashboards/state.py`): a copied link reopens
it, and the browser's back button walks back through views.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run` puts dashboards/ on the path, not the project
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboards import state as ui  # noqa: E402
from dashboards.data import Filters, database_state, db_path, query  # noqa: E402
from dashboards.pages import PAGES  # noqa: E402
from pipeline.lake import describe  # noqa: E402
from pipeline.store import StoreError  # noqa: E402

DEFAULT_DAYS = 365  # the date range a view opens on: the last year that has articles

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
    st.caption(f"Database: {describe(str(db))} (another file: `newsmon dashboard --db PATH` or $NEWSMON_DB)")


def sidebar_filters(db: str) -> Filters | None:
    span = query(db, "SELECT MIN(day) AS first, MAX(day) AS last FROM article_list").iloc[0]
    sources = query(db, "SELECT DISTINCT source FROM article_list ORDER BY source")["source"].tolist()
    first, last = span["first"], span["last"]
    first = first.date() if hasattr(first, "date") else first
    last = last.date() if hasattr(last, "date") else last
    # the last year of coverage until widened: what a monitor is opened for, and quick at any size
    default = (max(first, last - timedelta(days=DEFAULT_DAYS - 1)), last)
    picked = ui.date_range(st.sidebar, "Date range", first, last, default)
    if not isinstance(picked, (tuple, list)) or len(picked) != 2:
        st.sidebar.caption("Pick the last day of the range.")
        return None
    chosen = ui.multiselect(st.sidebar, "Sources", sources, key="sources", placeholder="All sources")
    return Filters(start=picked[0], end=picked[1], sources=tuple(chosen or sources))


def main() -> None:
    db = db_path()
    state = database_state(str(db))
    if not state.ready:
        first_steps(db, state.problem)
        return
    ui.restore()  # the view the URL names, when it is new to this session (a link opened, back or forward)
    st.sidebar.title("newsmon")
    st.sidebar.caption("Afghanistan diplomacy in the press")
    page = ui.choice(st.sidebar.radio, "Page", list(PAGES), format_func=lambda k: PAGES[k][0], key=ui.PAGE)
    filters = sidebar_filters(str(db))
    st.sidebar.caption(f"Database: {describe(str(db))}")
    if filters is not None:
        PAGES[page][1](str(db), filters, state)
    link = ui.publish(page)
    st.sidebar.markdown("**Link to this view** (the copy button is on its right):")
    st.sidebar.code(link, language=None, wrap_lines=True)


try:
    main()
except StoreError as exc:  # the lock was held past the reader's wait, or the file went away
    st.warning(f"The database could not be read just now: {exc}. Reload the page in a moment.")
