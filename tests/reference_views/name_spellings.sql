-- One row per relevant article, name and spelling, with its mentions.
CREATE OR REPLACE VIEW name_spellings AS
SELECT r.day, r.source, r.article_id, m.actor AS name, TRUE AS registered, CAST(NULL AS VARCHAR) AS label,
       m.surface AS spelling, COUNT(*) AS mentions
FROM mentions AS m
JOIN relevant_articles AS r USING (article_id)
WHERE m.actor IS NOT NULL
GROUP BY ALL
UNION ALL
SELECT r.day, r.source, r.article_id, COALESCE(m.name, m.surface) AS name, FALSE AS registered, m.label,
       m.surface AS spelling, COUNT(*) AS mentions
FROM mentions AS m
JOIN relevant_articles AS r USING (article_id)
WHERE m.actor IS NULL
  AND m.label IN ('PERSON', 'ORG')
  AND length(COALESCE(m.name, m.surface)) > 2
  AND regexp_matches(COALESCE(m.name, m.surface), '^[[:upper:]]')
GROUP BY ALL;
