-- One row per stored article, relevant or not: its day, whether it counts as relevant, and the registry
-- actors and topics found in it. What the dashboard's article search lists and filters.
-- The lists are kept by the writer in rollup_articles (pipeline/sql/rollups/10_articles.sql).
CREATE OR REPLACE VIEW article_list AS
WITH threshold AS (
    SELECT CAST(value AS DOUBLE) AS relevance_threshold
    FROM newsmon_settings
    WHERE key = 'relevance_threshold'
)
SELECT
    r.article_id,
    r.day,                   -- the same day as relevant_articles
    r.source,
    r.title,
    r.url,
    r.author,
    r.published_at,
    r.relevance,
    r.relevance >= t.relevance_threshold AS relevant,
    r.duplicate_of,
    r.actors,
    r.topics
FROM rollup_articles AS r
CROSS JOIN threshold AS t;
