-- One row per day, source and name of a person or organisation NOT in the actor registry, in relevant
-- articles: the base of emerging_actors, and of the dashboard's Emerging actors page.
-- Kept by the writer in rollup_unregistered_daily (pipeline/sql/rollups/25_unregistered_daily.sql).
CREATE OR REPLACE VIEW unregistered_daily AS
SELECT
    day,
    source,
    name,
    label,
    articles,
    mentions,
    name_id      -- one number per name and label: what the dashboard groups by
FROM rollup_unregistered_daily;
