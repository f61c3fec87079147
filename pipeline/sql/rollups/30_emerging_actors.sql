-- emerging_actors for the weeks of the scope, ranked within each week.
DELETE FROM rollup_emerging_actors WHERE week IN (SELECT week FROM scope_weeks);
INSERT INTO rollup_emerging_actors
WITH weekly AS (
    -- an article has one day and one source, so daily counts add up to weekly ones
    SELECT
        CAST(date_trunc('week', day) AS DATE) AS week,
        name,
        label,
        SUM(articles) AS articles,
        SUM(mentions) AS mentions
    FROM rollup_unregistered_daily
    WHERE day BETWEEN (SELECT MIN(week) FROM scope_weeks) AND (SELECT MAX(week) + 6 FROM scope_weeks)
      AND CAST(date_trunc('week', day) AS DATE) IN (SELECT week FROM scope_weeks)
    GROUP BY week, name, label
)
SELECT
    week,
    name,
    label,
    CAST(articles AS BIGINT) AS articles,
    CAST(mentions AS BIGINT) AS mentions,
    row_number() OVER (PARTITION BY week ORDER BY articles DESC, mentions DESC, name, label) AS rank
FROM weekly
ORDER BY week, rank;
