-- topic_daily for the days of the scope, from the topics and scores kept with each article.
DELETE FROM rollup_topic_daily WHERE day IN (SELECT day FROM scope_days);
INSERT INTO rollup_topic_daily
WITH topical AS (
    SELECT article_id, day, story_id, UNNEST(topics) AS topic, UNNEST(topic_scores) AS score
    FROM rollup_articles
    WHERE relevant AND day IN (SELECT day FROM scope_days)
)
SELECT
    day,
    topic,
    COUNT(DISTINCT article_id) AS articles,
    COUNT(DISTINCT story_id) AS stories,
    AVG(score) AS mean_score
FROM topical
GROUP BY day, topic
ORDER BY day, topic;
