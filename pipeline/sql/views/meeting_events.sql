-- One row per meeting, merged across the articles, outlets and syndicated copies that report it: the same
-- participants, held (or planned, or refused) alike, on the same or an adjacent day (a run of reports each
-- within a day of the one before is one event). `articles`: reports; `outlets`: sources; `stories`: stories
-- (a story and its copies once). `place`: the most reported one; `kind`: the most reported kind.
-- Kept by the writer in rollup_meeting_events (pipeline/sql/rollups/32_meeting_events.sql).
CREATE OR REPLACE VIEW meeting_events AS
SELECT day, last_day, kind, held, place, participants, articles, outlets, stories, sources, article_ids, sentence,
       event_id
FROM rollup_meeting_events;
