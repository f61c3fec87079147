-- unregistered_daily for the days of the scope (a row of rollup_article_names is one article and name).
DELETE FROM rollup_unregistered_daily WHERE day IN (SELECT day FROM scope_days);
INSERT INTO rollup_unregistered_daily
WITH threshold AS (
    SELECT CAST(value AS DOUBLE) AS relevance_threshold
    FROM newsmon_settings
    WHERE key = 'relevance_threshold'
)
SELECT r.day, r.source, r.name, r.label, COUNT(*) AS articles, SUM(r.mentions) AS mentions
FROM rollup_article_names AS r
CROSS JOIN threshold AS t
WHERE r.relevance >= t.relevance_threshold AND r.day IN (SELECT day FROM scope_days)
GROUP BY r.day, r.source, r.name, r.label
ORDER BY r.day, r.source, r.name, r.label;
