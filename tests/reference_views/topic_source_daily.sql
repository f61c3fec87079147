-- One row per day, source and topic: relevant articles on the topic. topic_daily split by source.
CREATE OR REPLACE VIEW topic_source_daily AS
WITH topical AS (
    SELECT r.day, r.source, t.topic, t.score, r.article_id, r.story_id
    FROM article_topics AS t
    JOIN relevant_articles AS r USING (article_id)
)
SELECT
    day,
    source,
    topic,
    COUNT(DISTINCT article_id) AS articles,
    COUNT(DISTINCT story_id) AS stories,
    AVG(score) AS mean_score
FROM topical
GROUP BY day, source, topic;
