-- Frequent people and organisations that are NOT in the actor registry, by week: candidates to add to
-- config/actors.toml. Relevant articles only; rank 1 is the week's most-covered unregistered name (ties:
-- more mentions, then name, then label).
-- Kept by the writer in rollup_emerging_actors (pipeline/sql/rollups/30_emerging_actors.sql).
CREATE OR REPLACE VIEW emerging_actors AS
SELECT week, name, label, articles, mentions, rank
FROM rollup_emerging_actors;
