//! A plain `http://` host off this computer carries the bearer token in clear: a profile
//! for one is refused unless it opts in with a warned `--allow-insecure-http` (a test
//! host served with `ferry host serve --listen`). Once, such a profile was accepted
//! silently.

mod common;

use std::net::{IpAddr, UdpSocket};

use common::{ferry_as, text};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// This machine's address on its network (a UDP "connect" only picks the route, it
/// sends nothing), or `None` without one.
fn network_address() -> Option<IpAddr> {
    let socket = UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

fn profile_ids(dir: &std::path::Path) -> Vec<String> {
    let out = ferry_as(dir, "mona", &["profile", "list", "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_plain_http_host_off_this_computer_needs_the_profile_to_opt_in() {
    let Some(ip) = network_address() else {
        eprintln!("skipped: this machine has no network address to serve a host on");
        return;
    };
    let host_dir = tempfile::tempdir().unwrap();
    let host = common::serve(host_dir.path(), &["--listen", &ip.to_string()]);
    assert!(host.url.starts_with("http://") && !host.url.contains("127.0.0.1"));
    let dir = tempfile::tempdir().unwrap();
    let add = |extra: &[&str]| {
        let mut args = vec![
            "profile",
            "add",
            "far",
            "--host",
            &host.url,
            "--dev-env",
            "dev",
            "--use",
        ];
        args.extend(extra);
        ferry_as(dir.path(), "mona", &args)
    };

    let out = add(&[]);
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
    let said = stderr(&out);
    assert!(
        said.contains("unencrypted") && said.contains("--allow-insecure-http"),
        "{said}"
    );
    assert!(!profile_ids(dir.path()).contains(&"far".to_string()));

    let out = add(&["--allow-insecure-http"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(stderr(&out).contains("warning"), "{}", text(&out));
    let out = ferry_as(dir.path(), "mona", &["pipeline", "list", "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Contoso Release"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_plain_http_authority_off_this_computer_is_refused_too() {
    let dir = tempfile::tempdir().unwrap();
    let out = ferry_as(
        dir.path(),
        "mona",
        &[
            "profile",
            "add",
            "far",
            "--host",
            "https://contoso.crm.dynamics.com",
            "--authority",
            "http://login.contoso.example/organizations",
            "--dev-env",
            "dev",
        ],
    );
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
    let said = stderr(&out);
    assert!(
        said.contains("http://login.contoso.example") && said.contains("unencrypted"),
        "{said}"
    );
}
