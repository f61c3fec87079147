-- One row per pair of actors named in the same relevant article (actor_a < actor_b).
-- Kept by the writer in rollup_actor_pairs (pipeline/sql/rollups/31_actor_pairs.sql).
CREATE OR REPLACE VIEW actor_pairs AS
SELECT actor_a, actor_b, articles, stories
FROM rollup_actor_pairs;
