-- Business events (an outbox written in the transaction of the run transition that causes
-- them), webhook subscriptions, deliveries and every delivery attempt.
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE, run TEXT NOT NULL, run_seq INTEGER NOT NULL,
    name TEXT NOT NULL, at_ms INTEGER NOT NULL,
    input TEXT NOT NULL, output TEXT NOT NULL, user_id TEXT NOT NULL,
    UNIQUE (run, run_seq)
);
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY, seq INTEGER NOT NULL, url TEXT NOT NULL, events TEXT NOT NULL,
    secret TEXT NOT NULL, headers TEXT NOT NULL, created_ms INTEGER NOT NULL
);
CREATE TABLE deliveries (
    id TEXT PRIMARY KEY, webhook TEXT NOT NULL, event_seq INTEGER NOT NULL,
    run TEXT NOT NULL, run_seq INTEGER NOT NULL, state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, due_ms INTEGER NOT NULL, body TEXT NOT NULL,
    UNIQUE (webhook, event_seq)
);
CREATE INDEX deliveries_pending ON deliveries (state, due_ms);
CREATE TABLE delivery_attempts (
    delivery TEXT NOT NULL, n INTEGER NOT NULL, at_ms INTEGER NOT NULL,
    status INTEGER, error TEXT, duration_ms INTEGER NOT NULL,
    PRIMARY KEY (delivery, n)
);
