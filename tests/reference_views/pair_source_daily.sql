-- pair_articles counted per day and source.
CREATE OR REPLACE VIEW pair_source_daily AS
SELECT
    day,
    source,
    actor_a,
    actor_b,
    COUNT(DISTINCT article_id) AS articles,
    COUNT(DISTINCT story_id) AS stories
FROM pair_articles
GROUP BY day, source, actor_a, actor_b;
