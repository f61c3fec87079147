-- One row per stored article with its full text: what the dashboard's article view shows.
CREATE OR REPLACE VIEW article_detail AS
WITH listed AS (
    SELECT article_id, day, relevant, actors, topics
    FROM article_list
)
SELECT
    a.article_id,
    l.day,
    a.source,
    a.title,
    a.url,
    a.author,
    a.published_at,
    a.relevance,
    l.relevant,
    a.duplicate_of,
    l.actors,
    l.topics,
    a.text
FROM articles AS a
JOIN listed AS l USING (article_id);
