-- Spike rule: for each window (a day, or a week from Monday) that holds a day the run touched (alert_days),
-- the subject's stories in it (a story and its syndicated copies once) against its baseline, the mean stories
-- per window over the $windows windows before. Parameters: kind ('actor' or 'topic'), subject, days (1 or 7),
-- windows, factor, min_stories, min_baseline.
WITH covered AS (
    SELECT day, story_id, article_id FROM actor_articles WHERE $kind = 'actor' AND actor = $subject
    UNION ALL
    SELECT day, story_id, article_id FROM topic_articles WHERE $kind = 'topic' AND topic = $subject
),
windows AS (
    SELECT DISTINCT CAST(CASE WHEN $days = 7 THEN date_trunc('week', day) ELSE day END AS DATE) AS window_start
    FROM alert_days
),
current AS (
    SELECT w.window_start, COUNT(DISTINCT c.story_id) AS stories, COUNT(DISTINCT c.article_id) AS articles,
           list_sort(list(DISTINCT c.article_id)) AS article_ids
    FROM windows AS w
    JOIN covered AS c ON c.day >= w.window_start AND c.day < w.window_start + $days
    GROUP BY w.window_start
),
earlier AS (
    SELECT w.window_start, COUNT(DISTINCT c.story_id) / $windows AS baseline
    FROM windows AS w
    LEFT JOIN covered AS c ON c.day >= w.window_start - $days * $windows AND c.day < w.window_start
    GROUP BY w.window_start
)
SELECT window_start, window_start + $days - 1 AS window_end, stories, articles, baseline, article_ids
FROM current JOIN earlier USING (window_start)
WHERE stories >= $min_stories AND stories >= $factor * GREATEST(baseline, $min_baseline)
ORDER BY window_start;
