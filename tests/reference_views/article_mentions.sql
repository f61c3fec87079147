-- One row per entity mention with its character offsets in the article's text, registry actor or not:
-- what the dashboard highlights in the article view.
CREATE OR REPLACE VIEW article_mentions AS
WITH located AS (
    SELECT article_id, actor, surface, label, name, start_char, end_char
    FROM mentions
    WHERE start_char >= 0 AND end_char > start_char
)
SELECT article_id, actor, surface, label, name, start_char, end_char
FROM located;
