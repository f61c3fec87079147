-- One row per day and source: every stored article, the relevant ones among them, and syndicated copies.
-- The denominator of the subject share and of each topic's share of coverage.
-- Kept by the writer in rollup_source_daily (pipeline/sql/rollups/20_source_daily.sql).
CREATE OR REPLACE VIEW source_daily AS
SELECT day, source, articles, relevant_articles, duplicates
FROM rollup_source_daily;
