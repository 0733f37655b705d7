//! SQLite persistence (WAL): one database file in the host's data directory.
//!
//! Rows of every served table live in `records` as JSON keyed by scope (the host,
//! or an environment name), entity set and id; the stage-run state machine's
//! pending steps live in `jobs`, artifact bytes in `files`. Each state change is
//! one transaction, so a killed host never leaves a half-applied step.

pub mod environments;
pub mod files;
pub mod jobs;
pub mod migrations;
pub mod records;
pub mod shares;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use anyhow::Context as _;
use rusqlite::Connection;

use crate::clock::{self, Clock};

/// The host database, and the clock its transactions read.
pub struct Store {
    /// The writer. Re-entrant: the writer thread holds it for a group of requests, whose own
    /// transactions run inside the group's ([`Store::on_writer`]).
    conn: parking_lot::ReentrantMutex<Connection>,
    /// The thread that runs the requests that may write, one after the other (see
    /// [`Store::on_writer`]); started by the first of them.
    writer: std::sync::OnceLock<Mutex<std::sync::mpsc::Sender<WriterJob>>>,
    /// Connections for requests that only read (WAL lets them read a committed snapshot
    /// while the writer works), so a poll never waits behind a write.
    readers: Vec<Mutex<Connection>>,
    /// The reader the next read starts looking at.
    next_reader: std::sync::atomic::AtomicUsize,
    /// The connection that moves the WAL into the database file ([`Store::checkpoint`]), and
    /// when it last did: requests never pay for a checkpoint (the writer's automatic one is off).
    checkpointer: Mutex<(Connection, Option<std::time::Instant>)>,
    clock: Clock,
    /// Counts committed transactions, so a waiter wakes on a change instead of polling.
    commits: tokio::sync::watch::Sender<u64>,
    /// This store among the stores of the process (never reused): what a cache of rows
    /// read inside its transactions is keyed by ([`current`]).
    id: u64,
}

/// The next [`Store::id`].
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

thread_local! {
    /// The store whose transaction runs on this thread.
    static CURRENT: std::cell::Cell<Option<u64>> = const { std::cell::Cell::new(None) };
}

thread_local! {
    /// The store whose group of requests runs on this thread ([`Store::on_writer`]), and
    /// whether one of them changed a row.
    static GROUP: std::cell::Cell<Option<(u64, bool)>> = const { std::cell::Cell::new(None) };
}

/// Whether this thread runs a group of requests of the store `id`.
fn grouped(id: u64) -> bool {
    GROUP
        .with(|g| g.get())
        .is_some_and(|(store, _)| store == id)
}

/// The store whose transaction is running on this thread, if any: a key under which rows read
/// in it may be cached (with a stamp of their table, see `records::change_stamp`).
pub fn current() -> Option<u64> {
    CURRENT.with(std::cell::Cell::get)
}

impl Store {
    /// Opens (creating if needed) `host.db` in `dir`, in WAL mode, migrated, on the system clock.
    pub fn open(dir: &Path) -> anyhow::Result<Self> {
        Self::open_with_clock(dir, Clock::system())
    }

    /// [`Store::open`] with the clock its transactions read.
    pub fn open_with_clock(dir: &Path, clock: Clock) -> anyhow::Result<Self> {
        // The host's data (tokens' hashes, webhook secrets) is this user's alone: the
        // folder it creates is 0700, `host.db` 0600 before SQLite opens it, so the `-wal`
        // and `-shm` files SQLite makes with the database's mode are too (Unix).
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(dir)
            .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
        let path = dir.join("host.db");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options
            .open(&path)
            .with_context(|| format!("cannot open the host database {}", path.display()))?;
        #[cfg(unix)]
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
        let mut conn = Connection::open(&path)
            .with_context(|| format!("cannot open the host database {}", path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Every statement of the hot paths is cached (rusqlite keeps 16 by default).
        conn.set_prepared_statement_cache_capacity(256);
        // A newer or foreign file is refused before anything (even the journal mode) is written.
        migrations::check(&conn, &path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrations::migrate(&mut conn, &path)?;
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        let checkpointer = Connection::open(&path)
            .with_context(|| format!("cannot open the host database {}", path.display()))?;
        checkpointer.busy_timeout(std::time::Duration::from_secs(5))?;
        let checkpointer = Mutex::new((checkpointer, None));
        let readers = (0..READERS)
            .map(|_| open_reader(&path).map(Mutex::new))
            .collect::<anyhow::Result<_>>()?;
        Ok(Self {
            conn: parking_lot::ReentrantMutex::new(conn),
            writer: std::sync::OnceLock::new(),
            readers,
            next_reader: Default::default(),
            checkpointer,
            clock,
            commits: tokio::sync::watch::channel(0).0,
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        })
    }

    /// Runs `f` (a request that may write) on the writer thread, after the requests sent before
    /// it: requests queue there instead of blocking runtime workers on the writer's lock (a
    /// blocked worker stalls the tasks queued on it, and with every worker blocked nobody even
    /// accepts a connection). The requests waiting when the thread is free run as one group:
    /// one transaction, each request in a savepoint of its own (a failed one rolls back alone),
    /// one commit, and only then their answers. `None` when `f` panicked or its group could
    /// not commit.
    pub async fn on_writer<R: Send + 'static>(
        self: &std::sync::Arc<Self>,
        f: impl FnOnce() -> R + Send + 'static,
    ) -> Option<R> {
        let (done, answer) = tokio::sync::oneshot::channel();
        let job: WriterJob = Box::new(move || {
            let value = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok();
            Box::new(move |committed: bool| {
                let _ = done.send(value.filter(|_| committed));
            })
        });
        let sender = self.writer.get_or_init(|| {
            let (send, jobs) = std::sync::mpsc::channel::<WriterJob>();
            let store = std::sync::Arc::downgrade(self);
            // The thread ends when the store (its only sender) is dropped.
            let started = std::thread::Builder::new()
                .name("ferry-host-writer".into())
                .spawn(move || {
                    while let Ok(first) = jobs.recv() {
                        let mut group = vec![first];
                        while group.len() < GROUP_MAX {
                            match jobs.try_recv() {
                                Ok(job) => group.push(job),
                                Err(_) => break,
                            }
                        }
                        match store.upgrade() {
                            Some(store) => store.run_group(group),
                            None => group.into_iter().for_each(|job| job()(false)),
                        }
                    }
                });
            if let Err(e) = started {
                tracing::error!("cannot start the host's writer thread: {e}");
            }
            Mutex::new(send)
        });
        let sent = sender.lock().unwrap_or_else(|e| e.into_inner()).send(job);
        match sent {
            Ok(()) => answer.await.ok().flatten(),
            Err(std::sync::mpsc::SendError(job)) => {
                // No writer thread: run here, alone, rather than fail the request.
                blocking(|| self.run_group(vec![job]));
                answer.await.ok().flatten()
            }
        }
    }

    /// Runs `group` in one transaction (see [`Store::on_writer`]), then answers each.
    fn run_group(&self, group: Vec<WriterJob>) {
        let written = files::SyncAfterCommit::begin();
        let (answers, committed, changed) = {
            let conn = self.lock();
            let began = Tx::begin(&conn);
            let result = match began {
                Err(e) => {
                    tracing::error!("cannot begin a host transaction: {e}");
                    (group.into_iter().map(|job| job()).collect(), false, false)
                }
                Ok(tx) => {
                    let outer = GROUP.with(|g| g.replace(Some((self.id, false))));
                    let answers: Vec<Answer> = group.into_iter().map(|job| job()).collect();
                    let changed = GROUP.with(|g| g.replace(outer)).is_some_and(|(_, c)| c);
                    let committed = tx
                        .commit()
                        .map_err(|e| tracing::error!("cannot commit host requests: {e}"))
                        .is_ok();
                    (answers, committed, changed)
                }
            };
            result
        };
        if committed {
            if let Err(e) = written.sync() {
                tracing::error!("cannot sync the artifact files of a committed transaction: {e}");
            }
            if changed {
                self.commits.send_modify(|n| *n = n.wrapping_add(1));
            }
        }
        answers.into_iter().for_each(|answer| answer(committed));
    }

    /// [`Store::tx`] for async code other than requests (webhook deliveries, the admin
    /// endpoints): on the writer thread too ([`Store::on_writer`]), never on a runtime worker.
    pub async fn write<T, E>(
        self: &std::sync::Arc<Self>,
        f: impl FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<rusqlite::Error> + Send + 'static,
    {
        let store = self.clone();
        self.on_writer(move || store.tx(f))
            .await
            .unwrap_or_else(|| {
                Err(E::from(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ABORT),
                    Some("the write could not be committed".into()),
                )))
            })
    }

    /// The host's clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    fn lock(&self) -> parking_lot::ReentrantMutexGuard<'_, Connection> {
        self.conn.lock()
    }

    /// Runs `f` in one transaction; commits when it returns `Ok`. The transaction reads one
    /// "now" from the host's clock ([`crate::clock::now_ms`]).
    pub fn tx<T, E: From<rusqlite::Error>>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        let conn = self.lock();
        // Read after the lock: transactions' times follow their commit order.
        let at_ms = self.clock.now_ms();
        self.tx_locked(conn, at_ms, f)
    }

    /// [`Store::tx`] as of `at_ms`: a late step executed at the time it was due.
    pub fn tx_at<T, E: From<rusqlite::Error>>(
        &self,
        at_ms: i64,
        f: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        self.tx_locked(self.lock(), at_ms, f)
    }

    /// Runs `f` in a read transaction on a connection of its own: it sees what was committed
    /// when it began, and never waits for the writer (nor the writer for it). For requests
    /// that change nothing; a write in `f` fails (the connection is `query_only`).
    pub fn read<T, E: From<rusqlite::Error>>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        self.read_at(self.clock.now_ms(), f)
    }

    /// [`Store::read`] as of `at_ms`.
    pub fn read_at<T, E: From<rusqlite::Error>>(
        &self,
        at_ms: i64,
        f: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        self.in_tx(&self.reader(), at_ms, f)
    }

    /// `f` in one transaction on `conn` as of `at_ms`, this store's (see [`current`]); committed
    /// when `f` returns `Ok`, rolled back otherwise.
    fn in_tx<T, E: From<rusqlite::Error>>(
        &self,
        conn: &Connection,
        at_ms: i64,
        f: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        let outer = CURRENT.with(|c| c.replace(Some(self.id)));
        let value = (|| -> Result<T, E> {
            let _now = clock::pin(at_ms);
            let tx = if grouped(self.id) {
                Tx::savepoint(conn)?
            } else {
                Tx::begin(conn)?
            };
            let value = f(conn)?;
            tx.commit()?;
            Ok(value)
        })();
        CURRENT.with(|c| c.set(outer));
        value
    }

    /// Copies what the WAL holds into the database file, at most once per
    /// [`CHECKPOINT_EVERY`] (the runner calls it between passes, off the request path). A
    /// passive checkpoint: it never waits for readers or the writer, and skips what a reader
    /// still needs; the next one takes it.
    ///
    /// Returns the WAL's frames and how many of them are in the database file now, when it ran.
    pub fn checkpoint(&self) -> Option<(i64, i64)> {
        let mut guard = self.checkpointer.lock().unwrap_or_else(|e| e.into_inner());
        let (conn, last) = &mut *guard;
        if last.is_some_and(|at| at.elapsed() < CHECKPOINT_EVERY) {
            return None;
        }
        *last = Some(std::time::Instant::now());
        match conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get(1)?, r.get(2)?))
        }) {
            Ok(frames) => Some(frames),
            Err(e) => {
                tracing::warn!("cannot checkpoint the host database: {e}");
                None
            }
        }
    }

    /// A free reader if there is one, else the next in turn (waiting for it).
    fn reader(&self) -> MutexGuard<'_, Connection> {
        let start = self
            .next_reader
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let n = self.readers.len();
        for i in 0..n {
            if let Ok(conn) = self.readers[(start + i) % n].try_lock() {
                return conn;
            }
        }
        self.readers[start % n]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// A receiver that sees a new value after every committed transaction that changed a row.
    pub fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.commits.subscribe()
    }

    fn tx_locked<T, E: From<rusqlite::Error>>(
        &self,
        conn: parking_lot::ReentrantMutexGuard<'_, Connection>,
        at_ms: i64,
        f: impl FnOnce(&Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        if grouped(self.id) {
            // Inside a group: committed (and announced) with the group.
            let before = conn.total_changes();
            let value = self.in_tx(&conn, at_ms, f)?;
            if conn.total_changes() != before {
                GROUP.with(|g| g.set(Some((self.id, true))));
            }
            return Ok(value);
        }
        let before = conn.total_changes();
        let written = files::SyncAfterCommit::begin();
        let value = self.in_tx(&conn, at_ms, f)?;
        let changed = conn.total_changes() != before;
        drop(conn);
        // Artifact files the transaction wrote are made durable with the database free. The
        // transaction is committed whatever happens here, so a failure is logged, not returned
        // (a caller would take it for a rollback and do the step again).
        if let Err(e) = written.sync() {
            tracing::error!("cannot sync the artifact files of a committed transaction: {e}");
        }
        if changed {
            self.commits.send_modify(|n| *n = n.wrapping_add(1));
        }
        Ok(value)
    }

    /// A value from the `meta` table.
    pub fn meta(&self, key: &str) -> rusqlite::Result<Option<String>> {
        meta_get(&self.lock(), key)
    }
}

/// A request on the writer thread ([`Store::on_writer`]): it runs, and gives what answers it
/// once its group's commit is known.
type WriterJob = Box<dyn FnOnce() -> Answer + Send>;

/// Answers a request of a group, told whether the group committed.
type Answer = Box<dyn FnOnce(bool) + Send>;

/// The most requests one group commit holds (the runner waits for a whole group).
const GROUP_MAX: usize = 64;

/// Runs `f`, which may wait for the writer, without holding up the runtime: on a
/// multi-threaded runtime its worker's other tasks (and the I/O driver) move to another thread
/// meanwhile; elsewhere (a single-threaded runtime, or no runtime) it simply runs.
pub fn blocking<R>(f: impl FnOnce() -> R) -> R {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(h) if h.runtime_flavor() == RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        _ => f(),
    }
}

/// How many read connections a store keeps: one per core of the machines the host runs on
/// (more readers than cores only queue inside SQLite instead of here).
const READERS: usize = 2;

/// How often [`Store::checkpoint`] runs at most: the WAL holds about this long of writes.
pub const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// A connection that only reads, with the writer's statement cache size.
fn open_reader(path: &Path) -> anyhow::Result<Connection> {
    let conn = Connection::open(path)
        .with_context(|| format!("cannot open the host database {}", path.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(256);
    conn.pragma_update(None, "query_only", "ON")?;
    // Readers look up a few rows each: a small page cache of their own (the OS caches the
    // file for all of them), so their memory does not grow with the database.
    conn.pragma_update(None, "cache_size", -256)?;
    Ok(conn)
}

/// One open transaction on the store's connection: rolled back when dropped uncommitted (an
/// error, or a panic in the closure). `BEGIN`/`COMMIT` are cached statements, not SQL parsed
/// again for every transaction as `rusqlite::Transaction` does (a measurable share of a small
/// request's time).
struct Tx<'c> {
    conn: &'c Connection,
    done: bool,
    /// A savepoint inside a group's transaction rather than a transaction.
    nested: bool,
}

impl<'c> Tx<'c> {
    fn begin(conn: &'c Connection) -> rusqlite::Result<Self> {
        conn.prepare_cached("BEGIN")?.execute([])?;
        Ok(Self {
            conn,
            done: false,
            nested: false,
        })
    }

    fn savepoint(conn: &'c Connection) -> rusqlite::Result<Self> {
        conn.prepare_cached("SAVEPOINT request")?.execute([])?;
        Ok(Self {
            conn,
            done: false,
            nested: true,
        })
    }

    fn commit(mut self) -> rusqlite::Result<()> {
        let sql = if self.nested {
            "RELEASE request"
        } else {
            "COMMIT"
        };
        self.conn.prepare_cached(sql)?.execute([])?;
        self.done = true;
        Ok(())
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if !self.done && !self.conn.is_autocommit() {
            let rolled = if self.nested {
                self.conn
                    .prepare_cached("ROLLBACK TO request")
                    .and_then(|mut s| s.execute([]))
                    .and_then(|_| self.conn.prepare_cached("RELEASE request"))
                    .and_then(|mut s| s.execute([]))
            } else {
                self.conn
                    .prepare_cached("ROLLBACK")
                    .and_then(|mut s| s.execute([]))
            };
            if let Err(e) = rolled {
                tracing::error!("cannot roll back a host transaction: {e}");
            }
        }
    }
}

pub fn meta_get(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    use rusqlite::OptionalExtension as _;
    conn.prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()
}

pub fn meta_set(conn: &Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2",
    )?
    .execute([key, value])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_twice() {
        let dir = tempfile::tempdir().unwrap();
        drop(Store::open(dir.path()).unwrap());
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.meta("rowversion").unwrap().as_deref(), Some("1000"));
    }

    #[test]
    fn a_newer_schema_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        drop(Store::open(dir.path()).unwrap());
        let path = dir.path().join("host.db");
        let conn = Connection::open(&path).unwrap();
        // Checkpoint the WAL so every byte is in host.db, then mark it as a newer Ferry's.
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
        conn.pragma_update(None, "user_version", migrations::LATEST + 1)
            .unwrap();
        drop(conn);
        let before = std::fs::read(&path).unwrap();
        let err = format!("{:#}", Store::open(dir.path()).err().unwrap());
        assert!(
            err.contains("newer Ferry") && err.contains("upgrade Ferry"),
            "{err}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), before, "the file changed");
        assert!(!dir.path().join("host.db-wal").exists());
    }

    /// A data dir as the host wrote it before numbered migrations: schema 2 (the first two
    /// steps), no application id, the sign-in tables made on first use, a row of data.
    #[test]
    fn a_data_dir_of_the_previous_scheme_opens_and_upgrades() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("host.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(migrations::MIGRATIONS[0].sql).unwrap();
        conn.execute_batch(migrations::MIGRATIONS[1].sql).unwrap();
        conn.execute_batch(migrations::MIGRATIONS[2].sql).unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute(
            "INSERT INTO identity_refresh_tokens VALUES ('h', 'c', 's', 'u', 1, 0)",
            [],
        )
        .unwrap();
        meta_set(&conn, "seeded", "demo").unwrap();
        drop(conn);
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.meta("seeded").unwrap().as_deref(), Some("demo"));
        let (version, app, tokens): (i64, i64, i64) = store
            .tx(|c| {
                c.prepare_cached(
                    "SELECT (SELECT user_version FROM pragma_user_version()),
                            (SELECT application_id FROM pragma_application_id()),
                            (SELECT count(*) FROM identity_refresh_tokens)",
                )?
                .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            })
            .unwrap();
        assert_eq!(version, migrations::LATEST);
        assert_eq!(app, migrations::APPLICATION_ID);
        assert_eq!(tokens, 1, "the sign-ins kept");
    }

    /// Requests never checkpoint (the writer's automatic checkpoint is off); the runner's
    /// [`Store::checkpoint`] moves the WAL into the database, at most once per interval.
    #[test]
    fn the_wal_is_checkpointed_off_the_request_path() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let auto_checkpoint = |c: &Connection| -> i64 {
            c.query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))
                .unwrap()
        };
        store
            .tx(|c| -> rusqlite::Result<()> {
                assert_eq!(auto_checkpoint(c), 0, "the writer checkpoints by itself");
                Ok(())
            })
            .unwrap();
        for i in 0..200 {
            store
                .tx(|c| meta_set(c, &format!("k{i}"), &"x".repeat(2000)))
                .unwrap();
        }
        let (frames, moved) = store.checkpoint().expect("the first checkpoint runs");
        assert!(frames > 100, "{frames} frames in the WAL");
        assert_eq!(moved, frames, "every frame moved into host.db");
        assert_eq!(store.checkpoint(), None, "again within the interval");
    }

    #[cfg(unix)]
    #[test]
    fn the_host_data_is_this_user_s_alone() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("host-data");
        let store = Store::open(&data).unwrap();
        assert_eq!(mode(&data), 0o700);
        for file in ["host.db", "host.db-wal", "host.db-shm"] {
            let file = data.join(file);
            if file.exists() {
                assert_eq!(mode(&file), 0o600, "{}", file.display());
            }
        }
        drop(store);
    }

    /// Requests sent to the writer together commit as one group: each answer comes once its
    /// write is committed (a read then sees it), and a request that fails rolls back alone.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_group_of_requests_commits_once_and_a_failed_one_rolls_back_alone() {
        let dir = tempfile::tempdir().unwrap();
        let store = std::sync::Arc::new(Store::open(dir.path()).unwrap());
        // The writer is busy while the requests arrive, so they wait, then run as a group.
        let (release, released) = std::sync::mpsc::channel::<()>();
        let (held, holding) = std::sync::mpsc::channel::<()>();
        let busy = store.clone();
        let holder = std::thread::spawn(move || {
            busy.tx(|_| -> rusqlite::Result<()> {
                held.send(()).unwrap();
                released.recv().unwrap();
                Ok(())
            })
        });
        holding.recv().unwrap();
        let requests: Vec<_> = (0..5)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    let writer = store.clone();
                    store
                        .on_writer(move || {
                            writer.tx(|c| -> rusqlite::Result<()> {
                                meta_set(c, &format!("k{i}"), "v")?;
                                if i == 2 {
                                    return Err(rusqlite::Error::InvalidQuery);
                                }
                                Ok(())
                            })
                        })
                        .await
                })
            })
            .collect();
        release.send(()).unwrap();
        holder.join().unwrap().unwrap();
        for (i, request) in requests.into_iter().enumerate() {
            let answer = request.await.unwrap().expect("the group committed");
            let seen = store.read(|c| meta_get(c, &format!("k{i}"))).unwrap();
            if i == 2 {
                assert!(answer.is_err());
                assert_eq!(seen, None, "the failed request's write is rolled back");
            } else {
                assert!(answer.is_ok());
                assert_eq!(
                    seen.as_deref(),
                    Some("v"),
                    "request {i} is committed when answered"
                );
            }
        }
    }
}
