-- The tables that grow with every stored article (articles, article_html, article_sketches, article_topics)
-- lose their PRIMARY KEY and UNIQUE constraints. DuckDB keeps each as an ART index that a connection loads
-- whole the first time a write checks it, and that the checkpoint at the session's close writes again:
-- with a session per batch, a cost (and memory) that grew with the database, not the batch (a batch of 200
-- into 1,000,000 stored articles: 0.25 s to insert its 200 rows instead of 0.005 s; bench/growth.py).
-- Identity does not depend on them: one writer at a time (the writer lock) stores only the articles it
-- finds not stored yet, in the transaction that looks (store.Writer.write_articles), and an article's id
-- is a hash of its canonical URL, so a URL is stored once (tests/faults check it under kills and
-- concurrent runs). The NOT NULL constraints stay. Rewrites these tables once.
CREATE TABLE articles_unkeyed (
    article_id   VARCHAR NOT NULL,
    url          VARCHAR NOT NULL,
    fetched_url  VARCHAR NOT NULL,
    source       VARCHAR NOT NULL,
    feed_url     VARCHAR,
    title        VARCHAR NOT NULL,
    author       VARCHAR,
    published_at TIMESTAMP,
    date_origin  VARCHAR,
    fetched_at   TIMESTAMP NOT NULL,
    language     VARCHAR,
    sitename     VARCHAR,
    text         VARCHAR NOT NULL,
    extraction   VARCHAR NOT NULL,
    duplicate_of VARCHAR,
    relevance    DOUBLE NOT NULL,
    run_id       VARCHAR NOT NULL
);
INSERT INTO articles_unkeyed SELECT * FROM articles;
DROP TABLE articles;
ALTER TABLE articles_unkeyed RENAME TO articles;

CREATE TABLE article_html_unkeyed (article_id VARCHAR NOT NULL, html BLOB NOT NULL);
INSERT INTO article_html_unkeyed SELECT * FROM article_html;
DROP TABLE article_html;
ALTER TABLE article_html_unkeyed RENAME TO article_html;

CREATE TABLE article_sketches_unkeyed (article_id VARCHAR NOT NULL, signature UINTEGER[] NOT NULL);
INSERT INTO article_sketches_unkeyed SELECT * FROM article_sketches;
DROP TABLE article_sketches;
ALTER TABLE article_sketches_unkeyed RENAME TO article_sketches;

CREATE TABLE article_topics_unkeyed (article_id VARCHAR NOT NULL, topic VARCHAR NOT NULL, score DOUBLE NOT NULL);
INSERT INTO article_topics_unkeyed SELECT * FROM article_topics;
DROP TABLE article_topics;
ALTER TABLE article_topics_unkeyed RENAME TO article_topics;
