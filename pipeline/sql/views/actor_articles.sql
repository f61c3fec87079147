-- One row per relevant article and registry actor it names: the article's day, source and story (the
-- original article of a syndicated copy), and the actor's mentions there. Range totals count from here
-- (actor_totals: each story once over the range).
-- Kept by the writer in rollup_article_actors (pipeline/sql/rollups/11_article_actors.sql).
CREATE OR REPLACE VIEW actor_articles AS
SELECT day, source, story_id, article_id, actor, mentions
FROM rollup_article_actors;
