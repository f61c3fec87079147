"""Alerts end to end: `newsmon run` over a served site whose coverage of one actor spikes on one day, with a
webhook receiver (a local HTTP server) and a local SMTP server (aiosmtpd) as channels. An alert is stored and
delivered exactly once however often the runs repeat; a channel that is down leaves the run successful and the
delivery pending, and the next run delivers it. The alerts file is checked like the sources file."""

from __future__ import annotations

import email
import json
import socket
from datetime import date
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from httpserver import LocalHTTPServer, Reply
from test_cli import assert_one_line_error, newsmon

from pipeline import store
from pipeline.alerts import load_alerts, search_patterns
from pipeline.fetch import Fetcher
from pipeline.records import Failure
from pipeline.settings import ConfigError, FetchSettings

pytestmark = pytest.mark.e2e

SPIKE_DAY = date(2023, 3, 10)
# (day of March 2023, text): one story about Muttaqi on each of two quiet days, five on the spike day
POSTS = [
    (7, "KABUL - Acting foreign minister Amir Khan Muttaqi said the Taliban government wants more trade with "
        "Central Asia, as Mohammad Idris, the acting governor of the central bank, met traders in Kabul."),
    (8, "KABUL - Amir Khan Muttaqi told a gathering of elders that the Taliban administration would keep the "
        "ban on poppy cultivation, and Mohammad Idris said the afghani had held its value."),
    (10, "KABUL - Acting foreign minister Amir Khan Muttaqi met Qatar's envoy in Kabul on Friday to discuss "
         "humanitarian aid and the Doha process, the Taliban government said."),
    (10, "KABUL - Amir Khan Muttaqi said the Taliban want the frozen central bank reserves returned to "
         "Afghanistan, as Mohammad Idris, the acting governor of the central bank, urged donors to act."),
    (10, "KABUL - The Taliban's acting foreign minister Amir Khan Muttaqi said the embassy in Oslo had been "
         "handed over to diplomats appointed by the Taliban government in Afghanistan."),
    (10, "KABUL - Amir Khan Muttaqi urged the European Union to reopen its mission in Kabul and to restore "
         "development aid to Afghanistan, the Taliban foreign ministry said."),
    (10, "KABUL - Amir Khan Muttaqi told Afghan traders that the Taliban government would build a new customs "
         "post, and Mohammad Idris said the central bank would print no new notes."),
]
# what a later run adds to the spike day: more of the same coverage, nothing any other rule looks for
LATER = [
    (10, "KABUL - Amir Khan Muttaqi said the Taliban government would open a consulate in Mazar-i-Sharif for "
         "Afghan pilgrims travelling by road to the north of Afghanistan."),
    (10, "KABUL - Amir Khan Muttaqi told Afghan students that the Taliban government would award more "
         "scholarships for religious schools in Kandahar, Afghanistan."),
]


def page(n: int, text: str) -> bytes:
    # each page its own words throughout, so no two are near-duplicates of each other
    more = "".join(f"<p>Update {i} to report {n}: {text}</p>" for i in range(5))
    return (f"<html lang='en'><head><title>Report {n}</title></head><body><article><h1>Report {n}</h1>"
            f"<p>{text}</p>{more}</article></body></html>").encode()


def publish(site: LocalHTTPServer, posts: list[tuple[int, str]]) -> None:
    items = []
    for n, (day, text) in enumerate(posts):
        path = f"/news/{n}.html"
        site.add(path, Reply(body=page(n, text)))
        items.append(f"<item><title>Report {n}</title><link>{site.url(path)}</link>"
                     f"<pubDate>{day:02d} Mar 2023 {n % 24:02d}:00:00 +0000</pubDate></item>")
    site.add("/rss.xml", Reply(body=f"<rss version='2.0'><channel><title>News</title>{''.join(items)}"
                                    "</channel></rss>".encode(), content_type="application/rss+xml"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd's handler: keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's naming)
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def smtp_server(port: int) -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


def write_files(tmp: Path, site: LocalHTTPServer, hook: str, smtp_port: int) -> tuple[Path, Path]:
    sources = tmp / "sources.toml"
    sources.write_text("[fetch]\nallow_private_networks = true\nper_host_delay = 0.0\n\n"
                       f"[[sources]]\nname = 'Kabul Wire'\nfeeds = ['{site.url('/rss.xml')}']\n")
    alerts = tmp / "alerts.toml"
    alerts.write_text(f"""
[delivery]
deliver_within_days = 0

[[channel]]
name = "hook"
kind = "webhook"
url = "{hook}"

[[channel]]
name = "mail"
kind = "email"
host = "127.0.0.1"
port = {smtp_port}
sender = "newsmon@example.org"
to = ["analyst@example.org"]
timeout = 5

[[rule]]
name = "muttaqi-spike"
kind = "spike"
actor = "Amir Khan Muttaqi"
period = "day"
factor = 3.0
baseline_days = 7
min_stories = 4

[[rule]]
name = "handover"
kind = "search"
query = 'embassy "handed over"'
channels = ["hook"]

[[rule]]
name = "envoys"
kind = "meeting"
actors = ["Amir Khan Muttaqi", "Qatar", "Pakistan"]
channels = ["hook"]
""")
    return sources, alerts


def run(db: Path, sources: Path, alerts: Path) -> None:
    result = newsmon("run", "--db", str(db), "--sources", str(sources), "--alerts", str(alerts))
    assert result.returncode == 0, result.stderr[-3000:]


def stored(db: Path, sql: str) -> list[tuple]:
    with store.reader(db) as con:
        return con.execute(sql).fetchall()


def posted(hook: LocalHTTPServer) -> list[dict]:
    return [json.loads(r.body) for r in hook.requests if r.method == "POST"]


def test_a_spike_fires_once_over_repeated_runs_and_reaches_the_webhook_and_the_mailbox(tmp_path):
    port = free_port()
    controller, inbox = smtp_server(port)
    try:
        with LocalHTTPServer() as site, LocalHTTPServer() as hook:
            hook.add("/hook", Reply(status=204, content_type=None))
            publish(site, POSTS)
            sources, alerts = write_files(tmp_path, site, hook.url("/hook"), port)
            db = tmp_path / "n.duckdb"
            run(db, sources, alerts)
            first = stored(db, "SELECT rule, subject, window_start, window_end, len(article_ids) FROM alerts ORDER BY ALL")
            assert ("muttaqi-spike", "Amir Khan Muttaqi", SPIKE_DAY, SPIKE_DAY, 5) in first
            assert [r for r in first if r[0] == "muttaqi-spike"] == [("muttaqi-spike", "Amir Khan Muttaqi", SPIKE_DAY,
                                                                         SPIKE_DAY, 5)]  # not the quiet days
            rules = {r[0] for r in first}
            assert {"handover", "envoys"} <= rules, first
            run(db, sources, alerts)  # nothing new
            publish(site, POSTS + LATER)  # more coverage of the same day: the same spike
            run(db, sources, alerts)
            assert stored(db, "SELECT COUNT(*) FROM articles") == [(len(POSTS) + len(LATER),)]
            assert stored(db, "SELECT rule, subject, window_start, window_end, len(article_ids) FROM alerts "
                              "ORDER BY ALL") == first
            assert stored(db, "SELECT DISTINCT status FROM alert_deliveries") == [("delivered",)]
            # the webhook: every alert once; the mailbox: the one rule sent to every channel, once
            bodies = posted(hook)
            assert sorted(b["alert_id"] for b in bodies) == sorted(r[0] for r in stored(db, "SELECT alert_id FROM alerts"))
            spike = next(b for b in bodies if b["rule"] == "muttaqi-spike")
            assert spike["window_start"] == str(SPIKE_DAY) and len(spike["articles"]) == 5
            assert all(a["url"].startswith(site.url("/news/")) for a in spike["articles"])
            assert "5 stories" in spike["detail"]
        assert len(inbox.messages) == 1
        message = inbox.messages[0]
        assert message["Subject"] == "[newsmon] muttaqi-spike: Amir Khan Muttaqi"
        assert message["Message-ID"] == f"<{spike['alert_id']}@newsmon>"
        assert "5 stories" in message.get_payload()
    finally:
        controller.stop()


def test_a_channel_that_is_down_keeps_the_alert_and_the_next_run_delivers_it(tmp_path):
    port = free_port()  # nothing listens there during the first run
    with LocalHTTPServer() as site, LocalHTTPServer() as hook:
        hook.add("/hook", Reply(status=503, body=b"down"), Reply(status=200, body=b"ok"))
        publish(site, POSTS)
        sources, alerts = write_files(tmp_path, site, hook.url("/hook"), port)
        db = tmp_path / "n.duckdb"
        run(db, sources, alerts)  # the run succeeds although both channels fail
        pending = stored(db, """SELECT d.channel, d.status, d.attempts, d.last_error IS NOT NULL FROM alert_deliveries
                                AS d JOIN alerts USING (alert_id) WHERE rule = 'muttaqi-spike' ORDER BY channel""")
        assert pending == [("hook", "pending", 1, True), ("mail", "pending", 1, True)]
        alerts_before = stored(db, "SELECT alert_id FROM alerts ORDER BY 1")
        controller, inbox = smtp_server(port)
        try:
            run(db, sources, alerts)  # nothing new; the owed deliveries go out
        finally:
            controller.stop()
        assert stored(db, "SELECT alert_id FROM alerts ORDER BY 1") == alerts_before
        assert stored(db, """SELECT d.channel, d.status, d.attempts FROM alert_deliveries AS d JOIN alerts
                             USING (alert_id) WHERE rule = 'muttaqi-spike' ORDER BY channel""") == [
            ("hook", "delivered", 2), ("mail", "delivered", 2)]
        assert len(inbox.messages) == 1
        accepted = [json.loads(r.body) for r in hook.requests[1:] if r.method == "POST"]  # after the 503
        assert sorted(b["alert_id"] for b in accepted) == [a for (a,) in alerts_before]
        shown = stored(db, "SELECT deliveries FROM alert_list WHERE rule = 'muttaqi-spike'")
        assert shown == [("hook: delivered; mail: delivered",)]


def test_a_webhook_follows_the_address_policy_of_fetching():
    with LocalHTTPServer() as hook:
        hook.add("/hook", Reply(status=204, content_type=None))
        with Fetcher(FetchSettings()) as fetcher:  # loopback is not a public address
            refused = fetcher.post_json(hook.url("/hook"), {"alert_id": "x"})
        with Fetcher(FetchSettings(allowed_networks=("127.0.0.0/8",))) as fetcher:
            taken = fetcher.post_json(hook.url("/hook"), {"alert_id": "x"})
    assert isinstance(refused, Failure) and refused.reason == "refused_address"
    assert not isinstance(taken, Failure) and taken.status == 204
    assert [json.loads(r.body) for r in hook.requests] == [{"alert_id": "x"}]


def test_search_rules_match_whole_words_and_phrases():
    patterns = search_patterns('embassy "handed  over"')
    import re

    text = "The embassy was handed\nover to Taliban diplomats"
    assert all(re.search(p, text) for p in patterns)
    assert not all(re.search(p, "The embassyman handed it over") for p in patterns)


BAD = [
    ("[[rule]]\nname = 'a'\nkind = 'spike'\nactor = 'Talibann'\n", "actor 'Talibann' is not in config/actors.toml"),
    ("[[rule]]\nname = 'a'\nkind = 'spike'\ntopic = 'talks'\nfactr = 3\n", "unknown key 'factr'"),
    ("[[rule]]\nname = 'a'\nkind = 'spike'\n", "names either an actor or a topic"),
    ("[[rule]]\nname = 'a'\nkind = 'sudden'\n", "kind must be one of spike"),
    ("[[rule]]\nname = 'a'\nkind = 'meeting'\nactors = ['Qatar']\n", "two or more actors"),
    ("[[rule]]\nname = 'a'\nkind = 'search'\nquery = 'x'\nchannels = ['nowhere']\n", "no channel named 'nowhere'"),
    ("[[rule]]\nname = 'a'\nkind = 'search'\nquery = '\"unclosed'\n", "cannot be read"),
    ("[[channel]]\nname = 'h'\nkind = 'webhook'\nurl = 'ftp://x'\n", "url must be an http(s) URL"),
    ("[[channel]]\nname = 'm'\nkind = 'email'\nhost = 'smtp.example.org'\n", "needs host, sender and to"),
    ("[delivery]\nmax_attempts = -1\n", "max_attempts must be a whole number"),
    ("[[rule]]\nname = 'a'\nkind = 'spike'\ntopic = 'talks'\nfactor = 'high'\n", "factor must be float"),
    ("[rules]\n", "unknown section 'rules'"),
    ("[[rule]\n", "is not valid TOML"),
]


@pytest.mark.parametrize("text, needle", BAD)
def test_a_bad_alerts_file_is_a_one_line_error(tmp_path, text, needle):
    path = tmp_path / "alerts.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=None) as caught:
        load_alerts(path)
    assert needle in str(caught.value) and "\n" not in str(caught.value)


def test_a_run_with_a_bad_alerts_file_stops_before_writing_anything(tmp_path):
    (tmp_path / "alerts.toml").write_text(BAD[0][0])
    (tmp_path / "sources.toml").write_text("[[sources]]\nname = 'x'\nfeeds = ['https://example.org/rss']\n")
    db = tmp_path / "n.duckdb"
    result = newsmon("run", "--db", str(db), "--sources", str(tmp_path / "sources.toml"),
                     "--alerts", str(tmp_path / "alerts.toml"))
    assert_one_line_error(result, "alerts file", "Talibann")
    assert not db.exists()
    assert newsmon("alerts", "check", "--alerts", str(tmp_path / "alerts.toml")).returncode == 2


def test_the_shipped_alerts_file_is_valid():
    config = load_alerts()
    assert config.path is not None and {r.kind for r in config.rules} == {"spike", "new_name", "meeting",
                                                                            "comention", "search"}


def test_the_run_report_lists_the_alerts_and_the_deliveries():
    from flows.ingest import report

    summary = {"run_id": "r1", "status": "completed", "duplicates_new": 0, "page_failures": [], "feed_failures": {},
               "alerts_new": 1, "alerts": [("muttaqi-spike", "Amir Khan Muttaqi", "5 stories | on 2023-03-10")],
               "alert_errors": [], "deliveries_sent": 1, "deliveries_pending": 1, "deliveries_given_up": 0,
               "delivery_errors": ["mail: ConnectionRefusedError: [Errno 111] Connection refused"]}
    text = report("Ingest run", summary, {"Kabul Wire": 7})
    assert "## Alerts" in text and "deliveries sent: 1, still pending: 1" in text
    assert "| muttaqi-spike | Amir Khan Muttaqi | 5 stories \\| on 2023-03-10 |" in text
    assert "- mail: ConnectionRefusedError" in text
