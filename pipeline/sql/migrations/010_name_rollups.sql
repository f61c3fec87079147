-- The profile's spellings and an unregistered name's stories straight from the per-article rollups:
-- each registry actor's and each unregistered name's spellings in an article (as written, with their
-- mentions), and an unregistered name's story, so that no profile query scans every mention or joins every
-- name to its article. Filled by the rollup rebuild this migration's new rollup SQL brings about.
ALTER TABLE rollup_article_actors ADD COLUMN spellings STRUCT(spelling VARCHAR, mentions BIGINT)[];
ALTER TABLE rollup_article_names ADD COLUMN story_id VARCHAR;
ALTER TABLE rollup_article_names ADD COLUMN spellings STRUCT(spelling VARCHAR, mentions BIGINT)[];
