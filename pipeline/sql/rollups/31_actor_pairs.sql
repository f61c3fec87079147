-- actor_pairs for the pairs of the scope's stories, over all days: each total moves by what those stories
-- count now minus what they counted before (00_story_pairs.sql); a pair no article names any more goes.
CREATE OR REPLACE TEMP TABLE pairs_changed AS
WITH after AS (SELECT * FROM scope_story_pairs),
touched AS (SELECT actor_a, actor_b FROM pairs_before UNION SELECT actor_a, actor_b FROM after)
SELECT actor_a, actor_b, SUM(articles) AS articles, SUM(stories) AS stories
FROM (
    SELECT p.actor_a, p.actor_b, p.articles, p.stories
    FROM rollup_actor_pairs AS p
    SEMI JOIN touched AS t ON p.actor_a = t.actor_a AND p.actor_b = t.actor_b
    UNION ALL
    SELECT actor_a, actor_b, -articles, -stories FROM pairs_before
    UNION ALL
    SELECT actor_a, actor_b, articles, stories FROM after
)
GROUP BY actor_a, actor_b;
DELETE FROM rollup_actor_pairs AS p USING pairs_changed AS c WHERE p.actor_a = c.actor_a AND p.actor_b = c.actor_b;
INSERT INTO rollup_actor_pairs
SELECT actor_a, actor_b, CAST(articles AS BIGINT), CAST(stories AS BIGINT)
FROM pairs_changed
WHERE articles > 0
ORDER BY actor_a, actor_b;
