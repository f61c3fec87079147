"""The backfill of tests/faults/test_lake_writers.py's three writers at once on a DuckLake store killed at eight
points (a sitemap read, pages fetched, an article annotated, inside its batches' transactions) while the two
ingest passes go on, then run again: every table equal to one uninterrupted single writer's."""

from __future__ import annotations

import pytest
from lake_kills import postgres, sources, writers_at_once_one_killed  # noqa: F401 (fixtures)
from test_crash import reference, site  # noqa: F401 (fixtures)

pytestmark = pytest.mark.e2e

KILLS = [("backfill", "sitemap:1"), ("backfill", "fetch:5"), ("backfill", "fetch:20"), ("backfill", "nlp:14"),
         ("backfill", "write:1"), ("backfill", "write:3"), ("backfill", "write:6"), ("backfill", "write:8")]


@pytest.mark.parametrize(("victim", "point"), KILLS, ids=[f"{v}-{p}" for v, p in KILLS])
def test_writers_at_once_the_backfill_killed_equal_one_uninterrupted_writer(site, reference, sources, postgres,
                                                                             tmp_path, victim, point):
    writers_at_once_one_killed(site, reference, sources, postgres, tmp_path, victim, point)
