//! Artifact benchmark: what a 100 MB solution costs the host's memory, and how fast the host
//! hashes it. A solution package with a 100 MB (incompressible) web resource is imported into
//! dev; a host process (apart from this client, so its memory is its own) deploys it to Test,
//! then serves its artifact raw, as a 4 MiB `Range` and as JSON base64. For each, the growth of
//! the host's peak resident memory over its memory before is printed (goal: < 32 MB). Then the
//! SHA-256 of the stored artifact file, computed as the host computes it
//! (`store::files::hash_file`), is timed against a plain read of the same file (goal: at disk
//! speed). Run with `scripts/bench-host.sh artifact [MB]` or
//! `cargo bench -p ferry-host --bench artifact -- [MB]`.

mod common;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ferry_host::scenario::derived_id;
use ferry_host::{Scenario, SolutionSpec};
use serde_json::{json, Value};
use sha2::Digest as _;

use common::{mib, ChildHost};

const NAME: &str = "BenchBig";

/// A real solution zip of `mb` MB: a solution exported from a spec, plus a stored
/// (uncompressed) web resource of pseudo-random bytes.
fn big_package(path: &Path, mb: usize) {
    let spec = SolutionSpec {
        unique_name: NAME.into(),
        version: "1.0.0.0".into(),
        publisher: "contoso".into(),
        prefix: "cont".into(),
        components: vec![(61, "cont_big".into())],
        ..Default::default()
    };
    let small = ferry_host::package::export_zip(&spec, "1.0.0.0", false);
    let mut source = zip::ZipArchive::new(std::io::Cursor::new(small)).unwrap();
    let mut out = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..source.len() {
        out.raw_copy_file(source.by_index(i).unwrap()).unwrap();
    }
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(true);
    out.start_file("WebResources/cont_big.bin", stored).unwrap();
    // xorshift: incompressible, and no allocation of the whole thing.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut chunk = vec![0u8; 1 << 20];
    for _ in 0..mb {
        for word in chunk.chunks_exact_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            word.copy_from_slice(&x.to_le_bytes());
        }
        out.write_all(&chunk).unwrap();
    }
    out.finish().unwrap();
}

struct Client {
    http: reqwest::Client,
    api: String,
}

impl Client {
    async fn send(&self, rb: reqwest::RequestBuilder) -> Value {
        let r = rb.send().await.unwrap();
        let status = r.status();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{status}: {body}");
        body
    }

    async fn action(&self, name: &str, run: &str) {
        let url = format!("{}/{name}", self.api);
        let r = self
            .http
            .post(url)
            .json(&json!({ "StageRunId": run }))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{name}: {}", r.status());
    }

    async fn wait(&self, run: &str, wanted: &[i64]) -> Value {
        let url = format!("{}/deploymentstageruns({run})", self.api);
        loop {
            let row = self.send(self.http.get(&url)).await;
            if wanted.contains(&row["stagerunstatus"].as_i64().unwrap_or(0)) {
                return row;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Streams a download to its end: (bytes, SHA-256 hex), never holding it whole.
    async fn download(&self, url: &str, range: Option<&str>) -> (u64, String) {
        let mut rb = self.http.get(url);
        if let Some(r) = range {
            rb = rb.header("Range", r);
        }
        let mut r = rb.send().await.unwrap();
        assert!(r.status().is_success(), "{url}: {}", r.status());
        let (mut n, mut sha) = (0u64, sha2::Sha256::new());
        while let Some(chunk) = r.chunk().await.unwrap() {
            n += chunk.len() as u64;
            sha.update(&chunk);
        }
        let hex = sha.finalize().iter().map(|b| format!("{b:02x}")).collect();
        (n, hex)
    }
}

/// Growth of the host's peak memory over its resident memory before `what`, in bytes.
async fn growth<F: std::future::Future<Output = T>, T>(host: &ChildHost, what: F) -> (u64, T) {
    let before = host.memory().rss;
    host.reset_peak();
    let value = what.await;
    (host.memory().peak.saturating_sub(before), value)
}

/// Seconds to read `path` through in 1 MiB chunks (as `hash_file` reads it), doing nothing else.
fn read_through(path: &Path) -> f64 {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path).unwrap();
    let mut buf = vec![0u8; 1 << 20];
    let start = Instant::now();
    while file.read(&mut buf).unwrap() > 0 {
        std::hint::black_box(&buf);
    }
    start.elapsed().as_secs_f64()
}

/// Seconds to read `path` from the disk itself, past the page cache (O_DIRECT, Linux): the
/// disk speed the hash is held to. None where the file system does not take O_DIRECT.
#[cfg(target_os = "linux")]
fn read_from_disk(path: &Path) -> Option<f64> {
    use std::io::Read as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    const O_DIRECT: i32 = 0o40000; // x86_64 / aarch64 Linux
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(O_DIRECT)
        .open(path)
        .ok()?;
    // O_DIRECT reads into a 4 KiB-aligned buffer: a slice of a larger one, at an aligned start.
    let mut backing = vec![0u8; (1 << 20) + 4096];
    let skew = backing.as_ptr() as usize % 4096;
    let start_at = if skew == 0 { 0 } else { 4096 - skew };
    let buf = &mut backing[start_at..start_at + (1 << 20)];
    let start = Instant::now();
    loop {
        match file.read(buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    Some(start.elapsed().as_secs_f64())
}

#[cfg(not(target_os = "linux"))]
fn read_from_disk(_: &Path) -> Option<f64> {
    None
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    if common::serve_if_child(|_| Scenario::demo()) {
        return;
    }
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let mb: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(100);
    let dir = tempfile::tempdir().unwrap();
    let package = dir.path().join("big.zip");
    big_package(&package, mb);
    let package_size = std::fs::metadata(&package).unwrap().len();
    ferry_host::import_solution(&dir.path().join("data"), "dev", &package, &Scenario::demo())
        .unwrap();
    // Speed 100: the phases take about 0.2 s; the work is the artifact's, not the waiting.
    let host = ChildHost::start(dir.path(), "", 100.0);
    let client = Client {
        http: reqwest::Client::new(),
        api: host.api(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let idle = host.memory().rss;
        let stage = derived_id("stage", "Contoso Release/Deploy to Test");
        let (deploy, artifact) = growth(&host, async {
            let run = client
                .send(
                    client
                        .http
                        .post(format!("{}/deploymentstageruns", client.api))
                        .header("Prefer", "return=representation")
                        .json(&json!({
                            "deploymentstageid@odata.bind": format!("/deploymentstages({stage})"),
                            "devdeploymentenvironment@odata.bind": format!("/deploymentenvironments({})", derived_id("registration", "dev")),
                            "artifactname": NAME,
                            "solutionid": derived_id("solution", NAME),
                        })),
                )
                .await;
            let run = run["deploymentstagerunid"].as_str().unwrap().to_string();
            client.action("ValidatePackageAsync", &run).await;
            let done = client.wait(&run, &[200000007, 200000003]).await;
            assert_eq!(done["stagerunstatus"], 200000007, "validation: {done}");
            client.action("DeployPackageAsync", &run).await;
            let done = client.wait(&run, &[200000002, 200000003]).await;
            assert_eq!(done["stagerunstatus"], 200000002, "deployment: {done}");
            done["_artifactid_value"].as_str().unwrap().to_string()
        })
        .await;
        let url = format!(
            "{}/deploymentartifacts({artifact})/artifactfile",
            client.api
        );
        let raw_url = format!("{url}/$value");
        let (raw, (raw_len, raw_sha)) = growth(&host, client.download(&raw_url, None)).await;
        let (range, (range_len, _)) =
            growth(&host, client.download(&raw_url, Some("bytes=0-4194303"))).await;
        let (base64, (json_len, _)) = growth(&host, client.download(&url, None)).await;

        println!(
            "artifact         {NAME}: package {:.1} MiB, managed artifact {:.1} MiB; host idle at {:.1} MiB",
            mib(package_size),
            mib(raw_len),
            mib(idle)
        );
        println!("host memory growth (peak over the memory before; goal < 32 MB = 30.5 MiB)");
        println!("  deploy (export, validate, import)   {:.1} MiB", mib(deploy));
        println!("  download raw ($value)               {:.1} MiB", mib(raw));
        println!(
            "  download Range (4 MiB)              {:.1} MiB ({range_len} bytes)",
            mib(range)
        );
        println!(
            "  download JSON base64                {:.1} MiB ({:.1} MiB of JSON)",
            mib(base64),
            mib(json_len)
        );

        // The stored file the host serves, and its SHA-256 as the host recorded it.
        let stored: PathBuf = dir
            .path()
            .join("data/artifacts")
            .join(artifact.to_ascii_lowercase())
            .join("artifactfile");
        let (host_sha, size) = ferry_host::store::files::hash_file(&stored).unwrap();
        assert_eq!(host_sha, raw_sha, "the download is the stored file");
        // Warm: both figures are of the same cached file, so they compare the hash with the
        // read it rides on (a cold read of a fast disk is slower than this, never faster).
        read_through(&stored);
        let read = median((0..5).map(|_| read_through(&stored)).collect());
        let hashed = median(
            (0..5)
                .map(|_| {
                    let start = Instant::now();
                    ferry_host::store::files::hash_file(&stored).unwrap();
                    start.elapsed().as_secs_f64()
                })
                .collect(),
        );
        // The same read hashed by the other SHA-256 in the dependency tree (aws-lc-rs), for
        // comparison with the host's (`sha2`).
        let other = median(
            (0..5)
                .map(|_| {
                    use std::io::Read as _;
                    let start = Instant::now();
                    let mut file = std::fs::File::open(&stored).unwrap();
                    let mut buf = vec![0u8; 1 << 20];
                    let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
                    loop {
                        let n = file.read(&mut buf).unwrap();
                        if n == 0 {
                            break;
                        }
                        ctx.update(&buf[..n]);
                    }
                    std::hint::black_box(ctx.finish());
                    start.elapsed().as_secs_f64()
                })
                .collect(),
        );
        let gbs = |s: f64| size as f64 / s / 1e9;
        println!("SHA-256 of the artifact ({:.1} MiB, median of 5)", mib(size));
        let disk: Vec<f64> = (0..3).filter_map(|_| read_from_disk(&stored)).collect();
        match (!disk.is_empty()).then(|| median(disk)) {
            Some(d) => println!(
                "  read from the disk (O_DIRECT)       {:.2} GB/s; SHA-256 = {:.2}x the disk",
                gbs(d),
                gbs(hashed) / gbs(d)
            ),
            None => println!("  read from the disk                  (O_DIRECT not available here)"),
        }
        println!("  read only (page cache)              {:.2} GB/s", gbs(read));
        println!(
            "  read + SHA-256 (hash_file)          {:.2} GB/s = {:.2}x the read",
            gbs(hashed),
            gbs(hashed) / gbs(read)
        );
        println!(
            "  read + SHA-256 (aws-lc-rs)          {:.2} GB/s = {:.2}x the read",
            gbs(other),
            gbs(other) / gbs(read)
        );
    });
    host.stop();
}
