-- actor_source_daily for the days of the scope (a row of rollup_article_actors is one article and actor).
DELETE FROM rollup_actor_source_daily WHERE day IN (SELECT day FROM scope_days);
INSERT INTO rollup_actor_source_daily
WITH threshold AS (
    SELECT CAST(value AS DOUBLE) AS relevance_threshold
    FROM newsmon_settings
    WHERE key = 'relevance_threshold'
)
SELECT r.day, r.source, r.actor, COUNT(*) AS articles, SUM(r.mentions) AS mentions, COUNT(DISTINCT r.story_id) AS stories
FROM rollup_article_actors AS r
CROSS JOIN threshold AS t
WHERE r.relevance >= t.relevance_threshold AND r.day IN (SELECT day FROM scope_days)
GROUP BY r.day, r.source, r.actor
ORDER BY r.day, r.source, r.actor;
