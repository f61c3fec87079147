"""A feed whose items fail in every way a page can, and a broken feed: recorded, never stored, exit 0."""

from __future__ import annotations

import pytest
from httpserver import Reply
from test_cli import newsmon

from pipeline import store

pytestmark = pytest.mark.e2e

GOOD = (
    "<html lang='en'><head><title>Envoys meet</title></head><body><nav><a href='/'>Home</a></nav><article>"
    "<h1>Envoys meet the Taliban in Doha</h1>"
    + "".join(
        f"<p>Paragraph {i}: Amir Khan Muttaqi met Josep Borrell in Doha to discuss humanitarian aid, "
        "the rights of women and girls, and the frozen reserves of Afghanistan's central bank.</p>"
        for i in range(8)
    )
    + "</article><footer>Copyright Example News</footer></body></html>"
)
EMPTY_PAGE = "<html><head><title>Live video</title></head><body><nav>Home</nav><div id='player'></div></body></html>"
SUMMARY = "Live coverage: the UN Security Council discusses Afghanistan's humanitarian crisis and the Taliban."


def item(server, path: str, title: str, summary: str = "") -> str:
    return (
        f"<item><title>{title}</title><link>{server.url(path)}</link>"
        f"<pubDate>Mon, 11 Oct 2021 09:30:00 +0000</pubDate><description>{summary}</description></item>"
    )


def test_every_kind_of_failure_is_recorded_and_the_run_exits_0(http_server, tmp_path):
    s = http_server
    s.add("/good.html", Reply(body=GOOD.encode()))
    s.add("/report.pdf", Reply(body=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF", content_type="application/pdf"))
    s.add("/huge.html", Reply(body=b"<html><body>" + b"<p>filler text</p>" * 200_000 + b"</body></html>"))
    s.add("/never-ends.html", Reply(body=b"<p>still loading</p>", chunk_size=8, interval=0.2, forever=True))
    s.add("/no-text.html", Reply(body=EMPTY_PAGE.encode()))
    s.add("/no-text-no-summary.html", Reply(body=EMPTY_PAGE.encode()))
    items = "".join(
        [
            item(s, "/good.html", "Envoys meet"),
            item(s, "/missing.html", "Gone"),
            item(s, "/report.pdf", "The report"),
            item(s, "/huge.html", "Live blog"),
            item(s, "/never-ends.html", "Slow"),
            item(s, "/no-text.html", "Video", SUMMARY),
            item(s, "/no-text-no-summary.html", "Video only"),
        ]
    )
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    s.add("/rss.xml", Reply(body=feed.encode(), content_type="application/rss+xml"))
    s.add("/broken.xml", Reply(body=b"<?xml?xml version='1.0' ??><rss rss:version=2.0><junk", content_type="text/xml"))
    sources = tmp_path / "sources.toml"
    sources.write_text(
        "[fetch]\nallow_private_networks = true\nper_host_delay = 0.0\ndeadline = 2.0\nread_timeout = 5.0\n"
        "max_bytes = 1000000\nretries = 0\n"
        f"[[sources]]\nname = 'Faulty'\nfeeds = ['{s.url('/rss.xml')}', '{s.url('/broken.xml')}']\n"
    )
    db = tmp_path / "n.duckdb"
    result = newsmon("run", "--db", str(db), "--sources", str(sources))
    assert result.returncode == 0, result.stderr[-3000:]
    with store.reader(db) as con:
        failures = {
            url.rsplit("/", 1)[1]: (reason, permanent)
            for url, reason, permanent in con.execute("SELECT url, reason, permanent FROM failures").fetchall()
        }
        stored = dict(con.execute("SELECT fetched_url, extraction FROM articles").fetchall())
        [(text,)] = con.execute("SELECT text FROM articles WHERE extraction = 'feed_summary'").fetchall()
        [run] = con.execute("SELECT status, articles_new, feeds_failed, pages_failed FROM runs").fetchall()
        retry = [r[0] for r in con.execute("SELECT link FROM retry_entries").fetchall()]
    assert failures == {
        "missing.html": ("http_status", True),
        "report.pdf": ("not_html", True),
        "huge.html": ("too_large", True),
        "never-ends.html": ("deadline", False),
        "no-text-no-summary.html": ("no_text", True),
        "broken.xml": ("malformed_feed", False),
    }
    assert stored == {s.url("/good.html"): "trafilatura", s.url("/no-text.html"): "feed_summary"}
    assert text == SUMMARY
    assert run == ("completed", 2, 1, 5)
    assert retry == [s.url("/never-ends.html")]  # a passing failure: tried again next run
