-- Each quote of a relevant article of the scope, with the article's day, source, title and URL.
DELETE FROM rollup_quotes WHERE article_id IN (SELECT article_id FROM scope_replaced);
INSERT INTO rollup_quotes
WITH scoped AS (
    SELECT * FROM rollup_articles
    WHERE relevant AND rowid IN (SELECT rowid FROM rollup_articles WHERE article_id IN (SELECT article_id FROM scope_articles))
)
SELECT r.day, r.source, q.speaker, q.actor, q.quote, q.position, r.title, r.url, q.article_id, q.start_char,
       q.speaker_start, q.speaker_end
FROM (SELECT * FROM quotes WHERE rowid IN (SELECT rowid FROM quotes WHERE article_id IN (SELECT article_id FROM scoped))) AS q
JOIN scoped AS r USING (article_id)
ORDER BY r.day, q.article_id, q.position;
