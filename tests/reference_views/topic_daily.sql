-- One row per day and topic: relevant articles on the topic.
CREATE OR REPLACE VIEW topic_daily AS
SELECT
    r.day,
    t.topic,
    COUNT(DISTINCT r.article_id) AS articles,
    COUNT(DISTINCT r.story_id) AS stories,
    AVG(t.score) AS mean_score
FROM article_topics AS t
JOIN relevant_articles AS r USING (article_id)
GROUP BY r.day, t.topic;
