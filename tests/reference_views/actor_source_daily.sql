-- One row per day, source and actor: relevant articles naming the actor (each once) and its mentions.
-- actor_daily split by source, so that the dashboard's source filter applies.
CREATE OR REPLACE VIEW actor_source_daily AS
WITH actor_mentions AS (
    SELECT r.day, r.source, m.actor, r.article_id, r.story_id
    FROM mentions AS m
    JOIN relevant_articles AS r USING (article_id)
    WHERE m.actor IS NOT NULL
)
SELECT
    day,
    source,
    actor,
    COUNT(DISTINCT article_id) AS articles,
    COUNT(*) AS mentions,
    COUNT(DISTINCT story_id) AS stories      -- syndicated copies counted once
FROM actor_mentions
GROUP BY day, source, actor;
