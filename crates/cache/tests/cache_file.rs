//! The cache on a real file in a temp directory: migrations, reopen, refusals, WAL concurrency,
//! redaction on disk, and the history queries end to end.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use ferry_cache::codes::stage_run_status as s;
use ferry_cache::migrations::{APPLICATION_ID, LATEST};
use ferry_cache::redact::REDACTED;
use ferry_cache::*;
use serde_json::json;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

fn profile(id: &str) -> Profile {
    Profile {
        id: id.into(),
        display_name: id.into(),
        kind: ProfileKind::LocalSandbox,
        authority: "http://127.0.0.1:1/identity".into(),
        tenant: None,
        client_id: "ferry".into(),
        host_url: "http://127.0.0.1:1".into(),
        dev_environment_id: None,
        dev_environment_url: None,
        details: "{}".into(),
    }
}

fn run(id: &str, solution: &str, stage: &str, status: i32, created: OffsetDateTime) -> StageRun {
    StageRun {
        id: id.into(),
        stage_id: stage.into(),
        stage_name: Some(format!("{stage} stage")),
        artifact_name: solution.into(),
        stage_run_status: status,
        created_on: Some(created),
        modified_on: Some(created),
        ..StageRun::default()
    }
}

/// How many runs match (the exact count, asked for).
fn count(c: &Cache, q: &HistoryQuery) -> u64 {
    let q = HistoryQuery {
        with_total: true,
        ..q.clone()
    };
    let total = c.history(&q).unwrap().total.expect("asked for a total");
    assert!(total.exact);
    total.count
}

fn fresh(dir: &Path) -> Cache {
    let mut c = Cache::open(dir.join("data").join("cache.sqlite")).unwrap();
    c.save_profile(&profile("local")).unwrap();
    c
}

fn file_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir.join("data")).unwrap() {
        all.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn migrates_from_empty_and_reopens_with_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data").join("cache.sqlite");
    {
        let mut c = Cache::open(&path).unwrap();
        assert_eq!(c.schema_version().unwrap(), LATEST);
        assert_eq!(c.journal_mode().unwrap(), "wal");
        c.save_profile(&profile("local")).unwrap();
        c.upsert_run(
            "local",
            &run("r1", "sol", "st", s::SUCCEEDED, OffsetDateTime::now_utc()),
        )
        .unwrap();
    }
    let c = Cache::open(&path).unwrap();
    assert_eq!(c.path(), path);
    assert_eq!(c.profiles().unwrap().len(), 1);
    assert_eq!(
        c.run("local", "r1").unwrap().unwrap().run.stage_run_status,
        s::SUCCEEDED
    );
    assert_eq!(c.timeline("local", "r1").unwrap().len(), 1);
    let raw = rusqlite::Connection::open(&path).unwrap();
    let applied: i64 = raw
        .query_row("SELECT count(*) FROM schema_migrations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        applied, LATEST,
        "each migration is recorded once, not again on reopen"
    );
}

#[test]
fn newer_schema_is_refused_and_the_file_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite");
    drop(Cache::open(&path).unwrap());
    {
        let raw = rusqlite::Connection::open(&path).unwrap();
        raw.pragma_update(None, "user_version", LATEST + 3).unwrap();
        raw.pragma_update(None, "journal_mode", "DELETE").unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Cache::open(&path).unwrap_err();
    match &err {
        CacheError::NewerSchema {
            found, supported, ..
        } => {
            assert_eq!((*found, *supported), (LATEST + 3, LATEST));
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains("update Ferry") && msg.contains("newer version"),
        "{msg}"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the refused file must not change"
    );
}

#[test]
fn foreign_and_non_database_files_are_refused_with_advice() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.db");
    {
        let raw = rusqlite::Connection::open(&other).unwrap();
        raw.execute_batch("CREATE TABLE t (x); PRAGMA user_version = 7;")
            .unwrap();
    }
    assert!(matches!(
        Cache::open(&other),
        Err(CacheError::ForeignDatabase { .. })
    ));

    let text = dir.path().join("notes.txt");
    std::fs::write(
        &text,
        "this is not a database, just some text that is long enough....",
    )
    .unwrap();
    let err = Cache::open(&text).unwrap_err();
    assert!(matches!(err, CacheError::Open { .. }), "{err:?}");
    assert!(err.to_string().contains("move it away"), "{err}");
}

#[test]
fn application_id_marks_the_file_as_ferrys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite");
    drop(Cache::open(&path).unwrap());
    let raw = rusqlite::Connection::open(&path).unwrap();
    let app: i64 = raw
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(app, APPLICATION_ID);
}

#[test]
fn readers_are_not_blocked_by_a_writer_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data").join("cache.sqlite");
    let mut c = fresh(dir.path());
    c.upsert_run(
        "local",
        &run(
            "before",
            "sol",
            "st",
            s::SUCCEEDED,
            OffsetDateTime::now_utc(),
        ),
    )
    .unwrap();

    // A writer holds an open write transaction with an uncommitted run.
    let mut writer = rusqlite::Connection::open(&path).unwrap();
    let tx = writer
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .unwrap();
    tx.execute("UPDATE runs SET artifact_name = 'uncommitted'", [])
        .unwrap();

    // A second cache (another process, say) reads without waiting and sees committed data.
    let reader = Cache::open(&path).unwrap();
    let started = std::time::Instant::now();
    let page = reader.history(&HistoryQuery::default()).unwrap();
    assert!(
        started.elapsed() < BUSY_TIMEOUT / 2,
        "the read must not wait for the writer"
    );
    assert_eq!(page.runs.len(), 1);
    assert_eq!(page.runs[0].run.artifact_name, "sol");
    tx.rollback().unwrap();

    // And many writes in one thread while another keeps reading: no busy errors, monotonic counts.
    let done = Arc::new(AtomicBool::new(false));
    let reader_path = path.clone();
    let reader_done = done.clone();
    let reader = std::thread::spawn(move || {
        let c = Cache::open(&reader_path).unwrap();
        let mut last = 0;
        let mut reads = 0;
        while !reader_done.load(Ordering::Relaxed) || reads == 0 {
            let q = HistoryQuery {
                profile_id: Some("local".into()),
                ..HistoryQuery::default()
            };
            let total = count(&c, &q);
            assert!(total >= last, "a reader never sees rows disappear");
            last = total;
            reads += 1;
        }
        reads
    });
    let t0 = datetime!(2026-01-01 0:00 UTC);
    for i in 0..200 {
        let r = run(
            &format!("w{i}"),
            "sol",
            "st",
            s::DEPLOYING,
            t0 + Duration::seconds(i),
        );
        c.upsert_run("local", &r).unwrap();
    }
    done.store(true, Ordering::Relaxed);
    let reads = reader.join().unwrap();
    assert!(reads > 0);
    assert_eq!(count(&c, &HistoryQuery::default()), 201);
}

#[test]
fn every_table_survives_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data").join("cache.sqlite");
    let env = Environment {
        deployment_environment_id: "reg-1".into(),
        name: "Dev".into(),
        environment_id: "bap-1".into(),
        environment_type: 200_000_000,
        validation_status: Some(200_000_001),
        error_message: None,
        url: None,
    };
    let sol = Solution {
        solution_id: "s1".into(),
        unique_name: "sol".into(),
        friendly_name: "Sol".into(),
        version: "1.0.0.0".into(),
        is_managed: false,
        publisher_unique_name: None,
        modified_on: Some(datetime!(2026-01-01 0:00 UTC)),
    };
    let pipeline = Pipeline {
        pipeline_id: "pl".into(),
        name: "ALM".into(),
        description: None,
        deployment_type: 0,
        enable_ai_deployment_notes: false,
        enable_redeployment: true,
        state_code: 0,
        stages: vec![Stage {
            stage_id: "st".into(),
            name: "Test".into(),
            description: None,
            previous_stage_id: None,
            target_deployment_environment_id: Some("reg-2".into()),
            target_environment_name: Some("Test".into()),
            target_environment_id: None,
            pre_deployment_step_required: true,
            pre_export_step_required: false,
            is_delegated_deployment: false,
            state_code: 0,
        }],
    };
    let sp = StageProfile {
        solution_name: "sol".into(),
        stage_id: "st".into(),
        environment_variables: vec![],
        connection_references: vec![StageConnection {
            logical_name: "cr".into(),
            connection_id: "c1".into(),
            connector_id: None,
        }],
        deployment_notes: None,
        source_run_id: None,
        updated_at: None,
    };
    {
        let mut c = fresh(dir.path());
        c.set_active_profile("local").unwrap();
        c.replace_environments("local", std::slice::from_ref(&env))
            .unwrap();
        c.replace_solutions("local", "bap-1", std::slice::from_ref(&sol))
            .unwrap();
        c.replace_pipelines("local", std::slice::from_ref(&pipeline))
            .unwrap();
        c.save_stage_profile("local", &sp).unwrap();
        c.upsert_run(
            "local",
            &run("r1", "sol", "st", s::SUCCEEDED, OffsetDateTime::now_utc()),
        )
        .unwrap();
        c.set_bookmark("local", RUNS_MODIFIED_ON, "2026-01-01T00:00:00.000000Z")
            .unwrap();
        c.mark_secret_variables("local", &["x_Secret"]).unwrap();
    }
    let c = Cache::open(&path).unwrap();
    assert_eq!(c.active_profile().unwrap().unwrap(), profile("local"));
    assert_eq!(c.environments("local").unwrap(), vec![env]);
    assert_eq!(c.solutions("local", "bap-1").unwrap(), vec![sol]);
    assert_eq!(c.pipelines("local").unwrap(), vec![pipeline]);
    let got = c.stage_profile("local", "sol", "st").unwrap().unwrap();
    assert_eq!(got.connection_references, sp.connection_references);
    assert!(c.run("local", "r1").unwrap().is_some());
    assert_eq!(c.timeline("local", "r1").unwrap().len(), 1);
    assert_eq!(
        c.time_bookmark("local", RUNS_MODIFIED_ON).unwrap(),
        Some(datetime!(2026-01-01 0:00 UTC))
    );
    assert_eq!(c.secret_variables("local").unwrap(), ["x_secret"]);
}

#[test]
fn a_secret_value_never_reaches_the_file() {
    const SECRET: &str = "hunter2-TOP-SECRET-value";
    const VAULT: &str =
        "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/secrets/VAULTED";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data").join("cache.sqlite");
    {
        let mut c = fresh(dir.path());
        // The stage profile says the variable is a Secret.
        c.save_stage_profile(
            "local",
            &StageProfile {
                solution_name: "sol".into(),
                stage_id: "st".into(),
                environment_variables: vec![StageVariable {
                    schema_name: "contoso_ApiKey".into(),
                    kind: VariableKind::Secret,
                    value: Some(SECRET.into()),
                }],
                connection_references: vec![],
                deployment_notes: None,
                source_run_id: None,
                updated_at: None,
            },
        )
        .unwrap();
        // The run's settings carry the same variable, untyped, as the host stores them, plus a
        // Key Vault reference for a variable the cache does not know.
        let settings = json!({
            "EnvironmentVariables": [
                {"SchemaName": "contoso_ApiKey", "Value": SECRET},
                {"SchemaName": "contoso_Vaulted", "Value": VAULT},
                {"SchemaName": "contoso_BaseUrl", "Value": "https://visible.example.invalid"}
            ],
            "ConnectionReferences": []
        })
        .to_string();
        let mut r = run("r1", "sol", "st", s::SUCCEEDED, OffsetDateTime::now_utc());
        r.deployment_settings_json = Some(settings.clone());
        c.upsert_run("local", &r).unwrap();
        // Double-encoded, as some hosts return it, in a second run.
        let mut r2 = run("r2", "sol", "st", s::SUCCEEDED, OffsetDateTime::now_utc());
        r2.deployment_settings_json = Some(serde_json::Value::String(settings).to_string());
        c.upsert_run("local", &r2).unwrap();

        let stored = c
            .run("local", "r1")
            .unwrap()
            .unwrap()
            .run
            .deployment_settings_json
            .unwrap();
        let doc: serde_json::Value = serde_json::from_str(&stored).unwrap();
        assert_eq!(doc["EnvironmentVariables"][0]["Value"], REDACTED);
        assert_eq!(doc["EnvironmentVariables"][1]["Value"], REDACTED);
        assert_eq!(
            doc["EnvironmentVariables"][2]["Value"],
            "https://visible.example.invalid"
        );
        // Search does not find it either.
        let q = HistoryQuery {
            text: Some("hunter2".into()),
            ..HistoryQuery::default()
        };
        assert_eq!(count(&c, &q), 0);
    }
    // With the cache closed, WAL and all, no byte of the secret is anywhere in the directory.
    let bytes = file_bytes(dir.path());
    assert!(!bytes.is_empty());
    assert!(
        !contains(&bytes, "hunter2"),
        "secret value found in the cache files"
    );
    assert!(
        !contains(&bytes, "VAULTED"),
        "key vault reference found in the cache files"
    );
    assert!(
        contains(&bytes, "visible.example.invalid"),
        "the check must be able to see text"
    );
    drop(path);
}

#[test]
fn a_secret_marked_after_the_fact_is_scrubbed_from_the_file() {
    const SECRET: &str = "late-secret-QWERTY";
    let dir = tempfile::tempdir().unwrap();
    {
        let mut c = fresh(dir.path());
        let mut r = run("r1", "sol", "st", s::SUCCEEDED, OffsetDateTime::now_utc());
        r.deployment_settings_json = Some(
            json!({"EnvironmentVariables": [{"SchemaName": "Late", "Value": SECRET}]}).to_string(),
        );
        c.upsert_run("local", &r).unwrap();
        c.mark_secret_variables("local", &["late"]).unwrap();
        let stored = c
            .run("local", "r1")
            .unwrap()
            .unwrap()
            .run
            .deployment_settings_json
            .unwrap();
        assert!(!stored.contains(SECRET));
    }
    // The WAL was checkpointed at close, and secure_delete zeroed the old page content.
    assert!(!contains(&file_bytes(dir.path()), "QWERTY"));
}

fn seeded(dir: &Path) -> Cache {
    let mut c = fresh(dir);
    c.save_profile(&profile("other")).unwrap();
    let t0 = datetime!(2026-02-01 9:00 UTC);
    let mut runs = Vec::new();
    for i in 0..30i64 {
        let solution = if i % 3 == 0 {
            "contoso_Core"
        } else {
            "fabrikam_Portal"
        };
        let stage = if i % 2 == 0 {
            "stage-test"
        } else {
            "stage-prod"
        };
        let status = match i % 5 {
            0 => s::FAILED,
            1 => s::CANCELED,
            _ => s::SUCCEEDED,
        };
        let mut r = run(
            &format!("run-{i:02}"),
            solution,
            stage,
            status,
            t0 + Duration::hours(i),
        );
        r.stage_name = Some(if i % 2 == 0 { "Test" } else { "Production" }.into());
        r.deployment_notes = Some(format!("release number {i}"));
        runs.push(r);
    }
    c.upsert_runs("local", &runs).unwrap();
    c.upsert_run(
        "other",
        &run("x", "contoso_Core", "stage-test", s::FAILED, t0),
    )
    .unwrap();
    c
}

fn ids(page: &HistoryPage) -> Vec<String> {
    page.runs.iter().map(|r| r.run.id.clone()).collect()
}

#[test]
fn history_is_newest_first_and_pages() {
    let dir = tempfile::tempdir().unwrap();
    let c = seeded(dir.path());
    let mut q = HistoryQuery {
        profile_id: Some("local".into()),
        limit: 7,
        with_total: true,
        ..Default::default()
    };
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let page = c.history(&q).unwrap();
        assert_eq!(page.total.map(|t| t.count), Some(30));
        seen.extend(ids(&page));
        pages += 1;
        match page.next_offset {
            Some(next) => q.offset = next,
            None => break,
        }
    }
    assert_eq!(pages, 5);
    let expected: Vec<String> = (0..30).rev().map(|i| format!("run-{i:02}")).collect();
    assert_eq!(seen, expected);
    // Past the end: empty page, no next.
    q.offset = 100;
    let page = c.history(&q).unwrap();
    assert!(page.runs.is_empty() && page.next_offset.is_none());
    // Without a profile filter every profile's runs are listed.
    assert_eq!(count(&c, &HistoryQuery::default()), 31);
}

#[test]
fn history_filters_combine() {
    let dir = tempfile::tempdir().unwrap();
    let c = seeded(dir.path());
    let base = HistoryQuery {
        profile_id: Some("local".into()),
        limit: 100,
        ..Default::default()
    };
    let count = |q: HistoryQuery| count(&c, &q);
    assert_eq!(
        count(HistoryQuery {
            solution: Some("CONTOSO_core".into()),
            ..base.clone()
        }),
        10
    );
    assert_eq!(
        count(HistoryQuery {
            stage: Some("production".into()),
            ..base.clone()
        }),
        15
    );
    assert_eq!(
        count(HistoryQuery {
            stage: Some("stage-test".into()),
            ..base.clone()
        }),
        15
    );
    assert_eq!(
        count(HistoryQuery {
            statuses: vec![s::FAILED],
            ..base.clone()
        }),
        6
    );
    assert_eq!(
        count(HistoryQuery {
            statuses: vec![s::FAILED, s::CANCELED],
            ..base.clone()
        }),
        12
    );
    // i in {0, 6, 12, 18, 24}: contoso, test stage; failed when i % 5 == 0 → 0 only.
    let q = HistoryQuery {
        solution: Some("contoso_Core".into()),
        stage: Some("Test".into()),
        statuses: vec![s::FAILED],
        ..base.clone()
    };
    assert_eq!(ids(&c.history(&q).unwrap()), ["run-00"]);
    // Text and filters together: "number 1*" prefix-matches 1 and 10..19; of those, the ones
    // with i % 5 not 0 (failed) or 1 (canceled) succeeded.
    let q = HistoryQuery {
        text: Some("number 1".into()),
        statuses: vec![s::SUCCEEDED],
        ..base.clone()
    };
    let got = ids(&c.history(&q).unwrap());
    assert_eq!(
        got,
        ["run-19", "run-18", "run-17", "run-14", "run-13", "run-12"]
    );
    // Text that is FTS5 syntax is taken literally, never an error.
    for weird in ["\"", "AND", "release OR", "NEAR(", "*", "col:release"] {
        let q = HistoryQuery {
            text: Some(weird.into()),
            ..base.clone()
        };
        c.history(&q).unwrap_or_else(|e| panic!("{weird:?}: {e}"));
    }
}

#[test]
fn resync_is_idempotent_and_keeps_every_transition() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data").join("cache.sqlite");
    let t0 = datetime!(2026-03-01 10:00 UTC);
    let states = [
        s::NOT_STARTED,
        s::VALIDATING,
        s::VALIDATION_SUCCEEDED,
        s::DEPLOYING,
    ];
    {
        let mut c = fresh(dir.path());
        for (i, st) in states.iter().enumerate() {
            let mut r = run("r1", "sol", "st", *st, t0);
            r.modified_on = Some(t0 + Duration::seconds(i as i64));
            c.upsert_run("local", &r).unwrap();
        }
        assert_eq!(c.unfinished_runs("local").unwrap().len(), 1);
        // The process dies here (drop without anything else).
    }
    let mut c = Cache::open(&path).unwrap();
    let pending = c.unfinished_runs("local").unwrap();
    assert_eq!(pending.len(), 1, "resume finds the run");
    // A full history re-sync brings the same row again, then the final state, then again.
    let mut last = run("r1", "sol", "st", s::DEPLOYING, t0);
    last.modified_on = Some(t0 + Duration::seconds(3));
    assert!(c.upsert_run("local", &last).unwrap().transition.is_none());
    last.stage_run_status = s::SUCCEEDED;
    last.modified_on = Some(t0 + Duration::seconds(9));
    assert!(c.upsert_run("local", &last).unwrap().transition.is_some());
    for _ in 0..3 {
        let out = c.upsert_run("local", &last).unwrap();
        assert!(!out.inserted && out.transition.is_none());
    }
    let statuses: Vec<i32> = c
        .timeline("local", "r1")
        .unwrap()
        .iter()
        .map(|e| e.stage_run_status)
        .collect();
    assert_eq!(statuses, [states.as_slice(), &[s::SUCCEEDED]].concat());
    assert!(c.unfinished_runs("local").unwrap().is_empty());
    assert_eq!(count(&c, &HistoryQuery::default()), 1);
}

#[test]
fn two_writers_on_one_file_wait_for_each_other_instead_of_failing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data").join("cache.sqlite");
    drop(fresh(dir.path()));
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut c = Cache::open(&path).unwrap();
                let t0 = datetime!(2026-01-01 0:00 UTC);
                for i in 0..100 {
                    let r = run(&format!("w{w}-{i}"), "sol", "st", s::SUCCEEDED, t0);
                    c.upsert_run("local", &r).unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let c = Cache::open(&path).unwrap();
    assert_eq!(count(&c, &HistoryQuery::default()), 200);
}

#[test]
fn a_cache_can_move_to_another_thread() {
    fn assert_send<T: Send>() {}
    assert_send::<Cache>();
    let c = Cache::open_in_memory().unwrap();
    let version = std::thread::spawn(move || c.schema_version().unwrap())
        .join()
        .unwrap();
    assert_eq!(version, LATEST);
}

#[test]
fn deleting_a_profile_removes_everything_cached_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = fresh(dir.path());
    c.save_profile(&profile("keep")).unwrap();
    let t0 = datetime!(2026-01-01 0:00 UTC);
    c.upsert_run("local", &run("gone", "sol", "st", s::FAILED, t0))
        .unwrap();
    c.upsert_run("keep", &run("kept", "sol", "st", s::FAILED, t0))
        .unwrap();
    c.set_bookmark("local", RUNS_MODIFIED_ON, "x").unwrap();
    assert!(c.delete_profile("local").unwrap());
    assert!(c.run("local", "gone").unwrap().is_none());
    assert!(c.timeline("local", "gone").unwrap().is_empty());
    assert_eq!(c.bookmark("local", RUNS_MODIFIED_ON).unwrap(), None);
    let q = HistoryQuery {
        text: Some("sol".into()),
        ..HistoryQuery::default()
    };
    let page = c.history(&q).unwrap();
    assert_eq!(ids(&page), ["kept"]);
}

#[test]
fn an_unusable_data_directory_is_reported_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, "a file where the data directory should be").unwrap();
    let err = Cache::open(blocker.join("cache.sqlite")).unwrap_err();
    assert!(matches!(err, CacheError::Directory { .. }), "{err:?}");
    assert!(err.to_string().contains("data directory"), "{err}");
}

#[test]
fn processes_opening_a_new_file_at_once_migrate_it_exactly_once() {
    for _ in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data").join("cache.sqlite");
        let barrier = Arc::new(std::sync::Barrier::new(4));
        let openers: Vec<_> = (0..4)
            .map(|_| {
                let (path, barrier) = (path.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    Cache::open(&path).map(|c| c.schema_version().unwrap())
                })
            })
            .collect();
        for o in openers {
            assert_eq!(o.join().unwrap().unwrap(), LATEST);
        }
        let raw = rusqlite::Connection::open(&path).unwrap();
        let applied: i64 = raw
            .query_row("SELECT count(*) FROM schema_migrations", [], |r| r.get(0))
            .unwrap();
        assert_eq!(applied, LATEST);
    }
}
