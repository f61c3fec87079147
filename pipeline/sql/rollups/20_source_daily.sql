-- source_daily for the days of the scope: every article, the relevant ones, and syndicated copies.
DELETE FROM rollup_source_daily WHERE day IN (SELECT day FROM scope_days);
INSERT INTO rollup_source_daily
WITH threshold AS (
    SELECT CAST(value AS DOUBLE) AS relevance_threshold
    FROM newsmon_settings
    WHERE key = 'relevance_threshold'
)
SELECT
    r.day,
    r.source,
    COUNT(*) AS articles,
    COUNT(*) FILTER (WHERE r.relevance >= t.relevance_threshold) AS relevant_articles,
    COUNT(r.duplicate_of) AS duplicates
FROM rollup_articles AS r
CROSS JOIN threshold AS t
WHERE r.day IN (SELECT day FROM scope_days)
GROUP BY r.day, r.source
ORDER BY r.day, r.source;
