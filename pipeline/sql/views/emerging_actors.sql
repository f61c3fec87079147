-- Frequent people and organisations that are NOT in the actor registry, by week: candidates to add to
-- config/actors.toml. Relevant articles only; rank 1 is the week's most-covered unregistered name.
CREATE OR REPLACE VIEW emerging_actors AS
WITH unregistered AS (
    SELECT
        CAST(date_trunc('week', r.day) AS DATE) AS week,
        COALESCE(m.name, m.surface) AS name,
        m.label,
        m.article_id
    FROM mentions AS m
    JOIN relevant_articles AS r USING (article_id)
    WHERE m.actor IS NULL
      AND m.label IN ('PERSON', 'ORG')
      AND length(COALESCE(m.name, m.surface)) > 2
      AND regexp_matches(COALESCE(m.name, m.surface), '^[[:upper:]]')   -- not 'mosques'
),
counted AS (
    SELECT week, name, label, COUNT(DISTINCT article_id) AS articles, COUNT(*) AS mentions
    FROM unregistered
    GROUP BY week, name, label
)
SELECT
    week,
    name,
    label,
    articles,
    mentions,
    row_number() OVER (PARTITION BY week ORDER BY articles DESC, mentions DESC, name) AS rank
FROM counted;
