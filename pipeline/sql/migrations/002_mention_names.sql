-- The name a mention resolves to within its article: the canonical actor, or, for a person outside the
-- registry named by surname after a full mention, that full name; else the surface. Lets the
-- emerging_actors view count "Okafor" and "Daniel Okafor" as one person.
ALTER TABLE mentions ADD COLUMN name VARCHAR;
UPDATE mentions SET name = COALESCE(actor, surface);
