-- New-name rule: a person or organisation outside the actor registry named in at least $min_stories stories
-- in a week (from Monday) the run touched, first seen no more than $max_age days before that week.
-- Parameters: labels (the model's labels to watch), min_stories, max_age.
WITH weeks AS (
    SELECT DISTINCT CAST(date_trunc('week', day) AS DATE) AS window_start FROM alert_days
),
counted AS (
    SELECT w.window_start, n.name, MIN(n.label) AS label, COUNT(DISTINCT n.story_id) AS stories,
           COUNT(DISTINCT n.article_id) AS articles, list_sort(list(DISTINCT n.article_id)) AS article_ids
    FROM weeks AS w
    JOIN name_articles AS n ON n.day >= w.window_start AND n.day < w.window_start + 7
    WHERE NOT n.registered AND list_contains($labels, n.label)
    GROUP BY w.window_start, n.name
    HAVING COUNT(DISTINCT n.story_id) >= $min_stories
),
first_seen AS (
    SELECT name, MIN(day) AS first_seen
    FROM name_articles
    WHERE NOT registered AND name IN (SELECT name FROM counted)
    GROUP BY name
)
SELECT c.window_start, c.window_start + 6 AS window_end, c.name, c.label, c.stories, c.articles, f.first_seen,
       c.article_ids
FROM counted AS c JOIN first_seen AS f USING (name)
WHERE f.first_seen >= c.window_start - $max_age
ORDER BY c.window_start, c.stories DESC, c.name;
