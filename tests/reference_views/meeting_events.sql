-- One row per meeting, merged across the articles, outlets and syndicated copies that report it: the same
-- participants, held (or planned, or refused) alike, on the same or an adjacent day (a run of reports each
-- within a day of the one before is one event). `articles`: reports; `outlets`: sources; `stories`: stories
-- (a story and its copies once). `place`: the most reported one; `kind`: the most reported kind.
CREATE OR REPLACE VIEW meeting_events AS
WITH ordered AS (
    SELECT
        *,
        CASE WHEN day - lag(day) OVER (PARTITION BY participants, held ORDER BY day) > 1 THEN 1 ELSE 0 END AS gap
    FROM meeting_reports
),
numbered AS (
    SELECT *, SUM(gap) OVER (PARTITION BY participants, held ORDER BY day ROWS UNBOUNDED PRECEDING) AS event_no
    FROM ordered
),
counted AS (  -- how often each kind and place is reported within its event (the most reported wins; ties: name)
    SELECT *,
           COUNT(*) OVER (PARTITION BY participants, held, event_no, kind) AS kind_n,
           COUNT(*) OVER (PARTITION BY participants, held, event_no, place) AS place_n
    FROM numbered
)
SELECT
    MIN(day) AS day,
    MAX(day) AS last_day,
    arg_max(kind, (kind_n, kind)) AS kind,
    held,
    arg_max(place, (place_n, place)) FILTER (WHERE place IS NOT NULL) AS place,
    participants,
    COUNT(DISTINCT article_id) AS articles,
    COUNT(DISTINCT source) AS outlets,
    COUNT(DISTINCT story_id) AS stories,
    list_sort(list(DISTINCT source)) AS sources,
    list_sort(list(DISTINCT article_id)) AS article_ids,
    arg_min(sentence, (day, article_id, position)) AS sentence,
    md5(list_sort(participants)::VARCHAR || held || MIN(day)::VARCHAR) AS event_id
FROM counted
GROUP BY participants, held, event_no;
