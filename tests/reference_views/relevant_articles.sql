-- Articles at or above the configured relevance threshold, with their day: the base of every trend view.
CREATE OR REPLACE VIEW relevant_articles AS
WITH threshold AS (
    SELECT CAST(value AS DOUBLE) AS relevance_threshold
    FROM newsmon_settings
    WHERE key = 'relevance_threshold'
)
SELECT
    a.*,
    CAST(COALESCE(a.published_at, a.fetched_at) AS DATE) AS day,
    COALESCE(a.duplicate_of, a.article_id) AS story_id
FROM articles AS a, threshold AS t
WHERE a.relevance >= t.relevance_threshold;
