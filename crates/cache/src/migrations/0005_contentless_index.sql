-- The full-text index without a second copy of the text (the runs rows have it), with a
-- one-character prefix index, and facet tokens that start with U+E000 (see index.rs); filled
-- again from the runs by the migration's Rust step, in the same transaction.
DROP TRIGGER runs_fts_delete;
DROP TABLE runs_fts;

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
    content = '',
    contentless_delete = 1,
    prefix = '1',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER runs_fts_delete AFTER DELETE ON runs BEGIN
    DELETE FROM runs_fts WHERE rowid = old.order_key;
END;

-- The index's terms, in order: search expands the prefix of a half-typed word into them.
CREATE VIRTUAL TABLE runs_fts_terms USING fts5vocab (runs_fts, instance);
