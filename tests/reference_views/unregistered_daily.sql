-- One row per day, source and name of a person or organisation NOT in the actor registry, in relevant
-- articles: the base of emerging_actors, and of the dashboard's Emerging actors page.
CREATE OR REPLACE VIEW unregistered_daily AS
WITH unregistered AS (
    SELECT
        r.day,
        r.source,
        COALESCE(m.name, m.surface) AS name,
        m.label,
        m.article_id
    FROM mentions AS m
    JOIN relevant_articles AS r USING (article_id)
    WHERE m.actor IS NULL
      AND m.label IN ('PERSON', 'ORG')
      AND length(COALESCE(m.name, m.surface)) > 2
      AND regexp_matches(COALESCE(m.name, m.surface), '^[[:upper:]]')   -- not 'mosques'
)
SELECT
    day,
    source,
    name,
    label,
    COUNT(DISTINCT article_id) AS articles,
    COUNT(*) AS mentions
FROM unregistered
GROUP BY day, source, name, label;
