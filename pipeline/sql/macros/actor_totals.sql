-- Range totals per actor, each story once over the whole range (a story: an original article with its
-- syndicated copies, wherever and whenever they ran): what adding up actor_daily's per-day `stories` would
-- count again for a copy in another outlet or on another day.
-- `sources` (a list) keeps those outlets only; without it, every outlet.
--     SELECT * FROM actor_totals(DATE '2021-10-01', DATE '2021-10-31') ORDER BY stories DESC
CREATE OR REPLACE MACRO actor_totals(start_day, end_day, sources := NULL) AS TABLE
SELECT
    actor,
    COUNT(*) AS articles,                       -- relevant articles naming the actor (each once)
    COUNT(DISTINCT story_id) AS stories,
    CAST(SUM(mentions) AS BIGINT) AS mentions
FROM actor_articles
WHERE day BETWEEN start_day AND end_day AND (sources IS NULL OR list_contains(sources, source))
GROUP BY actor;
