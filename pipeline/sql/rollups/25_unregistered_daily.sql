-- unregistered_daily for the days and sources of the scope (a row of rollup_article_names is one article and name).
DELETE FROM rollup_unregistered_daily WHERE (day, source) IN (SELECT day, source FROM scope_day_sources);
INSERT INTO rollup_unregistered_daily
SELECT r.day, r.source, r.name, r.label, COUNT(*) AS articles, SUM(r.mentions) AS mentions, n.name_id
FROM rollup_article_names AS r
JOIN rollup_names AS n USING (name, label)
WHERE (r.day, r.source) IN (SELECT day, source FROM scope_day_sources)
GROUP BY r.day, r.source, r.name, r.label, n.name_id
ORDER BY r.day, r.source, r.name, r.label;
