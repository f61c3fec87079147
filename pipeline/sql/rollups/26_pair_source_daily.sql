-- Pairs of registry actors per day and source for the days and sources of the scope: relevant articles naming both
-- (and stories), so that the dashboard counts a pair over any range by adding days up.
DELETE FROM rollup_pair_source_daily WHERE (day, source) IN (SELECT day, source FROM scope_day_sources);
INSERT INTO rollup_pair_source_daily
SELECT day, source, actor_a, actor_b, COUNT(*) AS articles, COUNT(DISTINCT story_id) AS stories
FROM rollup_article_pairs
WHERE (day, source) IN (SELECT day, source FROM scope_day_sources)
GROUP BY day, source, actor_a, actor_b
ORDER BY day, source, actor_a, actor_b;
