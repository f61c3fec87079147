-- Names outside the actor registry, in relevant articles since $since: the candidates `newsmon actors
-- suggest` prints for config/actors.toml. One row per name seen in at least $min_articles articles
-- (a story and its copies count once), with its spellings and two places it was seen (the earliest and the
-- latest article, with the mention's offsets, so that the caller can cut out the sentence). A name the model
-- labelled both ways is one candidate, with its more frequent label.
WITH unregistered AS (
    SELECT
        COALESCE(m.name, m.surface) AS name,
        m.label,
        m.surface,
        m.start_char,
        m.end_char,
        r.article_id,
        r.story_id,
        r.day,
        r.source
    FROM mentions AS m
    JOIN relevant_articles AS r USING (article_id)
    WHERE m.actor IS NULL
      AND m.label IN ('PERSON', 'ORG')   -- places (GPE) are where things happen; states are all registered
      AND length(COALESCE(m.name, m.surface)) > 2
      AND regexp_matches(COALESCE(m.name, m.surface), '^[[:upper:]]')
      AND ($since IS NULL OR r.day >= $since)
),
named AS (
    SELECT
        name,
        mode(label) AS label,
        COUNT(DISTINCT story_id) AS stories,
        COUNT(DISTINCT article_id) AS articles,
        COUNT(*) AS mentions,
        MIN(day) AS first_day,
        MAX(day) AS last_day,
        list_sort(list_distinct(list(surface))) AS spellings,
        arg_min(struct_pack(article_id, source, day, start_char, end_char), (day, article_id, start_char)) AS first_seen,
        arg_max(struct_pack(article_id, source, day, start_char, end_char), (day, article_id, -start_char)) AS last_seen
    FROM unregistered
    GROUP BY name
)
SELECT *
FROM named
WHERE stories >= $min_articles
ORDER BY stories DESC, mentions DESC, name
LIMIT $limit;
