-- One row per relevant article and registry actor it names, with the actor's mentions there.
CREATE OR REPLACE VIEW actor_articles AS
SELECT r.day, r.source, r.story_id, r.article_id, m.actor, COUNT(*) AS mentions
FROM mentions AS m
JOIN relevant_articles AS r USING (article_id)
WHERE m.actor IS NOT NULL
GROUP BY ALL;
