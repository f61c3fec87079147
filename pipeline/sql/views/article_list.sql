-- One row per stored article, relevant or not: its day, whether it counts as relevant, and the registry
-- actors and topics found in it. What the dashboard's article search lists and filters.
-- Kept by the writer in rollup_articles (pipeline/sql/rollups/10_articles.sql).
CREATE OR REPLACE VIEW article_list AS
SELECT
    article_id,
    day,                     -- the same day as relevant_articles
    source,
    title,
    url,
    author,
    published_at,
    relevance,
    relevant,                -- relevance at or above the configured threshold
    duplicate_of,
    actors,
    topics
FROM rollup_articles;
