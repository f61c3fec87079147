-- Deliveries still owed: each pending one with its alert and the alert's articles (title, URL, outlet, day).
SELECT d.alert_id, d.channel, d.attempts, a.rule, a.kind, a.subject, a.fired_at, a.window_start, a.window_end,
       a.detail,
       (SELECT list({'article_id': l.article_id, 'title': l.title, 'url': l.url, 'source': l.source,
                     'day': CAST(l.day AS VARCHAR)} ORDER BY l.day, l.article_id)
        FROM article_list AS l WHERE list_contains(a.article_ids, l.article_id)) AS articles
FROM alert_deliveries AS d
JOIN alerts AS a USING (alert_id)
WHERE d.status = 'pending'
ORDER BY a.fired_at, d.alert_id, d.channel;
