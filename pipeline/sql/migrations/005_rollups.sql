-- Rollup tables: what the views would otherwise aggregate over every mention on each read, kept by the
-- writer in the same transaction as the rows they summarise (pipeline/rollups.py; their SQL is in
-- pipeline/sql/rollups/). `store.prepare` rebuilds them all when they may be out of date (new database,
-- this migration on an existing one, another relevance threshold, a changed rollup query). Nothing here
-- is primary data: every row can be rebuilt from the tables of the earlier migrations.

-- Per article. `relevant` and every other rollup hold for the relevance threshold they were built with
-- (a new threshold rebuilds them). day and source never change for an article; relevance, duplicate_of,
-- story_id and the lists are rewritten with the article's rows.
CREATE TABLE rollup_articles (
    article_id   VARCHAR NOT NULL,
    day          DATE NOT NULL,
    source       VARCHAR NOT NULL,
    title        VARCHAR NOT NULL,
    url          VARCHAR NOT NULL,
    author       VARCHAR,
    published_at TIMESTAMP,
    relevance    DOUBLE NOT NULL,
    relevant     BOOLEAN NOT NULL,        -- relevance at or above the threshold
    duplicate_of VARCHAR,
    story_id     VARCHAR NOT NULL,
    actors       VARCHAR[] NOT NULL,      -- registry actors, each once, in name order
    topics       VARCHAR[] NOT NULL,      -- strongest first
    topic_scores DOUBLE[] NOT NULL        -- their scores, in the same order
);
-- Per relevant article.
CREATE TABLE rollup_article_actors (   -- each registry actor of an article, with its mentions there
    article_id VARCHAR NOT NULL,
    day        DATE NOT NULL,
    source     VARCHAR NOT NULL,
    story_id   VARCHAR NOT NULL,
    actor      VARCHAR NOT NULL,
    mentions   BIGINT NOT NULL
);
CREATE TABLE rollup_article_pairs (    -- each pair of registry actors of an article (actor_a < actor_b)
    article_id VARCHAR NOT NULL,
    day        DATE NOT NULL,
    source     VARCHAR NOT NULL,
    story_id   VARCHAR NOT NULL,
    actor_a    VARCHAR NOT NULL,
    actor_b    VARCHAR NOT NULL
);
CREATE TABLE rollup_article_names (    -- each unregistered person or organisation name of an article
    article_id VARCHAR NOT NULL,
    day        DATE NOT NULL,
    source     VARCHAR NOT NULL,
    name       VARCHAR NOT NULL,
    label      VARCHAR NOT NULL,
    mentions   BIGINT NOT NULL
);

CREATE TABLE rollup_quotes (           -- each quote of an article, with the article's day, source, title and URL
    day        DATE NOT NULL,
    source     VARCHAR NOT NULL,
    speaker    VARCHAR NOT NULL,
    actor      VARCHAR,
    quote      VARCHAR NOT NULL,
    position   INTEGER NOT NULL,
    title      VARCHAR NOT NULL,
    url        VARCHAR NOT NULL,
    article_id VARCHAR NOT NULL
);

-- Per day: the views' own rows.
CREATE TABLE rollup_source_daily (
    day DATE NOT NULL, source VARCHAR NOT NULL,
    articles BIGINT NOT NULL, relevant_articles BIGINT NOT NULL, duplicates BIGINT NOT NULL
);
CREATE TABLE rollup_actor_source_daily (
    day DATE NOT NULL, source VARCHAR NOT NULL, actor VARCHAR NOT NULL,
    articles BIGINT NOT NULL, mentions BIGINT NOT NULL, stories BIGINT NOT NULL
);
CREATE TABLE rollup_actor_daily (
    day DATE NOT NULL, actor VARCHAR NOT NULL,
    articles BIGINT NOT NULL, mentions BIGINT NOT NULL, stories BIGINT NOT NULL
);
CREATE TABLE rollup_topic_source_daily (
    day DATE NOT NULL, source VARCHAR NOT NULL, topic VARCHAR NOT NULL,
    articles BIGINT NOT NULL, stories BIGINT NOT NULL, mean_score DOUBLE
);
CREATE TABLE rollup_topic_daily (
    day DATE NOT NULL, topic VARCHAR NOT NULL,
    articles BIGINT NOT NULL, stories BIGINT NOT NULL, mean_score DOUBLE
);
CREATE TABLE rollup_unregistered_daily (
    day DATE NOT NULL, source VARCHAR NOT NULL, name VARCHAR NOT NULL, label VARCHAR NOT NULL,
    articles BIGINT NOT NULL, mentions BIGINT NOT NULL,
    name_id INTEGER NOT NULL                 -- rollup_names: grouping by it is faster than by name and label
);
CREATE TABLE rollup_names (                 -- each unregistered name and label once, with a number
    name_id INTEGER NOT NULL, name VARCHAR NOT NULL, label VARCHAR NOT NULL
);
CREATE TABLE rollup_pair_source_daily (
    day DATE NOT NULL, source VARCHAR NOT NULL, actor_a VARCHAR NOT NULL, actor_b VARCHAR NOT NULL,
    articles BIGINT NOT NULL, stories BIGINT NOT NULL
);
-- Per week and per pair (their counts of stories do not add up over days).
CREATE TABLE rollup_emerging_actors (
    week DATE NOT NULL, name VARCHAR NOT NULL, label VARCHAR NOT NULL,
    articles BIGINT NOT NULL, mentions BIGINT NOT NULL, rank BIGINT NOT NULL
);
CREATE TABLE rollup_actor_pairs (
    actor_a VARCHAR NOT NULL, actor_b VARCHAR NOT NULL, articles BIGINT NOT NULL, stories BIGINT NOT NULL
);

