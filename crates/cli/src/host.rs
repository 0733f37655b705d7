//! `ferry host …`: run the local pipelines host (the "Local sandbox") and load
//! solution packages into its development environments.

use ferry_error::{CodedError, ErrorCode};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;
use ferry_host::{AuthMode, Host, HostConfig, Scenario, TlsConfig};

#[derive(Debug, Subcommand)]
pub enum HostCommand {
    /// Serve the local pipelines host over HTTP (or HTTPS with --tls) until Ctrl-C.
    Serve {
        /// Port to listen on; 0 picks a free one.
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Where the host keeps its database; reuse it to resume. Default: a temporary folder.
        #[arg(long, value_name = "DIR")]
        data_dir: Option<PathBuf>,
        /// A scenario TOML file, or `demo` for the built-in one. Used only for a new data dir.
        #[arg(long, value_name = "FILE|demo", default_value = "demo")]
        scenario: String,
        /// Pace of deployments: 1 ≈ 20 s per deployment, 100 ≈ 0.2 s.
        #[arg(long, default_value_t = 1.0)]
        speed: f64,
        /// Listen on this address instead of 127.0.0.1 (exposes the host to the network).
        #[arg(long, value_name = "IP")]
        listen: Option<IpAddr>,
        /// `strict`: every Web API request needs a token from this host (sign in with
        /// `ferry login`); `open`: any or no token (no token acts as the first admin).
        #[arg(long, value_name = "strict|open", default_value = "strict")]
        auth: AuthMode,
        /// Seconds a device-code sign-in must wait between polls (Entra uses 5).
        #[arg(long, value_name = "SECS", default_value_t = 5)]
        device_code_interval: u64,
        /// Serve HTTPS with a self-signed certificate made once into the data dir
        /// (`tls/cert.pem`, printed at start: clients trust it as a root certificate).
        #[arg(long)]
        tls: bool,
        /// Another host name (or IP) the certificate names besides localhost and
        /// 127.0.0.1, e.g. one a proxy resolves; repeatable.
        #[arg(long = "tls-name", value_name = "NAME", requires = "tls")]
        tls_names: Vec<String>,
        /// The host name the host calls itself in every URL it hands out (and on its
        /// certificate), for clients that reach it under a DNS or proxy-only name.
        #[arg(long = "public-name", value_name = "NAME")]
        public_name: Option<String>,
        /// Another name the host answers to in the `Host` header besides its address,
        /// localhost and --public-name (requests naming any other are refused, against
        /// DNS rebinding); repeatable.
        #[arg(long = "allowed-host", value_name = "NAME")]
        allowed_hosts: Vec<String>,
    },
    /// Complete a pending device-code sign-in (`ferry login --device-code`) as a seeded user.
    #[command(group = clap::ArgGroup::new("where").required(true))]
    ApproveCode {
        /// The code the signing-in app shows.
        code: String,
        /// The user to sign in as: a UPN or first name, like `mona`.
        #[arg(long, value_name = "NAME")]
        user: String,
        /// The data directory of the host (`serve --data-dir`).
        #[arg(long, value_name = "DIR", group = "where")]
        data_dir: Option<PathBuf>,
        /// The URL of a running host, like http://127.0.0.1:8080.
        #[arg(long, value_name = "URL", group = "where")]
        url: Option<String>,
    },
    /// Load a solution package (.zip or source folder) into a development environment.
    ImportSolution {
        /// The development environment's name (e.g. `dev`).
        #[arg(long)]
        env: String,
        /// The host's data directory (the one `serve --data-dir` uses).
        #[arg(long, value_name = "DIR")]
        data_dir: PathBuf,
        /// Scenario to seed with if the data directory is new.
        #[arg(long, value_name = "FILE|demo", default_value = "demo")]
        scenario: String,
        /// The solution package.
        path: PathBuf,
    },
}

pub fn run(cmd: HostCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        HostCommand::Serve {
            port,
            data_dir,
            scenario,
            speed,
            listen,
            auth,
            device_code_interval,
            tls,
            tls_names,
            public_name,
            allowed_hosts,
        } => {
            let serve_options = ServeOptions {
                port,
                data_dir,
                speed,
                listen,
                auth,
                device_code_interval,
                tls: tls.then_some(TlsConfig { names: tls_names }),
                public_name,
                allowed_hosts,
            };
            runtime()?.block_on(serve(serve_options, &scenario))
        }
        HostCommand::ApproveCode {
            code,
            user,
            data_dir,
            url,
        } => {
            let upn = match (data_dir, url) {
                (Some(dir), _) => ferry_host::approve_device_code(&dir, &code, &user)?,
                (None, Some(url)) => runtime()?.block_on(approve_over_http(&url, &code, &user))?,
                (None, None) => {
                    return Err(CodedError::new(
                        ErrorCode::InvalidInput,
                        "pass --url URL or --data-dir DIR to name the host",
                    )
                    .into())
                }
            };
            println!("Approved the sign-in {code} as {upn}.");
            Ok(ExitCode::SUCCESS)
        }
        HostCommand::ImportSolution {
            env,
            data_dir,
            scenario,
            path,
        } => {
            let scenario = load_scenario(&scenario)?;
            let spec = ferry_host::import_solution(&data_dir, &env, &path, &scenario)?;
            println!(
                "Loaded {} {} ({}) into {env}.",
                spec.unique_name,
                spec.version,
                if spec.managed { "managed" } else { "unmanaged" }
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Submits the host's device-code page, as a person would.
async fn approve_over_http(url: &str, code: &str, user: &str) -> anyhow::Result<String> {
    let page = format!("{}/devicelogin", url.trim_end_matches('/'));
    let response = reqwest::Client::new()
        .post(&page)
        .header("Accept", "application/json")
        .form(&[("code", code), ("user", user), ("action", "approve")])
        .send()
        .await
        .map_err(|e| {
            CodedError::new(
                ErrorCode::Offline,
                format!("cannot reach the host at {url}: {e}; is `ferry host serve` running?"),
            )
        })?;
    let ok = response.status().is_success();
    let body: serde_json::Value = response.json().await.map_err(|_| {
        CodedError::new(
            ErrorCode::InvalidInput,
            format!("{url} did not answer like a Ferry host; check the URL"),
        )
    })?;
    if !ok {
        let why = body["error_description"]
            .as_str()
            .unwrap_or("the host refused the code");
        return Err(CodedError::new(ErrorCode::InvalidInput, why).into());
    }
    Ok(body["upn"].as_str().unwrap_or(user).to_string())
}

fn load_scenario(arg: &str) -> anyhow::Result<Scenario> {
    if arg == "demo" {
        Ok(Scenario::demo())
    } else {
        Scenario::load(std::path::Path::new(arg))
    }
}

struct ServeOptions {
    port: u16,
    data_dir: Option<PathBuf>,
    speed: f64,
    listen: Option<IpAddr>,
    auth: AuthMode,
    device_code_interval: u64,
    tls: Option<TlsConfig>,
    public_name: Option<String>,
    allowed_hosts: Vec<String>,
}

async fn serve(options: ServeOptions, scenario: &str) -> anyhow::Result<ExitCode> {
    let ServeOptions {
        port,
        data_dir,
        speed,
        listen,
        auth,
        device_code_interval,
        tls,
        public_name,
        allowed_hosts,
    } = options;
    anyhow::ensure!(
        speed > 0.0 && speed.is_finite(),
        "--speed must be a positive number, such as 1 or 100"
    );
    let scenario_value = load_scenario(scenario)?;
    let ip = listen.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    if !ip.is_loopback() {
        eprintln!("warning: listening on {ip}: anyone who can reach this machine can use the host; it has no real authentication");
    }
    let (dir, _temp) = match data_dir {
        Some(d) => (d, None),
        None => {
            let t = tempfile::Builder::new()
                .prefix("ferry-host-")
                .tempdir()
                .context("cannot create a temporary data directory")?;
            (t.path().to_path_buf(), Some(t))
        }
    };
    // Listen for Ctrl-C / SIGTERM before anything is printed, so a stop sent as soon as the
    // start-up text appears is never taken by the default handler.
    let stop = StopSignal::install();
    let mut config = HostConfig::new(&dir);
    config.bind = SocketAddr::new(ip, port);
    config.scenario = scenario_value;
    config.speed = speed;
    config.auth = Some(auth);
    config.identity.poll_interval = std::time::Duration::from_secs(device_code_interval.max(1));
    config.tls = tls;
    config.public_name = public_name;
    config.allowed_hosts = allowed_hosts;
    let host = Host::start(config).await?;
    println!("Listening on {}", host.base_url());
    println!("  Web API:  {}/", host.api_url());
    let persistence = if _temp.is_some() {
        " (temporary; pass --data-dir to keep it)"
    } else {
        ""
    };
    println!("  Data:     {}{persistence}", dir.display());
    if let Some(cert) = host.ca_pem_path() {
        println!(
            "  TLS:      self-signed certificate {} (trust it as a root certificate)",
            cert.display()
        );
    }
    let origin = if host.seeded_now() {
        format!("seeded from {scenario}")
    } else {
        "resumed existing data".into()
    };
    println!("  Scenario: {origin}; speed {speed}");
    let auth_text = match host.auth_mode() {
        AuthMode::Strict => "strict (sign in with `ferry login`)",
        AuthMode::Open => "open (any or no token)",
    };
    println!("  Auth:     {auth_text}; authority {}", host.authority());
    println!("Environments:");
    for e in host.environments()? {
        println!(
            "  {:<6} {:<12} {:<22} {}  id {}",
            e.name, e.kind, e.display_name, e.url, e.environment_id
        );
    }
    println!("Users:");
    for u in host.users()? {
        println!("  {} <{}> ({})", u.name, u.upn, u.roles);
    }
    println!("Press Ctrl-C to stop.");
    use std::io::Write as _;
    std::io::stdout().flush().ok();
    stop.wait().await;
    host.shutdown().await;
    println!("Stopped.");
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C and (on Unix) SIGTERM, registered when created.
struct StopSignal {
    #[cfg(unix)]
    signals: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl StopSignal {
    fn install() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Self {
                signals: signal(SignalKind::interrupt())
                    .and_then(|i| Ok((i, signal(SignalKind::terminate())?)))
                    .ok(),
            }
        }
        #[cfg(not(unix))]
        {
            Self {}
        }
    }

    async fn wait(self) {
        #[cfg(unix)]
        if let Some((mut interrupt, mut term)) = self.signals {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = term.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}
