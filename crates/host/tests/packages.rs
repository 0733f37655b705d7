//! Issue 16 §1: a package loaded with `ferry host import-solution` is what gets deployed — its
//! bytes (restamped with the run's version and managed flag) and its environment variable
//! values — and artifact files are served from disk, a Range of a large one included.

mod common;

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use common::*;
use ferry_host::Scenario;
use reqwest::StatusCode;
use serde_json::json;
use sha2::{Digest as _, Sha256};

const Z03: &str = "z03-power-platform-blog-updates/power-platform-blog-update.zip";
const NAME: &str = "PowerPlatformBlogUpdates";

/// The shared corpus, next to the repository (never copied into it).
fn corpus(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/solutions")
        .join(rel);
    p.is_file().then_some(p)
}

/// A host on `dir` after importing `package` into `dev`.
async fn host_with(dir: tempfile::TempDir, package: &Path) -> TestHost {
    let spec = ferry_host::import_solution(dir.path(), "dev", package, &Scenario::demo()).unwrap();
    assert_eq!(spec.unique_name, NAME);
    let host = boot(dir.path(), Scenario::demo(), TEST_SPEED).await;
    TestHost {
        api: host.api_url(),
        base: host.base_url().to_string(),
        host: Some(host),
        client: reqwest::Client::new(),
        dir,
    }
}

/// A validated first-stage run at `version`; returns its artifact id.
async fn artifact_of(h: &TestHost, version: &str) -> String {
    let run = h
        .create_run(&stage(RELEASE, "Deploy to Test"), "dev", NAME)
        .await;
    let (s, b) = h
        .patch(
            &format!("deploymentstageruns({run})"),
            json!({ "artifactversion": version }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    h.action("ValidatePackageAsync", &run).await;
    let done = h.wait_for(&run, &[200000007, 200000003]).await;
    assert_eq!(done["stagerunstatus"], 200000007, "{done}");
    done["_artifactid_value"].as_str().unwrap().to_string()
}

async fn download(
    h: &TestHost,
    artifact: &str,
    col: &str,
    range: Option<&str>,
) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let mut rb = h
        .client
        .get(h.url(&format!("deploymentartifacts({artifact})/{col}/$value")));
    if let Some(r) = range {
        rb = rb.header("Range", r);
    }
    let r = rb.send().await.unwrap();
    let (s, headers) = (r.status(), r.headers().clone());
    (s, headers, r.bytes().await.unwrap().to_vec())
}

fn manifest(zip_bytes: &[u8]) -> (String, usize) {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).unwrap();
    let n = archive.len();
    let mut text = String::new();
    archive
        .by_name("solution.xml")
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    (text, n)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_imported_package_is_deployed_as_itself_with_its_values() {
    let Some(z03) = corpus(Z03) else {
        eprintln!("the shared corpus is not next to the repository; skipping");
        return;
    };
    let original = std::fs::read(&z03).unwrap();
    let h = host_with(tempfile::tempdir().unwrap(), &z03).await;
    // The values it ships are in dev: no "has no value" for them.
    let values = h
        .env_rows("dev", "environmentvariablevalues?$select=schemaname,value")
        .await;
    let subject = values
        .iter()
        .find(|v| v["schemaname"] == "natiturt_EmailSubject")
        .unwrap_or_else(|| panic!("no value row: {values:?}"));
    assert_eq!(subject["value"], "Power Platform Weekly Blog Updates");
    assert!(values.len() >= 6, "{values:?}");

    let artifact = artifact_of(&h, "1.0.0.7").await;
    let (s, headers, managed) = download(&h, &artifact, "artifactfile", None).await;
    assert_eq!(s, StatusCode::OK);
    // The package's own bytes (not a 2 KB zip rebuilt from metadata), restamped.
    assert!(
        managed.len() as f64 > original.len() as f64 * 0.9,
        "{} bytes",
        managed.len()
    );
    let (text, entries) = manifest(&managed);
    let (_, original_entries) = manifest(&original);
    assert_eq!(entries, original_entries);
    assert!(text.contains("<Version>1.0.0.7</Version>"), "{text}");
    assert!(text.contains("<Managed>1</Managed>"), "{text}");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&managed)).unwrap();
    let shipped = (0..archive.len())
        .filter(|i| {
            archive
                .by_index(*i)
                .unwrap()
                .name()
                .unwrap()
                .ends_with("environmentvariablevalues.json")
        })
        .count();
    assert!(shipped >= 6, "the values are in the artifact");
    let sha: String = Sha256::digest(&managed)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(headers["x-ferry-sha256"].to_str().unwrap(), sha);
    let (_, _, unmanaged) = download(&h, &artifact, "artifactfileunmanaged", None).await;
    assert!(manifest(&unmanaged).0.contains("<Managed>0</Managed>"));
    // The JSON base64 form streams the same bytes.
    let (s, json) = h
        .get(&format!("deploymentartifacts({artifact})/artifactfile"))
        .await;
    assert_eq!(s, StatusCode::OK);
    use base64::Engine as _;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(json["value"].as_str().unwrap())
        .unwrap();
    assert_eq!(decoded, managed);
    // And it deploys.
    let done = h
        .deploy(
            &stage(RELEASE, "Deploy to Test"),
            NAME,
            Some("1.0.0.8"),
            None,
        )
        .await;
    assert_eq!(done["stagerunstatus"], 200000002, "{done}");
    let installed = h
        .env_rows("test", &format!("solutions?$filter=uniquename eq '{NAME}'"))
        .await;
    assert_eq!(installed[0]["version"], "1.0.0.8");
}

/// A copy of `base` with a large incompressible entry, stored.
fn with_big_entry(base: &Path, size: usize, out: &Path) {
    let mut src = zip::ZipArchive::new(std::fs::File::open(base).unwrap()).unwrap();
    let mut zip = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    for i in 0..src.len() {
        zip.raw_copy_file(src.by_index_raw(i).unwrap()).unwrap();
    }
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(size > u32::MAX as usize);
    zip.start_file("WebResources/big.bin", options).unwrap();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut chunk = vec![0u8; 1 << 20];
    let mut left = size;
    while left > 0 {
        for b in chunk.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
        let n = left.min(chunk.len());
        zip.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    zip.finish().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_range_of_a_large_artifact_is_read_from_disk() {
    let Some(z03) = corpus(Z03) else {
        eprintln!("the shared corpus is not next to the repository; skipping");
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let big = work.path().join("big.zip");
    with_big_entry(&z03, 24 * 1024 * 1024, &big);
    let h = host_with(tempfile::tempdir().unwrap(), &big).await;
    let artifact = artifact_of(&h, "1.0.0.1").await;
    let (s, headers, whole) = download(&h, &artifact, "artifactfile", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(whole.len() > 24 * 1024 * 1024, "{}", whole.len());
    assert_eq!(
        headers["x-ms-file-size"].to_str().unwrap(),
        whole.len().to_string()
    );
    let start = 20_000_000usize;
    let end = start + 4 * 1024 * 1024 - 1;
    let (s, headers, part) = download(
        &h,
        &artifact,
        "artifactfile",
        Some(&format!("bytes={start}-{end}")),
    )
    .await;
    assert_eq!(s, StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        headers["content-range"].to_str().unwrap(),
        format!("bytes {start}-{end}/{}", whole.len())
    );
    assert_eq!(part.len(), end - start + 1);
    assert_eq!(part, whole[start..=end]);
    let (s, _, tail) = download(&h, &artifact, "artifactfile", Some("bytes=-100")).await;
    assert_eq!(s, StatusCode::PARTIAL_CONTENT);
    assert_eq!(tail, whole[whole.len() - 100..]);
    // Stored as a file in the data dir, not in the database.
    let on_disk = h
        .dir
        .path()
        .join("artifacts")
        .join(&artifact)
        .join("artifactfile");
    assert_eq!(
        std::fs::metadata(on_disk).unwrap().len() as usize,
        whole.len()
    );
    let db = std::fs::metadata(h.dir.path().join("host.db"))
        .unwrap()
        .len();
    assert!(db < 8 * 1024 * 1024, "the database holds {db} bytes");
}
