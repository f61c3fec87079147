-- Range totals per topic, each story once over the whole range (see actor_totals).
--     SELECT * FROM topic_totals(DATE '2021-10-01', DATE '2021-10-31') ORDER BY stories DESC
CREATE OR REPLACE MACRO topic_totals(start_day, end_day, sources := NULL) AS TABLE
SELECT
    topic,
    COUNT(*) AS articles,
    COUNT(DISTINCT story_id) AS stories
FROM topic_articles
WHERE day BETWEEN start_day AND end_day AND (sources IS NULL OR list_contains(sources, source))
GROUP BY topic;
