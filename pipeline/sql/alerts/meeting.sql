-- Meeting rule: meeting events of the kinds watched between two or more watched actors, reported by an
-- article the run touched (alert_scope). Parameters: watched (actor names), kinds.
SELECT day, last_day, kind, place, participants, articles, outlets, article_ids, sentence,
       list_sort(list_filter(participants, lambda p: list_contains($watched, p))) AS watched
FROM meeting_events
WHERE list_contains($kinds, kind)
  AND len(list_filter(participants, lambda p: list_contains($watched, p))) >= 2
  AND list_has_any(article_ids, (SELECT list(article_id) FROM alert_scope))
ORDER BY day, watched;
