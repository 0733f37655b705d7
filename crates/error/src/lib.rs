//! Ferry's one error vocabulary. Every error that leaves Ferry — over IPC to the
//! window, as `{"error": {…}}` from the CLI's `--json`, or as the CLI's exit
//! status — carries an [`ErrorCode`] from this enum, and the solution reader's
//! own errors name theirs here too, so a script, the UI and a test all branch on
//! the same snake_case words. [`CodedError`] is the `{code, message}` shape: a
//! code to branch on and a sentence for people that says what to do. Codes
//! group into classes ([`ErrorCode::class`]); each class has its own exit code,
//! listed in `docs/cli.md`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What went wrong, as a stable word. Never parse a message: branch on this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A bug or an unexpected state in Ferry itself.
    Internal,
    /// The request itself was wrong (bad value, bad path): the input can be fixed.
    InvalidInput,
    /// The thing asked for does not exist.
    NotFound,
    /// The host could not be reached; cached data is still available.
    Offline,
    /// The host refused: sign in again or ask an admin for access.
    Unauthorized,
    /// The host answered with an error; the message explains it.
    Host,
    /// The local cache could not be read or written.
    Cache,
    /// A file on this computer could not be read or written.
    Io,
    /// Stopped by the person (Ctrl-C, Cancel) before the operation finished.
    Interrupted,
    /// The tenant is not set up for this (no host bound, environment not registered…):
    /// the message names who can fix it, usually an admin.
    NotSetUp,
    /// A solution package or settings file is empty.
    EmptyFile,
    /// The file is not a solution package.
    NotASolution,
    /// A YAML source-control folder, which Ferry cannot read yet.
    UnsupportedYamlFormat,
    /// The zip is damaged or not a zip.
    CorruptZip,
    /// A zip entry's name is absolute or climbs out with `..`.
    UnsafeEntryName,
    /// An entry or the package is larger than any real solution.
    TooLarge,
    /// An entry is compressed more than real solutions are (a possible zip bomb).
    SuspiciousCompression,
    /// An XML file declares a DOCTYPE or entities.
    XmlDoctype,
    /// An XML file is not well-formed.
    InvalidXml,
    /// A file is not readable text.
    InvalidEncoding,
    /// A JSON file is not valid JSON.
    InvalidJson,
    /// A solution manifest lacks what every manifest has.
    InvalidManifest,
    /// The file to write exists already.
    AlreadyExists,
}

/// The classes of [`ErrorCode`]: each has its own CLI exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// A bug in Ferry: exit 1.
    Internal,
    /// The host could not be reached: exit 5.
    Offline,
    /// The input (an argument's value, a file's content) is wrong: exit 6.
    InvalidInput,
    /// What was named does not exist: exit 7.
    NotFound,
    /// Not signed in, or not allowed: exit 8.
    Unauthorized,
    /// The host answered with an error: exit 9.
    Host,
    /// The local cache failed: exit 10.
    Cache,
    /// A local file could not be read or written: exit 11.
    Io,
    /// Stopped by the person: exit 130.
    Interrupted,
    /// The tenant is not set up for this; an admin fixes it: exit 12.
    NotSetUp,
}

impl ErrorCode {
    /// Every code, in declaration order (the UI's generated list of codes).
    pub const ALL: [ErrorCode; 23] = [
        Self::Internal,
        Self::InvalidInput,
        Self::NotFound,
        Self::Offline,
        Self::Unauthorized,
        Self::Host,
        Self::Cache,
        Self::Io,
        Self::Interrupted,
        Self::NotSetUp,
        Self::EmptyFile,
        Self::NotASolution,
        Self::UnsupportedYamlFormat,
        Self::CorruptZip,
        Self::UnsafeEntryName,
        Self::TooLarge,
        Self::SuspiciousCompression,
        Self::XmlDoctype,
        Self::InvalidXml,
        Self::InvalidEncoding,
        Self::InvalidJson,
        Self::InvalidManifest,
        Self::AlreadyExists,
    ];

    /// The code as it is written on the wire (`invalid_input`, `too_large`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Internal => "internal",
            Self::InvalidInput => "invalid_input",
            Self::NotFound => "not_found",
            Self::Offline => "offline",
            Self::Unauthorized => "unauthorized",
            Self::Host => "host",
            Self::Cache => "cache",
            Self::Io => "io",
            Self::Interrupted => "interrupted",
            Self::NotSetUp => "not_set_up",
            Self::EmptyFile => "empty_file",
            Self::NotASolution => "not_a_solution",
            Self::UnsupportedYamlFormat => "unsupported_yaml_format",
            Self::CorruptZip => "corrupt_zip",
            Self::UnsafeEntryName => "unsafe_entry_name",
            Self::TooLarge => "too_large",
            Self::SuspiciousCompression => "suspicious_compression",
            Self::XmlDoctype => "xml_doctype",
            Self::InvalidXml => "invalid_xml",
            Self::InvalidEncoding => "invalid_encoding",
            Self::InvalidJson => "invalid_json",
            Self::InvalidManifest => "invalid_manifest",
            Self::AlreadyExists => "already_exists",
        }
    }

    /// The class the code belongs to.
    pub fn class(self) -> ErrorClass {
        match self {
            Self::Internal => ErrorClass::Internal,
            Self::Offline => ErrorClass::Offline,
            Self::NotFound => ErrorClass::NotFound,
            Self::Unauthorized => ErrorClass::Unauthorized,
            Self::Host => ErrorClass::Host,
            Self::Cache => ErrorClass::Cache,
            Self::Io => ErrorClass::Io,
            Self::Interrupted => ErrorClass::Interrupted,
            Self::NotSetUp => ErrorClass::NotSetUp,
            // What the maker passed is wrong: the package, the file, the value.
            Self::InvalidInput
            | Self::EmptyFile
            | Self::NotASolution
            | Self::UnsupportedYamlFormat
            | Self::CorruptZip
            | Self::UnsafeEntryName
            | Self::TooLarge
            | Self::SuspiciousCompression
            | Self::XmlDoctype
            | Self::InvalidXml
            | Self::InvalidEncoding
            | Self::InvalidJson
            | Self::InvalidManifest
            | Self::AlreadyExists => ErrorClass::InvalidInput,
        }
    }

    /// The CLI's exit status for an error with this code (`docs/cli.md`).
    pub fn exit_code(self) -> u8 {
        self.class().exit_code()
    }
}

impl ErrorClass {
    /// The CLI's exit status for this class. 2 (usage), 3 (run failed) and
    /// 4 (run canceled) are not errors of the engine and are not here.
    pub fn exit_code(self) -> u8 {
        match self {
            Self::Internal => 1,
            Self::Offline => 5,
            Self::InvalidInput => 6,
            Self::NotFound => 7,
            Self::Unauthorized => 8,
            Self::Host => 9,
            Self::Cache => 10,
            Self::Io => 11,
            Self::NotSetUp => 12,
            Self::Interrupted => 130,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The one error shape that leaves Ferry: the IPC error of every command and the
/// CLI's `--json` error. `message` is a sentence that says what went wrong and
/// what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct CodedError {
    pub code: ErrorCode,
    pub message: String,
}

impl CodedError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_and_message() {
        let err = CodedError::new(ErrorCode::NotFound, "No such solution.");
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "not_found", "message": "No such solution."})
        );
    }

    #[test]
    fn every_code_is_listed_once_and_written_as_serde_writes_it() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code), "{code:?} listed twice");
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::json!(code.as_str())
            );
            let back: ErrorCode = serde_json::from_value(serde_json::json!(code.as_str())).unwrap();
            assert_eq!(back, code);
        }
    }

    #[test]
    fn each_class_has_its_own_exit_code_clear_of_the_cli_s_own() {
        let classes = [
            ErrorClass::Internal,
            ErrorClass::Offline,
            ErrorClass::InvalidInput,
            ErrorClass::NotFound,
            ErrorClass::Unauthorized,
            ErrorClass::Host,
            ErrorClass::Cache,
            ErrorClass::Io,
            ErrorClass::Interrupted,
            ErrorClass::NotSetUp,
        ];
        let codes: std::collections::HashSet<u8> = classes.iter().map(|c| c.exit_code()).collect();
        assert_eq!(codes.len(), classes.len(), "two classes share an exit code");
        // 0 success, 2 usage, 3 run failed, 4 run canceled belong to the CLI itself.
        for taken in [0, 2, 3, 4] {
            assert!(
                !codes.contains(&taken),
                "exit code {taken} is the CLI's own"
            );
        }
        assert_eq!(ErrorCode::TooLarge.exit_code(), 6);
        assert_eq!(ErrorCode::Offline.exit_code(), 5);
        assert_eq!(ErrorCode::Interrupted.exit_code(), 130);
    }
}
