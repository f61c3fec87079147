-- Pairs of registry actors per day and source for the days of the scope: relevant articles naming both
-- (and stories), so that the dashboard counts a pair over any range by adding days up.
DELETE FROM rollup_pair_source_daily WHERE day IN (SELECT day FROM scope_days);
INSERT INTO rollup_pair_source_daily
WITH threshold AS (
    SELECT CAST(value AS DOUBLE) AS relevance_threshold
    FROM newsmon_settings
    WHERE key = 'relevance_threshold'
)
SELECT r.day, r.source, r.actor_a, r.actor_b, COUNT(*) AS articles, COUNT(DISTINCT r.story_id) AS stories
FROM rollup_article_pairs AS r
CROSS JOIN threshold AS t
WHERE r.relevance >= t.relevance_threshold AND r.day IN (SELECT day FROM scope_days)
GROUP BY r.day, r.source, r.actor_a, r.actor_b
ORDER BY r.day, r.source, r.actor_a, r.actor_b;
