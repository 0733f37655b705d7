//! The real `ferry host` binary: serve on a free port, answer HTTP, stop on a
//! signal; load a package with `import-solution`.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::request;

fn ferry() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ferry"))
}

/// Starts `ferry host serve --port 0` and returns the child and its base URL.
fn serve(data_dir: &std::path::Path) -> (Child, String, BufReader<std::process::ChildStdout>) {
    serve_at(data_dir, "100")
}

fn serve_at(
    data_dir: &std::path::Path,
    speed: &str,
) -> (Child, String, BufReader<std::process::ChildStdout>) {
    let mut child = ferry()
        .args([
            "host",
            "serve",
            "--port",
            "0",
            "--speed",
            speed,
            "--auth",
            "open",
            "--data-dir",
        ])
        .arg(data_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    let url = first
        .trim()
        .strip_prefix("Listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_string();
    (child, url, out)
}

/// A plain HTTP/1.1 GET; returns (status line, body).
fn get(base: &str, path: &str) -> (String, String) {
    request(base, "GET", path, "")
}

fn stop(child: Child, mut out: BufReader<std::process::ChildStdout>) -> String {
    let banner = read_banner(&mut out);
    stop_after_banner(child, out, banner)
}

/// The start-up text up to "Press Ctrl-C to stop.".
fn read_banner(out: &mut BufReader<std::process::ChildStdout>) -> String {
    let mut banner = String::new();
    while !banner.contains("Press Ctrl-C to stop.") {
        if out.read_line(&mut banner).unwrap() == 0 {
            break;
        }
    }
    banner
}

fn stop_after_banner(
    mut child: Child,
    mut out: BufReader<std::process::ChildStdout>,
    banner: String,
) -> String {
    // The SIGINT handler is installed after the banner; a signal sent earlier kills the host.
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    let exit = child.wait().unwrap();
    assert!(exit.success(), "ferry host serve exited with {exit}");
    banner + &rest
}

#[test]
fn serve_answers_on_loopback_and_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let (child, url, out) = serve(dir.path());
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let (status, body) = get(&url, "/api/data/v9.2/WhoAmI");
    assert!(status.contains("200"), "{status} {body}");
    assert!(body.contains("\"UserId\""), "{body}");
    let (status, _) = get(&url, "/api/data/v9.2/nosuchset");
    assert!(status.contains("404"), "{status}");
    let rest = stop(child, out);
    assert!(
        rest.contains("Mona Maker <mona@contoso.example> (maker)"),
        "{rest}"
    );
    assert!(rest.trim_end().ends_with("Stopped."), "{rest}");
    assert!(dir.path().join("host.db").exists());
}

/// `serve --tls --tls-name NAME`: https, the certificate's path printed, a client trusting
/// only that certificate reaches the host under 127.0.0.1 and under NAME; a restart on the
/// same data dir keeps the certificate.
#[test]
fn serve_tls_prints_its_certificate_and_answers_https() {
    const NAME: &str = "contoso-host.test";
    let dir = tempfile::tempdir().unwrap();
    let start = || {
        let mut child = ferry()
            .args(["host", "serve", "--port", "0", "--speed", "100"])
            .args(["--auth", "open", "--tls", "--tls-name", NAME, "--data-dir"])
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let banner = read_banner(&mut out);
        (child, out, banner)
    };
    let (child, out, banner) = start();
    let url = banner
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("Listening on "))
        .unwrap_or_else(|| panic!("{banner}"))
        .to_string();
    assert!(url.starts_with("https://127.0.0.1:"), "{banner}");
    let cert_path = dir.path().join("tls").join("cert.pem");
    assert!(
        banner.contains(&format!(
            "TLS:      self-signed certificate {}",
            cert_path.display()
        )),
        "{banner}"
    );
    assert!(banner.contains("https://127.0.0.1:"), "{banner}");
    assert!(
        !banner.contains("http://"),
        "every URL printed is https: {banner}"
    );
    let pem = std::fs::read(&cert_path).unwrap();

    let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::builder()
        .no_proxy()
        .tls_certs_only([reqwest::Certificate::from_pem(&pem).unwrap()])
        .resolve(NAME, std::net::SocketAddr::from(([127, 0, 0, 1], port)))
        .build()
        .unwrap();
    runtime.block_on(async {
        for base in [url.clone(), format!("https://{NAME}:{port}")] {
            let r = client
                .get(format!("{base}/.well-known/ferry/cloud"))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{base}: {e:?}"));
            assert_eq!(r.status(), reqwest::StatusCode::OK);
            let cloud: serde_json::Value = r.json().await.unwrap();
            assert_eq!(cloud["authority"], url.as_str(), "{cloud}");
            assert!(cloud["gds"].as_str().unwrap().starts_with("https://"));
        }
        let untrusting = reqwest::Client::builder().no_proxy().build().unwrap();
        assert!(untrusting.get(&url).send().await.is_err());
    });
    stop_after_banner(child, out, banner);

    let (child, out, banner) = start();
    assert!(banner.contains("resumed existing data"), "{banner}");
    assert_eq!(
        std::fs::read(&cert_path).unwrap(),
        pem,
        "the certificate is reused"
    );
    stop_after_banner(child, out, banner);

    // --tls-name without --tls is refused.
    let out = ferry()
        .args(["host", "serve", "--tls-name", NAME])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tls"));
}

#[test]
fn import_solution_loads_a_package_into_a_dev_environment() {
    let dir = tempfile::tempdir().unwrap();
    let spec = ferry_host::SolutionSpec {
        unique_name: "FabrikamTools".into(),
        display_name: "Fabrikam Tools".into(),
        version: "3.1.0.0".into(),
        publisher: "fabrikam".into(),
        prefix: "fab".into(),
        ..Default::default()
    };
    let zip = dir.path().join("FabrikamTools_3_1_0_0.zip");
    std::fs::write(
        &zip,
        ferry_host::package::export_zip(&spec, "3.1.0.0", false),
    )
    .unwrap();
    let data = dir.path().join("data");
    let out = ferry()
        .args(["host", "import-solution", "--env", "dev", "--data-dir"])
        .arg(&data)
        .arg(&zip)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("Loaded FabrikamTools 3.1.0.0 (unmanaged) into dev"));

    let bad = ferry()
        .args(["host", "import-solution", "--env", "prod", "--data-dir"])
        .arg(&data)
        .arg(&zip)
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("target environment"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );

    let (child, url, out) = serve(&data);
    let (status, body) = get(&url, "/environments/dev/api/data/v9.2/solutions?$filter=uniquename%20eq%20%27FabrikamTools%27&$select=version");
    assert!(status.contains("200"), "{status}");
    assert!(body.contains("3.1.0.0"), "{body}");
    let rest = stop(child, out);
    assert!(rest.contains("resumed existing data"), "{rest}");
}

/// Polls a run until its `stagerunstatus` is one of `wanted`.
fn wait_for(url: &str, run: &str, wanted: &[&str]) -> String {
    for _ in 0..500 {
        let (_, body) = get(
            url,
            &format!("/api/data/v9.2/deploymentstageruns({run})?$select=stagerunstatus"),
        );
        if wanted
            .iter()
            .any(|w| body.contains(&format!("\"stagerunstatus\":{w}")))
        {
            return body;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("run {run} never reached {wanted:?}");
}

#[test]
fn a_run_survives_kill_9_of_the_host() {
    use ferry_host::scenario::derived_id;
    let dir = tempfile::tempdir().unwrap();
    // Slow phases, so the kill lands in the middle of validation.
    let (mut child, url, _out) = serve_at(dir.path(), "2");
    let body = format!(
        r#"{{"deploymentstageid@odata.bind":"/deploymentstages({})","devdeploymentenvironment@odata.bind":"/deploymentenvironments({})","artifactname":"ContosoCanvas","solutionid":"{}"}}"#,
        derived_id("stage", "Contoso Release/Deploy to Test"),
        derived_id("registration", "dev"),
        derived_id("solution", "ContosoCanvas"),
    );
    let (status, created) = request(&url, "POST", "/api/data/v9.2/deploymentstageruns", &body);
    assert!(status.contains("201"), "{status} {created}");
    let run = created.split("\"deploymentstagerunid\":\"").nth(1).unwrap()[..36].to_string();
    let (status, _) = request(
        &url,
        "POST",
        "/api/data/v9.2/ValidatePackageAsync",
        &format!(r#"{{"StageRunId":"{run}"}}"#),
    );
    assert!(status.contains("204"), "{status}");
    let kill = Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    child.wait().unwrap();

    let (child, url, out) = serve(dir.path());
    wait_for(&url, &run, &["200000007"]);
    let (status, _) = request(
        &url,
        "POST",
        "/api/data/v9.2/DeployPackageAsync",
        &format!(r#"{{"StageRunId":"{run}"}}"#),
    );
    assert!(status.contains("204"), "{status}");
    wait_for(&url, &run, &["200000002"]);
    let (_, count) = get(&url, "/api/data/v9.2/deploymentstageruns/$count");
    assert_eq!(count.trim(), "1", "no run lost or duplicated");
    let (_, count) = get(&url, "/api/data/v9.2/deploymentartifacts/$count");
    assert_eq!(count.trim(), "1", "no artifact duplicated");
    stop(child, out);
}

/// The status line of a GET sent with this `Host` header.
fn status_with_host(port: u16, host: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET /.well-known/ferry/cloud HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer.lines().next().unwrap_or_default().to_string()
}

/// `--allowed-host` adds a name the host answers to; any other name is refused
/// (DNS rebinding).
#[test]
fn serve_answers_only_the_names_it_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = ferry()
        .args(["host", "serve", "--port", "0", "--auth", "open"])
        .args(["--allowed-host", "contoso-host.test", "--data-dir"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let banner = read_banner(&mut out);
    let url = banner
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("Listening on "))
        .unwrap_or_else(|| panic!("{banner}"))
        .to_string();
    let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
    let allowed = status_with_host(port, &format!("contoso-host.test:{port}"));
    let foreign = status_with_host(port, &format!("evil.test:{port}"));
    let _ = child.kill();
    let _ = child.wait();
    assert!(allowed.contains(" 200 "), "{allowed}");
    assert!(!foreign.contains(" 200 "), "{foreign}");
}
