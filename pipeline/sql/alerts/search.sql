-- Search rule: articles the run touched (alert_scope) whose title or text holds every pattern (a word or a
-- phrase of the query, case-insensitive, whole words), one row per story (an original with its copies).
-- Parameters: patterns (regular expressions), relevant_only.
SELECT COALESCE(l.duplicate_of, l.article_id) AS story_id, MIN(l.day) AS window_start, MAX(l.day) AS window_end,
       arg_min(l.title, l.day) AS title, string_agg(DISTINCT l.source, ', ' ORDER BY l.source) AS sources,
       list_sort(list(l.article_id)) AS article_ids
FROM article_list AS l
JOIN articles AS a USING (article_id)
WHERE l.article_id IN (SELECT article_id FROM alert_scope)
  AND (l.relevant OR NOT $relevant_only)
  AND len(list_filter($patterns, lambda p: NOT regexp_matches(a.title || ' ' || a.text, p))) = 0
GROUP BY ALL
ORDER BY window_start, story_id;
