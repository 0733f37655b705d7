//! Corporate networks through the real binary: a host served over HTTPS under a
//! name only a CONNECT proxy resolves (`contoso-host.test`), reached through
//! `HTTPS_PROXY` and trusted through `--ca-file`, the traffic proven to pass
//! through the proxy; loopback never goes through a proxy, so the Local sandbox
//! works with proxy variables set.

mod common;

use std::net::SocketAddr;
use std::process::{Command, Output, Stdio};

use common::text;
use ferry_host::testing::ConnectProxy;

const NAME: &str = "contoso-host.test";

fn keyring_available() -> bool {
    let real = std::env::var_os("KEYRING_REAL").is_some_and(|v| v == "1");
    if !real {
        eprintln!(
            "skipping: set KEYRING_REAL=1 inside a Secret Service session (the test command does)"
        );
    }
    real
}

/// `ferry host serve --tls --public-name contoso-host.test` (strict, demo tenant).
struct TlsHost {
    served: common::Served,
    port: u16,
    dir: tempfile::TempDir,
}

fn serve_tls() -> TlsHost {
    let dir = tempfile::tempdir().unwrap();
    let mut args: Vec<std::ffi::OsString> = [
        "--speed",
        "100",
        "--device-code-interval",
        "1",
        "--auth",
        "strict",
        "--tls",
        "--public-name",
        NAME,
        "--data-dir",
    ]
    .iter()
    .map(Into::into)
    .collect();
    args.push(dir.path().into());
    let served = common::host_serve(&args);
    assert!(
        served.url.starts_with(&format!("https://{NAME}:")),
        "{}",
        served.url
    );
    let port = served.url.rsplit(':').next().unwrap().parse().unwrap();
    TlsHost { served, port, dir }
}

/// A `ferry` with its own data folder and keyring service, the proxy in its environment.
struct Cli {
    dir: tempfile::TempDir,
    service: String,
    proxy: String,
}

impl Cli {
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ferry"));
        cmd.args(args)
            .env("FERRY_DATA_DIR", self.dir.path().join("data"))
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("xdg"))
            .env("FERRY_KEYRING_SERVICE", &self.service)
            .env("FERRY_POLL_MS", "50")
            .env("FERRY_SANDBOX_SPEED", "100")
            .env("NO_COLOR", "1")
            .env("HTTPS_PROXY", &self.proxy)
            .env("HTTP_PROXY", &self.proxy)
            .env_remove("NO_PROXY")
            .env_remove("no_proxy")
            .env_remove("https_proxy")
            .env_remove("http_proxy")
            .env_remove("ALL_PROXY")
            .env_remove("all_proxy")
            .env_remove("FERRY_TOKEN")
            .env_remove("FERRY_PROFILE")
            .stdin(Stdio::null());
        cmd
    }

    fn ferry(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_and_deploy_data_go_through_the_proxy_to_a_host_only_it_resolves() {
    if !keyring_available() {
        return;
    }
    let host = serve_tls();
    let addr: SocketAddr = ([127, 0, 0, 1], host.port).into();
    let proxy = ConnectProxy::start([(NAME, addr)]).await.unwrap();
    let cli = Cli {
        dir: tempfile::tempdir().unwrap(),
        service: format!("ferry-test-{}", uuid::Uuid::new_v4()),
        proxy: proxy.url(),
    };
    let ca = host.dir.path().join("tls/cert.pem");
    assert!(ca.is_file());
    let environment = format!("{}/environments/dev", host.served.url);

    // Without the proxy's CA (the host's own certificate here) the name is reached
    // but not trusted, and Ferry says so.
    let out = cli.ferry(&[
        "login",
        "--environment",
        &environment,
        "--cloud",
        "local",
        "--device-code",
    ]);
    assert!(!out.status.success(), "{}", text(&out));

    // With --ca-file: sign in (the code approved on the host as a person would),
    // Ferry finds the host, and everything goes through the proxy.
    let login = cli.command(&[
        "login",
        "--environment",
        &environment,
        "--cloud",
        "local",
        "--device-code",
        "--ca-file",
        ca.to_str().unwrap(),
    ]);
    let out = common::approving(login, |code| {
        let approve = Command::new(env!("CARGO_BIN_EXE_ferry"))
            .args(["host", "approve-code", code, "--user", "mona", "--data-dir"])
            .arg(host.dir.path())
            .output()
            .unwrap();
        assert!(approve.status.success(), "{}", text(&approve));
    });
    assert!(out.status.success(), "{}", text(&out));

    let out = cli.ferry(&["pipeline", "list", "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Contoso Release"),
        "{}",
        text(&out)
    );
    let tunnels = proxy.connects(NAME);
    assert!(
        tunnels >= 2,
        "the sign-in and the commands went through the proxy: {tunnels}"
    );
}

#[test]
fn the_sandbox_works_with_proxy_variables_set() {
    // A proxy that does not exist: loopback must never be sent to it.
    let cli = Cli {
        dir: tempfile::tempdir().unwrap(),
        service: format!("ferry-test-{}", uuid::Uuid::new_v4()),
        proxy: "http://127.0.0.1:9".into(),
    };
    let out = cli.ferry(&["pipeline", "list", "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Contoso Release"),
        "{}",
        text(&out)
    );
}
