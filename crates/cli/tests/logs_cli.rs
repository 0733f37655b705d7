//! No token or secret in a log: the whole trace of a sign-in and the commands after it
//! (every crate's events at `trace`, which the app's log file also receives) names no
//! access token, refresh token or Authorization header.

mod common;

use std::process::Command;

use common::{approving, host_serve, text, Sandbox};

#[test]
fn a_trace_of_a_sign_in_and_a_deployment_holds_no_token() {
    let sb = Sandbox::new();
    let host_dir = tempfile::tempdir().unwrap();
    let host = host_serve(&[
        "--speed".as_ref(),
        "100".as_ref(),
        "--device-code-interval".as_ref(),
        "1".as_ref(),
        "--auth".as_ref(),
        "strict".as_ref(),
        "--data-dir".as_ref(),
        host_dir.path().as_os_str(),
    ]);
    let traced = |args: &[&str]| -> Command {
        let mut all = vec!["-v"];
        all.extend_from_slice(args);
        let mut cmd = sb.command(&all);
        cmd.env("RUST_LOG", "trace")
            // The keyring is this test's only store of the sign-in.
            .env("FERRY_TOKEN", "");
        cmd
    };
    let mut trace = String::new();
    let mut keep = |out: &std::process::Output| {
        trace.push_str(&String::from_utf8_lossy(&out.stdout));
        trace.push_str(&String::from_utf8_lossy(&out.stderr));
    };

    let add = traced(&[
        "profile",
        "add",
        "strict",
        "--host",
        &host.url,
        "--dev-env",
        "dev",
        "--use",
    ])
    .output()
    .unwrap();
    assert!(add.status.success(), "{}", text(&add));
    keep(&add);

    let login = approving(traced(&["login", "--device-code"]), |code| {
        let approve = sb.ferry(&[
            "host",
            "approve-code",
            code,
            "--user",
            "mona",
            "--url",
            &host.url,
        ]);
        assert!(approve.status.success(), "{}", text(&approve));
    });
    if !login.status.success() && String::from_utf8_lossy(&login.stderr).contains("keyring") {
        // No Secret Service here (run the tests through scripts/test.sh).
        return;
    }
    assert!(login.status.success(), "{}", text(&login));
    keep(&login);

    for args in [
        &["pipeline", "list"][..],
        &[
            "deploy",
            "--solution",
            "ContosoCanvas",
            "--stage",
            "Deploy to Test",
            "--wait",
        ][..],
        &["history", "--sync"][..],
    ] {
        let out = traced(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        keep(&out);
    }

    // The trace is real: the HTTP client's own lines are in it.
    assert!(trace.contains("TRACE"), "nothing was traced:\n{trace}");
    assert!(
        trace.contains("idle connection"),
        "no connection was traced:\n{trace}"
    );
    // A JWT (the host's access tokens) always starts with the base64 of `{"`.
    for secret in [
        "eyJ",
        "Bearer ",
        "refresh_token",
        "access_token",
        "client_secret",
    ] {
        assert!(
            !trace.contains(secret),
            "the trace holds {secret:?}:\n{}",
            trace
                .lines()
                .filter(|l| l.contains(secret))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}
