-- Each pair of registry actors (actor_a < actor_b) named in the same relevant article of the scope.
DELETE FROM rollup_article_pairs WHERE article_id IN (SELECT article_id FROM scope_articles);
INSERT INTO rollup_article_pairs
WITH scoped AS (
    SELECT * FROM rollup_article_actors WHERE article_id IN (SELECT article_id FROM scope_articles)
)
SELECT a.article_id, a.day, a.source, a.story_id, a.actor AS actor_a, b.actor AS actor_b
FROM scoped AS a
JOIN scoped AS b ON a.article_id = b.article_id AND a.actor < b.actor
ORDER BY a.day, a.article_id;
