//! Times through the real binary: shown in the local zone with the offset (UTC in `--json`),
//! `--at` in the forms people type (echoed before anything is scheduled), daylight-saving
//! gaps and folds refused, and history's days taken as local days.

mod common;

use common::{stdout, text, Sandbox};
use time::{Duration, OffsetDateTime, UtcOffset};

fn in_zone(sb: &Sandbox, zone: &str, args: &[&str]) -> std::process::Output {
    sb.command(args).env("TZ", zone).output().unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn at_in_two_hours_is_echoed_in_local_time_and_sent_as_utc() {
    let sb = Sandbox::new();
    let args = [
        "deploy",
        "--solution",
        "ContosoCanvas",
        "--stage",
        "Deploy to Test",
        "--at",
        "in 2h",
    ];
    let asked = OffsetDateTime::now_utc();
    let out = in_zone(&sb, "Asia/Kolkata", &args);
    assert!(out.status.success(), "{}", text(&out));
    // "Scheduling for 2026-12-07 22:00 +05:30 (2026-12-07T16:30:00Z)."
    let echo = stderr(&out);
    let line = echo
        .lines()
        .find(|l| l.starts_with("Scheduling for "))
        .unwrap_or_else(|| panic!("no echo: {}", text(&out)));
    assert!(line.contains(" +05:30 ("), "{line}");
    let utc = line
        .rsplit_once('(')
        .and_then(|(_, rest)| rest.strip_suffix(")."))
        .unwrap();
    let at = OffsetDateTime::parse(utc, &time::format_description::well_known::Rfc3339).unwrap();
    let delay = at - asked;
    assert!(
        delay > Duration::minutes(119) && delay <= Duration::minutes(121),
        "{line}"
    );
    // The run's "At:" line is local too; its JSON is the host's UTC.
    let shown = stdout(&out);
    let at_line = shown.lines().find(|l| l.trim_start().starts_with("At:"));
    assert!(
        at_line.is_some_and(|l| l.ends_with(" +05:30")),
        "{}",
        text(&out)
    );
    let id = shown
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("Run:"))
        .unwrap()
        .trim()
        .to_string();
    let status = sb.json(&["run", "status", &id, "--json"]);
    let scheduled = status["run"]["scheduledTime"].as_str().unwrap();
    assert_eq!(scheduled, utc, "{status}");
}

#[test]
fn local_times_a_clock_change_skips_or_repeats_are_refused_before_anything_is_sent() {
    let sb = Sandbox::new();
    for (at, says) in [
        // Paris springs forward at 02:00 on 28 March 2027 and falls back at 03:00 on 31 October.
        ("2027-03-28 02:30", "does not exist in Europe/Paris"),
        ("2027-10-31 02:30", "happens twice in Europe/Paris"),
        ("next tuesday", "in 2h"),
    ] {
        let out = in_zone(
            &sb,
            "Europe/Paris",
            &[
                "deploy",
                "--solution",
                "ContosoCanvas",
                "--stage",
                "Deploy to Test",
                "--at",
                at,
            ],
        );
        assert_eq!(out.status.code(), Some(6), "{at}: {}", text(&out));
        assert!(stderr(&out).contains(says), "{at}: {}", text(&out));
    }
    let json = in_zone(
        &sb,
        "Europe/Paris",
        &[
            "deploy",
            "--solution",
            "ContosoCanvas",
            "--stage",
            "Deploy to Test",
            "--at",
            "2027-03-28 02:30",
            "--json",
        ],
    );
    let error: serde_json::Value = serde_json::from_slice(&json.stderr).unwrap();
    assert_eq!(error["error"]["code"], "invalid_input", "{}", text(&json));
    // Nothing was sent: no run exists.
    let history = in_zone(&sb, "Europe/Paris", &["history"]);
    assert_eq!(
        stdout(&history).trim(),
        "No runs match.",
        "{}",
        text(&history)
    );
}

#[test]
fn history_days_are_local_days() {
    let sb = Sandbox::new();
    let out = in_zone(
        &sb,
        "UTC",
        &[
            "deploy",
            "--solution",
            "ContosoCanvas",
            "--stage",
            "Deploy to Test",
            "--at",
            "in 1h",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    // Far east and far west of UTC, a local day's bounds differ from the UTC day's by up to
    // 14 and 12 hours: at any hour, a UTC reading of the days fails one of these.
    for (zone, hours) in [("Pacific/Kiritimati", 14), ("Etc/GMT+12", -12)] {
        let offset = UtcOffset::from_hms(hours, 0, 0).unwrap();
        let local_today = OffsetDateTime::now_utc().to_offset(offset).date();
        let today = local_today.to_string();
        let tomorrow = local_today.next_day().unwrap().to_string();
        for (args, listed) in [
            (["history", "--from", today.as_str()], true),
            (["history", "--before", today.as_str()], false),
            (["history", "--before", tomorrow.as_str()], true),
        ] {
            let out = in_zone(&sb, zone, &args);
            assert_eq!(
                stdout(&out).contains("ContosoCanvas"),
                listed,
                "{zone} {args:?}: {}",
                text(&out)
            );
        }
        // The table shows the zone's own offset.
        let listed = in_zone(&sb, zone, &["history"]);
        let offset_text = if hours > 0 { "+14:00" } else { "-12:00" };
        assert!(
            stdout(&listed).contains(&format!(" {offset_text} ")),
            "{zone}: {}",
            text(&listed)
        );
    }
}
