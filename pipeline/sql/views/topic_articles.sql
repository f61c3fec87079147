-- One row per relevant article and topic it is on: the article's day, source and story. Range totals
-- count from here (topic_totals: each story once over the range).
-- Kept by the writer in rollup_articles (pipeline/sql/rollups/10_articles.sql).
CREATE OR REPLACE VIEW topic_articles AS
SELECT day, source, story_id, article_id, UNNEST(topics) AS topic
FROM rollup_articles
WHERE relevant;
