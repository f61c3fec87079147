"""Delivering alerts: every pending row of `alert_deliveries` is sent through its channel (a webhook: a JSON
POST through the guarded fetcher, so the address policy of fetching applies; email: SMTP), and marked
delivered, or left pending with the error for the next run, or given up after `max_attempts`.

The database is not held while sending: the pending deliveries are read in one session, sent, and the results
written in another. Delivery is at least once: were the process killed between a send and its record, the next
run sends again; the payload's `alert_id` (and the email's Message-ID) lets the receiver drop the repeat.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path

from pipeline import store
from pipeline.alerts import AlertConfig, Channel
from pipeline.fetch import Fetcher
from pipeline.records import Failure
from pipeline.settings import FetchSettings
from pipeline.store import SQL_ROOT, utcnow


@dataclass(frozen=True)
class Delivery:
    alert_id: str
    channel: str
    attempts: int
    payload: dict


@dataclass(frozen=True)
class DeliveryReport:
    delivered: int = 0
    pending: int = 0  # still owed: failed this time (kept for the next run) or to a channel no longer configured
    given_up: int = 0
    errors: tuple[str, ...] = ()  # one line per failed delivery: "channel: error"


def _plain(value):
    return str(value) if isinstance(value, (date, datetime)) else value


def pending(db: Path) -> list[Delivery]:
    """The deliveries still owed, each with the JSON payload its channel gets."""
    sql = (SQL_ROOT / "alerts" / "pending.sql").read_text(encoding="utf-8")
    with store.writer(db) as w:
        cursor = w.con.execute(sql)
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    out = []
    for r in rows:
        payload = {k: _plain(r[k]) for k in ("alert_id", "rule", "kind", "subject", "fired_at", "window_start",
                                             "window_end", "detail")}
        payload["articles"] = r["articles"] or []
        out.append(Delivery(r["alert_id"], r["channel"], r["attempts"], payload))
    return out


def email_message(channel: Channel, payload: dict) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"[newsmon] {payload['rule']}: {payload['subject']}"[:200]
    message["From"] = channel.sender
    message["To"] = ", ".join(channel.to)
    message["Message-ID"] = f"<{payload['alert_id']}@newsmon>"
    lines = [payload["detail"], "", f"Rule {payload['rule']} ({payload['kind']}), "
             f"{payload['window_start']} to {payload['window_end']}, fired {payload['fired_at']} UTC.", ""]
    for article in payload["articles"]:
        lines += [f"- {article['title']} ({article['source']}, {article['day']})", f"  {article['url']}"]
    message.set_content("\n".join(lines))
    return message


def send_email(channel: Channel, payload: dict) -> str | None:
    """Send one alert by SMTP; the error as one line, or None."""
    try:
        with smtplib.SMTP(channel.host, channel.port, timeout=channel.timeout) as smtp:
            if channel.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if channel.username:
                password = os.environ.get(channel.password_env)
                if password is None:
                    return f"the environment variable {channel.password_env} (the SMTP password) is not set"
                smtp.login(channel.username, password)
            smtp.send_message(email_message(channel, payload))
    except (smtplib.SMTPException, OSError) as exc:
        return " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
    return None


def send_webhook(fetcher: Fetcher, channel: Channel, payload: dict) -> str | None:
    result = fetcher.post_json(channel.url, payload, timeout=channel.timeout)
    return f"{result.reason}: {result.detail}" if isinstance(result, Failure) else None


def deliver(db: Path, config: AlertConfig, fetch: FetchSettings) -> DeliveryReport:
    """Send every pending delivery; record each outcome. Never raises for a channel's failure."""
    owed = pending(db)
    if not owed:
        return DeliveryReport()
    channels = {c.name: c for c in config.channels}
    outcomes: list[tuple[Delivery, str | None]] = []
    unknown = 0
    with Fetcher(fetch) as fetcher:
        for d in owed:
            channel = channels.get(d.channel)
            if channel is None:  # removed from the alerts file: kept pending, should it come back
                unknown += 1
                continue
            if channel.kind == "webhook":
                error = send_webhook(fetcher, channel, d.payload)
            else:
                error = send_email(channel, d.payload)
            outcomes.append((d, error))
    now = utcnow()

    def record(w: store.Writer) -> int:
        given_up = 0
        with w.transaction():
            for d, error in outcomes:
                if error is None:
                    w.con.execute("""UPDATE alert_deliveries SET status = 'delivered', attempts = attempts + 1,
                                     last_attempt_at = ?, delivered_at = ?, last_error = NULL
                                     WHERE alert_id = ? AND channel = ?""", [now, now, d.alert_id, d.channel])
                    continue
                give_up = config.max_attempts and d.attempts + 1 >= config.max_attempts
                given_up += bool(give_up)
                w.con.execute("""UPDATE alert_deliveries SET status = ?, attempts = attempts + 1, last_attempt_at = ?,
                                 last_error = ? WHERE alert_id = ? AND channel = ?""",
                              ["failed" if give_up else "pending", now, error, d.alert_id, d.channel])
        return given_up

    given_up = store.write(db, record)
    errors = [f"{d.channel}: {error}" for d, error in outcomes if error is not None]
    delivered = sum(error is None for _d, error in outcomes)
    return DeliveryReport(delivered=delivered, pending=len(owed) - delivered - given_up, given_up=given_up,
                          errors=tuple(errors))
