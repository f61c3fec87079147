-- Each meeting reported in a relevant article of the scope, with the article's day, source, story, title
-- and URL; the day is the meeting's when the text gives it, else the article's.
DELETE FROM rollup_meeting_reports WHERE article_id IN (SELECT article_id FROM scope_replaced);
INSERT INTO rollup_meeting_reports
SELECT
    COALESCE(m.day, r.day),
    m.day IS NOT NULL,
    r.day,
    r.source,
    r.story_id,
    m.article_id,
    m.position,
    m.kind,
    CASE WHEN m.kind IN ('met', 'talks', 'call', 'visit') THEN 'held' ELSE m.kind END,
    m.place,
    list_sort(m.participants),
    m.sentence,
    m.start_char,
    m.end_char,
    r.title,
    r.url
FROM (SELECT * FROM meetings WHERE rowid IN (SELECT rowid FROM meetings WHERE article_id IN (SELECT article_id FROM scope_articles))) AS m
JOIN (SELECT * FROM rollup_articles WHERE rowid IN (SELECT rowid FROM rollup_articles WHERE article_id IN (SELECT article_id FROM scope_articles))) AS r
    USING (article_id)
WHERE r.relevant;
