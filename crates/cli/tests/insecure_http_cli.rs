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

/// `ferry host serve --listen IP` (strict sign-in, a fast device-code poll) on `dir`.
fn serve_strict_on(ip: IpAddr, dir: &std::path::Path) -> common::Served {
    let mut args: Vec<std::ffi::OsString> = [
        "--speed",
        "100",
        "--device-code-interval",
        "1",
        "--auth",
        "strict",
        "--listen",
    ]
    .iter()
    .map(Into::into)
    .collect();
    args.push(ip.to_string().into());
    args.push("--data-dir".into());
    args.push(dir.into());
    common::host_serve(&args)
}

#[test]
fn a_device_code_sign_in_works_against_an_opted_in_listen_host() {
    if std::env::var_os("KEYRING_REAL").is_none_or(|v| v != "1") {
        eprintln!(
            "skipped: needs a Secret Service session (KEYRING_REAL=1, as the test command runs)"
        );
        return;
    }
    let Some(ip) = network_address() else {
        eprintln!("skipped: this machine has no network address to serve a host on");
        return;
    };
    let host_dir = tempfile::tempdir().unwrap();
    let host = serve_strict_on(ip, host_dir.path());
    let sb = common::Sandbox::new();
    let out = sb.ferry(&[
        "profile",
        "add",
        "far",
        "--host",
        &host.url,
        "--dev-env",
        "dev",
        "--allow-insecure-http",
        "--use",
    ]);
    assert!(out.status.success(), "{}", text(&out));

    // Its sign-in page is the host's own, plain http off this computer: the profile opted in.
    let url = host.url.clone();
    let dir = sb.dir.path().to_path_buf();
    let login = common::approving(sb.command(&["login", "--device-code"]), |code| {
        let approve = std::process::Command::new(env!("CARGO_BIN_EXE_ferry"))
            .args([
                "host",
                "approve-code",
                code,
                "--user",
                "mona",
                "--url",
                &url,
            ])
            .env("HOME", &dir)
            .output()
            .unwrap();
        assert!(approve.status.success(), "{}", text(&approve));
    });
    assert!(login.status.success(), "{}", text(&login));
    let shown = String::from_utf8_lossy(&login.stdout);
    assert!(shown.contains(&format!("open {}", host.url)), "{shown}");
    assert!(
        shown.contains("Signed in to far as mona@contoso.example"),
        "{shown}"
    );
    let out = sb.ferry(&["pipeline", "list", "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Contoso Release"),
        "{}",
        text(&out)
    );
}

/// `ferry login --environment`, `ferry env use` and `ferry profile import` against a
/// `--listen` host: refused without the opt-in, signed in and connected with it; `env use`
/// keeps the profile's opt-in.
#[test]
fn a_cloud_sign_in_to_an_opted_in_listen_host_connects_its_environments() {
    if std::env::var_os("KEYRING_REAL").is_none_or(|v| v != "1") {
        eprintln!(
            "skipped: needs a Secret Service session (KEYRING_REAL=1, as the test command runs)"
        );
        return;
    }
    let Some(ip) = network_address() else {
        eprintln!("skipped: this machine has no network address to serve a host on");
        return;
    };
    let host_dir = tempfile::tempdir().unwrap();
    let host = serve_strict_on(ip, host_dir.path());
    let sb = common::Sandbox::new();
    let dev = format!("{}/environments/dev", host.url);
    let approving = |args: &[&str]| {
        let url = host.url.clone();
        let home = sb.dir.path().to_path_buf();
        common::approving(sb.command(args), move |code| {
            let approve = std::process::Command::new(env!("CARGO_BIN_EXE_ferry"))
                .args([
                    "host",
                    "approve-code",
                    code,
                    "--user",
                    "mona",
                    "--url",
                    &url,
                ])
                .env("HOME", &home)
                .output()
                .unwrap();
            assert!(approve.status.success(), "{}", text(&approve));
        })
    };

    let out = sb.ferry(&["login", "--environment", &dev, "--device-code"]);
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
    let said = stderr(&out);
    assert!(
        said.contains("unencrypted") && said.contains("--allow-insecure-http"),
        "{said}"
    );

    let out = approving(&[
        "login",
        "--environment",
        &dev,
        "--device-code",
        "--allow-insecure-http",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(stderr(&out).contains("warning"), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Created profile contoso-dev"),
        "{}",
        text(&out)
    );
    let listing = sb.ferry(&["pipeline", "list", "--json"]);
    assert!(
        String::from_utf8_lossy(&listing.stdout).contains("Contoso Release"),
        "{}",
        text(&listing)
    );

    // Another environment of the same sign-in: the profile's opt-in goes with it.
    let out = sb.ferry(&["env", "use", "Contoso HR Dev"]);
    assert!(out.status.success(), "{}", text(&out));
    let listing = sb.ferry(&["pipeline", "list", "--json"]);
    assert!(
        String::from_utf8_lossy(&listing.stdout).contains("HR Release"),
        "{}",
        text(&listing)
    );

    // A connection file naming that host: refused without the opt-in, imported with it.
    let (_, cloud) = common::request(&host.url, "GET", "/.well-known/ferry/cloud", "");
    let cloud: serde_json::Value = serde_json::from_str(&cloud).unwrap();
    let file = sb.dir.path().join("lab.ferry.json");
    let connection = serde_json::json!({
        "version": 1, "name": "Lab", "tenant": cloud["tenantId"], "cloud": "local",
        "clientId": "ferry", "environment": format!("{}/environments/hrdev", host.url),
    });
    std::fs::write(&file, connection.to_string()).unwrap();
    let file = file.to_str().unwrap();
    let out = sb.ferry(&["profile", "import", file, "--yes", "--device-code"]);
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
    assert!(
        stderr(&out).contains("--allow-insecure-http"),
        "{}",
        text(&out)
    );
    let out = approving(&[
        "profile",
        "import",
        file,
        "--yes",
        "--device-code",
        "--allow-insecure-http",
    ]);
    assert!(out.status.success(), "{}", text(&out));
}
