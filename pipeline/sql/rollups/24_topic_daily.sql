-- topic_daily for the days of the scope.
DELETE FROM rollup_topic_daily WHERE day IN (SELECT day FROM scope_days);
INSERT INTO rollup_topic_daily
WITH scoped AS (
    SELECT article_id, day, story_id
    FROM rollup_articles
    WHERE relevant AND day IN (SELECT day FROM scope_days)
)
SELECT
    r.day,
    t.topic,
    COUNT(DISTINCT r.article_id) AS articles,
    COUNT(DISTINCT r.story_id) AS stories,
    AVG(t.score) AS mean_score
FROM article_topics AS t
JOIN scoped AS r USING (article_id)
GROUP BY r.day, t.topic
ORDER BY r.day, t.topic;
