-- The articles the full-text index has yet to take in: the writer adds an article here in the transaction
-- that stores it (or replaces its text), and the run's end indexes these and only these
-- (pipeline/sql/search/update.sql), so that keeping the index current costs what the run added, not what
-- the database holds.
CREATE TABLE search_pending (article_id VARCHAR PRIMARY KEY);
