//! The real `ferry` binary against a hostile host and authority the test starts: absurd
//! `Retry-After` values, device codes whose lifetime and polling interval are 2^64−1, and
//! pages to open that are not web pages. Each ends in a sentence with its exit code —
//! never a panic (exit 101) — and a `file:` or `javascript:` page is never printed (a
//! terminal may make it a link). The server is raw TCP, so it can say what no real HTTP
//! stack would.

mod common;

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::process::Output;

use common::{ferry_as, text};

/// One answer: status line, extra header lines, body.
type Answer = (&'static str, String, String);

/// Serves `answer(path)` for every request on a free loopback port, from a thread that
/// lives as long as the test process; returns its origin.
fn hostile(answer: fn(&str, &str) -> Answer) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let me = origin.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let me = me.clone();
            std::thread::spawn(move || serve_one(stream, &me, answer));
        }
    });
    origin
}

fn serve_one(mut stream: TcpStream, origin: &str, answer: fn(&str, &str) -> Answer) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().to_string())
        })
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    let (status, headers, body) = answer(origin, &path);
    let reply = format!(
        "HTTP/1.1 {status}\r\n{headers}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(reply.as_bytes());
}

/// The local cloud's endpoint table, every service on the hostile origin itself.
fn cloud_table(origin: &str) -> String {
    serde_json::json!({
        "cloud": "local",
        "authority": origin,
        "tenantId": "00000000-0000-0000-0000-000000000001",
        "gds": format!("{origin}/gds"), "gdsAudience": format!("{origin}/gds"),
        "bap": format!("{origin}/bap"), "bapAudience": format!("{origin}/apps"),
        "powerApps": format!("{origin}/apps"), "powerAppsAudience": format!("{origin}/apps"),
    })
    .to_string()
}

fn throttled(origin: &str, path: &str, retry_after: &str) -> Answer {
    if path.starts_with("/.well-known/ferry/cloud") {
        return ("200 OK", String::new(), cloud_table(origin));
    }
    (
        "429 Too Many Requests",
        format!("Retry-After: {retry_after}\r\n"),
        r#"{"error":{"code":"0x80072321","message":"Too many requests."}}"#.into(),
    )
}

/// A device code whose lifetime and interval are 2^64−1, with `page` to open; the token
/// endpoint says the person declined (its first poll comes at once).
fn device_code(origin: &str, path: &str, page: &str) -> Answer {
    if path.ends_with("/devicecode") {
        let body = format!(
            r#"{{"device_code":"dc","user_code":"HOSTILE1","verification_uri":"{page}","expires_in":18446744073709551615,"interval":18446744073709551615}}"#
        );
        return ("200 OK", String::new(), body);
    }
    if path.ends_with("/token") {
        return (
            "400 Bad Request",
            String::new(),
            r#"{"error":"authorization_declined","error_description":"declined"}"#.into(),
        );
    }
    throttled(origin, path, "0")
}

fn profile_on(dir: &std::path::Path, origin: &str) {
    common::use_local_profile(dir, origin);
}

fn all_output(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn assert_no_panic(out: &Output) {
    assert_ne!(out.status.code(), Some(101), "panicked: {}", text(out));
    assert!(!all_output(out).contains("panicked"), "{}", text(out));
}

#[test]
fn an_absurd_retry_after_is_a_busy_host_not_a_panic() {
    for (retry_after, origin) in [
        ("1e300", hostile(|o, p| throttled(o, p, "1e300"))),
        (
            "18446744073709551615",
            hostile(|o, p| throttled(o, p, "18446744073709551615")),
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        profile_on(dir.path(), &origin);
        let out = ferry_as(dir.path(), "mona", &["pipeline", "list", "--json"]);
        assert_no_panic(&out);
        assert_eq!(out.status.code(), Some(9), "{retry_after}: {}", text(&out));
        let err: serde_json::Value = serde_json::from_slice(&out.stderr)
            .unwrap_or_else(|e| panic!("{retry_after}: no JSON error ({e}): {}", text(&out)));
        assert_eq!(err["error"]["code"], "host", "{err}");
        let message = err["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("asked to wait a day or more") && message.contains("try again later"),
            "{retry_after}: {message}"
        );
    }
}

/// `ferry login` (device code, no keyring needed: nothing is saved) as a person would run it.
fn login(dir: &std::path::Path) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(["login", "--device-code"])
        .env("FERRY_DATA_DIR", dir.join("data"))
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("xdg"))
        .env(
            "FERRY_KEYRING_SERVICE",
            format!("ferry-test-{}", uuid::Uuid::new_v4()),
        )
        .env("NO_COLOR", "1")
        .env_remove("FERRY_TOKEN")
        .env_remove("FERRY_PROFILE")
        .env_remove("RUST_LOG")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn a_device_code_page_that_is_no_web_page_is_refused_and_never_printed() {
    for (page, origin) in [
        (
            "file:///etc/passwd",
            hostile(|o, p| device_code(o, p, "file:///etc/passwd")),
        ),
        (
            "javascript:alert(1)",
            hostile(|o, p| device_code(o, p, "javascript:alert(1)")),
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        profile_on(dir.path(), &origin);
        let out = login(dir.path());
        assert_no_panic(&out);
        assert_eq!(out.status.code(), Some(6), "{page}: {}", text(&out));
        let said = all_output(&out);
        for leaked in [page, "/etc/passwd", "alert(1)", "HOSTILE1"] {
            assert!(!said.contains(leaked), "{page}: printed {leaked}: {said}");
        }
        assert!(
            said.contains("not a web page") && said.contains("authority"),
            "{page}: {said}"
        );
    }
}

#[test]
fn a_device_code_that_lives_and_polls_for_2_to_the_64_seconds_is_clamped() {
    // A web page this time: the code is shown, polled at once, and declined.
    let origin = hostile(|o, p| {
        let page = format!("{o}/devicelogin");
        device_code(o, p, Box::leak(page.into_boxed_str()))
    });
    let dir = tempfile::tempdir().unwrap();
    profile_on(dir.path(), &origin);
    let out = login(dir.path());
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(8), "{}", text(&out));
    let said = all_output(&out);
    assert!(said.contains("HOSTILE1"), "the code is shown: {said}");
    assert!(said.contains("declined"), "{said}");
}
