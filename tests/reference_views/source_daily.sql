-- One row per day and source: every stored article, the relevant ones among them, and syndicated copies.
-- The denominator of the subject share and of each topic's share of coverage.
CREATE OR REPLACE VIEW source_daily AS
WITH listed AS (
    SELECT day, source, relevant, duplicate_of
    FROM article_list
)
SELECT
    day,
    source,
    COUNT(*) AS articles,
    COUNT(*) FILTER (WHERE relevant) AS relevant_articles,
    COUNT(duplicate_of) AS duplicates
FROM listed
GROUP BY day, source;
