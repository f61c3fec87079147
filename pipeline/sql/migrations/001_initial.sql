-- newsmon's first schema. Timestamps are UTC (TIMESTAMP without time zone).

CREATE TABLE articles (
    article_id   VARCHAR PRIMARY KEY,          -- 20 hex digits of SHA-256 over the canonical URL
    url          VARCHAR NOT NULL UNIQUE,      -- canonical URL
    fetched_url  VARCHAR NOT NULL,             -- the URL the page was fetched from, after redirects
    source       VARCHAR NOT NULL,             -- source name from the sources file
    feed_url     VARCHAR,                      -- the feed the article came through (NULL: sitemap)
    title        VARCHAR NOT NULL,
    author       VARCHAR,
    published_at TIMESTAMP,                    -- from the feed entry when it has one, else the page
    date_origin  VARCHAR,                      -- 'feed', 'page' or NULL
    fetched_at   TIMESTAMP NOT NULL,
    language     VARCHAR,
    sitename     VARCHAR,
    text         VARCHAR NOT NULL,             -- main text (or the feed summary: extraction = 'feed_summary')
    extraction   VARCHAR NOT NULL,             -- 'trafilatura' or 'feed_summary'
    duplicate_of VARCHAR,                      -- earliest stored article with the same or nearly the same text
    relevance    DOUBLE NOT NULL,              -- 0..1: how much the article is about the monitored subject
    run_id       VARCHAR NOT NULL              -- the run that stored it
);

-- The page as fetched, zlib-compressed, so extraction and NLP can be re-run without fetching.
CREATE TABLE article_html (
    article_id VARCHAR PRIMARY KEY,
    html       BLOB NOT NULL
);

-- MinHash signature of the text, and its LSH band keys for finding near-duplicates.
CREATE TABLE article_sketches (
    article_id VARCHAR PRIMARY KEY,
    signature  UINTEGER[] NOT NULL
);
CREATE TABLE sketch_bands (
    band_key   BIGINT NOT NULL,
    article_id VARCHAR NOT NULL
);

CREATE TABLE mentions (
    article_id VARCHAR NOT NULL,
    actor      VARCHAR,                        -- canonical actor from the registry, NULL when not in it
    surface    VARCHAR NOT NULL,               -- the text as written
    label      VARCHAR NOT NULL,               -- PERSON, ORG, GPE, NORP, ...
    start_char INTEGER NOT NULL,
    end_char   INTEGER NOT NULL
);

CREATE TABLE actors (
    actor   VARCHAR PRIMARY KEY,
    kind    VARCHAR NOT NULL,
    aliases VARCHAR[] NOT NULL
);

CREATE TABLE article_topics (
    article_id VARCHAR NOT NULL,
    topic      VARCHAR NOT NULL,
    score      DOUBLE NOT NULL,
    PRIMARY KEY (article_id, topic)
);

CREATE TABLE quotes (
    article_id VARCHAR NOT NULL,
    speaker    VARCHAR NOT NULL,               -- canonical actor where known, else the name as written
    actor      VARCHAR,                        -- the canonical actor, NULL when not resolved
    quote      VARCHAR NOT NULL,
    position   INTEGER NOT NULL                -- order of the quote in the article
);

CREATE TABLE runs (
    run_id             VARCHAR PRIMARY KEY,
    flow               VARCHAR NOT NULL,       -- 'ingest' or 'backfill'
    started_at         TIMESTAMP NOT NULL,
    finished_at        TIMESTAMP,
    status             VARCHAR NOT NULL,       -- 'running', 'completed', 'failed'
    articles_new       INTEGER NOT NULL DEFAULT 0,
    duplicates_new     INTEGER NOT NULL DEFAULT 0,
    feeds_total        INTEGER NOT NULL DEFAULT 0,
    feeds_not_modified INTEGER NOT NULL DEFAULT 0,
    feeds_failed       INTEGER NOT NULL DEFAULT 0,
    pages_fetched      INTEGER NOT NULL DEFAULT 0,
    pages_failed       INTEGER NOT NULL DEFAULT 0,
    detail             VARCHAR
);

-- Per-feed state for conditional requests; advanced only after the feed's articles are committed.
CREATE TABLE feeds (
    feed_url        VARCHAR PRIMARY KEY,
    source          VARCHAR NOT NULL,
    etag            VARCHAR,
    last_modified   VARCHAR,
    last_checked_at TIMESTAMP,
    last_ok_at      TIMESTAMP,
    last_status     VARCHAR,                   -- 'ok', 'not_modified' or a failure reason
    last_error      VARCHAR,
    entries_last    INTEGER,
    consecutive_failures INTEGER NOT NULL DEFAULT 0
);

-- Every failed URL with its reason, one row per URL, stage and run.
CREATE TABLE failures (
    run_id      VARCHAR NOT NULL,
    url         VARCHAR NOT NULL,
    stage       VARCHAR NOT NULL,              -- 'feed', 'page', 'sitemap', 'extract'
    source      VARCHAR,
    reason      VARCHAR NOT NULL,              -- http_status, timeout, deadline, too_large, not_html, ...
    detail      VARCHAR,
    http_status INTEGER,
    permanent   BOOLEAN NOT NULL,              -- true: will never succeed, not tried again
    failed_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (run_id, url, stage)
);

CREATE TABLE newsmon_settings (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

INSERT INTO newsmon_settings VALUES ('relevance_threshold', '0.5');

-- Feed entries whose page failed for a reason that may pass (timeout, 5xx, connection error): retried by
-- the next runs even when their feed answers "not modified", until stored or max attempts.
CREATE TABLE retry_entries (
    article_id  VARCHAR PRIMARY KEY,
    link        VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    feed_url    VARCHAR,
    title       VARCHAR,
    published   TIMESTAMP,
    author      VARCHAR,
    summary     VARCHAR,
    guid        VARCHAR,
    attempts    INTEGER NOT NULL,
    last_reason VARCHAR NOT NULL,
    last_try_at TIMESTAMP NOT NULL
);
