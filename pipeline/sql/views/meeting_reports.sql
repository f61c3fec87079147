-- One row per meeting reported in a relevant article, with the article's day, source, story, title and URL;
-- `day` is the meeting's own day when the text gives it, else the article's.
-- Kept by the writer in rollup_meeting_reports (pipeline/sql/rollups/15_meeting_reports.sql).
CREATE OR REPLACE VIEW meeting_reports AS
SELECT day, day_stated, article_day, source, story_id, article_id, position, kind, held, place, participants,
       sentence, start_char, end_char, title, url
FROM rollup_meeting_reports;
