-- One row per day and actor: relevant articles naming the actor (each once), and its mentions.
-- Kept by the writer in rollup_actor_daily (pipeline/sql/rollups/22_actor_daily.sql).
CREATE OR REPLACE VIEW actor_daily AS
SELECT
    day,
    actor,
    articles,
    mentions,
    stories      -- syndicated copies counted once
FROM rollup_actor_daily;
