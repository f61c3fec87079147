-- One row per relevant article and name it gives: a registry actor (`registered`), or a person or organisation
-- outside the registry with the label the model gave it (the names of unregistered_daily). The base of the
-- dashboard's actor profile, for either kind of name.
-- Kept by the writer in rollup_article_actors and rollup_article_names (pipeline/sql/rollups/11_, 13_).
CREATE OR REPLACE VIEW name_articles AS
SELECT day, source, story_id, article_id, actor AS name, TRUE AS registered, CAST(NULL AS VARCHAR) AS label, mentions
FROM rollup_article_actors
UNION ALL
SELECT day, source, story_id, article_id, name, FALSE AS registered, label, mentions
FROM rollup_article_names;
