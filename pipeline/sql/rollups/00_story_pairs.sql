-- The pairs of registry actors in the stories the scope touches, counted over those stories' articles: read
-- before the scope's rows change (pairs_before) and again after them (in 31_actor_pairs.sql). Stories share
-- no article, so a pair's articles and stories over all days are its counts in the other stories plus these:
-- the per-pair totals change by after minus before, without recounting every stored pair.
CREATE OR REPLACE TEMP VIEW scope_story_pairs AS
SELECT actor_a, actor_b, COUNT(*) AS articles, COUNT(DISTINCT story_id) AS stories
FROM rollup_article_pairs
WHERE story_id IN (SELECT story_id FROM scope_stories)
GROUP BY actor_a, actor_b;
CREATE OR REPLACE TEMP TABLE pairs_before AS SELECT * FROM scope_story_pairs;
