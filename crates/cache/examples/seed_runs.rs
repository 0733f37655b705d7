//! Seeds a cache file with synthetic runs for a profile whose host is not running,
//! so the app (or the CLI) opens on cached data offline: `scripts/bench-app.sh` uses it.
//!
//! `cargo run --release -p ferry-cache --example seed_runs -- <cache file> <runs> <host url>`
//! writes a cloud profile `bench-offline` for `<host url>` (e.g. an unused loopback port),
//! makes it the one in use and stores `<runs>` runs for it (the same synthetic runs as
//! `benches/history.rs`). The app's cache file is `cache.sqlite` in its data folder.

use std::process::ExitCode;

use ferry_cache::{Cache, Profile, ProfileKind, StageRun};

#[path = "../benches/support/synthetic.rs"]
mod synthetic;

const PROFILE_ID: &str = "bench-offline";

fn profile(host_url: &str) -> Profile {
    Profile {
        id: PROFILE_ID.into(),
        display_name: "Bench (offline host)".into(),
        kind: ProfileKind::Cloud,
        authority: format!("{host_url}/identity"),
        tenant: None,
        client_id: String::new(),
        host_url: host_url.into(),
        dev_environment_id: Some("dev".into()),
        dev_environment_url: None,
        details: "{}".into(),
    }
}

fn seed(path: &str, runs: usize, host_url: &str) -> ferry_cache::Result<()> {
    let mut cache = Cache::open(path)?;
    cache.save_profile(&profile(host_url))?;
    cache.set_active_profile(PROFILE_ID)?;
    let all: Vec<StageRun> = (0..runs).map(synthetic::synthetic).collect();
    for chunk in all.chunks(500) {
        cache.upsert_runs(PROFILE_ID, chunk)?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(path), Some(runs), Some(host)) = (
        args.first(),
        args.get(1).and_then(|n| n.parse::<usize>().ok()),
        args.get(2),
    ) else {
        eprintln!("usage: seed_runs <cache file> <number of runs> <host url>; for example seed_runs /tmp/d/cache.sqlite 10000 http://127.0.0.1:9");
        return ExitCode::from(2);
    };
    match seed(path, runs, host) {
        Ok(()) => {
            println!("seeded {runs} runs for profile {PROFILE_ID} ({host}) in {path}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("could not seed {path}: {e}. Pass a new file in a writable folder.");
            ExitCode::FAILURE
        }
    }
}
