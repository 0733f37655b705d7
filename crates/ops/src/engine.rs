//! The [`Engine`]: one per data directory and profile. It owns the cache
//! connection, and connects to the host lazily, so everything the cache can
//! answer (history, profiles, run records) works offline.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use ferry_cache::{Cache, CachedRun, Profile, ProfileKind as CacheKind, TimelineEntry};
use ferry_dataverse::pipelines::{self as p, StageRun as HostRun};
use ferry_dataverse::{Client, ClientOptions};
use ferry_pipelines::{StageRunStatus, SubOperation};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use tokio::sync::OnceCell;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::connect;
use crate::error::{OpsError, Result};
use crate::pacing::Pacing;
use crate::profile::{self, CACHE_FILE, SANDBOX_ID};
use crate::signin::{self, AccountInfo, SignInMethod, SignInPrompt, TokenStorage};
use crate::tenant::{org_client, TenantEnvironment, TenantServices, Tokens};
use crate::types::{ConnectionInfo, NewProfile, ProfileInfo, RunEvent, RunSummary};

/// Where an operation's progress goes: the app forwards it over a Tauri channel,
/// the CLI draws it. Implemented for an unbounded channel and for `()` (ignore).
pub trait ProgressSink: Send + Sync {
    fn event(&self, event: RunEvent);
}

impl ProgressSink for () {
    fn event(&self, _event: RunEvent) {}
}

impl ProgressSink for tokio::sync::mpsc::UnboundedSender<RunEvent> {
    fn event(&self, event: RunEvent) {
        // A receiver that went away only means nobody is watching any more.
        let _ = self.send(event);
    }
}

/// How an [`Engine`] is opened.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// The data directory (cache file, sandbox host data).
    pub data_dir: PathBuf,
    /// Profile id or name; `None` for the one in use.
    pub profile: Option<String>,
    /// Pace of the sandbox host (1 ≈ 20 s per deployment; tests use more).
    pub sandbox_speed: f64,
    /// How far ahead of the system's time the sandbox host reads its clock
    /// (`FERRY_SANDBOX_CLOCK_AHEAD_MS`): a test sees where a host that ran meanwhile would have
    /// its runs, without waiting.
    pub sandbox_clock_ahead: Duration,
    /// The pace of reading a followed run: with [`Pacing::Adaptive`] the shortest regular
    /// gap (waits grow to 5× this); with [`Pacing::Fixed`] the gap between every two reads.
    pub poll_interval: Duration,
    /// How followed runs are read (see [`crate::pacing`]).
    pub pacing: Pacing,
    /// The longest a wait for a run may take before giving up.
    pub max_wait: Duration,
    /// The host client's settings (retries, time-outs).
    pub client: ClientOptions,
    /// Where signed-in tokens live (the keyring; `FERRY_KEYRING_SERVICE` names its service).
    pub tokens: TokenStorage,
}

impl EngineOptions {
    /// Defaults for a data directory.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            profile: None,
            sandbox_speed: 1.0,
            sandbox_clock_ahead: Duration::ZERO,
            poll_interval: Duration::from_secs(1),
            pacing: Pacing::Adaptive,
            max_wait: Duration::from_secs(30 * 60),
            client: ClientOptions::default(),
            tokens: TokenStorage::Keyring(signin::DEFAULT_KEYRING_SERVICE.into()),
        }
    }

    /// Defaults from the environment: `FERRY_DATA_DIR` (else the app's data folder),
    /// `FERRY_SANDBOX_SPEED`, `FERRY_POLL_MS` and `FERRY_PACING` (`adaptive` or `fixed`),
    /// `FERRY_KEYRING_SERVICE` (the keyring service tokens live under). Any bad variable
    /// is an error that names every bad one and what to write.
    pub fn from_env() -> Result<Self> {
        let (options, problems) = Self::from_env_in(profile::default_data_dir()?);
        if problems.is_empty() {
            Ok(options)
        } else {
            Err(OpsError::InvalidInput(problems.join("; ")))
        }
    }

    /// The environment's settings on `data_dir`, for a caller that starts anyway (the
    /// app): every good variable applies and each bad one is left at its default and
    /// returned as a sentence naming it and what to write (one bad variable used to drop
    /// all the others).
    pub fn from_env_in(data_dir: impl Into<PathBuf>) -> (Self, Vec<String>) {
        Self::from_vars(data_dir, |name| std::env::var(name).ok())
    }

    /// [`EngineOptions::from_env_in`] with the variables read through `var`.
    pub fn from_vars(
        data_dir: impl Into<PathBuf>,
        var: impl Fn(&str) -> Option<String>,
    ) -> (Self, Vec<String>) {
        let mut o = Self::new(data_dir);
        let mut problems = Vec::new();
        o.tokens = TokenStorage::from_env();
        let mut number = |name: &str, example: &str| -> Option<f64> {
            let v = var(name)?;
            let n = v
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite() && *n > 0.0);
            if n.is_none() && !v.trim().is_empty() {
                problems.push(format!(
                    "{name}={v:?} is not a positive number: set it to one such as {example}, or unset it"
                ));
            }
            n
        };
        if let Some(speed) = number("FERRY_SANDBOX_SPEED", "1 or 25") {
            o.sandbox_speed = speed;
        }
        if let Some(ms) = number("FERRY_SANDBOX_CLOCK_AHEAD_MS", "9000") {
            o.sandbox_clock_ahead = Duration::from_millis(ms as u64);
        }
        if let Some(ms) = number("FERRY_POLL_MS", "1000") {
            o.poll_interval = Duration::from_millis(ms.max(10.0) as u64);
        }
        match var("FERRY_PACING").as_deref().map(str::trim) {
            None | Some("") | Some("adaptive") => {}
            Some("fixed") => o.pacing = Pacing::Fixed,
            Some(other) => problems.push(format!(
                "FERRY_PACING={other:?} is not a pacing: set it to adaptive or fixed, or unset it"
            )),
        }
        (o, problems)
    }
}

/// The development environment the profile deploys from.
#[derive(Debug, Clone)]
pub(crate) struct DevEnvironment {
    pub bap_id: String,
    pub name: String,
    /// Its registration row on the host.
    pub registration: Uuid,
    /// A client for its own Web API (with a token for it).
    pub client: Client,
}

/// A live connection to the profile's host.
pub(crate) struct Session {
    /// The in-process host of the Local sandbox (stops when the engine drops).
    _sandbox: Option<crate::sandbox::SandboxHost>,
    pub host: Client,
    pub tokens: Tokens,
    /// The cloud's environment list, environment metadata and connections.
    pub tenant: TenantServices,
    pub dev: DevEnvironment,
    pub options: ClientOptions,
    /// The signed-in user's name, when the host tells.
    pub me: Option<String>,
    /// Who the sandbox signed in as (cloud profiles: see [`Engine::account`]).
    pub sandbox_account: Option<AccountInfo>,
}

impl Session {
    /// A client for another environment's Web API, with a token for that environment.
    pub fn env_client(&self, url: &str) -> Result<Client> {
        org_client(url, &self.tokens, &self.options)
    }

    /// The tenant's environments (the BAP list).
    pub async fn environments(&self) -> Result<Vec<TenantEnvironment>> {
        self.tenant.environments().await
    }
}

async fn who_am_i(host: &Client) -> Option<String> {
    let id = ferry_dataverse::environment::who_am_i(host).await.ok()?;
    ferry_dataverse::environment::user_name(host, id)
        .await
        .ok()
        .flatten()
}

/// Ferry's engine: every operation of the app and the CLI. `Send + Sync`; keep
/// one behind an `Arc` (Tauri state). Long operations take a [`ProgressSink`]
/// and a [`CancellationToken`].
pub struct Engine {
    pub(crate) options: EngineOptions,
    pub(crate) profile: Profile,
    cache: Mutex<Cache>,
    session: OnceCell<Session>,
    /// What was read lately and may be reused (see [`crate::recent`]); a run that moves on
    /// forgets what a deployment changes ([`Engine::record`]).
    pub(crate) recent: crate::recent::Recent,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("data_dir", &self.options.data_dir)
            .field("profile", &self.profile.id)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// Opens the cache in the data directory and picks the profile. Does not
    /// touch the network: the host is reached (and the sandbox started) on the
    /// first operation that needs it.
    pub fn open(options: EngineOptions) -> Result<Engine> {
        let mut cache = Cache::open(options.data_dir.join(CACHE_FILE))?;
        profile::ensure_builtin(&mut cache)?;
        let profile = profile::resolve(&cache, options.profile.as_deref())?;
        profile::trust_ca_file(profile::Details::of(&profile).ca_file.as_deref())?;
        Ok(Engine {
            options,
            profile,
            cache: Mutex::new(cache),
            session: OnceCell::new(),
            recent: Default::default(),
        })
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.options.data_dir
    }

    /// The profile this engine works with.
    pub fn profile(&self) -> ProfileInfo {
        let active = self.cache().active_profile().ok().flatten().map(|p| p.id);
        profile::info(&self.profile, active.as_deref())
    }

    /// Every profile, the built-in Local sandbox included.
    pub fn profiles(&self) -> Result<Vec<ProfileInfo>> {
        let cache = self.cache();
        let active = cache.active_profile()?.map(|p| p.id);
        Ok(cache
            .profiles()?
            .iter()
            .map(|p| profile::info(p, active.as_deref()))
            .collect())
    }

    /// Adds (or replaces) a profile. It does not become the one in use.
    pub fn add_profile(&self, new: &NewProfile) -> Result<ProfileInfo> {
        let p = profile::from_new(new)?;
        let mut cache = self.cache();
        cache.save_profile(&p)?;
        let active = cache.active_profile()?.map(|p| p.id);
        Ok(profile::info(&p, active.as_deref()))
    }

    /// Makes a profile the one in use (by later engines and CLI runs).
    pub fn use_profile(&self, name: &str) -> Result<ProfileInfo> {
        let mut cache = self.cache();
        let p = profile::resolve(&cache, Some(name))?;
        cache.set_active_profile(&p.id)?;
        Ok(profile::info(&p, Some(&p.id)))
    }

    /// Connects now (starting the sandbox if needed) and says where to.
    pub async fn connect(&self) -> Result<ConnectionInfo> {
        let s = self.session().await?;
        Ok(ConnectionInfo {
            profile_id: self.profile.id.clone(),
            host_url: s.host.base_url().to_string(),
            dev_environment_id: s.dev.bap_id.clone(),
            dev_environment_name: s.dev.name.clone(),
        })
    }

    /// Signs the profile in (device code or browser), keeping the tokens in
    /// the keyring. The Local sandbox signs in by itself (as the demo maker).
    pub async fn sign_in(
        &self,
        method: SignInMethod,
        prompt: &dyn SignInPrompt,
    ) -> Result<AccountInfo> {
        if signin::is_sandbox(&self.profile) {
            return self.sandbox_account().await;
        }
        signin::sign_in(&self.profile, &self.options.tokens, method, prompt).await
    }

    /// Signs the profile out: deletes its keyring entry. Signing out of a
    /// profile nobody signed in to is not an error.
    pub fn sign_out(&self) -> Result<()> {
        if signin::is_sandbox(&self.profile) {
            return Ok(());
        }
        Ok(signin::signed_in(&self.profile, &self.options.tokens)?.sign_out()?)
    }

    /// Who is signed in to the profile (`None`: nobody). Reads the keyring
    /// only; the sandbox starts and signs in to answer.
    pub async fn account(&self) -> Result<Option<AccountInfo>> {
        if signin::is_sandbox(&self.profile) {
            return self.sandbox_account().await.map(Some);
        }
        let session = signin::signed_in(&self.profile, &self.options.tokens)?;
        Ok(session
            .account()?
            .map(|t| signin::account_info(&self.profile.id, &t)))
    }

    async fn sandbox_account(&self) -> Result<AccountInfo> {
        self.session()
            .await?
            .sandbox_account
            .clone()
            .ok_or_else(|| OpsError::Internal("the sandbox started without signing in".into()))
    }

    pub(crate) fn cache(&self) -> MutexGuard<'_, Cache> {
        // A panic while holding the lock leaves SQLite consistent (transactions roll back).
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn profile_id(&self) -> &str {
        &self.profile.id
    }

    /// The connection to the host, made on first use.
    pub(crate) async fn session(&self) -> Result<&Session> {
        self.session.get_or_try_init(|| self.open_session()).await
    }

    async fn open_session(&self) -> Result<Session> {
        let mut sandbox_account = None;
        let options = self.client_options()?;
        let (sandbox, base, tokens) = match self.profile.kind {
            CacheKind::LocalSandbox => {
                let started = crate::sandbox::start(
                    &self.options.data_dir.join("sandbox"),
                    self.options.sandbox_speed,
                    self.options.sandbox_clock_ahead,
                )
                .await?;
                self.cache()
                    .save_profile(&profile::sandbox_profile(&started.base_url))?;
                sandbox_account = Some(started.account);
                (
                    Some(started.host),
                    started.base_url,
                    Tokens::Source(started.tokens),
                )
            }
            CacheKind::Cloud => (
                None,
                self.profile.host_url.clone(),
                profile::cloud_tokens(&self.profile, &self.options.tokens)?,
            ),
        };
        let host = org_client(&base, &tokens, &options)?;
        let table = connect::table_source(&self.profile, &base)?;
        let tenant = TenantServices::new(table, tokens.clone(), options.clone());
        let dev = self.resolve_dev(&host, &tenant, &tokens, &options).await?;
        // Who we are, for "by whom" when the host does not say (best effort).
        let me = who_am_i(&host).await;
        Ok(Session {
            _sandbox: sandbox,
            sandbox_account,
            me,
            host,
            tokens,
            tenant,
            dev,
            options,
        })
    }

    /// The host client's settings, with the HTTP client every request of this
    /// engine goes through (the system's proxy, loopback always direct).
    pub(crate) fn client_options(&self) -> Result<ClientOptions> {
        let mut options = self.options.client.clone();
        options.allow_insecure_http |= profile::Details::of(&self.profile).allow_insecure_http;
        if options.http.is_none() {
            let defaults = ferry_auth::http::default_http_options();
            let http = ferry_auth::http_client(&ferry_auth::HttpOptions {
                timeout: Some(options.timeout),
                extra_ca_file: profile::Details::of(&self.profile)
                    .ca_file
                    .map(PathBuf::from)
                    .or(defaults.extra_ca_file.clone()),
                ..defaults
            })
            .map_err(|e| OpsError::InvalidInput(e.to_string()))?;
            options.http = Some(http);
        }
        Ok(options)
    }

    async fn resolve_dev(
        &self,
        host: &Client,
        tenant: &TenantServices,
        tokens: &Tokens,
        options: &ClientOptions,
    ) -> Result<DevEnvironment> {
        let wanted = self
            .profile
            .dev_environment_id
            .clone()
            .filter(|d| !d.trim().is_empty())
            .ok_or_else(|| OpsError::ProfileIncomplete {
                profile: self.profile.id.clone(),
                reason: "it names no development environment; choose one with `ferry env use NAME`"
                    .into(),
            })?;
        let details = profile::Details::of(&self.profile);
        let (bap_id, name, url) = match &self.profile.dev_environment_url {
            // Found by discovery when the profile was made: nothing to look up.
            Some(url) if Uuid::parse_str(&wanted).is_ok() => (
                wanted.clone(),
                details
                    .dev_environment_name
                    .clone()
                    .unwrap_or_else(|| wanted.clone()),
                url.clone(),
            ),
            _ => {
                // A failure to read the list is said as it is (throttled, down,
                // refused): only a list read in full can show a profile mistake.
                let envs = tenant.environments().await?;
                let e = envs.iter().find(|e| e.is(&wanted)).ok_or_else(|| {
                    OpsError::DevEnvironment(format!(
                        "the development environment {wanted:?} is not in this tenant's environment list; check the profile's --dev-env (an environment id or name), or list them with `ferry env list`"
                    ))
                })?;
                (e.bap_id.clone(), e.name().to_string(), e.url.clone())
            }
        };
        let registration = p::find_environment(host, &bap_id)
            .await?
            .ok_or_else(|| {
                OpsError::NotSetUp(format!(
                    "the development environment {name} is not registered on the pipelines host {}; ask a pipelines admin to add it as a Development environment",
                    host.base_url()
                ))
            })?;
        Ok(DevEnvironment {
            bap_id,
            name,
            registration: registration.deploymentenvironmentid,
            client: org_client(&url, tokens, options)?,
        })
    }

    /// Waits for `d`, or returns early with [`OpsError::Interrupted`].
    pub(crate) async fn pause(&self, d: Duration, cancel: &CancellationToken) -> Result<()> {
        tokio::select! {
            _ = cancel.cancelled() => Err(OpsError::Interrupted),
            _ = tokio::time::sleep(d) => Ok(()),
        }
    }

    /// Stores a run as read from the host; returns its summary and the
    /// transition the cache appended, if its state changed.
    pub(crate) fn record(
        &self,
        run: &HostRun,
        created_by: Option<String>,
    ) -> Result<(RunSummary, Option<TimelineEntry>)> {
        let mut cache = self.cache();
        let mut row = to_cache_run(run, created_by);
        if let Some((pipeline_id, stage)) = cache.stage(self.profile_id(), &row.stage_id)? {
            row.stage_name = Some(stage.name);
            row.target_environment_name = stage.target_environment_name;
            row.target_deployment_environment_id = stage.target_deployment_environment_id;
            row.pipeline_name = cache
                .pipelines(self.profile_id())?
                .into_iter()
                .find(|p| p.pipeline_id == pipeline_id)
                .map(|p| p.name);
            row.pipeline_id = Some(pipeline_id);
        }
        let outcome = cache.upsert_run(self.profile_id(), &row)?;
        if outcome.transition.is_some() {
            // A run that moved on may have changed what its target has installed.
            self.recent.forget_changeable(&row.id);
        }
        let stored = cache
            .run(self.profile_id(), &row.id)?
            .ok_or_else(|| OpsError::Internal(format!("run {} vanished from the cache", row.id)))?;
        Ok((summary(&stored), outcome.transition))
    }

    /// A run from the cache.
    pub(crate) fn cached_run(&self, id: &str) -> Result<Option<CachedRun>> {
        Ok(self.cache().run(self.profile_id(), id)?)
    }
}

/// Parses a host time (RFC 3339).
pub(crate) fn parse_time(text: Option<&str>) -> Option<OffsetDateTime> {
    text.and_then(|t| OffsetDateTime::parse(t.trim(), &Rfc3339).ok())
}

/// Formats a time as RFC 3339 UTC.
pub(crate) fn format_time(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// The sub-operation's label for a code.
pub(crate) fn step_label(code: Option<i64>) -> Option<String> {
    code.and_then(SubOperation::from_code)
        .filter(|s| *s != SubOperation::None)
        .map(|s| s.label().to_string())
}

fn i32_of(v: Option<i64>) -> Option<i32> {
    v.and_then(|n| i32::try_from(n).ok())
}

/// The host's row in the cache's shape.
pub(crate) fn to_cache_run(r: &HostRun, created_by: Option<String>) -> ferry_cache::StageRun {
    ferry_cache::StageRun {
        id: r.deploymentstagerunid.to_string(),
        name: r.name.clone(),
        stage_id: r.stage_id.map(|s| s.to_string()).unwrap_or_default(),
        dev_deployment_environment_id: r.dev_environment_id.map(|d| d.to_string()),
        artifact_name: r.artifactname.clone().unwrap_or_default(),
        artifact_id: r.artifact_id.map(|a| a.to_string()),
        is_redeployment: r.isredeployment,
        artifact_dev_current_version: r.artifactdevcurrentversion.clone(),
        artifact_version: r.artifactversion.clone(),
        deployment_notes: r.deploymentnotes.clone(),
        deployment_settings_json: r.deploymentsettingsjson.clone(),
        scheduled_time: parse_time(r.scheduledtime.as_deref()),
        stage_run_status: i32_of(r.stagerunstatus).unwrap_or_default(),
        stage_run_status_label: Some(r.status_label()),
        operation: i32_of(r.operation),
        sub_operation: i32_of(r.suboperation),
        sub_operation_label: step_label(r.suboperation),
        operation_status: i32_of(r.operationstatus),
        operation_details: r.operationdetails.clone(),
        validation_results: r
            .validationresults
            .as_deref()
            .and_then(ferry_cache::decode_validation_results),
        error_message: r.errormessage.clone().filter(|m| !m.trim().is_empty()),
        start_time: parse_time(r.starttime.as_deref()),
        end_time: parse_time(r.endtime.as_deref()),
        approval_status: i32_of(r.approvalstatus),
        pre_deployment_step_status: i32_of(r.predeploymentstepstatus),
        created_on: parse_time(r.createdon.as_deref()),
        created_by,
        modified_on: parse_time(r.modifiedon.as_deref()),
        ..Default::default()
    }
}

/// A cached run, summarized.
pub(crate) fn summary(c: &CachedRun) -> RunSummary {
    let r = &c.run;
    let t = |v: &Option<OffsetDateTime>| v.map(format_time);
    RunSummary {
        id: r.id.clone(),
        solution: r.artifact_name.clone(),
        stage_id: r.stage_id.clone(),
        stage_name: r.stage_name.clone(),
        pipeline_name: r.pipeline_name.clone(),
        target_name: r.target_environment_name.clone(),
        status: r.stage_run_status,
        status_label: c
            .status_label()
            .map(str::to_string)
            .unwrap_or_else(|| format!("Status {}", r.stage_run_status)),
        step: r.sub_operation_label.clone(),
        terminal: c.is_terminal,
        version: r.artifact_version.clone(),
        dev_version: r.artifact_dev_current_version.clone(),
        notes: r.deployment_notes.clone(),
        // The host keeps a failure's text after a retry succeeds (or while it runs): it
        // describes the run's state only while that state is a failure.
        error_message: r.error_message.clone().filter(|_| {
            matches!(
                StageRunStatus::from_code(i64::from(r.stage_run_status)),
                Some(StageRunStatus::Failed | StageRunStatus::Canceled)
            )
        }),
        created_on: t(&r.created_on),
        created_by: r.created_by.clone(),
        start_time: t(&r.start_time),
        end_time: t(&r.end_time),
        scheduled_time: t(&r.scheduled_time),
        approval_status: r.approval_status,
        pre_deployment_step_status: r.pre_deployment_step_status,
        artifact_id: r.artifact_id.clone(),
        is_redeployment: r.is_redeployment.unwrap_or(false),
    }
}

/// The id of the sandbox profile (for callers that special-case it).
pub fn sandbox_profile_id() -> &'static str {
    SANDBOX_ID
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(set: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            set.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn one_bad_variable_does_not_drop_the_good_ones() {
        let (o, problems) = EngineOptions::from_vars(
            "/data",
            vars(&[
                ("FERRY_SANDBOX_SPEED", "fast"),
                ("FERRY_POLL_MS", "250"),
                ("FERRY_PACING", "fixed"),
            ]),
        );
        assert_eq!(o.poll_interval, Duration::from_millis(250));
        assert_eq!(o.pacing, Pacing::Fixed);
        assert_eq!(o.sandbox_speed, 1.0, "the bad one keeps its default");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("FERRY_SANDBOX_SPEED=\"fast\"")
                && problems[0].contains("set it to"),
            "{problems:?}"
        );
    }

    #[test]
    fn every_bad_variable_is_reported() {
        let (_, problems) = EngineOptions::from_vars(
            "/data",
            vars(&[
                ("FERRY_SANDBOX_SPEED", "-1"),
                ("FERRY_POLL_MS", "soon"),
                ("FERRY_PACING", "sideways"),
            ]),
        );
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[2].contains("adaptive or fixed"), "{problems:?}");
        let (_, none) = EngineOptions::from_vars("/data", vars(&[("FERRY_POLL_MS", " ")]));
        assert!(none.is_empty(), "{none:?}");
    }
}
