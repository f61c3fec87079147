-- The most-covered topics of each week (relevant articles on them, and their stories), for the trend summary.
WITH weekly AS (
    SELECT CAST(date_trunc('week', day) AS DATE) AS week, topic, COUNT(*) AS articles,
           COUNT(DISTINCT story_id) AS stories
    FROM topic_articles
    GROUP BY ALL
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY week ORDER BY articles DESC, topic) AS rank
    FROM weekly
)
SELECT week, topic, articles, stories
FROM ranked
WHERE rank <= $top
ORDER BY week, rank;
