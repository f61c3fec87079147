-- One row per relevant article and topic it is on.
CREATE OR REPLACE VIEW topic_articles AS
SELECT r.day, r.source, r.story_id, r.article_id, t.topic
FROM article_topics AS t
JOIN relevant_articles AS r USING (article_id);
