-- Each registry actor named in a relevant article of the scope, once, with its number of mentions there
-- (staged in `scope_article_actors` as well, for the article pairs of 12_article_pairs.sql).
DELETE FROM rollup_article_actors WHERE article_id IN (SELECT article_id FROM scope_replaced);
CREATE OR REPLACE TEMP TABLE scope_article_actors AS
WITH scoped AS (
    SELECT * FROM rollup_articles WHERE relevant AND article_id IN (SELECT article_id FROM scope_articles)
)
SELECT r.article_id, r.day, r.source, r.story_id, m.actor, COUNT(*) AS mentions
FROM scope_mentions AS m
JOIN scoped AS r USING (article_id)
WHERE m.actor IS NOT NULL
GROUP BY r.article_id, r.day, r.source, r.story_id, m.actor
ORDER BY r.day, r.article_id;
INSERT INTO rollup_article_actors SELECT * FROM scope_article_actors;
