-- actor_pairs for the pairs of the scope, over all days.
DELETE FROM rollup_actor_pairs AS p USING scope_pairs AS s WHERE p.actor_a = s.actor_a AND p.actor_b = s.actor_b;
INSERT INTO rollup_actor_pairs
SELECT r.actor_a, r.actor_b, COUNT(*) AS articles, COUNT(DISTINCT r.story_id) AS stories
FROM rollup_article_pairs AS r
JOIN (SELECT DISTINCT actor_a, actor_b FROM scope_pairs) AS s USING (actor_a, actor_b)
GROUP BY r.actor_a, r.actor_b
ORDER BY r.actor_a, r.actor_b;
