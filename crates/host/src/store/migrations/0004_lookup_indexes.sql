-- Indexes on the lookups the stage-run state machine makes (records::find): a column inside
-- the row's JSON, compared case-insensitively, for one entity set. Without them each lookup
-- decoded every row of the set (every run of a stage, every solution of an environment).
CREATE INDEX records_by_runs_stage ON records (scope, lower(json_extract(data, '$._deploymentstageid_value')))
    WHERE entity = 'deploymentstageruns';
CREATE INDEX records_by_runs_artifact ON records (scope, lower(json_extract(data, '$._artifactid_value')))
    WHERE entity = 'deploymentstageruns';
CREATE INDEX records_by_runs_name ON records (scope, lower(json_extract(data, '$.artifactname')))
    WHERE entity = 'deploymentstageruns';
CREATE INDEX records_by_statuses_run ON records (scope, lower(json_extract(data, '$._deploymentstagerunid_value')))
    WHERE entity = 'deploymentstagerunstatuses';
CREATE INDEX records_by_solutions_name ON records (scope, lower(json_extract(data, '$.uniquename')))
    WHERE entity = 'solutions';
CREATE INDEX records_by_components_solution ON records (scope, lower(json_extract(data, '$._solutionid_value')))
    WHERE entity = 'solutioncomponents';
CREATE INDEX records_by_publishers_name ON records (scope, lower(json_extract(data, '$.uniquename')))
    WHERE entity = 'publishers';
CREATE INDEX records_by_variable_definitions_name ON records (scope, lower(json_extract(data, '$.schemaname')))
    WHERE entity = 'environmentvariabledefinitions';
CREATE INDEX records_by_variable_values_name ON records (scope, lower(json_extract(data, '$.schemaname')))
    WHERE entity = 'environmentvariablevalues';
CREATE INDEX records_by_connection_references_name ON records (scope, lower(json_extract(data, '$.connectionreferencelogicalname')))
    WHERE entity = 'connectionreferences';
-- An event's sequence within its run is the next after the run's last (outbox::emit).
CREATE INDEX events_run ON events (run, run_seq);
