//! The one error type of this crate: every variant names the file (and the entry inside a
//! zip) and ends with what the maker can do about it.

use std::path::PathBuf;

pub use ferry_error::ErrorCode;

/// Why a package or settings file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SolutionError {
    /// The cause is the source, not in the sentence: callers print the chain, and it
    /// would say the cause twice.
    #[error("{}: cannot read{} (check that it exists and that you may read it)", .path.display(), in_entry(.entry))]
    Io {
        path: PathBuf,
        entry: Option<String>,
        #[source]
        source: std::io::Error,
    },

    /// Writing a file failed; `path` is the destination (never the temporary file), which
    /// is left as it was. The cause is in the sentence (not a source).
    #[error("{}: cannot write the file ({cause}); it was left as it was. Check that the folder exists and that you may write in it.", .path.display())]
    Write {
        path: PathBuf,
        cause: std::io::Error,
    },

    #[error("{}: {} {kind}, not a regular file; Ferry reads only regular files (never pipes, devices or sockets), so it did not open it.", .path.display(), entry.as_ref().map_or_else(|| "this is".to_string(), |e| format!("`{e}` is")))]
    NotARegularFile {
        path: PathBuf,
        entry: Option<String>,
        /// `a named pipe (FIFO)`, `a device`, `a socket`, `a folder`…
        kind: &'static str,
    },

    #[error("{}: `{entry}` is a link to {}, outside the folder; Ferry reads only what is inside it. Replace the link with the file or folder itself.", .path.display(), .target.display())]
    LinkOutside {
        path: PathBuf,
        entry: String,
        target: PathBuf,
    },

    #[error("{}: the zip holds {} twice (names that differ only in letter case count as one); Ferry cannot tell which one Dataverse would read, so it refuses the file. Real exports never do this: export the solution again from Power Apps.", .path.display(), .entry.as_ref().map_or_else(|| "an entry name".to_string(), |e| format!("`{e}`")))]
    AmbiguousEntry {
        path: PathBuf,
        /// The name, when the zip reader can tell (twins differing in case).
        entry: Option<String>,
    },

    #[error("{}: this is a package holding solutions ({}), not a solution itself. Extract them and inspect or deploy each one.", .path.display(), .solutions.join(", "))]
    PackageOfSolutions {
        path: PathBuf,
        /// The entries that are solution zips, as named inside the package.
        solutions: Vec<String>,
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

    #[error("{}: `{entry}` {} than {}, more than any real {what}; refused{}. Check where the file comes from.", .path.display(), if *.in_zip { "would unpack to more" } else { "is larger" }, size(*.limit), if *.in_zip { " as a possible zip bomb" } else { "" })]
    TooLarge {
        path: PathBuf,
        entry: String,
        limit: u64,
        /// `solution file`, `manifest`, `settings file`.
        what: &'static str,
        /// Whether `entry` is inside a zip (so it would be inflated).
        in_zip: bool,
    },

    #[error("{}: the files Ferry reads from this package add up to more than {}, more than any real solution; refused. Check where the file comes from.", .path.display(), size(*.limit))]
    TotalTooLarge { path: PathBuf, limit: u64 },

    #[error("{}: `{entry}` has more than {limit} {what}; no real solution has that many, so Ferry stops reading it. Check where the file comes from.", .path.display())]
    TooMany {
        path: PathBuf,
        entry: String,
        limit: usize,
        /// What was counted, like `<RootComponent> elements in <RootComponents>`.
        what: String,
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

/// `256 MiB`, `16 KiB`, or bytes.
fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 && b.is_multiple_of(1 << 20) => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b.is_multiple_of(1 << 10) => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
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
            Self::Io { .. } | Self::Write { .. } => ErrorCode::Io,
            // The path given is wrong for a package: a pipe, a device, a folder.
            Self::NotARegularFile { .. } => ErrorCode::InvalidInput,
            // Like a `..` entry name: a way out of what was given, or a crafted file.
            Self::LinkOutside { .. } | Self::AmbiguousEntry { .. } => ErrorCode::UnsafeEntryName,
            Self::PackageOfSolutions { .. } => ErrorCode::NotASolution,
            Self::TotalTooLarge { .. } | Self::TooMany { .. } => ErrorCode::TooLarge,
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
