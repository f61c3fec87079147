-- The most reported meetings held each week, for the trend summary: participants, kind, place, articles.
WITH weekly AS (
    SELECT
        CAST(date_trunc('week', day) AS DATE) AS week,
        participants,
        kind,
        place,
        articles,
        row_number() OVER (PARTITION BY date_trunc('week', day) ORDER BY articles DESC, participants) AS rank
    FROM meeting_events
    WHERE held = 'held'
)
SELECT week, participants, kind, place, articles
FROM weekly
WHERE rank <= $top
ORDER BY week, rank;
