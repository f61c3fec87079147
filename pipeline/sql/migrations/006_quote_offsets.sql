-- Where a quote and its attribution are in the article: the quote's span (quote marks excluded) and the span
-- of the mention that names its speaker (for "he said", the mention the pronoun stands for; NULL for an
-- unnamed "official"), so that a reader can be shown the attribution. Rows written before this
-- migration keep NULLs until `newsmon backfill --reprocess` rewrites them.
ALTER TABLE quotes ADD COLUMN start_char INTEGER;
ALTER TABLE quotes ADD COLUMN end_char INTEGER;
ALTER TABLE quotes ADD COLUMN speaker_start INTEGER;
ALTER TABLE quotes ADD COLUMN speaker_end INTEGER;
ALTER TABLE rollup_quotes ADD COLUMN start_char INTEGER;
ALTER TABLE rollup_quotes ADD COLUMN speaker_start INTEGER;
ALTER TABLE rollup_quotes ADD COLUMN speaker_end INTEGER;
