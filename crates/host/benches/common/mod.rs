//! What the host benchmarks share: a host served by a child process (this same bench binary,
//! started again with `FERRY_BENCH_SERVE` set), so the host's own memory is measured apart
//! from the client's, and that process's memory as Linux reports it.

#![allow(dead_code)] // each bench uses part of it

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};

use ferry_host::{Host, HostConfig, Scenario};

/// Set (to the data dir) in the child that serves the host.
const SERVE: &str = "FERRY_BENCH_SERVE";
/// Which scenario the child serves (words the bench's own builder reads), and at what speed.
const SCENARIO: &str = "FERRY_BENCH_SCENARIO";
const SPEED: &str = "FERRY_BENCH_SPEED";

/// A host in a child process; dropped (or [`ChildHost::stop`]ped), it shuts down.
pub struct ChildHost {
    child: Child,
    stdin: Option<ChildStdin>,
    /// The host's base URL.
    pub base: String,
}

impl ChildHost {
    /// Starts a host at `speed` with its data in `dir`, on the scenario the child's builder
    /// makes of `scenario` (see [`serve_if_child`]).
    pub fn start(dir: &Path, scenario: &str, speed: f64) -> Self {
        // FERRY_BENCH_HOST_WRAP runs the host under a tool (e.g. `heaptrack`) to see where
        // its memory or time goes; the figures printed are then the tool's process's.
        let exe = std::env::current_exe().unwrap();
        let wrap = std::env::var("FERRY_BENCH_HOST_WRAP").unwrap_or_default();
        let mut words = wrap.split_whitespace();
        let mut command = match words.next() {
            Some(tool) => {
                let mut c = Command::new(tool);
                c.args(words).arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        let mut child = command
            .env(SERVE, dir.join("data"))
            .env(SCENARIO, scenario)
            .env(SPEED, speed.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the bench starts its host process");
        // The first line that is a URL (a wrapping tool may print first).
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        while out.read_line(&mut line).unwrap() > 0 && !line.starts_with("http") {
            line.clear();
        }
        let base = line.trim().to_string();
        assert!(base.starts_with("http"), "the host process did not start");
        // Keep reading what the tool prints, so it never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        let stdin = child.stdin.take();
        Self { child, stdin, base }
    }

    pub fn api(&self) -> String {
        format!("{}/api/data/v9.2", self.base)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The process's resident memory now and at its peak (VmRSS, VmHWM), in bytes.
    pub fn memory(&self) -> Memory {
        Memory::of(self.pid())
    }

    /// Resets the peak to the current resident memory (Linux `clear_refs` 5), so a later
    /// [`Memory::peak`] is the peak of what came after.
    pub fn reset_peak(&self) {
        let _ = std::fs::write(format!("/proc/{}/clear_refs", self.pid()), "5");
    }

    /// Shuts the host down and waits for its process.
    pub fn stop(mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

impl Drop for ChildHost {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// A process's memory, in bytes (0 where the system does not say).
#[derive(Debug, Clone, Copy)]
pub struct Memory {
    pub rss: u64,
    pub peak: u64,
}

impl Memory {
    pub fn of(pid: u32) -> Self {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let kib = |key: &str| {
            status
                .lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
                * 1024
        };
        Self {
            rss: kib("VmRSS:"),
            peak: kib("VmHWM:"),
        }
    }
}

impl Memory {
    /// What the resident memory is made of now (`/proc/<pid>/smaps_rollup`: anonymous, file,
    /// shared), and the process's thread count: where a peak came from.
    pub fn breakdown(pid: u32) -> String {
        let rollup =
            std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let field = |text: &str, key: &str| {
            text.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
        };
        format!(
            "anonymous {:.1} MiB, file {:.1} MiB, shared {:.1} MiB; {} threads",
            field(&rollup, "Anonymous:") as f64 / 1024.0,
            field(&status, "RssFile:") as f64 / 1024.0,
            field(&status, "RssShmem:") as f64 / 1024.0,
            field(&status, "Threads:")
        )
    }
}

/// CPU time a process has used so far (user + system), in seconds (0 where unknown).
pub fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start after its closing paren.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let field = |i: usize| {
        rest.split_whitespace()
            .nth(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line (11 and 12 after the paren), in ticks.
    (field(11) + field(12)) / 100.0
}

pub fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// In the child: serves a host on `build(words)` until stdin closes, and returns true; in the
/// parent (no `FERRY_BENCH_SERVE`), returns false at once.
pub fn serve_if_child(build: impl FnOnce(&str) -> Scenario) -> bool {
    let Some(dir) = std::env::var_os(SERVE) else {
        return false;
    };
    let scenario = build(&std::env::var(SCENARIO).unwrap_or_default());
    let speed: f64 = std::env::var(SPEED).unwrap().parse().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let mut config = HostConfig::new(dir);
        config.scenario = scenario;
        config.speed = speed;
        let host = Host::start(config).await.unwrap();
        let mut out = std::io::stdout();
        writeln!(out, "{}", host.base_url()).unwrap();
        out.flush().unwrap();
        // The parent closes stdin to stop the host.
        tokio::task::spawn_blocking(|| std::io::stdin().lines().count())
            .await
            .unwrap();
        host.shutdown().await;
    });
    true
}
