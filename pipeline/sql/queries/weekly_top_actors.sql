-- The most-covered actors of each week (relevant articles naming them), for the trend summary.
WITH weekly AS (
    SELECT CAST(date_trunc('week', day) AS DATE) AS week, actor, SUM(articles) AS articles
    FROM actor_daily
    GROUP BY ALL
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY week ORDER BY articles DESC, actor) AS rank
    FROM weekly
)
SELECT week, actor, articles
FROM ranked
WHERE rank <= $top
ORDER BY week, rank;
