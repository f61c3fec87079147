-- actor_daily for the days of the scope (its stories are counted across sources, so not summed from
-- rollup_actor_source_daily).
DELETE FROM rollup_actor_daily WHERE day IN (SELECT day FROM scope_days);
INSERT INTO rollup_actor_daily
WITH threshold AS (
    SELECT CAST(value AS DOUBLE) AS relevance_threshold
    FROM newsmon_settings
    WHERE key = 'relevance_threshold'
)
SELECT r.day, r.actor, COUNT(*) AS articles, SUM(r.mentions) AS mentions, COUNT(DISTINCT r.story_id) AS stories
FROM rollup_article_actors AS r
CROSS JOIN threshold AS t
WHERE r.relevance >= t.relevance_threshold AND r.day IN (SELECT day FROM scope_days)
GROUP BY r.day, r.actor
ORDER BY r.day, r.actor;
