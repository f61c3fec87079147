-- One row per attributed direct quote in a relevant article, with the article's day, source, title and URL.
CREATE OR REPLACE VIEW quote_list AS
WITH quoted AS (
    SELECT q.article_id, q.speaker, q.actor, q.quote, q.position
    FROM quotes AS q
)
SELECT
    r.day,
    r.source,
    q.speaker,
    q.actor,                 -- the canonical actor, NULL when the speaker is not in the registry
    q.quote,
    q.position,
    r.title,
    r.url,
    q.article_id
FROM quoted AS q
JOIN relevant_articles AS r USING (article_id);
