-- Rollups of the meetings (pipeline/rollups.py keeps them, like the others): every report of a meeting in a
-- relevant article, and the events they merge into, so that the views read them instead of merging every
-- stored meeting on each read.
CREATE TABLE rollup_meeting_reports (
    day          DATE NOT NULL,        -- the meeting's day when the text gives it, else the article's
    day_stated   BOOLEAN NOT NULL,
    article_day  DATE NOT NULL,
    source       VARCHAR NOT NULL,
    story_id     VARCHAR NOT NULL,
    article_id   VARCHAR NOT NULL,
    position     INTEGER NOT NULL,
    kind         VARCHAR NOT NULL,
    held         VARCHAR NOT NULL,     -- held (met, talks, call, visit), planned or refused
    place        VARCHAR,
    participants VARCHAR[] NOT NULL,   -- in name order
    sentence     VARCHAR NOT NULL,
    start_char   INTEGER NOT NULL,
    end_char     INTEGER NOT NULL,
    title        VARCHAR NOT NULL,
    url          VARCHAR NOT NULL
);
CREATE TABLE rollup_meeting_events (
    day          DATE NOT NULL,
    last_day     DATE NOT NULL,
    kind         VARCHAR NOT NULL,
    held         VARCHAR NOT NULL,
    place        VARCHAR,
    participants VARCHAR[] NOT NULL,
    articles     BIGINT NOT NULL,
    outlets      BIGINT NOT NULL,
    stories      BIGINT NOT NULL,
    sources      VARCHAR[] NOT NULL,
    article_ids  VARCHAR[] NOT NULL,
    sentence     VARCHAR NOT NULL,
    event_id     VARCHAR NOT NULL
);
