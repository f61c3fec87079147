"""Showing things safely: tables with a CSV download, and article text as escaped HTML.

Nothing that comes from an article (title, text, author, URL) reaches the page as markup: tables show
cells as text, and the article view escapes every character of the text before wrapping the mention
offsets it knows in <mark>.
"""

from __future__ import annotations

import hashlib
import html
import re

import pandas as pd
import streamlit as st

from dashboards.state import goto

LINK = st.column_config.LinkColumn("link", display_text="open")
DAY = st.column_config.DateColumn(format="YYYY-MM-DD")
DATE_COLUMNS = {"day", "week", "period", "first_seen", "last_seen", "window_start", "window_end"}
SAFE_URL = re.compile(r"^https?://", re.I)
FOLLOWED = "_table_followed"  # table key -> the cell whose click was followed


def table(
    df: pd.DataFrame, name: str, column_config: dict | None = None, height: int | str = "auto",
    profiles: tuple[str, ...] = (),
) -> None:
    """A table and a button that downloads it as CSV (`<name>.csv`). Dates show as dates. A click on a cell of a
    `profiles` column (actor names) opens that name's profile."""
    config = {c: DAY for c in df.columns if c in DATE_COLUMNS} | (column_config or {})
    if not profiles:
        st.dataframe(df, hide_index=True, width="stretch", column_config=config, height=height)
    else:
        # a selection outlives the click: keyed by the names listed, the table on the next profile (other names)
        # starts with none; and a click is followed once (a rerun that still carries it, as when back is pressed
        # before the profile finished drawing, does not open the profile again)
        names = hashlib.sha1("\x1f".join(df[list(profiles)].fillna("").astype(str).to_numpy().ravel()).encode()).hexdigest()
        key = f"table-{name}-{names[:12]}"
        event = st.dataframe(df, hide_index=True, width="stretch", column_config=config, height=height,
                             on_select="rerun", selection_mode="single-cell", key=key)
        followed = st.session_state.setdefault(FOLLOWED, {})
        cells = [tuple(cell) for cell in event.selection.get("cells", [])]
        if not cells:
            followed.pop(key, None)
        for row, column in cells:
            value = df.iloc[row][column] if column in profiles and row < len(df) else None
            if isinstance(value, str) and value and followed.get(key) != (row, column):
                followed[key] = (row, column)
                goto("actor", actor=value)
    st.download_button(
        f"Download {name}.csv",
        df.to_csv(index=False).encode("utf-8"),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"csv-{name}",
    )


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s), else None (never a javascript: or data: link)."""
    return url if url and SAFE_URL.match(url) else None


def highlighted_text(text: str, spans: list[tuple[int, int, str]]) -> str:
    """The text as HTML: every character escaped, each (start, end, actor) span wrapped in <mark> (the
    actor in its title), paragraphs as <p>. Overlapping or out-of-range spans are skipped."""
    parts: list[str] = []
    at = 0
    for start, end, actor in sorted(spans):
        if start < at or end > len(text) or start >= end:
            continue
        parts.append(html.escape(text[at:start]))
        parts.append(f'<mark title="{html.escape(actor)}">{html.escape(text[start:end])}</mark>')
        at = end
    parts.append(html.escape(text[at:]))
    marked = "".join(parts)
    paragraphs = [p.strip() for p in marked.split("\n") if p.strip()]
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def article_html(title: str, meta: str, text: str, spans: list[tuple[int, int, str]]) -> str:
    """The article view's body: escaped title and byline, then the highlighted text."""
    return (
        '<div class="newsmon-article">'
        f"<h3>{html.escape(title)}</h3>"
        f'<p style="color: #666">{html.escape(meta)}</p>'
        f"{highlighted_text(text, spans)}"
        "</div>"
    )
