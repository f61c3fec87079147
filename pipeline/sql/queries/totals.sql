-- Headline counts for the trend summary.
SELECT
    (SELECT COUNT(*) FROM articles) AS articles,
    (SELECT COUNT(*) FROM relevant_articles) AS relevant,
    (SELECT COUNT(DISTINCT story_id) FROM relevant_articles) AS stories,
    (SELECT COUNT(*) FROM articles WHERE duplicate_of IS NOT NULL) AS duplicates,
    (SELECT COUNT(DISTINCT source) FROM articles) AS sources,
    (SELECT COUNT(*) FROM mentions WHERE actor IS NOT NULL) AS actor_mentions,
    (SELECT COUNT(DISTINCT url) FROM failures) AS failed_urls;
