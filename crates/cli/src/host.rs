//! `ferry host …`: run the local pipelines host (the "Local sandbox") and load
//! solution packages into its development environments.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;
use ferry_host::{Host, HostConfig, Scenario};

#[derive(Debug, Subcommand)]
pub enum HostCommand {
    /// Serve the local pipelines host over HTTP until Ctrl-C.
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
        } => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            runtime.block_on(serve(port, data_dir, &scenario, speed, listen))
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

fn load_scenario(arg: &str) -> anyhow::Result<Scenario> {
    if arg == "demo" {
        Ok(Scenario::demo())
    } else {
        Scenario::load(std::path::Path::new(arg))
    }
}

async fn serve(
    port: u16,
    data_dir: Option<PathBuf>,
    scenario: &str,
    speed: f64,
    listen: Option<IpAddr>,
) -> anyhow::Result<ExitCode> {
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
    let host = Host::start(config).await?;
    println!("Listening on {}", host.base_url());
    println!("  Web API:  {}/", host.api_url());
    let persistence = if _temp.is_some() {
        " (temporary; pass --data-dir to keep it)"
    } else {
        ""
    };
    println!("  Data:     {}{persistence}", dir.display());
    let origin = if host.seeded_now() {
        format!("seeded from {scenario}")
    } else {
        "resumed existing data".into()
    };
    println!("  Scenario: {origin}; speed {speed}");
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
