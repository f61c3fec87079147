-- One row per alert, newest first, with where it was delivered: `delivered` and `pending` count channels,
-- `deliveries` says per channel ("team-webhook: delivered; desk-email: pending after 2 attempts (timeout)").
CREATE OR REPLACE VIEW alert_list AS
WITH sent AS (
    SELECT alert_id,
           COUNT(*) FILTER (WHERE status = 'delivered') AS delivered,
           COUNT(*) FILTER (WHERE status = 'pending') AS pending,
           string_agg(channel || ': ' || status
                      || CASE WHEN status = 'pending' AND attempts > 0
                              THEN ' after ' || attempts || ' attempts (' || COALESCE(last_error, '') || ')'
                              ELSE '' END,
                      '; ' ORDER BY channel) AS deliveries
    FROM alert_deliveries
    GROUP BY alert_id
)
SELECT a.alert_id, a.fired_at, a.rule, a.kind, a.subject, a.window_start, a.window_end, a.detail,
       len(a.article_ids) AS articles, a.article_ids, COALESCE(s.delivered, 0) AS delivered,
       COALESCE(s.pending, 0) AS pending, COALESCE(s.deliveries, 'no channel') AS deliveries, a.run_id
FROM alerts AS a
LEFT JOIN sent AS s USING (alert_id);
