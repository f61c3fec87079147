-- Each registry actor named in a relevant article of the scope, once, with its number of mentions there and
-- its spellings
-- (staged in `scope_article_actors` as well, for the article pairs of 12_article_pairs.sql).
DELETE FROM rollup_article_actors WHERE article_id IN (SELECT article_id FROM scope_replaced);
CREATE OR REPLACE TEMP TABLE scope_article_actors AS
WITH scoped AS (
    SELECT * FROM rollup_articles
    WHERE relevant AND rowid IN (SELECT rowid FROM rollup_articles WHERE article_id IN (SELECT article_id FROM scope_articles))
),
written AS (   -- each spelling of the actor in the article, with its mentions
    SELECT m.article_id, m.actor, m.surface, COUNT(*) AS mentions
    FROM scope_mentions AS m
    WHERE m.actor IS NOT NULL
    GROUP BY m.article_id, m.actor, m.surface
)
SELECT r.article_id, r.day, r.source, r.story_id, w.actor, CAST(SUM(w.mentions) AS BIGINT) AS mentions,
       list({'spelling': w.surface, 'mentions': w.mentions} ORDER BY w.mentions DESC, w.surface) AS spellings
FROM written AS w
JOIN scoped AS r USING (article_id)
GROUP BY r.article_id, r.day, r.source, r.story_id, w.actor
ORDER BY r.day, r.article_id;
INSERT INTO rollup_article_actors SELECT * FROM scope_article_actors;
