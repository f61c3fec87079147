-- One row per day, source and pair of registry actors (actor_a < actor_b): relevant articles naming both
-- (each once) and stories. pair_articles counted per day, so that a range is counted by adding days up.
-- Kept by the writer in rollup_pair_source_daily (pipeline/sql/rollups/26_pair_source_daily.sql).
CREATE OR REPLACE VIEW pair_source_daily AS
SELECT day, source, actor_a, actor_b, articles, stories
FROM rollup_pair_source_daily;
