-- One row per day and topic: relevant articles on the topic.
-- Kept by the writer in rollup_topic_daily (pipeline/sql/rollups/24_topic_daily.sql).
CREATE OR REPLACE VIEW topic_daily AS
SELECT day, topic, articles, stories, mean_score
FROM rollup_topic_daily;
