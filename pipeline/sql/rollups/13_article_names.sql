-- Each name of a person or organisation NOT in the actor registry named in a relevant article of the
-- scope, once, with its number of mentions there, its story and its spellings (the names unregistered_daily
-- counts).
DELETE FROM rollup_article_names WHERE article_id IN (SELECT article_id FROM scope_replaced);
INSERT INTO rollup_article_names
WITH scoped AS (
    SELECT * FROM rollup_articles
    WHERE relevant AND rowid IN (SELECT rowid FROM rollup_articles WHERE article_id IN (SELECT article_id FROM scope_articles))
),
unregistered AS (
    SELECT m.article_id, COALESCE(m.name, m.surface) AS name, m.label, m.surface
    FROM scope_mentions AS m
    WHERE m.actor IS NULL
      AND m.label IN ('PERSON', 'ORG')
      AND length(COALESCE(m.name, m.surface)) > 2
      AND regexp_matches(COALESCE(m.name, m.surface), '^[[:upper:]]')   -- not 'mosques'
),
written AS (   -- each spelling of the name in the article, with its mentions
    SELECT article_id, name, label, surface, COUNT(*) AS mentions FROM unregistered GROUP BY ALL
)
SELECT r.article_id, r.day, r.source, w.name, w.label, CAST(SUM(w.mentions) AS BIGINT) AS mentions, r.story_id,
       list({'spelling': w.surface, 'mentions': w.mentions} ORDER BY w.mentions DESC, w.surface) AS spellings
FROM written AS w
JOIN scoped AS r USING (article_id)
GROUP BY r.article_id, r.day, r.source, w.name, w.label, r.story_id
ORDER BY r.day, r.article_id;
-- numbers for the names not seen before (a name keeps its number; a rebuild numbers them again)
INSERT INTO rollup_names
SELECT (SELECT COALESCE(MAX(name_id), 0) FROM rollup_names) + row_number() OVER (ORDER BY n.name, n.label), n.name, n.label
FROM (
    SELECT DISTINCT name, label FROM rollup_article_names WHERE article_id IN (SELECT article_id FROM scope_articles)
) AS n
WHERE NOT EXISTS (SELECT 1 FROM rollup_names AS d WHERE d.name = n.name AND d.label = n.label);
