//! Ferry's local pipelines host: a faithful emulator of a Dataverse environment
//! with the Power Platform Pipelines app, plus the dev and target environments
//! it deploys between (like Azurite for Azure Storage).
//!
//! It serves real HTTP on loopback (axum), keeps its state in SQLite (WAL) in a
//! data directory so it survives restarts, speaks OData the way the Dataverse
//! Web API does, and runs stage runs through the Pipelines state machine in a
//! background task whose pace is set by `speed`. The wire contract is
//! `shared/spec/host-api.md`; this crate knows nothing of Tauri or the client.

pub mod audit;
pub mod caller;
pub mod clock;
pub mod error;
pub mod events;
pub mod faults;
pub mod identity;
pub mod ids;
pub mod odata;
pub mod package;
mod routes;
mod runner;
pub mod runs;
pub mod scenario;
pub mod schema;
mod state;
pub mod store;
#[cfg(feature = "test-support")]
pub mod testing;
pub mod tls;
pub mod users;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

pub use clock::Clock;
pub use identity::{AuthMode, IdentityConfig};
pub use package::SolutionSpec;
pub use scenario::Scenario;
pub use tls::TlsConfig;

use runs::{RunOptions, Timing};
use store::Store;

/// How to start a host.
#[derive(Debug, Clone)]
pub struct HostConfig {
    /// Where `host.db` lives; created if missing. Reusing it resumes the previous state.
    pub data_dir: PathBuf,
    /// Listening address; `127.0.0.1:0` (a free port) by default.
    pub bind: SocketAddr,
    /// Seeds a fresh data directory (ignored when the directory was seeded before).
    pub scenario: Scenario,
    /// Phase speed factor: 1 = demo pace (a deployment ≈ 20 s), 100 = tests (≈ 0.2 s).
    pub speed: f64,
    /// Overrides the scenario's `auth` option (`ferry host serve --auth`).
    pub auth: Option<AuthMode>,
    /// Token and device-code lifetimes, device-code poll interval.
    pub identity: IdentityConfig,
    /// Serve HTTPS with a self-signed certificate kept in `data_dir/tls` (`serve --tls`);
    /// every URL the host hands out is then `https://`.
    pub tls: Option<TlsConfig>,
    /// The host name the host calls itself in every URL it hands out (org URLs, the
    /// cloud table, tokens' audience), when clients reach it under another name than
    /// its address — through a proxy or a DNS name (`serve --public-name`). With TLS,
    /// the certificate names it too.
    pub public_name: Option<String>,
    /// More names the host answers to (`serve --allowed-host NAME`): requests whose `Host`
    /// header names anything else (but an IP address, `localhost`, the public name or a TLS
    /// name) are refused, against DNS rebinding.
    pub allowed_hosts: Vec<String>,
    /// The host's clock: the system's, or a manual one tests advance ([`Clock::manual`]).
    pub clock: Clock,
}

impl HostConfig {
    /// A host on a free loopback port with the demo scenario at demo pace.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            scenario: Scenario::demo(),
            speed: 1.0,
            auth: None,
            identity: IdentityConfig::default(),
            tls: None,
            public_name: None,
            allowed_hosts: Vec::new(),
            clock: Clock::system(),
        }
    }
}

/// A seeded user, as printed at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeededUser {
    pub name: String,
    pub upn: String,
    pub roles: String,
}

/// A host that is serving. Dropping it without [`RunningHost::shutdown`] aborts it.
pub struct RunningHost {
    base_url: String,
    ca_pem_path: Option<PathBuf>,
    shutdown: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
    runner: Option<JoinHandle<()>>,
    delivery: Option<JoinHandle<()>>,
    store: Arc<Store>,
    seeded_now: bool,
    identity: Arc<identity::Identity>,
    /// The clock time up to which the runner executed every due step.
    settled: watch::Receiver<i64>,
    wake: Arc<Notify>,
}

/// An environment of the emulated tenant, as printed at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentSummary {
    pub name: String,
    pub display_name: String,
    /// `host`, `development` or `target`.
    pub kind: String,
    /// The Power Platform environment id.
    pub environment_id: String,
    /// The environment's instance URL (ends with `/`).
    pub url: String,
}

/// Entry point of the crate.
pub struct Host;

impl Host {
    /// Opens (and if new, seeds) the data directory, binds, and starts serving.
    pub async fn start(config: HostConfig) -> anyhow::Result<RunningHost> {
        let store = Arc::new(Store::open_with_clock(
            &config.data_dir,
            config.clock.clone(),
        )?);
        let (organization_id, business_unit_id, options, seeded_now, scenario_auth) =
            seed_once(&store, &config.scenario)?;
        let scenario_options = store
            .tx(|c| store::meta_get(c, "options"))?
            .and_then(|o| serde_json::from_str::<scenario::ScenarioOptions>(&o).ok())
            .unwrap_or_default();
        let key = identity::SigningKey::load_or_create(&config.data_dir)?;
        let tenant_id = store.tx(identity::tenant_id)?;
        let listener = tokio::net::TcpListener::bind(config.bind)
            .await
            .with_context(|| format!("cannot listen on {}; pick another --port", config.bind))?;
        let local = listener.local_addr()?;
        let public_name = config
            .public_name
            .as_deref()
            .map(|n| n.trim().trim_end_matches('.').to_ascii_lowercase())
            .filter(|n| !n.is_empty());
        if let Some(name) = &public_name {
            anyhow::ensure!(
                name.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'),
                "--public-name {name:?} is not a host name"
            );
        }
        let host_ip = match &public_name {
            Some(name) => name.clone(),
            None if local.ip().is_unspecified() => "127.0.0.1".to_string(),
            None => local.ip().to_string(),
        };
        let tls = match &config.tls {
            Some(tls) => {
                let mut extra = tls.names.clone();
                extra.extend(public_name.clone());
                let names = tls::wanted_names(local.ip(), &extra)?;
                Some(tls::load_or_create(&config.data_dir, &names)?)
            }
            None => None,
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let base_url = format!("{scheme}://{host_ip}:{}", local.port());
        // Event links and the webhook envelope name the host as it serves now.
        store.tx(|c| store::meta_set(c, "base_url", &base_url))?;
        let timing = Timing {
            speed: if config.speed > 0.0 {
                config.speed
            } else {
                1.0
            },
        };
        let identity = Arc::new(identity::Identity {
            key,
            tenant_id,
            base_url: base_url.clone(),
            mode: config.auth.unwrap_or(scenario_auth),
            config: config.identity.clone(),
        });
        let wake = Arc::new(Notify::new());
        let faults = Arc::new(faults::Faults::with_clock(config.clock.clone()));
        let state = Arc::new(state::AppState {
            faults: faults.clone(),
            store: store.clone(),
            timing,
            options,
            wake: wake.clone(),
            base_url: base_url.clone(),
            organization_id,
            business_unit_id,
            identity: identity.clone(),
            guard: Arc::new(routes::guard::HostGuard::new(
                config
                    .allowed_hosts
                    .iter()
                    .cloned()
                    .chain(public_name.clone())
                    .chain(config.tls.iter().flat_map(|t| t.names.clone())),
            )),
        });
        faults::endpoint::install(&state, config.scenario.faults.clone(), false)
            .map_err(|e| anyhow::anyhow!("the scenario's [faults] cannot be applied: {e}"))?;
        // Steps that came due while no host ran (the Local sandbox between two commands) are
        // executed as of their due times before the first request is served, so every reader
        // sees the runs where a host that never stopped would have them.
        let opened_ms = config.clock.now_ms();
        runner::catch_up(&store, timing, &faults, opened_ms);
        let (settled_tx, settled) = watch::channel(opened_ms);
        let (shutdown, rx) = watch::channel(false);
        let mut server_rx = rx.clone();
        let app =
            routes::router(state).into_make_service_with_connect_info::<faults::conn::ConnInfo>();
        let ca_pem_path = tls.as_ref().map(|t| t.cert_path.clone());
        let listener = match tls {
            Some(tls) => faults::conn::Listener::tls(listener, tls.server),
            None => faults::conn::Listener::plain(listener),
        };
        let server = tokio::spawn(async move {
            let stop = async move {
                let _ = server_rx.wait_for(|stop| *stop).await;
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(stop)
                .await
            {
                tracing::error!("the host's HTTP server stopped: {e}");
            }
        });
        let delivery = tokio::spawn(events::delivery::run(
            store.clone(),
            scenario_options.delivery_policy(timing.speed),
            rx.clone(),
        ));
        let runner = tokio::spawn(runner::run(
            store.clone(),
            timing,
            faults,
            wake.clone(),
            settled_tx,
            rx,
        ));
        Ok(RunningHost {
            base_url,
            ca_pem_path,
            shutdown,
            server: Some(server),
            runner: Some(runner),
            delivery: Some(delivery),
            store,
            seeded_now,
            identity,
            settled,
            wake,
        })
    }
}

fn seed_once(
    store: &Store,
    scenario: &Scenario,
) -> anyhow::Result<(String, String, RunOptions, bool, AuthMode)> {
    store.tx(|c| -> anyhow::Result<_> {
        let fresh = store::meta_get(c, "seeded")?.is_none();
        if fresh {
            scenario.seed(c)?;
            store::meta_set(
                c,
                "seeded",
                if scenario.name.is_empty() {
                    "scenario"
                } else {
                    &scenario.name
                },
            )?;
            store::meta_set(c, "organizationid", &uuid::Uuid::new_v4().to_string())?;
            store::meta_set(c, "businessunitid", &uuid::Uuid::new_v4().to_string())?;
            store::meta_set(c, "options", &serde_json::to_string(&scenario.options)?)?;
        }
        let options: scenario::ScenarioOptions = store::meta_get(c, "options")?
            .and_then(|o| serde_json::from_str(&o).ok())
            .unwrap_or_default();
        Ok((
            store::meta_get(c, "organizationid")?.unwrap_or_default(),
            store::meta_get(c, "businessunitid")?.unwrap_or_default(),
            RunOptions {
                auto_validate_on_create: options.auto_validate_on_create,
            },
            fresh,
            options.auth,
        ))
    })
}

impl RunningHost {
    /// `http://127.0.0.1:<port>`, or `https://…` under TLS (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Under TLS, the host's self-signed certificate (PEM): a client that adds it as a
    /// root certificate trusts the host, under `localhost`, `127.0.0.1` and every
    /// [`TlsConfig::names`]. `None` over plain HTTP.
    pub fn ca_pem_path(&self) -> Option<&Path> {
        self.ca_pem_path.as_deref()
    }

    /// The host environment's Web API root, e.g. `{base}/api/data/v9.2`.
    pub fn api_url(&self) -> String {
        format!("{}/api/data/v9.2", self.base_url)
    }

    /// An environment's Web API root.
    pub fn environment_api_url(&self, name: &str) -> String {
        format!("{}/environments/{name}/api/data/v9.2", self.base_url)
    }

    /// The emulated tenant's id (in tokens as `tid`, and in authority URLs).
    pub fn tenant_id(&self) -> &str {
        &self.identity.tenant_id
    }

    /// The sign-in authority, `{base}/{tenant id}` (`organizations` works too).
    pub fn authority(&self) -> String {
        format!("{}/{}", self.base_url, self.identity.tenant_id)
    }

    /// The local cloud's endpoint table (spec §14.5): `{base}/.well-known/ferry/cloud`.
    pub fn cloud_url(&self) -> String {
        format!("{}/.well-known/ferry/cloud", self.base_url)
    }

    /// The Global Discovery base of the emulated tenant (also its token audience).
    pub fn gds_url(&self) -> String {
        self.identity.gds_url()
    }

    /// The BAP base of the emulated tenant.
    pub fn bap_url(&self) -> String {
        self.identity.bap_url()
    }

    /// The Power Apps base of the emulated tenant.
    pub fn powerapps_url(&self) -> String {
        self.identity.powerapps_url()
    }

    /// The token resource BAP and Power Apps share (the local `https://service.powerapps.com/`).
    pub fn service_resource(&self) -> String {
        self.identity.service_resource()
    }

    /// Whether Web API requests need a token from this host.
    pub fn auth_mode(&self) -> AuthMode {
        self.identity.mode
    }

    /// Completes a pending device-code sign-in as `user` (UPN or short name,
    /// like `mona`), as a person on the device-code page would. Returns the UPN.
    pub fn approve_device_code(&self, user_code: &str, user: &str) -> anyhow::Result<String> {
        self.store
            .tx(|c| identity::approve_device_code(c, user_code, user))
    }

    /// Whether this start seeded the data directory (false: it resumed existing data).
    pub fn seeded_now(&self) -> bool {
        self.seeded_now
    }

    /// Every environment with its instance URL, the host first.
    pub fn environments(&self) -> anyhow::Result<Vec<EnvironmentSummary>> {
        let envs = self.store.tx(store::environments::list)?;
        Ok(envs
            .into_iter()
            .map(|e| {
                let url = format!("{}{}/", self.base_url, e.path());
                let kind = match e.kind {
                    store::environments::EnvKind::Host => "host",
                    store::environments::EnvKind::Development => "development",
                    store::environments::EnvKind::Target => "target",
                };
                EnvironmentSummary {
                    name: e.name,
                    display_name: e.display_name,
                    kind: kind.to_string(),
                    environment_id: e.bap_id,
                    url,
                }
            })
            .collect())
    }

    /// The users the scenario seeded.
    pub fn users(&self) -> anyhow::Result<Vec<SeededUser>> {
        let rows = self
            .store
            .tx(|c| store::records::list(c, schema::HOST_SCOPE, "systemusers"))?;
        Ok(rows
            .iter()
            // Application users sign in with a secret, not as people (see `applications()`).
            .filter(|u| !caller::is_application(u))
            .map(|u| SeededUser {
                name: u.str("fullname").unwrap_or_default().to_string(),
                upn: u.str("domainname").unwrap_or_default().to_string(),
                roles: u.str("ferry_roles").unwrap_or_default().to_string(),
            })
            .collect())
    }

    /// The host's clock (a test moves a manual one with [`Clock::advance`]).
    pub fn clock(&self) -> &Clock {
        self.store.clock()
    }

    /// Waits until the runner has executed every step due at the clock's current time: after
    /// a manual clock moved, the runs are then where that time puts them.
    pub async fn settle(&self) {
        let mut settled = self.settled.clone();
        loop {
            let now = self.clock().now_ms();
            let pending = self
                .store
                .tx(store::jobs::next_due)
                .ok()
                .flatten()
                .is_some_and(|due| due <= now);
            if *settled.borrow_and_update() >= now && !pending {
                return;
            }
            self.wake.notify_one();
            if settled.changed().await.is_err() {
                return;
            }
        }
    }

    /// A receiver that sees a new value whenever a transaction changed the host's data: a
    /// test waits on it for a condition instead of polling on a timer.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.store.changes()
    }

    /// The earliest due time of any pending timed step (a test moves a manual clock there).
    pub fn next_due_ms(&self) -> Option<i64> {
        self.store.tx(store::jobs::next_due).ok().flatten()
    }

    /// Stops accepting requests, lets in-flight ones finish, and stops the runner.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        if let Some(runner) = self.runner.take() {
            let _ = runner.await;
        }
        if let Some(delivery) = self.delivery.take() {
            let _ = delivery.await;
        }
    }
}

impl Drop for RunningHost {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(s) = self.server.take() {
            s.abort();
        }
        if let Some(r) = self.runner.take() {
            r.abort();
        }
        if let Some(d) = self.delivery.take() {
            d.abort();
        }
    }
}

/// Loads a solution package (zip or folder) into a development environment of
/// the host whose data lives in `data_dir`, replacing the solution if present
/// (`ferry host import-solution`). Works whether or not that host is running.
pub fn import_solution(
    data_dir: &Path,
    env: &str,
    package: &Path,
    scenario: &Scenario,
) -> anyhow::Result<SolutionSpec> {
    let store = Store::open(data_dir)?;
    seed_once(&store, scenario)?;
    store.tx(|c| -> anyhow::Result<SolutionSpec> {
        let info = store::environments::get(c, env)?.with_context(|| {
            let names: Vec<String> = store::environments::list(c).unwrap_or_default().into_iter().map(|e| e.name).collect();
            format!("there is no environment '{env}' on this host; use one of: {}", names.join(", "))
        })?;
        anyhow::ensure!(
            info.kind == store::environments::EnvKind::Development,
            "'{env}' is a target environment; solutions are imported into targets by deployments, load packages into a development environment"
        );
        // The package's bytes and shipped variable values are kept (issue 16): exports are
        // this package, restamped, and the dev environment has the values it shipped.
        runs::install::load_package(c, env, package, |_| Default::default())
    })
}

/// Completes a pending device-code sign-in in the host whose data lives in
/// `data_dir`, as `user` (`ferry host approve-code --data-dir`). Works whether
/// or not that host is running. Returns the UPN signed in.
pub fn approve_device_code(data_dir: &Path, user_code: &str, user: &str) -> anyhow::Result<String> {
    anyhow::ensure!(
        data_dir.join("host.db").exists(),
        "there is no host data in {}; pass the --data-dir of a running `ferry host serve`, or --url",
        data_dir.display()
    );
    let store = Store::open(data_dir)?;
    store.tx(|c| identity::approve_device_code(c, user_code, user))
}
