-- actor_source_daily for the days and sources of the scope (a row of rollup_article_actors is one article and actor).
DELETE FROM rollup_actor_source_daily WHERE (day, source) IN (SELECT day, source FROM scope_day_sources);
INSERT INTO rollup_actor_source_daily
SELECT day, source, actor, COUNT(*) AS articles, SUM(mentions) AS mentions, COUNT(DISTINCT story_id) AS stories
FROM rollup_article_actors
WHERE (day, source) IN (SELECT day, source FROM scope_day_sources)
GROUP BY day, source, actor
ORDER BY day, source, actor;
