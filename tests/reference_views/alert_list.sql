-- One row per alert with its deliveries counted per status and summarised per channel.
CREATE OR REPLACE VIEW alert_list AS
SELECT a.alert_id, a.fired_at, a.rule, a.kind, a.subject, a.window_start, a.window_end, a.detail,
       len(a.article_ids) AS articles, a.article_ids,
       (SELECT COUNT(*) FROM alert_deliveries AS d WHERE d.alert_id = a.alert_id AND d.status = 'delivered') AS delivered,
       (SELECT COUNT(*) FROM alert_deliveries AS d WHERE d.alert_id = a.alert_id AND d.status = 'pending') AS pending,
       COALESCE((SELECT string_agg(d.channel || ': ' || d.status || CASE WHEN d.status = 'pending' AND d.attempts > 0
                                   THEN ' after ' || d.attempts || ' attempts (' || COALESCE(d.last_error, '') || ')'
                                   ELSE '' END, '; ' ORDER BY d.channel)
                 FROM alert_deliveries AS d WHERE d.alert_id = a.alert_id), 'no channel') AS deliveries,
       a.run_id
FROM alerts AS a;
