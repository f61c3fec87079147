-- One row per relevant article, name and spelling: how an article wrote a registry actor or an unregistered
-- person or organisation (`label`: the model's, NULL for a registry actor), with its mentions. The actor
-- profile's "Spellings matched".
-- Kept by the writer in rollup_article_actors and rollup_article_names (pipeline/sql/rollups/11_, 13_).
CREATE OR REPLACE VIEW name_spellings AS
WITH registered AS (
    SELECT day, source, article_id, actor AS name, UNNEST(spellings) AS s FROM rollup_article_actors
),
unregistered AS (
    SELECT day, source, article_id, name, label, UNNEST(spellings) AS s FROM rollup_article_names
)
SELECT day, source, article_id, name, TRUE AS registered, CAST(NULL AS VARCHAR) AS label, s.spelling,
       s.mentions
FROM registered
UNION ALL
SELECT day, source, article_id, name, FALSE AS registered, label, s.spelling, s.mentions
FROM unregistered;
