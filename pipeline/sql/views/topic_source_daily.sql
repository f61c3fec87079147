-- One row per day, source and topic: relevant articles on the topic. topic_daily split by source.
-- Kept by the writer in rollup_topic_source_daily (pipeline/sql/rollups/23_topic_source_daily.sql).
CREATE OR REPLACE VIEW topic_source_daily AS
SELECT day, source, topic, articles, stories, mean_score
FROM rollup_topic_source_daily;
