//! The runner against real SQLite files and in-memory databases.

use super::*;

const APP: i64 = 0x5445_5354;

fn log(tx: &Transaction<'_>, m: &Migration<String>) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO log (version, name) VALUES (?1, ?2)",
        rusqlite::params![m.version, m.name],
    )
    .map(drop)
}

fn fill(tx: &Transaction<'_>) -> Result<(), String> {
    tx.execute("INSERT INTO b (x) SELECT x FROM a", [])
        .map(drop)
        .map_err(|e| e.to_string())
}

fn refuse(_: &Transaction<'_>) -> Result<(), String> {
    Err("the store said no".to_string())
}

const STEPS: &[Migration<String>] = &[
    Migration {
        version: 1,
        name: "first",
        sql: "CREATE TABLE log (version INTEGER PRIMARY KEY, name TEXT NOT NULL);
              CREATE TABLE a (x); INSERT INTO a VALUES (1), (2);",
        then: None,
    },
    Migration {
        version: 2,
        name: "second",
        sql: "CREATE TABLE b (x);",
        then: Some(fill),
    },
];

fn schema(migrations: &[Migration<String>]) -> Schema<'_, String> {
    Schema {
        application_id: APP,
        unstamped_up_to: 0,
        migrations,
        log,
    }
}

fn header(c: &Connection) -> (i64, i64) {
    c.query_row(
        "SELECT (SELECT application_id FROM pragma_application_id()),
                (SELECT user_version FROM pragma_user_version())",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

fn count(c: &Connection, sql: &str) -> i64 {
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn an_empty_database_gets_every_step_its_log_and_the_stamp() {
    let mut c = Connection::open_in_memory().unwrap();
    assert_eq!(schema(STEPS).migrate(&mut c).unwrap(), [1, 2]);
    assert_eq!(header(&c), (APP, 2));
    assert_eq!(count(&c, "SELECT count(*) FROM log"), 2);
    assert_eq!(
        count(&c, "SELECT count(*) FROM b"),
        2,
        "the step's `then` ran"
    );
    assert!(schema(STEPS).migrate(&mut c).unwrap().is_empty());
}

#[test]
fn an_older_database_gets_only_the_steps_it_lacks() {
    let mut c = Connection::open_in_memory().unwrap();
    schema(&STEPS[..1]).migrate(&mut c).unwrap();
    assert_eq!(header(&c), (APP, 1));
    assert_eq!(schema(STEPS).migrate(&mut c).unwrap(), [2]);
    assert_eq!(header(&c), (APP, 2));
}

#[test]
fn a_failing_step_is_rolled_back_and_the_earlier_ones_stay() {
    let steps = [
        STEPS[0],
        Migration {
            version: 2,
            name: "broken",
            sql: "CREATE TABLE half_done (x); THIS IS NOT SQL;",
            then: None,
        },
    ];
    let mut c = Connection::open_in_memory().unwrap();
    let err = schema(&steps).migrate(&mut c).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Failed {
                version: 2,
                name: "broken",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(header(&c), (APP, 1));
    assert_eq!(
        count(
            &c,
            "SELECT count(*) FROM sqlite_master WHERE name = 'half_done'"
        ),
        0
    );
}

#[test]
fn a_failing_then_is_the_stores_own_error_and_rolls_the_step_back() {
    let steps = [
        STEPS[0],
        Migration {
            then: Some(refuse),
            ..STEPS[1]
        },
    ];
    let mut c = Connection::open_in_memory().unwrap();
    let err = schema(&steps).migrate(&mut c).unwrap_err();
    match err {
        Error::Then { version, error, .. } => {
            assert_eq!((version, error.as_str()), (2, "the store said no"));
        }
        other => panic!("{other}"),
    }
    assert_eq!(header(&c), (APP, 1));
    assert_eq!(
        count(&c, "SELECT count(*) FROM sqlite_master WHERE name = 'b'"),
        0
    );
}

#[test]
fn a_foreign_database_is_refused_and_left_as_it_is() {
    let mut c = Connection::open_in_memory().unwrap();
    c.pragma_update(None, "application_id", 42).unwrap();
    let err = schema(STEPS).migrate(&mut c).unwrap_err();
    assert!(matches!(err, Error::Foreign { found: 42 }), "{err}");
    assert_eq!(header(&c), (42, 0));
}

#[test]
fn files_from_before_the_application_id_are_taken_up_to_the_stores_limit() {
    let unstamped = |version: i64| {
        let c = Connection::open_in_memory().unwrap();
        c.pragma_update(None, "user_version", version).unwrap();
        c
    };
    let legacy = Schema {
        unstamped_up_to: 1,
        ..schema(STEPS)
    };
    assert!(legacy.check(&unstamped(1)).is_ok());
    assert!(matches!(
        legacy.check(&unstamped(2)),
        Err(Error::Foreign { found: 0 })
    ));
    // Without a limit, only an empty file is the store's: another program uses user_version.
    assert!(schema(STEPS).check(&unstamped(0)).is_ok());
    assert!(matches!(
        schema(STEPS).check(&unstamped(1)),
        Err(Error::Foreign { found: 0 })
    ));
}

#[test]
fn a_newer_database_is_refused_and_left_as_it_is() {
    let mut c = Connection::open_in_memory().unwrap();
    schema(STEPS).migrate(&mut c).unwrap();
    c.pragma_update(None, "user_version", 3).unwrap();
    let err = schema(STEPS).migrate(&mut c).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Newer {
                found: 3,
                supported: 2
            }
        ),
        "{err}"
    );
    assert_eq!(header(&c), (APP, 3));
}

#[test]
fn a_gap_in_the_numbers_is_refused() {
    let mut c = Connection::open_in_memory().unwrap();
    let err = schema(&STEPS[1..]).migrate(&mut c).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Gap {
                found: 0,
                version: 2
            }
        ),
        "{err}"
    );
    assert_eq!(header(&c), (0, 0));
}

#[test]
fn an_up_to_date_file_opens_while_another_connection_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    schema(STEPS)
        .migrate(&mut Connection::open(&path).unwrap())
        .unwrap();
    let writer = Connection::open(&path).unwrap();
    writer.execute_batch("BEGIN IMMEDIATE").unwrap();
    let mut reader = Connection::open(&path).unwrap();
    reader
        .busy_timeout(std::time::Duration::from_millis(0))
        .unwrap();
    assert!(schema(STEPS).migrate(&mut reader).unwrap().is_empty());
    // The same file one step behind needs the write lock, and says so.
    let mut behind = Connection::open(&path).unwrap();
    behind
        .busy_timeout(std::time::Duration::from_millis(0))
        .unwrap();
    let ahead = [
        STEPS[0],
        STEPS[1],
        Migration {
            version: 3,
            name: "third",
            sql: "CREATE TABLE c (x);",
            then: None,
        },
    ];
    assert!(matches!(
        schema(&ahead).migrate(&mut behind),
        Err(Error::Sqlite(_))
    ));
}

#[test]
fn numbered_steps_pass_and_a_gap_stops() {
    numbered(STEPS);
    let gap = [STEPS[0], Migration::new(3, "third", "")];
    let stopped = std::panic::catch_unwind(|| numbered(&gap));
    assert!(stopped.is_err());
}

#[test]
fn a_step_is_built_with_its_then() {
    let step = Migration::<String>::new(2, "second", "CREATE TABLE b (x);").then(fill);
    assert_eq!((step.version, step.name), (2, "second"));
    assert!(step.then.is_some());
    assert!(Migration::<String>::new(1, "first", "").then.is_none());
}
