"""A database populated from the bundled sample site through the command line, for the dashboard tests."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from test_cli import newsmon

from newsmon.sample_site.generate import sources_toml
from newsmon.sample_site.server import serve_generated_site

WINDOW = ("2021-08-15", "2021-12-31")  # the sample site's span


@dataclass(frozen=True)
class SampleDatabase:
    db: Path
    sources: Path


@contextmanager
def sample_database(tmp: Path) -> Iterator[SampleDatabase]:
    """`newsmon run` then `newsmon backfill` over the sample site; the site stays served while in use (a
    later backfill asks its sitemaps again)."""
    with serve_generated_site(tmp / "site") as server:
        sources = tmp / "sources.toml"
        sources.write_text(sources_toml(server.manifest))
        db = tmp / "newsmon.duckdb"
        run = newsmon("run", "--db", str(db), "--sources", str(sources))
        assert run.returncode == 0, run.stderr[-2000:]
        backfill = newsmon(
            "backfill", "--start", WINDOW[0], "--end", WINDOW[1], "--db", str(db), "--sources", str(sources)
        )
        assert backfill.returncode == 0, backfill.stderr[-2000:]
        yield SampleDatabase(db=db, sources=sources)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
