//! Snapshots of what people read: the human output of the real `ferry` binary against the
//! Local sandbox, with run ids, clock times, dates and ports replaced by placeholders
//! (`common::filtered`). Progress lines (`<TIME> …`) depend on when each read lands, so the
//! snapshots of `deploy` keep only what follows them. Update with
//! `INSTA_UPDATE=always cargo test -p ferry-cli --test snapshots_cli` and review the diff.

mod common;

use common::{filtered, stdout, text, Sandbox};

/// The output without its progress lines.
fn without_progress(s: &str) -> String {
    s.lines()
        .filter(|l| !l.starts_with("<TIME> "))
        .collect::<Vec<_>>()
        .join("\n")
}

fn shown(sb: &Sandbox, args: &[&str], code: i32) -> String {
    let out = sb.ferry(args);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {}", text(&out));
    filtered(&stdout(&out))
}

#[test]
fn what_people_read() {
    let sb = Sandbox::new();
    let settings = sb.settings_file();
    let settings = settings.to_str().unwrap();

    insta::assert_snapshot!("pipeline_list", shown(&sb, &["pipeline", "list"], 0));
    insta::assert_snapshot!(
        "pipeline_list_for_a_solution",
        shown(&sb, &["pipeline", "list", "--solution", "ContosoCore"], 0)
    );
    let deploy = [
        "deploy",
        "--solution",
        "ContosoCore",
        "--stage",
        "Deploy to Test",
        "--settings",
        settings,
        "--notes",
        "first release",
    ];
    let dry_run = [&deploy[..], &["--dry-run"]].concat();
    insta::assert_snapshot!("deploy_dry_run", shown(&sb, &dry_run, 0));
    let wait = [&deploy[..], &["--wait"]].concat();
    insta::assert_snapshot!(
        "deploy_wait_outcome",
        without_progress(&shown(&sb, &wait, 0))
    );
    insta::assert_snapshot!(
        "validation_failure_explained",
        without_progress(&shown(
            &sb,
            &[
                "deploy",
                "--solution",
                "ContosoReports",
                "--stage",
                "Deploy to Test",
                "--wait",
            ],
            3,
        ))
    );
    insta::assert_snapshot!("history", shown(&sb, &["history"], 0));
    insta::assert_snapshot!("matrix", shown(&sb, &["matrix"], 0));

    let history = sb.json(&["history", "--solution", "ContosoCore", "--json"]);
    let id = history["runs"][0]["id"].as_str().unwrap().to_string();
    let record = shown(&sb, &["run", "export", &id], 0);
    // The timeline's rows depend on which reads saw which step; keep the record's frame.
    let frame: Vec<&str> = record
        .lines()
        .take_while(|l| !l.starts_with("## Timeline"))
        .collect();
    insta::assert_snapshot!("run_record_markdown", frame.join("\n"));
}
