//! Saving what a maker exports: a run record (to a path from the app's save
//! dialog, or into Downloads / `<data dir>/exports`) and a `pac` deployment
//! settings file; both written atomically.

use std::path::{Path, PathBuf};

use crate::engine::Engine;
use crate::error::{OpsError, Result};
use crate::types::ExportFormat;

impl Engine {
    /// Writes a run record (secrets redacted) as Markdown or JSON into `dir`
    /// (`None`: Downloads, else `<data dir>/exports`) and returns the file's path.
    pub fn save_run_export(
        &self,
        run_id: &str,
        format: ExportFormat,
        dir: Option<&Path>,
    ) -> Result<PathBuf> {
        let dir = match dir {
            Some(d) => d.to_path_buf(),
            None => self.default_export_dir(),
        };
        std::fs::create_dir_all(&dir).map_err(|e| {
            OpsError::Io(format!(
                "could not create the folder {}: {e}; check that it is writable",
                dir.display()
            ))
        })?;
        let path = dir.join(self.run_export_file_name(run_id, format)?);
        self.write_run_export(run_id, format, &path)?;
        Ok(path)
    }

    /// Where exports go when the maker did not choose: Downloads, else `<data dir>/exports`.
    pub fn default_export_dir(&self) -> PathBuf {
        dirs::download_dir()
            .filter(|d| d.is_dir())
            .unwrap_or_else(|| self.data_dir().join("exports"))
    }

    /// The file name a run record is offered under (`ContosoCore-1.0.0.4-run-7b0eaa69.md`).
    pub fn run_export_file_name(&self, run_id: &str, format: ExportFormat) -> Result<String> {
        let record = self.run_record(run_id)?;
        Ok(file_name(
            &record.run.solution,
            record.run.version.as_deref(),
            &record.run.id,
            format,
        ))
    }

    /// Writes a run record to exactly `path` (chosen in a save dialog), replacing it
    /// atomically: a failed write never leaves half a file.
    pub fn write_run_export(&self, run_id: &str, format: ExportFormat, path: &Path) -> Result<()> {
        let text = self.export_run(run_id, format)?;
        write_atomically(path, text.as_bytes())
    }
}

/// Writes a `pac` deployment settings file (JSON with `EnvironmentVariables` and
/// `ConnectionReferences`) to `path`, after checking it reads back as one, and
/// replaces any file there atomically (the save dialog already asked).
pub fn write_settings_file(path: &Path, text: &str) -> Result<()> {
    use ferry_solution::settings::{DeploymentSettings, SettingsFile};
    let settings = DeploymentSettings::parse(text).map_err(|e| {
        OpsError::InvalidInput(format!(
            "the deployment settings are not valid JSON of a settings file ({e}); nothing was written"
        ))
    })?;
    // The solution crate's own atomic write (replacing: the save dialog already asked).
    settings.write(path, true).map_err(|e| match e {
        ferry_solution::SolutionError::Write { cause, .. }
        | ferry_solution::SolutionError::Io { source: cause, .. } => write_failed(path, cause),
        other => OpsError::Io(other.to_string()),
    })
}

fn write_failed(path: &Path, e: std::io::Error) -> OpsError {
    OpsError::Io(format!(
        "could not write {}: {e}; check that the folder exists and is writable",
        path.display()
    ))
}

/// A run record is the maker's alone (0600, issue 19 §5), replacing what the save dialog chose.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    use ferry_solution::atomic::{write_atomic, Access, Existing};
    write_atomic(path, bytes, Existing::Replace, Access::Private).map_err(|e| write_failed(path, e))
}

/// `ContosoCore-1.0.0.4-run-7b0eaa69.md`: readable, unique per run, safe on every OS.
fn file_name(solution: &str, version: Option<&str>, run_id: &str, format: ExportFormat) -> String {
    let safe = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    let short: String = run_id.chars().take(8).collect();
    let ext = match format {
        ExportFormat::Markdown => "md",
        ExportFormat::Json => "json",
    };
    match version {
        Some(v) => format!("{}-{}-run-{}.{ext}", safe(solution), safe(v), safe(&short)),
        None => format!("{}-run-{}.{ext}", safe(solution), safe(&short)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{brisk_options, validate_canvas};

    #[test]
    fn settings_files_are_checked_then_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ContosoCore.settings.json");
        std::fs::write(&path, "old").unwrap();
        let text = r#"{"EnvironmentVariables":[{"SchemaName":"cr_Url","Value":"https://x"}],"ConnectionReferences":[]}"#;
        write_settings_file(&path, text).unwrap();
        let back = std::fs::read_to_string(&path).unwrap();
        assert!(back.contains("\"SchemaName\": \"cr_Url\""), "{back}");
        let err = write_settings_file(&path, "{not json").unwrap_err();
        assert!(err.to_string().contains("nothing was written"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), back);
        let missing = dir.path().join("no/such/dir/x.json");
        let err = write_settings_file(&missing, text).unwrap_err();
        assert!(
            err.to_string().contains("check that the folder exists"),
            "{err}"
        );
    }

    #[test]
    fn file_names_are_safe_and_say_what_they_hold() {
        assert_eq!(
            file_name(
                "Contoso/Core",
                Some("1.0.0.4"),
                "7b0eaa69-18e6",
                ExportFormat::Markdown
            ),
            "Contoso_Core-1.0.0.4-run-7b0eaa69.md"
        );
        assert_eq!(
            file_name("X", None, "ab", ExportFormat::Json),
            "X-run-ab.json"
        );
    }

    #[tokio::test]
    async fn a_run_record_is_saved_where_asked() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(brisk_options(&dir.path().join("data"))).unwrap();
        let outcome = validate_canvas(&engine).await;
        let out = dir.path().join("out");
        let path = engine
            .save_run_export(&outcome.run.id, ExportFormat::Markdown, Some(&out))
            .unwrap();
        assert!(path.starts_with(&out));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("ContosoCanvas"), "{text}");
        // A path chosen in the save dialog is written as given, replacing what was there.
        let chosen = dir.path().join("chosen.json");
        std::fs::write(&chosen, "stale").unwrap();
        engine
            .write_run_export(&outcome.run.id, ExportFormat::Json, &chosen)
            .unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&chosen).unwrap()).unwrap();
        assert_eq!(json["run"]["solution"], "ContosoCanvas", "{json}");
        assert!(engine
            .run_export_file_name(&outcome.run.id, ExportFormat::Json)
            .unwrap()
            .starts_with("ContosoCanvas-"));
        let err = engine
            .save_run_export(
                "00000000-0000-0000-0000-000000000000",
                ExportFormat::Json,
                Some(&out),
            )
            .unwrap_err();
        assert!(matches!(err, OpsError::UnknownRun(_)), "{err}");
    }
}
