"""Article identity: a canonical URL and a stable id derived from it.

One row per canonical URL, ever: tracking parameters (utm_*, fbclid, ...), fragments, default ports and
host case do not make a new article. The id is a hash of the canonical URL, so re-runs and reprocessing
are idempotent.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit, urlunsplit

from courlan import normalize_url


def canonical_url(url: str) -> str:
    """The URL an article is known by: courlan's normalisation (tracking parameters dropped, query
    sorted, host lower-cased, default port removed), without the fragment."""
    url = url.strip()
    try:
        normalised = normalize_url(url)
    except (ValueError, AttributeError):
        normalised = url
    parts = urlsplit(normalised)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def article_id(canonical: str) -> str:
    """20 hex digits (80 bits) of SHA-256 over the canonical URL."""
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:20]
