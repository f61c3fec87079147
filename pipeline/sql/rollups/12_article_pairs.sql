-- Each pair of registry actors (actor_a < actor_b) named in the same relevant article of the scope, from
-- the scope's actors as 11_article_actors.sql staged them (reading rollup_article_actors back would scan
-- every stored article's actors).
DELETE FROM rollup_article_pairs WHERE article_id IN (SELECT article_id FROM scope_replaced);
INSERT INTO rollup_article_pairs
SELECT a.article_id, a.day, a.source, a.story_id, a.actor AS actor_a, b.actor AS actor_b
FROM scope_article_actors AS a
JOIN scope_article_actors AS b ON a.article_id = b.article_id AND a.actor < b.actor
ORDER BY a.day, a.article_id;
