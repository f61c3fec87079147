-- Each article of the scope as article_list shows it, with its registry actors and topics as lists and
-- whether it is relevant at the configured threshold (no threshold set: no row, like relevant_articles).
DELETE FROM rollup_articles WHERE article_id IN (SELECT article_id FROM scope_replaced);
INSERT INTO rollup_articles
WITH threshold AS (
    SELECT CAST(value AS DOUBLE) AS relevance_threshold
    FROM newsmon_settings
    WHERE key = 'relevance_threshold'
),
scoped AS (
    -- by row id: the scope's rows only, not a scan of every stored title and text (pipeline/rollups.py)
    SELECT * FROM articles WHERE rowid IN (SELECT rowid FROM articles WHERE article_id IN (SELECT article_id FROM scope_articles))
),
actor_lists AS (
    -- each registry actor once per article, in name order
    SELECT article_id, list(DISTINCT actor ORDER BY actor) AS actors
    FROM scope_mentions
    WHERE actor IS NOT NULL AND article_id IN (SELECT article_id FROM scope_articles)
    GROUP BY article_id
),
topic_lists AS (
    -- the article's topics, strongest first
    SELECT article_id, list(topic ORDER BY score DESC, topic) AS topics,
           list(score ORDER BY score DESC, topic) AS topic_scores
    FROM article_topics
    WHERE article_id IN (SELECT article_id FROM scope_articles)
    GROUP BY article_id
)
SELECT
    a.article_id,
    CAST(COALESCE(a.published_at, a.fetched_at) AS DATE) AS day,
    a.source,
    a.title,
    a.url,
    a.author,
    a.published_at,
    a.relevance,
    a.relevance >= t.relevance_threshold AS relevant,
    a.duplicate_of,
    COALESCE(a.duplicate_of, a.article_id) AS story_id,
    COALESCE(al.actors, CAST([] AS VARCHAR[])) AS actors,
    COALESCE(tl.topics, CAST([] AS VARCHAR[])) AS topics,
    COALESCE(tl.topic_scores, CAST([] AS DOUBLE[])) AS topic_scores
FROM scoped AS a
CROSS JOIN threshold AS t
LEFT JOIN actor_lists AS al USING (article_id)
LEFT JOIN topic_lists AS tl USING (article_id)
ORDER BY day, a.article_id;
