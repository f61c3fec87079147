-- Alerts (pipeline/alerts.py): each rule of config/alerts.toml fires once for what it is about (a window of
-- an actor's coverage, a new name, a meeting, a pair, a story): `alert_id` is made from the rule and that key,
-- so repeated runs never store an alert twice.
CREATE TABLE alerts (
    alert_id     VARCHAR PRIMARY KEY,            -- 20 hex digits of SHA-256 over the rule and what it fired for
    rule         VARCHAR NOT NULL,               -- the rule's name in the alerts file
    kind         VARCHAR NOT NULL,               -- spike, new_name, meeting, comention, search
    subject      VARCHAR NOT NULL,               -- the actor, topic, name, pair or story it is about
    fired_at     TIMESTAMP NOT NULL,             -- UTC
    window_start DATE NOT NULL,                  -- the days it covers
    window_end   DATE NOT NULL,
    detail       VARCHAR NOT NULL,               -- one line: what happened, with the figures
    article_ids  VARCHAR[] NOT NULL,             -- the articles behind it
    run_id       VARCHAR                         -- the run that found it
);

-- One row per alert and channel it is sent to: pending until the channel takes it (retried by every run),
-- `too_old` when its window ended before the delivery horizon (stored and shown, never sent).
CREATE TABLE alert_deliveries (
    alert_id        VARCHAR NOT NULL,
    channel         VARCHAR NOT NULL,            -- the channel's name in the alerts file
    status          VARCHAR NOT NULL,            -- pending, delivered, failed (gave up), too_old
    attempts        INTEGER NOT NULL,
    last_attempt_at TIMESTAMP,
    delivered_at    TIMESTAMP,
    last_error      VARCHAR,
    PRIMARY KEY (alert_id, channel)
);
