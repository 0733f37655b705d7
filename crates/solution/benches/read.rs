//! Reading the largest corpus packages, in process: `ferry_solution::open` against
//! reading just the bytes it needs with the `zip` crate (or `std::fs` for folders).
//! `cargo bench -p ferry-solution`; the process-level comparison with Python is
//! `scripts/bench-solution.sh`.

use std::io::Read;
use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/solutions")
}

fn size_of(path: &Path) -> u64 {
    if path.is_file() {
        return path.metadata().map(|m| m.len()).unwrap_or(0);
    }
    std::fs::read_dir(path)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| size_of(&e.path()))
        .sum()
}

/// The folder holding `Other/Solution.xml` (e.g. `<case>/src`).
fn source_root(dir: &Path) -> Option<PathBuf> {
    let other = dir.join("Other");
    if other.join("Solution.xml").is_file() {
        return Some(dir.to_path_buf());
    }
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter(|e| e.path().is_dir())
        .find_map(|e| source_root(&e.path()))
}

/// The largest solution .zip and the largest source folder of the corpus.
fn largest() -> (PathBuf, PathBuf) {
    let mut zip = (0, PathBuf::new());
    let mut folder = (0, PathBuf::new());
    for case in std::fs::read_dir(corpus())
        .expect("the shared corpus")
        .flatten()
    {
        let name = case.file_name().to_string_lossy().into_owned();
        if name.starts_with('_') || name.contains("not-a-solution") || !case.path().is_dir() {
            continue;
        }
        let zips: Vec<PathBuf> = std::fs::read_dir(case.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "zip"))
            .collect();
        for z in &zips {
            let s = size_of(z);
            if s > zip.0 {
                zip = (s, z.clone());
            }
        }
        if let (true, Some(root)) = (zips.is_empty(), source_root(&case.path())) {
            let s = size_of(&root);
            if s > folder.0 {
                folder = (s, root);
            }
        }
    }
    (zip.1, folder.1)
}

/// What the reader needs: manifest, customizations, environment variable files and,
/// in folders, the workflow and canvas app metadata files.
fn is_needed(name: &str) -> bool {
    let n = name.to_ascii_lowercase().replace('\\', "/");
    n == "solution.xml"
        || n == "customizations.xml"
        || n.ends_with("other/solution.xml")
        || n.ends_with("other/customizations.xml")
        || n.contains("environmentvariabledefinitions/")
        || (n.starts_with("workflows/") && n.ends_with(".data.xml"))
        || (n.starts_with("canvasapps/") && n.ends_with(".meta.xml"))
}

fn raw_zip(path: &Path) -> usize {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut total = 0;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        if entry.name().is_ok_and(|n| is_needed(&n)) {
            let mut buf = Vec::new();
            entry.read_to_end(&mut buf).unwrap();
            total += buf.len();
        }
    }
    total
}

fn raw_folder(path: &Path) -> usize {
    fn walk(dir: &Path, root: &Path, total: &mut usize) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, root, total);
            } else if is_needed(&p.strip_prefix(root).unwrap().to_string_lossy()) {
                *total += std::fs::read(&p).unwrap().len();
            }
        }
    }
    let mut total = 0;
    walk(path, path, &mut total);
    total
}

fn bench(c: &mut Criterion) {
    let (zip, folder) = largest();
    let mut group = c.benchmark_group("largest zip");
    group.bench_function("ferry_solution::open", |b| {
        b.iter(|| ferry_solution::open(&zip).unwrap())
    });
    group.bench_function("raw read of the needed entries", |b| {
        b.iter(|| raw_zip(&zip))
    });
    group.finish();
    let mut group = c.benchmark_group("largest source folder");
    group.bench_function("ferry_solution::open", |b| {
        b.iter(|| ferry_solution::open(&folder).unwrap())
    });
    group.bench_function("raw read of the needed files", |b| {
        b.iter(|| raw_folder(&folder))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
