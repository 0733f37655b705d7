//! A seeded cache file for the history benchmarks, built once and reused: seeding a million runs
//! takes minutes, and every query benchmark reads the same file.
//!
//! The file is kept under Cargo's `CARGO_TARGET_TMPDIR`, named by the number of runs and a hash
//! of everything that decides its bytes (the synthetic runs, the migrations, the code that
//! writes a run and its index row, the SQLite version), so a change to any of them seeds a new
//! one. It is written under a temporary name and renamed when complete, so an interrupted seed
//! is never reused. Each benchmark run works on a fresh copy in a temp dir, so what a
//! benchmark writes never reaches the kept file.

use std::path::{Path, PathBuf};
use std::time::Instant;

use ferry_cache::{Cache, Profile, ProfileKind, StageRun};

use super::synthetic::synthetic;

/// The profile every synthetic run belongs to.
pub const PROFILE: &str = "bench";

/// The sources whose change makes a different file.
const SOURCES: &[&str] = &[
    include_str!("synthetic.rs"),
    include_str!("seeded.rs"),
    include_str!("../../src/runs.rs"),
    include_str!("../../src/index.rs"),
];

pub fn profile() -> Profile {
    Profile {
        id: PROFILE.into(),
        display_name: PROFILE.into(),
        kind: ProfileKind::LocalSandbox,
        authority: "local".into(),
        tenant: None,
        client_id: "ferry".into(),
        host_url: "local".into(),
        dev_environment_id: None,
        dev_environment_url: None,
        details: "{}".into(),
    }
}

/// Writes `n` synthetic runs into a new cache at `path`, in transactions of 500 (the sync's
/// page size).
pub fn fill(path: &Path, n: usize) -> Cache {
    let mut c = Cache::open(path).unwrap();
    c.save_profile(&profile()).unwrap();
    let mut chunk: Vec<StageRun> = Vec::with_capacity(500);
    for i in 0..n {
        chunk.push(synthetic(i));
        if chunk.len() == 500 || i + 1 == n {
            c.upsert_runs(PROFILE, &chunk).unwrap();
            chunk.clear();
        }
    }
    c
}

fn key(n: usize) -> u64 {
    let mut parts: Vec<String> = SOURCES.iter().map(|s| (*s).to_owned()).collect();
    parts.extend(
        ferry_cache::migrations::MIGRATIONS
            .iter()
            .map(|m| m.sql.to_owned()),
    );
    parts.push(rusqlite::version().to_owned());
    parts.push(n.to_string());
    parts.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, part| {
        part.bytes()
            .chain([0])
            .fold(h, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
    })
}

/// The kept file of `n` runs, seeded now if there is none yet.
fn kept(n: usize) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ferry-cache-history");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("runs-{n}-{:016x}.sqlite", key(n)));
    if !path.exists() {
        let partial = dir.join(format!("seeding-{}.sqlite", std::process::id()));
        let started = Instant::now();
        // Closing the only connection checkpoints the WAL into the file and removes it.
        drop(fill(&partial, n));
        println!(
            "seeded {n} runs in {:.1?} into {}",
            started.elapsed(),
            path.display()
        );
        std::fs::rename(&partial, &path).unwrap();
    }
    path
}

/// A copy of the seeded cache of `n` runs, open, in its own temp dir; and the file's size in
/// bytes.
pub fn seeded(n: usize) -> (tempfile::TempDir, Cache, u64) {
    let kept = kept(n);
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("cache.sqlite");
    let bytes = std::fs::copy(&kept, &copy).unwrap();
    (dir, Cache::open(&copy).unwrap(), bytes)
}
