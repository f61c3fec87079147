-- actor_daily for the days of the scope (its stories are counted across sources, so not summed from
-- rollup_actor_source_daily).
DELETE FROM rollup_actor_daily WHERE day IN (SELECT day FROM scope_days);
INSERT INTO rollup_actor_daily
SELECT day, actor, COUNT(*) AS articles, SUM(mentions) AS mentions, COUNT(DISTINCT story_id) AS stories
FROM rollup_article_actors
WHERE day IN (SELECT day FROM scope_days)
GROUP BY day, actor
ORDER BY day, actor;
