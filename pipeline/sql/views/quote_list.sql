-- One row per attributed direct quote in a relevant article, with the article's day, source, title and URL.
CREATE OR REPLACE VIEW quote_list AS
WITH threshold AS (
    SELECT CAST(value AS DOUBLE) AS relevance_threshold
    FROM newsmon_settings
    WHERE key = 'relevance_threshold'
),
relevant AS (
    -- relevant_articles, from the writer's per-article rollup (no article text read)
    SELECT r.article_id, r.day, r.source, r.title, r.url
    FROM rollup_articles AS r, threshold AS t
    WHERE r.relevance >= t.relevance_threshold
)
SELECT
    r.day,
    r.source,
    q.speaker,
    q.actor,                 -- the canonical actor, NULL when the speaker is not in the registry
    q.quote,
    q.position,
    r.title,
    r.url,
    q.article_id
FROM quotes AS q
JOIN relevant AS r USING (article_id);
