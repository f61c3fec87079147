-- Meetings an article reports (pipeline/meetings.py): who, what kind, where, when, and the sentence that says
-- so. One row per meeting in one article; the views merge the reports of one meeting (meeting_events).
CREATE TABLE meetings (
    article_id   VARCHAR NOT NULL,
    position     INTEGER NOT NULL,               -- order in the article
    kind         VARCHAR NOT NULL,               -- met, talks, call, visit (held); planned; refused
    day          DATE,                           -- the day the text gives, NULL when it gives none
    place        VARCHAR,                        -- the city or country the text gives, NULL when none
    participants VARCHAR[] NOT NULL,             -- canonical actors, else names as written, in name order
    sentence     VARCHAR NOT NULL,               -- the evidence
    start_char   INTEGER NOT NULL,               -- where the sentence is in the article's text
    end_char     INTEGER NOT NULL
);
