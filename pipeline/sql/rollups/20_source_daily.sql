-- source_daily for the days and sources of the scope: every article, the relevant ones, and syndicated copies.
DELETE FROM rollup_source_daily WHERE (day, source) IN (SELECT day, source FROM scope_day_sources);
INSERT INTO rollup_source_daily
SELECT
    day,
    source,
    COUNT(*) AS articles,
    COUNT(*) FILTER (WHERE relevant) AS relevant_articles,
    COUNT(duplicate_of) AS duplicates
FROM rollup_articles
WHERE (day, source) IN (SELECT day, source FROM scope_day_sources)
GROUP BY day, source
ORDER BY day, source;
