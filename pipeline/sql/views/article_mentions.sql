-- One row per entity mention with its character offsets in the article's text, registry actor or not:
-- what the dashboard highlights in the article view. Kept by the writer with the article's row in
-- rollup_articles (pipeline/sql/rollups/10_articles.sql), where one article's mentions are found at once.
CREATE OR REPLACE VIEW article_mentions AS
WITH located AS (
    SELECT article_id, UNNEST(spans, recursive := true)
    FROM rollup_articles
)
SELECT article_id, actor, surface, label, name, start_char, end_char
FROM located;
