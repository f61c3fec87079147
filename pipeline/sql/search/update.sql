-- Bring the full-text index (the fts extension's tables in fts_main_articles, built once by
-- create_fts_index) up to date with the articles in search_pending, exactly as a rebuild would have it:
-- the same tokenizer, stop words and stemmer (the index's own macro and table), each document's terms and
-- length, each term's document frequency, and the collection's statistics that BM25 reads. Documents whose
-- text was replaced leave the counts first. Touches the pending articles' rows, the terms they use and the
-- one-row statistics; match_bm25 then ranks as over a rebuilt index (tests/test_search_index.py).
CREATE OR REPLACE TEMP TABLE search_gone AS
    SELECT d.docid FROM fts_main_articles.docs AS d JOIN search_pending AS p ON d.name = p.article_id;

UPDATE fts_main_articles.dict SET df = dict.df - gone.n
FROM (
    SELECT termid, COUNT(DISTINCT docid) AS n FROM fts_main_articles.terms
    WHERE docid IN (SELECT docid FROM search_gone) AND (SELECT COUNT(*) FROM search_gone) > 0
    GROUP BY termid
) AS gone
WHERE dict.termid = gone.termid;

DELETE FROM fts_main_articles.terms
WHERE (SELECT COUNT(*) FROM search_gone) > 0 AND docid IN (SELECT docid FROM search_gone);

DELETE FROM fts_main_articles.docs WHERE docid IN (SELECT docid FROM search_gone);

CREATE OR REPLACE TEMP TABLE search_new AS
    SELECT
        (SELECT COALESCE(MAX(docid), -1) FROM fts_main_articles.docs)
            + row_number() OVER (ORDER BY a.article_id) AS docid,
        a.article_id AS name, a.title, a.text
    FROM articles AS a
    -- by row id: the texts of the pending rows only, not a scan of every stored text
    WHERE a.rowid IN (SELECT rowid FROM articles WHERE article_id IN (SELECT article_id FROM search_pending));

CREATE OR REPLACE TEMP TABLE search_tokens AS
    SELECT docid, fieldid, stem(w, 'porter') AS term
    FROM (
        SELECT docid, 0 AS fieldid, UNNEST(fts_main_articles.tokenize(title)) AS w FROM search_new
        UNION ALL
        SELECT docid, 1 AS fieldid, UNNEST(fts_main_articles.tokenize(text)) AS w FROM search_new
    )
    WHERE w NOT IN (SELECT sw FROM fts_main_articles.stopwords) AND w <> '';

INSERT INTO fts_main_articles.dict (termid, term, df)
SELECT (SELECT COALESCE(MAX(termid), -1) FROM fts_main_articles.dict) + row_number() OVER (ORDER BY term), term, 0
FROM (SELECT DISTINCT term FROM search_tokens)
WHERE term NOT IN (SELECT term FROM fts_main_articles.dict);

CREATE OR REPLACE TEMP TABLE search_postings AS
    SELECT t.docid, t.fieldid, d.termid FROM search_tokens AS t JOIN fts_main_articles.dict AS d USING (term);

INSERT INTO fts_main_articles.terms (docid, fieldid, termid) SELECT docid, fieldid, termid FROM search_postings;

UPDATE fts_main_articles.dict SET df = dict.df + added.n
FROM (SELECT termid, COUNT(DISTINCT docid) AS n FROM search_postings GROUP BY termid) AS added
WHERE dict.termid = added.termid;

INSERT INTO fts_main_articles.docs (docid, name, len)
SELECT n.docid, n.name, COUNT(p.termid) FROM search_new AS n LEFT JOIN search_postings AS p USING (docid)
GROUP BY n.docid, n.name;

DELETE FROM fts_main_articles.stats;
INSERT INTO fts_main_articles.stats SELECT COUNT(docid), SUM(len) / COUNT(len) FROM fts_main_articles.docs;

DELETE FROM search_pending;
DROP TABLE search_gone;
DROP TABLE search_new;
DROP TABLE search_tokens;
DROP TABLE search_postings;
