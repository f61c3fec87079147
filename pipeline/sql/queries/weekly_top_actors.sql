-- The most-covered actors of each week (relevant articles naming them, and their stories: each story once in
-- the week however many outlets or days carried a copy), for the trend summary.
WITH weekly AS (
    SELECT CAST(date_trunc('week', day) AS DATE) AS week, actor, COUNT(*) AS articles,
           COUNT(DISTINCT story_id) AS stories
    FROM actor_articles
    GROUP BY ALL
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY week ORDER BY articles DESC, actor) AS rank
    FROM weekly
)
SELECT week, actor, articles, stories
FROM ranked
WHERE rank <= $top
ORDER BY week, rank;
