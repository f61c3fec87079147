-- One row per attributed direct quote in a relevant article, with the article's day, source, title and URL.
-- Kept by the writer in rollup_quotes (pipeline/sql/rollups/14_quotes.sql).
CREATE OR REPLACE VIEW quote_list AS
SELECT
    day,
    source,
    speaker,
    actor,                   -- the canonical actor, NULL when the speaker is not in the registry
    quote,
    position,
    title,
    url,
    article_id,
    start_char,              -- where the quote is in the article's text
    speaker_start,           -- where the mention naming the speaker is (NULL: "he said", or unnamed)
    speaker_end
FROM rollup_quotes;
