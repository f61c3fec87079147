-- Reference: straight from relevant_articles. One row per meeting reported in a relevant article, with the article's day, source, story, title and URL;
-- `day` is the meeting's own day when the text gives it, else the article's.
CREATE OR REPLACE VIEW meeting_reports AS
SELECT
    COALESCE(m.day, r.day) AS day,
    m.day IS NOT NULL AS day_stated,
    r.day AS article_day,
    r.source,
    r.story_id,
    m.article_id,
    m.position,
    m.kind,
    CASE WHEN m.kind IN ('met', 'talks', 'call', 'visit') THEN 'held' ELSE m.kind END AS held,
    m.place,
    list_sort(m.participants) AS participants,
    m.sentence,
    m.start_char,
    m.end_char,
    r.title,
    r.url
FROM meetings AS m
JOIN relevant_articles AS r USING (article_id);
