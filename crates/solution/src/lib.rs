//! `ferry-solution` reads Dataverse solution packages — `.zip` exports (managed and unmanaged)
//! and SolutionPackager / `pac solution unpack` source folders — into one typed description,
//! and works with what deployments need from them: versions, offline import rules,
//! `pac`-format deployment settings files (the document itself is `ferry-pipelines`' one
//! model) and the one checker of a deployment value, which the engine, the app's values form
//! (through the engine) and the local host all ask. [`atomic`] is Ferry's one atomic file
//! write. It owns the package format (see
//! `shared/spec/solution-format.md`) so that nothing else in Ferry parses XML or zips; it
//! knows nothing of Tauri, HTTP or the cache, so the CLI, the app and the local host all use
//! it the same way. Untrusted input is the normal case: reading is bounded in size and
//! compression ratio, never writes entries to disk and refuses DOCTYPEs and entities.

pub mod atomic;
mod error;
mod model;
mod parse;
pub mod rules;
pub mod settings;
mod source;
mod text;
mod version;
mod xml;

use std::path::Path;

pub use atomic::write_atomic;
pub use error::SolutionError;
pub use model::*;
pub use source::ReadLimits;
pub use version::{Version, VersionError, VersionPart};

/// Opens a solution `.zip` or source folder (detected) with the default [`ReadLimits`].
pub fn open(path: impl AsRef<Path>) -> Result<SolutionPackage, SolutionError> {
    open_with_limits(path, ReadLimits::default())
}

/// Opens a solution package with explicit limits on how much may be read.
pub fn open_with_limits(
    path: impl AsRef<Path>,
    limits: ReadLimits,
) -> Result<SolutionPackage, SolutionError> {
    let raw = source::load(path.as_ref(), limits)?;
    parse::describe(&raw)
}

/// Parses a package from in-memory files (for property tests): `files` maps zip-style entry
/// names to bytes. Only `solution.xml`, `customizations.xml` and the environment variable
/// files are looked at.
#[doc(hidden)]
pub fn describe_files(files: &[(&str, &[u8])]) -> Result<SolutionPackage, SolutionError> {
    let raw = source::from_memory(files)?;
    parse::describe(&raw)
}
