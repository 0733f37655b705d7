-- The sign-in state that survives a restart (device codes, authorization codes, refresh
-- tokens). Data dirs of schema 2 may already have these tables: they were created on first use.
CREATE TABLE IF NOT EXISTS identity_device_codes (
    device_hash TEXT PRIMARY KEY, user_code TEXT NOT NULL UNIQUE,
    client_id TEXT NOT NULL, scope TEXT NOT NULL,
    expires_ms INTEGER NOT NULL, interval_s INTEGER NOT NULL, last_poll_ms INTEGER,
    status TEXT NOT NULL, user_id TEXT
);
CREATE TABLE IF NOT EXISTS identity_auth_codes (
    code_hash TEXT PRIMARY KEY, client_id TEXT NOT NULL, scope TEXT NOT NULL,
    redirect_uri TEXT NOT NULL, challenge TEXT NOT NULL, user_id TEXT NOT NULL,
    expires_ms INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS identity_refresh_tokens (
    token_hash TEXT PRIMARY KEY, client_id TEXT NOT NULL, scope TEXT NOT NULL,
    user_id TEXT NOT NULL, created_ms INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0
);
