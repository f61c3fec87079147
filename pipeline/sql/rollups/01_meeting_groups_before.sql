-- The meeting groups (participants, held or planned or refused) that the scope's reports belonged to before
-- they change, and those of its stories (a re-rooting changes their story): recounted in 32_meeting_events.sql.
CREATE OR REPLACE TEMP TABLE meeting_groups_before AS
SELECT DISTINCT participants, held
FROM rollup_meeting_reports
WHERE article_id IN (SELECT article_id FROM scope_replaced)
   OR story_id IN (SELECT story_id FROM scope_stories);
