-- One row per pair of registry actors (actor_a < actor_b) and relevant article naming both: the articles
-- behind actor_pairs, with day and source so that any date range and set of sources can be counted.
-- The pairs are kept by the writer in rollup_article_pairs (pipeline/sql/rollups/12_article_pairs.sql).
CREATE OR REPLACE VIEW pair_articles AS
SELECT
    p.actor_a,
    p.actor_b,
    p.article_id,
    p.day,
    p.source,
    r.title,
    r.url,
    p.story_id
FROM rollup_article_pairs AS p
JOIN rollup_articles AS r USING (article_id);
