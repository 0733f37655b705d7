-- Rows of every served table, links, artifact files, pending steps, environments.
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE records (
    scope TEXT NOT NULL, entity TEXT NOT NULL, id TEXT NOT NULL,
    version INTEGER NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (scope, entity, id)
);
CREATE TABLE links (
    scope TEXT NOT NULL, rel TEXT NOT NULL, a TEXT NOT NULL, b TEXT NOT NULL,
    PRIMARY KEY (scope, rel, a, b)
);
CREATE INDEX links_b ON links (scope, rel, b);
CREATE TABLE files (
    artifact TEXT NOT NULL, col TEXT NOT NULL, name TEXT NOT NULL,
    sha256 TEXT NOT NULL, bytes BLOB NOT NULL,
    PRIMARY KEY (artifact, col)
);
CREATE TABLE jobs (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, step TEXT NOT NULL, due_ms INTEGER
);
CREATE INDEX jobs_due ON jobs (due_ms);
CREATE TABLE environments (
    name TEXT PRIMARY KEY, seq INTEGER NOT NULL, data TEXT NOT NULL
);
CREATE TABLE connections (
    env TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (env, id)
);
INSERT INTO meta (key, value) VALUES ('rowversion', '1000');
