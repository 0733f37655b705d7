-- Schema 1: Ferry's first local cache.
-- Times are TEXT in one fixed UTC form (YYYY-MM-DDTHH:MM:SS.ffffffZ) so they sort as text.
-- Host option-set values are stored as the host's integer codes, next to the host's label.

CREATE TABLE schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
);

CREATE TABLE profiles (
    id                  TEXT PRIMARY KEY,
    display_name        TEXT NOT NULL,
    kind                TEXT NOT NULL,
    authority           TEXT NOT NULL,
    tenant              TEXT,
    client_id           TEXT NOT NULL,
    host_url            TEXT NOT NULL,
    dev_environment_id  TEXT,
    dev_environment_url TEXT,
    is_active           INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE UNIQUE INDEX profiles_one_active ON profiles (is_active) WHERE is_active = 1;

-- Snapshot of the host's deploymentenvironment rows.
CREATE TABLE environments (
    profile_id                TEXT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    deployment_environment_id TEXT NOT NULL,
    name                      TEXT NOT NULL,
    environment_id            TEXT NOT NULL,
    environment_type          INTEGER NOT NULL,
    validation_status         INTEGER,
    error_message             TEXT,
    url                       TEXT,
    synced_at                 TEXT NOT NULL,
    PRIMARY KEY (profile_id, deployment_environment_id)
);

-- Snapshot of a dev environment's unmanaged solutions.
CREATE TABLE solutions (
    profile_id            TEXT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    environment_id        TEXT NOT NULL,
    solution_id           TEXT NOT NULL,
    unique_name           TEXT NOT NULL,
    friendly_name         TEXT NOT NULL,
    version               TEXT NOT NULL,
    is_managed            INTEGER NOT NULL,
    publisher_unique_name TEXT,
    modified_on           TEXT,
    synced_at             TEXT NOT NULL,
    PRIMARY KEY (profile_id, environment_id, solution_id)
);

-- Snapshot of deploymentpipeline rows and their deploymentstage rows, in stage order.
CREATE TABLE pipelines (
    profile_id                 TEXT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    pipeline_id                TEXT NOT NULL,
    name                       TEXT NOT NULL,
    description                TEXT,
    deployment_type            INTEGER NOT NULL DEFAULT 0,
    enable_ai_deployment_notes INTEGER NOT NULL DEFAULT 0,
    enable_redeployment        INTEGER NOT NULL DEFAULT 0,
    state_code                 INTEGER NOT NULL DEFAULT 0,
    synced_at                  TEXT NOT NULL,
    PRIMARY KEY (profile_id, pipeline_id)
);

CREATE TABLE stages (
    profile_id                       TEXT NOT NULL,
    pipeline_id                      TEXT NOT NULL,
    stage_id                         TEXT NOT NULL,
    position                         INTEGER NOT NULL,
    name                             TEXT NOT NULL,
    description                      TEXT,
    previous_stage_id                TEXT,
    target_deployment_environment_id TEXT,
    target_environment_name          TEXT,
    target_environment_id            TEXT,
    pre_deployment_step_required     INTEGER NOT NULL DEFAULT 0,
    pre_export_step_required         INTEGER NOT NULL DEFAULT 0,
    is_delegated_deployment          INTEGER NOT NULL DEFAULT 0,
    state_code                       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (profile_id, stage_id),
    FOREIGN KEY (profile_id, pipeline_id) REFERENCES pipelines (profile_id, pipeline_id)
        ON DELETE CASCADE
);
CREATE INDEX stages_by_pipeline ON stages (profile_id, pipeline_id, position);

-- Every deploymentstagerun the client created or synced, with local additions.
-- sort_time = createdon (else when first seen); order_key = its Unix microseconds, bumped to stay
-- unique: history is ordered by it, and it is the rowid of the run's full-text row, so a search
-- walks the index newest first and stops at the page's end.
CREATE TABLE runs (
    key                              INTEGER PRIMARY KEY,
    profile_id                       TEXT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    id                               TEXT NOT NULL,
    name                             TEXT,
    stage_id                         TEXT NOT NULL,
    stage_name                       TEXT,
    pipeline_id                      TEXT,
    pipeline_name                    TEXT,
    dev_deployment_environment_id    TEXT,
    target_deployment_environment_id TEXT,
    target_environment_name          TEXT,
    dev_environment_id               TEXT,
    target_environment_id            TEXT,
    artifact_name                    TEXT NOT NULL,
    solution_id                      TEXT,
    artifact_id                      TEXT,
    artifact_dev_current_version     TEXT,
    artifact_version                 TEXT,
    is_redeployment                  INTEGER,
    maker_ai_notes_language_code     TEXT,
    deployment_notes                 TEXT,
    ai_generated_deployment_notes    TEXT,
    deployment_settings_json         TEXT,
    scheduled_time                   TEXT,
    stage_run_status                 INTEGER NOT NULL,
    stage_run_status_label           TEXT,
    operation                        INTEGER,
    operation_label                  TEXT,
    sub_operation                    INTEGER,
    sub_operation_label              TEXT,
    operation_status                 INTEGER,
    operation_status_label           TEXT,
    operation_details                TEXT,
    validation_results               TEXT,
    error_message                    TEXT,
    start_time                       TEXT,
    end_time                         TEXT,
    retry_count                      INTEGER,
    approval_status                  INTEGER,
    pre_deployment_step_status       INTEGER,
    post_deployment_step_status      INTEGER,
    pre_export_step_status           INTEGER,
    is_canceled                      INTEGER,
    state_code                       INTEGER,
    status_code                      INTEGER,
    created_on                       TEXT,
    created_by                       TEXT,
    modified_on                      TEXT,
    version_number                   TEXT,
    artifact_hash                    TEXT,
    is_terminal                      INTEGER NOT NULL,
    sort_time                        TEXT NOT NULL,
    order_key                        INTEGER NOT NULL UNIQUE,
    first_seen_at                    TEXT NOT NULL,
    last_synced_at                   TEXT NOT NULL,
    UNIQUE (profile_id, id)
);
CREATE INDEX runs_history ON runs (profile_id, order_key DESC);
CREATE INDEX runs_latest ON runs (profile_id, artifact_name COLLATE NOCASE, stage_id, order_key, stage_run_status);
CREATE INDEX runs_unfinished ON runs (profile_id) WHERE is_terminal = 0;
CREATE INDEX runs_modified ON runs (profile_id, modified_on);

-- One row per observed transition of a run.
CREATE TABLE run_timeline (
    seq                        INTEGER PRIMARY KEY,
    run_key                    INTEGER NOT NULL REFERENCES runs (key) ON DELETE CASCADE,
    at                         TEXT NOT NULL,
    observed_at                TEXT NOT NULL,
    stage_run_status           INTEGER NOT NULL,
    stage_run_status_label     TEXT,
    operation                  INTEGER,
    sub_operation              INTEGER,
    sub_operation_label        TEXT,
    operation_status           INTEGER,
    approval_status            INTEGER,
    pre_deployment_step_status INTEGER,
    pre_export_step_status     INTEGER,
    detail                     TEXT
);
CREATE INDEX run_timeline_by_run ON run_timeline (run_key, seq);

-- Values last used per solution x stage, redacted.
CREATE TABLE stage_profiles (
    profile_id        TEXT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    solution_name     TEXT NOT NULL COLLATE NOCASE,
    stage_id          TEXT NOT NULL,
    values_json       TEXT NOT NULL,
    source_run_id     TEXT,
    updated_at        TEXT NOT NULL,
    PRIMARY KEY (profile_id, solution_name, stage_id)
);

-- Environment variables known to be of type Secret; their values are never stored.
CREATE TABLE secret_variables (
    profile_id  TEXT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    schema_name TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (profile_id, schema_name)
);

-- Incremental sync positions (for example the last modifiedon seen per profile).
CREATE TABLE sync_bookmarks (
    profile_id TEXT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    scope      TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (profile_id, scope)
);

-- Full-text index over runs; rowid = runs.order_key, maintained by the runs module.
-- `facets` holds one opaque token per filterable value (profile, solution, stage, status), so
-- filters are answered by the index too (see search.rs).
CREATE VIRTUAL TABLE runs_fts USING fts5 (
    artifact_name,
    stage_name,
    pipeline_name,
    target_environment_name,
    artifact_version,
    status_label,
    deployment_notes,
    error_message,
    validation_messages,
    created_by,
    facets,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER runs_fts_delete AFTER DELETE ON runs BEGIN
    DELETE FROM runs_fts WHERE rowid = old.order_key;
END;
