//! Artifact files built before the step that exports them: the runner builds a step's zips
//! (and writes, hashes and syncs them) on a read connection while the writer is free, then
//! offers them to the step's transaction, which only records them. Under load the files took
//! most of a step's time in the writer (directory and file creation, hashing), and every
//! request that writes waited behind them.
//!
//! A step takes the offer only when it would build the very same files (same description,
//! version and source package); files nobody took, or whose transaction did not commit, are
//! removed.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use crate::error::{ApiError, ApiResult};
use crate::package::{export_zip, SolutionSpec};
use crate::store::files;

/// What an artifact's files are made of: equal inputs give equal bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactKey {
    /// The solution's description, serialized.
    spec: String,
    version: String,
    /// The stored package the files are restamped from, relative to the data dir.
    package: Option<String>,
}

impl ArtifactKey {
    pub fn new(spec: &SolutionSpec, version: &str, package: Option<&str>) -> Self {
        Self {
            spec: serde_json::to_string(spec).expect("a spec serializes"),
            version: version.to_string(),
            package: package.map(str::to_string),
        }
    }
}

/// An artifact's files, written under `artifacts/<id>/` and synced.
#[derive(Debug, Clone)]
pub struct Files {
    pub id: String,
    pub managed_sha: String,
    pub unmanaged_sha: String,
}

/// Writes both files of a new artifact `id` (managed and unmanaged) in `data_dir`: a zip made
/// from `spec`, or the stored `package` restamped with `version` and the managed flag.
pub fn write(
    data_dir: &Path,
    id: &str,
    spec: &SolutionSpec,
    version: &str,
    package: Option<&str>,
) -> ApiResult<Files> {
    let source = package.map(|p| data_dir.join(p));
    let one = |col: &str, managed: bool| -> ApiResult<String> {
        let path = files::artifact_path_in(data_dir, id, col);
        let written = match &source {
            None => {
                let bytes = export_zip(spec, version, managed);
                files::write_new(&path, |f| std::io::Write::write_all(f, &bytes))
                    .map(|()| files::sha256_hex(&bytes))
            }
            Some(src) => files::write_new(&path, |f| {
                crate::package::restamp_zip(src, f, version, managed)
            })
            .and_then(|()| files::hash_file(&path).map(|(sha, _)| sha)),
        };
        written.map_err(|e| {
            ApiError::rule(format!(
                "The solution package of {} cannot be exported: {e}",
                spec.unique_name
            ))
        })
    };
    Ok(Files {
        id: id.to_string(),
        managed_sha: one("artifactfile", true)?,
        unmanaged_sha: one("artifactfileunmanaged", false)?,
    })
}

/// Files built ahead for a step, and what they were built from.
#[derive(Debug)]
pub struct Prebuilt {
    pub key: ArtifactKey,
    pub files: Files,
    dir: PathBuf,
}

impl Prebuilt {
    /// Builds the files of `key` under a new artifact id in `data_dir`.
    pub fn build(
        data_dir: &Path,
        key: ArtifactKey,
        spec: &SolutionSpec,
        version: &str,
        package: Option<&str>,
    ) -> ApiResult<Self> {
        let id = uuid::Uuid::new_v4().to_string();
        let dir = files::artifact_dir_in(data_dir, &id);
        match write(data_dir, &id, spec, version, package) {
            Ok(files) => Ok(Self { key, files, dir }),
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                Err(e)
            }
        }
    }
}

thread_local! {
    /// The files offered to the transaction running on this thread, and whether it took them.
    static OFFER: RefCell<Option<(Prebuilt, bool)>> = const { RefCell::new(None) };
}

/// Offers `prebuilt` to the transactions of this thread until the returned guard ends.
pub fn offer(prebuilt: Prebuilt) -> Offer {
    OFFER.with(|o| *o.borrow_mut() = Some((prebuilt, false)));
    Offer(())
}

/// The offered files, if they were built from `key` and nobody took them yet.
pub fn take(key: &ArtifactKey) -> Option<Files> {
    OFFER.with(|o| {
        let mut offer = o.borrow_mut();
        let (prebuilt, taken) = offer.as_mut()?;
        if *taken || prebuilt.key != *key {
            return None;
        }
        *taken = true;
        Some(prebuilt.files.clone())
    })
}

/// The life of an offer ([`offer`]).
pub struct Offer(());

impl Offer {
    /// Ends the offer after its transaction: the files stay if a committed transaction took
    /// them; otherwise nothing names them, and they are removed.
    pub fn end(self, committed: bool) {
        if let Some((prebuilt, taken)) = OFFER.with(|o| o.borrow_mut().take()) {
            if !(taken && committed) {
                let _ = std::fs::remove_dir_all(&prebuilt.dir);
            }
        }
    }
}

impl Drop for Offer {
    fn drop(&mut self) {
        // Ended without a verdict (a panic): keep nothing nobody can name.
        if let Some((prebuilt, _)) = OFFER.with(|o| o.borrow_mut().take()) {
            let _ = std::fs::remove_dir_all(&prebuilt.dir);
        }
    }
}
