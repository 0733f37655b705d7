-- What this Ferry sent for a run and never saw answered (`create`, `validate`, `deploy`):
-- the next command reads the run by its id and carries it on instead of starting another.
ALTER TABLE runs ADD COLUMN unconfirmed TEXT;
