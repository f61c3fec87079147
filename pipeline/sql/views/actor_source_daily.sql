-- One row per day, source and actor: relevant articles naming the actor (each once) and its mentions.
-- actor_daily split by source, so that the dashboard's source filter applies.
-- Kept by the writer in rollup_actor_source_daily (pipeline/sql/rollups/21_actor_source_daily.sql).
CREATE OR REPLACE VIEW actor_source_daily AS
SELECT
    day,
    source,
    actor,
    articles,
    mentions,
    stories      -- syndicated copies counted once
FROM rollup_actor_source_daily;
