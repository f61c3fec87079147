-- The meeting events of every group the scope touched (before or after): the reports of one group (the same
-- participants, held alike) merged into one event while each is within a day of the one before; counted
-- again from all the group's reports, so that a report that bridges two events merges them.
CREATE OR REPLACE TEMP TABLE scope_meeting_groups AS
SELECT participants, held FROM meeting_groups_before
UNION
SELECT participants, held FROM rollup_meeting_reports
WHERE article_id IN (SELECT article_id FROM scope_articles) OR story_id IN (SELECT story_id FROM scope_stories);
DELETE FROM rollup_meeting_events AS e
WHERE EXISTS (SELECT 1 FROM scope_meeting_groups AS g WHERE g.participants = e.participants AND g.held = e.held);
INSERT INTO rollup_meeting_events
WITH reports AS (
    SELECT r.*
    FROM rollup_meeting_reports AS r
    SEMI JOIN scope_meeting_groups AS g ON g.participants = r.participants AND g.held = r.held
),
ordered AS (
    SELECT *, CASE WHEN day - lag(day) OVER (PARTITION BY participants, held ORDER BY day) > 1 THEN 1 ELSE 0 END AS gap
    FROM reports
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
    MIN(day),
    MAX(day),
    arg_max(kind, (kind_n, kind)),
    held,
    arg_max(place, (place_n, place)) FILTER (WHERE place IS NOT NULL),
    participants,
    COUNT(DISTINCT article_id),
    COUNT(DISTINCT source),
    COUNT(DISTINCT story_id),
    list_sort(list(DISTINCT source)),
    list_sort(list(DISTINCT article_id)),
    arg_min(sentence, (day, article_id, position)),
    md5(list_sort(participants)::VARCHAR || held || MIN(day)::VARCHAR)
FROM counted
GROUP BY participants, held, event_no;
