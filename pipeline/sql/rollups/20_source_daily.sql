-- source_daily for the days of the scope: every article, the relevant ones, and syndicated copies.
DELETE FROM rollup_source_daily WHERE day IN (SELECT day FROM scope_days);
INSERT INTO rollup_source_daily
SELECT
    day,
    source,
    COUNT(*) AS articles,
    COUNT(*) FILTER (WHERE relevant) AS relevant_articles,
    COUNT(duplicate_of) AS duplicates
FROM rollup_articles
WHERE day IN (SELECT day FROM scope_days)
GROUP BY day, source
ORDER BY day, source;
