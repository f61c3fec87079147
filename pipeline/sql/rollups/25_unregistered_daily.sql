-- unregistered_daily for the days of the scope (a row of rollup_article_names is one article and name).
DELETE FROM rollup_unregistered_daily WHERE day IN (SELECT day FROM scope_days);
INSERT INTO rollup_unregistered_daily
SELECT day, source, name, label, COUNT(*) AS articles, SUM(mentions) AS mentions
FROM rollup_article_names
WHERE day IN (SELECT day FROM scope_days)
GROUP BY day, source, name, label
ORDER BY day, source, name, label;
