//! The one error type of this crate: every variant names the file (and the entry inside a
//! zip) and ends with what the maker can do about it.

use std::path::PathBuf;

pub use ferry_error::ErrorCode;

/// Why a package or settings file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SolutionError {
    #[error("{}: cannot read{}: {source}. Check that the path exists and that you may read it.", .path.display(), in_entry(.entry))]
    Io {
        path: PathBuf,
        entry: Option<String>,
        #[source]
        source: std::io::Error,
    },

    #[error("{}: the file is empty. Export the solution again from Power Apps.", .path.display())]
    Empty { path: PathBuf },

    #[error("{}: not a solution package: {detail}. Pass a solution .zip exported from Power Apps (solution.xml, customizations.xml and [Content_Types].xml at its root) or an unpacked source folder (Other/Solution.xml).", .path.display())]
    NotASolution { path: PathBuf, detail: String },

    #[error("{}: this is a YAML source-control folder (solutions/*/solution.yml); Ferry cannot read that format yet. Export the solution as a .zip and pass that instead.", .path.display())]
    UnsupportedYaml { path: PathBuf },

    #[error("{}: the zip file is damaged or is not a zip ({detail}). Download or export it again.", .path.display())]
    CorruptZip { path: PathBuf, detail: String },

    #[error("{}: the zip holds an entry with an unsafe name `{entry}` (absolute, or with `..`). Real exports never do; Ferry refuses the file. Export the solution again from Power Apps.", .path.display())]
    UnsafeEntryName { path: PathBuf, entry: String },

    #[error("{}: `{entry}` would unpack to more than {limit} bytes, more than any real solution; refused as a possible zip bomb. Check where the file comes from.", .path.display())]
    TooLarge {
        path: PathBuf,
        entry: String,
        limit: u64,
    },

    #[error("{}: `{entry}` is compressed {ratio}:1 (the limit is {limit}:1); refused as a possible zip bomb. Check where the file comes from.", .path.display())]
    SuspiciousCompression {
        path: PathBuf,
        entry: String,
        ratio: u64,
        limit: u64,
    },

    #[error("{}: `{entry}` declares a DOCTYPE or entities, which solution files never contain; refused for safety. Export the solution again from Power Apps.", .path.display())]
    XmlDoctype { path: PathBuf, entry: String },

    #[error("{}: `{entry}` is not well-formed XML ({detail}). Export the solution again, or fix the file if you edited it by hand.", .path.display())]
    Xml {
        path: PathBuf,
        entry: String,
        detail: String,
    },

    #[error("{}: `{entry}` is not readable text ({detail}). Save it as UTF-8 (or UTF-16 with a byte-order mark).", .path.display())]
    Encoding {
        path: PathBuf,
        entry: String,
        detail: String,
    },

    #[error("{}: `{entry}` is not valid JSON ({detail}). Fix the file or generate it again with `ferry solution settings`.", .path.display())]
    Json {
        path: PathBuf,
        entry: String,
        detail: String,
    },

    #[error("{}: `{entry}` {detail}. Export the solution again, or fix the file if you edited it by hand.", .path.display())]
    InvalidManifest {
        path: PathBuf,
        entry: String,
        detail: String,
    },

    #[error("{}: the file already exists. Pass --force to replace it, or --merge to keep its values and add what is missing.", .path.display())]
    AlreadyExists { path: PathBuf },
}

fn in_entry(entry: &Option<String>) -> String {
    entry
        .as_ref()
        .map(|e| format!(" `{e}`"))
        .unwrap_or_default()
}

impl SolutionError {
    /// The code of this error in Ferry's one vocabulary, for scripts and the UI (which
    /// never parse the message).
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Io { .. } => ErrorCode::Io,
            Self::Empty { .. } => ErrorCode::EmptyFile,
            Self::NotASolution { .. } => ErrorCode::NotASolution,
            Self::UnsupportedYaml { .. } => ErrorCode::UnsupportedYamlFormat,
            Self::CorruptZip { .. } => ErrorCode::CorruptZip,
            Self::UnsafeEntryName { .. } => ErrorCode::UnsafeEntryName,
            Self::TooLarge { .. } => ErrorCode::TooLarge,
            Self::SuspiciousCompression { .. } => ErrorCode::SuspiciousCompression,
            Self::XmlDoctype { .. } => ErrorCode::XmlDoctype,
            Self::Xml { .. } => ErrorCode::InvalidXml,
            Self::Encoding { .. } => ErrorCode::InvalidEncoding,
            Self::Json { .. } => ErrorCode::InvalidJson,
            Self::InvalidManifest { .. } => ErrorCode::InvalidManifest,
            Self::AlreadyExists { .. } => ErrorCode::AlreadyExists,
        }
    }
}
