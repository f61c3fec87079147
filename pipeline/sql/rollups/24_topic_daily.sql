-- topic_daily for the days of the scope.
DELETE FROM rollup_topic_daily WHERE day IN (SELECT day FROM scope_days);
INSERT INTO rollup_topic_daily
WITH threshold AS (
    SELECT CAST(value AS DOUBLE) AS relevance_threshold
    FROM newsmon_settings
    WHERE key = 'relevance_threshold'
),
scoped AS (
    SELECT r.article_id, r.day, r.story_id
    FROM rollup_articles AS r
    CROSS JOIN threshold AS t
    WHERE r.relevance >= t.relevance_threshold AND r.day IN (SELECT day FROM scope_days)
)
SELECT
    r.day,
    a.topic,
    COUNT(DISTINCT r.article_id) AS articles,
    COUNT(DISTINCT r.story_id) AS stories,
    AVG(a.score) AS mean_score
FROM article_topics AS a
JOIN scoped AS r USING (article_id)
GROUP BY r.day, a.topic
ORDER BY r.day, a.topic;
