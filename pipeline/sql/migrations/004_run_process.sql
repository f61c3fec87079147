-- The process that writes a run, so that a run whose process died without finishing (killed, out of
-- memory, the machine went down) is told from one still going: the next run marks it 'crashed'. While
-- a run lives, its process holds an exclusive lock on `<database>.run-<run_id>.lock`; host and pid say
-- which process it was.
ALTER TABLE runs ADD COLUMN host VARCHAR;
ALTER TABLE runs ADD COLUMN pid INTEGER;
