-- Frequent people and organisations that are NOT in the actor registry, by week: candidates to add to
-- config/actors.toml. Relevant articles only; rank 1 is the week's most-covered unregistered name.
CREATE OR REPLACE VIEW emerging_actors AS
WITH weekly AS (
    -- an article has one day and one source, so daily counts add up to weekly ones
    SELECT
        CAST(date_trunc('week', day) AS DATE) AS week,
        name,
        label,
        SUM(articles) AS articles,
        SUM(mentions) AS mentions
    FROM unregistered_daily
    GROUP BY week, name, label
)
SELECT
    week,
    name,
    label,
    CAST(articles AS BIGINT) AS articles,
    CAST(mentions AS BIGINT) AS mentions,
    row_number() OVER (PARTITION BY week ORDER BY articles DESC, mentions DESC, name, label) AS rank
FROM weekly;
