//! Shared by the CLI tests: the real `ferry` binary against a Local sandbox in a temp data
//! folder, and output filters for snapshots (times, dates and ids replaced).
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

pub const SETTINGS: &str = r#"{
  "EnvironmentVariables": [
    { "SchemaName": "cont_ApiBaseUrl", "Value": "https://api.test.contoso.example" },
    { "SchemaName": "cont_RetryCount", "Value": "5" }
  ],
  "ConnectionReferences": [
    { "LogicalName": "cont_sharedoffice365_1a2b3", "ConnectionId": "test-office365" }
  ]
}"#;

pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn ferry(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ferry"));
        cmd.args(args)
            .env("FERRY_DATA_DIR", self.data())
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("xdg"))
            .env("FERRY_SANDBOX_SPEED", "25")
            .env("FERRY_POLL_MS", "50")
            .env("NO_COLOR", "1")
            // A keyring namespace of this test's own: the user's entries are never read.
            .env(
                "FERRY_KEYRING_SERVICE",
                format!(
                    "ferry-test-{}",
                    self.dir.path().file_name().unwrap().to_string_lossy()
                ),
            )
            .env_remove("FERRY_PROFILE")
            .env_remove("FERRY_TOKEN");
        cmd
    }

    pub fn settings_file(&self) -> PathBuf {
        let path = self.dir.path().join("test.settings.json");
        std::fs::write(&path, SETTINGS).unwrap();
        path
    }

    /// Runs a command that succeeds and prints JSON.
    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.ferry(args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        Self::parse(args, &out)
    }

    pub fn parse(args: &[&str], out: &Output) -> Value {
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}): {}", text(out)))
    }
}

pub fn text(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Collapses spaces, and replaces run ids with `<ID>`, timestamps, clock times, dates and
/// loopback ports with placeholders.
pub fn filtered(s: &str) -> String {
    s.lines()
        .map(|line| {
            line.split_whitespace()
                .map(|word| {
                    if let Some((before, port)) = word.split_once("127.0.0.1:") {
                        let rest = port.trim_start_matches(|c: char| c.is_ascii_digit());
                        format!("{before}127.0.0.1:<PORT>{rest}")
                    } else if time::OffsetDateTime::parse(
                        word,
                        &time::format_description::well_known::Rfc3339,
                    )
                    .is_ok()
                    {
                        "<TIMESTAMP>".to_string()
                    } else if uuid::Uuid::parse_str(word).is_ok() {
                        "<ID>".to_string()
                    } else if is_clock(word) {
                        "<TIME>".to_string()
                    } else if word.len() == 10
                        && word.as_bytes()[4] == b'-'
                        && word.as_bytes()[7] == b'-'
                    {
                        "<DATE>".to_string()
                    } else {
                        word.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn is_clock(w: &str) -> bool {
    let b = w.as_bytes();
    (b.len() == 8 && b[2] == b':' && b[5] == b':') || (b.len() == 5 && b[2] == b':')
}
