//! Saving a run record to a file (the app's "Save as file"): the user's
//! Downloads folder when there is one, else `exports/` in the data directory.

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
        let record = self.run_record(run_id)?;
        let text = self.export_run(run_id, format)?;
        let dir = match dir {
            Some(d) => d.to_path_buf(),
            None => dirs::download_dir()
                .filter(|d| d.is_dir())
                .unwrap_or_else(|| self.data_dir().join("exports")),
        };
        std::fs::create_dir_all(&dir).map_err(|e| {
            OpsError::Io(format!(
                "could not create the folder {}: {e}; check that it is writable",
                dir.display()
            ))
        })?;
        let path = dir.join(file_name(
            &record.run.solution,
            record.run.version.as_deref(),
            &record.run.id,
            format,
        ));
        std::fs::write(&path, text).map_err(|e| {
            OpsError::Io(format!(
                "could not write {}: {e}; check that the folder is writable",
                path.display()
            ))
        })?;
        Ok(path)
    }
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
    use crate::{EngineOptions, PlanRequest};
    use tokio_util::sync::CancellationToken;

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
        let mut options = EngineOptions::new(dir.path().join("data"));
        options.sandbox_speed = 50.0;
        let engine = Engine::open(options).unwrap();
        let req = PlanRequest {
            solution: "ContosoCanvas".into(),
            stage: "Deploy to Test".into(),
            ..Default::default()
        };
        let outcome = engine
            .validate(&req, &(), &CancellationToken::new())
            .await
            .unwrap();
        let out = dir.path().join("out");
        let path = engine
            .save_run_export(&outcome.run.id, ExportFormat::Markdown, Some(&out))
            .unwrap();
        assert!(path.starts_with(&out));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("ContosoCanvas"), "{text}");
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
