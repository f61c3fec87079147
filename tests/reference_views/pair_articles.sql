-- One row per pair of registry actors (actor_a < actor_b) and relevant article naming both: the articles
-- behind actor_pairs, with day and source so that any date range and set of sources can be counted.
CREATE OR REPLACE VIEW pair_articles AS
WITH article_actors AS (
    SELECT DISTINCT m.article_id, m.actor
    FROM mentions AS m
    JOIN relevant_articles AS r USING (article_id)
    WHERE m.actor IS NOT NULL
),
pairs AS (
    SELECT a.actor AS actor_a, b.actor AS actor_b, a.article_id
    FROM article_actors AS a
    JOIN article_actors AS b
        ON a.article_id = b.article_id AND a.actor < b.actor
)
SELECT
    p.actor_a,
    p.actor_b,
    p.article_id,
    r.day,
    r.source,
    r.title,
    r.url,
    r.story_id
FROM pairs AS p
JOIN relevant_articles AS r USING (article_id);
