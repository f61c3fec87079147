-- One row per pair of actors named in the same relevant article (actor_a < actor_b).
CREATE OR REPLACE VIEW actor_pairs AS
WITH article_actors AS (
    SELECT DISTINCT m.article_id, m.actor, r.story_id
    FROM mentions AS m
    JOIN relevant_articles AS r USING (article_id)
    WHERE m.actor IS NOT NULL
)
SELECT
    a.actor AS actor_a,
    b.actor AS actor_b,
    COUNT(DISTINCT a.article_id) AS articles,
    COUNT(DISTINCT a.story_id) AS stories
FROM article_actors AS a
JOIN article_actors AS b
    ON a.article_id = b.article_id AND a.actor < b.actor
GROUP BY a.actor, b.actor;
