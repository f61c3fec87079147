"""The view in the URL: every filter of the page shown (dates, sources, actors, topics, search text, the page
itself) lives in the query string, so a copied link reopens the same view and the browser's back button walks
back through views.

Widgets keep their values in `st.session_state` under fixed keys; this module moves them between the session
and the URL (a widget given a default and a value set here logs one warning per process, nothing on the page). Before any widget is drawn, `restore()` applies the URL when it is not the one this session last
wrote (a link was opened, or back/forward was pressed); after the page is drawn, `publish()` writes the values
that differ from their defaults (a default is left out, so the bare address is the default view). Widgets are
made through the helpers below, which remember each default and drop a restored value the widget no longer
offers (an actor outside the new date range, say).
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

import streamlit as st

WRITTEN = "_url_written"  # the query string this session last wrote
DEFAULTS = "_url_defaults"  # each widget's default on this run
PAGE = "page"
DATES = "date_range"  # the sidebar's (start, end): `start` and `end` in the URL
GLOBAL = (PAGE, DATES, "sources")
# the widgets of each page whose values are part of its view
PAGE_KEYS: dict[str, tuple[str, ...]] = {
    "overview": (),
    "actors": ("actors", "actor_period", "actor_measure"),
    "actor": ("actor", "profile_period"),
    "topics": ("topic_period", "topics"),
    "meetings": ("meeting_actors", "meeting_kinds", "meeting_places", "meeting_event"),
    "pairs": ("pair_size", "pair"),
    "outlets": (),
    "quotes": ("quote_search", "quote_speakers"),
    "articles": ("article_search", "article_actors", "article_topics", "article_relevant", "article"),
    "emerging": ("emerging_label",),
    "alerts": ("alert_rules", "alert_kinds", "alert"),
}
LISTS = {"sources", "actors", "topics", "meeting_actors", "meeting_kinds", "meeting_places", "quote_speakers",
         "article_actors", "article_topics", "alert_rules", "alert_kinds"}
BOOLS = {"article_relevant"}
INTS = {"pair_size"}


def _url() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def _parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def restore() -> None:
    """Apply the URL to the session when it is new to this session: the page, the global filters and the page's
    widgets (a widget the URL leaves out goes back to its default)."""
    url = _url()
    if url == st.session_state.get(WRITTEN):
        return
    st.session_state[WRITTEN] = url
    page = (url.get(PAGE) or [""])[0]
    page = page if page in PAGE_KEYS else "overview"
    for key in (*GLOBAL, *PAGE_KEYS[page]):
        st.session_state.pop(key, None)
    if page != "overview":
        st.session_state[PAGE] = page
    start, end = (_parse_day((url.get(k) or [""])[0]) for k in ("start", "end"))
    if start and end and start <= end:
        st.session_state[DATES] = (start, end)
    for key in (*GLOBAL[2:], *PAGE_KEYS[page]):
        values = url.get(key)
        if not values:
            continue
        if key in LISTS:
            st.session_state[key] = values
        elif key in BOOLS:
            st.session_state[key] = values[0] == "true"
        elif key in INTS:
            try:
                st.session_state[key] = int(values[0])
            except ValueError:
                pass
        else:
            st.session_state[key] = values[0]


def view(page: str, named: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """The query string of the view shown: the values that differ from their widget's default, and those that
    `named` (the URL) already gives with that very value (a link or a click that names the top actor keeps
    naming it, and the history gets no second entry for the same view)."""
    defaults = st.session_state.get(DEFAULTS, {})
    named = named or {}
    out: dict[str, list[str]] = {} if page == "overview" else {PAGE: [page]}
    for key in (*GLOBAL[1:], *PAGE_KEYS.get(page, ())):
        if key not in st.session_state or key not in defaults:
            continue
        value = st.session_state[key]
        if value is None or (key == DATES and len(value) != 2):  # a range half picked: no range yet
            continue
        if key == DATES:
            shown = {"start": [str(value[0])], "end": [str(value[1])]}
        elif key in LISTS:
            shown = {key: [str(v) for v in value]}
        elif key in BOOLS:
            shown = {key: ["true" if value else "false"]}
        else:
            shown = {key: [str(value)]}
        if value == defaults[key] and any(named.get(k) != v for k, v in shown.items()):
            continue
        out.update(shown)
    return out


def publish(page: str) -> str:
    """Write the view to the URL (a new entry in the browser's history when it changed); return the link."""
    wanted = view(page, _url())
    if wanted != _url():
        st.query_params.from_dict(wanted)
    st.session_state[WRITTEN] = wanted
    base = st.context.url or ""
    query = urlencode([(k, v) for k, values in wanted.items() for v in values])
    return f"{base}?{query}" if query else (base or "?")


def goto(page: str, **values: str | list[str]) -> None:
    """Open another view (the global filters kept) as a link would: a new entry in the browser's history."""
    wanted = {k: v for k, v in _url().items() if k in ("start", "end", "sources")}
    wanted[PAGE] = [page]
    wanted.update({k: v if isinstance(v, list) else [v] for k, v in values.items()})
    st.query_params.from_dict(wanted)
    st.rerun()


# widgets that remember their default and keep only values they offer -------------------------------------
def _remember(key: str, default) -> None:
    st.session_state.setdefault(DEFAULTS, {})[key] = default


def multiselect(where, label: str, options: list, key: str, default: list | None = None, **kwargs) -> list:
    default = list(default or [])
    _remember(key, default)
    if key in st.session_state:
        kept = [v for v in st.session_state[key] if v in options]
        if kept != st.session_state[key]:
            st.session_state[key] = kept
    return where.multiselect(label, options, default=default, key=key, **kwargs)


def choice(widget, label: str, options: list, key: str, **kwargs):
    """A radio or a selectbox: its default is the first option."""
    if not options:
        return None
    _remember(key, options[0])
    if key in st.session_state and st.session_state[key] not in options:
        st.session_state.pop(key)
    return widget(label, options, key=key, **kwargs)


def text(where, label: str, key: str, **kwargs) -> str:
    _remember(key, "")
    return where.text_input(label, key=key, **kwargs)


def toggle(where, label: str, key: str, **kwargs) -> bool:
    _remember(key, False)
    return where.toggle(label, key=key, **kwargs)


def slider(where, label: str, low: int, high: int, default: int, key: str) -> int:
    _remember(key, default)
    if key in st.session_state and not low <= st.session_state[key] <= high:
        st.session_state.pop(key)
    return where.slider(label, low, high, default, key=key)


def date_range(where, label: str, first: date, last: date, default: tuple[date, date] | None = None):
    """The range picker, within [first, last], on `default` (else the whole span) until changed; a restored
    range is clipped to [first, last]."""
    default = default or (first, last)
    _remember(DATES, default)
    picked = st.session_state.get(DATES)
    if isinstance(picked, (tuple, list)) and len(picked) == 2:
        start, end = max(picked[0], first), min(picked[1], last)
        clipped = (start, end) if start <= end else default
        if clipped != tuple(picked):
            st.session_state[DATES] = clipped
    return where.date_input(label, value=default, min_value=first, max_value=last,
                            format="YYYY-MM-DD", key=DATES)
