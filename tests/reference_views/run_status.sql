-- One row per flow (ingest, backfill, reprocess): its last run and when it last completed. The dashboard
-- warns when the scheduled flow has not completed for twice its schedule.
CREATE OR REPLACE VIEW run_status AS
WITH ordered AS (
    SELECT *, row_number() OVER (PARTITION BY flow ORDER BY started_at DESC, run_id DESC) AS recency
    FROM runs
),
latest AS (
    SELECT flow, run_id, started_at, finished_at, status, articles_new
    FROM ordered
    WHERE recency = 1
),
per_flow AS (
    SELECT
        flow,
        COUNT(*) AS runs,
        MAX(finished_at) FILTER (WHERE status = 'completed') AS last_success_at
    FROM runs
    GROUP BY flow
)
SELECT
    l.flow,
    l.run_id AS last_run_id,
    l.started_at AS last_started_at,
    l.finished_at AS last_finished_at,
    l.status AS last_status,
    l.articles_new AS last_articles_new,
    p.last_success_at,
    -- minutes since the last completed run (UTC, like every timestamp here); NULL: never completed
    date_diff('minute', p.last_success_at, CAST(timezone('UTC', now()) AS TIMESTAMP)) AS minutes_since_success,
    p.runs
FROM latest AS l
JOIN per_flow AS p USING (flow);
