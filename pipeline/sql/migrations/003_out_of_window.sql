-- Pages a backfill fetched whose own publication date fell outside its window (or that gave none): not
-- stored as articles, but remembered so that the next backfill does not fetch them again for a window
-- that does not hold them.
CREATE TABLE out_of_window (
    article_id   VARCHAR PRIMARY KEY,
    url          VARCHAR NOT NULL,
    published_at TIMESTAMP,            -- NULL: the page gave no date
    seen_at      TIMESTAMP NOT NULL
);
