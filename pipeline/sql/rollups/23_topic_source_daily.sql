-- topic_source_daily for the days and sources of the scope, from the topics and scores kept with each article.
DELETE FROM rollup_topic_source_daily WHERE (day, source) IN (SELECT day, source FROM scope_day_sources);
INSERT INTO rollup_topic_source_daily
WITH topical AS (
    SELECT article_id, day, source, story_id, UNNEST(topics) AS topic, UNNEST(topic_scores) AS score
    FROM rollup_articles
    WHERE relevant AND (day, source) IN (SELECT day, source FROM scope_day_sources)
)
SELECT
    day,
    source,
    topic,
    COUNT(DISTINCT article_id) AS articles,
    COUNT(DISTINCT story_id) AS stories,
    AVG(score) AS mean_score
FROM topical
GROUP BY day, source, topic
ORDER BY day, source, topic;
