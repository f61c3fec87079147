-- One row per stored article, relevant or not: its day, whether it counts as relevant, and the registry
-- actors and topics found in it. What the dashboard's article search lists and filters.
CREATE OR REPLACE VIEW article_list AS
WITH threshold AS (
    SELECT CAST(value AS DOUBLE) AS relevance_threshold
    FROM newsmon_settings
    WHERE key = 'relevance_threshold'
),
actor_lists AS (
    -- each registry actor once per article, in name order
    SELECT article_id, list(DISTINCT actor ORDER BY actor) AS actors
    FROM mentions
    WHERE actor IS NOT NULL
    GROUP BY article_id
),
topic_lists AS (
    -- the article's topics, strongest first
    SELECT article_id, list(topic ORDER BY score DESC, topic) AS topics
    FROM article_topics
    GROUP BY article_id
)
SELECT
    a.article_id,
    CAST(COALESCE(a.published_at, a.fetched_at) AS DATE) AS day,   -- the same day as relevant_articles
    a.source,
    a.title,
    a.url,
    a.author,
    a.published_at,
    a.relevance,
    a.relevance >= t.relevance_threshold AS relevant,
    a.duplicate_of,
    COALESCE(al.actors, CAST([] AS VARCHAR[])) AS actors,
    COALESCE(tl.topics, CAST([] AS VARCHAR[])) AS topics
FROM articles AS a
CROSS JOIN threshold AS t
LEFT JOIN actor_lists AS al USING (article_id)
LEFT JOIN topic_lists AS tl USING (article_id);
