-- How long each phase of a stage run took when Ferry watched it, as bounds: the phase was
-- still running `lo_ms` after it started and had ended by `hi_ms`. The watch loop reads a run
-- when its phase is likely to have ended instead of on a fixed clock.
CREATE TABLE phase_durations (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    profile_id  TEXT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    phase       TEXT NOT NULL,
    lo_ms       INTEGER NOT NULL CHECK (lo_ms >= 0),
    hi_ms       INTEGER NOT NULL CHECK (hi_ms >= lo_ms),
    recorded_at TEXT NOT NULL
);
CREATE INDEX phase_durations_latest ON phase_durations (profile_id, phase, seq DESC);
