-- Meetings per day and participant, for trends: the events a participant took part in that day (merged across
-- reports) and the articles that reported them, by held, planned or refused.
CREATE OR REPLACE VIEW meetings_daily AS
SELECT day, participant AS actor, held, COUNT(*) AS meetings, SUM(articles) AS articles
FROM (SELECT day, held, articles, UNNEST(participants) AS participant FROM meeting_events)
GROUP BY day, participant, held;
