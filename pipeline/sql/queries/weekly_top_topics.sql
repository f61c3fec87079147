-- The most-covered topics of each week (relevant articles on them), for the trend summary.
WITH weekly AS (
    SELECT CAST(date_trunc('week', day) AS DATE) AS week, topic, SUM(articles) AS articles
    FROM topic_daily
    GROUP BY ALL
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY week ORDER BY articles DESC, topic) AS rank
    FROM weekly
)
SELECT week, topic, articles
FROM ranked
WHERE rank <= $top
ORDER BY week, rank;
