"""Several writers at once into one DuckLake store on a real PostgreSQL, killed at named points: nothing lost,
nothing doubled, every table equal to one uninterrupted single writer's.

The site of tests/faults/test_crash.py (two outlets, 24 labelled articles, three syndicated near-copies, a
page that is gone, feeds and news sitemaps) is served from 127.0.0.1. Three writers start together on one
new store, with no lock between them (pipeline/lake.py):

- an ingest pass over both outlets' feeds, and one over Beta's feed only (the two overlap in Beta's feed and
  so in its articles and its feed state), both through the plain-Python core (tests/faults/plain_ingest.py:
  the ingest flow's sequence without Prefect, a writer that starts in a second);
- a backfill of the window, which finds every page in the sitemaps, the feeds' pages included
  (tests/faults/plain_backfill.py: the backfill flow's sequence and its `process_days`, without Prefect).

One of them, started first, is stopped at a named point (pipeline/faults.py: a page fetched, an article annotated, or inside a
batch's write transaction with its articles inserted and nothing committed) and killed with SIGKILL while the
other two go on; once they are done it is run again. The other two start once it has planned its pages (its
first page request), so that its Nth page, article or batch does not depend on what they store first. The store must then hold exactly what one uninterrupted
`newsmon run` followed by `newsmon backfill` stores in a DuckDB file (test_crash's reference): every table that
matters, row for row (but where an article was found, its feed or the sitemap: that is the first writer's), so
no article, mention, quote, failure or feed state is doubled or lost. Twenty
kill points, each a test: the ingest passes' here, the backfill's in test_lake_backfill_killed.py.
"""

from __future__ import annotations

import pytest
from lake_kills import postgres, sources, writers_at_once_one_killed  # noqa: F401 (fixtures)
from test_crash import reference, site  # noqa: F401 (fixtures)

pytestmark = pytest.mark.e2e

KILLS = [  # the ingest passes; the backfill's points are in test_lake_backfill_killed.py
    ("both", "fetch:1"), ("both", "fetch:9"), ("both", "nlp:5"), ("both", "nlp:12"),
    ("both", "write:1"), ("both", "write:2"), ("both", "write:4"),
    ("beta", "fetch:2"), ("beta", "nlp:3"), ("beta", "nlp:7"), ("beta", "write:1"), ("beta", "write:2"),
]


@pytest.mark.parametrize(("victim", "point"), KILLS, ids=[f"{v}-{p}" for v, p in KILLS])
def test_writers_at_once_an_ingest_killed_equal_one_uninterrupted_writer(site, reference, sources, postgres,
                                                                         tmp_path, victim, point):
    writers_at_once_one_killed(site, reference, sources, postgres, tmp_path, victim, point)
