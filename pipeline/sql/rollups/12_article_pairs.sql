-- Each pair of registry actors (actor_a < actor_b) named in the same relevant article of the scope, from the
-- scope's mentions (reading rollup_article_actors back would scan every stored article's actors).
DELETE FROM rollup_article_pairs WHERE article_id IN (SELECT article_id FROM scope_replaced);
INSERT INTO rollup_article_pairs
WITH scoped AS (
    SELECT DISTINCT r.article_id, r.day, r.source, r.story_id, m.actor
    FROM scope_mentions AS m
    JOIN rollup_articles AS r USING (article_id)
    WHERE r.relevant AND m.actor IS NOT NULL AND r.article_id IN (SELECT article_id FROM scope_articles)
)
SELECT a.article_id, a.day, a.source, a.story_id, a.actor AS actor_a, b.actor AS actor_b
FROM scoped AS a
JOIN scoped AS b ON a.article_id = b.article_id AND a.actor < b.actor
ORDER BY a.day, a.article_id;
