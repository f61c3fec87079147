-- Co-mention rule: two watched actors named together in a relevant article the run touched (alert_scope),
-- and in no other relevant article of that day or before: the first time the press puts them side by side
-- (an evaluation over a window of days finds the pairs first named together in it).
-- Parameters: watched (actor names).
WITH pairs AS (
    SELECT a.actor AS first, b.actor AS second, a.article_id, a.day
    FROM actor_articles AS a
    JOIN actor_articles AS b ON a.article_id = b.article_id AND a.actor < b.actor
    WHERE list_contains($watched, a.actor) AND list_contains($watched, b.actor)
),
found AS (
    SELECT first, second, MIN(day) AS window_start, MAX(day) AS window_end, COUNT(DISTINCT article_id) AS articles,
           list_sort(list(DISTINCT article_id)) AS article_ids
    FROM pairs
    WHERE article_id IN (SELECT article_id FROM alert_scope)
    GROUP BY first, second
)
SELECT f.*
FROM found AS f
WHERE NOT EXISTS (
    SELECT 1 FROM pairs AS p
    WHERE p.first = f.first AND p.second = f.second AND p.day <= f.window_end
      AND p.article_id NOT IN (SELECT article_id FROM alert_scope)
)
ORDER BY first, second;
